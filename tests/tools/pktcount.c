// SPDX-License-Identifier: GPL-2.0
/*
 * pktcount IFACE [PREFIX]: counts the IP packets that cross IFACE (both
 * directions) until SIGTERM or SIGINT, then prints one line:
 *
 *   esp=N icmp=N udp=N tcp=N other=N watched=N
 *
 * "watched" counts packets whose outer source or destination lies in the
 * IPv4 PREFIX (a.b.c.d/len): the end-to-end test watches the LAN ranges on
 * the router, where only ESP between the gateways may appear. The VM has
 * no tcpdump; an AF_PACKET socket is all this needs.
 */

#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static int parse_prefix(const char *s, uint32_t *net, uint32_t *mask)
{
	char buf[32], *slash;
	struct in_addr a;
	long len;

	if (strlen(s) >= sizeof(buf))
		return -1;
	strcpy(buf, s);
	slash = strchr(buf, '/');
	if (!slash)
		return -1;
	*slash = '\0';
	len = strtol(slash + 1, NULL, 10);
	if (len < 0 || len > 32 || inet_pton(AF_INET, buf, &a) != 1)
		return -1;
	*mask = len ? htonl(~0u << (32 - len)) : 0;
	*net = a.s_addr & *mask;
	return 0;
}

int main(int argc, char **argv)
{
	unsigned long esp = 0, icmp = 0, udp = 0, tcp = 0, other = 0, watched = 0;
	uint32_t net = 0, mask = 0;
	struct sockaddr_ll sll = { .sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_ALL) };
	struct sigaction sa = { .sa_handler = on_signal };
	int fd;

	if (argc < 2 || argc > 3 || (argc == 3 && parse_prefix(argv[2], &net, &mask))) {
		fprintf(stderr, "usage: pktcount IFACE [A.B.C.D/LEN]\n");
		return 2;
	}
	sll.sll_ifindex = (int)if_nametoindex(argv[1]);
	if (!sll.sll_ifindex) {
		fprintf(stderr, "pktcount: no interface %s\n", argv[1]);
		return 1;
	}
	fd = socket(AF_PACKET, SOCK_DGRAM, htons(ETH_P_ALL));
	if (fd < 0 || bind(fd, (struct sockaddr *)&sll, sizeof(sll))) {
		fprintf(stderr, "pktcount: %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	/* Tell the caller the socket is bound: packets from now on count. */
	printf("ready\n");
	fflush(stdout);
	while (!stop) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		uint8_t pkt[2048];
		uint8_t proto;
		ssize_t n;

		if (poll(&pfd, 1, 200) <= 0)
			continue;
		n = recv(fd, pkt, sizeof(pkt), 0);
		if (n < 20)
			continue;
		if ((pkt[0] >> 4) == 4) {
			uint32_t src, dst;

			memcpy(&src, pkt + 12, 4);
			memcpy(&dst, pkt + 16, 4);
			proto = pkt[9];
			if (mask && ((src & mask) == net || (dst & mask) == net))
				watched++;
		} else if ((pkt[0] >> 4) == 6 && n >= 40) {
			proto = pkt[6];
		} else {
			continue;
		}
		switch (proto) {
		case IPPROTO_ESP: esp++; break;
		case IPPROTO_ICMP: case IPPROTO_ICMPV6: icmp++; break;
		case IPPROTO_UDP: udp++; break;
		case IPPROTO_TCP: tcp++; break;
		default: other++; break;
		}
	}
	printf("esp=%lu icmp=%lu udp=%lu tcp=%lu other=%lu watched=%lu\n", esp, icmp, udp, tcp,
	       other, watched);
	return 0;
}

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers the in-VM tests of skap.ko share: a generic netlink client of the
 * "skap" family on libnl-genl-3 (requests, dumps, events, extended ACK
 * messages, malformed requests), "skap" keys with libkeyutils, namespaces
 * and capabilities. Everything is static inline: each test is one program.
 */
#ifndef SKAP_TEST_H
#define SKAP_TEST_H

#include <errno.h>
#include <fcntl.h>
#include <keyutils.h>
#include <sched.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <endian.h>
#include <sys/wait.h>
#include <signal.h>
#include <arpa/inet.h>
#include <linux/capability.h>
#include <linux/netlink.h>
#include <linux/skap.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>
#include <sys/syscall.h>
#include <sys/socket.h>

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

struct skap_nl {
	struct nl_sock *sk;
	int family;
	int err;		/* last request: 0 or -errno */
	char msg[256];		/* last request: extended ACK message */
	char sig[1 << 16];	/* last dump: its messages, statistics left out */
	size_t siglen;
	int nmsgs;		/* last request: reply messages */
};

typedef int (*skap_msg_cb)(struct nlmsghdr *nlh, struct nlattr **tb, void *arg);

static inline int skap_nl_open(struct skap_nl *nl)
{
	int one = 1;

	memset(nl, 0, sizeof(*nl));
	nl->sk = nl_socket_alloc();
	if (!nl->sk)
		return -ENOMEM;
	if (genl_connect(nl->sk))
		goto err;
	nl_socket_set_msg_buf_size(nl->sk, 65536);
	/* skap_xfer() matches replies to requests itself. */
	nl_socket_disable_seq_check(nl->sk);
	setsockopt(nl_socket_get_fd(nl->sk), SOL_NETLINK, NETLINK_EXT_ACK,
		   &one, sizeof(one));
	nl->family = genl_ctrl_resolve(nl->sk, SKAP_GENL_NAME);
	if (nl->family < 0)
		goto err;
	return 0;
err:
	nl_socket_free(nl->sk);
	nl->sk = NULL;
	return -ENOENT;
}

static inline void skap_nl_close(struct skap_nl *nl)
{
	if (nl->sk)
		nl_socket_free(nl->sk);
	nl->sk = NULL;
}

static inline struct nl_msg *skap_msg(struct skap_nl *nl, uint8_t cmd, int flags)
{
	struct nl_msg *m = nlmsg_alloc_size(65536);

	if (m)
		genlmsg_put(m, NL_AUTO_PORT, NL_AUTO_SEQ, nl->family, 0, flags,
			    cmd, SKAP_GENL_VERSION);
	return m;
}

static inline void skap_extack(struct skap_nl *nl, struct nlmsghdr *h)
{
	struct nlmsgerr *e = NLMSG_DATA(h);
	struct nlattr *a;
	size_t off = sizeof(*e);
	int rem;

	if (!(h->nlmsg_flags & NLM_F_ACK_TLVS))
		return;
	if (!(h->nlmsg_flags & NLM_F_CAPPED))
		off += e->msg.nlmsg_len - NLMSG_HDRLEN;
	rem = (int)h->nlmsg_len - NLMSG_HDRLEN - (int)off;
	for (a = (struct nlattr *)((char *)e + off); nla_ok(a, rem); a = nla_next(a, &rem)) {
		if (nla_type(a) == NLMSGERR_ATTR_MSG)
			snprintf(nl->msg, sizeof(nl->msg), "%.*s", nla_len(a),
				 (char *)nla_data(a));
	}
}

/* Appends a message to the dump signature, SKAP_A_STATS left out. */
static inline void skap_sig_add(struct skap_nl *nl, struct nlmsghdr *h)
{
	struct nlattr *a = genlmsg_attrdata(NLMSG_DATA(h), 0);
	int rem = genlmsg_attrlen(NLMSG_DATA(h), 0);

	for (; nla_ok(a, rem); a = nla_next(a, &rem)) {
		size_t n = NLA_ALIGN(a->nla_len);

		if (nla_type(a) == SKAP_A_STATS || nl->siglen + n > sizeof(nl->sig))
			continue;
		memcpy(nl->sig + nl->siglen, a, n);
		nl->siglen += n;
	}
}

/*
 * Sends @m (freed) and reads until the ACK, the error or the end of the
 * dump; each reply message goes to @cb. Returns 0 or -errno; nl->msg holds
 * the extended ACK message.
 */
static inline int skap_xfer(struct skap_nl *nl, struct nl_msg *m, skap_msg_cb cb,
			    void *arg)
{
	struct nlmsghdr *req = nlmsg_hdr(m);
	int dump = req->nlmsg_flags & NLM_F_DUMP;
	unsigned char *buf = NULL;
	struct sockaddr_nl who;
	uint32_t seq;
	int n, done = 0;

	nl->err = 0;
	nl->msg[0] = 0;
	nl->nmsgs = 0;
	if (dump)
		nl->siglen = 0;
	nl_complete_msg(nl->sk, m);
	seq = req->nlmsg_seq;
	n = nl_send(nl->sk, m);
	nlmsg_free(m);
	if (n < 0)
		return nl->err = -EIO;
	while (!done) {
		struct nlmsghdr *h;

		n = nl_recv(nl->sk, &who, &buf, NULL);
		if (n <= 0)
			return nl->err = -EIO;
		for (h = (struct nlmsghdr *)buf; nlmsg_ok(h, n); h = nlmsg_next(h, &n)) {
			if (h->nlmsg_seq != seq)
				continue;
			if (h->nlmsg_type == NLMSG_ERROR) {
				struct nlmsgerr *e = NLMSG_DATA(h);

				nl->err = e->error;
				skap_extack(nl, h);
				done = 1;
			} else if (h->nlmsg_type == NLMSG_DONE) {
				if (h->nlmsg_len >= NLMSG_LENGTH(sizeof(int)))
					nl->err = *(int *)NLMSG_DATA(h);
				done = 1;
			} else {
				struct nlattr *tb[SKAP_A_MAX + 1];

				nl->nmsgs++;
				if (dump)
					skap_sig_add(nl, h);
				if (genlmsg_parse(h, 0, tb, SKAP_A_MAX, NULL))
					memset(tb, 0, sizeof(tb));
				if (cb)
					cb(h, tb, arg);
				if (!dump && !(h->nlmsg_flags & NLM_F_MULTI))
					continue;
			}
		}
		free(buf);
		buf = NULL;
	}
	return nl->err;
}

/* A request with these raw attribute bytes appended, for malformed input. */
static inline int skap_raw(struct skap_nl *nl, uint8_t cmd, const void *attrs,
			   size_t len)
{
	struct nl_msg *m = skap_msg(nl, cmd, 0);

	if (len)
		nlmsg_append(m, (void *)attrs, len, 0);
	return skap_xfer(nl, m, NULL, NULL);
}

struct skap_info {
	uint32_t version;
	int32_t keyring;
	uint32_t sas;
	uint32_t policies;
};

static inline int skap_info_cb(struct nlmsghdr *h, struct nlattr **tb, void *arg)
{
	struct skap_info *i = arg;

	if (tb[SKAP_A_VERSION])
		i->version = nla_get_u32(tb[SKAP_A_VERSION]);
	if (tb[SKAP_A_KEYRING])
		i->keyring = (int32_t)nla_get_u32(tb[SKAP_A_KEYRING]);
	if (tb[SKAP_A_SA_COUNT])
		i->sas = nla_get_u32(tb[SKAP_A_SA_COUNT]);
	if (tb[SKAP_A_POLICY_COUNT])
		i->policies = nla_get_u32(tb[SKAP_A_POLICY_COUNT]);
	return 0;
}

static inline int skap_info(struct skap_nl *nl, struct skap_info *i)
{
	memset(i, 0, sizeof(*i));
	return skap_xfer(nl, skap_msg(nl, SKAP_CMD_GET_INFO, 0), skap_info_cb, i);
}

/* An SA or a policy, as a test asks for it (zero fields are left out). */
struct skap_obj {
	int32_t key;
	int family;
	const char *src;
	const char *dst;
	uint32_t spi;
	int mode;		/* SKAP_MODE_* */
	uint32_t reqid;
	int dir;		/* policies: SKAP_POLICY_* */
	const char *sel_src;	/* "addr/plen" */
	const char *sel_dst;
	uint8_t proto;
	uint16_t sport, dport;
	uint64_t soft_s, hard_s, soft_bytes, hard_bytes;
	uint32_t priority;
	int has_mark;
	uint32_t mark, mask, if_id;
};

static inline int skap_put_addr(struct nl_msg *m, int type, int family, const char *s)
{
	unsigned char buf[16];

	if (inet_pton(family, s, buf) != 1)
		return -1;
	return nla_put(m, type, family == AF_INET ? 4 : 16, buf);
}

static inline void skap_put_prefix(struct nl_msg *m, int at, int pt, int family,
				   const char *s)
{
	char a[64];
	const char *slash = strchr(s, '/');

	snprintf(a, sizeof(a), "%.*s", slash ? (int)(slash - s) : (int)strlen(s), s);
	skap_put_addr(m, at, family, a);
	if (slash)
		nla_put_u8(m, pt, (uint8_t)atoi(slash + 1));
}

static inline void skap_put_obj(struct nl_msg *m, const struct skap_obj *o, int sa)
{
	if (sa && o->key)
		nla_put_u32(m, SKAP_A_KEY, (uint32_t)o->key);
	nla_put_u16(m, SKAP_A_FAMILY, o->family);
	if (o->src)
		skap_put_addr(m, SKAP_A_SRC, o->family, o->src);
	if (o->dst)
		skap_put_addr(m, SKAP_A_DST, o->family, o->dst);
	if (o->spi)
		nla_put_u32(m, SKAP_A_SPI, o->spi);
	nla_put_u8(m, SKAP_A_MODE, o->mode);
	if (o->reqid)
		nla_put_u32(m, SKAP_A_REQID, o->reqid);
	if (!sa)
		nla_put_u8(m, SKAP_A_DIR, o->dir);
	if (o->sel_src || o->sel_dst || o->proto || o->sport || o->dport || !sa) {
		struct nlattr *n = nla_nest_start(m, SKAP_A_SEL);

		if (o->sel_src)
			skap_put_prefix(m, SKAP_SEL_SRC, SKAP_SEL_SRC_PLEN, o->family, o->sel_src);
		if (o->sel_dst)
			skap_put_prefix(m, SKAP_SEL_DST, SKAP_SEL_DST_PLEN, o->family, o->sel_dst);
		if (o->proto)
			nla_put_u8(m, SKAP_SEL_PROTO, o->proto);
		if (o->sport)
			nla_put_u16(m, SKAP_SEL_SPORT, o->sport);
		if (o->dport)
			nla_put_u16(m, SKAP_SEL_DPORT, o->dport);
		nla_nest_end(m, n);
	}
	if (sa && (o->soft_s || o->hard_s || o->soft_bytes || o->hard_bytes)) {
		struct nlattr *n = nla_nest_start(m, SKAP_A_LIFETIME);

		if (o->soft_s)
			nla_put_u64(m, SKAP_LFT_SOFT_SECONDS, o->soft_s);
		if (o->hard_s)
			nla_put_u64(m, SKAP_LFT_HARD_SECONDS, o->hard_s);
		if (o->soft_bytes)
			nla_put_u64(m, SKAP_LFT_SOFT_BYTES, o->soft_bytes);
		if (o->hard_bytes)
			nla_put_u64(m, SKAP_LFT_HARD_BYTES, o->hard_bytes);
		nla_nest_end(m, n);
	}
	if (!sa && o->priority)
		nla_put_u32(m, SKAP_A_PRIORITY, o->priority);
	if (o->has_mark) {
		nla_put_u32(m, SKAP_A_MARK, o->mark);
		nla_put_u32(m, SKAP_A_MARK_MASK, o->mask);
	}
	if (o->if_id)
		nla_put_u32(m, SKAP_A_IF_ID, o->if_id);
}

static inline int skap_sa_add(struct skap_nl *nl, const struct skap_obj *o)
{
	struct nl_msg *m = skap_msg(nl, SKAP_CMD_NEW_SA, 0);

	skap_put_obj(m, o, 1);
	return skap_xfer(nl, m, NULL, NULL);
}

static inline int skap_sa_del(struct skap_nl *nl, int family, const char *dst,
			      uint32_t spi)
{
	struct nl_msg *m = skap_msg(nl, SKAP_CMD_DEL_SA, 0);

	nla_put_u16(m, SKAP_A_FAMILY, family);
	skap_put_addr(m, SKAP_A_DST, family, dst);
	nla_put_u32(m, SKAP_A_SPI, spi);
	return skap_xfer(nl, m, NULL, NULL);
}

static inline int skap_index_cb(struct nlmsghdr *h, struct nlattr **tb, void *arg)
{
	if (tb[SKAP_A_POLICY_INDEX])
		*(uint32_t *)arg = nla_get_u32(tb[SKAP_A_POLICY_INDEX]);
	return 0;
}

static inline int skap_pol_add(struct skap_nl *nl, const struct skap_obj *o,
			       uint32_t *index)
{
	struct nl_msg *m = skap_msg(nl, SKAP_CMD_NEW_POLICY, 0);
	uint32_t dummy;

	skap_put_obj(m, o, 0);
	return skap_xfer(nl, m, skap_index_cb, index ? index : &dummy);
}

static inline int skap_pol_del(struct skap_nl *nl, int dir, uint32_t index)
{
	struct nl_msg *m = skap_msg(nl, SKAP_CMD_DEL_POLICY, 0);

	nla_put_u8(m, SKAP_A_DIR, dir);
	nla_put_u32(m, SKAP_A_POLICY_INDEX, index);
	return skap_xfer(nl, m, NULL, NULL);
}

static inline int skap_flush(struct skap_nl *nl)
{
	return skap_xfer(nl, skap_msg(nl, SKAP_CMD_FLUSH, 0), NULL, NULL);
}

/* Number of entries a dump returns, or -errno; nl->sig holds them. */
static inline int skap_dump(struct skap_nl *nl, uint8_t cmd, skap_msg_cb cb, void *arg)
{
	int ret;

	ret = skap_xfer(nl, skap_msg(nl, cmd, NLM_F_DUMP), cb, arg);
	return ret ? ret : nl->nmsgs;
}

/* Both dumps, as one signature: equal signatures, same module state. */
struct skap_snap {
	int nsa, npol;
	size_t len;
	char sig[1 << 17];
};

static inline int skap_snapshot(struct skap_nl *nl, struct skap_snap *s)
{
	s->nsa = skap_dump(nl, SKAP_CMD_GET_SA, NULL, NULL);
	memcpy(s->sig, nl->sig, nl->siglen);
	s->len = nl->siglen;
	s->npol = skap_dump(nl, SKAP_CMD_GET_POLICY, NULL, NULL);
	memcpy(s->sig + s->len, nl->sig, nl->siglen);
	s->len += nl->siglen;
	return s->nsa < 0 ? s->nsa : s->npol < 0 ? s->npol : 0;
}

static inline int skap_snap_equal(const struct skap_snap *a, const struct skap_snap *b)
{
	return a->nsa == b->nsa && a->npol == b->npol && a->len == b->len &&
	       !memcmp(a->sig, b->sig, a->len);
}

/* Keys. */
static inline void skap_payload(struct skap_key_payload *p, uint8_t kid,
				const char *peer, uint8_t dir, uint32_t spi,
				uint64_t expiry, uint8_t keybyte)
{
	memset(p, 0, sizeof(*p));
	p->version = SKAP_KEY_V1;
	p->dir = dir;
	p->peer_len = (uint8_t)strlen(peer);
	memcpy(p->peer, peer, p->peer_len);
	p->spi = htonl(spi);
	p->expiry = htobe64(expiry);
	memset(p->kid, kid, sizeof(p->kid));
	memset(p->key, keybyte, sizeof(p->key));
}

static inline key_serial_t skap_key_add_p(const struct skap_key_payload *p,
					  key_serial_t ring)
{
	return add_key(SKAP_KEY_TYPE, "", p, sizeof(*p), ring);
}

static inline key_serial_t skap_key_add(key_serial_t ring, uint8_t kid,
					uint8_t dir, uint32_t spi, uint8_t keybyte)
{
	struct skap_key_payload p;

	skap_payload(&p, kid, "peer-b", dir, spi, 0, keybyte);
	return skap_key_add_p(&p, ring);
}

/* Namespaces and capabilities. */
static inline int skap_setns(const char *name)
{
	char path[128];
	int fd, ret;

	snprintf(path, sizeof(path), "/run/netns/%s", name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ret = setns(fd, CLONE_NEWNET);
	close(fd);
	return ret ? -errno : 0;
}

static inline int skap_drop_cap(int cap)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];

	if (syscall(SYS_capget, &h, d))
		return -errno;
	d[cap / 32].effective &= ~(1U << (cap % 32));
	d[cap / 32].permitted &= ~(1U << (cap % 32));
	d[cap / 32].inheritable &= ~(1U << (cap % 32));
	return syscall(SYS_capset, &h, d) ? -errno : 0;
}

static inline int skap_sh(const char *fmt, ...)
{
	char cmd[4096];
	va_list ap;
	int ret;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	ret = system(cmd);
	return WIFEXITED(ret) ? WEXITSTATUS(ret) : -1;
}

/* Lines of a command's output. */
static inline int skap_sh_lines(const char *fmt, ...)
{
	char cmd[4096], line[512];
	va_list ap;
	FILE *f;
	int n = 0;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	f = popen(cmd, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		n++;
	pclose(f);
	return n;
}

/* xfrm states / policies in the current namespace, made by anyone. */
/*
 * One side of a pair: inbound SA first (as the daemon does), then outbound,
 * then the out and in policies, and fwd when WITH_FWD (tunnel gateways).
 * O carries family, mode and reqid; the other fields are set here.
 */
static inline int skap_side_up(struct skap_nl *nl, struct skap_obj o, key_serial_t kin,
			       key_serial_t kout, const char *me, const char *peer,
			       const char *mysel, const char *peersel, int with_fwd)
{
	int ret;

	if (kout < 0 || kin < 0)
		return -errno;
	o.key = kin;
	o.src = peer;
	o.dst = me;
	ret = skap_sa_add(nl, &o);
	o.key = kout;
	o.src = me;
	o.dst = peer;
	ret = ret ? ret : skap_sa_add(nl, &o);
	o.key = 0;
	o.dir = SKAP_POLICY_OUT;
	o.sel_src = mysel;
	o.sel_dst = peersel;
	ret = ret ? ret : skap_pol_add(nl, &o, NULL);
	o.dir = SKAP_POLICY_IN;
	o.src = peer;
	o.dst = me;
	o.sel_src = peersel;
	o.sel_dst = mysel;
	ret = ret ? ret : skap_pol_add(nl, &o, NULL);
	o.dir = SKAP_POLICY_FWD;
	return ret || !with_fwd ? ret : skap_pol_add(nl, &o, NULL);
}

/*
 * The ESP salt of a key of 32 x KEYBYTE, as the uapi header specifies it
 * (first 4 bytes of SHA-256("skap1 esp salt" || key)), computed by
 * sha256sum so that the module's own code is not checked against itself.
 */
static inline int skap_salt_hex(uint8_t keybyte, char out[9])
{
	unsigned char buf[14 + 32];
	char line[128];
	FILE *f, *p;

	memcpy(buf, "skap1 esp salt", 14);
	memset(buf + 14, keybyte, 32);
	f = fopen("/tmp/skap-test.salt", "w");
	if (!f)
		return -1;
	fwrite(buf, 1, sizeof(buf), f);
	fclose(f);
	p = popen("sha256sum /tmp/skap-test.salt", "r");
	if (!p || !fgets(line, sizeof(line), p)) {
		if (p)
			pclose(p);
		return -1;
	}
	pclose(p);
	memcpy(out, line, 8);
	out[8] = 0;
	return 0;
}

static inline int skap_xfrm_states(void)
{
	return skap_sh_lines("/usr/sbin/ip xfrm state | grep '^src '");
}

static inline int skap_xfrm_policies(void)
{
	return skap_sh_lines("/usr/sbin/ip xfrm policy | grep '^src '");
}

/*
 * @bytes over TCP from namespace @from to a listener in namespace @to; 0 if
 * all of it arrived intact. *@seconds: from connect to the receiver's end.
 */
static inline int skap_tcp_transfer(const char *from, const char *to, int family,
				    const char *target, size_t bytes, double *seconds)
{
	struct sockaddr_storage ss = {};
	struct sockaddr_in *a4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)&ss;
	static unsigned char buf[1 << 20];
	unsigned long long got[2] = { 0, 0 }, sum = 0;
	struct timeval tv = { .tv_sec = 10 };
	int p[2], self_ns, s, one = 1;
	size_t i, off;
	pid_t pid;
	char c;

	struct timespec t0, t1;

	for (i = 0; i < sizeof(buf); i++)
		buf[i] = (unsigned char)(i * 7 + i / 251);
	for (i = 0; i < bytes; i++)
		sum = sum * 31 + buf[i % sizeof(buf)];
	if (family == AF_INET) {
		a4->sin_family = AF_INET;
		a4->sin_port = htons(5001);
	} else {
		a6->sin6_family = AF_INET6;
		a6->sin6_port = htons(5001);
	}
	if (pipe(p))
		return -1;
	pid = fork();
	if (pid == 0) {
		unsigned long long r[2] = { 0, 0 };
		unsigned char rb[4096];
		int l, n;

		alarm(120);
		if (skap_setns(to))
			_exit(1);
		l = socket(family, SOCK_STREAM, 0);
		setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (bind(l, (struct sockaddr *)&ss, sizeof(ss)) || listen(l, 1))
			_exit(1);
		if (write(p[1], "R", 1) != 1)
			_exit(1);
		s = accept(l, NULL, NULL);
		while ((n = read(s, rb, sizeof(rb))) > 0) {
			for (i = 0; i < (size_t)n; i++)
				r[1] = r[1] * 31 + rb[i];
			r[0] += n;
		}
		if (write(p[1], r, sizeof(r)) != sizeof(r))
			_exit(1);
		_exit(0);
	}
	if (read(p[0], &c, 1) != 1)
		return -1;
	if (family == AF_INET)
		inet_pton(AF_INET, target, &a4->sin_addr);
	else
		inet_pton(AF_INET6, target, &a6->sin6_addr);
	self_ns = open("/proc/self/ns/net", O_RDONLY);
	if (skap_setns(from))
		return -1;
	s = socket(family, SOCK_STREAM, 0);
	if (setns(self_ns, CLONE_NEWNET))
		return -1;
	close(self_ns);
	setsockopt(s, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (connect(s, (struct sockaddr *)&ss, sizeof(ss)) == 0) {
		for (off = 0; off < bytes;) {
			size_t at = off % sizeof(buf);
			size_t len = sizeof(buf) - at < bytes - off ? sizeof(buf) - at : bytes - off;
			ssize_t n = write(s, buf + at, len);

			if (n <= 0)
				break;
			off += n;
		}
		shutdown(s, SHUT_WR);
	}
	close(s);
	if (read(p[0], got, sizeof(got)) != sizeof(got))
		got[0] = 0;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (seconds)
		*seconds = (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	close(p[0]);
	close(p[1]);
	return got[0] == bytes && got[1] == sum ? 0 : -1;
}

/* Events. */
static inline int skap_events_open(struct skap_nl *ev)
{
	int grp;

	if (skap_nl_open(ev))
		return -1;
	grp = genl_ctrl_resolve_grp(ev->sk, SKAP_GENL_NAME, SKAP_GENL_MCGRP_EVENTS);
	if (grp < 0 || nl_socket_add_membership(ev->sk, grp))
		return -1;
	return 0;
}

struct skap_event {
	int cmd;
	uint32_t spi, reqid, index, seq;
	int hard;
	int family;
	unsigned char dst[16];
	int32_t key;
};

/*
 * Waits up to @ms for the next skap event; returns its command, 0 on
 * timeout, -1 on error.
 */
static inline int skap_event_next(struct skap_nl *ev, struct skap_event *e, int ms)
{
	int fd = nl_socket_get_fd(ev->sk);
	static unsigned char buf[65536];
	struct timespec end, now;

	clock_gettime(CLOCK_MONOTONIC, &end);
	end.tv_sec += ms / 1000;
	end.tv_nsec += (ms % 1000) * 1000000L;
	if (end.tv_nsec >= 1000000000L) {
		end.tv_sec++;
		end.tv_nsec -= 1000000000L;
	}
	for (;;) {
		struct nlmsghdr *h;
		struct timeval tv;
		long left;
		int n;

		clock_gettime(CLOCK_MONOTONIC, &now);
		left = (end.tv_sec - now.tv_sec) * 1000 + (end.tv_nsec - now.tv_nsec) / 1000000;
		if (left <= 0)
			return 0;
		tv.tv_sec = left / 1000;
		tv.tv_usec = (left % 1000) * 1000;
		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		n = recv(fd, buf, sizeof(buf), 0);
		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
				continue;
			return -1;
		}
		for (h = (struct nlmsghdr *)buf; nlmsg_ok(h, n); h = nlmsg_next(h, &n)) {
			struct genlmsghdr *g = NLMSG_DATA(h);
			struct nlattr *tb[SKAP_A_MAX + 1];

			if (h->nlmsg_type != ev->family)
				continue;
			if (genlmsg_parse(h, 0, tb, SKAP_A_MAX, NULL))
				continue;
			memset(e, 0, sizeof(*e));
			e->cmd = g->cmd;
			if (tb[SKAP_A_SPI])
				e->spi = nla_get_u32(tb[SKAP_A_SPI]);
			if (tb[SKAP_A_REQID])
				e->reqid = nla_get_u32(tb[SKAP_A_REQID]);
			if (tb[SKAP_A_POLICY_INDEX])
				e->index = nla_get_u32(tb[SKAP_A_POLICY_INDEX]);
			if (tb[SKAP_A_SEQ])
				e->seq = nla_get_u32(tb[SKAP_A_SEQ]);
			if (tb[SKAP_A_FAMILY])
				e->family = nla_get_u16(tb[SKAP_A_FAMILY]);
			if (tb[SKAP_A_KEY])
				e->key = (int32_t)nla_get_u32(tb[SKAP_A_KEY]);
			if (tb[SKAP_A_DST] && nla_len(tb[SKAP_A_DST]) <= 16)
				memcpy(e->dst, nla_data(tb[SKAP_A_DST]), nla_len(tb[SKAP_A_DST]));
			e->hard = !!tb[SKAP_A_HARD];
			return e->cmd;
		}
	}
}

#endif /* SKAP_TEST_H */

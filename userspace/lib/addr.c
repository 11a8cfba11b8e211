// SPDX-License-Identifier: GPL-2.0
/*
 * Address, prefix and endpoint helpers (include/skap/addr.h).
 */

#include <skap/addr.h>

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>

int skap_prefix_format(const struct skap_prefix *p, char *buf, size_t size)
{
	char addr[INET6_ADDRSTRLEN];
	int n;

	if (!inet_ntop(p->family, p->addr, addr, sizeof(addr)))
		return -EINVAL;
	n = snprintf(buf, size, "%s/%u", addr, p->len);
	return n < 0 || (size_t)n >= size ? -ENOSPC : 0;
}

int skap_endpoint_format(const struct skap_endpoint *e, char *buf, size_t size)
{
	char addr[INET6_ADDRSTRLEN];
	int n;

	if (!inet_ntop(e->family, e->addr, addr, sizeof(addr)))
		return -EINVAL;
	if (!e->port)
		n = snprintf(buf, size, "%s", addr);
	else if (e->family == AF_INET6)
		n = snprintf(buf, size, "[%s]:%u", addr, e->port);
	else
		n = snprintf(buf, size, "%s:%u", addr, e->port);
	return n < 0 || (size_t)n >= size ? -ENOSPC : 0;
}

int skap_prefix_overlaps(const struct skap_prefix *a, const struct skap_prefix *b)
{
	unsigned int len = a->len < b->len ? a->len : b->len;

	if (a->family != b->family)
		return 0;
	for (unsigned int i = 0; i < len; i++) {
		uint8_t mask = 0x80 >> (i % 8);

		if ((a->addr[i / 8] & mask) != (b->addr[i / 8] & mask))
			return 0;
	}
	return 1;
}

int skap_prefix_is_canonical(const struct skap_prefix *p)
{
	unsigned int bits;

	if (p->family != AF_INET && p->family != AF_INET6)
		return 0;
	bits = p->family == AF_INET ? 32 : 128;
	if (p->len > bits)
		return 0;
	for (unsigned int i = p->len; i < 128; i++)
		if (p->addr[i / 8] & (0x80 >> (i % 8)))
			return 0;
	return 1;
}

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Addresses, prefixes (traffic selectors) and endpoints, as configuration,
 * protocol and netlink code share them.
 */
#ifndef SKAP_ADDR_H
#define SKAP_ADDR_H

#include <stddef.h>
#include <stdint.h>

/* An address with a prefix length: a traffic selector. */
struct skap_prefix {
	int family; /* AF_INET or AF_INET6 */
	uint8_t addr[16];
	uint8_t len;
};

/* An address with a port (0 where the port does not apply). */
struct skap_endpoint {
	int family;
	uint8_t addr[16];
	uint16_t port;
};

/* Text forms, for messages and skapctl: "192.0.2.0/24", "[2001:db8::1]:7520". */
int skap_prefix_format(const struct skap_prefix *p, char *buf, size_t size);
int skap_endpoint_format(const struct skap_endpoint *e, char *buf, size_t size);

/* Whether A and B share any address (same family and one contains the other). */
int skap_prefix_overlaps(const struct skap_prefix *a, const struct skap_prefix *b);

/* Whether the bits of P beyond its length are all zero (and the length fits). */
int skap_prefix_is_canonical(const struct skap_prefix *p);

#endif /* SKAP_ADDR_H */

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The per-namespace ".skap" keyring and finding keys in it.
 */
#ifndef _SKAP_KEYRING_H
#define _SKAP_KEYRING_H

#include <linux/key.h>
#include <linux/netlink.h>

struct skap_net;

int skap_keyring_init(void);
void skap_keyring_exit(void);
int skap_keyring_create(struct skap_net *sn);
void skap_keyring_destroy(struct skap_net *sn);
struct key *skap_keyring_get_key(struct skap_net *sn, key_serial_t serial,
				 struct netlink_ext_ack *extack);

#endif /* _SKAP_KEYRING_H */

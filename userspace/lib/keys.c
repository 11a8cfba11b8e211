// SPDX-License-Identifier: GPL-2.0
/*
 * Keys into skap.ko's keyring with add_key(2) (libkeyutils). The payload
 * layout is the module's (struct skap_key_payload in the uapi header); it
 * holds the key, so it is wiped before this function returns.
 */

#include <skap/kmod.h>

#include <linux/skap.h>

#include <endian.h>
#include <errno.h>
#include <keyutils.h>
#include <string.h>

int skap_key_add(int32_t keyring, const struct skap_key_params *p, int32_t *serial)
{
	struct skap_key_payload payload;
	size_t peer_len = strnlen(p->peer, sizeof(p->peer));
	key_serial_t id;
	int ret = 0;

	*serial = 0;
	if (peer_len == 0 || peer_len > SKAP_PEER_MAX ||
	    (p->dir != SKAP_KEY_DIR_IN && p->dir != SKAP_KEY_DIR_OUT))
		return -EINVAL;
	memset(&payload, 0, sizeof(payload));
	payload.version = SKAP_KEY_V1;
	payload.dir = p->dir;
	payload.peer_len = (uint8_t)peer_len;
	payload.spi = htobe32(p->spi);
	payload.expiry = htobe64(p->expiry);
	memcpy(payload.kid, p->kid, sizeof(payload.kid));
	memcpy(payload.peer, p->peer, peer_len);
	memcpy(payload.key, p->key, sizeof(payload.key));
	/* An empty description: the module writes the canonical one. */
	id = add_key(SKAP_KEY_TYPE, "", &payload, sizeof(payload), keyring);
	if (id < 0)
		ret = -errno;
	else
		*serial = id;
	explicit_bzero(&payload, sizeof(payload));
	return ret;
}

int skap_key_revoke(int32_t serial)
{
	return keyctl_revoke(serial) < 0 ? -errno : 0;
}

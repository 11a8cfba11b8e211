// SPDX-License-Identifier: GPL-2.0
/*
 * Keys into skap.ko's keyring with add_key(2) (libkeyutils). The payload
 * layout is the module's (struct skap_key_payload in the uapi header); it
 * holds the key, so it is wiped before this function returns. Back out
 * comes only what the module's description tells (key id, peer, direction,
 * SPI): the key type has no read operation.
 */

#include <skap/kmod.h>

#include <linux/skap.h>

#include <endian.h>
#include <ctype.h>
#include <errno.h>
#include <keyutils.h>
#include <stdlib.h>
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

static int hex_nibble(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Exactly LEN lower-case hex digits at S into OUT (LEN / 2 bytes). */
static int parse_hex(const char *s, size_t len, uint8_t *out)
{
	for (size_t i = 0; i < len; i += 2) {
		int hi = hex_nibble(s[i]), lo = hex_nibble(s[i + 1]);

		if (hi < 0 || lo < 0)
			return -EINVAL;
		out[i / 2] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}

static int parse_peer(const char *s, size_t len, char *out)
{
	if (len < 1 || len > SKAP_PEER_MAX)
		return -EINVAL;
	for (size_t i = 0; i < len; i++)
		if (!isalnum((unsigned char)s[i]) && !strchr("._-", s[i]))
			return -EINVAL;
	memcpy(out, s, len);
	out[len] = 0;
	return 0;
}

int skap_key_parse_description(const char *desc, struct skap_key_info *info)
{
	const char *kid, *peer, *dir, *spi;
	uint8_t spi_be[4];

	/* The kernel writes it (keytype.c): any deviation is a key of another kind. */
	if (strncmp(desc, "skap:", 5))
		return -EINVAL;
	kid = desc + 5;
	peer = kid + 2 * SKAP_KEY_ID_LEN + 1;
	if (strnlen(kid, 2 * SKAP_KEY_ID_LEN + 1) != 2 * SKAP_KEY_ID_LEN + 1 || peer[-1] != ':')
		return -EINVAL;
	dir = strchr(peer, ':');
	if (!dir || parse_hex(kid, 2 * SKAP_KEY_ID_LEN, info->kid) ||
	    parse_peer(peer, (size_t)(dir - peer), info->peer))
		return -EINVAL;
	dir++;
	if (!strncmp(dir, "in:", 3))
		info->dir = SKAP_KEY_DIR_IN;
	else if (!strncmp(dir, "out:", 4))
		info->dir = SKAP_KEY_DIR_OUT;
	else
		return -EINVAL;
	spi = strchr(dir, ':') + 1;
	if (strlen(spi) != 8 || parse_hex(spi, 8, spi_be))
		return -EINVAL;
	info->spi = (uint32_t)spi_be[0] << 24 | (uint32_t)spi_be[1] << 16 |
		    (uint32_t)spi_be[2] << 8 | spi_be[3];
	return 0;
}

int skap_key_describe(int32_t serial, struct skap_key_info *info)
{
	char *text = NULL, *desc;
	int ret;

	memset(info, 0, sizeof(*info));
	if (keyctl_describe_alloc(serial, &text) < 0)
		return -errno;
	/* "type;uid;gid;perm;description": the description is after the fourth ';'. */
	desc = text;
	for (int i = 0; i < 4 && desc; i++) {
		desc = strchr(desc, ';');
		if (desc)
			desc++;
	}
	ret = strncmp(text, SKAP_KEY_TYPE ";", strlen(SKAP_KEY_TYPE) + 1) || !desc
		      ? -EINVAL
		      : skap_key_parse_description(desc, info);
	free(text);
	info->serial = serial;
	return ret;
}

int skap_key_list(int32_t keyring, int32_t **out, size_t *n)
{
	void *buf = NULL;
	long len = keyctl_read_alloc(keyring, &buf);

	*out = NULL;
	*n = 0;
	if (len < 0)
		return -errno;
	*out = buf;
	*n = (size_t)len / sizeof(key_serial_t);
	return 0;
}

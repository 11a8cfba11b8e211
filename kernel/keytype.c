// SPDX-License-Identifier: GPL-2.0
/*
 * The "skap" key type. The payload is exactly one struct skap_key_payload:
 * one 256-bit key and the metadata the daemon supplies. The description is
 * the canonical "skap:KID:PEER:DIR:SPI" so that keyctl describe and
 * /proc/keys name the key without showing it. There is no read operation:
 * nobody, root included, gets the key bytes back. Revoke and destroy zero
 * them. Modelled on the logon type of security/keys/user_defined.c.
 */

#include <linux/capability.h>
#include <linux/ctype.h>
#include <linux/err.h>
#include <linux/key.h>
#include <linux/nsproxy.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/timekeeping.h>
#include <keys/user-type.h>
#include <net/net_namespace.h>

#include "keytype.h"
#include "main.h"

static bool skap_peer_char_ok(u8 c)
{
	return isalnum(c) || c == '.' || c == '_' || c == '-';
}

static int skap_key_check(const struct skap_key_payload *p)
{
	time64_t expiry = (time64_t)be64_to_cpu(p->expiry);
	unsigned int i;

	if (p->version != SKAP_KEY_V1 || p->reserved)
		return -EINVAL;
	if (p->dir != SKAP_KEY_DIR_IN && p->dir != SKAP_KEY_DIR_OUT)
		return -EINVAL;
	if (p->peer_len < 1 || p->peer_len > SKAP_PEER_MAX)
		return -EINVAL;
	for (i = 0; i < SKAP_PEER_MAX; i++) {
		if (i < p->peer_len ? !skap_peer_char_ok(p->peer[i]) : p->peer[i])
			return -EINVAL;
	}
	/* RFC 4303: SPIs 1-255 are reserved, 0 is never used on the wire. */
	if (be32_to_cpu(p->spi) < 256)
		return -EINVAL;
	if (expiry < 0 || (expiry && expiry <= ktime_get_real_seconds()))
		return -EINVAL;
	return 0;
}

static char *skap_key_description(const struct skap_key_payload *p)
{
	return kasprintf(GFP_KERNEL, "skap:%*phN:%.*s:%s:%08x",
			 SKAP_KEY_ID_LEN, p->kid, p->peer_len, p->peer,
			 p->dir == SKAP_KEY_DIR_IN ? "in" : "out",
			 be32_to_cpu(p->spi));
}

/*
 * No read and no update, so by default the owner could not revoke the key or
 * set its timeout without possessing it: the keyring is not in anyone's
 * session. Let the owner view, search and set attributes (revoke, timeout).
 */
static int skap_key_instantiate(struct key *key,
				struct key_preparsed_payload *prep)
{
	key->perm = KEY_POS_VIEW | KEY_POS_SEARCH | KEY_POS_LINK |
		    KEY_POS_SETATTR | KEY_USR_VIEW | KEY_USR_SEARCH |
		    KEY_USR_SETATTR;
	return generic_key_instantiate(key, prep);
}

static int skap_key_preparse(struct key_preparsed_payload *prep)
{
	const struct skap_key_payload *p = prep->data;
	struct skap_key *sk;
	char *desc;
	int ret;

	/* Keys that carry traffic secrets are for network administrators. */
	if (!ns_capable(current->nsproxy->net_ns->user_ns, CAP_NET_ADMIN))
		return -EPERM;
	if (!p || prep->datalen != sizeof(*p))
		return -EINVAL;
	ret = skap_key_check(p);
	if (ret)
		return ret;

	desc = skap_key_description(p);
	if (!desc)
		return -ENOMEM;
	if (prep->orig_description && strcmp(prep->orig_description, desc)) {
		kfree(desc);
		return -EINVAL;
	}

	sk = kmalloc(sizeof(*sk), GFP_KERNEL);
	if (!sk) {
		kfree(desc);
		return -ENOMEM;
	}
	memcpy(&sk->p, p, sizeof(*p));
	prep->payload.data[0] = sk;
	prep->quotalen = sizeof(*p);
	if (p->expiry)
		prep->expiry = (time64_t)be64_to_cpu(p->expiry);
	if (prep->orig_description)
		kfree(desc);
	else
		prep->description = desc;
	return 0;
}

static void skap_key_free_preparse(struct key_preparsed_payload *prep)
{
	kfree_sensitive(prep->payload.data[0]);
	kfree(prep->description);
}

static void skap_key_free_rcu(struct rcu_head *head)
{
	struct skap_key *sk = container_of(head, struct skap_key, rcu);

	kfree_sensitive(sk);
}

static void skap_key_revoke(struct key *key)
{
	struct skap_key *sk = dereference_key_locked(key);

	key_payload_reserve(key, 0);
	if (sk) {
		rcu_assign_keypointer(key, NULL);
		call_rcu(&sk->rcu, skap_key_free_rcu);
	}
	/* The SAs built from this key go now, not at their expiry. */
	skap_reap_all_soon();
}

static void skap_key_destroy(struct key *key)
{
	kfree_sensitive(key->payload.data[0]);
	key->payload.data[0] = NULL;
}

static void skap_key_describe(const struct key *key, struct seq_file *m)
{
	seq_puts(m, key->description);
	if (key_is_positive(key))
		seq_puts(m, ": aes-256-gcm");
}

struct key_type skap_key_type = {
	.name = SKAP_KEY_TYPE,
#ifdef KEY_TYPE_INSTANT_REAP
	.flags = KEY_TYPE_INSTANT_REAP,
#endif
	.def_datalen = sizeof(struct skap_key_payload),
	.preparse = skap_key_preparse,
	.free_preparse = skap_key_free_preparse,
	.instantiate = skap_key_instantiate,
	.revoke = skap_key_revoke,
	.destroy = skap_key_destroy,
	.describe = skap_key_describe,
};

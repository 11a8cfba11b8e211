// SPDX-License-Identifier: GPL-2.0
/*
 * ESP states from skap keys: rfc4106(gcm(aes)) with the key's 256 bits and a
 * 32-bit salt derived from the key (see include/uapi/linux/skap.h), built
 * the way xfrm_user builds a state from XFRM_MSG_NEWSA. The module keeps a
 * reference to each state and to its key; it deletes only these states.
 */

#include <linux/err.h>
#include <linux/hash.h>
#include <linux/key.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/timekeeping.h>
#include <crypto/sha2.h>
#include <net/xfrm.h>

#include "keyring.h"
#include "keytype.h"
#include "main.h"
#include "sa.h"

#define SKAP_AEAD_NAME "rfc4106(gcm(aes))"
#define SKAP_AEAD_ICV_BITS 128
#define SKAP_SALT_LEN 4
#define SKAP_SALT_LABEL "skap1 esp salt"
#define SKAP_REPLAY_WINDOW 32

/* The AEAD key: the 256-bit key, then the salt, from the key's payload. */
static struct xfrm_algo_aead *skap_sa_aead(struct key *key, u32 *spi, u8 *dir,
					   time64_t *expiry)
{
	u8 buf[sizeof(SKAP_SALT_LABEL) - 1 + SKAP_KEY_LEN];
	u8 digest[SHA256_DIGEST_SIZE];
	struct xfrm_algo_aead *aead;
	const struct skap_key *sk;
	int ret = 0;

	aead = kzalloc(sizeof(*aead) + SKAP_KEY_LEN + SKAP_SALT_LEN, GFP_KERNEL);
	if (!aead)
		return ERR_PTR(-ENOMEM);

	down_read(&key->sem);
	ret = key_validate(key);
	sk = dereference_key_locked(key);
	if (!ret && !sk)
		ret = -EKEYREVOKED;
	if (!ret) {
		memcpy(buf, SKAP_SALT_LABEL, sizeof(SKAP_SALT_LABEL) - 1);
		memcpy(buf + sizeof(SKAP_SALT_LABEL) - 1, sk->p.key, SKAP_KEY_LEN);
		memcpy(aead->alg_key, sk->p.key, SKAP_KEY_LEN);
		*spi = be32_to_cpu(sk->p.spi);
		*dir = sk->p.dir;
		*expiry = (time64_t)be64_to_cpu(sk->p.expiry);
	}
	up_read(&key->sem);
	if (ret) {
		kfree_sensitive(aead);
		return ERR_PTR(ret);
	}

	sha256(buf, sizeof(buf), digest);
	memcpy(aead->alg_key + SKAP_KEY_LEN, digest, SKAP_SALT_LEN);
	memzero_explicit(buf, sizeof(buf));
	memzero_explicit(digest, sizeof(digest));

	strscpy(aead->alg_name, SKAP_AEAD_NAME, sizeof(aead->alg_name));
	aead->alg_key_len = (SKAP_KEY_LEN + SKAP_SALT_LEN) * 8;
	aead->alg_icv_len = SKAP_AEAD_ICV_BITS;
	return aead;
}

/* The hard time limit never outlives the key. */
static int skap_sa_cap_lifetime(struct xfrm_lifetime_cfg *lft, time64_t expiry,
				struct netlink_ext_ack *extack)
{
	time64_t left;

	if (!expiry)
		return 0;
	left = expiry - ktime_get_real_seconds();
	if (left <= 0) {
		NL_SET_ERR_MSG(extack, "the key has expired");
		return -EKEYEXPIRED;
	}
	if (!lft->hard_add_expires_seconds || lft->hard_add_expires_seconds > left)
		lft->hard_add_expires_seconds = left;
	if (lft->soft_add_expires_seconds >= lft->hard_add_expires_seconds)
		lft->soft_add_expires_seconds = 0;
	return 0;
}

static void skap_sa_free(struct skap_sa *sa)
{
	key_put(sa->key);
	xfrm_state_put(sa->x);
	kfree_rcu(sa, rcu);
}

/* Forget @sa (and delete its state if it is still there). Under sn->lock. */
static void skap_sa_remove(struct skap_net *sn, struct skap_sa *sa)
{
	struct km_event c = { .event = XFRM_MSG_DELSA, .net = sn->net };

	if (!xfrm_state_delete(sa->x))
		km_state_notify(sa->x, &c);
	hash_del_rcu(&sa->node);
	xa_erase(&sn->sas, sa->id);
	sn->nsas--;
	skap_changed(sn);
	skap_sa_free(sa);
}

int skap_sa_add(struct skap_net *sn, const struct skap_sa_params *p,
		struct netlink_ext_ack *extack)
{
	struct xfrm_algo_desc *algo;
	struct xfrm_algo_aead *aead;
	struct xfrm_state *x;
	struct skap_sa *sa;
	struct km_event c;
	time64_t expiry;
	struct key *key;
	u32 spi;
	u8 dir;
	int ret;

	lockdep_assert_held(&sn->lock);

	key = skap_keyring_get_key(sn, p->key, extack);
	if (IS_ERR(key))
		return PTR_ERR(key);

	aead = skap_sa_aead(key, &spi, &dir, &expiry);
	if (IS_ERR(aead)) {
		ret = PTR_ERR(aead);
		if (ret != -ENOMEM)
			NL_SET_ERR_MSG(extack, "the key is revoked or expired");
		goto err_key;
	}
	if (p->has_spi && p->spi != spi) {
		NL_SET_ERR_MSG(extack, "SKAP_A_SPI is not the key's SPI");
		ret = -EINVAL;
		goto err_aead;
	}

	/* Probing asks the crypto API each time; once available it is known. */
	algo = xfrm_aead_get_byname(SKAP_AEAD_NAME, SKAP_AEAD_ICV_BITS, 0);
	if (!algo)
		algo = xfrm_aead_get_byname(SKAP_AEAD_NAME, SKAP_AEAD_ICV_BITS, 1);
	if (!algo) {
		NL_SET_ERR_MSG(extack, "rfc4106(gcm(aes)) is not available");
		ret = -EOPNOTSUPP;
		goto err_aead;
	}

	sa = kzalloc(sizeof(*sa), GFP_KERNEL);
	if (!sa) {
		ret = -ENOMEM;
		goto err_aead;
	}

	x = xfrm_state_alloc(sn->net);
	if (!x) {
		ret = -ENOMEM;
		goto err_sa;
	}
	x->id.daddr = p->dst;
	x->id.spi = htonl(spi);
	x->id.proto = IPPROTO_ESP;
	x->sel = p->sel;
	x->lft = p->lft;
	ret = skap_sa_cap_lifetime(&x->lft, expiry, extack);
	if (ret)
		goto err_state;
	x->props.mode = p->mode;
	x->props.replay_window = SKAP_REPLAY_WINDOW;
	x->props.reqid = p->reqid;
	x->props.family = p->family;
	x->props.saddr = p->src;
	x->props.ealgo = algo->desc.sadb_alg_id;
	x->geniv = algo->uinfo.aead.geniv;
	x->aead = aead;
	aead = NULL;
	x->mark = p->mark;
	x->if_id = p->if_id;

	ret = __xfrm_init_state(x, false, false, extack);
	if (ret)
		goto err_state;
	x->replay_maxdiff = sn->net->xfrm.sysctl_aevent_rseqth;
	x->replay_maxage = (sn->net->xfrm.sysctl_aevent_etime * HZ) / XFRM_AE_ETH_M;
	ret = xfrm_init_replay(x, extack);
	if (ret)
		goto err_state;

	sa->x = x;
	sa->key = key;
	sa->serial = key->serial;
	sa->dir = dir;
	ret = xa_alloc_cyclic(&sn->sas, &sa->id, sa, xa_limit_32b, &sn->next_sa,
			      GFP_KERNEL);
	if (ret < 0)
		goto err_state;
	hash_add_rcu(sn->sa_hash, &sa->node, hash_ptr(x, 32));

	/*
	 * As in xfrm_user, the allocation's reference goes to the state table
	 * (xfrm_state_delete() drops it); this one is the module's.
	 */
	xfrm_state_hold(x);
	ret = xfrm_state_add(x);
	if (ret) {
		if (ret == -EEXIST)
			NL_SET_ERR_MSG(extack, "an SA with this destination and SPI exists");
		hash_del_rcu(&sa->node);
		xa_erase(&sn->sas, sa->id);
		xfrm_state_put(x);
		x->km.state = XFRM_STATE_DEAD;
		xfrm_state_put(x);
		/* The key manager may be looking at it. */
		kfree_rcu(sa, rcu);
		key_put(key);
		return ret;
	}
	/* As xfrm_user: the state is usable once it is in the table. */
	if (x->km.state == XFRM_STATE_VOID)
		x->km.state = XFRM_STATE_VALID;
	sn->nsas++;
	skap_changed(sn);
	skap_reap_later(sn);

	c = (struct km_event){ .event = XFRM_MSG_NEWSA, .net = sn->net };
	km_state_notify(x, &c);
	return 0;

err_state:
	x->km.state = XFRM_STATE_DEAD;
	xfrm_state_put(x);
err_sa:
	kfree(sa);
err_aead:
	kfree_sensitive(aead);
err_key:
	key_put(key);
	return ret;
}

struct skap_sa *skap_sa_lookup_rcu(struct skap_net *sn,
				   const struct xfrm_state *x)
{
	struct skap_sa *sa;

	hash_for_each_possible_rcu(sn->sa_hash, sa, node, hash_ptr(x, 32)) {
		if (sa->x == x)
			return sa;
	}
	return NULL;
}

int skap_sa_del(struct skap_net *sn, u16 family, const xfrm_address_t *dst,
		u32 spi, u32 mark, struct netlink_ext_ack *extack)
{
	struct xfrm_state *x;
	struct skap_sa *sa;

	lockdep_assert_held(&sn->lock);

	x = xfrm_state_lookup(sn->net, mark, dst, htonl(spi), IPPROTO_ESP, family);
	if (!x) {
		NL_SET_ERR_MSG(extack, "no SA with this destination and SPI");
		return -ENOENT;
	}
	rcu_read_lock();
	sa = skap_sa_lookup_rcu(sn, x);
	rcu_read_unlock();
	xfrm_state_put(x);
	if (!sa) {
		NL_SET_ERR_MSG(extack, "the SA with this destination and SPI is not skap's");
		return -ENOENT;
	}
	skap_sa_remove(sn, sa);
	return 0;
}

void skap_sa_flush(struct skap_net *sn)
{
	struct skap_sa *sa;
	unsigned long id;

	lockdep_assert_held(&sn->lock);
	xa_for_each(&sn->sas, id, sa)
		skap_sa_remove(sn, sa);
}

/* Forget states that died (expired, deleted by someone) and revoked keys. */
void skap_sa_reap(struct skap_net *sn)
{
	struct skap_sa *sa;
	unsigned long id;

	lockdep_assert_held(&sn->lock);
	xa_for_each(&sn->sas, id, sa) {
		if (sa->x->km.state == XFRM_STATE_DEAD || key_validate(sa->key))
			skap_sa_remove(sn, sa);
	}
}

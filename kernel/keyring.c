// SPDX-License-Identifier: GPL-2.0
/*
 * One ".skap" keyring per network namespace, made by the module the way
 * net/dns_resolver makes its keyring: owned by root (of the user namespace
 * that owns the network namespace), not in anyone's quota, visible in
 * /proc/keys and with keyctl to that root. Its restriction lets in
 * only "skap" keys, and only from a process with CAP_NET_ADMIN in the user
 * namespace that owns the network namespace.
 */

#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/err.h>
#include <linux/slab.h>
#include <linux/user_namespace.h>
#include <keys/keyring-type.h>

#include "keyring.h"
#include "keytype.h"
#include "main.h"

static const struct cred *skap_cred;

static int skap_keyring_restrict(struct key *keyring,
				 const struct key_type *type,
				 const union key_payload *payload,
				 struct key *restriction_key)
{
	struct user_namespace *user_ns = NULL;
	struct skap_net *sn;
	bool ok;

	if (type != &skap_key_type)
		return -EPERM;

	rcu_read_lock();
	sn = skap_net_by_keyring(keyring);
	if (sn)
		user_ns = get_user_ns(sn->net->user_ns);
	rcu_read_unlock();
	if (!user_ns)
		return -EPERM;
	ok = ns_capable(user_ns, CAP_NET_ADMIN);
	put_user_ns(user_ns);
	return ok ? 0 : -EPERM;
}

int skap_keyring_create(struct skap_net *sn)
{
	struct user_namespace *user_ns = sn->net->user_ns;
	struct key_restriction *restrict_link;
	kuid_t uid = make_kuid(user_ns, 0);
	kgid_t gid = make_kgid(user_ns, 0);
	struct key *keyring;

	/*
	 * Owned by the root of the user namespace that owns the network
	 * namespace or, when that has no mapping yet (unshare(CLONE_NEWUSER |
	 * CLONE_NEWNET) comes before the uid_map), by its creator, whom root
	 * in it usually maps to. GLOBAL_ROOT_UID in the initial namespace.
	 */
	if (!uid_valid(uid) || !gid_valid(gid)) {
		uid = user_ns->owner;
		gid = user_ns->group;
	}

	/* Freed by the keyring when it is destroyed. */
	restrict_link = kzalloc(sizeof(*restrict_link), GFP_KERNEL);
	if (!restrict_link)
		return -ENOMEM;
	restrict_link->check = skap_keyring_restrict;

	keyring = keyring_alloc(SKAP_KEYRING_NAME, uid, gid, skap_cred,
				KEY_POS_VIEW | KEY_POS_READ | KEY_POS_WRITE |
				KEY_POS_SEARCH | KEY_USR_VIEW | KEY_USR_READ |
				KEY_USR_WRITE | KEY_USR_SEARCH,
				KEY_ALLOC_NOT_IN_QUOTA, restrict_link, NULL);
	if (IS_ERR(keyring)) {
		kfree(restrict_link);
		return PTR_ERR(keyring);
	}
	sn->keyring = keyring;
	return 0;
}

void skap_keyring_destroy(struct skap_net *sn)
{
	key_revoke(sn->keyring);
	key_put(sn->keyring);
	sn->keyring = NULL;
}

/*
 * The key @serial, referenced, if it is a valid "skap" key linked in the
 * namespace's keyring. Its description finds it there: descriptions are
 * unique per keyring and type.
 */
struct key *skap_keyring_get_key(struct skap_net *sn, key_serial_t serial,
				 struct netlink_ext_ack *extack)
{
	key_ref_t ref, found;
	struct key *key;
	int ret;

	ref = lookup_user_key(serial, 0, KEY_DEFER_PERM_CHECK);
	if (IS_ERR(ref)) {
		NL_SET_ERR_MSG(extack, "no such key");
		return ERR_CAST(ref);
	}
	key = key_ref_to_ptr(ref);
	if (key->type != &skap_key_type) {
		NL_SET_ERR_MSG(extack, "the key is not of type skap");
		ret = -ENOKEY;
		goto err;
	}
	ret = key_validate(key);
	if (ret) {
		NL_SET_ERR_MSG(extack, "the key is revoked or expired");
		goto err;
	}
	found = keyring_search(make_key_ref(sn->keyring, true), &skap_key_type,
			       key->description, false);
	if (IS_ERR(found) || key_ref_to_ptr(found) != key) {
		if (!IS_ERR(found))
			key_ref_put(found);
		NL_SET_ERR_MSG(extack, "the key is not in this namespace's skap keyring");
		ret = -ENOKEY;
		goto err;
	}
	key_ref_put(found);
	return key;
err:
	key_ref_put(ref);
	return ERR_PTR(ret);
}

int skap_keyring_init(void)
{
	struct cred *cred;

	cred = prepare_kernel_cred(NULL);
	if (!cred)
		return -ENOMEM;
	skap_cred = cred;
	return 0;
}

void skap_keyring_exit(void)
{
	put_cred(skap_cred);
	skap_cred = NULL;
}

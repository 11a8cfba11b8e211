// SPDX-License-Identifier: GPL-2.0
/*
 * Link configuration to xfrm policies through skap.ko
 * (include/skap/policy_sync.h).
 *
 * Reconciliation: dump what the module holds, keep every policy that is
 * exactly wanted, replace in one step a policy whose slot (direction,
 * selector, marks) is still wanted with other contents, delete the rest,
 * add what is missing. A changed link never has a moment without its
 * policy, when its traffic would leave in clear.
 */

#include <skap/policy_sync.h>

#include <linux/skap.h>

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

uint32_t skap_link_reqid(const char *link_name)
{
	uint32_t h = 2166136261u;

	for (const unsigned char *p = (const unsigned char *)link_name; *p; p++)
		h = (h ^ *p) * 16777619u;
	/* Away from 0 (any) and from small reqids an administrator may use by hand. */
	return (h & 0x3fffffff) | 0x40000000;
}

static void fill(struct skap_policy *p, const struct skap_link_config *l, uint8_t dir,
		 const struct skap_prefix *src, const struct skap_prefix *dst,
		 const struct skap_endpoint *outer_src, const struct skap_endpoint *outer_dst)
{
	memset(p, 0, sizeof(*p));
	p->family = src->family;
	p->dir = dir;
	p->sel.src = *src;
	p->sel.dst = *dst;
	p->mode = l->mode == SKAP_LINK_TUNNEL ? SKAP_MODE_TUNNEL : SKAP_MODE_TRANSPORT;
	if (l->mode == SKAP_LINK_TUNNEL) {
		p->has_addrs = true;
		memcpy(p->src, outer_src->addr, sizeof(p->src));
		memcpy(p->dst, outer_dst->addr, sizeof(p->dst));
	}
	p->reqid = skap_link_reqid(l->name);
	/* The more specific selector wins (xfrm: lower value, higher priority). */
	p->priority = 0x10000 - (uint32_t)(src->len + dst->len);
}

int skap_link_policies(const struct skap_link_config *l, struct skap_policy *out, size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < l->n_local_sel; i++) {
		for (size_t j = 0; j < l->n_remote_sel; j++) {
			const struct skap_prefix *loc = &l->local_sel[i], *rem = &l->remote_sel[j];
			size_t need = l->mode == SKAP_LINK_TUNNEL ? 3 : 2;

			if (max - n < need)
				return -ENOSPC;
			fill(&out[n++], l, SKAP_POLICY_OUT, loc, rem, &l->local, &l->peer);
			fill(&out[n++], l, SKAP_POLICY_IN, rem, loc, &l->peer, &l->local);
			if (l->mode == SKAP_LINK_TUNNEL)
				fill(&out[n++], l, SKAP_POLICY_FWD, rem, loc, &l->peer, &l->local);
		}
	}
	return (int)n;
}

static bool same_prefix(const struct skap_prefix *a, const struct skap_prefix *b)
{
	return a->len == b->len && !memcmp(a->addr, b->addr, sizeof(a->addr));
}

/*
 * Whether HAVE and WANT take the same slot: the kernel allows one policy per
 * direction, selector and marks, so a changed policy replaces the old one there.
 */
static bool same_slot(const struct skap_policy *have, const struct skap_policy *want)
{
	return have->family == want->family && have->dir == want->dir &&
	       same_prefix(&have->sel.src, &want->sel.src) &&
	       same_prefix(&have->sel.dst, &want->sel.dst) && have->sel.proto == want->sel.proto &&
	       have->sel.sport == want->sel.sport && have->sel.dport == want->sel.dport &&
	       have->has_mark == want->has_mark &&
	       (!want->has_mark || (have->mark == want->mark && have->mark_mask == want->mark_mask)) &&
	       have->if_id == want->if_id;
}

/* Whether the module's policy HAVE is exactly the wanted WANT. */
static bool same_policy(const struct skap_policy *have, const struct skap_policy *want)
{
	return same_slot(have, want) && have->mode == want->mode &&
	       have->has_addrs == want->has_addrs &&
	       (!want->has_addrs || (!memcmp(have->src, want->src, sizeof(have->src)) &&
				     !memcmp(have->dst, want->dst, sizeof(have->dst)))) &&
	       have->reqid == want->reqid && have->priority == want->priority &&
	       have->spi == want->spi;
}

struct policy_list {
	struct skap_policy *items;
	size_t n, cap;
	bool *matched;
};

static int collect(const struct skap_policy *p, void *arg)
{
	struct policy_list *l = arg;

	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 64;
		struct skap_policy *grown = realloc(l->items, cap * sizeof(*grown));

		if (!grown)
			return -ENOMEM;
		l->items = grown;
		l->cap = cap;
	}
	l->items[l->n++] = *p;
	return 0;
}

/* Every policy CFG wants, in one array. */
static int wanted_policies(const struct skap_daemon_config *cfg, struct policy_list *want)
{
	for (size_t i = 0; i < cfg->n_links; i++) {
		const struct skap_link_config *l = &cfg->links[i];
		size_t need = l->n_local_sel * l->n_remote_sel * 3;
		int n;

		if (want->cap - want->n < need) {
			size_t cap = want->n + need + 64;
			struct skap_policy *grown = realloc(want->items, cap * sizeof(*grown));

			if (!grown)
				return -ENOMEM;
			want->items = grown;
			want->cap = cap;
		}
		n = skap_link_policies(l, want->items + want->n, want->cap - want->n);
		if (n < 0)
			return n;
		want->n += (size_t)n;
	}
	return 0;
}

struct sa_list {
	struct skap_sa *items;
	size_t n, cap;
};

static int collect_sa(const struct skap_sa *sa, void *arg)
{
	struct sa_list *l = arg;

	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 64;
		struct skap_sa *grown = realloc(l->items, cap * sizeof(*grown));

		if (!grown)
			return -ENOMEM;
		l->items = grown;
		l->cap = cap;
	}
	l->items[l->n++] = *sa;
	return 0;
}

static bool reqid_configured(const struct skap_daemon_config *cfg, uint32_t reqid)
{
	for (size_t i = 0; i < cfg->n_links; i++)
		if (skap_link_reqid(cfg->links[i].name) == reqid)
			return true;
	return false;
}

static int remove_orphan_sas(struct skap_kmod *km, const struct skap_daemon_config *cfg,
			     struct skap_sync_stats *stats, struct skap_kmod_error *err)
{
	struct sa_list sas = { 0 };
	int ret;

	for (int attempt = 0;; attempt++) {
		sas.n = 0;
		ret = skap_kmod_dump_sas(km, collect_sa, &sas, err);
		if (ret != -EAGAIN || attempt == 3)
			break;
	}
	for (size_t i = 0; !ret && i < sas.n; i++) {
		if (reqid_configured(cfg, sas.items[i].reqid))
			continue;
		ret = skap_kmod_del_sa(km, sas.items[i].family, sas.items[i].dst, sas.items[i].spi,
				       err);
		if (ret == -ENOENT)
			ret = 0; /* expired meanwhile */
		else if (!ret)
			stats->sas_removed++;
	}
	free(sas.items);
	return ret;
}

int skap_policy_sync(struct skap_kmod *km, const struct skap_daemon_config *cfg,
		     struct skap_sync_stats *stats, struct skap_kmod_error *err)
{
	struct policy_list have = { 0 }, want = { 0 };
	int ret;

	memset(stats, 0, sizeof(*stats));
	for (int attempt = 0;; attempt++) {
		have.n = 0;
		ret = skap_kmod_dump_policies(km, collect, &have, err);
		if (ret != -EAGAIN || attempt == 3)
			break;
	}
	if (ret)
		goto out;
	ret = wanted_policies(cfg, &want);
	if (ret)
		goto out;
	want.matched = calloc(want.n ? want.n : 1, sizeof(*want.matched));
	if (!want.matched) {
		ret = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < have.n; i++) {
		bool keep = false;

		for (size_t j = 0; j < want.n && !keep; j++) {
			if (!want.matched[j] && same_policy(&have.items[i], &want.items[j])) {
				want.matched[j] = true;
				keep = true;
			}
		}
		if (keep) {
			stats->kept++;
			continue;
		}
		for (size_t j = 0; j < want.n && !keep; j++) {
			uint32_t index;

			if (want.matched[j] || !same_slot(&have.items[i], &want.items[j]))
				continue;
			ret = skap_kmod_replace_policy(km, &want.items[j], &index, err);
			if (ret)
				goto out;
			want.matched[j] = true;
			keep = true;
			stats->replaced++;
		}
		if (keep)
			continue;
		ret = skap_kmod_del_policy(km, have.items[i].dir, have.items[i].index, err);
		if (ret && ret != -ENOENT)
			goto out;
		stats->removed++;
	}
	for (size_t j = 0; j < want.n; j++) {
		uint32_t index;

		if (want.matched[j])
			continue;
		ret = skap_kmod_new_policy(km, &want.items[j], &index, err);
		if (ret)
			goto out;
		stats->added++;
	}
	ret = remove_orphan_sas(km, cfg, stats, err);
out:
	free(have.items);
	free(want.items);
	free(want.matched);
	return ret;
}

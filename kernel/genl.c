// SPDX-License-Identifier: GPL-2.0
/*
 * The generic netlink family "skap" (the manual is include/uapi/linux/skap.h):
 * attribute policies, parsing into the parameters sa.c and policy.c take,
 * the replies, the dumps and the events. Every command needs CAP_NET_ADMIN in
 * the namespace's user namespace; every attribute goes through a policy and
 * every refusal carries an extended ACK message.
 */

#include <linux/in.h>
#include <linux/in6.h>
#include <linux/key.h>
#include <linux/socket.h>
#include <net/genetlink.h>
#include <net/xfrm.h>
#include <uapi/linux/skap.h>

#include "genl.h"
#include "main.h"
#include "policy.h"
#include "sa.h"

#define SKAP_ADDR_POLICY { .type = NLA_BINARY, .len = sizeof(struct in6_addr) }

static const struct nla_policy skap_sel_policy[SKAP_SEL_MAX + 1] = {
	[SKAP_SEL_SRC] = SKAP_ADDR_POLICY,
	[SKAP_SEL_DST] = SKAP_ADDR_POLICY,
	[SKAP_SEL_SRC_PLEN] = NLA_POLICY_MAX(NLA_U8, 128),
	[SKAP_SEL_DST_PLEN] = NLA_POLICY_MAX(NLA_U8, 128),
	[SKAP_SEL_PROTO] = { .type = NLA_U8 },
	[SKAP_SEL_SPORT] = { .type = NLA_U16 },
	[SKAP_SEL_DPORT] = { .type = NLA_U16 },
};

static const struct nla_policy skap_lft_policy[SKAP_LFT_MAX + 1] = {
	[SKAP_LFT_SOFT_BYTES] = { .type = NLA_U64 },
	[SKAP_LFT_HARD_BYTES] = { .type = NLA_U64 },
	[SKAP_LFT_SOFT_PACKETS] = { .type = NLA_U64 },
	[SKAP_LFT_HARD_PACKETS] = { .type = NLA_U64 },
	[SKAP_LFT_SOFT_SECONDS] = { .type = NLA_U64 },
	[SKAP_LFT_HARD_SECONDS] = { .type = NLA_U64 },
};

static const struct nla_policy skap_new_sa_policy[SKAP_A_MAX + 1] = {
	[SKAP_A_KEY] = NLA_POLICY_MIN(NLA_S32, 1),
	[SKAP_A_FAMILY] = { .type = NLA_U16 },
	[SKAP_A_SRC] = SKAP_ADDR_POLICY,
	[SKAP_A_DST] = SKAP_ADDR_POLICY,
	[SKAP_A_SPI] = NLA_POLICY_MIN(NLA_U32, 256),
	[SKAP_A_MODE] = NLA_POLICY_MAX(NLA_U8, SKAP_MODE_TUNNEL),
	[SKAP_A_REQID] = { .type = NLA_U32 },
	[SKAP_A_SEL] = NLA_POLICY_NESTED(skap_sel_policy),
	[SKAP_A_LIFETIME] = NLA_POLICY_NESTED(skap_lft_policy),
	[SKAP_A_MARK] = { .type = NLA_U32 },
	[SKAP_A_MARK_MASK] = { .type = NLA_U32 },
	[SKAP_A_IF_ID] = { .type = NLA_U32 },
};

static const struct nla_policy skap_del_sa_policy[SKAP_A_MAX + 1] = {
	[SKAP_A_FAMILY] = { .type = NLA_U16 },
	[SKAP_A_DST] = SKAP_ADDR_POLICY,
	[SKAP_A_SPI] = NLA_POLICY_MIN(NLA_U32, 256),
	[SKAP_A_MARK] = { .type = NLA_U32 },
};

static const struct nla_policy skap_new_pol_policy[SKAP_A_MAX + 1] = {
	[SKAP_A_FAMILY] = { .type = NLA_U16 },
	[SKAP_A_DIR] = NLA_POLICY_MAX(NLA_U8, SKAP_POLICY_FWD),
	[SKAP_A_SEL] = NLA_POLICY_NESTED(skap_sel_policy),
	[SKAP_A_MODE] = NLA_POLICY_MAX(NLA_U8, SKAP_MODE_TUNNEL),
	[SKAP_A_SRC] = SKAP_ADDR_POLICY,
	[SKAP_A_DST] = SKAP_ADDR_POLICY,
	[SKAP_A_REQID] = { .type = NLA_U32 },
	[SKAP_A_SPI] = { .type = NLA_U32 },
	[SKAP_A_PRIORITY] = { .type = NLA_U32 },
	[SKAP_A_MARK] = { .type = NLA_U32 },
	[SKAP_A_MARK_MASK] = { .type = NLA_U32 },
	[SKAP_A_IF_ID] = { .type = NLA_U32 },
	[SKAP_A_REPLACE] = { .type = NLA_FLAG },
};

static const struct nla_policy skap_del_pol_policy[SKAP_A_MAX + 1] = {
	[SKAP_A_DIR] = NLA_POLICY_MAX(NLA_U8, SKAP_POLICY_FWD),
	[SKAP_A_POLICY_INDEX] = { .type = NLA_U32 },
};

static const struct genl_multicast_group skap_genl_mcgrps[] = {
	{
		.name = SKAP_GENL_MCGRP_EVENTS,
#ifdef GENL_MCAST_CAP_NET_ADMIN
		.flags = GENL_MCAST_CAP_NET_ADMIN,
#else
		.flags = GENL_UNS_ADMIN_PERM,
#endif
	},
};

static struct genl_family skap_genl_family;

/*
 * True if the required attribute @attr is absent; the extended ACK then names
 * it, as a message and as the missing attribute type.
 */
#define SKAP_MISSING(info, attr) ({					\
	bool __missing = !(info)->attrs[attr];				\
	if (__missing) {						\
		GENL_REQ_ATTR_CHECK(info, attr);			\
		NL_SET_ERR_MSG((info)->extack, "missing " #attr);	\
	}								\
	__missing;							\
})

static unsigned int skap_addr_len(u16 family)
{
	return family == AF_INET ? sizeof(struct in_addr) : sizeof(struct in6_addr);
}

static bool skap_addr_any(const xfrm_address_t *a)
{
	return !a->a6[0] && !a->a6[1] && !a->a6[2] && !a->a6[3];
}

static int skap_get_family(struct genl_info *info, u16 *family)
{
	const struct nlattr *a = info->attrs[SKAP_A_FAMILY];

	if (SKAP_MISSING(info, SKAP_A_FAMILY))
		return -EINVAL;
	*family = nla_get_u16(a);
	if (*family != AF_INET && *family != AF_INET6) {
		NL_SET_ERR_MSG_ATTR(info->extack, a, "family must be AF_INET or AF_INET6");
		return -EAFNOSUPPORT;
	}
	return 0;
}

static int skap_get_addr(const struct nlattr *a, u16 family,
			 xfrm_address_t *addr, bool need_specified,
			 struct netlink_ext_ack *extack)
{
	memset(addr, 0, sizeof(*addr));
	if (nla_len(a) != skap_addr_len(family)) {
		NL_SET_ERR_MSG_ATTR(extack, a, "address length does not match the family");
		return -EINVAL;
	}
	memcpy(addr, nla_data(a), nla_len(a));
	if (need_specified && skap_addr_any(addr)) {
		NL_SET_ERR_MSG_ATTR(extack, a, "address must not be unspecified");
		return -EINVAL;
	}
	return 0;
}

static int skap_get_plen(struct nlattr **tb, int addr, int plen, u8 maxplen,
			 u8 *out, struct netlink_ext_ack *extack)
{
	*out = tb[addr] ? maxplen : 0;
	if (!tb[plen])
		return 0;
	*out = nla_get_u8(tb[plen]);
	if (*out > maxplen) {
		NL_SET_ERR_MSG_ATTR(extack, tb[plen], "prefix length too long for the family");
		return -EINVAL;
	}
	if (*out && !tb[addr]) {
		NL_SET_ERR_MSG_ATTR(extack, tb[plen], "prefix length without an address");
		return -EINVAL;
	}
	return 0;
}

static int skap_get_port(struct nlattr **tb, int type, u8 proto, __be16 *port,
			 __be16 *mask, struct netlink_ext_ack *extack)
{
	u16 p;

	*port = 0;
	*mask = 0;
	if (!tb[type])
		return 0;
	p = nla_get_u16(tb[type]);
	if (!p)
		return 0;
	if (proto != IPPROTO_TCP && proto != IPPROTO_UDP &&
	    proto != IPPROTO_SCTP && proto != IPPROTO_UDPLITE) {
		NL_SET_ERR_MSG_ATTR(extack, tb[type], "ports need protocol TCP, UDP, UDP-Lite or SCTP");
		return -EINVAL;
	}
	*port = htons(p);
	*mask = htons(0xffff);
	return 0;
}

static int skap_get_sel(const struct nlattr *nest, u16 family,
			struct xfrm_selector *sel, struct netlink_ext_ack *extack)
{
	u8 maxplen = family == AF_INET ? 32 : 128;
	struct nlattr *tb[SKAP_SEL_MAX + 1];
	int ret;

	memset(sel, 0, sizeof(*sel));
	sel->family = family;
	if (!nest)
		return 0;
	ret = nla_parse_nested(tb, SKAP_SEL_MAX, nest, skap_sel_policy, extack);
	if (ret)
		return ret;
	if (tb[SKAP_SEL_SRC]) {
		ret = skap_get_addr(tb[SKAP_SEL_SRC], family, &sel->saddr, false, extack);
		if (ret)
			return ret;
	}
	if (tb[SKAP_SEL_DST]) {
		ret = skap_get_addr(tb[SKAP_SEL_DST], family, &sel->daddr, false, extack);
		if (ret)
			return ret;
	}
	ret = skap_get_plen(tb, SKAP_SEL_SRC, SKAP_SEL_SRC_PLEN, maxplen,
			    &sel->prefixlen_s, extack);
	if (ret)
		return ret;
	ret = skap_get_plen(tb, SKAP_SEL_DST, SKAP_SEL_DST_PLEN, maxplen,
			    &sel->prefixlen_d, extack);
	if (ret)
		return ret;
	if (tb[SKAP_SEL_PROTO])
		sel->proto = nla_get_u8(tb[SKAP_SEL_PROTO]);
	ret = skap_get_port(tb, SKAP_SEL_SPORT, sel->proto, &sel->sport,
			    &sel->sport_mask, extack);
	if (ret)
		return ret;
	return skap_get_port(tb, SKAP_SEL_DPORT, sel->proto, &sel->dport,
			     &sel->dport_mask, extack);
}

static int skap_get_limit(struct nlattr **tb, int soft, int hard, u64 none,
			  u64 *soft_out, u64 *hard_out,
			  struct netlink_ext_ack *extack)
{
	*soft_out = tb[soft] ? nla_get_u64(tb[soft]) : none;
	*hard_out = tb[hard] ? nla_get_u64(tb[hard]) : none;
	if ((tb[soft] && (!*soft_out || *soft_out == XFRM_INF)) ||
	    (tb[hard] && (!*hard_out || *hard_out == XFRM_INF))) {
		NL_SET_ERR_MSG_ATTR(extack, tb[soft] ? tb[soft] : tb[hard],
				    "a limit must be positive and finite");
		return -EINVAL;
	}
	if (tb[soft] && tb[hard] && *soft_out >= *hard_out) {
		NL_SET_ERR_MSG_ATTR(extack, tb[soft], "a soft limit must be below its hard limit");
		return -EINVAL;
	}
	return 0;
}

static int skap_get_lft(const struct nlattr *nest, struct xfrm_lifetime_cfg *lft,
			struct netlink_ext_ack *extack)
{
	struct nlattr *tb[SKAP_LFT_MAX + 1] = {};
	int ret;

	if (nest) {
		ret = nla_parse_nested(tb, SKAP_LFT_MAX, nest, skap_lft_policy, extack);
		if (ret)
			return ret;
	}
	ret = skap_get_limit(tb, SKAP_LFT_SOFT_BYTES, SKAP_LFT_HARD_BYTES, XFRM_INF,
			     &lft->soft_byte_limit, &lft->hard_byte_limit, extack);
	if (ret)
		return ret;
	ret = skap_get_limit(tb, SKAP_LFT_SOFT_PACKETS, SKAP_LFT_HARD_PACKETS, XFRM_INF,
			     &lft->soft_packet_limit, &lft->hard_packet_limit, extack);
	if (ret)
		return ret;
	ret = skap_get_limit(tb, SKAP_LFT_SOFT_SECONDS, SKAP_LFT_HARD_SECONDS, 0,
			     &lft->soft_add_expires_seconds,
			     &lft->hard_add_expires_seconds, extack);
	if (ret)
		return ret;
	lft->soft_use_expires_seconds = 0;
	lft->hard_use_expires_seconds = 0;
	return 0;
}

static int skap_get_mark(struct genl_info *info, struct xfrm_mark *mark, u32 *if_id)
{
	struct nlattr **attrs = info->attrs;

	mark->v = 0;
	mark->m = 0;
	if (!attrs[SKAP_A_MARK] != !attrs[SKAP_A_MARK_MASK]) {
		NL_SET_ERR_MSG_ATTR(info->extack,
				    attrs[SKAP_A_MARK] ? attrs[SKAP_A_MARK] : attrs[SKAP_A_MARK_MASK],
				    "SKAP_A_MARK and SKAP_A_MARK_MASK go together");
		return -EINVAL;
	}
	if (attrs[SKAP_A_MARK]) {
		mark->v = nla_get_u32(attrs[SKAP_A_MARK]);
		mark->m = nla_get_u32(attrs[SKAP_A_MARK_MASK]);
	}
	*if_id = attrs[SKAP_A_IF_ID] ? nla_get_u32(attrs[SKAP_A_IF_ID]) : 0;
	return 0;
}

static u8 skap_xfrm_mode(u8 mode)
{
	return mode == SKAP_MODE_TUNNEL ? XFRM_MODE_TUNNEL : XFRM_MODE_TRANSPORT;
}

static u8 skap_uapi_mode(u8 mode)
{
	return mode == XFRM_MODE_TUNNEL ? SKAP_MODE_TUNNEL : SKAP_MODE_TRANSPORT;
}

static int skap_genl_get_info(struct sk_buff *skb, struct genl_info *info)
{
	struct skap_net *sn = skap_net(genl_info_net(info));
	struct sk_buff *msg;
	void *hdr;

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &skap_genl_family, 0, SKAP_CMD_GET_INFO);
	if (!hdr)
		goto nospace;

	mutex_lock(&sn->lock);
	skap_sa_reap(sn);
	skap_pol_reap(sn);
	if (nla_put_u32(msg, SKAP_A_VERSION, SKAP_GENL_VERSION) ||
	    nla_put_s32(msg, SKAP_A_KEYRING, sn->keyring->serial) ||
	    nla_put_u32(msg, SKAP_A_SA_COUNT, sn->nsas) ||
	    nla_put_u32(msg, SKAP_A_POLICY_COUNT, sn->npols)) {
		mutex_unlock(&sn->lock);
		goto nospace;
	}
	mutex_unlock(&sn->lock);
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);

nospace:
	nlmsg_free(msg);
	return -EMSGSIZE;
}

static int skap_genl_new_sa(struct sk_buff *skb, struct genl_info *info)
{
	struct skap_net *sn = skap_net(genl_info_net(info));
	struct nlattr **attrs = info->attrs;
	struct skap_sa_params p = {};
	int ret;

	if (SKAP_MISSING(info, SKAP_A_KEY) ||
	    SKAP_MISSING(info, SKAP_A_SRC) ||
	    SKAP_MISSING(info, SKAP_A_DST) ||
	    SKAP_MISSING(info, SKAP_A_MODE))
		return -EINVAL;
	ret = skap_get_family(info, &p.family);
	if (ret)
		return ret;
	p.key = nla_get_s32(attrs[SKAP_A_KEY]);
	ret = skap_get_addr(attrs[SKAP_A_SRC], p.family, &p.src, true, info->extack);
	if (ret)
		return ret;
	ret = skap_get_addr(attrs[SKAP_A_DST], p.family, &p.dst, true, info->extack);
	if (ret)
		return ret;
	p.mode = skap_xfrm_mode(nla_get_u8(attrs[SKAP_A_MODE]));
	if (attrs[SKAP_A_SPI]) {
		p.has_spi = true;
		p.spi = nla_get_u32(attrs[SKAP_A_SPI]);
	}
	if (attrs[SKAP_A_REQID])
		p.reqid = nla_get_u32(attrs[SKAP_A_REQID]);
	ret = skap_get_sel(attrs[SKAP_A_SEL], p.family, &p.sel, info->extack);
	if (ret)
		return ret;
	ret = skap_get_lft(attrs[SKAP_A_LIFETIME], &p.lft, info->extack);
	if (ret)
		return ret;
	ret = skap_get_mark(info, &p.mark, &p.if_id);
	if (ret)
		return ret;

	mutex_lock(&sn->lock);
	ret = skap_sa_add(sn, &p, info->extack);
	mutex_unlock(&sn->lock);
	return ret;
}

static int skap_genl_del_sa(struct sk_buff *skb, struct genl_info *info)
{
	struct skap_net *sn = skap_net(genl_info_net(info));
	struct nlattr **attrs = info->attrs;
	xfrm_address_t dst;
	u32 mark = 0;
	u16 family;
	int ret;

	if (SKAP_MISSING(info, SKAP_A_DST) ||
	    SKAP_MISSING(info, SKAP_A_SPI))
		return -EINVAL;
	ret = skap_get_family(info, &family);
	if (ret)
		return ret;
	ret = skap_get_addr(attrs[SKAP_A_DST], family, &dst, true, info->extack);
	if (ret)
		return ret;
	if (attrs[SKAP_A_MARK])
		mark = nla_get_u32(attrs[SKAP_A_MARK]);

	mutex_lock(&sn->lock);
	ret = skap_sa_del(sn, family, &dst, nla_get_u32(attrs[SKAP_A_SPI]), mark,
			  info->extack);
	mutex_unlock(&sn->lock);
	return ret;
}

static int skap_genl_new_policy(struct sk_buff *skb, struct genl_info *info)
{
	struct skap_net *sn = skap_net(genl_info_net(info));
	struct nlattr **attrs = info->attrs;
	struct skap_pol_params p = {};
	struct sk_buff *msg;
	u32 index = 0;
	void *hdr;
	int ret;

	if (SKAP_MISSING(info, SKAP_A_DIR) ||
	    SKAP_MISSING(info, SKAP_A_SEL) ||
	    SKAP_MISSING(info, SKAP_A_MODE))
		return -EINVAL;
	ret = skap_get_family(info, &p.family);
	if (ret)
		return ret;
	p.dir = nla_get_u8(attrs[SKAP_A_DIR]);
	p.mode = skap_xfrm_mode(nla_get_u8(attrs[SKAP_A_MODE]));
	if (p.mode == XFRM_MODE_TUNNEL &&
	    (SKAP_MISSING(info, SKAP_A_SRC) ||
	     SKAP_MISSING(info, SKAP_A_DST)))
		return -EINVAL;
	if (attrs[SKAP_A_SRC]) {
		ret = skap_get_addr(attrs[SKAP_A_SRC], p.family, &p.src,
				    p.mode == XFRM_MODE_TUNNEL, info->extack);
		if (ret)
			return ret;
	}
	if (attrs[SKAP_A_DST]) {
		ret = skap_get_addr(attrs[SKAP_A_DST], p.family, &p.dst,
				    p.mode == XFRM_MODE_TUNNEL, info->extack);
		if (ret)
			return ret;
	}
	ret = skap_get_sel(attrs[SKAP_A_SEL], p.family, &p.sel, info->extack);
	if (ret)
		return ret;
	if (attrs[SKAP_A_REQID])
		p.reqid = nla_get_u32(attrs[SKAP_A_REQID]);
	if (attrs[SKAP_A_SPI])
		p.spi = nla_get_u32(attrs[SKAP_A_SPI]);
	if (attrs[SKAP_A_PRIORITY])
		p.priority = nla_get_u32(attrs[SKAP_A_PRIORITY]);
	ret = skap_get_mark(info, &p.mark, &p.if_id);
	if (ret)
		return ret;

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &skap_genl_family, 0, SKAP_CMD_NEW_POLICY);
	if (!hdr) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}

	mutex_lock(&sn->lock);
	ret = skap_pol_add(sn, &p, nla_get_flag(attrs[SKAP_A_REPLACE]),
			   &index, info->extack);
	mutex_unlock(&sn->lock);
	if (ret) {
		nlmsg_free(msg);
		return ret;
	}
	/* Cannot fail: two small attributes in a fresh NLMSG_GOODSIZE message. */
	if (nla_put_u8(msg, SKAP_A_DIR, p.dir) ||
	    nla_put_u32(msg, SKAP_A_POLICY_INDEX, index)) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}

static int skap_genl_del_policy(struct sk_buff *skb, struct genl_info *info)
{
	struct skap_net *sn = skap_net(genl_info_net(info));
	int ret;

	if (SKAP_MISSING(info, SKAP_A_DIR) ||
	    SKAP_MISSING(info, SKAP_A_POLICY_INDEX))
		return -EINVAL;
	mutex_lock(&sn->lock);
	ret = skap_pol_del(sn, nla_get_u8(info->attrs[SKAP_A_DIR]),
			   nla_get_u32(info->attrs[SKAP_A_POLICY_INDEX]),
			   info->extack);
	mutex_unlock(&sn->lock);
	return ret;
}

static int skap_genl_flush(struct sk_buff *skb, struct genl_info *info)
{
	struct skap_net *sn = skap_net(genl_info_net(info));

	mutex_lock(&sn->lock);
	skap_pol_flush(sn);
	skap_sa_flush(sn);
	mutex_unlock(&sn->lock);
	return 0;
}

static int skap_put_addr(struct sk_buff *skb, int type, u16 family,
			 const xfrm_address_t *a)
{
	return nla_put(skb, type, skap_addr_len(family), a);
}

static int skap_put_sel(struct sk_buff *skb, const struct xfrm_selector *sel,
			u16 family)
{
	struct nlattr *nest = nla_nest_start(skb, SKAP_A_SEL);

	if (!nest)
		return -EMSGSIZE;
	if ((sel->prefixlen_s &&
	     (skap_put_addr(skb, SKAP_SEL_SRC, family, &sel->saddr) ||
	      nla_put_u8(skb, SKAP_SEL_SRC_PLEN, sel->prefixlen_s))) ||
	    (sel->prefixlen_d &&
	     (skap_put_addr(skb, SKAP_SEL_DST, family, &sel->daddr) ||
	      nla_put_u8(skb, SKAP_SEL_DST_PLEN, sel->prefixlen_d))) ||
	    nla_put_u8(skb, SKAP_SEL_PROTO, sel->proto) ||
	    nla_put_u16(skb, SKAP_SEL_SPORT, ntohs(sel->sport)) ||
	    nla_put_u16(skb, SKAP_SEL_DPORT, ntohs(sel->dport))) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

static int skap_put_lft(struct sk_buff *skb, const struct xfrm_lifetime_cfg *lft)
{
	struct nlattr *nest = nla_nest_start(skb, SKAP_A_LIFETIME);

	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u64_64bit(skb, SKAP_LFT_SOFT_BYTES, lft->soft_byte_limit, SKAP_LFT_PAD) ||
	    nla_put_u64_64bit(skb, SKAP_LFT_HARD_BYTES, lft->hard_byte_limit, SKAP_LFT_PAD) ||
	    nla_put_u64_64bit(skb, SKAP_LFT_SOFT_PACKETS, lft->soft_packet_limit, SKAP_LFT_PAD) ||
	    nla_put_u64_64bit(skb, SKAP_LFT_HARD_PACKETS, lft->hard_packet_limit, SKAP_LFT_PAD) ||
	    nla_put_u64_64bit(skb, SKAP_LFT_SOFT_SECONDS, lft->soft_add_expires_seconds,
			      SKAP_LFT_PAD) ||
	    nla_put_u64_64bit(skb, SKAP_LFT_HARD_SECONDS, lft->hard_add_expires_seconds,
			      SKAP_LFT_PAD)) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

static int skap_put_stats(struct sk_buff *skb, u64 bytes, u64 packets,
			  u64 add_time, u64 use_time, u64 replay, u64 integrity)
{
	struct nlattr *nest = nla_nest_start(skb, SKAP_A_STATS);

	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u64_64bit(skb, SKAP_STATS_BYTES, bytes, SKAP_STATS_PAD) ||
	    nla_put_u64_64bit(skb, SKAP_STATS_PACKETS, packets, SKAP_STATS_PAD) ||
	    nla_put_u64_64bit(skb, SKAP_STATS_ADD_TIME, add_time, SKAP_STATS_PAD) ||
	    nla_put_u64_64bit(skb, SKAP_STATS_USE_TIME, use_time, SKAP_STATS_PAD) ||
	    nla_put_u64_64bit(skb, SKAP_STATS_REPLAY_ERRORS, replay, SKAP_STATS_PAD) ||
	    nla_put_u64_64bit(skb, SKAP_STATS_INTEGRITY_ERRORS, integrity,
			      SKAP_STATS_PAD)) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

static int skap_put_mark(struct sk_buff *skb, const struct xfrm_mark *mark,
			 u32 if_id)
{
	if ((mark->v || mark->m) &&
	    (nla_put_u32(skb, SKAP_A_MARK, mark->v) ||
	     nla_put_u32(skb, SKAP_A_MARK_MASK, mark->m)))
		return -EMSGSIZE;
	if (if_id && nla_put_u32(skb, SKAP_A_IF_ID, if_id))
		return -EMSGSIZE;
	return 0;
}

/* The SA's attributes; the caller holds a reference to sa->x. */
static int skap_put_sa(struct sk_buff *skb, const struct skap_sa *sa)
{
	struct xfrm_state *x = sa->x;
	u16 family = x->props.family;
	struct xfrm_lifetime_cur cur;
	u64 replay, integrity;

	spin_lock_bh(&x->lock);
	cur = x->curlft;
	replay = x->stats.replay;
	integrity = x->stats.integrity_failed;
	spin_unlock_bh(&x->lock);

	if (nla_put_s32(skb, SKAP_A_KEY, sa->serial) ||
	    nla_put_u16(skb, SKAP_A_FAMILY, family) ||
	    skap_put_addr(skb, SKAP_A_SRC, family, &x->props.saddr) ||
	    skap_put_addr(skb, SKAP_A_DST, family, &x->id.daddr) ||
	    nla_put_u32(skb, SKAP_A_SPI, ntohl(x->id.spi)) ||
	    nla_put_u8(skb, SKAP_A_MODE, skap_uapi_mode(x->props.mode)) ||
	    nla_put_u32(skb, SKAP_A_REQID, x->props.reqid) ||
	    nla_put_u8(skb, SKAP_A_DIR, sa->dir) ||
	    skap_put_sel(skb, &x->sel, family) ||
	    skap_put_lft(skb, &x->lft) ||
	    skap_put_mark(skb, &x->mark, x->if_id) ||
	    skap_put_stats(skb, cur.bytes, cur.packets, cur.add_time,
			   cur.use_time, replay, integrity))
		return -EMSGSIZE;
	return 0;
}

static int skap_put_pol(struct sk_buff *skb, const struct skap_pol *pol)
{
	const struct xfrm_policy *xp = pol->xp;
	const struct xfrm_tmpl *t = &xp->xfrm_vec[0];
	u16 family = xp->family;

	if (nla_put_u16(skb, SKAP_A_FAMILY, family) ||
	    nla_put_u8(skb, SKAP_A_DIR, pol->dir) ||
	    nla_put_u32(skb, SKAP_A_POLICY_INDEX, xp->index) ||
	    nla_put_u32(skb, SKAP_A_PRIORITY, xp->priority) ||
	    skap_put_sel(skb, &xp->selector, family) ||
	    nla_put_u8(skb, SKAP_A_MODE, skap_uapi_mode(t->mode)) ||
	    (!skap_addr_any(&t->saddr) &&
	     skap_put_addr(skb, SKAP_A_SRC, family, &t->saddr)) ||
	    (!skap_addr_any(&t->id.daddr) &&
	     skap_put_addr(skb, SKAP_A_DST, family, &t->id.daddr)) ||
	    nla_put_u32(skb, SKAP_A_REQID, t->reqid) ||
	    nla_put_u32(skb, SKAP_A_SPI, ntohl(t->id.spi)) ||
	    skap_put_mark(skb, &xp->mark, xp->if_id) ||
	    skap_put_stats(skb, 0, 0, xp->curlft.add_time, xp->curlft.use_time,
			   0, 0))
		return -EMSGSIZE;
	return 0;
}

/*
 * Dumps: cb->args[0] is the creation number to resume from, so entries
 * removed between two parts of a dump make it neither skip nor repeat any.
 */
static int skap_genl_dump(struct sk_buff *skb, struct netlink_callback *cb,
			  bool sas)
{
	struct skap_net *sn = skap_net(sock_net(skb->sk));
	unsigned long id;
	void *entry;
	void *hdr;
	int ret;

	mutex_lock(&sn->lock);
	if (!cb->args[0]) {
		skap_sa_reap(sn);
		skap_pol_reap(sn);
	}
	cb->seq = sn->gen;
	xa_for_each_start(sas ? &sn->sas : &sn->policies, id, entry, cb->args[0]) {
		hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid,
				  cb->nlh->nlmsg_seq, &skap_genl_family,
				  NLM_F_MULTI,
				  sas ? SKAP_CMD_GET_SA : SKAP_CMD_GET_POLICY);
		if (!hdr)
			break;
		genl_dump_check_consistent(cb, hdr);
		ret = sas ? skap_put_sa(skb, entry) : skap_put_pol(skb, entry);
		if (ret) {
			genlmsg_cancel(skb, hdr);
			break;
		}
		genlmsg_end(skb, hdr);
		cb->args[0] = id + 1;
	}
	mutex_unlock(&sn->lock);
	return skb->len;
}

static int skap_genl_dump_sa(struct sk_buff *skb, struct netlink_callback *cb)
{
	return skap_genl_dump(skb, cb, true);
}

static int skap_genl_dump_policy(struct sk_buff *skb, struct netlink_callback *cb)
{
	return skap_genl_dump(skb, cb, false);
}

bool skap_genl_has_listeners(struct net *net)
{
	return genl_has_listeners(&skap_genl_family, net, 0);
}

int skap_genl_event_acquire(struct skap_net *sn, const struct skap_pol *pol,
			    const struct xfrm_state *x,
			    const struct xfrm_tmpl *t)
{
	const struct xfrm_policy *xp = pol->xp;
	u16 family = x->props.family;
	struct sk_buff *msg;
	void *hdr;

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_ATOMIC);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put(msg, 0, 0, &skap_genl_family, 0, SKAP_CMD_ACQUIRE);
	if (!hdr ||
	    nla_put_u16(msg, SKAP_A_FAMILY, family) ||
	    nla_put_u8(msg, SKAP_A_DIR, pol->dir) ||
	    nla_put_u32(msg, SKAP_A_POLICY_INDEX, xp->index) ||
	    skap_put_sel(msg, &xp->selector, xp->family) ||
	    skap_put_addr(msg, SKAP_A_SRC, family, &x->props.saddr) ||
	    skap_put_addr(msg, SKAP_A_DST, family, &x->id.daddr) ||
	    nla_put_u8(msg, SKAP_A_MODE, skap_uapi_mode(t->mode)) ||
	    nla_put_u32(msg, SKAP_A_REQID, t->reqid) ||
	    nla_put_u32(msg, SKAP_A_SEQ, x->km.seq)) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_multicast_netns(&skap_genl_family, sn->net, msg, 0, 0,
				       GFP_ATOMIC);
}

void skap_genl_event_expire(struct skap_net *sn, const struct skap_sa *sa,
			    bool hard)
{
	const struct xfrm_state *x = sa->x;
	u16 family = x->props.family;
	struct sk_buff *msg;
	void *hdr;

	if (!skap_genl_has_listeners(sn->net))
		return;
	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_ATOMIC);
	if (!msg)
		return;
	hdr = genlmsg_put(msg, 0, 0, &skap_genl_family, 0, SKAP_CMD_EXPIRE);
	if (!hdr ||
	    nla_put_s32(msg, SKAP_A_KEY, sa->serial) ||
	    nla_put_u16(msg, SKAP_A_FAMILY, family) ||
	    skap_put_addr(msg, SKAP_A_SRC, family, &x->props.saddr) ||
	    skap_put_addr(msg, SKAP_A_DST, family, &x->id.daddr) ||
	    nla_put_u32(msg, SKAP_A_SPI, ntohl(x->id.spi)) ||
	    nla_put_u8(msg, SKAP_A_MODE, skap_uapi_mode(x->props.mode)) ||
	    nla_put_u32(msg, SKAP_A_REQID, x->props.reqid) ||
	    nla_put_u8(msg, SKAP_A_DIR, sa->dir) ||
	    (hard && nla_put_flag(msg, SKAP_A_HARD))) {
		nlmsg_free(msg);
		return;
	}
	genlmsg_end(msg, hdr);
	genlmsg_multicast_netns(&skap_genl_family, sn->net, msg, 0, 0, GFP_ATOMIC);
}

static const struct genl_ops skap_genl_ops[] = {
	{
		.cmd = SKAP_CMD_GET_INFO,
		.doit = skap_genl_get_info,
		.flags = GENL_UNS_ADMIN_PERM,
	}, {
		.cmd = SKAP_CMD_NEW_SA,
		.doit = skap_genl_new_sa,
		.policy = skap_new_sa_policy,
		.maxattr = SKAP_A_MAX,
		.flags = GENL_UNS_ADMIN_PERM,
	}, {
		.cmd = SKAP_CMD_DEL_SA,
		.doit = skap_genl_del_sa,
		.policy = skap_del_sa_policy,
		.maxattr = SKAP_A_MAX,
		.flags = GENL_UNS_ADMIN_PERM,
	}, {
		.cmd = SKAP_CMD_GET_SA,
		.dumpit = skap_genl_dump_sa,
		.flags = GENL_UNS_ADMIN_PERM,
	}, {
		.cmd = SKAP_CMD_NEW_POLICY,
		.doit = skap_genl_new_policy,
		.policy = skap_new_pol_policy,
		.maxattr = SKAP_A_MAX,
		.flags = GENL_UNS_ADMIN_PERM,
	}, {
		.cmd = SKAP_CMD_DEL_POLICY,
		.doit = skap_genl_del_policy,
		.policy = skap_del_pol_policy,
		.maxattr = SKAP_A_MAX,
		.flags = GENL_UNS_ADMIN_PERM,
	}, {
		.cmd = SKAP_CMD_GET_POLICY,
		.dumpit = skap_genl_dump_policy,
		.flags = GENL_UNS_ADMIN_PERM,
	}, {
		.cmd = SKAP_CMD_FLUSH,
		.doit = skap_genl_flush,
		.flags = GENL_UNS_ADMIN_PERM,
	},
};

static struct genl_family skap_genl_family __ro_after_init = {
	.name = SKAP_GENL_NAME,
	.version = SKAP_GENL_VERSION,
	.module = THIS_MODULE,
	.netnsok = true,
	.ops = skap_genl_ops,
	.n_ops = ARRAY_SIZE(skap_genl_ops),
	.mcgrps = skap_genl_mcgrps,
	.n_mcgrps = ARRAY_SIZE(skap_genl_mcgrps),
};

int skap_genl_init(void)
{
	return genl_register_family(&skap_genl_family);
}

void skap_genl_exit(void)
{
	genl_unregister_family(&skap_genl_family);
}

// SPDX-License-Identifier: GPL-2.0
/*
 * skap.ko client over libnl-genl-3 (include/skap/kmod.h). One socket for
 * commands, one for events (as wpa_supplicant does), extended ACKs on, and
 * every attribute of every reply checked for its length before it is read.
 */

#include <skap/kmod.h>

#include <linux/skap.h>

#include <arpa/inet.h>
#include <errno.h>
#include <linux/netlink.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/netlink.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

struct skap_kmod {
	struct nl_sock *sk;
	int family;
};

struct skap_kmod_events {
	struct nl_sock *sk;
	int family;
	void (*cb)(const struct skap_event *e, void *arg);
	void *arg;
	int count;
};

/* The outcome of one request, filled by the callbacks. */
struct request {
	int done;
	int error;
	bool interrupted;
	struct skap_kmod_error *err;
	int (*valid)(struct nl_msg *msg, void *arg);
	void *arg;
	int cb_stop; /* a non-zero return of the caller's dump callback */
};

static void __attribute__((format(printf, 3, 4)))
set_error(struct skap_kmod_error *err, int code, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return;
	err->code = code;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
}

static int addr_len(int family)
{
	return family == AF_INET ? 4 : family == AF_INET6 ? 16 : -1;
}

/* libnl's own error numbers, as errnos. */
static int nl_to_errno(int nlerr)
{
	switch (-nlerr) {
	case NLE_NOMEM: return -ENOMEM;
	case NLE_PERM: return -EPERM;
	case NLE_OBJ_NOTFOUND: return -ENOENT;
	case NLE_EXIST: return -EEXIST;
	case NLE_INVAL: return -EINVAL;
	case NLE_BUSY: return -EBUSY;
	case NLE_AGAIN: return -EAGAIN;
	case NLE_DUMP_INTR: return -EAGAIN;
	case NLE_NOACCESS: return -EACCES;
	case NLE_OPNOTSUPP: return -EOPNOTSUPP;
	default: return -EIO;
	}
}

/* Copies the extack message (NLMSGERR_ATTR_MSG), if the kernel sent one. */
static void extack_message(const struct nlmsgerr *e, struct skap_kmod_error *err)
{
	const struct nlmsghdr *nlh = (const struct nlmsghdr *)((const char *)e - NLMSG_HDRLEN);
	struct nlattr *tb[NLMSGERR_ATTR_MAX + 1];
	size_t off;
	int len;

	if (!err || !(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return;
	off = sizeof(*e);
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		off += e->msg.nlmsg_len - NLMSG_HDRLEN;
	len = (int)nlh->nlmsg_len - NLMSG_HDRLEN - (int)off;
	if (len <= 0)
		return;
	if (nla_parse(tb, NLMSGERR_ATTR_MAX, (struct nlattr *)((char *)e + off), len, NULL))
		return;
	if (tb[NLMSGERR_ATTR_MSG]) {
		const char *msg = nla_data(tb[NLMSGERR_ATTR_MSG]);
		int n = nla_len(tb[NLMSGERR_ATTR_MSG]);

		snprintf(err->msg, sizeof(err->msg), "%.*s", n > 0 ? n - 1 : 0, msg);
	}
}

static int on_error(struct sockaddr_nl *nla, struct nlmsgerr *e, void *arg)
{
	struct request *req = arg;

	(void)nla;
	req->error = e->error;
	if (req->err) {
		req->err->code = e->error;
		req->err->msg[0] = '\0';
		extack_message(e, req->err);
		if (!req->err->msg[0])
			snprintf(req->err->msg, sizeof(req->err->msg), "%s", strerror(-e->error));
	}
	req->done = 1;
	return NL_STOP;
}

static int on_finish(struct nl_msg *msg, void *arg)
{
	struct request *req = arg;

	(void)msg;
	req->done = 1;
	return NL_SKIP;
}

static int on_ack(struct nl_msg *msg, void *arg)
{
	struct request *req = arg;

	(void)msg;
	req->done = 1;
	return NL_STOP;
}

static int on_valid(struct nl_msg *msg, void *arg)
{
	struct request *req = arg;
	int ret;

	if (nlmsg_hdr(msg)->nlmsg_flags & NLM_F_DUMP_INTR)
		req->interrupted = true;
	if (!req->valid || req->cb_stop)
		return NL_SKIP;
	ret = req->valid(msg, req->arg);
	if (ret) {
		/* Keep reading to the end of the dump, but call nobody. */
		req->cb_stop = ret;
	}
	return NL_SKIP;
}

static int on_dump_intr(struct nl_msg *msg, void *arg)
{
	struct request *req = arg;

	(void)msg;
	req->interrupted = true;
	return NL_SKIP;
}

/* Sends MSG (consumed) and reads until its ACK, error or end of dump. */
static int transact(struct skap_kmod *km, struct nl_msg *msg,
		    int (*valid)(struct nl_msg *msg, void *arg), void *arg,
		    struct skap_kmod_error *err)
{
	struct request req = { .err = err, .valid = valid, .arg = arg };
	struct nl_cb *cb;
	int ret;

	if (err) {
		err->code = 0;
		err->msg[0] = '\0';
	}
	cb = nl_cb_alloc(NL_CB_DEFAULT);
	if (!cb) {
		nlmsg_free(msg);
		set_error(err, -ENOMEM, "out of memory");
		return -ENOMEM;
	}
	ret = nl_send_auto(km->sk, msg);
	nlmsg_free(msg);
	if (ret < 0) {
		nl_cb_put(cb);
		set_error(err, nl_to_errno(ret), "netlink send: %s", nl_geterror(ret));
		return nl_to_errno(ret);
	}
	nl_cb_err(cb, NL_CB_CUSTOM, on_error, &req);
	nl_cb_set(cb, NL_CB_FINISH, NL_CB_CUSTOM, on_finish, &req);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, on_ack, &req);
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, on_valid, &req);
	nl_cb_set(cb, NL_CB_DUMP_INTR, NL_CB_CUSTOM, on_dump_intr, &req);
	while (!req.done) {
		ret = nl_recvmsgs(km->sk, cb);
		if (ret < 0 && !req.done) {
			nl_cb_put(cb);
			set_error(err, nl_to_errno(ret), "netlink receive: %s", nl_geterror(ret));
			return nl_to_errno(ret);
		}
	}
	nl_cb_put(cb);
	if (req.error)
		return req.error;
	if (req.cb_stop)
		return req.cb_stop;
	if (req.interrupted) {
		set_error(err, -EAGAIN, "the set changed during the dump");
		return -EAGAIN;
	}
	return 0;
}

static struct nl_msg *new_request(struct skap_kmod *km, uint8_t cmd, int flags,
				  struct skap_kmod_error *err)
{
	struct nl_msg *msg = nlmsg_alloc();

	if (!msg || !genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, km->family, 0, flags, cmd,
				 SKAP_GENL_VERSION)) {
		nlmsg_free(msg);
		set_error(err, -ENOMEM, "out of memory");
		return NULL;
	}
	return msg;
}

static int enable_extack(struct nl_sock *sk)
{
	int one = 1;

	return setsockopt(nl_socket_get_fd(sk), SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
}

/* A connected generic netlink socket and the skap family's id. */
static int connect_family(struct nl_sock **skp, int *family, struct skap_kmod_error *err)
{
	struct nl_sock *sk = nl_socket_alloc();
	int ret;

	*skp = NULL;
	if (!sk) {
		set_error(err, -ENOMEM, "out of memory");
		return -ENOMEM;
	}
	ret = genl_connect(sk);
	if (ret < 0) {
		ret = nl_to_errno(ret);
		set_error(err, ret, "cannot open a generic netlink socket");
		nl_socket_free(sk);
		return ret;
	}
	enable_extack(sk);
	*family = genl_ctrl_resolve(sk, SKAP_GENL_NAME);
	if (*family < 0) {
		set_error(err, -ENOENT,
			  "the skap module is not loaded (no generic netlink family \"%s\")",
			  SKAP_GENL_NAME);
		nl_socket_free(sk);
		return -ENOENT;
	}
	*skp = sk;
	return 0;
}

int skap_kmod_open(struct skap_kmod **out, struct skap_kmod_error *err)
{
	struct skap_kmod *km = calloc(1, sizeof(*km));
	int ret;

	*out = NULL;
	if (!km) {
		set_error(err, -ENOMEM, "out of memory");
		return -ENOMEM;
	}
	ret = connect_family(&km->sk, &km->family, err);
	if (ret) {
		free(km);
		return ret;
	}
	*out = km;
	return 0;
}

void skap_kmod_close(struct skap_kmod *km)
{
	if (!km)
		return;
	nl_socket_free(km->sk);
	free(km);
}

/* Parses a generic netlink message's attributes, without a policy: callers check lengths. */
static int parse_attrs(struct nl_msg *msg, struct nlattr **tb)
{
	return genlmsg_parse(nlmsg_hdr(msg), 0, tb, SKAP_A_MAX, NULL);
}

static bool get_u32(struct nlattr *a, uint32_t *v)
{
	if (!a || nla_len(a) != 4)
		return false;
	*v = nla_get_u32(a);
	return true;
}

static bool get_u64(struct nlattr *a, uint64_t *v)
{
	if (!a || nla_len(a) != 8)
		return false;
	*v = nla_get_u64(a);
	return true;
}

static bool get_u16(struct nlattr *a, uint16_t *v)
{
	if (!a || nla_len(a) != 2)
		return false;
	*v = nla_get_u16(a);
	return true;
}

static bool get_u8(struct nlattr *a, uint8_t *v)
{
	if (!a || nla_len(a) != 1)
		return false;
	*v = nla_get_u8(a);
	return true;
}

static bool get_addr(struct nlattr *a, int family, uint8_t out[16])
{
	int len = addr_len(family);

	memset(out, 0, 16);
	if (!a || len < 0 || nla_len(a) != len)
		return false;
	memcpy(out, nla_data(a), (size_t)len);
	return true;
}

static int info_reply(struct nl_msg *msg, void *arg)
{
	struct skap_kmod_info *info = arg;
	struct nlattr *tb[SKAP_A_MAX + 1];
	uint32_t keyring;

	if (parse_attrs(msg, tb) || !get_u32(tb[SKAP_A_VERSION], &info->version) ||
	    !get_u32(tb[SKAP_A_KEYRING], &keyring) ||
	    !get_u32(tb[SKAP_A_SA_COUNT], &info->sa_count) ||
	    !get_u32(tb[SKAP_A_POLICY_COUNT], &info->policy_count))
		return -EBADMSG;
	info->keyring = (int32_t)keyring;
	return 0;
}

int skap_kmod_info(struct skap_kmod *km, struct skap_kmod_info *info, struct skap_kmod_error *err)
{
	struct nl_msg *msg = new_request(km, SKAP_CMD_GET_INFO, NLM_F_ACK, err);
	int ret;

	memset(info, 0, sizeof(*info));
	if (!msg)
		return -ENOMEM;
	ret = transact(km, msg, info_reply, info, err);
	if (ret == -EBADMSG)
		set_error(err, ret, "malformed reply to GET_INFO");
	return ret;
}

static int put_selector(struct nl_msg *msg, int family, const struct skap_selector *s)
{
	struct nlattr *nest = nla_nest_start(msg, SKAP_A_SEL);
	int len = addr_len(family);

	if (!nest || len < 0)
		return -EINVAL;
	if (s->src.len) {
		nla_put(msg, SKAP_SEL_SRC, len, s->src.addr);
		nla_put_u8(msg, SKAP_SEL_SRC_PLEN, s->src.len);
	}
	if (s->dst.len) {
		nla_put(msg, SKAP_SEL_DST, len, s->dst.addr);
		nla_put_u8(msg, SKAP_SEL_DST_PLEN, s->dst.len);
	}
	if (s->proto)
		nla_put_u8(msg, SKAP_SEL_PROTO, s->proto);
	if (s->sport)
		nla_put_u16(msg, SKAP_SEL_SPORT, s->sport);
	if (s->dport)
		nla_put_u16(msg, SKAP_SEL_DPORT, s->dport);
	return nla_nest_end(msg, nest);
}

static bool get_selector(struct nlattr *a, int family, struct skap_selector *s)
{
	struct nlattr *tb[SKAP_SEL_MAX + 1];

	memset(s, 0, sizeof(*s));
	s->src.family = s->dst.family = family;
	if (!a || nla_parse_nested(tb, SKAP_SEL_MAX, a, NULL))
		return false;
	if (tb[SKAP_SEL_SRC] && !get_addr(tb[SKAP_SEL_SRC], family, s->src.addr))
		return false;
	if (tb[SKAP_SEL_DST] && !get_addr(tb[SKAP_SEL_DST], family, s->dst.addr))
		return false;
	if (tb[SKAP_SEL_SRC_PLEN] && !get_u8(tb[SKAP_SEL_SRC_PLEN], &s->src.len))
		return false;
	if (tb[SKAP_SEL_DST_PLEN] && !get_u8(tb[SKAP_SEL_DST_PLEN], &s->dst.len))
		return false;
	if (tb[SKAP_SEL_PROTO] && !get_u8(tb[SKAP_SEL_PROTO], &s->proto))
		return false;
	if (tb[SKAP_SEL_SPORT] && !get_u16(tb[SKAP_SEL_SPORT], &s->sport))
		return false;
	if (tb[SKAP_SEL_DPORT] && !get_u16(tb[SKAP_SEL_DPORT], &s->dport))
		return false;
	return true;
}

static int put_lifetime(struct nl_msg *msg, const struct skap_lifetime *l)
{
	struct nlattr *nest;

	if (!l->soft_bytes && !l->hard_bytes && !l->soft_packets && !l->hard_packets &&
	    !l->soft_seconds && !l->hard_seconds)
		return 0;
	nest = nla_nest_start(msg, SKAP_A_LIFETIME);
	if (!nest)
		return -ENOMEM;
	if (l->soft_bytes)
		nla_put_u64(msg, SKAP_LFT_SOFT_BYTES, l->soft_bytes);
	if (l->hard_bytes)
		nla_put_u64(msg, SKAP_LFT_HARD_BYTES, l->hard_bytes);
	if (l->soft_packets)
		nla_put_u64(msg, SKAP_LFT_SOFT_PACKETS, l->soft_packets);
	if (l->hard_packets)
		nla_put_u64(msg, SKAP_LFT_HARD_PACKETS, l->hard_packets);
	if (l->soft_seconds)
		nla_put_u64(msg, SKAP_LFT_SOFT_SECONDS, l->soft_seconds);
	if (l->hard_seconds)
		nla_put_u64(msg, SKAP_LFT_HARD_SECONDS, l->hard_seconds);
	return nla_nest_end(msg, nest);
}

static void get_lifetime(struct nlattr *a, struct skap_lifetime *l)
{
	struct nlattr *tb[SKAP_LFT_MAX + 1];

	memset(l, 0, sizeof(*l));
	if (!a || nla_parse_nested(tb, SKAP_LFT_MAX, a, NULL))
		return;
	get_u64(tb[SKAP_LFT_SOFT_BYTES], &l->soft_bytes);
	get_u64(tb[SKAP_LFT_HARD_BYTES], &l->hard_bytes);
	get_u64(tb[SKAP_LFT_SOFT_PACKETS], &l->soft_packets);
	get_u64(tb[SKAP_LFT_HARD_PACKETS], &l->hard_packets);
	get_u64(tb[SKAP_LFT_SOFT_SECONDS], &l->soft_seconds);
	get_u64(tb[SKAP_LFT_HARD_SECONDS], &l->hard_seconds);
}

static int put_marks(struct nl_msg *msg, bool has_mark, uint32_t mark, uint32_t mask,
		     uint32_t if_id)
{
	if (has_mark) {
		nla_put_u32(msg, SKAP_A_MARK, mark);
		nla_put_u32(msg, SKAP_A_MARK_MASK, mask);
	}
	if (if_id)
		nla_put_u32(msg, SKAP_A_IF_ID, if_id);
	return 0;
}

int skap_kmod_new_sa(struct skap_kmod *km, const struct skap_sa *sa, struct skap_kmod_error *err)
{
	int len = addr_len(sa->family);
	struct nl_msg *msg;

	if (len < 0) {
		set_error(err, -EINVAL, "address family %d is neither IPv4 nor IPv6", sa->family);
		return -EINVAL;
	}
	msg = new_request(km, SKAP_CMD_NEW_SA, NLM_F_ACK, err);
	if (!msg)
		return -ENOMEM;
	if (nla_put_s32(msg, SKAP_A_KEY, sa->key) ||
	    nla_put_u16(msg, SKAP_A_FAMILY, (uint16_t)sa->family) ||
	    nla_put(msg, SKAP_A_SRC, len, sa->src) || nla_put(msg, SKAP_A_DST, len, sa->dst) ||
	    nla_put_u8(msg, SKAP_A_MODE, sa->mode) || nla_put_u32(msg, SKAP_A_SPI, sa->spi) ||
	    nla_put_u32(msg, SKAP_A_REQID, sa->reqid) ||
	    (sa->has_sel && put_selector(msg, sa->family, &sa->sel) < 0) ||
	    put_lifetime(msg, &sa->lifetime) < 0 ||
	    put_marks(msg, sa->has_mark, sa->mark, sa->mark_mask, sa->if_id)) {
		nlmsg_free(msg);
		set_error(err, -EMSGSIZE, "request does not fit a netlink message");
		return -EMSGSIZE;
	}
	return transact(km, msg, NULL, NULL, err);
}

int skap_kmod_del_sa(struct skap_kmod *km, int family, const uint8_t dst[16], uint32_t spi,
		     struct skap_kmod_error *err)
{
	int len = addr_len(family);
	struct nl_msg *msg;

	if (len < 0) {
		set_error(err, -EINVAL, "address family %d is neither IPv4 nor IPv6", family);
		return -EINVAL;
	}
	msg = new_request(km, SKAP_CMD_DEL_SA, NLM_F_ACK, err);
	if (!msg)
		return -ENOMEM;
	if (nla_put_u16(msg, SKAP_A_FAMILY, (uint16_t)family) ||
	    nla_put(msg, SKAP_A_DST, len, dst) || nla_put_u32(msg, SKAP_A_SPI, spi)) {
		nlmsg_free(msg);
		set_error(err, -EMSGSIZE, "request does not fit a netlink message");
		return -EMSGSIZE;
	}
	return transact(km, msg, NULL, NULL, err);
}

static int policy_reply(struct nl_msg *msg, void *arg)
{
	struct nlattr *tb[SKAP_A_MAX + 1];

	if (parse_attrs(msg, tb) || !get_u32(tb[SKAP_A_POLICY_INDEX], arg))
		return -EBADMSG;
	return 0;
}

static int put_policy(struct skap_kmod *km, const struct skap_policy *p, bool replace,
		      uint32_t *index, struct skap_kmod_error *err)
{
	int len = addr_len(p->family);
	struct nl_msg *msg;

	*index = 0;
	if (len < 0) {
		set_error(err, -EINVAL, "address family %d is neither IPv4 nor IPv6", p->family);
		return -EINVAL;
	}
	msg = new_request(km, SKAP_CMD_NEW_POLICY, NLM_F_ACK, err);
	if (!msg)
		return -ENOMEM;
	if (nla_put_u16(msg, SKAP_A_FAMILY, (uint16_t)p->family) ||
	    nla_put_u8(msg, SKAP_A_DIR, p->dir) || put_selector(msg, p->family, &p->sel) < 0 ||
	    nla_put_u8(msg, SKAP_A_MODE, p->mode) ||
	    (p->has_addrs &&
	     (nla_put(msg, SKAP_A_SRC, len, p->src) || nla_put(msg, SKAP_A_DST, len, p->dst))) ||
	    nla_put_u32(msg, SKAP_A_REQID, p->reqid) || nla_put_u32(msg, SKAP_A_SPI, p->spi) ||
	    nla_put_u32(msg, SKAP_A_PRIORITY, p->priority) ||
	    put_marks(msg, p->has_mark, p->mark, p->mark_mask, p->if_id) ||
	    (replace && nla_put_flag(msg, SKAP_A_REPLACE))) {
		nlmsg_free(msg);
		set_error(err, -EMSGSIZE, "request does not fit a netlink message");
		return -EMSGSIZE;
	}
	return transact(km, msg, policy_reply, index, err);
}

int skap_kmod_new_policy(struct skap_kmod *km, const struct skap_policy *p, uint32_t *index,
			 struct skap_kmod_error *err)
{
	return put_policy(km, p, false, index, err);
}

int skap_kmod_replace_policy(struct skap_kmod *km, const struct skap_policy *p, uint32_t *index,
			     struct skap_kmod_error *err)
{
	return put_policy(km, p, true, index, err);
}

int skap_kmod_del_policy(struct skap_kmod *km, uint8_t dir, uint32_t index,
			 struct skap_kmod_error *err)
{
	struct nl_msg *msg = new_request(km, SKAP_CMD_DEL_POLICY, NLM_F_ACK, err);

	if (!msg)
		return -ENOMEM;
	if (nla_put_u8(msg, SKAP_A_DIR, dir) || nla_put_u32(msg, SKAP_A_POLICY_INDEX, index)) {
		nlmsg_free(msg);
		set_error(err, -EMSGSIZE, "request does not fit a netlink message");
		return -EMSGSIZE;
	}
	return transact(km, msg, NULL, NULL, err);
}

int skap_kmod_flush(struct skap_kmod *km, struct skap_kmod_error *err)
{
	struct nl_msg *msg = new_request(km, SKAP_CMD_FLUSH, NLM_F_ACK, err);

	if (!msg)
		return -ENOMEM;
	return transact(km, msg, NULL, NULL, err);
}

struct sa_dump {
	int (*cb)(const struct skap_sa *sa, void *arg);
	void *arg;
};

static void get_sa_stats(struct nlattr *a, struct skap_sa_stats *s)
{
	struct nlattr *tb[SKAP_STATS_MAX + 1];

	memset(s, 0, sizeof(*s));
	if (!a || nla_parse_nested(tb, SKAP_STATS_MAX, a, NULL))
		return;
	get_u64(tb[SKAP_STATS_BYTES], &s->bytes);
	get_u64(tb[SKAP_STATS_PACKETS], &s->packets);
	get_u64(tb[SKAP_STATS_ADD_TIME], &s->add_time);
	get_u64(tb[SKAP_STATS_USE_TIME], &s->use_time);
	get_u64(tb[SKAP_STATS_REPLAY_ERRORS], &s->replay_errors);
	get_u64(tb[SKAP_STATS_INTEGRITY_ERRORS], &s->integrity_errors);
}

static int sa_entry(struct nl_msg *msg, void *arg)
{
	struct sa_dump *d = arg;
	struct nlattr *tb[SKAP_A_MAX + 1];
	struct skap_sa sa;
	uint32_t key;
	uint16_t family;

	memset(&sa, 0, sizeof(sa));
	if (parse_attrs(msg, tb) || !get_u32(tb[SKAP_A_KEY], &key) ||
	    !get_u16(tb[SKAP_A_FAMILY], &family))
		return -EBADMSG;
	sa.key = (int32_t)key;
	sa.family = family;
	if (!get_addr(tb[SKAP_A_SRC], sa.family, sa.src) ||
	    !get_addr(tb[SKAP_A_DST], sa.family, sa.dst) || !get_u32(tb[SKAP_A_SPI], &sa.spi) ||
	    !get_u8(tb[SKAP_A_MODE], &sa.mode))
		return -EBADMSG;
	get_u32(tb[SKAP_A_REQID], &sa.reqid);
	get_u8(tb[SKAP_A_DIR], &sa.dir);
	if (tb[SKAP_A_SEL]) {
		sa.has_sel = true;
		if (!get_selector(tb[SKAP_A_SEL], sa.family, &sa.sel))
			return -EBADMSG;
	}
	get_lifetime(tb[SKAP_A_LIFETIME], &sa.lifetime);
	sa.has_mark = get_u32(tb[SKAP_A_MARK], &sa.mark);
	get_u32(tb[SKAP_A_MARK_MASK], &sa.mark_mask);
	get_u32(tb[SKAP_A_IF_ID], &sa.if_id);
	get_sa_stats(tb[SKAP_A_STATS], &sa.stats);
	return d->cb(&sa, d->arg);
}

int skap_kmod_dump_sas(struct skap_kmod *km, int (*cb)(const struct skap_sa *sa, void *arg),
		       void *arg, struct skap_kmod_error *err)
{
	struct nl_msg *msg = new_request(km, SKAP_CMD_GET_SA, NLM_F_DUMP, err);
	struct sa_dump d = { .cb = cb, .arg = arg };
	int ret;

	if (!msg)
		return -ENOMEM;
	ret = transact(km, msg, sa_entry, &d, err);
	if (ret == -EBADMSG)
		set_error(err, ret, "malformed SA in the dump");
	return ret;
}

struct policy_dump {
	int (*cb)(const struct skap_policy *p, void *arg);
	void *arg;
};

static int policy_entry(struct nl_msg *msg, void *arg)
{
	struct policy_dump *d = arg;
	struct nlattr *tb[SKAP_A_MAX + 1], *st[SKAP_STATS_MAX + 1];
	struct skap_policy p;
	uint16_t family;

	memset(&p, 0, sizeof(p));
	if (parse_attrs(msg, tb) || !get_u16(tb[SKAP_A_FAMILY], &family))
		return -EBADMSG;
	p.family = family;
	if (!get_u8(tb[SKAP_A_DIR], &p.dir) || !get_u32(tb[SKAP_A_POLICY_INDEX], &p.index) ||
	    !get_selector(tb[SKAP_A_SEL], p.family, &p.sel) || !get_u8(tb[SKAP_A_MODE], &p.mode))
		return -EBADMSG;
	if (tb[SKAP_A_SRC] || tb[SKAP_A_DST]) {
		p.has_addrs = true;
		if (!get_addr(tb[SKAP_A_SRC], p.family, p.src) ||
		    !get_addr(tb[SKAP_A_DST], p.family, p.dst))
			return -EBADMSG;
	}
	get_u32(tb[SKAP_A_REQID], &p.reqid);
	get_u32(tb[SKAP_A_SPI], &p.spi);
	get_u32(tb[SKAP_A_PRIORITY], &p.priority);
	p.has_mark = get_u32(tb[SKAP_A_MARK], &p.mark);
	get_u32(tb[SKAP_A_MARK_MASK], &p.mark_mask);
	get_u32(tb[SKAP_A_IF_ID], &p.if_id);
	if (tb[SKAP_A_STATS] && !nla_parse_nested(st, SKAP_STATS_MAX, tb[SKAP_A_STATS], NULL)) {
		get_u64(st[SKAP_STATS_ADD_TIME], &p.add_time);
		get_u64(st[SKAP_STATS_USE_TIME], &p.use_time);
	}
	return d->cb(&p, d->arg);
}

int skap_kmod_dump_policies(struct skap_kmod *km,
			    int (*cb)(const struct skap_policy *p, void *arg), void *arg,
			    struct skap_kmod_error *err)
{
	struct nl_msg *msg = new_request(km, SKAP_CMD_GET_POLICY, NLM_F_DUMP, err);
	struct policy_dump d = { .cb = cb, .arg = arg };
	int ret;

	if (!msg)
		return -ENOMEM;
	ret = transact(km, msg, policy_entry, &d, err);
	if (ret == -EBADMSG)
		set_error(err, ret, "malformed policy in the dump");
	return ret;
}

int skap_kmod_events_open(struct skap_kmod_events **out, struct skap_kmod_error *err)
{
	struct skap_kmod_events *ev = calloc(1, sizeof(*ev));
	int ret, group;

	*out = NULL;
	if (!ev) {
		set_error(err, -ENOMEM, "out of memory");
		return -ENOMEM;
	}
	ret = connect_family(&ev->sk, &ev->family, err);
	if (ret) {
		free(ev);
		return ret;
	}
	group = genl_ctrl_resolve_grp(ev->sk, SKAP_GENL_NAME, SKAP_GENL_MCGRP_EVENTS);
	if (group < 0) {
		ret = -ENOENT;
		set_error(err, ret, "the skap module has no event group");
		goto fail;
	}
	/* Events arrive unsolicited: no sequence numbers to check. */
	nl_socket_disable_seq_check(ev->sk);
	ret = nl_socket_add_membership(ev->sk, group);
	if (ret < 0) {
		ret = nl_to_errno(ret);
		set_error(err, ret, "cannot join the skap event group: %s",
			  ret == -EPERM || ret == -EACCES ? "needs CAP_NET_ADMIN" : nl_geterror(ret));
		goto fail;
	}
	ret = nl_socket_set_nonblocking(ev->sk);
	if (ret < 0) {
		ret = nl_to_errno(ret);
		set_error(err, ret, "cannot make the event socket non-blocking");
		goto fail;
	}
	*out = ev;
	return 0;
fail:
	nl_socket_free(ev->sk);
	free(ev);
	return ret;
}

void skap_kmod_events_close(struct skap_kmod_events *ev)
{
	if (!ev)
		return;
	nl_socket_free(ev->sk);
	free(ev);
}

int skap_kmod_events_fd(const struct skap_kmod_events *ev)
{
	return nl_socket_get_fd(ev->sk);
}

static int event_entry(struct nl_msg *msg, void *arg)
{
	struct skap_kmod_events *ev = arg;
	struct genlmsghdr *gh = nlmsg_data(nlmsg_hdr(msg));
	struct nlattr *tb[SKAP_A_MAX + 1];
	struct skap_event e;
	uint16_t family;
	uint32_t key;

	memset(&e, 0, sizeof(e));
	if (parse_attrs(msg, tb) || !get_u16(tb[SKAP_A_FAMILY], &family))
		return NL_SKIP;
	e.family = family;
	if (!get_addr(tb[SKAP_A_SRC], e.family, e.src) ||
	    !get_addr(tb[SKAP_A_DST], e.family, e.dst))
		return NL_SKIP;
	get_u8(tb[SKAP_A_MODE], &e.mode);
	get_u32(tb[SKAP_A_REQID], &e.reqid);
	switch (gh->cmd) {
	case SKAP_CMD_ACQUIRE:
		e.type = SKAP_EVENT_ACQUIRE;
		if (!get_u8(tb[SKAP_A_DIR], &e.policy_dir) ||
		    !get_u32(tb[SKAP_A_POLICY_INDEX], &e.policy_index) ||
		    !get_selector(tb[SKAP_A_SEL], e.family, &e.sel))
			return NL_SKIP;
		get_u32(tb[SKAP_A_SEQ], &e.seq);
		break;
	case SKAP_CMD_EXPIRE:
		e.type = SKAP_EVENT_EXPIRE;
		if (!get_u32(tb[SKAP_A_KEY], &key) || !get_u32(tb[SKAP_A_SPI], &e.spi))
			return NL_SKIP;
		e.key = (int32_t)key;
		get_u8(tb[SKAP_A_DIR], &e.key_dir);
		e.hard = tb[SKAP_A_HARD] != NULL;
		break;
	default:
		return NL_SKIP;
	}
	ev->count++;
	ev->cb(&e, ev->arg);
	return NL_SKIP;
}

/* Events are unsolicited: any sequence number is fine. */
static int any_seq(struct nl_msg *msg, void *arg)
{
	(void)msg;
	(void)arg;
	return NL_OK;
}

int skap_kmod_events_read(struct skap_kmod_events *ev,
			  void (*cb)(const struct skap_event *e, void *arg), void *arg)
{
	struct nl_cb *nlcb = nl_cb_alloc(NL_CB_DEFAULT);
	int ret;

	if (!nlcb)
		return -ENOMEM;
	ev->cb = cb;
	ev->arg = arg;
	ev->count = 0;
	nl_cb_set(nlcb, NL_CB_VALID, NL_CB_CUSTOM, event_entry, ev);
	nl_cb_set(nlcb, NL_CB_SEQ_CHECK, NL_CB_CUSTOM, any_seq, NULL);
	for (;;) {
		ret = nl_recvmsgs(ev->sk, nlcb);
		if (ret < 0)
			break;
	}
	nl_cb_put(nlcb);
	if (ret == -NLE_AGAIN)
		return ev->count;
	if (ret == -NLE_NOMEM)
		return -ENOBUFS;
	return nl_to_errno(ret);
}

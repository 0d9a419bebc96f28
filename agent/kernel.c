// SPDX-License-Identifier: GPL-2.0-only
/* The kernel's limited-migration policy, over libnl-genl-3. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/netlink.h>

#include "kernel.h"
#include "log.h"

/* Events come in bursts on apply or flush; give them room. */
#define EVENT_RCVBUF (8 * 1024 * 1024)

struct lmigd_kernel {
	struct nl_sock *req;
	struct nl_sock *ev;
	int family;
};

static struct nla_policy profile_policy[LMIG_PROFILE_A_MAX + 1] = {
	[LMIG_PROFILE_A_USER_ID] = {.type = NLA_U32},
	[LMIG_PROFILE_A_PARTNER_ID] = {.type = NLA_STRING,
				       .maxlen = LMIG_ID_MAX_LEN + 1},
	[LMIG_PROFILE_A_SERVICES] = {.type = NLA_U32},
	[LMIG_PROFILE_A_STATE] = {.type = NLA_U32},
	[LMIG_PROFILE_A_NOT_BEFORE] = {.type = NLA_U64},
	[LMIG_PROFILE_A_NOT_AFTER] = {.type = NLA_U64},
	[LMIG_PROFILE_A_GENERATION] = {.type = NLA_U64},
};

static struct nla_policy top_policy[LMIG_A_MAX + 1] = {
	[LMIG_A_PROFILE] = {.type = NLA_NESTED},
	[LMIG_A_OLD_PROFILE] = {.type = NLA_NESTED},
	[LMIG_A_GENERATION] = {.type = NLA_U64},
	[LMIG_A_INFO] = {.type = NLA_NESTED},
};

static struct nla_policy info_policy[LMIG_INFO_A_MAX + 1] = {
	[LMIG_INFO_A_EPOCH] = {.type = NLA_U64},
	[LMIG_INFO_A_GENERATION] = {.type = NLA_U64},
	[LMIG_INFO_A_PROFILES] = {.type = NLA_U32},
	[LMIG_INFO_A_MAX_PROFILES] = {.type = NLA_U32},
};

static int parse_profile(struct nlattr *nest, struct lmigd_profile *p)
{
	struct nlattr *tb[LMIG_PROFILE_A_MAX + 1];

	memset(p, 0, sizeof(*p));
	if (!nest ||
	    nla_parse_nested(tb, LMIG_PROFILE_A_MAX, nest, profile_policy))
		return -EPROTO;
	if (!tb[LMIG_PROFILE_A_USER_ID] || !tb[LMIG_PROFILE_A_PARTNER_ID] ||
	    !tb[LMIG_PROFILE_A_SERVICES] || !tb[LMIG_PROFILE_A_STATE])
		return -EPROTO;
	p->user_id = nla_get_u32(tb[LMIG_PROFILE_A_USER_ID]);
	snprintf(p->partner_id, sizeof(p->partner_id), "%s",
		 nla_get_string(tb[LMIG_PROFILE_A_PARTNER_ID]));
	p->services = nla_get_u32(tb[LMIG_PROFILE_A_SERVICES]);
	p->state = nla_get_u32(tb[LMIG_PROFILE_A_STATE]);
	if (tb[LMIG_PROFILE_A_NOT_BEFORE])
		p->not_before = nla_get_u64(tb[LMIG_PROFILE_A_NOT_BEFORE]);
	if (tb[LMIG_PROFILE_A_NOT_AFTER])
		p->not_after = nla_get_u64(tb[LMIG_PROFILE_A_NOT_AFTER]);
	if (tb[LMIG_PROFILE_A_GENERATION])
		p->generation = nla_get_u64(tb[LMIG_PROFILE_A_GENERATION]);
	return 0;
}

static int parse_top(struct nl_msg *msg, struct nlattr **tb)
{
	return genlmsg_parse(nlmsg_hdr(msg), 0, tb, LMIG_A_MAX, top_policy)
		       ? -EPROTO
		       : 0;
}

/* One request and its replies, with the kernel's errno captured. */
struct call {
	int (*valid)(struct nl_msg *msg, void *arg);
	void *arg;
	int error;
	bool done;
};

static int on_valid(struct nl_msg *msg, void *arg)
{
	struct call *c = arg;
	int err = c->valid ? c->valid(msg, c->arg) : 0;

	if (err) {
		c->error = err;
		return NL_STOP;
	}
	return NL_OK;
}

static int on_error(struct sockaddr_nl *nla, struct nlmsgerr *e, void *arg)
{
	struct call *c = arg;

	(void)nla;
	c->error = e->error ? e->error : -EPROTO;
	c->done = true;
	return NL_STOP;
}

static int on_done(struct nl_msg *msg, void *arg)
{
	struct call *c = arg;

	(void)msg;
	c->done = true;
	return NL_STOP;
}

static int call(struct lmigd_kernel *k, struct nl_msg *msg,
		int (*valid)(struct nl_msg *, void *), void *arg)
{
	struct call c = {.valid = valid, .arg = arg};
	struct nl_cb *cb = nl_cb_alloc(NL_CB_DEFAULT);
	bool interrupted = false;
	int ret;

	if (!cb) {
		nlmsg_free(msg);
		return -ENOMEM;
	}
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, on_valid, &c);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, on_done, &c);
	nl_cb_set(cb, NL_CB_FINISH, NL_CB_CUSTOM, on_done, &c);
	nl_cb_err(cb, NL_CB_CUSTOM, on_error, &c);

	ret = nl_send_auto(k->req, msg);
	nlmsg_free(msg);
	if (ret < 0) {
		nl_cb_put(cb);
		return -EIO;
	}
	while (!c.done && !c.error) {
		ret = nl_recvmsgs(k->req, cb);
		if (ret == -NLE_DUMP_INTR) {
			interrupted = true;
			c.done = true;
		} else if (ret < 0) {
			c.error = c.error ? c.error : -EIO;
		}
	}
	nl_cb_put(cb);
	if (c.error)
		return c.error;
	return interrupted ? -EAGAIN : 0;
}

static struct nl_msg *new_request(struct lmigd_kernel *k, uint8_t cmd,
				  int flags)
{
	struct nl_msg *msg = nlmsg_alloc();

	if (msg && !genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, k->family, 0,
				flags, cmd, LMIG_GENL_VERSION)) {
		nlmsg_free(msg);
		msg = NULL;
	}
	return msg;
}

static int open_socket(struct nl_sock **sk)
{
	*sk = nl_socket_alloc();
	if (!*sk)
		return -ENOMEM;
	if (genl_connect(*sk)) {
		nl_socket_free(*sk);
		*sk = NULL;
		return -EIO;
	}
	return 0;
}

int lmigd_kernel_open(struct lmigd_kernel **out, char *err, size_t errlen)
{
	struct lmigd_kernel *k = calloc(1, sizeof(*k));
	int grp, ret;

	if (!k) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	ret = open_socket(&k->req);
	if (!ret)
		ret = open_socket(&k->ev);
	if (ret) {
		snprintf(err, errlen, "cannot open a generic netlink socket");
		goto fail;
	}
	k->family = genl_ctrl_resolve(k->req, LMIG_GENL_NAME);
	if (k->family < 0) {
		snprintf(err, errlen,
			 "generic netlink family '%s' not found: is the lmig "
			 "module loaded? (modprobe lmig)",
			 LMIG_GENL_NAME);
		ret = -ENOENT;
		goto fail;
	}
	grp = genl_ctrl_resolve_grp(k->ev, LMIG_GENL_NAME, LMIG_MCGRP_EVENTS);
	if (grp < 0) {
		snprintf(err, errlen, "multicast group '%s' not found",
			 LMIG_MCGRP_EVENTS);
		ret = -ENOENT;
		goto fail;
	}
	nl_socket_disable_seq_check(k->ev);
	nl_socket_set_buffer_size(k->ev, EVENT_RCVBUF, 0);
	if (nl_socket_add_membership(k->ev, grp)) {
		snprintf(err, errlen,
			 "cannot join the lmig events group: CAP_NET_ADMIN "
			 "is needed");
		ret = -EPERM;
		goto fail;
	}
	nl_socket_set_nonblocking(k->ev);
	*out = k;
	return 0;
fail:
	lmigd_kernel_close(k);
	return ret;
}

void lmigd_kernel_close(struct lmigd_kernel *k)
{
	if (!k)
		return;
	if (k->req)
		nl_socket_free(k->req);
	if (k->ev)
		nl_socket_free(k->ev);
	free(k);
}

static int info_reply(struct nl_msg *msg, void *arg)
{
	struct lmigd_table_info *info = arg;
	struct nlattr *tb[LMIG_A_MAX + 1], *it[LMIG_INFO_A_MAX + 1];

	if (parse_top(msg, tb) || !tb[LMIG_A_INFO] ||
	    nla_parse_nested(it, LMIG_INFO_A_MAX, tb[LMIG_A_INFO],
			     info_policy) ||
	    !it[LMIG_INFO_A_EPOCH] || !it[LMIG_INFO_A_GENERATION] ||
	    !it[LMIG_INFO_A_PROFILES])
		return -EPROTO;
	info->epoch = nla_get_u64(it[LMIG_INFO_A_EPOCH]);
	info->generation = nla_get_u64(it[LMIG_INFO_A_GENERATION]);
	info->profiles = nla_get_u32(it[LMIG_INFO_A_PROFILES]);
	if (it[LMIG_INFO_A_MAX_PROFILES])
		info->max_profiles = nla_get_u32(it[LMIG_INFO_A_MAX_PROFILES]);
	return 0;
}

int lmigd_kernel_info(struct lmigd_kernel *k, struct lmigd_table_info *info)
{
	struct nl_msg *msg = new_request(k, LMIG_CMD_INFO_GET, 0);

	memset(info, 0, sizeof(*info));
	if (!msg)
		return -ENOMEM;
	return call(k, msg, info_reply, info);
}

static int profile_reply(struct nl_msg *msg, void *arg)
{
	struct nlattr *tb[LMIG_A_MAX + 1];

	if (parse_top(msg, tb))
		return -EPROTO;
	return parse_profile(tb[LMIG_A_PROFILE], arg);
}

int lmigd_kernel_get_by_primary(struct lmigd_kernel *k, const char *primary_id,
				struct lmigd_profile *out)
{
	struct nl_msg *msg = new_request(k, LMIG_CMD_PROFILE_GET, 0);
	struct nlattr *nest;

	memset(out, 0, sizeof(*out));
	if (!msg)
		return -ENOMEM;
	nest = nla_nest_start(msg, LMIG_A_PROFILE);
	if (!nest ||
	    nla_put_string(msg, LMIG_PROFILE_A_PRIMARY_ID, primary_id)) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	nla_nest_end(msg, nest);
	return call(k, msg, profile_reply, out);
}

struct dump {
	int (*cb)(const struct lmigd_profile *p, void *arg);
	void *arg;
};

static int dump_reply(struct nl_msg *msg, void *arg)
{
	struct dump *d = arg;
	struct lmigd_profile p;
	int err = profile_reply(msg, &p);

	return err ? err : d->cb(&p, d->arg);
}

int lmigd_kernel_dump(struct lmigd_kernel *k,
		      int (*cb)(const struct lmigd_profile *p, void *arg),
		      void *arg)
{
	struct nl_msg *msg = new_request(k, LMIG_CMD_PROFILE_GET, NLM_F_DUMP);
	struct dump d = {.cb = cb, .arg = arg};

	if (!msg)
		return -ENOMEM;
	return call(k, msg, dump_reply, &d);
}

int lmigd_kernel_event_fd(const struct lmigd_kernel *k)
{
	return nl_socket_get_fd(k->ev);
}

struct event_read {
	void (*cb)(const struct lmigd_event *ev, void *arg);
	void *arg;
	bool resync; /* an event that only a fresh dump can follow */
};

static bool profile_event(uint8_t cmd)
{
	return cmd == LMIG_CMD_PROFILE_NEW_NTF ||
	       cmd == LMIG_CMD_PROFILE_CHANGE_NTF ||
	       cmd == LMIG_CMD_PROFILE_DEL_NTF;
}

static int event_valid(struct nl_msg *msg, void *arg)
{
	struct event_read *r = arg;
	struct genlmsghdr *gh = nlmsg_data(nlmsg_hdr(msg));
	struct nlattr *tb[LMIG_A_MAX + 1];
	struct lmigd_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.cmd = gh->cmd;
	if (!profile_event(ev.cmd)) {
		/*
		 * A flush empties the table without naming its profiles, and
		 * a command this agent does not know may change it in ways it
		 * cannot tell: the table as a dump shows it is the answer.
		 */
		if (ev.cmd == LMIG_CMD_FLUSH_NTF)
			log_notice("the kernel policy table was flushed");
		else
			log_warn("unknown kernel event %u", ev.cmd);
		r->resync = true;
		return NL_OK;
	}
	if (parse_top(msg, tb) || !tb[LMIG_A_GENERATION] ||
	    parse_profile(tb[LMIG_A_PROFILE], &ev.profile))
		return NL_OK; /* a malformed event: the next gap resyncs */
	ev.generation = nla_get_u64(tb[LMIG_A_GENERATION]);
	if (tb[LMIG_A_OLD_PROFILE])
		parse_profile(tb[LMIG_A_OLD_PROFILE], &ev.old);
	r->cb(&ev, r->arg);
	return NL_OK;
}

int lmigd_kernel_read_events(struct lmigd_kernel *k,
			     void (*cb)(const struct lmigd_event *ev,
					void *arg),
			     void *arg)
{
	struct event_read r = {.cb = cb, .arg = arg};
	/* The socket's own callbacks have sequence checks disabled. */
	struct nl_cb *base = nl_socket_get_cb(k->ev);
	struct nl_cb *nlcb = base ? nl_cb_clone(base) : NULL;
	int ret;

	if (base)
		nl_cb_put(base);
	if (!nlcb)
		return -ENOMEM;
	nl_cb_set(nlcb, NL_CB_VALID, NL_CB_CUSTOM, event_valid, &r);
	for (;;) {
		ret = nl_recvmsgs(k->ev, nlcb);
		if (ret == -NLE_AGAIN) {
			ret = 0;
			break;
		}
		if (ret == -NLE_NOMEM) {
			/* ENOBUFS from the socket: events were dropped. */
			ret = -ENOBUFS;
			break;
		}
		if (ret < 0) {
			ret = -EIO;
			break;
		}
	}
	nl_cb_put(nlcb);
	if (!ret && r.resync)
		ret = -ESTALE;
	return ret;
}

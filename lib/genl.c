// SPDX-License-Identifier: GPL-2.0-only
/*
 * The lmig generic netlink connection: family lookup, requests with their
 * acknowledgements and extended ACKs, dumps, events.
 */
#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/lmig.h>

#include "clock.h"
#include "genl.h"

/*
 * The kernel fills a dump part up to the largest buffer the reader has
 * offered, capped near 32 KiB; the largest message, an event carrying two
 * full profiles, is about 10 KiB.
 */
#define LMIG_GENL_RECV_MAX 32768

struct lmig_genl {
	struct mnl_socket *sock;
	uint32_t portid;
	uint32_t seq;
	uint16_t family_id;
	uint32_t version;
	uint32_t events_group; /* 0: the module offers none */
	struct lmig_genl_error err;
	char text[2 * LMIG_GENL_MSG_MAX];
	/* The request being built, then the one sent last. */
	char req[LMIG_GENL_REQUEST_MAX] __attribute__((aligned(8)));
	char buf[LMIG_GENL_RECV_MAX] __attribute__((aligned(8)));
};

static int lmig_genl_fail(struct lmig_genl *nl, int error)
{
	memset(&nl->err, 0, sizeof(nl->err));
	nl->err.error = error;
	return error;
}

static struct nlmsghdr *lmig_genl_header(struct lmig_genl *nl, uint16_t type,
					 uint8_t cmd, uint8_t version,
					 uint16_t flags)
{
	struct nlmsghdr *nlh;
	struct genlmsghdr *genl;

	memset(nl->req, 0, MNL_ALIGN(sizeof(*nlh)) + MNL_ALIGN(sizeof(*genl)));
	nlh = mnl_nlmsg_put_header(nl->req);
	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = flags;
	genl = mnl_nlmsg_put_extra_header(nlh, sizeof(*genl));
	genl->cmd = cmd;
	genl->version = version;
	return nlh;
}

struct nlmsghdr *lmig_genl_request(struct lmig_genl *nl, uint8_t cmd,
				   uint16_t flags)
{
	return lmig_genl_header(nl, nl->family_id, cmd, LMIG_GENL_VERSION,
				flags);
}

struct lmig_genl_tlvs {
	struct lmig_genl_error *err;
	uint32_t miss_nest_offset;
};

static int lmig_genl_tlv_cb(const struct nlattr *attr, void *data)
{
	struct lmig_genl_tlvs *tlvs = data;
	struct lmig_genl_error *err = tlvs->err;

	switch (mnl_attr_get_type(attr)) {
	case NLMSGERR_ATTR_MSG:
		if (mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) == 0)
			snprintf(err->msg, sizeof(err->msg), "%s",
				 mnl_attr_get_str(attr));
		break;
	case NLMSGERR_ATTR_OFFS:
		if (mnl_attr_validate(attr, MNL_TYPE_U32) == 0)
			err->offset = mnl_attr_get_u32(attr);
		break;
	case NLMSGERR_ATTR_MISS_TYPE:
		if (mnl_attr_validate(attr, MNL_TYPE_U32) == 0)
			err->miss_type = mnl_attr_get_u32(attr);
		break;
	case NLMSGERR_ATTR_MISS_NEST:
		if (mnl_attr_validate(attr, MNL_TYPE_U32) == 0)
			tlvs->miss_nest_offset = mnl_attr_get_u32(attr);
		break;
	}
	return MNL_CB_OK;
}

/* How many attributes of @attr's type come before it in its nest. */
static unsigned int lmig_genl_attr_index(const char *first,
					 const struct nlattr *attr)
{
	const struct nlattr *a = (const struct nlattr *)first;
	unsigned int n = 0;

	for (; a != attr; a = mnl_attr_next(a))
		if (mnl_attr_get_type(a) == mnl_attr_get_type(attr))
			n++;
	return n;
}

/*
 * Find the attribute that starts at @target among the attributes in
 * [@pos, @end), which are those of a nest of type @nest (0: the top
 * level), descending into nests on the way. @nest_index is the index of
 * the top-level nest on the way, among those of its type.
 */
static const struct nlattr *lmig_genl_attr_at(const char *pos, const char *end,
					      const char *target, uint16_t nest,
					      unsigned int nest_index,
					      struct lmig_genl_error *err)
{
	const char *first = pos;
	const struct nlattr *attr;

	while (pos < end && (size_t)(end - pos) >= sizeof(*attr)) {
		attr = (const struct nlattr *)pos;
		if (attr->nla_len < sizeof(*attr) ||
		    attr->nla_len > (size_t)(end - pos))
			return NULL;
		if (pos == target) {
			err->attr_type = mnl_attr_get_type(attr);
			err->attr_nest = nest;
			err->attr_index = lmig_genl_attr_index(first, attr);
			err->nest_index = nest ? nest_index : err->attr_index;
			return attr;
		}
		if (target > pos && target < pos + attr->nla_len &&
		    (attr->nla_type & NLA_F_NESTED))
			return lmig_genl_attr_at(
				pos + MNL_ATTR_HDRLEN, pos + attr->nla_len,
				target, mnl_attr_get_type(attr),
				nest ? nest_index
				     : lmig_genl_attr_index(first, attr),
				err);
		pos += MNL_ALIGN(attr->nla_len);
	}
	return NULL;
}

/* Name the attributes of the request sent that the kernel pointed at. */
static void lmig_genl_locate(struct lmig_genl *nl, uint32_t miss_nest_offset)
{
	const struct nlmsghdr *req = (const struct nlmsghdr *)nl->req;
	const char *first = nl->req + MNL_NLMSG_HDRLEN + GENL_HDRLEN;
	const char *end = nl->req + req->nlmsg_len;
	struct lmig_genl_error *err = &nl->err;
	struct lmig_genl_error nest = {0};

	if (err->offset && err->offset < req->nlmsg_len)
		err->attr = lmig_genl_attr_at(first, end, nl->req + err->offset,
					      0, 0, err);
	if (miss_nest_offset && miss_nest_offset < req->nlmsg_len &&
	    lmig_genl_attr_at(first, end, nl->req + miss_nest_offset, 0, 0,
			      &nest)) {
		err->miss_nest = nest.attr_type;
		err->miss_nest_index = nest.nest_index;
	}
}

static int lmig_genl_kernel_error(struct lmig_genl *nl, int error,
				  const struct nlmsghdr *nlh, size_t tlv_offset)
{
	struct lmig_genl_tlvs tlvs = {.err = &nl->err};
	size_t payload = mnl_nlmsg_get_payload_len(nlh);

	lmig_genl_fail(nl, error);
	if ((nlh->nlmsg_flags & NLM_F_ACK_TLVS) && tlv_offset < payload)
		mnl_attr_parse_payload(
			(const char *)mnl_nlmsg_get_payload(nlh) + tlv_offset,
			payload - tlv_offset, lmig_genl_tlv_cb, &tlvs);
	lmig_genl_locate(nl, tlvs.miss_nest_offset);
	return error;
}

/* NLMSG_ERROR: an acknowledgement (0) or the request's failure. */
static int lmig_genl_ack(struct lmig_genl *nl, const struct nlmsghdr *nlh)
{
	const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);
	size_t tlv_offset = sizeof(*e);

	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*e))
		return lmig_genl_fail(nl, -EPROTO);
	if (e->error >= 0)
		return 0;
	/* Unless capped, the request itself is echoed before the TLVs. */
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED)) {
		if (e->msg.nlmsg_len < MNL_NLMSG_HDRLEN)
			return lmig_genl_fail(nl, e->error);
		tlv_offset += MNL_ALIGN(e->msg.nlmsg_len - MNL_NLMSG_HDRLEN);
	}
	return lmig_genl_kernel_error(nl, e->error, nlh, tlv_offset);
}

/* NLMSG_DONE: the end of a dump, with the dump's error if it failed. */
static int lmig_genl_done(struct lmig_genl *nl, const struct nlmsghdr *nlh)
{
	int error;

	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(error))
		return 0;
	memcpy(&error, mnl_nlmsg_get_payload(nlh), sizeof(error));
	if (error >= 0)
		return 0;
	return lmig_genl_kernel_error(nl, error, nlh, sizeof(error));
}

static ssize_t lmig_genl_recv(struct lmig_genl *nl)
{
	ssize_t len;

	do
		len = mnl_socket_recvfrom(nl->sock, nl->buf, sizeof(nl->buf));
	while (len < 0 && errno == EINTR);
	return len < 0 ? -errno : len;
}

static int lmig_genl_receive(struct lmig_genl *nl, uint32_t seq,
			     lmig_genl_cb cb, void *data)
{
	bool interrupted = false;
	int cb_ret = 0, ret;

	for (;;) {
		const struct nlmsghdr *nlh = (const struct nlmsghdr *)nl->buf;
		ssize_t len = lmig_genl_recv(nl);
		int left;

		if (len < 0)
			return lmig_genl_fail(nl, (int)len);
		for (left = (int)len; mnl_nlmsg_ok(nlh, left);
		     nlh = mnl_nlmsg_next(nlh, &left)) {
			/* Stale replies, and events on a subscribed handle. */
			if (nlh->nlmsg_seq != seq ||
			    nlh->nlmsg_pid != nl->portid)
				continue;
			if (nlh->nlmsg_flags & NLM_F_DUMP_INTR)
				interrupted = true;
			switch (nlh->nlmsg_type) {
			case NLMSG_NOOP:
				continue;
			case NLMSG_ERROR:
				ret = lmig_genl_ack(nl, nlh);
				goto out;
			case NLMSG_DONE:
				ret = lmig_genl_done(nl, nlh);
				goto out;
			case NLMSG_OVERRUN:
				return lmig_genl_fail(nl, -EOVERFLOW);
			}
			if (cb && !cb_ret)
				cb_ret = cb(nlh, data);
		}
		if (left)
			return lmig_genl_fail(nl, -EPROTO);
	}
out:
	if (ret)
		return ret;
	if (cb_ret < 0)
		return lmig_genl_fail(nl, cb_ret);
	if (interrupted)
		return lmig_genl_fail(nl, -EINTR);
	memset(&nl->err, 0, sizeof(nl->err));
	return 0;
}

int lmig_genl_run(struct lmig_genl *nl, struct nlmsghdr *req, lmig_genl_cb cb,
		  void *data)
{
	if ((char *)req != nl->req) {
		if (req->nlmsg_len > sizeof(nl->req))
			return lmig_genl_fail(nl, -EMSGSIZE);
		memmove(nl->req, req, req->nlmsg_len);
		req = (struct nlmsghdr *)nl->req;
	}
	if (++nl->seq == 0)
		nl->seq = 1;
	req->nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
	req->nlmsg_seq = nl->seq;
	req->nlmsg_pid = 0;
	if (mnl_socket_sendto(nl->sock, req, req->nlmsg_len) < 0)
		return lmig_genl_fail(nl, -errno);
	return lmig_genl_receive(nl, nl->seq, cb, data);
}

int lmig_genl_run_quiet(struct lmig_genl *nl, uint8_t cmd)
{
	char buf[MNL_NLMSG_HDRLEN + GENL_HDRLEN] __attribute__((aligned(8)));
	struct lmig_genl_error saved = nl->err;
	struct nlmsghdr *nlh;
	struct genlmsghdr *genl;
	int ret;

	memset(buf, 0, sizeof(buf));
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = nl->family_id;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	if (++nl->seq == 0)
		nl->seq = 1;
	nlh->nlmsg_seq = nl->seq;
	genl = mnl_nlmsg_put_extra_header(nlh, sizeof(*genl));
	genl->cmd = cmd;
	genl->version = LMIG_GENL_VERSION;
	if (mnl_socket_sendto(nl->sock, nlh, nlh->nlmsg_len) < 0)
		ret = -errno;
	else
		ret = lmig_genl_receive(nl, nl->seq, NULL, NULL);
	/*
	 * Locating the attributes of an error above looked at the request
	 * before this one, which is still in place: the saved error stands.
	 */
	nl->err = saved;
	return ret;
}

const struct lmig_genl_error *lmig_genl_error(const struct lmig_genl *nl)
{
	return &nl->err;
}

const char *lmig_genl_strerror(struct lmig_genl *nl)
{
	const struct lmig_genl_error *err = &nl->err;
	const char *hint = NULL;

	if (err->error == -EPERM)
		hint = "lmig needs CAP_NET_ADMIN over this network namespace";
	else if (err->error == -EOPNOTSUPP)
		hint = "the loaded lmig module does not know this command";
	else if (err->error == -EINTR)
		hint = "the table changed during the dump, dump again";
	else if (err->error == -ENOBUFS)
		hint = "events were lost, dump the table again";

	if (err->msg[0])
		snprintf(nl->text, sizeof(nl->text), "%s (%s)", err->msg,
			 strerror(-err->error));
	else if (hint)
		snprintf(nl->text, sizeof(nl->text), "%s: %s",
			 strerror(-err->error), hint);
	else
		snprintf(nl->text, sizeof(nl->text), "%s",
			 strerror(-err->error));
	return nl->text;
}

struct lmig_genl_family {
	struct lmig_genl *nl;
	bool found;
};

static int lmig_genl_group_cb(struct lmig_genl *nl, const struct nlattr *grp)
{
	const struct nlattr *attr;
	const char *name = NULL;
	uint32_t id = 0;

	mnl_attr_for_each_nested (attr, grp) {
		switch (mnl_attr_get_type(attr)) {
		case CTRL_ATTR_MCAST_GRP_NAME:
			if (mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) < 0)
				return -EPROTO;
			name = mnl_attr_get_str(attr);
			break;
		case CTRL_ATTR_MCAST_GRP_ID:
			if (mnl_attr_validate(attr, MNL_TYPE_U32) < 0)
				return -EPROTO;
			id = mnl_attr_get_u32(attr);
			break;
		}
	}
	if (name && !strcmp(name, LMIG_MCGRP_EVENTS))
		nl->events_group = id;
	return 0;
}

static int lmig_genl_family_cb(const struct nlmsghdr *nlh, void *data)
{
	struct lmig_genl_family *fam = data;
	struct lmig_genl *nl = fam->nl;
	const struct nlattr *attr, *grp;
	int ret;

	mnl_attr_for_each (attr, nlh, GENL_HDRLEN) {
		switch (mnl_attr_get_type(attr)) {
		case CTRL_ATTR_FAMILY_ID:
			if (mnl_attr_validate(attr, MNL_TYPE_U16) < 0)
				return -EPROTO;
			nl->family_id = mnl_attr_get_u16(attr);
			fam->found = true;
			break;
		case CTRL_ATTR_VERSION:
			if (mnl_attr_validate(attr, MNL_TYPE_U32) < 0)
				return -EPROTO;
			nl->version = mnl_attr_get_u32(attr);
			break;
		case CTRL_ATTR_MCAST_GROUPS:
			mnl_attr_for_each_nested (grp, attr) {
				ret = lmig_genl_group_cb(nl, grp);
				if (ret)
					return ret;
			}
			break;
		}
	}
	return 0;
}

static int lmig_genl_resolve(struct lmig_genl *nl)
{
	struct lmig_genl_family fam = {.nl = nl};
	struct nlmsghdr *nlh;
	int ret;

	nlh = lmig_genl_header(nl, GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 1, 0);
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, LMIG_GENL_NAME);
	ret = lmig_genl_run(nl, nlh, lmig_genl_family_cb, &fam);
	if (ret)
		return ret;
	return fam.found ? 0 : -EPROTO;
}

static int lmig_genl_why(char *why, size_t why_len, int error, const char *what)
{
	if (why && why_len)
		snprintf(why, why_len, "%s: %s", what, strerror(-error));
	return error;
}

static const char lmig_genl_not_loaded[] =
	"the lmig module is not loaded (try 'modprobe lmig')";

int lmig_genl_open(struct lmig_genl **nlp, char *why, size_t why_len)
{
	struct lmig_genl *nl;
	int one = 1, ret;

	*nlp = NULL;
	nl = calloc(1, sizeof(*nl));
	if (!nl)
		return lmig_genl_why(why, why_len, -ENOMEM, "lmig");
	nl->sock = mnl_socket_open2(NETLINK_GENERIC, SOCK_CLOEXEC);
	if (!nl->sock) {
		ret = lmig_genl_why(why, why_len, -errno,
				    "cannot open a generic netlink socket");
		goto err_free;
	}
	if (mnl_socket_bind(nl->sock, 0, MNL_SOCKET_AUTOPID) < 0) {
		ret = lmig_genl_why(why, why_len, -errno,
				    "cannot bind a generic netlink socket");
		goto err_close;
	}
	nl->portid = mnl_socket_get_portid(nl->sock);
	/*
	 * The kernel's explanation of every error, without an echo of the
	 * request. Kernels without them still report the errno.
	 */
	mnl_socket_setsockopt(nl->sock, NETLINK_EXT_ACK, &one, sizeof(one));
	mnl_socket_setsockopt(nl->sock, NETLINK_CAP_ACK, &one, sizeof(one));

	ret = lmig_genl_resolve(nl);
	if (ret == -ENOENT) {
		if (why && why_len)
			snprintf(why, why_len, "%s", lmig_genl_not_loaded);
		goto err_close;
	}
	if (ret) {
		lmig_genl_why(why, why_len, ret,
			      "cannot look up the lmig netlink family");
		goto err_close;
	}
	*nlp = nl;
	return 0;

err_close:
	mnl_socket_close(nl->sock);
err_free:
	free(nl);
	return ret;
}

void lmig_genl_close(struct lmig_genl *nl)
{
	if (!nl)
		return;
	mnl_socket_close(nl->sock);
	free(nl);
}

int lmig_genl_fd(const struct lmig_genl *nl)
{
	return mnl_socket_get_fd(nl->sock);
}

uint16_t lmig_genl_family_id(const struct lmig_genl *nl)
{
	return nl->family_id;
}

uint32_t lmig_genl_family_version(const struct lmig_genl *nl)
{
	return nl->version;
}

int lmig_genl_subscribe(struct lmig_genl *nl)
{
	int group = (int)nl->events_group;

	if (!group) {
		lmig_genl_fail(nl, -ENOENT);
		snprintf(nl->err.msg, sizeof(nl->err.msg),
			 "the loaded lmig module has no events group");
		return -ENOENT;
	}
	if (mnl_socket_setsockopt(nl->sock, NETLINK_ADD_MEMBERSHIP, &group,
				  sizeof(group)) < 0)
		return lmig_genl_fail(nl, -errno);
	memset(&nl->err, 0, sizeof(nl->err));
	return 0;
}

static int64_t lmig_genl_now_ms(void)
{
	return (int64_t)(lmig_clock_precise_ns() / 1000000);
}

int lmig_genl_recv_events(struct lmig_genl *nl, int timeout_ms, lmig_genl_cb cb,
			  void *data)
{
	int64_t deadline = lmig_genl_now_ms() +
			   (timeout_ms > 0 ? timeout_ms : 0);
	struct pollfd pfd = {.fd = lmig_genl_fd(nl), .events = POLLIN};

	for (;;) {
		const struct nlmsghdr *nlh = (const struct nlmsghdr *)nl->buf;
		int wait = timeout_ms;
		int n = 0, left, ret;
		ssize_t len;

		if (timeout_ms > 0) {
			int64_t rest = deadline - lmig_genl_now_ms();

			wait = rest > 0 ? (int)rest : 0;
		}
		ret = poll(&pfd, 1, wait);
		if (ret < 0 && errno == EINTR)
			continue;
		if (ret < 0)
			return lmig_genl_fail(nl, -errno);
		if (ret == 0)
			return lmig_genl_fail(nl, -EAGAIN);
		len = lmig_genl_recv(nl);
		if (len < 0)
			return lmig_genl_fail(nl, (int)len);
		for (left = (int)len; mnl_nlmsg_ok(nlh, left);
		     nlh = mnl_nlmsg_next(nlh, &left)) {
			if (nlh->nlmsg_type != nl->family_id)
				continue;
			n++;
			ret = cb ? cb(nlh, data) : 0;
			if (ret < 0)
				return lmig_genl_fail(nl, ret);
		}
		if (n) {
			memset(&nl->err, 0, sizeof(nl->err));
			return n;
		}
	}
}

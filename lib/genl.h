/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A connection to the lmig generic netlink family (see
 * include/uapi/linux/lmig.h), on libmnl.
 *
 * One handle is one netlink socket in the network namespace of the thread
 * that opened it. Use one handle for requests and another, subscribed, for
 * events: a handle waiting for a reply skips messages that are not the
 * reply, events included. Handles are not thread-safe.
 *
 * A request is built in the handle's buffer:
 *
 *	nlh = lmig_genl_request(nl, LMIG_CMD_PROFILE_GET, 0);
 *	nest = mnl_attr_nest_start(nlh, LMIG_A_PROFILE);
 *	mnl_attr_put_u32(nlh, LMIG_PROFILE_A_USER_ID, 7);
 *	mnl_attr_nest_end(nlh, nest);
 *	err = lmig_genl_run(nl, nlh, on_reply, &ctx);
 *	if (err < 0)
 *		fprintf(stderr, "lmig: %s\n", lmig_genl_strerror(nl));
 *
 * Every request asks for an acknowledgement and extended ACK messages, so a
 * failure comes back as -errno with the kernel's explanation in
 * lmig_genl_error().
 */
#ifndef LMIG_GENL_H
#define LMIG_GENL_H

#include <stddef.h>
#include <stdint.h>

#include <linux/netlink.h>

/*
 * Room for one request: more than the largest profile needs, and room for
 * a few hundred ordinary profiles in one APPLY_ADD.
 */
#define LMIG_GENL_REQUEST_MAX 65536
/* Longest kernel message kept, with its NUL. */
#define LMIG_GENL_MSG_MAX 256

struct lmig_genl;

/*
 * What the kernel said about the last request that failed. Attribute
 * types are those of the uapi header; a nest type of 0 means the top
 * level of the request.
 */
struct lmig_genl_error {
	int error;		     /* -errno, 0 after a success */
	char msg[LMIG_GENL_MSG_MAX]; /* extended ACK text, "" if none */
	uint32_t offset;	     /* of the offending attribute, 0: none */
	/* The offending attribute, found in the request sent. */
	const struct nlattr *attr; /* in the handle; NULL if none */
	uint16_t attr_type;	   /* 0 when attr is NULL */
	uint16_t attr_nest;	   /* type of the nest holding attr */
	unsigned int attr_index;   /* attr is the n-th (from 0) of its type */
	/* A required attribute the request lacked. */
	uint16_t miss_type; /* 0 when none */
	uint16_t miss_nest; /* type of the nest lacking it */
	/*
	 * Which top-level attribute, counted (from 0) among those of its
	 * type, is attr or holds it; and which is the nest lacking
	 * miss_type. With repeated nests, such as the profiles of an
	 * APPLY_ADD, this says which one the kernel refused.
	 */
	unsigned int nest_index;
	unsigned int miss_nest_index;
};

/*
 * Called once per reply or event message of the family. Return 0 to go
 * on, or a negative errno to stop: lmig_genl_run() then drains the rest of
 * the reply and returns that value. A callback must not send requests on
 * the handle it is called from (the reply it reads is in the handle's
 * buffer): gather what a dump returns, then look things up.
 */
typedef int (*lmig_genl_cb)(const struct nlmsghdr *nlh, void *data);

/*
 * Open a socket and resolve the family and its events group. On failure
 * returns -errno and writes an explanation for a user to @why (when not
 * NULL): -ENOENT means the module is not loaded.
 */
int lmig_genl_open(struct lmig_genl **nlp, char *why, size_t why_len);
void lmig_genl_close(struct lmig_genl *nl);

/* The socket, to poll() for events. */
int lmig_genl_fd(const struct lmig_genl *nl);
uint16_t lmig_genl_family_id(const struct lmig_genl *nl);
/* Version of the family the loaded module speaks. */
uint32_t lmig_genl_family_version(const struct lmig_genl *nl);

/*
 * Start a request for @cmd in the handle's buffer, which holds
 * LMIG_GENL_REQUEST_MAX bytes. @flags: 0, or NLM_F_DUMP for a dump.
 * Valid until the next call of lmig_genl_request().
 */
struct nlmsghdr *lmig_genl_request(struct lmig_genl *nl, uint8_t cmd,
				   uint16_t flags);

/*
 * Send @req and hand every reply message to @cb (which may be NULL) until
 * the kernel acknowledges the request or ends the dump. Returns 0; the
 * kernel's -errno (see lmig_genl_error()); what @cb returned; -EINTR when a
 * dump was interrupted by a change of the table (every message was still
 * handed to @cb: dump again); or another -errno when the socket failed.
 */
int lmig_genl_run(struct lmig_genl *nl, struct nlmsghdr *req, lmig_genl_cb cb,
		  void *data);

/*
 * Send a request for @cmd without attributes and wait for its
 * acknowledgement, leaving lmig_genl_error() and the request it points
 * into as they were: to clean up after a failure (APPLY_ABORT) without
 * losing its explanation. Returns 0 or -errno.
 */
int lmig_genl_run_quiet(struct lmig_genl *nl, uint8_t cmd);

/* Details of the last failure of lmig_genl_run(). */
const struct lmig_genl_error *lmig_genl_error(const struct lmig_genl *nl);

/*
 * The last failure in one line for a user: the kernel's message when it
 * gave one, otherwise a description of the error. Valid until the next
 * call on @nl.
 */
const char *lmig_genl_strerror(struct lmig_genl *nl);

/* Join the events group. -EPERM: the caller lacks CAP_NET_ADMIN. */
int lmig_genl_subscribe(struct lmig_genl *nl);

/*
 * Wait up to @timeout_ms (-1: no limit, 0: do not wait) for events and
 * hand each to @cb. Returns how many were handed over (at least 1),
 * -EAGAIN when none came in time, -ENOBUFS when events were lost (the
 * socket overflowed, or the kernel could not build one: dump again), or
 * another -errno.
 */
int lmig_genl_recv_events(struct lmig_genl *nl, int timeout_ms, lmig_genl_cb cb,
			  void *data);

#endif /* LMIG_GENL_H */

/* SPDX-License-Identifier: GPL-2.0-only WITH Linux-syscall-note */
/*
 * lmig: limited-migration authorisation policy, generic netlink API.
 *
 * Overview
 * ========
 *
 * The lmig module holds the partner system's limited-migration policy: one
 * profile per migrating user, saying which primary-system identities the
 * user arrives with, which mission-critical services the user may use here,
 * for how long, and whether the user is currently allowed in at all. Each
 * network namespace has its own independent table. The table is managed
 * over generic netlink, family LMIG_GENL_NAME, version LMIG_GENL_VERSION.
 *
 * Every command needs CAP_NET_ADMIN in the user namespace that owns the
 * network namespace of the requesting socket; so does joining the events
 * multicast group. Validation is strict: an attribute that a command does
 * not name below, an unknown attribute, a wrong type or length, a value out
 * of range or a set bit outside a mask is rejected with -EINVAL and an
 * extended ACK message that names the attribute. Nothing changes on any
 * error.
 *
 * Profile attributes (nested in LMIG_A_PROFILE)
 * ---------------------------------------------
 *
 *    LMIG_PROFILE_A_USER_ID: NLA_U32
 *        Assigned by the module when the profile is created, never chosen by
 *        userspace. Stable for the life of the profile and never reused in
 *        the namespace while the module stays loaded. Never 0.
 *    LMIG_PROFILE_A_PARTNER_ID: NLA_NUL_STRING, 1..LMIG_ID_MAX_LEN bytes
 *        The user's MC service ID in this (partner) system, e.g.
 *        "sip:alice@partner.example". Printable ASCII, no space. Unique in
 *        the table.
 *    LMIG_PROFILE_A_PRIMARY_ID: NLA_NUL_STRING, 1..LMIG_ID_MAX_LEN bytes
 *        An MC service ID the user holds in the primary system, as carried
 *        by the access token's mcptt_id, mcvideo_id or mcdata_id claims.
 *        Repeated once per ID, 1..LMIG_PRIMARY_IDS_MAX times, order kept.
 *        Each primary ID is unique across the whole table.
 *    LMIG_PROFILE_A_SERVICES: NLA_U32, mask of LMIG_SERVICE_* bits
 *        The MC services the user may use here. Never 0.
 *    LMIG_PROFILE_A_STATE: NLA_U32, enum lmig_state
 *        Absent on create means LMIG_STATE_ACTIVE.
 *    LMIG_PROFILE_A_NOT_BEFORE: NLA_U64, seconds since the Unix epoch (UTC)
 *    LMIG_PROFILE_A_NOT_AFTER: NLA_U64, seconds since the Unix epoch (UTC)
 *        Validity window of the permission. Absent or 0 means unbounded on
 *        that side. When both are set, NOT_BEFORE < NOT_AFTER. The module
 *        only stores the window; the agent applies it when admitting.
 *    LMIG_PROFILE_A_COMMENT: NLA_NUL_STRING, 0..LMIG_COMMENT_MAX_LEN bytes
 *        Free text for operators (bytes 0x20..0x7e and UTF-8). Empty clears
 *        it on set.
 *    LMIG_PROFILE_A_GENERATION: NLA_U64
 *        Read only: bumped on every change of this profile, starting at 1.
 *    LMIG_PROFILE_A_PAD: padding for 64-bit attributes, ignore.
 *
 * A profile in a reply or an event carries every field above but COMMENT,
 * which is left out when empty; NOT_BEFORE and NOT_AFTER of 0 mean
 * unbounded as on input.
 *
 * Commands
 * --------
 *
 * LMIG_CMD_PROFILE_NEW
 *    Create a profile. LMIG_A_PROFILE must hold PARTNER_ID, at least one
 *    PRIMARY_ID and SERVICES; may hold STATE, NOT_BEFORE, NOT_AFTER,
 *    COMMENT. USER_ID and GENERATION are rejected. Fails with -EEXIST (the
 *    message names the conflicting ID) if the partner ID or any primary ID
 *    is already in the table, and with -ENOSPC when the table is full. The
 *    reply carries the created profile in LMIG_A_PROFILE, so the caller
 *    learns the assigned user id.
 *
 * LMIG_CMD_PROFILE_SET
 *    Change selected fields of one profile. LMIG_A_PROFILE must hold
 *    exactly one selector, USER_ID or PARTNER_ID, and at least one of
 *    PRIMARY_ID (replaces the whole list), SERVICES, STATE, NOT_BEFORE,
 *    NOT_AFTER, COMMENT. Fields absent stay as they are. -ENOENT if the
 *    selector matches nothing. The reply carries the profile as it now is.
 *    Setting a profile to what it already holds changes nothing and sends
 *    no event.
 *
 * LMIG_CMD_PROFILE_DEL
 *    Delete one profile. LMIG_A_PROFILE holds exactly one selector,
 *    USER_ID or PARTNER_ID. -ENOENT if it matches nothing. The reply is
 *    the acknowledgment only; the DEL_NTF event carries the profile.
 *
 * LMIG_CMD_PROFILE_GET
 *    Without NLM_F_DUMP: LMIG_A_PROFILE holds exactly one selector,
 *    USER_ID, PARTNER_ID or PRIMARY_ID; the reply is that profile or
 *    -ENOENT. With NLM_F_DUMP: no attributes; one message per profile, in
 *    ascending user id order. A dump resumes where the previous message
 *    ended; if the table changes while a dump is in progress, the message
 *    after the change carries NLM_F_DUMP_INTR and the listener should dump
 *    again.
 *
 * LMIG_CMD_INFO_GET
 *    No attributes. The reply's LMIG_A_INFO nest holds:
 *        LMIG_INFO_A_EPOCH: NLA_U64, random, chosen when the namespace's
 *            table is created; it changes when the module is reloaded or
 *            the namespace re-created, telling a consumer that user ids it
 *            holds from before mean nothing now.
 *        LMIG_INFO_A_GENERATION: NLA_U64, the table generation (see events).
 *        LMIG_INFO_A_PROFILES: NLA_U32, number of profiles.
 *        LMIG_INFO_A_MAX_PROFILES: NLA_U32, the limit on profiles.
 *
 * Events
 * ------
 *
 * Every change of the table is announced on the multicast group
 * LMIG_MCGRP_EVENTS, in the namespace where it happened, as a message with
 * one of these commands:
 *
 *    LMIG_CMD_PROFILE_NEW_NTF     LMIG_A_PROFILE: the new profile
 *    LMIG_CMD_PROFILE_CHANGE_NTF  LMIG_A_PROFILE: as it now is,
 *                                 LMIG_A_OLD_PROFILE: as it was
 *    LMIG_CMD_PROFILE_DEL_NTF     LMIG_A_PROFILE: the profile removed
 *
 * Each event also carries LMIG_A_GENERATION (NLA_U64), the table generation
 * after the change. The table generation starts at 0 and grows by exactly
 * one per event, so a listener that sees a step larger than one has missed
 * events (for instance its socket buffer overflowed) and should dump again;
 * so should a listener whose socket reports ENOBUFS.
 * LMIG_A_PAD is padding for 64-bit attributes.
 *
 * Errors
 * ------
 *
 *    -EINVAL   an attribute is malformed, out of range, missing or not
 *              allowed for the command (extack names it)
 *    -EEXIST   create or set would duplicate a partner or primary ID
 *    -ENOENT   no profile matches the selector
 *    -ENOSPC   the profile limit of the namespace is reached
 *    -EPERM    the caller lacks CAP_NET_ADMIN
 *    -ENOMEM   out of memory; nothing was changed
 */
#ifndef _UAPI_LINUX_LMIG_H
#define _UAPI_LINUX_LMIG_H

#define LMIG_GENL_NAME		"lmig"
#define LMIG_GENL_VERSION	1
#define LMIG_MCGRP_EVENTS	"events"

/* Longest partner or primary MC service ID, not counting the NUL. */
#define LMIG_ID_MAX_LEN		255
/* Longest operator comment, not counting the NUL. */
#define LMIG_COMMENT_MAX_LEN	255
/* Most primary IDs one profile may answer for. */
#define LMIG_PRIMARY_IDS_MAX	16

/* MC services a profile may permit (LMIG_PROFILE_A_SERVICES bits). */
#define LMIG_SERVICE_PTT	(1U << 0)	/* MCPTT */
#define LMIG_SERVICE_VIDEO	(1U << 1)	/* MCVideo */
#define LMIG_SERVICE_DATA	(1U << 2)	/* MCData */
#define LMIG_SERVICES_ALL	\
	(LMIG_SERVICE_PTT | LMIG_SERVICE_VIDEO | LMIG_SERVICE_DATA)

enum lmig_state {
	LMIG_STATE_UNSPEC,
	LMIG_STATE_ACTIVE,	/* traffic of admitted sessions passes */
	LMIG_STATE_SUSPENDED,	/* no session of this user passes */
	__LMIG_STATE_MAX,
	LMIG_STATE_MAX = __LMIG_STATE_MAX - 1
};

enum lmig_cmd {
	LMIG_CMD_UNSPEC,
	LMIG_CMD_PROFILE_NEW,
	LMIG_CMD_PROFILE_SET,
	LMIG_CMD_PROFILE_DEL,
	LMIG_CMD_PROFILE_GET,
	LMIG_CMD_INFO_GET,
	LMIG_CMD_PROFILE_NEW_NTF,
	LMIG_CMD_PROFILE_CHANGE_NTF,
	LMIG_CMD_PROFILE_DEL_NTF,
	__LMIG_CMD_MAX,
	LMIG_CMD_MAX = __LMIG_CMD_MAX - 1
};

enum lmig_attr {
	LMIG_A_UNSPEC,
	LMIG_A_PAD,
	LMIG_A_PROFILE,		/* nest, enum lmig_profile_attr */
	LMIG_A_OLD_PROFILE,	/* nest, enum lmig_profile_attr; events only */
	LMIG_A_GENERATION,	/* u64, table generation; events only */
	LMIG_A_INFO,		/* nest, enum lmig_info_attr; replies only */
	__LMIG_A_MAX,
	LMIG_A_MAX = __LMIG_A_MAX - 1
};

enum lmig_profile_attr {
	LMIG_PROFILE_A_UNSPEC,
	LMIG_PROFILE_A_PAD,
	LMIG_PROFILE_A_USER_ID,
	LMIG_PROFILE_A_PARTNER_ID,
	LMIG_PROFILE_A_PRIMARY_ID,
	LMIG_PROFILE_A_SERVICES,
	LMIG_PROFILE_A_STATE,
	LMIG_PROFILE_A_NOT_BEFORE,
	LMIG_PROFILE_A_NOT_AFTER,
	LMIG_PROFILE_A_COMMENT,
	LMIG_PROFILE_A_GENERATION,
	__LMIG_PROFILE_A_MAX,
	LMIG_PROFILE_A_MAX = __LMIG_PROFILE_A_MAX - 1
};

enum lmig_info_attr {
	LMIG_INFO_A_UNSPEC,
	LMIG_INFO_A_PAD,
	LMIG_INFO_A_EPOCH,
	LMIG_INFO_A_GENERATION,
	LMIG_INFO_A_PROFILES,
	LMIG_INFO_A_MAX_PROFILES,
	__LMIG_INFO_A_MAX,
	LMIG_INFO_A_MAX = __LMIG_INFO_A_MAX - 1
};

#endif /* _UAPI_LINUX_LMIG_H */

/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Shared by the tests of lmig.ko: run only where the module can be tested,
 * give each test an empty table of its own, make predictable profiles and
 * check refusals precisely.
 */
#ifndef LMIG_KMOD_TEST_H
#define LMIG_KMOD_TEST_H

#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <libmnl/libmnl.h>
#include <linux/lmig.h>

#include "kselftest_harness.h"
#include "genl.h"
#include "profile.h"

/* Skip the whole program where the module cannot be tested. */
static inline void lmig_test_require_module(void)
{
	struct lmig_genl *nl;
	char why[256];

	if (geteuid() != 0) {
		ksft_print_header();
		ksft_exit_skip("needs root, for network namespaces\n");
	}
	if (lmig_genl_open(&nl, why, sizeof(why))) {
		ksft_print_header();
		ksft_exit_skip("%s\n", why);
	}
	lmig_genl_close(nl);
}

#define LMIG_TEST_MAIN                               \
	int main(int argc, char **argv)              \
	{                                            \
		lmig_test_require_module();          \
		return test_harness_run(argc, argv); \
	}

/*
 * Move the calling test (each runs in a process of its own) to a new
 * network namespace, whose table is empty, and open a handle there.
 */
static inline struct lmig_genl *lmig_test_fresh_netns(
	struct __test_metadata *_metadata)
{
	struct lmig_genl *nl;
	char why[256];

	ASSERT_EQ(0, unshare(CLONE_NEWNET))
	TH_LOG("unshare(CLONE_NEWNET): %s", strerror(errno));
	ASSERT_EQ(0, lmig_genl_open(&nl, why, sizeof(why)))
	TH_LOG("%s", why);
	return nl;
}

/*
 * A valid profile: partner ID "sip:NAME@partner.example", primary ID
 * "sip:NAME@primary.example", MCPTT.
 */
static inline void lmig_test_profile(struct lmig_profile *p, const char *name)
{
	char id[LMIG_ID_MAX_LEN + 1];

	lmig_profile_init(p);
	snprintf(id, sizeof(id), "sip:%s@partner.example", name);
	lmig_profile_set_partner_id(p, id);
	snprintf(id, sizeof(id), "sip:%s@primary.example", name);
	lmig_profile_add_primary_id(p, id);
	p->services = LMIG_SERVICE_PTT;
	p->fields |= LMIG_PF_SERVICES;
}

/* Create the profile of lmig_test_profile(@name); returns its user id. */
static inline uint32_t lmig_test_add(struct __test_metadata *_metadata,
				     struct lmig_genl *nl, const char *name)
{
	struct lmig_profile p, reply;

	lmig_test_profile(&p, name);
	ASSERT_EQ(0, lmig_profile_request(nl, LMIG_CMD_PROFILE_NEW, &p,
					  LMIG_PF_WRITABLE, &reply))
	TH_LOG("adding %s: %s", name, lmig_genl_strerror(nl));
	return reply.user_id;
}

static inline struct lmig_info lmig_test_info(struct __test_metadata *_metadata,
					      struct lmig_genl *nl)
{
	struct lmig_info info;

	ASSERT_EQ(0, lmig_info_get(nl, &info))
	TH_LOG("INFO_GET: %s", lmig_genl_strerror(nl));
	return info;
}

/*
 * Send @nlh: it must fail with @err and the kernel's message @text,
 * pointing at an attribute of type @type in the nest of type @nest
 * (0: top level; type 0: no attribute).
 */
#define ASSERT_REFUSED(nl, nlh, err, text, nest, type)              \
	do {                                                        \
		const struct lmig_genl_error *__e;                  \
		ASSERT_EQ(err, lmig_genl_run(nl, nlh, NULL, NULL)); \
		__e = lmig_genl_error(nl);                          \
		ASSERT_STREQ(text, __e->msg);                       \
		ASSERT_EQ(nest, __e->attr_nest);                    \
		ASSERT_EQ(type, __e->attr_type);                    \
	} while (0)

/* The table's generation and size are what they were in @before. */
#define ASSERT_UNCHANGED(nl, before)                                    \
	do {                                                            \
		struct lmig_info __now = lmig_test_info(_metadata, nl); \
		ASSERT_EQ((before).generation, __now.generation);       \
		ASSERT_EQ((before).profiles, __now.profiles);           \
	} while (0)

#endif /* LMIG_KMOD_TEST_H */

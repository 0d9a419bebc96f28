/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Shared by the tests of lmig.ko: run only where the module can be tested,
 * give each test an empty table of its own, make predictable profiles and
 * check refusals precisely.
 */
#ifndef LMIG_KMOD_TEST_H
#define LMIG_KMOD_TEST_H

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
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

/* Profiles alive in all namespaces together, kept by the module. */
#define LMIG_TEST_LIVE_PROFILES "/sys/kernel/debug/lmig/profiles"

/* The module's count of live profiles (staged ones too), or -1. */
static inline long lmig_test_live_profiles(void)
{
	FILE *f = fopen(LMIG_TEST_LIVE_PROFILES, "r");
	long n = -1;

	if (!f)
		return -1;
	if (fscanf(f, "%ld", &n) != 1)
		n = -1;
	fclose(f);
	return n;
}

/*
 * Profile @i of a numbered batch: partner ID "sip:PREFIX<i>@partner.example"
 * and @ids primary IDs "sip:PREFIX<i>[-k]@primary.example", MCPTT.
 */
static inline void lmig_test_numbered(struct lmig_profile *p,
				      const char *prefix, unsigned long i,
				      unsigned int ids)
{
	char name[64], id[LMIG_ID_MAX_LEN + 1];

	snprintf(name, sizeof(name), "%s%lu", prefix, i);
	lmig_test_profile(p, name);
	for (unsigned int k = 1; k < ids; k++) {
		snprintf(id, sizeof(id), "sip:%s%lu-%u@primary.example", prefix,
			 i, k);
		lmig_profile_add_primary_id(p, id);
	}
}

/* Profiles built at once for an APPLY_ADD. */
#define LMIG_TEST_CHUNK 64

/*
 * Make the table hold exactly the numbered profiles PREFIX<first> ..
 * PREFIX<first + n - 1>, each with @ids primary IDs, in one apply.
 * Returns 0 or the -errno of the step that failed (the transaction is
 * then aborted).
 */
static inline int lmig_test_apply_numbered(struct lmig_genl *nl,
					   const char *prefix,
					   unsigned long first, unsigned long n,
					   unsigned int ids,
					   struct lmig_summary *sum)
{
	static struct lmig_profile chunk[LMIG_TEST_CHUNK];
	unsigned long done = 0;
	int ret;

	ret = lmig_apply_begin(nl);
	while (!ret && done < n) {
		unsigned long k = n - done < LMIG_TEST_CHUNK ? n - done
							     : LMIG_TEST_CHUNK;

		for (unsigned long j = 0; j < k; j++)
			lmig_test_numbered(&chunk[j], prefix, first + done + j,
					   ids);
		ret = lmig_apply_add(nl, chunk, k, NULL);
		done += k;
	}
	if (!ret)
		ret = lmig_apply_commit(nl, (uint32_t)n, sum);
	if (ret && ret != -EBUSY)
		lmig_apply_abort(nl);
	return ret;
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

/*
 * The table as a dump shows it, then checked through every index: each
 * profile as the API promises it and found alike by user id, partner ID
 * and each primary ID, the counts of INFO_GET matching, and no apply
 * transaction left open. For a table nobody else changes meanwhile.
 */
struct lmig_test_snapshot {
	struct lmig_profile *v;
	size_t n, cap;
};

static inline int lmig_test_audit_collect(const struct lmig_profile *p,
					  void *data)
{
	struct lmig_test_snapshot *a = data;

	if (a->n == a->cap) {
		size_t cap = a->cap ? 2 * a->cap : 16;
		struct lmig_profile *v = realloc(a->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		a->v = v;
		a->cap = cap;
	}
	a->v[a->n++] = *p;
	return 0;
}

static inline bool lmig_test_same(const struct lmig_profile *a,
				  const struct lmig_profile *b)
{
	if (a->user_id != b->user_id || a->generation != b->generation ||
	    strcmp(a->partner_id, b->partner_id) ||
	    a->n_primary_ids != b->n_primary_ids || a->state != b->state ||
	    a->services != b->services || a->not_before != b->not_before ||
	    a->not_after != b->not_after || strcmp(a->comment, b->comment))
		return false;
	for (unsigned int i = 0; i < a->n_primary_ids; i++)
		if (strcmp(a->primary_ids[i], b->primary_ids[i]))
			return false;
	return true;
}

/* A profile as the API promises it, found alike by each of its IDs. */
static inline int lmig_test_audit_one(struct lmig_genl *nl,
				      const struct lmig_profile *p)
{
	struct lmig_profile got;

	if (!p->services || p->state < LMIG_STATE_ACTIVE ||
	    p->state > LMIG_STATE_MAX || !p->n_primary_ids ||
	    (p->not_before && p->not_after && p->not_before >= p->not_after))
		return __LINE__;
	if (lmig_profile_get_by_user(nl, p->user_id, &got) ||
	    !lmig_test_same(p, &got))
		return __LINE__;
	if (lmig_profile_get_by_partner(nl, p->partner_id, &got) ||
	    !lmig_test_same(p, &got))
		return __LINE__;
	for (unsigned int i = 0; i < p->n_primary_ids; i++)
		if (lmig_profile_get_by_primary(nl, p->primary_ids[i], &got) ||
		    !lmig_test_same(p, &got))
			return __LINE__;
	return 0;
}

static inline void lmig_test_audit(struct __test_metadata *_metadata,
				   struct lmig_genl *nl)
{
	unsigned long primary_ids = 0, suspended = 0;
	struct lmig_test_snapshot a = {};
	struct lmig_info info;
	int ret = -EINTR;

	for (int i = 0; i < 10 && ret == -EINTR; i++) {
		a.n = 0;
		ret = lmig_profile_dump(nl, lmig_test_audit_collect, &a);
	}
	ASSERT_EQ(0, ret)
	TH_LOG("dump: %s", lmig_genl_strerror(nl));
	for (size_t i = 0; i < a.n; i++) {
		const struct lmig_profile *p = &a.v[i];

		if (i)
			ASSERT_LT(a.v[i - 1].user_id, p->user_id);
		ASSERT_EQ(0, lmig_test_audit_one(nl, p))
		TH_LOG("profile %u is wrong (check at line %d)", p->user_id,
		       lmig_test_audit_one(nl, p));
		primary_ids += p->n_primary_ids;
		suspended += p->state == LMIG_STATE_SUSPENDED;
	}
	info = lmig_test_info(_metadata, nl);
	ASSERT_EQ(a.n, info.profiles);
	ASSERT_EQ(primary_ids, info.primary_ids);
	ASSERT_EQ(suspended, info.suspended);
	ASSERT_EQ(0U, info.applies);
	ASSERT_EQ(0U, info.staged);
	TH_LOG("table: %zu profiles, generation %llu", a.n,
	       (unsigned long long)info.generation);
	free(a.v);
}

/* The profile limit, a module parameter that tests lower and restore. */
#define LMIG_TEST_MAX_PROFILES "/sys/module/lmig/parameters/max_profiles"

static inline unsigned int lmig_test_read_max_profiles(
	struct __test_metadata *_metadata)
{
	FILE *f = fopen(LMIG_TEST_MAX_PROFILES, "r");
	unsigned int value = 0;

	ASSERT_NE(NULL, f)
	TH_LOG("%s: %s", LMIG_TEST_MAX_PROFILES, strerror(errno));
	ASSERT_EQ(1, fscanf(f, "%u", &value));
	fclose(f);
	return value;
}

/* 0, or -1 with errno; no assertion, so that a teardown may call it. */
static inline int lmig_test_write_max_profiles(unsigned int value)
{
	FILE *f = fopen(LMIG_TEST_MAX_PROFILES, "w");

	if (!f)
		return -1;
	if (fprintf(f, "%u\n", value) < 0) {
		fclose(f);
		return -1;
	}
	return fclose(f) ? -1 : 0;
}

/*
 * The kernel log from now on (/dev/kmsg), so that a test can assert that
 * what it did made the kernel complain about nothing. -1 when it cannot
 * be read.
 */
static inline int lmig_test_kmsg_open(void)
{
	int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);

	if (fd >= 0)
		lseek(fd, 0, SEEK_END);
	return fd;
}

/*
 * Kernel log records since lmig_test_kmsg_open() that report a problem
 * (a warning, lockdep's included, a BUG, an oops, a sanitizer report, a
 * stall, the module's own leak report); the first
 * is copied to @first. Closes @fd. -1 when the log could not be read.
 */
static inline int lmig_test_kmsg_problems(int fd, char *first, size_t len)
{
	static const char *const marks[] = {
		"WARNING:",
		"BUG:",
		"Oops",
		"KASAN:",
		"UBSAN:",
		"kmemleak:",
		"detected stall",
		"blocked for more than",
		"general protection",
		"leaked",
	};
	char rec[8192];
	int problems = 0;
	ssize_t n;

	if (fd < 0)
		return -1;
	*first = '\0';
	for (;;) {
		n = read(fd, rec, sizeof(rec) - 1);
		if (n < 0 && errno == EPIPE)
			continue; /* records were overwritten: go on */
		if (n <= 0)
			break;
		rec[n] = '\0';
		for (size_t i = 0; i < sizeof(marks) / sizeof(marks[0]); i++) {
			if (!strstr(rec, marks[i]))
				continue;
			if (!problems++) {
				size_t m = (size_t)n < len ? (size_t)n
							   : len - 1;

				memcpy(first, rec, m);
				first[m] = '\0';
			}
			break;
		}
	}
	close(fd);
	return problems;
}

/* Fail the test if the kernel logged a problem since @fd was opened. */
#define ASSERT_KERNEL_QUIET(fd)                                                \
	do {                                                                   \
		char first_[512];                                              \
		ASSERT_EQ(0,                                                   \
			  lmig_test_kmsg_problems(fd, first_, sizeof(first_))) \
		TH_LOG("the kernel logged: %s", first_);                       \
	} while (0)

#endif /* LMIG_KMOD_TEST_H */

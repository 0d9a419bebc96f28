/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The "limit" fixture of the module tests: a fresh namespace, and the
 * profile limit (the max_profiles module parameter) restored afterwards,
 * so that a test may lower it.
 */
#ifndef LMIG_LIMIT_FIXTURE_H
#define LMIG_LIMIT_FIXTURE_H

#include "kmod_test.h"

FIXTURE(limit)
{
	struct lmig_genl *nl;
	unsigned int saved;
};

FIXTURE_SETUP(limit)
{
	self->nl = lmig_test_fresh_netns(_metadata);
	self->saved = lmig_test_read_max_profiles(_metadata);
}

/* No assertion here: one failing in a teardown would run it again. */
FIXTURE_TEARDOWN(limit)
{
	if (lmig_test_write_max_profiles(self->saved))
		TH_LOG("cannot restore %s: %s", LMIG_TEST_MAX_PROFILES,
		       strerror(errno));
	lmig_genl_close(self->nl);
}

#endif /* LMIG_LIMIT_FIXTURE_H */

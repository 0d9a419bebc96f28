// SPDX-License-Identifier: GPL-2.0-only
/* The live profile table, read whole in one consistent dump. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lmigctl.h"
#include "table.h"

/* A table changing all the time is dumped again, a few times. */
#define DUMP_TRIES 5

static int push(const struct lmig_profile *p, void *data)
{
	struct ctl_table *t = data;

	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 64;
		struct lmig_profile *v = realloc(t->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		t->v = v;
		t->cap = cap;
	}
	t->v[t->n++] = *p;
	return 0;
}

int ctl_table_dump(struct ctl *c, const char *what, struct ctl_table *t)
{
	struct lmig_genl *nl = ctl_genl(c);
	int err, tries = 0;

	memset(t, 0, sizeof(*t));
	if (!nl)
		return CTL_UNAVAILABLE;
	do {
		t->n = 0;
		err = lmig_profile_dump(nl, push, t);
	} while (err == -EINTR && ++tries < DUMP_TRIES);
	if (err == -ENOMEM) {
		ctl_error("%s: out of memory", what);
		return CTL_FAILED;
	}
	if (err == -EINTR) {
		ctl_error("%s: the table kept changing while it was read; "
			  "try again",
			  what);
		return CTL_FAILED;
	}
	if (err) {
		ctl_kernel_error(c, what, NULL);
		return ctl_exit_for(err);
	}
	return CTL_OK;
}

void ctl_table_free(struct ctl_table *t)
{
	free(t->v);
	memset(t, 0, sizeof(*t));
}

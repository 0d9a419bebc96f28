/* SPDX-License-Identifier: GPL-2.0-only */
/* The live profile table, read whole (apply, export). */
#ifndef LMIG_CTL_TABLE_H
#define LMIG_CTL_TABLE_H

#include <stddef.h>

#include "lmigctl.h"

struct ctl_table {
	struct lmig_profile *v; /* in user id order */
	size_t n, cap;
};

/*
 * Dump the kernel's table into t, again when it changed meanwhile.
 * Returns CTL_OK, or the exit status after printing why (what names the
 * command).
 */
int ctl_table_dump(struct ctl *c, const char *what, struct ctl_table *t);
void ctl_table_free(struct ctl_table *t);

#endif /* LMIG_CTL_TABLE_H */

/* SPDX-License-Identifier: GPL-2.0-only */
/* What lmigctl services and services set share. */
#ifndef LMIG_CTL_SERVICES_H
#define LMIG_CTL_SERVICES_H

#include "fastpath.h"
#include "lmigctl.h"

/* The instance's pinned maps; NULL after printing why, *ret the status. */
struct lmig_fp *ctl_services_open(struct ctl *c, const char *what, int *ret);

/* lmigctl services set ARGS (after "set"). */
int ctl_services_set(struct ctl *c, int argc, char **argv);

#endif /* LMIG_CTL_SERVICES_H */

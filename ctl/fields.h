/* SPDX-License-Identifier: GPL-2.0-only */
/* Which fields of two profiles differ, named as the profiles file does. */
#ifndef LMIG_CTL_FIELDS_H
#define LMIG_CTL_FIELDS_H

#include <stdint.h>

#include "profile.h"

/*
 * LMIG_PF_* bits of the content fields that differ between a and b:
 * primary IDs (in order), services, state, window, comment. Partner IDs,
 * user ids and generations are left aside.
 */
uint32_t ctl_profile_diff(const struct lmig_profile *a,
			  const struct lmig_profile *b);

/* Print the fields of diff as a "key" array (JSON) or " name" words. */
void ctl_print_fields(const char *key, uint32_t diff);

#endif /* LMIG_CTL_FIELDS_H */

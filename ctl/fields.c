// SPDX-License-Identifier: GPL-2.0-only
/* Which fields of two profiles differ. */
#include <string.h>

#include "fields.h"
#include "print.h"

static const struct {
	uint32_t field;
	const char *name;
} field_names[] = {
	{LMIG_PF_PRIMARY_IDS, "primary"}, {LMIG_PF_SERVICES, "services"},
	{LMIG_PF_STATE, "state"},	  {LMIG_PF_NOT_BEFORE, "not-before"},
	{LMIG_PF_NOT_AFTER, "not-after"}, {LMIG_PF_COMMENT, "comment"},
};

uint32_t ctl_profile_diff(const struct lmig_profile *a,
			  const struct lmig_profile *b)
{
	uint32_t d = 0;

	if (a->n_primary_ids != b->n_primary_ids)
		d |= LMIG_PF_PRIMARY_IDS;
	for (unsigned int i = 0; !d && i < a->n_primary_ids; i++)
		if (strcmp(a->primary_ids[i], b->primary_ids[i]))
			d |= LMIG_PF_PRIMARY_IDS;
	if (a->services != b->services)
		d |= LMIG_PF_SERVICES;
	if (a->state != b->state)
		d |= LMIG_PF_STATE;
	if (a->not_before != b->not_before)
		d |= LMIG_PF_NOT_BEFORE;
	if (a->not_after != b->not_after)
		d |= LMIG_PF_NOT_AFTER;
	if (strcmp(a->comment, b->comment))
		d |= LMIG_PF_COMMENT;
	return d;
}

void ctl_print_fields(const char *key, uint32_t diff)
{
	print_open_array(key);
	for (size_t k = 0; k < sizeof(field_names) / sizeof(*field_names); k++)
		if (diff & field_names[k].field)
			print_string(PRINT_ANY, NULL, " %s",
				     field_names[k].name);
	print_close_array();
}

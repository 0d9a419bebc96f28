// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer: the profiles file parser. What it accepts, written back out
 * by lmig_profiles_write() and parsed again, is the same policy.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "profiles_file.h"

static void same(const struct lmig_profile *a, const struct lmig_profile *b)
{
	if (strcmp(a->partner_id, b->partner_id) ||
	    a->n_primary_ids != b->n_primary_ids ||
	    a->services != b->services || a->state != b->state ||
	    a->not_before != b->not_before || a->not_after != b->not_after ||
	    strcmp(a->comment, b->comment))
		abort();
	for (unsigned int i = 0; i < a->n_primary_ids; i++)
		if (strcmp(a->primary_ids[i], b->primary_ids[i]))
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct lmig_profiles ps, again;
	char err[512], *buf = NULL;
	size_t len = 0;
	FILE *f;

	if (size > 65536)
		return 0;
	if (lmig_profiles_parse((const char *)data, size, "f", &ps, err,
				sizeof(err))) {
		if (strncmp(err, "f:", 2))
			abort();
		return 0;
	}
	f = open_memstream(&buf, &len);
	if (!f)
		abort();
	for (size_t i = 0; i < ps.n; i++)
		lmig_profiles_write(f, &ps.v[i]);
	fclose(f);
	if (lmig_profiles_parse(buf, len, "again", &again, err, sizeof(err)) ||
	    again.n != ps.n)
		abort();
	for (size_t i = 0; i < ps.n; i++)
		same(&ps.v[i], &again.v[i]);
	lmig_profiles_free(&again);
	lmig_profiles_free(&ps);
	free(buf);
	return 0;
}

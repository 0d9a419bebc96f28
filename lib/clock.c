// SPDX-License-Identifier: GPL-2.0-only
/* CLOCK_MONOTONIC, the clock of every time in the fast-path maps. */
#include <time.h>

#include "clock.h"

static int read_ns(clockid_t id, int64_t *ns)
{
	struct timespec ts;

	if (clock_gettime(id, &ts))
		return -1;
	*ns = (int64_t)ts.tv_sec * (int64_t)LMIG_NSEC_PER_SEC + ts.tv_nsec;
	return 0;
}

uint64_t lmig_clock_now_ns(void)
{
	int64_t ns;

	if (read_ns(CLOCK_MONOTONIC_COARSE, &ns) || ns < 0)
		return LMIG_TIME_NEVER;
	return (uint64_t)ns;
}

uint64_t lmig_clock_precise_ns(void)
{
	int64_t ns;

	if (read_ns(CLOCK_MONOTONIC, &ns) || ns < 0)
		return 0;
	return (uint64_t)ns;
}

int64_t lmig_clock_offset_ns(void)
{
	int64_t before, real, after;

	/* The exact clocks: pair the wall clock with the middle of two
	 * monotonic reads. */
	if (read_ns(CLOCK_MONOTONIC, &before) ||
	    read_ns(CLOCK_REALTIME, &real) || read_ns(CLOCK_MONOTONIC, &after))
		return 0;
	return real - (before + (after - before) / 2);
}

/* |offset| for a negative offset, without overflow at INT64_MIN. */
static uint64_t offset_magnitude(int64_t offset_ns)
{
	return (uint64_t) - (offset_ns + 1) + 1;
}

uint64_t lmig_clock_from_unix_at(uint64_t unix_s, int64_t offset_ns)
{
	uint64_t ns;

	if (unix_s == 0 || unix_s == LMIG_TIME_NEVER)
		return unix_s;
	if (unix_s > LMIG_TIME_NEVER / LMIG_NSEC_PER_SEC)
		return LMIG_TIME_NEVER;
	ns = unix_s * LMIG_NSEC_PER_SEC;
	if (offset_ns >= 0) {
		/* At or before boot: already in the past. */
		if (ns <= (uint64_t)offset_ns)
			return 0;
		return ns - (uint64_t)offset_ns;
	}
	/* The wall clock says boot was before 1970: move the other way. */
	if (ns >= LMIG_TIME_NEVER - offset_magnitude(offset_ns))
		return LMIG_TIME_NEVER;
	return ns + offset_magnitude(offset_ns);
}

uint64_t lmig_clock_to_unix_at(uint64_t mono_ns, int64_t offset_ns)
{
	uint64_t ns;

	if (mono_ns == 0 || mono_ns == LMIG_TIME_NEVER)
		return mono_ns;
	if (offset_ns >= 0) {
		if (mono_ns >= LMIG_TIME_NEVER - (uint64_t)offset_ns)
			return LMIG_TIME_NEVER;
		ns = mono_ns + (uint64_t)offset_ns;
	} else {
		/* Before the epoch: the earliest time we can show. */
		if (mono_ns <= offset_magnitude(offset_ns))
			return 0;
		ns = mono_ns - offset_magnitude(offset_ns);
	}
	return ns / LMIG_NSEC_PER_SEC;
}

uint64_t lmig_clock_from_unix(uint64_t unix_s)
{
	return lmig_clock_from_unix_at(unix_s, lmig_clock_offset_ns());
}

uint64_t lmig_clock_to_unix(uint64_t mono_ns)
{
	return lmig_clock_to_unix_at(mono_ns, lmig_clock_offset_ns());
}

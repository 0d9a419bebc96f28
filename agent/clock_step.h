/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Steps of the wall clock. Expiries in the fast path are CLOCK_MONOTONIC
 * times converted from Unix times (token exp, profile not-after) with the
 * distance between the two clocks at that moment (lib/clock.h). When the
 * wall clock is set forward (a gateway that ran slow gets the right time),
 * the same Unix time now lies earlier on the monotonic clock: every
 * expiry is brought forward by the step, so nothing outlives its token or
 * profile by the gateway's error. A step backward moves nothing: an
 * expiry is never made later than it was granted.
 *
 * Slewing (NTP's small corrections) is not a step: only a change of the
 * distance by more than LMIGD_CLOCK_STEP_NS counts.
 */
#ifndef LMIG_AGENT_CLOCK_STEP_H
#define LMIG_AGENT_CLOCK_STEP_H

#include <stddef.h>
#include <stdint.h>

#include "fastpath.h"

#define LMIGD_CLOCK_STEP_NS 1000000000LL

/*
 * *anchor_ns is the distance the fast path's expiries were written with.
 * Given the distance now, returns the step (ns, 0 if none) and moves the
 * anchor to now.
 */
int64_t lmigd_clock_step(int64_t *anchor_ns, int64_t offset_now_ns);

struct lmigd_clock_recheck {
	size_t admissions_ended; /* their new expiry had passed */
	size_t admissions_shortened;
	size_t users_shortened;
};

/*
 * Bring every admission expiry and user window end forward by step_ns
 * (> 0), as of now_ns; admissions left with nothing are removed. 0 or
 * -errno (msg filled); what was done before an error stays done.
 */
int lmigd_clock_recheck(struct lmig_fp *fp, int64_t step_ns, uint64_t now_ns,
			struct lmigd_clock_recheck *out, char *msg,
			size_t msglen);

struct lmigd;

/*
 * The agent's check, once a second and before every grant: on a step,
 * log it and (forward) recheck the fast path.
 */
void lmigd_clock_follow(struct lmigd *d);

#endif /* LMIG_AGENT_CLOCK_STEP_H */

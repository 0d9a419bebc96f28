/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The one clock of the fast path: nanoseconds of CLOCK_MONOTONIC. The XDP
 * program reads it with bpf_ktime_get_coarse_ns(), the time as of the last
 * timer tick, because that costs a few nanoseconds where the exact clocks
 * (bpf_ktime_get_ns(), bpf_ktime_get_boot_ns()) cost about six times as
 * much per packet (bench/fastpath shows both); it re-reads it only when a
 * tick has passed, so its "now" may lag by up to two ticks (8 ms at
 * HZ=250). Userspace reads the same clock the same way here, with
 * CLOCK_MONOTONIC_COARSE. Expiries are second-granular: the lag never
 * matters. The clock is never set; it stops while the machine is
 * suspended, which a gateway is not.
 *
 * Tokens and profiles speak Unix time in seconds. Convert once, when an
 * admission is granted, with lmig_clock_from_unix(); convert back only to
 * show a time to a person. The conversion uses the current distance
 * between CLOCK_REALTIME and CLOCK_MONOTONIC, so setting the wall clock
 * later does not move an expiry already written.
 *
 * Both directions saturate instead of wrapping, and keep two values:
 *   0                 "not set" (and, as an expiry, already past)
 *   LMIG_TIME_NEVER   "no limit"
 * A Unix time before boot becomes 0: already expired, failing closed.
 */
#ifndef LMIG_CLOCK_H
#define LMIG_CLOCK_H

#include <stdint.h>

#include "lmig_maps.h" /* LMIG_TIME_NEVER */

#define LMIG_NSEC_PER_SEC 1000000000ULL

/*
 * CLOCK_MONOTONIC_COARSE now, in ns: what the program compares expiries
 * with. The clock cannot fail on Linux; if it ever did, LMIG_TIME_NEVER is
 * returned so that every "now >= expiry" check fails closed.
 */
uint64_t lmig_clock_now_ns(void);

/*
 * CLOCK_MONOTONIC itself, to the nanosecond: for timeouts and latency,
 * where the coarse clock of lmig_clock_now_ns() moves too seldom.
 */
uint64_t lmig_clock_precise_ns(void);

/*
 * CLOCK_REALTIME minus CLOCK_MONOTONIC, in ns: the Unix time the monotonic
 * clock counts from, sampled now. Negative only if the wall clock is set
 * before boot.
 */
int64_t lmig_clock_offset_ns(void);

/* Unix seconds -> CLOCK_MONOTONIC ns, with offset from the function above. */
uint64_t lmig_clock_from_unix_at(uint64_t unix_s, int64_t offset_ns);

/* CLOCK_MONOTONIC ns -> Unix seconds (rounded down), same offset. */
uint64_t lmig_clock_to_unix_at(uint64_t mono_ns, int64_t offset_ns);

/* The two conversions with the offset sampled now. */
uint64_t lmig_clock_from_unix(uint64_t unix_s);
uint64_t lmig_clock_to_unix(uint64_t mono_ns);

#endif /* LMIG_CLOCK_H */

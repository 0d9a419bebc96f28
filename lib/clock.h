/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The one clock of the fast path: nanoseconds of CLOCK_BOOTTIME, which the
 * XDP program reads with bpf_ktime_get_boot_ns(). It keeps counting during
 * suspend and is never set, so an expiry written into a map means the same
 * moment to both sides of the map.
 *
 * Tokens and profiles speak Unix time in seconds. Convert once, when an
 * admission is granted, with lmig_clock_unix_to_boot(); convert back only
 * to show a time to a person. The conversion uses the current distance
 * between CLOCK_REALTIME and CLOCK_BOOTTIME, so setting the wall clock
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
 * CLOCK_BOOTTIME now, in ns. The clock cannot fail on Linux; if it ever
 * did, LMIG_TIME_NEVER is returned so that every "now >= expiry" check
 * fails closed.
 */
uint64_t lmig_clock_boot_ns(void);

/*
 * CLOCK_REALTIME minus CLOCK_BOOTTIME, in ns: the Unix time of boot,
 * sampled now. Negative only if the wall clock is set before boot.
 */
int64_t lmig_clock_boot_offset_ns(void);

/* Unix seconds -> CLOCK_BOOTTIME ns, with offset from the function above. */
uint64_t lmig_clock_unix_to_boot_at(uint64_t unix_s, int64_t offset_ns);

/* CLOCK_BOOTTIME ns -> Unix seconds (rounded down), same offset. */
uint64_t lmig_clock_boot_to_unix_at(uint64_t boot_ns, int64_t offset_ns);

/* The two conversions with the offset sampled now. */
uint64_t lmig_clock_unix_to_boot(uint64_t unix_s);
uint64_t lmig_clock_boot_to_unix(uint64_t boot_ns);

#endif /* LMIG_CLOCK_H */

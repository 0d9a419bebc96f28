/* SPDX-License-Identifier: GPL-2.0-only */
/* Unix times as people write and read them. */
#ifndef LMIG_TIMEFMT_H
#define LMIG_TIMEFMT_H

#include <stddef.h>
#include <stdint.h>

/*
 * Parse a time: Unix seconds ("1767225600"), UTC ISO 8601
 * ("2026-12-01T00:00:00Z", or just "2026-12-01"), or relative to now
 * ("+90", "+30m", "+12h", "+7d"). Returns 0, or -1 if text is none of
 * these or out of range.
 */
int lmig_time_parse(const char *text, int64_t now, uint64_t *out);

/* "2026-12-01T00:00:00Z" into buf (at least 21 bytes); returns buf. */
char *lmig_time_iso(uint64_t t, char *buf, size_t len);

/* A duration in seconds as "1d2h", "59m58s", "7s"; returns buf. */
char *lmig_duration(uint64_t seconds, char *buf, size_t len);

#endif /* LMIG_TIMEFMT_H */

// SPDX-License-Identifier: GPL-2.0-only
/* lmigd logging. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "log.h"

static enum lmigd_log_level log_max = LMIGD_INFO;
static bool log_journal;

void lmigd_log_init(enum lmigd_log_level max_level)
{
	log_max = max_level;
	/* The journal timestamps lines itself and reads "<N>" priorities. */
	log_journal = getenv("JOURNAL_STREAM") != NULL;
	setvbuf(stderr, NULL, _IOLBF, 0);
}

void lmigd_log(enum lmigd_log_level level, const char *fmt, ...)
{
	static const char *const names[] = {
		[LMIGD_ERR] = "error",	   [LMIGD_WARN] = "warning",
		[LMIGD_NOTICE] = "notice", [LMIGD_INFO] = "info",
		[LMIGD_DEBUG] = "debug",
	};
	va_list ap;

	if (level > log_max)
		return;
	if (log_journal) {
		fprintf(stderr, "<%d>", level);
	} else {
		struct timespec ts;
		struct tm tm;
		char when[32];

		clock_gettime(CLOCK_REALTIME, &ts);
		gmtime_r(&ts.tv_sec, &tm);
		strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S", &tm);
		fprintf(stderr, "%s.%03ldZ lmigd %s: ", when,
			ts.tv_nsec / 1000000, names[level]);
	}
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

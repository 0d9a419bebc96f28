/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The declarative profiles file (lmig-profiles(5)): the whole limited-
 * migration policy of a gateway, one profile per line, applied with
 * "lmigctl apply -f FILE" and printed by "lmigctl export".
 *
 *   # comment
 *   profile PARTNER-ID primary ID [primary ID]... services LIST \
 *           [state active|suspended] [not-before TIME] [not-after TIME] \
 *           [comment "TEXT"]
 *
 * Words are separated by blanks; a word in double quotes may hold blanks,
 * \" and \\; '#' at the start of a word begins a comment; a backslash at
 * the end of a line continues it. TIME is absolute (Unix seconds or
 * 2026-12-01T00:00:00Z), never relative, so that applying the same file
 * twice means the same thing. The file is checked whole against the
 * kernel's rules (IDs, duplicates, services, windows) before anything is
 * sent; every error names the file and line.
 */
#ifndef LMIG_PROFILES_FILE_H
#define LMIG_PROFILES_FILE_H

#include <stddef.h>
#include <stdio.h>

#include "profile.h"

/* Largest profiles file read. */
#define LMIG_PROFILES_FILE_MAX (256 * 1024 * 1024)

struct lmig_profiles {
	struct lmig_profile *v;
	int *line; /* line of each profile, for messages */
	size_t n, cap;
};

/*
 * Parse text (len bytes) named name in messages. Returns 0, or -1 with
 * "NAME:LINE: what" in err and out empty.
 */
int lmig_profiles_parse(const char *text, size_t len, const char *name,
			struct lmig_profiles *out, char *err, size_t errlen);

/* The same from a file; "-" reads standard input. */
int lmig_profiles_load(const char *path, struct lmig_profiles *out, char *err,
		       size_t errlen);

void lmig_profiles_free(struct lmig_profiles *ps);

/* Write p as one line of the file format (the fields it holds). */
void lmig_profiles_write(FILE *out, const struct lmig_profile *p);

#endif /* LMIG_PROFILES_FILE_H */

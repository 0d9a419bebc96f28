/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A small streaming JSON writer: objects, arrays, strings, integers and
 * booleans, compact or pretty. Members take a key inside objects and NULL
 * inside arrays or at the top. The caller keeps nesting balanced; depth is
 * bounded by JSONW_MAX_DEPTH.
 */
#ifndef LMIG_JSONW_H
#define LMIG_JSONW_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define JSONW_MAX_DEPTH 16

struct jsonw {
	FILE *out;
	bool pretty;
	int depth;
	bool has_member[JSONW_MAX_DEPTH];
};

void jsonw_init(struct jsonw *w, FILE *out, bool pretty);

void jsonw_start_object(struct jsonw *w, const char *key);
void jsonw_end_object(struct jsonw *w);
void jsonw_start_array(struct jsonw *w, const char *key);
void jsonw_end_array(struct jsonw *w);

void jsonw_string(struct jsonw *w, const char *key, const char *value);
void jsonw_uint(struct jsonw *w, const char *key, uint64_t value);
void jsonw_int(struct jsonw *w, const char *key, int64_t value);
void jsonw_bool(struct jsonw *w, const char *key, bool value);
void jsonw_null(struct jsonw *w, const char *key);

/* Write value as a JSON string literal, quotes included. */
void jsonw_quote(FILE *out, const char *value);

#endif /* LMIG_JSONW_H */

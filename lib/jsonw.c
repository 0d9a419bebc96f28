// SPDX-License-Identifier: GPL-2.0-only
/* A small streaming JSON writer. */
#include <inttypes.h>

#include "jsonw.h"

void jsonw_init(struct jsonw *w, FILE *out, bool pretty)
{
	w->out = out;
	w->pretty = pretty;
	w->depth = 0;
	w->has_member[0] = false;
}

void jsonw_quote(FILE *out, const char *s)
{
	fputc('"', out);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		switch (c) {
		case '"':
			fputs("\\\"", out);
			break;
		case '\\':
			fputs("\\\\", out);
			break;
		case '\n':
			fputs("\\n", out);
			break;
		case '\r':
			fputs("\\r", out);
			break;
		case '\t':
			fputs("\\t", out);
			break;
		default:
			if (c < 0x20 || c == 0x7f)
				fprintf(out, "\\u%04x", c);
			else
				fputc(c, out);
		}
	}
	fputc('"', out);
}

static void newline(struct jsonw *w)
{
	if (!w->pretty)
		return;
	fputc('\n', w->out);
	for (int i = 0; i < w->depth; i++)
		fputs("    ", w->out);
}

/* Separator, indentation and key of the next member. */
static void member(struct jsonw *w, const char *key)
{
	if (w->has_member[w->depth])
		fputc(',', w->out);
	if (w->depth > 0)
		newline(w);
	w->has_member[w->depth] = true;
	if (key) {
		jsonw_quote(w->out, key);
		fputs(w->pretty ? ": " : ":", w->out);
	}
}

static void open_scope(struct jsonw *w, const char *key, char bracket)
{
	member(w, key);
	fputc(bracket, w->out);
	if (w->depth < JSONW_MAX_DEPTH - 1)
		w->depth++;
	w->has_member[w->depth] = false;
}

static void close_scope(struct jsonw *w, char bracket)
{
	bool had = w->has_member[w->depth];

	if (w->depth > 0)
		w->depth--;
	if (had)
		newline(w);
	fputc(bracket, w->out);
	if (w->depth == 0 && w->pretty)
		fputc('\n', w->out);
}

void jsonw_start_object(struct jsonw *w, const char *key)
{
	open_scope(w, key, '{');
}

void jsonw_end_object(struct jsonw *w)
{
	close_scope(w, '}');
}

void jsonw_start_array(struct jsonw *w, const char *key)
{
	open_scope(w, key, '[');
}

void jsonw_end_array(struct jsonw *w)
{
	close_scope(w, ']');
}

void jsonw_string(struct jsonw *w, const char *key, const char *value)
{
	member(w, key);
	jsonw_quote(w->out, value);
}

void jsonw_uint(struct jsonw *w, const char *key, uint64_t value)
{
	member(w, key);
	fprintf(w->out, "%" PRIu64, value);
}

void jsonw_int(struct jsonw *w, const char *key, int64_t value)
{
	member(w, key);
	fprintf(w->out, "%" PRId64, value);
}

void jsonw_bool(struct jsonw *w, const char *key, bool value)
{
	member(w, key);
	fputs(value ? "true" : "false", w->out);
}

void jsonw_null(struct jsonw *w, const char *key)
{
	member(w, key);
	fputs("null", w->out);
}

/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A strict RFC 8259 JSON parser into a small read-only tree.
 *
 * Accepted is exactly the JSON grammar, with these further rules:
 *   - the input is UTF-8: no byte order mark, no overlong forms, no
 *     surrogate code points (U+D800..U+DFFF), nothing above U+10FFFF;
 *   - a \u escape of a surrogate must be a high surrogate immediately
 *     followed by a \u escaped low surrogate; lone halves are refused;
 *   - member names are unique within an object (compared after decoding
 *     escapes, so "a" and "\u0061" are the same name);
 *   - the input is at most limits->max_size bytes and containers nest at
 *     most limits->max_depth deep (a scalar alone has depth 0, "[]" 1).
 * Numbers are kept as their literal text and only converted on request,
 * so no precision is lost and huge literals are not an error of the
 * parser; the accessors below refuse what they cannot represent exactly.
 *
 * The whole tree lives in one arena owned by the document and is freed by
 * a single lmig_json_free(). Nothing is global: parsing and reading are
 * safe from several threads on different documents, and reading one
 * document from several threads is safe too.
 */
#ifndef LMIG_AGENT_JSON_H
#define LMIG_AGENT_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The deepest nesting any caller may ask for; bounds the parser's memory. */
#define LMIG_JSON_DEPTH_MAX 4096

/* The largest integer a NumericDate may hold: 2^53 - 1. */
#define LMIG_JSON_NUMERIC_DATE_MAX 9007199254740991LL

enum lmig_json_type {
	LMIG_JSON_NULL,
	LMIG_JSON_FALSE,
	LMIG_JSON_TRUE,
	LMIG_JSON_NUMBER,
	LMIG_JSON_STRING,
	LMIG_JSON_ARRAY,
	LMIG_JSON_OBJECT,
};

struct lmig_json_limits {
	size_t max_size;	/* bytes of input */
	unsigned int max_depth; /* 0..LMIG_JSON_DEPTH_MAX */
};

/* Where and why parsing stopped. */
struct lmig_json_error {
	size_t offset;	    /* byte offset into the input */
	const char *reason; /* static English text, never NULL on error */
};

struct lmig_json_doc; /* a parsed document: the arena and its root */
struct lmig_json;     /* one value inside a document */

/*
 * Parse len bytes of text. On success returns 0 and *doc, which the caller
 * frees with lmig_json_free(). On failure *doc is NULL, err (if not NULL)
 * says where and why, and the return value is:
 *   -EINVAL  the input is not JSON by the rules above
 *   -E2BIG   the input exceeds limits->max_size or limits->max_depth
 *   -ENOMEM  out of memory
 * A max_depth above LMIG_JSON_DEPTH_MAX is itself -EINVAL.
 */
int lmig_json_parse(const char *text, size_t len,
		    const struct lmig_json_limits *limits,
		    struct lmig_json_doc **doc, struct lmig_json_error *err);

/* Free a document and every value in it. NULL is allowed. */
void lmig_json_free(struct lmig_json_doc *doc);

/* The top-level value of a document. */
const struct lmig_json *lmig_json_root(const struct lmig_json_doc *doc);

enum lmig_json_type lmig_json_type(const struct lmig_json *v);

/* "null", "false", "true", "number", "string", "array", "object". */
const char *lmig_json_type_name(enum lmig_json_type type);

/*
 * A string's decoded UTF-8 bytes, NUL-terminated for convenience, with its
 * length in *len (if len is not NULL). The string may itself hold NUL
 * bytes (from "\u0000"), so use the length, or lmig_json_string_is(), and
 * never strcmp() on untrusted input. NULL if v is not a string.
 */
const char *lmig_json_string(const struct lmig_json *v, size_t *len);

/* True if v is a string equal to the NUL-terminated s, byte for byte. */
bool lmig_json_string_is(const struct lmig_json *v, const char *s);

/* True if v is a string holding no NUL byte: usable as a C string. */
bool lmig_json_string_is_cstr(const struct lmig_json *v);

/*
 * Number of items of an array or members of an object; 0 for any other
 * value.
 */
size_t lmig_json_count(const struct lmig_json *v);

/* Item i of an array, in document order; NULL if out of range. */
const struct lmig_json *lmig_json_item(const struct lmig_json *array, size_t i);

/*
 * Member i of an object, in the order of their names (by length, then
 * bytes), not document order; its name and name length are stored in
 * *name and *name_len when not NULL. NULL if out of range.
 */
const struct lmig_json *lmig_json_member(const struct lmig_json *object,
					 size_t i, const char **name,
					 size_t *name_len);

/*
 * The value of the member called name (NUL-terminated) of an object, in
 * logarithmic time; NULL if v is not an object or has no such member.
 */
const struct lmig_json *lmig_json_get(const struct lmig_json *object,
				      const char *name);

/* The literal text of a number as it appeared in the input; NULL if not. */
const char *lmig_json_number_text(const struct lmig_json *v, size_t *len);

/*
 * A number that is an integer literal (no fraction, no exponent) in the
 * range of int64_t. Returns 0 and *out, -EINVAL if v is not such a
 * literal, -ERANGE if it does not fit.
 */
int lmig_json_int64(const struct lmig_json *v, int64_t *out);

/*
 * A NumericDate (RFC 7519 section 2), read strictly: a non-negative
 * integer literal (no fraction, no exponent, no sign, no leading zero)
 * not above LMIG_JSON_NUMERIC_DATE_MAX, so that every JSON implementation
 * reads the same value. Returns 0 and *out, -EINVAL for anything else
 * (strings, floats, negatives, exponents), -ERANGE if it is too large.
 */
int lmig_json_numeric_date(const struct lmig_json *v, int64_t *out);

#endif /* LMIG_AGENT_JSON_H */

/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The layout of a parsed JSON tree, shared by the parser (json.c) and the
 * accessors (json_read.c) only: callers see opaque types (json.h).
 */
#ifndef LMIG_AGENT_JSON_TREE_H
#define LMIG_AGENT_JSON_TREE_H

#include <stddef.h>
#include <string.h>

#include "json.h"

/* Number literal flags, kept so accessors need not re-scan the text. */
#define NUM_NEGATIVE 0x1
#define NUM_FRACTION 0x2
#define NUM_EXPONENT 0x4

struct json_member {
	const char *name;
	size_t name_len;
	const struct lmig_json *value;
};

struct lmig_json {
	enum lmig_json_type type;
	unsigned int num_flags;
	size_t len; /* string or number bytes, items or members */
	union {
		const char *text;		      /* string, number */
		const struct lmig_json *const *items; /* array */
		const struct json_member *members;    /* object, sorted */
	} u;
};

/* Member order in an object: by name length, then bytes. */
static inline int json_member_cmp(const void *a, const void *b)
{
	const struct json_member *x = a, *y = b;

	if (x->name_len != y->name_len)
		return x->name_len < y->name_len ? -1 : 1;
	return memcmp(x->name, y->name, x->name_len);
}

struct arena_block;

struct lmig_json_doc {
	struct arena_block *blocks; /* newest first */
	size_t next_block;	    /* size of the next block to allocate */
	const struct lmig_json *root;
};

#endif /* LMIG_AGENT_JSON_TREE_H */

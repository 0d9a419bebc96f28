// SPDX-License-Identifier: GPL-2.0-only
/* Read-only accessors of a parsed JSON tree. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "json_tree.h"

const struct lmig_json *lmig_json_root(const struct lmig_json_doc *doc)
{
	return doc->root;
}

enum lmig_json_type lmig_json_type(const struct lmig_json *v)
{
	return v->type;
}

const char *lmig_json_type_name(enum lmig_json_type type)
{
	static const char *const names[] = {
		[LMIG_JSON_NULL] = "null",     [LMIG_JSON_FALSE] = "false",
		[LMIG_JSON_TRUE] = "true",     [LMIG_JSON_NUMBER] = "number",
		[LMIG_JSON_STRING] = "string", [LMIG_JSON_ARRAY] = "array",
		[LMIG_JSON_OBJECT] = "object",
	};

	if ((unsigned int)type >= sizeof(names) / sizeof(names[0]))
		return "?";
	return names[type];
}

const char *lmig_json_string(const struct lmig_json *v, size_t *len)
{
	if (!v || v->type != LMIG_JSON_STRING)
		return NULL;
	if (len)
		*len = v->len;
	return v->u.text;
}

bool lmig_json_string_is(const struct lmig_json *v, const char *s)
{
	size_t n = strlen(s);

	return v && v->type == LMIG_JSON_STRING && v->len == n &&
	       !memcmp(v->u.text, s, n);
}

bool lmig_json_string_is_cstr(const struct lmig_json *v)
{
	return v && v->type == LMIG_JSON_STRING &&
	       !memchr(v->u.text, '\0', v->len);
}

size_t lmig_json_count(const struct lmig_json *v)
{
	if (!v || (v->type != LMIG_JSON_ARRAY && v->type != LMIG_JSON_OBJECT))
		return 0;
	return v->len;
}

const struct lmig_json *lmig_json_item(const struct lmig_json *array, size_t i)
{
	if (!array || array->type != LMIG_JSON_ARRAY || i >= array->len)
		return NULL;
	return array->u.items[i];
}

const struct lmig_json *lmig_json_member(const struct lmig_json *object,
					 size_t i, const char **name,
					 size_t *name_len)
{
	if (!object || object->type != LMIG_JSON_OBJECT || i >= object->len)
		return NULL;
	if (name)
		*name = object->u.members[i].name;
	if (name_len)
		*name_len = object->u.members[i].name_len;
	return object->u.members[i].value;
}

const struct lmig_json *lmig_json_get(const struct lmig_json *object,
				      const char *name)
{
	struct json_member key = {.name = name, .name_len = strlen(name)};
	const struct json_member *m;

	if (!object || object->type != LMIG_JSON_OBJECT || !object->len)
		return NULL;
	m = bsearch(&key, object->u.members, object->len, sizeof(key),
		    json_member_cmp);
	return m ? m->value : NULL;
}

const char *lmig_json_number_text(const struct lmig_json *v, size_t *len)
{
	if (!v || v->type != LMIG_JSON_NUMBER)
		return NULL;
	if (len)
		*len = v->len;
	return v->u.text;
}

int lmig_json_int64(const struct lmig_json *v, int64_t *out)
{
	const char *s;
	int64_t acc = 0;
	bool negative;

	if (!v || v->type != LMIG_JSON_NUMBER ||
	    (v->num_flags & (NUM_FRACTION | NUM_EXPONENT)))
		return -EINVAL;
	negative = v->num_flags & NUM_NEGATIVE;
	/* Accumulate towards the sign so INT64_MIN is reachable. */
	for (s = v->u.text + negative; *s; s++) {
		int d = *s - '0';

		if (negative) {
			if (acc < (INT64_MIN + d) / 10)
				return -ERANGE;
			acc = acc * 10 - d;
		} else {
			if (acc > (INT64_MAX - d) / 10)
				return -ERANGE;
			acc = acc * 10 + d;
		}
	}
	*out = acc;
	return 0;
}

int lmig_json_numeric_date(const struct lmig_json *v, int64_t *out)
{
	int64_t value;
	int rc;

	if (!v || v->type != LMIG_JSON_NUMBER || v->num_flags)
		return -EINVAL;
	rc = lmig_json_int64(v, &value);
	if (rc)
		return rc;
	if (value > LMIG_JSON_NUMERIC_DATE_MAX)
		return -ERANGE;
	*out = value;
	return 0;
}

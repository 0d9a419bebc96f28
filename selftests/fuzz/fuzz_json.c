// SPDX-License-Identifier: GPL-2.0-only
/* libFuzzer: the strict JSON parser and every accessor on what it accepts. */
#include <stddef.h>
#include <stdint.h>

#include "json.h"

static void walk(const struct lmig_json *v, int depth)
{
	size_t len;
	int64_t i;

	if (!v || depth > 64)
		return;
	switch (lmig_json_type(v)) {
	case LMIG_JSON_STRING:
		lmig_json_string(v, &len);
		lmig_json_string_is_cstr(v);
		break;
	case LMIG_JSON_NUMBER:
		lmig_json_number_text(v, &len);
		lmig_json_int64(v, &i);
		lmig_json_numeric_date(v, &i);
		break;
	case LMIG_JSON_ARRAY:
		for (size_t k = 0; k < lmig_json_count(v); k++)
			walk(lmig_json_item(v, k), depth + 1);
		break;
	case LMIG_JSON_OBJECT:
		for (size_t k = 0; k < lmig_json_count(v); k++) {
			const char *name;

			walk(lmig_json_member(v, k, &name, &len), depth + 1);
		}
		lmig_json_get(v, "iss");
		break;
	default:
		break;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct lmig_json_limits limits = {.max_size = 16384,
						.max_depth = 16};
	struct lmig_json_doc *doc;
	struct lmig_json_error err;

	if (!lmig_json_parse((const char *)data, size, &limits, &doc, &err)) {
		walk(lmig_json_root(doc), 0);
		lmig_json_free(doc);
	}
	return 0;
}

// SPDX-License-Identifier: GPL-2.0-only
/*
 * The strict JSON parser: unit tests, then the JSONTestSuite corpus
 * (test_parsing/): every y_ file accepted but the two with duplicate
 * member names (refused by design, see y_refused_duplicates), every n_
 * file rejected, every i_ file handled as the policy table documents.
 */
#include <dirent.h>
#include <errno.h>
#include <string.h>

#include "kselftest_harness.h"

#include "json.h"
#include "testutil.h"

static const struct lmig_json_limits roomy = {
	.max_size = 1 << 20,
	.max_depth = 64,
};

/* Parse a C string; returns the parser's result. */
static int parse(const char *text, struct lmig_json_doc **doc)
{
	return lmig_json_parse(text, strlen(text), &roomy, doc, NULL);
}

static bool accepts(const char *text)
{
	struct lmig_json_doc *doc;
	int rc = parse(text, &doc);

	lmig_json_free(doc);
	return rc == 0;
}

TEST(object_lookup_and_types)
{
	struct lmig_json_doc *doc;
	const struct lmig_json *root, *v;
	const char *name;
	size_t len;

	ASSERT_EQ(0, parse(" {\"b\": [1, \"x\", null, true, false, {}],"
			   " \"a\": -1.5e3, \"ccc\": \"\"} ",
			   &doc));
	root = lmig_json_root(doc);
	ASSERT_EQ(LMIG_JSON_OBJECT, lmig_json_type(root));
	EXPECT_EQ(3, lmig_json_count(root));

	v = lmig_json_get(root, "b");
	ASSERT_NE(NULL, v);
	ASSERT_EQ(LMIG_JSON_ARRAY, lmig_json_type(v));
	ASSERT_EQ(6, lmig_json_count(v));
	EXPECT_EQ(LMIG_JSON_NUMBER, lmig_json_type(lmig_json_item(v, 0)));
	EXPECT_TRUE(lmig_json_string_is(lmig_json_item(v, 1), "x"));
	EXPECT_EQ(LMIG_JSON_NULL, lmig_json_type(lmig_json_item(v, 2)));
	EXPECT_EQ(LMIG_JSON_TRUE, lmig_json_type(lmig_json_item(v, 3)));
	EXPECT_EQ(LMIG_JSON_FALSE, lmig_json_type(lmig_json_item(v, 4)));
	EXPECT_EQ(LMIG_JSON_OBJECT, lmig_json_type(lmig_json_item(v, 5)));
	EXPECT_EQ(NULL, lmig_json_item(v, 6));

	EXPECT_STREQ("-1.5e3",
		     lmig_json_number_text(lmig_json_get(root, "a"), &len));
	EXPECT_EQ(6, len);
	EXPECT_TRUE(lmig_json_string_is(lmig_json_get(root, "ccc"), ""));
	EXPECT_EQ(NULL, lmig_json_get(root, "d"));
	EXPECT_EQ(NULL, lmig_json_get(root, "bb"));
	EXPECT_EQ(NULL, lmig_json_get(v, "b")); /* not an object */
	EXPECT_EQ(NULL, lmig_json_string(v, NULL));

	/* Members come in name order: by length, then bytes. */
	ASSERT_NE(NULL, lmig_json_member(root, 0, &name, &len));
	EXPECT_STREQ("a", name);
	lmig_json_member(root, 1, &name, &len);
	EXPECT_STREQ("b", name);
	lmig_json_member(root, 2, &name, &len);
	EXPECT_STREQ("ccc", name);
	EXPECT_EQ(NULL, lmig_json_member(root, 3, &name, &len));
	EXPECT_STREQ("object", lmig_json_type_name(LMIG_JSON_OBJECT));
	lmig_json_free(doc);
}

TEST(top_level_scalars)
{
	struct lmig_json_doc *doc;

	ASSERT_EQ(0, parse("\"x\"", &doc));
	EXPECT_TRUE(lmig_json_string_is(lmig_json_root(doc), "x"));
	lmig_json_free(doc);
	ASSERT_EQ(0, parse(" 0 ", &doc));
	EXPECT_EQ(LMIG_JSON_NUMBER, lmig_json_type(lmig_json_root(doc)));
	lmig_json_free(doc);
	EXPECT_TRUE(accepts("null"));
	EXPECT_FALSE(accepts(""));
	EXPECT_FALSE(accepts("  "));
	EXPECT_FALSE(accepts("nul"));
	EXPECT_FALSE(accepts("nulls"));
	EXPECT_FALSE(accepts("True"));
}

TEST(escapes_decode)
{
	struct lmig_json_doc *doc;
	const char *s;
	size_t len;

	ASSERT_EQ(0, parse("\"\\\"\\\\\\/\\b\\f\\n\\r\\t\\u0041\\u00e9"
			   "\\u20AC\\ud83d\\ude00\"",
			   &doc));
	s = lmig_json_string(lmig_json_root(doc), &len);
	ASSERT_NE(NULL, s);
	EXPECT_EQ(18, len);
	EXPECT_EQ(0, memcmp(s,
			    "\"\\/\b\f\n\r\tA\xc3\xa9\xe2\x82\xac"
			    "\xf0\x9f\x98\x80",
			    18));
	lmig_json_free(doc);
}

TEST(nul_escape_is_kept_and_flagged)
{
	struct lmig_json_doc *doc;
	const struct lmig_json *v;
	size_t len;

	ASSERT_EQ(0, parse("\"a\\u0000b\"", &doc));
	v = lmig_json_root(doc);
	ASSERT_NE(NULL, lmig_json_string(v, &len));
	EXPECT_EQ(3, len);
	EXPECT_FALSE(lmig_json_string_is_cstr(v));
	/* "a" is a prefix as a C string, but not equal. */
	EXPECT_FALSE(lmig_json_string_is(v, "a"));
	lmig_json_free(doc);
}

TEST(surrogate_escapes)
{
	EXPECT_TRUE(accepts("\"\\uD834\\uDD1E\""));
	EXPECT_FALSE(accepts("\"\\uD834\""));	      /* lone high */
	EXPECT_FALSE(accepts("\"\\uDD1E\""));	      /* lone low */
	EXPECT_FALSE(accepts("\"\\uDD1E\\uD834\""));  /* inverted */
	EXPECT_FALSE(accepts("\"\\uD834\\u0041\""));  /* high + non-low */
	EXPECT_FALSE(accepts("\"\\uD834\\uD834\""));  /* high + high */
	EXPECT_FALSE(accepts("\"\\uD834x\\uDD1E\"")); /* not adjacent */
	EXPECT_FALSE(accepts("\"\\uD834\\"));	      /* truncated */
	EXPECT_FALSE(accepts("\"\\u12\""));	      /* short */
	EXPECT_FALSE(accepts("\"\\u12G4\""));	      /* not hex */
	EXPECT_FALSE(accepts("\"\\x41\""));	      /* unknown escape */
	EXPECT_FALSE(accepts("\"\\U0041\""));	      /* capital U */
}

TEST(raw_utf8)
{
	EXPECT_TRUE(accepts("\"\xc3\xa9\""));	       /* U+00E9 */
	EXPECT_TRUE(accepts("\"\xef\xbf\xbf\""));      /* U+FFFF */
	EXPECT_TRUE(accepts("\"\xf4\x8f\xbf\xbf\""));  /* U+10FFFF */
	EXPECT_TRUE(accepts("\"\xed\x9f\xbf\""));      /* U+D7FF */
	EXPECT_TRUE(accepts("\"\xee\x80\x80\""));      /* U+E000 */
	EXPECT_FALSE(accepts("\"\xc0\x80\""));	       /* overlong NUL */
	EXPECT_FALSE(accepts("\"\xc1\xbf\""));	       /* overlong */
	EXPECT_FALSE(accepts("\"\xe0\x9f\xbf\""));     /* overlong 3 */
	EXPECT_FALSE(accepts("\"\xf0\x8f\xbf\xbf\"")); /* overlong 4 */
	EXPECT_FALSE(accepts("\"\xed\xa0\x80\""));     /* U+D800 */
	EXPECT_FALSE(accepts("\"\xed\xbf\xbf\""));     /* U+DFFF */
	EXPECT_FALSE(accepts("\"\xf4\x90\x80\x80\"")); /* U+110000 */
	EXPECT_FALSE(accepts("\"\xf5\x80\x80\x80\""));
	EXPECT_FALSE(accepts("\"\xff\""));
	EXPECT_FALSE(accepts("\"\x80\""));     /* lone continuation */
	EXPECT_FALSE(accepts("\"\xc3\""));     /* truncated */
	EXPECT_FALSE(accepts("\"\xe2\x82\"")); /* truncated */
	EXPECT_FALSE(accepts("\"\xc3\x28\"")); /* bad continuation */
	EXPECT_FALSE(accepts("\xc3\xa9"));     /* outside a string */
}

TEST(control_characters)
{
	EXPECT_FALSE(accepts("\"a\nb\""));
	EXPECT_FALSE(accepts("\"a\tb\""));
	EXPECT_FALSE(accepts("\"\x1f\""));
	EXPECT_TRUE(accepts("\"\x7f\"")); /* DEL is allowed by RFC 8259 */
	EXPECT_FALSE(lmig_json_parse("\"a\0b\"", 5, &roomy,
				     &(struct lmig_json_doc *){NULL},
				     NULL) == 0);
}

TEST(duplicate_names)
{
	EXPECT_FALSE(accepts("{\"a\":1,\"a\":2}"));
	EXPECT_FALSE(accepts("{\"a\":1,\"b\":0,\"a\":1}"));
	EXPECT_FALSE(accepts("{\"a\":1,\"\\u0061\":2}")); /* same decoded */
	EXPECT_FALSE(accepts("{\"\":1,\"\":2}"));
	EXPECT_TRUE(accepts("{\"a\":{\"a\":1},\"b\":{\"a\":1}}"));
	EXPECT_TRUE(accepts("{\"a\":1,\"A\":2,\"a \":3}"));
	/* Small and large objects are sorted differently: both checked. */
	for (size_t n = 2; n <= 40; n++) {
		char text[1024], *p = text;

		p += sprintf(p, "{");
		for (size_t i = 0; i < n; i++)
			p += sprintf(p, "\"m%zu\":%zu,", n - 1 - i, i);
		sprintf(p, "\"last\":0}");
		EXPECT_TRUE(accepts(text))
		{
			TH_LOG("%zu members refused", n);
		}
		sprintf(p, "\"m%zu\":0}", n / 2);
		EXPECT_FALSE(accepts(text))
		{
			TH_LOG("%zu members and a duplicate accepted", n);
		}
	}
}

TEST(grammar_rejections)
{
	static const char *const bad[] = {
		"[1,]",	     "{\"a\":1,}", "[,1]",    "{,}",	    "[1 2]",
		"{\"a\" 1}", "{\"a\":}",   "{a:1}",   "{'a':1}",    "[01]",
		"[-]",	     "[1.]",	   "[.5]",    "[1e]",	    "[1e+]",
		"[+1]",	     "[0x10]",	   "[NaN]",   "[Infinity]", "[1]x",
		"[1]]",	     "{}}",	   "[\"a]",   "\"abc",	    "[",
		"{",	     "{\"a\":1",   "[1,2",    "/*c*/1",	    "1 2",
		"[\v1]",     "[\f1]",	   "[1\xa0]",
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		EXPECT_FALSE(accepts(bad[i]))
		{
			TH_LOG("accepted case %zu", i);
		}
}

TEST(error_reports_offset_and_reason)
{
	struct lmig_json_error err;
	struct lmig_json_doc *doc = (struct lmig_json_doc *)1;

	EXPECT_EQ(-EINVAL,
		  lmig_json_parse("{\"a\":1,}", 8, &roomy, &doc, &err));
	EXPECT_EQ(NULL, doc);
	EXPECT_EQ(7, err.offset);
	EXPECT_STREQ("member name expected", err.reason);

	EXPECT_EQ(-EINVAL,
		  lmig_json_parse("{\"a\":1,\"a\":2}", 13, &roomy, &doc, &err));
	EXPECT_STREQ("duplicate member name in object", err.reason);

	EXPECT_EQ(-EINVAL,
		  lmig_json_parse("\xef\xbb\xbf{}", 5, &roomy, &doc, &err));
	EXPECT_EQ(0, err.offset);
	EXPECT_STREQ("byte order mark is not allowed", err.reason);
}

TEST(size_limit)
{
	const struct lmig_json_limits tight = {.max_size = 4, .max_depth = 8};
	struct lmig_json_doc *doc;
	struct lmig_json_error err;

	EXPECT_EQ(0, lmig_json_parse("[12]", 4, &tight, &doc, &err));
	lmig_json_free(doc);
	EXPECT_EQ(-E2BIG, lmig_json_parse("[123]", 5, &tight, &doc, &err));
	EXPECT_EQ(NULL, doc);
}

TEST(depth_limit)
{
	struct lmig_json_limits lim = {.max_size = 64, .max_depth = 3};
	struct lmig_json_doc *doc;

	EXPECT_EQ(0, lmig_json_parse("[[{\"a\":1}]]", 11, &lim, &doc, NULL));
	lmig_json_free(doc);
	EXPECT_EQ(-E2BIG, lmig_json_parse("[[[[]]]]", 8, &lim, &doc, NULL));
	EXPECT_EQ(-E2BIG, lmig_json_parse("{\"a\":{\"b\":{\"c\":{}}}}", 20,
					  &lim, &doc, NULL));
	lim.max_depth = 0;
	EXPECT_EQ(0, lmig_json_parse("7", 1, &lim, &doc, NULL));
	lmig_json_free(doc);
	EXPECT_EQ(-E2BIG, lmig_json_parse("[]", 2, &lim, &doc, NULL));
	lim.max_depth = LMIG_JSON_DEPTH_MAX + 1;
	EXPECT_EQ(-EINVAL, lmig_json_parse("[]", 2, &lim, &doc, NULL));
}

/* Deep nesting is bounded by the limit, never by the C stack. */
TEST(deep_nesting_uses_no_stack)
{
	const struct lmig_json_limits deep = {
		.max_size = 1 << 20,
		.max_depth = LMIG_JSON_DEPTH_MAX,
	};
	size_t n = LMIG_JSON_DEPTH_MAX, i;
	struct lmig_json_doc *doc;
	char *text = malloc(2 * n + 2);

	ASSERT_NE(NULL, text);
	for (i = 0; i < n; i++) {
		text[i] = '[';
		text[2 * n - 1 - i] = ']';
	}
	EXPECT_EQ(0, lmig_json_parse(text, 2 * n, &deep, &doc, NULL));
	lmig_json_free(doc);
	text[n - 1] = '[';
	memmove(text + n + 1, text + n, n);
	text[n] = '[';
	text[2 * n + 1] = ']';
	EXPECT_EQ(-E2BIG, lmig_json_parse(text, 2 * n + 2, &deep, &doc, NULL));
	free(text);
}

TEST(large_array_and_object)
{
	const size_t n = 50000;
	struct lmig_json_doc *doc;
	const struct lmig_json *root;
	char *text = malloc(n * 16 + 16), *p = text;
	size_t i;
	int64_t v;

	ASSERT_NE(NULL, text);
	p += sprintf(p, "{");
	for (i = 0; i < n; i++)
		p += sprintf(p, "%s\"k%zu\":%zu", i ? "," : "", i, i);
	p += sprintf(p, "}");
	ASSERT_EQ(0, lmig_json_parse(text, (size_t)(p - text), &roomy, &doc,
				     NULL));
	root = lmig_json_root(doc);
	EXPECT_EQ(n, lmig_json_count(root));
	ASSERT_EQ(0, lmig_json_int64(lmig_json_get(root, "k31337"), &v));
	EXPECT_EQ(31337, v);
	EXPECT_EQ(NULL, lmig_json_get(root, "k50000"));
	lmig_json_free(doc);
	free(text);
}

struct date_case {
	const char *json;
	int rc;
	int64_t value;
};

TEST(numeric_date)
{
	static const struct date_case cases[] = {
		{"0", 0, 0},
		{"1700000000", 0, 1700000000},
		{"9007199254740991", 0, 9007199254740991LL},
		{"9007199254740992", -ERANGE, 0},
		{"99999999999999999999999", -ERANGE, 0},
		{"-1", -EINVAL, 0},
		{"-0", -EINVAL, 0},
		{"1.0", -EINVAL, 0},
		{"1700000000.5", -EINVAL, 0},
		{"17e8", -EINVAL, 0},
		{"1E3", -EINVAL, 0},
		{"\"1700000000\"", -EINVAL, 0},
		{"null", -EINVAL, 0},
		{"true", -EINVAL, 0},
		{"[1]", -EINVAL, 0},
	};
	struct lmig_json_doc *doc;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int64_t v = -42;

		ASSERT_EQ(0, parse(cases[i].json, &doc));
		EXPECT_EQ(cases[i].rc,
			  lmig_json_numeric_date(lmig_json_root(doc), &v))
		{
			TH_LOG("for %s", cases[i].json);
		}
		/* The value, or -42 untouched on refusal. */
		EXPECT_EQ(cases[i].rc ? -42 : cases[i].value, v);
		lmig_json_free(doc);
	}
}

TEST(int64_bounds)
{
	static const struct date_case cases[] = {
		{"9223372036854775807", 0, INT64_MAX},
		{"-9223372036854775808", 0, INT64_MIN},
		{"9223372036854775808", -ERANGE, 0},
		{"-9223372036854775809", -ERANGE, 0},
		{"-0", 0, 0},
		{"-17", 0, -17},
		{"1.5", -EINVAL, 0},
		{"1e2", -EINVAL, 0},
	};
	struct lmig_json_doc *doc;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int64_t v = 0;

		ASSERT_EQ(0, parse(cases[i].json, &doc));
		EXPECT_EQ(cases[i].rc, lmig_json_int64(lmig_json_root(doc), &v))
		{
			TH_LOG("for %s", cases[i].json);
		}
		if (!cases[i].rc) {
			EXPECT_EQ(cases[i].value, v);
		}
		lmig_json_free(doc);
	}
}

/* --- JSONTestSuite ------------------------------------------------------ */

/*
 * Limits for the corpus: roomy enough that only the grammar decides,
 * except for the files that exist to test nesting.
 */
static const struct lmig_json_limits corpus_limits = {
	.max_size = 1 << 20,
	.max_depth = 256,
};

/* How this parser treats each implementation-defined (i_) case. */
enum i_policy {
	I_ACCEPT_NUMBER, /* grammar-valid: accepted, kept as text; asserted:
			  * the numeric accessors refuse it */
	I_REJECT,	 /* refused: not UTF-8, lone surrogate, BOM */
	I_DEPTH,	 /* accepted or refused by the caller's depth limit */
};

static const struct {
	const char *prefix;
	enum i_policy policy;
} i_policies[] = {
	/*
	 * Huge, tiny or overflowing numbers: the grammar allows them; the
	 * value is never converted by the parser, and every accessor
	 * (int64, NumericDate) refuses what it cannot hold exactly.
	 */
	{"i_number_", I_ACCEPT_NUMBER},
	/*
	 * Invalid UTF-8 (overlong, truncated, lone continuation, Latin-1,
	 * UTF-16), surrogate code points and unpaired \u surrogates: a
	 * token's claims must mean the same to every reader, so refused.
	 */
	{"i_string_", I_REJECT},
	{"i_object_key_lone_2nd_surrogate", I_REJECT},
	/* RFC 8259 section 8.1: no byte order mark in networked JSON. */
	{"i_structure_UTF-8_BOM_empty_object", I_REJECT},
	/* 500 nested arrays: the caller's max_depth decides (asserted at
	 * 256, refused, and at 500, accepted). */
	{"i_structure_500_nested_arrays", I_DEPTH},
};

struct corpus {
	char dir[PATH_MAX];
	struct dirent **files;
	int n;
};

static int is_json_file(const struct dirent *d)
{
	size_t len = strlen(d->d_name);

	return len > 5 && !strcmp(d->d_name + len - 5, ".json");
}

static int corpus_open(struct corpus *c, const char *dir)
{
	if (strlen(dir) >= sizeof(c->dir))
		return -1;
	strcpy(c->dir, dir);
	c->n = scandir(dir, &c->files, is_json_file, alphasort);
	return c->n;
}

static void corpus_close(struct corpus *c)
{
	int i;

	for (i = 0; i < c->n; i++)
		free(c->files[i]);
	free(c->files);
}

/* Parse one corpus file with limits; *doc is NULL unless accepted. */
static int corpus_parse(const struct corpus *c, const char *name,
			const struct lmig_json_limits *limits,
			struct lmig_json_doc **doc, struct lmig_json_error *err)
{
	char path[PATH_MAX];
	size_t len;
	char *text;
	int rc;

	if (tu_join(path, sizeof(path), c->dir, name))
		return -ENAMETOOLONG;
	text = tu_read_file(path, &len);
	if (!text)
		return -EIO;
	rc = lmig_json_parse(text, len, limits, doc, err);
	free(text);
	return rc;
}

FIXTURE(jsontestsuite)
{
	struct corpus corpus;
};

FIXTURE_SETUP(jsontestsuite)
{
	char path[PATH_MAX];

	self->corpus.n = 0;
	self->corpus.files = NULL;
	TESTDATA_PATH_OR_SKIP(path, "jsontestsuite/test_parsing");
	ASSERT_LT(0, corpus_open(&self->corpus, path));
}

FIXTURE_TEARDOWN(jsontestsuite)
{
	corpus_close(&self->corpus);
}

/*
 * The one deliberate deviation from "every y_ file is accepted": RFC 8259
 * only says names SHOULD be unique, but a JOSE header or claim set with a
 * duplicate name means different things to different readers (RFC 7515
 * section 4, RFC 7519 section 4), so this parser refuses duplicates
 * everywhere. These two files must be refused, for exactly that reason.
 */
static const char *const y_refused_duplicates[] = {
	"y_object_duplicated_key.json",
	"y_object_duplicated_key_and_value.json",
};

static bool is_refused_duplicate(const char *name)
{
	size_t k;

	for (k = 0;
	     k < sizeof(y_refused_duplicates) / sizeof(y_refused_duplicates[0]);
	     k++) {
		if (!strcmp(name, y_refused_duplicates[k]))
			return true;
	}
	return false;
}

TEST_F(jsontestsuite, y_files_are_accepted)
{
	int i, seen = 0, accepted = 0, duplicates = 0;

	for (i = 0; i < self->corpus.n; i++) {
		const char *name = self->corpus.files[i]->d_name;
		struct lmig_json_doc *doc;
		struct lmig_json_error err = {0};
		int rc;

		if (strncmp(name, "y_", 2))
			continue;
		seen++;
		rc = corpus_parse(&self->corpus, name, &corpus_limits, &doc,
				  &err);
		lmig_json_free(doc);
		if (is_refused_duplicate(name)) {
			EXPECT_EQ(-EINVAL, rc);
			EXPECT_STREQ("duplicate member name in object",
				     err.reason ? err.reason : "(accepted)");
			duplicates += rc == -EINVAL;
			continue;
		}
		EXPECT_EQ(0, rc)
		{
			TH_LOG("%s refused at %zu: %s", name, err.offset,
			       err.reason ? err.reason : "?");
		}
		accepted += rc == 0;
	}
	TH_LOG("%d of %d y_ files accepted, %d refused as duplicates by "
	       "design",
	       accepted, seen, duplicates);
	EXPECT_EQ(95, seen);
	EXPECT_EQ(93, accepted);
	EXPECT_EQ(2, duplicates);
}

TEST_F(jsontestsuite, n_files_are_rejected)
{
	int i, seen = 0, rejected = 0;

	for (i = 0; i < self->corpus.n; i++) {
		const char *name = self->corpus.files[i]->d_name;
		struct lmig_json_doc *doc;
		int rc;

		if (strncmp(name, "n_", 2))
			continue;
		seen++;
		rc = corpus_parse(&self->corpus, name, &corpus_limits, &doc,
				  NULL);
		EXPECT_TRUE(rc == -EINVAL || rc == -E2BIG)
		{
			TH_LOG("%s: got %d", name, rc);
		}
		EXPECT_EQ(NULL, doc);
		rejected += rc == -EINVAL || rc == -E2BIG;
		lmig_json_free(doc);
	}
	TH_LOG("%d of %d n_ files rejected", rejected, seen);
	EXPECT_EQ(188, seen);
}

/*
 * Every corpus file with single bytes replaced, inserted or deleted at
 * fixed pseudo-random places: parsing never crashes (run under SAN=1),
 * and whatever is accepted is a complete tree.
 */
TEST_F(jsontestsuite, mutations_never_crash)
{
	static const char bytes[] = "{}[],:\"\\u0aZ-.eE+ \x80\xc3\xed\xf4\xff";
	uint32_t seed = 0x5eed;
	int i, k, accepted = 0, total = 0;

	for (i = 0; i < self->corpus.n; i++) {
		char path[PATH_MAX];
		size_t len;
		char *text, *buf;

		ASSERT_EQ(0, tu_join(path, sizeof(path), self->corpus.dir,
				     self->corpus.files[i]->d_name));
		text = tu_read_file(path, &len);
		ASSERT_NE(NULL, text);
		buf = malloc(len + 2);
		ASSERT_NE(NULL, buf);
		for (k = 0; k < 20 && len; k++) {
			struct lmig_json_doc *doc;
			size_t pos, n = len;

			seed ^= seed << 13;
			seed ^= seed >> 17;
			seed ^= seed << 5;
			pos = seed % len;
			memcpy(buf, text, len);
			switch (seed % 3) {
			case 0:
				buf[pos] = bytes[(seed >> 8) %
						 (sizeof(bytes) - 1)];
				break;
			case 1:
				memmove(buf + pos + 1, buf + pos, len - pos);
				buf[pos] = bytes[(seed >> 8) %
						 (sizeof(bytes) - 1)];
				n++;
				break;
			default:
				memmove(buf + pos, buf + pos + 1,
					len - pos - 1);
				n--;
				break;
			}
			total++;
			if (lmig_json_parse(buf, n, &corpus_limits, &doc,
					    NULL) == 0) {
				accepted++;
				EXPECT_NE(NULL, lmig_json_root(doc));
			} else {
				EXPECT_EQ(NULL, doc);
			}
			lmig_json_free(doc);
		}
		free(buf);
		free(text);
	}
	TH_LOG("%d mutated documents, %d of them still JSON", total, accepted);
	EXPECT_LT(5000, total);
}

/* The first number found in a parsed i_number_ file (an array of one). */
static const struct lmig_json *first_number(const struct lmig_json *v)
{
	while (v && lmig_json_type(v) == LMIG_JSON_ARRAY)
		v = lmig_json_item(v, 0);
	return v && lmig_json_type(v) == LMIG_JSON_NUMBER ? v : NULL;
}

TEST_F(jsontestsuite, i_files_follow_the_policy)
{
	const struct lmig_json_limits deep = {.max_size = 1 << 20,
					      .max_depth = 500};
	int i, seen = 0;
	size_t k;

	for (i = 0; i < self->corpus.n; i++) {
		const char *name = self->corpus.files[i]->d_name;
		const struct lmig_json *num;
		struct lmig_json_doc *doc;
		int64_t v;
		int rc;

		if (strncmp(name, "i_", 2))
			continue;
		seen++;
		for (k = 0; k < sizeof(i_policies) / sizeof(i_policies[0]);
		     k++) {
			if (!strncmp(name, i_policies[k].prefix,
				     strlen(i_policies[k].prefix)))
				break;
		}
		ASSERT_LT(k, sizeof(i_policies) / sizeof(i_policies[0]))
		{
			TH_LOG("%s: no documented policy", name);
		}
		rc = corpus_parse(&self->corpus, name, &corpus_limits, &doc,
				  NULL);
		switch (i_policies[k].policy) {
		case I_ACCEPT_NUMBER:
			EXPECT_EQ(0, rc)
			{
				TH_LOG("%s: refused", name);
			}
			num = doc ? first_number(lmig_json_root(doc)) : NULL;
			EXPECT_NE(NULL, num);
			EXPECT_NE(0, lmig_json_int64(num, &v))
			{
				TH_LOG("%s: int64 accessor accepted it", name);
			}
			EXPECT_NE(0, lmig_json_numeric_date(num, &v));
			break;
		case I_REJECT:
			EXPECT_EQ(-EINVAL, rc)
			{
				TH_LOG("%s: got %d", name, rc);
			}
			break;
		case I_DEPTH:
			EXPECT_EQ(-E2BIG, rc);
			lmig_json_free(doc);
			rc = corpus_parse(&self->corpus, name, &deep, &doc,
					  NULL);
			EXPECT_EQ(0, rc);
			break;
		}
		lmig_json_free(doc);
	}
	EXPECT_EQ(35, seen);
}

TEST_HARNESS_MAIN

// SPDX-License-Identifier: GPL-2.0-only
/*
 * Strict RFC 8259 JSON parser. Iterative, with an explicit stack of open
 * containers, so hostile nesting costs heap (bounded by max_depth) and
 * never C stack. Values go into an arena owned by the document.
 */
#include <errno.h>
#include <stdalign.h>
#include <stdlib.h>
#include <string.h>

#include "json_tree.h"

/* The literals carry no data, so every document shares these. */
static const struct lmig_json json_null = {.type = LMIG_JSON_NULL};
static const struct lmig_json json_false = {.type = LMIG_JSON_FALSE};
static const struct lmig_json json_true = {.type = LMIG_JSON_TRUE};

struct arena_block {
	struct arena_block *next;
	size_t size;
	size_t used;
	alignas(max_align_t) unsigned char data[];
};

#define ARENA_ALIGN	alignof(max_align_t)
#define ARENA_BLOCK_MIN 1024
#define ARENA_BLOCK_MAX (1024 * 1024)
/*
 * The first block comes with the document, in one allocation, sized for
 * what a tree of len bytes usually takes (a node and a member entry per
 * short value are some eight times its text), at most FIRST_BLOCK_MAX.
 */
#define FIRST_BLOCK_PER_BYTE 8
#define FIRST_BLOCK_MAX	     (32 * 1024)

/* A document and its first arena block, in one allocation. */
static struct lmig_json_doc *doc_new(size_t len)
{
	size_t head = (sizeof(struct lmig_json_doc) + ARENA_ALIGN - 1) &
		      ~(ARENA_ALIGN - 1);
	size_t first = len < FIRST_BLOCK_MAX / FIRST_BLOCK_PER_BYTE
			       ? len * FIRST_BLOCK_PER_BYTE
			       : FIRST_BLOCK_MAX;
	struct lmig_json_doc *doc;
	struct arena_block *b;
	unsigned char *mem;

	if (first < ARENA_BLOCK_MIN)
		first = ARENA_BLOCK_MIN;
	mem = malloc(head + sizeof(*b) + first);
	if (!mem)
		return NULL;
	doc = (struct lmig_json_doc *)mem;
	b = (struct arena_block *)(mem + head);
	*b = (struct arena_block){.size = first};
	*doc = (struct lmig_json_doc){.blocks = b, .next_block = first * 2};
	return doc;
}

static void *arena_alloc(struct lmig_json_doc *doc, size_t size)
{
	struct arena_block *b = doc->blocks;
	size_t rounded, block_size;

	if (size > SIZE_MAX - ARENA_ALIGN - sizeof(*b))
		return NULL;
	rounded = (size + ARENA_ALIGN - 1) & ~(ARENA_ALIGN - 1);
	if (b && b->size - b->used >= rounded) {
		void *p = b->data + b->used;

		b->used += rounded;
		return p;
	}
	block_size = doc->next_block > rounded ? doc->next_block : rounded;
	b = malloc(sizeof(*b) + block_size);
	if (!b)
		return NULL;
	b->size = block_size;
	b->used = rounded;
	b->next = doc->blocks;
	doc->blocks = b;
	if (doc->next_block < ARENA_BLOCK_MAX)
		doc->next_block *= 2;
	return b->data;
}

/* Give back the tail of the newest allocation, which held old bytes. */
static void arena_shrink(struct lmig_json_doc *doc, void *p, size_t old,
			 size_t new)
{
	struct arena_block *b = doc->blocks;
	size_t old_r = (old + ARENA_ALIGN - 1) & ~(ARENA_ALIGN - 1);
	size_t new_r = (new + ARENA_ALIGN - 1) & ~(ARENA_ALIGN - 1);

	if (b && (unsigned char *)p + old_r == b->data + b->used)
		b->used -= old_r - new_r;
}

struct frame {
	enum lmig_json_type type; /* LMIG_JSON_ARRAY or LMIG_JSON_OBJECT */
	size_t first;		  /* its first entry in parser.pending */
};

/* Room for a token's containers and members without a heap allocation. */
#define PENDING_INLINE 32
#define FRAMES_INLINE  4

struct parser {
	const unsigned char *s;
	size_t len;
	size_t pos;
	struct lmig_json_doc *doc;
	/* Items and members of every open container, innermost last. */
	struct json_member *pending;
	size_t n_pending, cap_pending;
	struct frame *frames;
	size_t depth, cap_frames;
	unsigned int max_depth;
	struct lmig_json_error *err;
	struct json_member pending_inline[PENDING_INLINE];
	struct frame frames_inline[FRAMES_INLINE];
};

/*
 * Grow one of the parser's stacks to twice its capacity, off its inline
 * array at the first growth.
 */
static void *grow_stack(void *stack, const void *inline_array, size_t *cap,
			size_t size)
{
	size_t new_cap = *cap * 2;
	void *n;

	if (new_cap > SIZE_MAX / size)
		return NULL;
	if (stack == inline_array) {
		n = malloc(new_cap * size);
		if (n)
			memcpy(n, stack, *cap * size);
	} else {
		n = realloc(stack, new_cap * size);
	}
	if (n)
		*cap = new_cap;
	return n;
}

static int fail_at(struct parser *p, size_t offset, int rc, const char *why)
{
	p->err->offset = offset;
	p->err->reason = why;
	return rc;
}

static int fail(struct parser *p, int rc, const char *why)
{
	return fail_at(p, p->pos, rc, why);
}

static int no_memory(struct parser *p)
{
	return fail(p, -ENOMEM, "out of memory");
}

static void skip_ws(struct parser *p)
{
	while (p->pos < p->len) {
		unsigned char c = p->s[p->pos];

		if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
			break;
		p->pos++;
	}
}

static struct lmig_json *new_node(struct parser *p, enum lmig_json_type type)
{
	struct lmig_json *v = arena_alloc(p->doc, sizeof(*v));

	if (v) {
		memset(v, 0, sizeof(*v));
		v->type = type;
	}
	return v;
}

static int push_pending(struct parser *p, const char *name, size_t name_len,
			const struct lmig_json *value)
{
	if (p->n_pending == p->cap_pending) {
		struct json_member *n = grow_stack(p->pending,
						   p->pending_inline,
						   &p->cap_pending, sizeof(*n));

		if (!n)
			return no_memory(p);
		p->pending = n;
	}
	p->pending[p->n_pending++] = (struct json_member){
		.name = name, .name_len = name_len, .value = value};
	return 0;
}

static int hex4(const unsigned char *s, unsigned int *out)
{
	unsigned int v = 0;
	int i;

	for (i = 0; i < 4; i++) {
		unsigned char c = s[i];

		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= c - '0';
		else if (c >= 'a' && c <= 'f')
			v |= c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			v |= c - 'A' + 10;
		else
			return -1;
	}
	*out = v;
	return 0;
}

static size_t put_utf8(char *out, unsigned int cp)
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xc0 | cp >> 6);
		out[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xe0 | cp >> 12);
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		out[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	out[0] = (char)(0xf0 | cp >> 18);
	out[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	out[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	out[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/*
 * Length of the well-formed UTF-8 sequence at s (at most avail bytes), or
 * 0 if it is not one (Unicode 15, table 3-7: no overlongs, no surrogates,
 * nothing above U+10FFFF).
 */
static size_t utf8_sequence(const unsigned char *s, size_t avail)
{
	unsigned char lo = 0x80, hi = 0xbf;
	size_t n, i;

	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		n = 2;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		n = 3;
		if (s[0] == 0xe0)
			lo = 0xa0; /* overlong below U+0800 */
		else if (s[0] == 0xed)
			hi = 0x9f; /* surrogates U+D800..U+DFFF */
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		n = 4;
		if (s[0] == 0xf0)
			lo = 0x90; /* overlong below U+10000 */
		else if (s[0] == 0xf4)
			hi = 0x8f; /* above U+10FFFF */
	} else {
		return 0;
	}
	if (avail < n || s[1] < lo || s[1] > hi)
		return 0;
	for (i = 2; i < n; i++) {
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	}
	return n;
}

/* Decode the \u escape(s) at s[i] ('\\'), up to end; advance *i. */
static int unicode_escape(struct parser *p, size_t *i, size_t end,
			  unsigned int *cp)
{
	const unsigned char *s = p->s;
	unsigned int hi, lo;

	if (end - *i < 6 || hex4(s + *i + 2, &hi))
		return fail_at(p, *i, -EINVAL, "bad \\u escape");
	if (hi >= 0xdc00 && hi <= 0xdfff)
		return fail_at(p, *i, -EINVAL, "lone low surrogate escape");
	if (hi < 0xd800 || hi > 0xdbff) {
		*i += 6;
		*cp = hi;
		return 0;
	}
	if (end - *i < 12 || s[*i + 6] != '\\' || s[*i + 7] != 'u' ||
	    hex4(s + *i + 8, &lo) || lo < 0xdc00 || lo > 0xdfff)
		return fail_at(p, *i, -EINVAL, "lone high surrogate escape");
	*i += 12;
	*cp = 0x10000 + ((hi - 0xd800) << 10) + (lo - 0xdc00);
	return 0;
}

/*
 * Parse the string starting at the opening quote at p->pos into the arena
 * (NUL-terminated); leave p->pos after the closing quote.
 */
/*
 * Bytes a string holds as they are: printable ASCII but the quote and the
 * backslash. Most strings are nothing else, and are copied in one go.
 */
#define PLAIN(c)   ((c) >= 0x20 && (c) < 0x80 && (c) != '"' && (c) != '\\')
#define PLAIN4(c)  PLAIN(c), PLAIN((c) + 1), PLAIN((c) + 2), PLAIN((c) + 3)
#define PLAIN16(c) PLAIN4(c), PLAIN4((c) + 4), PLAIN4((c) + 8), PLAIN4((c) + 12)
#define PLAIN64(c) \
	PLAIN16(c), PLAIN16((c) + 16), PLAIN16((c) + 32), PLAIN16((c) + 48)

static const bool plain[256] = {PLAIN64(0), PLAIN64(64), PLAIN64(128),
				PLAIN64(192)};

static int parse_string(struct parser *p, const char **out, size_t *out_len)
{
	const unsigned char *s = p->s;
	size_t start = p->pos + 1, end = start, i, o = 0;
	char *buf;
	int rc;

	while (end < p->len && plain[s[end]])
		end++;
	if (end < p->len && s[end] == '"') {
		buf = arena_alloc(p->doc, end - start + 1);
		if (!buf)
			return no_memory(p);
		memcpy(buf, s + start, end - start);
		buf[end - start] = '\0';
		p->pos = end + 1;
		*out = buf;
		*out_len = end - start;
		return 0;
	}

	/* Find the closing quote first: the decoded text is never longer. */
	while (end < p->len && s[end] != '"')
		end += s[end] == '\\' ? 2 : 1;
	if (end >= p->len)
		return fail(p, -EINVAL, "unterminated string");

	buf = arena_alloc(p->doc, end - start + 1);
	if (!buf)
		return no_memory(p);

	for (i = start; i < end;) {
		unsigned char c = s[i];
		unsigned int cp;
		size_t n;

		if (c < 0x20)
			return fail_at(p, i, -EINVAL,
				       "control character in string");
		if (c < 0x80 && c != '\\') {
			buf[o++] = (char)c;
			i++;
			continue;
		}
		if (c >= 0x80) {
			n = utf8_sequence(s + i, end - i);
			if (!n)
				return fail_at(p, i, -EINVAL, "invalid UTF-8");
			memcpy(buf + o, s + i, n);
			o += n;
			i += n;
			continue;
		}
		switch (s[i + 1]) {
		case '"':
		case '\\':
		case '/':
			buf[o++] = (char)s[i + 1];
			break;
		case 'b':
			buf[o++] = '\b';
			break;
		case 'f':
			buf[o++] = '\f';
			break;
		case 'n':
			buf[o++] = '\n';
			break;
		case 'r':
			buf[o++] = '\r';
			break;
		case 't':
			buf[o++] = '\t';
			break;
		case 'u':
			rc = unicode_escape(p, &i, end, &cp);
			if (rc)
				return rc;
			o += put_utf8(buf + o, cp);
			continue;
		default:
			return fail_at(p, i, -EINVAL, "invalid escape");
		}
		i += 2;
	}
	buf[o] = '\0';
	arena_shrink(p->doc, buf, end - start + 1, o + 1);
	p->pos = end + 1;
	*out = buf;
	*out_len = o;
	return 0;
}

static int parse_string_value(struct parser *p, const struct lmig_json **out)
{
	struct lmig_json *v = new_node(p, LMIG_JSON_STRING);
	int rc;

	if (!v)
		return no_memory(p);
	rc = parse_string(p, &v->u.text, &v->len);
	*out = v;
	return rc;
}

static bool is_digit(const struct parser *p, size_t i)
{
	return i < p->len && p->s[i] >= '0' && p->s[i] <= '9';
}

static int parse_number(struct parser *p, const struct lmig_json **out)
{
	size_t start = p->pos, i = p->pos;
	unsigned int flags = 0;
	struct lmig_json *v;
	char *text;

	if (p->s[i] == '-') {
		flags |= NUM_NEGATIVE;
		i++;
	}
	if (!is_digit(p, i))
		return fail_at(p, i, -EINVAL, "invalid number");
	if (p->s[i] == '0') {
		i++;
	} else {
		while (is_digit(p, i))
			i++;
	}
	if (i < p->len && p->s[i] == '.') {
		flags |= NUM_FRACTION;
		if (!is_digit(p, ++i))
			return fail_at(p, i, -EINVAL,
				       "digit expected after '.'");
		while (is_digit(p, i))
			i++;
	}
	if (i < p->len && (p->s[i] == 'e' || p->s[i] == 'E')) {
		flags |= NUM_EXPONENT;
		i++;
		if (i < p->len && (p->s[i] == '+' || p->s[i] == '-'))
			i++;
		if (!is_digit(p, i))
			return fail_at(p, i, -EINVAL,
				       "digit expected in exponent");
		while (is_digit(p, i))
			i++;
	}

	v = new_node(p, LMIG_JSON_NUMBER);
	text = v ? arena_alloc(p->doc, i - start + 1) : NULL;
	if (!text)
		return no_memory(p);
	memcpy(text, p->s + start, i - start);
	text[i - start] = '\0';
	v->u.text = text;
	v->len = i - start;
	v->num_flags = flags;
	p->pos = i;
	*out = v;
	return 0;
}

static int parse_literal(struct parser *p, const struct lmig_json **out)
{
	static const struct {
		const char *word;
		size_t len;
		const struct lmig_json *value;
	} literals[] = {
		{"null", 4, &json_null},
		{"false", 5, &json_false},
		{"true", 4, &json_true},
	};
	size_t k;

	for (k = 0; k < sizeof(literals) / sizeof(literals[0]); k++) {
		if (p->len - p->pos >= literals[k].len &&
		    !memcmp(p->s + p->pos, literals[k].word, literals[k].len)) {
			p->pos += literals[k].len;
			*out = literals[k].value;
			return 0;
		}
	}
	return fail(p, -EINVAL, "unexpected character");
}

static int open_container(struct parser *p, enum lmig_json_type type)
{
	if (p->depth >= p->max_depth)
		return fail(p, -E2BIG, "nesting too deep");
	if (p->depth == p->cap_frames) {
		struct frame *n = grow_stack(p->frames, p->frames_inline,
					     &p->cap_frames, sizeof(*n));

		if (!n)
			return no_memory(p);
		p->frames = n;
	}
	p->frames[p->depth++] = (struct frame){.type = type,
					       .first = p->n_pending};
	p->pos++;
	return 0;
}

/* By json_member_cmp(); objects of a token have a dozen members or so. */
static void sort_members(struct json_member *m, size_t n)
{
	size_t i, j;

	if (n > 16) {
		qsort(m, n, sizeof(*m), json_member_cmp);
		return;
	}
	for (i = 1; i < n; i++) {
		struct json_member key = m[i];

		for (j = i; j && json_member_cmp(&m[j - 1], &key) > 0; j--)
			m[j] = m[j - 1];
		m[j] = key;
	}
}

/* Close the innermost container (its closing bracket is at p->pos). */
static int close_container(struct parser *p, const struct lmig_json **out)
{
	struct frame *f = &p->frames[p->depth - 1];
	size_t n = p->n_pending - f->first, k;
	struct json_member *entries = p->pending + f->first;
	struct lmig_json *v = new_node(p, f->type);

	if (!v)
		return no_memory(p);
	v->len = n;
	if (f->type == LMIG_JSON_ARRAY && n) {
		const struct lmig_json **items;

		items = arena_alloc(p->doc, n * sizeof(*items));
		if (!items)
			return no_memory(p);
		for (k = 0; k < n; k++)
			items[k] = entries[k].value;
		v->u.items = items;
	} else if (f->type == LMIG_JSON_OBJECT && n) {
		struct json_member *members;

		members = arena_alloc(p->doc, n * sizeof(*members));
		if (!members)
			return no_memory(p);
		memcpy(members, entries, n * sizeof(*members));
		sort_members(members, n);
		for (k = 1; k < n; k++) {
			if (!json_member_cmp(&members[k - 1], &members[k]))
				return fail(p, -EINVAL,
					    "duplicate member name in object");
		}
		v->u.members = members;
	}
	p->n_pending = f->first;
	p->depth--;
	p->pos++;
	*out = v;
	return 0;
}

/* "name" ':' of an object member, at p->pos (after skipping blanks). */
static int parse_member_name(struct parser *p)
{
	const char *name;
	size_t name_len;
	int rc;

	skip_ws(p);
	if (p->pos >= p->len || p->s[p->pos] != '"')
		return fail(p, -EINVAL, "member name expected");
	rc = parse_string(p, &name, &name_len);
	if (rc)
		return rc;
	skip_ws(p);
	if (p->pos >= p->len || p->s[p->pos] != ':')
		return fail(p, -EINVAL, "':' expected after member name");
	p->pos++;
	return push_pending(p, name, name_len, NULL);
}

static int parse_document(struct parser *p)
{
	const struct lmig_json *v = NULL;
	struct frame *top;
	unsigned char c;
	int rc;

next_value:
	skip_ws(p);
	if (p->pos >= p->len)
		return fail(p, -EINVAL, "unexpected end of input");
	c = p->s[p->pos];
	if (c == '{' || c == '[') {
		bool object = c == '{';

		rc = open_container(p, object ? LMIG_JSON_OBJECT
					      : LMIG_JSON_ARRAY);
		if (rc)
			return rc;
		skip_ws(p);
		if (p->pos < p->len && p->s[p->pos] == (object ? '}' : ']')) {
			rc = close_container(p, &v);
		} else {
			if (object) {
				rc = parse_member_name(p);
				if (rc)
					return rc;
			}
			goto next_value;
		}
	} else if (c == '"') {
		rc = parse_string_value(p, &v);
	} else if (c == '-' || (c >= '0' && c <= '9')) {
		rc = parse_number(p, &v);
	} else if (p->pos == 0 && c == 0xef) {
		rc = fail(p, -EINVAL, "byte order mark is not allowed");
	} else {
		rc = parse_literal(p, &v);
	}
	if (rc)
		return rc;

have_value:
	if (!p->depth) {
		skip_ws(p);
		if (p->pos != p->len)
			return fail(p, -EINVAL, "trailing characters");
		p->doc->root = v;
		return 0;
	}
	top = &p->frames[p->depth - 1];
	if (top->type == LMIG_JSON_OBJECT) {
		p->pending[p->n_pending - 1].value = v;
	} else {
		rc = push_pending(p, NULL, 0, v);
		if (rc)
			return rc;
	}
	skip_ws(p);
	if (p->pos >= p->len)
		return fail(p, -EINVAL, "unexpected end of input");
	c = p->s[p->pos];
	if (c == ',') {
		p->pos++;
		if (top->type == LMIG_JSON_OBJECT) {
			rc = parse_member_name(p);
			if (rc)
				return rc;
		}
		goto next_value;
	}
	if (c == (top->type == LMIG_JSON_OBJECT ? '}' : ']')) {
		rc = close_container(p, &v);
		if (rc)
			return rc;
		goto have_value;
	}
	return fail(p, -EINVAL,
		    top->type == LMIG_JSON_OBJECT ? "',' or '}' expected"
						  : "',' or ']' expected");
}

int lmig_json_parse(const char *text, size_t len,
		    const struct lmig_json_limits *limits,
		    struct lmig_json_doc **doc, struct lmig_json_error *err)
{
	struct lmig_json_error ignored;
	struct parser p = {
		.s = (const unsigned char *)text,
		.len = len,
		.cap_pending = PENDING_INLINE,
		.cap_frames = FRAMES_INLINE,
		.max_depth = limits->max_depth,
		.err = err ? err : &ignored,
	};
	int rc;

	p.pending = p.pending_inline;
	p.frames = p.frames_inline;
	*doc = NULL;
	p.err->offset = 0;
	p.err->reason = NULL;
	if (limits->max_depth > LMIG_JSON_DEPTH_MAX)
		return fail(&p, -EINVAL,
			    "depth limit above LMIG_JSON_DEPTH_MAX");
	if (len > limits->max_size)
		return fail(&p, -E2BIG, "input larger than the size limit");

	p.doc = doc_new(len);
	if (!p.doc)
		return no_memory(&p);

	rc = parse_document(&p);
	if (p.pending != p.pending_inline)
		free(p.pending);
	if (p.frames != p.frames_inline)
		free(p.frames);
	if (rc) {
		lmig_json_free(p.doc);
		return rc;
	}
	*doc = p.doc;
	return 0;
}

void lmig_json_free(struct lmig_json_doc *doc)
{
	struct arena_block *b, *next;

	if (!doc)
		return;
	for (b = doc->blocks; b; b = next) {
		next = b->next;
		if (next) /* the last one came with the document */
			free(b);
	}
	free(doc);
}

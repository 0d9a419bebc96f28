// SPDX-License-Identifier: GPL-2.0-only
/* The declarative profiles file: parse, check whole, write. */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "names.h"
#include "profiles_file.h"
#include "timefmt.h"

#define MAX_WORDS (8 + 2 * (LMIG_PRIMARY_IDS_MAX + 8))
#define WORD_MAX  1024

struct parser {
	const char *name;
	int line;
	char *err;
	size_t errlen;
};

__attribute__((format(printf, 2, 3))) static int fail(struct parser *p,
						      const char *fmt, ...)
{
	va_list ap;
	int n = snprintf(p->err, p->errlen, "%s:%d: ", p->name, p->line);

	if (n < 0 || (size_t)n >= p->errlen)
		return -1;
	va_start(ap, fmt);
	vsnprintf(p->err + n, p->errlen - n, fmt, ap);
	va_end(ap);
	return -1;
}

/* The kernel's rule for IDs: 1..255 bytes of 0x21..0x7e. */
/* The kernel's rule for comments: printable UTF-8, no C0/C1 controls. */
static bool comment_ok(const unsigned char *s)
{
	while (*s) {
		unsigned char lo = 0x80, hi = 0xbf;
		size_t more;

		if (*s >= 0x20 && *s <= 0x7e) {
			s++;
			continue;
		}
		if (*s >= 0xc2 && *s <= 0xdf) {
			more = 1;
			lo = *s == 0xc2 ? 0xa0 : 0x80;
		} else if (*s >= 0xe0 && *s <= 0xef) {
			more = 2;
			lo = *s == 0xe0 ? 0xa0 : 0x80;
			hi = *s == 0xed ? 0x9f : 0xbf;
		} else if (*s >= 0xf0 && *s <= 0xf4) {
			more = 3;
			lo = *s == 0xf0 ? 0x90 : 0x80;
			hi = *s == 0xf4 ? 0x8f : 0xbf;
		} else {
			return false;
		}
		if (s[1] < lo || s[1] > hi)
			return false;
		for (size_t j = 2; j <= more; j++)
			if ((s[j] & 0xc0) != 0x80)
				return false;
		s += more + 1;
	}
	return true;
}

/*
 * Split one logical line into words, in place. Quotes group blanks;
 * \" and \\ escape inside them. Returns the number of words, or -1.
 */
static int split(struct parser *p, char *s, char **w)
{
	int n = 0;

	for (;;) {
		char *out;

		while (*s == ' ' || *s == '\t')
			s++;
		if (!*s || *s == '#')
			return n;
		if (n == MAX_WORDS)
			return fail(p, "too many words");
		w[n++] = out = s;
		if (*s != '"') {
			while (*s && *s != ' ' && *s != '\t') {
				if (*s == '"')
					return fail(p, "a quote inside a word");
				s++;
			}
			if (*s)
				*s++ = '\0';
			continue;
		}
		for (s++;; s++) {
			if (!*s)
				return fail(p, "unterminated quoted string");
			if (*s == '"')
				break;
			if (*s == '\\' && (s[1] == '"' || s[1] == '\\'))
				s++;
			*out++ = *s;
		}
		*out = '\0';
		s++;
		if (*s && *s != ' ' && *s != '\t')
			return fail(p, "text right after a closing quote");
	}
}

static int parse_time(struct parser *p, const char *word, const char *v,
		      uint64_t *t)
{
	/* Relative times would change meaning between two applies. */
	if (v[0] == '+' || lmig_time_parse(v, 0, t))
		return fail(p,
			    "%s '%s' is not an absolute time (Unix seconds or "
			    "2026-12-01T00:00:00Z)",
			    word, v);
	return 0;
}

static int parse_field(struct parser *p, struct lmig_profile *pr, const char *k,
		       const char *v)
{
	const char *bad, *problem;
	size_t bad_len;

	if (!strcmp(k, "primary")) {
		problem = lmig_id_problem(v);
		if (problem)
			return fail(p, "primary '%s' %s", v, problem);
		if (lmig_profile_add_primary_id(pr, v))
			return fail(p, "more than %d primary IDs",
				    LMIG_PRIMARY_IDS_MAX);
		return 0;
	}
	if (!strcmp(k, "services")) {
		if (pr->fields & LMIG_PF_SERVICES)
			return fail(p, "services given twice");
		if (lmig_services_parse(v, &pr->services, &bad, &bad_len))
			return fail(p,
				    "unknown service '%.*s' (ptt, video, "
				    "data)",
				    (int)bad_len, bad);
		pr->fields |= LMIG_PF_SERVICES;
		return 0;
	}
	if (!strcmp(k, "state")) {
		if (pr->fields & LMIG_PF_STATE)
			return fail(p, "state given twice");
		if (lmig_state_parse(v, &pr->state))
			return fail(p, "state '%s' unknown (active, suspended)",
				    v);
		pr->fields |= LMIG_PF_STATE;
		return 0;
	}
	if (!strcmp(k, "not-before")) {
		if (pr->fields & LMIG_PF_NOT_BEFORE)
			return fail(p, "not-before given twice");
		pr->fields |= LMIG_PF_NOT_BEFORE;
		return parse_time(p, k, v, &pr->not_before);
	}
	if (!strcmp(k, "not-after")) {
		if (pr->fields & LMIG_PF_NOT_AFTER)
			return fail(p, "not-after given twice");
		pr->fields |= LMIG_PF_NOT_AFTER;
		return parse_time(p, k, v, &pr->not_after);
	}
	if (!strcmp(k, "comment")) {
		if (pr->fields & LMIG_PF_COMMENT)
			return fail(p, "comment given twice");
		if (!comment_ok((const unsigned char *)v) ||
		    lmig_profile_set_comment(pr, v))
			return fail(
				p,
				"comment must be printable UTF-8 of at most "
				"%d bytes",
				LMIG_COMMENT_MAX_LEN);
		return 0;
	}
	return fail(p,
		    "'%s' is not a profile field (primary, services, state, "
		    "not-before, not-after, comment)",
		    k);
}

static int parse_profile(struct parser *p, char **w, int n,
			 struct lmig_profile *pr)
{
	const char *problem;

	lmig_profile_init(pr);
	if (strcmp(w[0], "profile"))
		return fail(p, "expected 'profile', not '%s'", w[0]);
	if (n < 2)
		return fail(p, "a profile starts with its partner ID");
	problem = lmig_id_problem(w[1]);
	if (problem)
		return fail(p, "partner ID '%s' %s", w[1], problem);
	lmig_profile_set_partner_id(pr, w[1]);
	for (int i = 2; i < n; i += 2) {
		if (i + 1 >= n)
			return fail(p, "'%s' needs a value", w[i]);
		if (parse_field(p, pr, w[i], w[i + 1]))
			return -1;
	}
	if (!pr->n_primary_ids)
		return fail(p, "profile %s has no primary ID", pr->partner_id);
	if (!(pr->fields & LMIG_PF_SERVICES) || !pr->services)
		return fail(p, "profile %s has no services", pr->partner_id);
	if (!(pr->fields & LMIG_PF_STATE)) {
		pr->state = LMIG_STATE_ACTIVE;
		pr->fields |= LMIG_PF_STATE;
	}
	if (pr->not_before && pr->not_after && pr->not_before >= pr->not_after)
		return fail(p, "profile %s: not-before is not before not-after",
			    pr->partner_id);
	return 0;
}

static int push(struct lmig_profiles *ps, const struct lmig_profile *pr,
		int line)
{
	if (ps->n == ps->cap) {
		size_t cap = ps->cap ? ps->cap * 2 : 64;
		struct lmig_profile *v = realloc(ps->v, cap * sizeof(*v));
		int *l;

		if (!v)
			return -ENOMEM;
		ps->v = v;
		l = realloc(ps->line, cap * sizeof(*l));
		if (!l)
			return -ENOMEM;
		ps->line = l;
		ps->cap = cap;
	}
	ps->v[ps->n] = *pr;
	ps->line[ps->n] = line;
	ps->n++;
	return 0;
}

/* An ID and where it was first seen, to report duplicates. */
struct id_ref {
	const char *id;
	size_t profile;
};

static int cmp_ref(const void *a, const void *b)
{
	const struct id_ref *x = a, *y = b;
	int c = strcmp(x->id, y->id);

	if (c)
		return c;
	return x->profile < y->profile ? -1 : x->profile > y->profile;
}

/* Partner IDs are unique; so are primary IDs, across the whole file. */
static int check_unique(struct parser *p, const struct lmig_profiles *ps)
{
	size_t n_primary = 0, k = 0;
	struct id_ref *refs;
	int ret = 0;

	for (size_t i = 0; i < ps->n; i++)
		n_primary += ps->v[i].n_primary_ids;
	refs = calloc(ps->n + n_primary + 1, sizeof(*refs));
	if (!refs)
		return fail(p, "out of memory");
	for (int pass = 0; pass < 2 && !ret; pass++) {
		k = 0;
		for (size_t i = 0; i < ps->n; i++) {
			const struct lmig_profile *pr = &ps->v[i];

			if (pass == 0) {
				refs[k++] = (struct id_ref){pr->partner_id, i};
				continue;
			}
			for (unsigned int j = 0; j < pr->n_primary_ids; j++)
				refs[k++] = (struct id_ref){pr->primary_ids[j],
							    i};
		}
		qsort(refs, k, sizeof(*refs), cmp_ref);
		for (size_t i = 1; i < k; i++) {
			if (strcmp(refs[i - 1].id, refs[i].id))
				continue;
			p->line = ps->line[refs[i].profile];
			ret = fail(p, "%s ID %s is already used on line %d",
				   pass ? "primary" : "partner", refs[i].id,
				   ps->line[refs[i - 1].profile]);
			break;
		}
	}
	free(refs);
	return ret;
}

int lmig_profiles_parse(const char *text, size_t len, const char *name,
			struct lmig_profiles *out, char *err, size_t errlen)
{
	struct parser p = {.name = name, .err = err, .errlen = errlen};
	char *line = malloc(len + 1);
	int next_line = 1, ret = 0;
	size_t i = 0;

	memset(out, 0, sizeof(*out));
	if (!line) {
		snprintf(err, errlen, "%s: out of memory", name);
		return -1;
	}
	while (i < len && !ret) {
		size_t n = 0;
		char *w[MAX_WORDS];
		int words;

		p.line = next_line;
		/* One logical line: physical lines joined at a backslash. */
		for (; i < len; i++) {
			char c = text[i];

			if (c == '\n') {
				next_line++;
				if (n && line[n - 1] == '\\') {
					line[n - 1] = ' ';
					continue;
				}
				i++;
				break;
			}
			/* CRLF ends a line too; a lone CR is a control byte. */
			if (c == '\r' && i + 1 < len && text[i + 1] == '\n')
				continue;
			if ((unsigned char)c < 0x20 && c != '\t') {
				ret = fail(&p, "control character in line");
				break;
			}
			line[n++] = c;
		}
		if (ret)
			break;
		line[n] = '\0';
		words = split(&p, line, w);
		if (words < 0) {
			ret = -1;
		} else if (words > 0) {
			struct lmig_profile pr;

			ret = parse_profile(&p, w, words, &pr);
			if (!ret && push(out, &pr, p.line))
				ret = fail(&p, "out of memory");
		}
	}
	free(line);
	if (!ret)
		ret = check_unique(&p, out);
	if (ret)
		lmig_profiles_free(out);
	return ret;
}

int lmig_profiles_load(const char *path, struct lmig_profiles *out, char *err,
		       size_t errlen)
{
	bool stdin_ = !strcmp(path, "-");
	FILE *f = stdin_ ? stdin : fopen(path, "r");
	const char *name = stdin_ ? "<stdin>" : path;
	size_t len = 0, cap = 0;
	char *text = NULL;
	int ret;

	memset(out, 0, sizeof(*out));
	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	for (;;) {
		if (cap - len < 65536) {
			char *t;

			cap = cap ? cap * 2 : 65536;
			if (cap > LMIG_PROFILES_FILE_MAX + 65536) {
				snprintf(err, errlen, "%s: larger than %d MiB",
					 name, LMIG_PROFILES_FILE_MAX >> 20);
				ret = -1;
				goto out;
			}
			t = realloc(text, cap);
			if (!t) {
				snprintf(err, errlen, "%s: out of memory",
					 name);
				ret = -1;
				goto out;
			}
			text = t;
		}
		size_t got = fread(text + len, 1, cap - len, f);

		len += got;
		if (got == 0)
			break;
	}
	if (ferror(f)) {
		snprintf(err, errlen, "%s: read error", name);
		ret = -1;
		goto out;
	}
	ret = lmig_profiles_parse(text, len, name, out, err, errlen);
out:
	free(text);
	if (!stdin_)
		fclose(f);
	return ret;
}

void lmig_profiles_free(struct lmig_profiles *ps)
{
	free(ps->v);
	free(ps->line);
	memset(ps, 0, sizeof(*ps));
}

static void write_quoted(FILE *out, const char *s)
{
	fputc('"', out);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fputc('\\', out);
		fputc(*s, out);
	}
	fputc('"', out);
}

/* An ID goes out bare unless the parser would read it otherwise. */
static void write_id(FILE *out, const char *key, const char *id)
{
	fprintf(out, "%s ", key);
	if (id[0] == '#' || strpbrk(id, "\"\\"))
		write_quoted(out, id);
	else
		fputs(id, out);
}

void lmig_profiles_write(FILE *out, const struct lmig_profile *p)
{
	char buf[32];

	write_id(out, "profile", p->partner_id);
	for (unsigned int i = 0; i < p->n_primary_ids; i++)
		write_id(out, " primary", p->primary_ids[i]);
	fprintf(out, " services %s",
		lmig_services_format(p->services, buf, sizeof(buf)));
	if (p->state != LMIG_STATE_ACTIVE)
		fprintf(out, " state %s", lmig_state_name(p->state));
	if (p->not_before)
		fprintf(out, " not-before %s",
			lmig_time_iso(p->not_before, buf, sizeof(buf)));
	if (p->not_after)
		fprintf(out, " not-after %s",
			lmig_time_iso(p->not_after, buf, sizeof(buf)));
	if (p->comment[0]) {
		fputs(" comment ", out);
		write_quoted(out, p->comment);
	}
	fputc('\n', out);
}

// SPDX-License-Identifier: GPL-2.0-only
/*
 * lmigctl apply: make the kernel's table what a profiles file says, in one
 * atomic step. The file is parsed and checked whole before anything is
 * sent; the difference with the live table is printed; a file the table
 * already matches sends nothing.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fields.h"
#include "lmigctl.h"
#include "print.h"
#include "profiles_file.h"
#include "table.h"

struct diff {
	size_t *live_of;  /* per file profile: index in live, or SIZE_MAX */
	uint32_t *fields; /* per file profile: what differs */
	bool *kept;	  /* per live profile: still in the file */
	size_t added, changed, removed, unchanged;
};

static const struct lmig_profile *sort_base;

static int by_partner(const void *a, const void *b)
{
	return strcmp(sort_base[*(const size_t *)a].partner_id,
		      sort_base[*(const size_t *)b].partner_id);
}

static int find_partner(const void *key, const void *elem)
{
	return strcmp(key, sort_base[*(const size_t *)elem].partner_id);
}

static int compute(const struct lmig_profiles *file,
		   const struct ctl_table *live, struct diff *d)
{
	size_t *order = calloc(live->n + 1, sizeof(*order));

	d->live_of = calloc(file->n + 1, sizeof(*d->live_of));
	d->fields = calloc(file->n + 1, sizeof(*d->fields));
	d->kept = calloc(live->n + 1, sizeof(*d->kept));
	if (!order || !d->live_of || !d->fields || !d->kept) {
		free(order);
		return -ENOMEM;
	}
	for (size_t i = 0; i < live->n; i++)
		order[i] = i;
	sort_base = live->v;
	qsort(order, live->n, sizeof(*order), by_partner);
	for (size_t i = 0; i < file->n; i++) {
		const size_t *hit = bsearch(file->v[i].partner_id, order,
					    live->n, sizeof(*order),
					    find_partner);

		d->live_of[i] = hit ? *hit : SIZE_MAX;
		if (!hit) {
			d->added++;
			continue;
		}
		d->kept[*hit] = true;
		d->fields[i] = ctl_profile_diff(&file->v[i], &live->v[*hit]);
		if (d->fields[i])
			d->changed++;
		else
			d->unchanged++;
	}
	for (size_t i = 0; i < live->n; i++)
		d->removed += !d->kept[i];
	free(order);
	return 0;
}

static void diff_free(struct diff *d)
{
	free(d->live_of);
	free(d->fields);
	free(d->kept);
}

/* One line of the file format after a mark: + added, ~ changed, - gone. */
static void print_line(char mark, const struct lmig_profile *p)
{
	printf("%c ", mark);
	lmig_profiles_write(stdout, p);
}

static void print_diff(const struct lmig_profiles *file,
		       const struct ctl_table *live, const struct diff *d)
{
	print_open_array("added");
	for (size_t i = 0; i < file->n; i++) {
		if (d->live_of[i] != SIZE_MAX)
			continue;
		if (!print_is_json())
			print_line('+', &file->v[i]);
		print_open_object(NULL);
		print_string(PRINT_JSON, "partner_id", NULL,
			     file->v[i].partner_id);
		print_uint(PRINT_JSON, "line", NULL, file->line[i]);
		print_close_object();
	}
	print_close_array();
	print_open_array("changed");
	for (size_t i = 0; i < file->n; i++) {
		const struct lmig_profile *l;

		if (d->live_of[i] == SIZE_MAX || !d->fields[i])
			continue;
		l = &live->v[d->live_of[i]];
		if (!print_is_json())
			print_line('~', &file->v[i]);
		print_open_object(NULL);
		print_uint(PRINT_JSON, "user_id", NULL, l->user_id);
		print_string(PRINT_JSON, "partner_id", NULL, l->partner_id);
		print_uint(PRINT_JSON, "line", NULL, file->line[i]);
		print_text("    changed:");
		ctl_print_fields("fields", d->fields[i]);
		print_text("\n");
		print_close_object();
	}
	print_close_array();
	print_open_array("removed");
	for (size_t i = 0; i < live->n; i++) {
		if (d->kept[i])
			continue;
		if (!print_is_json())
			print_line('-', &live->v[i]);
		print_open_object(NULL);
		print_uint(PRINT_JSON, "user_id", NULL, live->v[i].user_id);
		print_string(PRINT_JSON, "partner_id", NULL,
			     live->v[i].partner_id);
		print_close_object();
	}
	print_close_array();
	print_uint(PRINT_ANY, "added_count", "%llu added, ", d->added);
	print_uint(PRINT_ANY, "changed_count", "%llu changed, ", d->changed);
	print_uint(PRINT_ANY, "removed_count", "%llu removed, ", d->removed);
	print_uint(PRINT_ANY, "unchanged_count", "%llu unchanged\n",
		   d->unchanged);
}

static void usage(FILE *out)
{
	fprintf(out,
		"usage: lmigctl [-j|-p] apply -f FILE|- [--dry-run]\n"
		"\n"
		"Make the kernel's profile table what FILE (lmig-profiles(5); "
		"'-' reads\n"
		"standard input) says, in one atomic step. The whole file is "
		"checked\n"
		"first: any error names the file and line, and nothing is "
		"sent. The\n"
		"difference with the live table is printed: + added, ~ "
		"changed,\n"
		"- removed. A file the table already matches sends nothing "
		"(\"no change\").\n"
		"  -f, --file FILE   the profiles file\n"
		"  -n, --dry-run     print the difference, change nothing\n");
}

/* The kernel refused the apply: say which profile when it can tell. */
static void apply_error(struct ctl *c, const struct lmig_profiles *file,
			const char *path, size_t failed)
{
	char what[512];

	if (failed < file->n) {
		snprintf(what, sizeof(what), "apply: %s:%d: profile %s",
			 strcmp(path, "-") ? path : "<stdin>",
			 file->line[failed], file->v[failed].partner_id);
		ctl_kernel_error(c, what, &file->v[failed]);
	} else {
		ctl_kernel_error(c, "apply", NULL);
	}
	ctl_error("apply: nothing was changed");
}

static int apply(struct ctl *c, const char *path, bool dry_run)
{
	struct lmig_profiles file;
	struct ctl_table live;
	struct lmig_summary sum;
	struct diff d = {0};
	char err[1024];
	size_t failed;
	int ret;

	if (lmig_profiles_load(path, &file, err, sizeof(err))) {
		ctl_error("apply: %s", err);
		ctl_error("apply: nothing was sent");
		return CTL_FAILED;
	}
	ret = ctl_table_dump(c, "apply", &live);
	if (ret != CTL_OK)
		goto out;
	if (compute(&file, &live, &d)) {
		ctl_error("apply: out of memory");
		ret = CTL_FAILED;
		goto out;
	}
	print_string(PRINT_JSON, "file", NULL, path);
	print_bool(PRINT_JSON, "dry_run", NULL, dry_run);
	print_diff(&file, &live, &d);
	if (!d.added && !d.changed && !d.removed) {
		print_bool(PRINT_JSON, "applied", NULL, false);
		print_text("no change\n");
		goto out;
	}
	if (dry_run) {
		print_bool(PRINT_JSON, "applied", NULL, false);
		print_text("dry run: nothing applied\n");
		goto out;
	}
	ret = lmig_apply(c->nl, file.v, file.n, &sum, &failed);
	if (ret) {
		apply_error(c, &file, path, failed);
		ret = ctl_exit_for(ret);
		goto out;
	}
	print_bool(PRINT_JSON, "applied", NULL, true);
	print_open_object("summary");
	print_uint(PRINT_ANY, "created", "applied: %llu created, ",
		   sum.created);
	print_uint(PRINT_ANY, "changed", "%llu changed, ", sum.changed);
	print_uint(PRINT_ANY, "deleted", "%llu deleted, ", sum.deleted);
	print_uint(PRINT_ANY, "unchanged", "%llu unchanged", sum.unchanged);
	print_uint(PRINT_ANY, "generation", ", table generation %llu\n",
		   sum.generation);
	print_close_object();
	ctl_warn_no_agent("the new table");
out:
	diff_free(&d);
	ctl_table_free(&live);
	lmig_profiles_free(&file);
	return ret;
}

int cmd_apply(struct ctl *c, int argc, char **argv)
{
	const char *path = NULL;
	bool dry_run = false;

	if (ctl_wants_help(argc, argv) ||
	    (argc == 1 && !strcmp(argv[0], "help"))) {
		usage(stdout);
		return CTL_OK;
	}
	for (int i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "-n") || !strcmp(argv[i], "--dry-run")) {
			dry_run = true;
		} else if ((!strcmp(argv[i], "-f") ||
			    !strcmp(argv[i], "--file")) &&
			   i + 1 < argc && !path) {
			path = argv[++i];
		} else {
			ctl_error("apply: unexpected '%s'", argv[i]);
			usage(stderr);
			return CTL_USAGE;
		}
	}
	if (!path) {
		ctl_error("apply: which file? (-f FILE, or -f - for standard "
			  "input)");
		usage(stderr);
		return CTL_USAGE;
	}
	return apply(c, path, dry_run);
}

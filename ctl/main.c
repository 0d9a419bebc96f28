// SPDX-License-Identifier: GPL-2.0-only
/*
 * lmigctl: the operator's tool for the limited-migration gateway. Profiles
 * over generic netlink to lmig.ko; views of the fast path's pinned maps,
 * and live changes of its traffic classes.
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lmigctl.h"
#include "lmig_maps.h"
#include "print.h"

#define LMIGCTL_VERSION "0.1.0"

static const struct command {
	const char *name;
	int (*run)(struct ctl *c, int argc, char **argv);
	const char *help;
	bool stream; /* prints its own JSON values, one per line */
} commands[] = {
	{"profile", cmd_profile,
	 "add | replace | set | suspend | resume | del | get | list\n"
	 "           (limited-migration profiles)"},
	{"revoke", cmd_revoke,
	 "USER  suspend the user and end every session at once"},
	{"apply", cmd_apply,
	 "-f FILE|- [--dry-run]  make the table what a profiles file says"},
	{"export", cmd_export, "the live table as a profiles file"},
	{"show", cmd_show,
	 "[USER]  profiles with their live sessions, and fast-path counters"},
	{"stats", cmd_stats, "totals of the profile table and the fast path"},
	{"services", cmd_services,
	 "[set ...]  the fast path's traffic classes, shown or set live"},
	{"monitor", cmd_monitor,
	 "profile events and fast-path denials as they happen", .stream = true},
};

static void usage(FILE *out)
{
	fprintf(out,
		"usage: lmigctl [-j] [-p] [-i INSTANCE] COMMAND [ARGS...]\n"
		"\n"
		"Commands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(*commands); i++)
		fprintf(out, "  %-8s %s\n", commands[i].name, commands[i].help);
	fprintf(out,
		"  version  print the version\n"
		"\n"
		"Options:\n"
		"  -j, --json          JSON output\n"
		"  -p, --pretty        indented JSON (implies -j)\n"
		"  -i, --instance NAME fast path instance (default %s)\n"
		"  -h, --help          this help; 'lmigctl COMMAND help' for a "
		"command\n"
		"\n"
		"USER is a user id (a number) or a partner MC service ID.\n"
		"Exit status: 0 done, 1 refused by the kernel, not found,\n"
		"or an invalid profiles file, 2 bad usage, 3 lmig\n"
		"unavailable (module not loaded, no CAP_NET_ADMIN).\n",
		LMIG_INSTANCE_DEFAULT);
}

void ctl_error(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fputs("lmigctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

struct lmig_genl *ctl_genl(struct ctl *c)
{
	char why[256];
	int err;

	if (c->nl)
		return c->nl;
	err = lmig_genl_open(&c->nl, why, sizeof(why));
	if (err) {
		ctl_error("%s", why);
		c->nl = NULL;
	}
	return c->nl;
}

int ctl_exit_for(int err)
{
	return err == -EPERM || err == -EACCES ? CTL_UNAVAILABLE : CTL_FAILED;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"json", no_argument, NULL, 'j'},
		{"pretty", no_argument, NULL, 'p'},
		{"instance", required_argument, NULL, 'i'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct ctl c = {.instance = LMIG_INSTANCE_DEFAULT};
	bool json = false, pretty = false;
	int opt, ret;

	/* Options come before the command; the command parses the rest. */
	while ((opt = getopt_long(argc, argv, "+jpi:h", opts, NULL)) != -1) {
		switch (opt) {
		case 'j':
			json = true;
			break;
		case 'p':
			json = pretty = true;
			break;
		case 'i':
			c.instance = optarg;
			break;
		case 'h':
			usage(stdout);
			return CTL_OK;
		default:
			usage(stderr);
			return CTL_USAGE;
		}
	}
	if (optind == argc) {
		usage(stderr);
		return CTL_USAGE;
	}
	const char *name = argv[optind];

	if (!strcmp(name, "version")) {
		print_init(json, pretty);
		print_string(PRINT_ANY, "version", "lmigctl %s\n",
			     LMIGCTL_VERSION);
		print_done();
		return CTL_OK;
	}
	if (!strcmp(name, "help")) {
		usage(stdout);
		return CTL_OK;
	}
	c.json = json;
	c.pretty = pretty;
	for (size_t i = 0; i < sizeof(commands) / sizeof(*commands); i++) {
		if (strcmp(name, commands[i].name))
			continue;
		if (commands[i].stream) {
			ret = commands[i].run(&c, argc - optind - 1,
					      argv + optind + 1);
			lmig_genl_close(c.nl);
			return ret;
		}
		print_init(json, pretty);
		ret = commands[i].run(&c, argc - optind - 1, argv + optind + 1);
		print_done();
		lmig_genl_close(c.nl);
		return ret;
	}
	ctl_error("unknown command '%s' (try 'lmigctl --help')", name);
	return CTL_USAGE;
}

// SPDX-License-Identifier: GPL-2.0-only
/*
 * lmigctl services: the traffic class table of the fast path, from its
 * pinned maps. lmigd writes it from the "service" lines of lmigd.conf at
 * start and on reload, and returns ports it no longer names to the
 * default; a change made here would not survive that, so it is set there.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "fastpath.h"
#include "lmigctl.h"
#include "names.h"
#include "print.h"

static int print_range(uint32_t slot, uint16_t first, uint16_t last,
		       uint32_t class, void *ctx)
{
	char ports[16];

	(void)ctx;
	if (first == last)
		snprintf(ports, sizeof(ports), "%u", first);
	else
		snprintf(ports, sizeof(ports), "%u-%u", first, last);
	print_open_object(NULL);
	print_string(PRINT_ANY, "class", "%-8s", lmig_class_name(class));
	print_string(PRINT_ANY, "protocol", "%-6s", lmig_l4_name(slot));
	print_string(PRINT_TEXT, NULL, "%s\n", ports);
	print_uint(PRINT_JSON, "first", NULL, first);
	print_uint(PRINT_JSON, "last", NULL, last);
	print_close_object();
	return 0;
}

static void usage(FILE *out)
{
	fprintf(out,
		"usage: lmigctl [-j|-p] [-i INSTANCE] services\n"
		"\n"
		"The fast path's traffic classes: which destination ports are "
		"MCPTT,\n"
		"MCVideo, MCData, open to all, or denied, and what happens to "
		"the rest.\n"
		"lmigd sets them from the 'service CLASS udp|tcp|sctp "
		"PORT[-PORT]' and\n"
		"'unclassified pass|drop' lines of lmigd.conf(5), at start and "
		"on\n"
		"'systemctl reload lmigd' (SIGHUP).\n");
}

int cmd_services(struct ctl *c, int argc, char **argv)
{
	char msg[LMIG_FP_MSG_MAX];
	struct lmig_config cfg;
	struct lmig_fp *fp;
	int err;

	if (ctl_wants_help(argc, argv) ||
	    (argc == 1 && !strcmp(argv[0], "help"))) {
		usage(stdout);
		return CTL_OK;
	}
	if (argc && !strcmp(argv[0], "set")) {
		ctl_error("services: the traffic classes are set in "
			  "lmigd.conf ('service CLASS PROTOCOL PORTS'), then "
			  "'systemctl reload lmigd'; lmigd would undo a change "
			  "made here");
		return CTL_USAGE;
	}
	if (argc) {
		ctl_error("services: unexpected '%s'", argv[0]);
		usage(stderr);
		return CTL_USAGE;
	}
	err = lmig_fp_open(c->instance, &fp, msg, sizeof(msg));
	if (err) {
		ctl_error("services: %s%s", msg,
			  err == -ENOENT ? " (has lmigd run?)" : "");
		return err == -EPERM || err == -EACCES ? CTL_UNAVAILABLE
						       : CTL_FAILED;
	}
	err = lmig_fp_config_get(fp, &cfg, msg, sizeof(msg));
	if (err) {
		ctl_error("services: %s", msg);
		lmig_fp_close(fp);
		return CTL_FAILED;
	}
	print_string(PRINT_JSON, "instance", NULL, c->instance);
	print_string(PRINT_ANY, "unclassified", "unclassified traffic: %s\n",
		     cfg.unclassified == LMIG_DEFAULT_DROP ? "drop" : "pass");
	print_text("%-8s%-6s%s\n", "CLASS", "PROTO", "PORTS");
	print_open_array("services");
	err = lmig_fp_port_ranges(fp, print_range, NULL, msg, sizeof(msg));
	print_close_array();
	lmig_fp_close(fp);
	if (err) {
		ctl_error("services: %s", msg);
		return CTL_FAILED;
	}
	return CTL_OK;
}

// SPDX-License-Identifier: GPL-2.0-only
/*
 * lmigctl services: the traffic class table of the fast path, from its
 * pinned maps. lmigd writes it from the "service" and "unclassified" lines
 * of lmigd.conf at start and on reload; "services set" (services_set.c)
 * changes it live until then.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "lmigctl.h"
#include "names.h"
#include "print.h"
#include "services.h"

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
		"       lmigctl [-j|-p] [-i INSTANCE] services set CLASS "
		"udp|tcp|sctp PORT[-PORT]\n"
		"       lmigctl [-j|-p] [-i INSTANCE] services set "
		"unclassified "
		"pass|drop\n"
		"\n"
		"The fast path's traffic classes: which destination ports are "
		"MCPTT,\n"
		"MCVideo, MCData, open to all, or denied, and what happens to "
		"the rest.\n"
		"lmigd sets them from the 'service CLASS udp|tcp|sctp "
		"PORT[-PORT]' and\n"
		"'unclassified pass|drop' lines of lmigd.conf(5), at start and "
		"on\n"
		"'systemctl reload lmigd' (SIGHUP).\n"
		"\n"
		"'set' changes the live table at once: CLASS is open, ptt, "
		"video, data,\n"
		"deny, or none to give the ports back to the unclassified "
		"default. The\n"
		"change lasts until lmigd next starts or reloads, which sets "
		"the table\n"
		"from lmigd.conf again; to keep it, write it in lmigd.conf.\n");
}

struct lmig_fp *ctl_services_open(struct ctl *c, const char *what, int *ret)
{
	char msg[LMIG_FP_MSG_MAX];
	struct lmig_fp *fp;
	int err = lmig_fp_open(c->instance, &fp, msg, sizeof(msg));

	if (!err)
		return fp;
	ctl_error("%s: %s%s", what, msg,
		  err == -ENOENT ? " (has lmigd run?)" : "");
	*ret = err == -EPERM || err == -EACCES ? CTL_UNAVAILABLE : CTL_FAILED;
	return NULL;
}

int cmd_services(struct ctl *c, int argc, char **argv)
{
	char msg[LMIG_FP_MSG_MAX];
	struct lmig_config cfg;
	struct lmig_fp *fp;
	int err, ret = CTL_OK;

	if (ctl_wants_help(argc, argv) ||
	    (argc == 1 && !strcmp(argv[0], "help"))) {
		usage(stdout);
		return CTL_OK;
	}
	if (argc && !strcmp(argv[0], "set"))
		return ctl_services_set(c, argc - 1, argv + 1);
	if (argc) {
		ctl_error("services: unexpected '%s'", argv[0]);
		usage(stderr);
		return CTL_USAGE;
	}
	fp = ctl_services_open(c, "services", &ret);
	if (!fp)
		return ret;
	err = lmig_fp_config_get(fp, &cfg, msg, sizeof(msg));
	if (err) {
		ctl_error("services: %s", msg);
		lmig_fp_close(fp);
		return CTL_FAILED;
	}
	print_string(PRINT_JSON, "instance", NULL, c->instance);
	print_string(PRINT_ANY, "unclassified", "unclassified traffic: %s\n",
		     lmig_default_name(cfg.unclassified));
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

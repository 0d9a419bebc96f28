// SPDX-License-Identifier: GPL-2.0-only
/*
 * lmigctl services set: a live change of the traffic class table, written
 * straight into the pinned maps, like "ip route add" beside a
 * configuration file. lmigd sets the whole table from lmigd.conf again
 * when it starts or reloads, so the change lasts until then. Every
 * argument is checked before the maps are opened: a refused command
 * changes nothing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lmigctl.h"
#include "names.h"
#include "ports.h"
#include "print.h"
#include "services.h"

#define WHAT "services set"

struct port_change {
	uint32_t slot, class;
	uint16_t first, last;
};

static int parse_ports(int argc, char **argv, struct port_change *pc)
{
	char why[96];

	if (argc < 3) {
		ctl_error(WHAT ": expected CLASS udp|tcp|sctp PORT[-PORT], or "
			       "unclassified pass|drop");
		return -1;
	}
	if (argc > 3) {
		ctl_error(WHAT ": unexpected '%s'", argv[3]);
		return -1;
	}
	if (lmig_class_parse(argv[0], &pc->class) ||
	    pc->class >= __LMIG_PORT_CLASS_MAX) {
		ctl_error(WHAT ": class '%s' unknown (open, ptt, video, data, "
			       "deny, none)",
			  argv[0]);
		return -1;
	}
	if (lmig_l4_parse(argv[1], &pc->slot)) {
		ctl_error(WHAT ": protocol '%s' unknown (udp, tcp, sctp)",
			  argv[1]);
		return -1;
	}
	if (lmig_port_range_parse(argv[2], &pc->first, &pc->last, why,
				  sizeof(why))) {
		ctl_error(WHAT ": %s", why);
		return -1;
	}
	return 0;
}

/* Text in fmt (none when NULL); JSON first and last. */
static void print_ports(uint16_t first, uint16_t last, const char *fmt)
{
	char ports[16];

	if (first == last)
		snprintf(ports, sizeof(ports), "%u", first);
	else
		snprintf(ports, sizeof(ports), "%u-%u", first, last);
	if (fmt)
		print_string(PRINT_TEXT, NULL, fmt, ports);
	print_uint(PRINT_JSON, "first", NULL, first);
	print_uint(PRINT_JSON, "last", NULL, last);
}

/* What the ports held before, one run of one class at a time: "(was
 * none)", or "(was 5000-5004 none, 5005 ptt)". */
static void print_was(const struct port_change *pc, const uint32_t *old)
{
	uint32_t n = (uint32_t)pc->last - pc->first + 1, j;
	bool one = true;

	for (uint32_t i = 1; i < n; i++)
		one = one && old[i] == old[0];
	print_text(" (was");
	print_open_array("was");
	for (uint32_t i = 0; i < n; i = j) {
		for (j = i + 1; j < n && old[j] == old[i];)
			j++;
		print_open_object(NULL);
		print_text("%s", i ? "," : "");
		print_ports((uint16_t)(pc->first + i),
			    (uint16_t)(pc->first + j - 1), one ? NULL : " %s");
		print_string(PRINT_ANY, "class", " %s",
			     lmig_class_name(old[i]));
		print_close_object();
	}
	print_close_array();
	print_text(")\n");
}

static int set_ports(struct ctl *c, const struct port_change *pc)
{
	uint32_t n = (uint32_t)pc->last - pc->first + 1, *old;
	char msg[LMIG_FP_MSG_MAX];
	struct lmig_fp *fp;
	int ret = CTL_OK;

	old = calloc(n, sizeof(*old));
	if (!old) {
		ctl_error(WHAT ": out of memory");
		return CTL_FAILED;
	}
	fp = ctl_services_open(c, WHAT, &ret);
	if (!fp)
		goto out;
	if (lmig_fp_ports_get(fp, pc->slot, pc->first, pc->last, old, msg,
			      sizeof(msg)) ||
	    lmig_fp_ports_set(fp, pc->slot, pc->first, pc->last, pc->class, msg,
			      sizeof(msg))) {
		ctl_error(WHAT ": %s", msg);
		ret = CTL_FAILED;
		goto out;
	}
	print_string(PRINT_JSON, "instance", NULL, c->instance);
	print_string(PRINT_ANY, "protocol", "%s ", lmig_l4_name(pc->slot));
	print_ports(pc->first, pc->last, "%s: ");
	print_string(PRINT_ANY, "class", "%s", lmig_class_name(pc->class));
	print_was(pc, old);
out:
	lmig_fp_close(fp);
	free(old);
	return ret;
}

static int set_unclassified(struct ctl *c, uint32_t def)
{
	char msg[LMIG_FP_MSG_MAX];
	struct lmig_config cfg;
	struct lmig_fp *fp;
	uint32_t was;
	int ret = CTL_OK;

	fp = ctl_services_open(c, WHAT, &ret);
	if (!fp)
		return ret;
	/* The rest of lmig_config (limits, epoch) stays as lmigd wrote it. */
	if (lmig_fp_config_get(fp, &cfg, msg, sizeof(msg))) {
		ctl_error(WHAT ": %s", msg);
		ret = CTL_FAILED;
		goto out;
	}
	was = cfg.unclassified;
	cfg.unclassified = def;
	if (lmig_fp_config_set(fp, &cfg, msg, sizeof(msg))) {
		ctl_error(WHAT ": %s", msg);
		ret = CTL_FAILED;
		goto out;
	}
	print_string(PRINT_JSON, "instance", NULL, c->instance);
	print_string(PRINT_ANY, "unclassified", "unclassified traffic: %s",
		     lmig_default_name(def));
	print_string(PRINT_ANY, "was", " (was %s)\n", lmig_default_name(was));
out:
	lmig_fp_close(fp);
	return ret;
}

int ctl_services_set(struct ctl *c, int argc, char **argv)
{
	struct port_change pc;
	uint32_t def;
	int ret;

	if (argc && !strcmp(argv[0], "unclassified")) {
		if (argc < 2) {
			ctl_error(WHAT " unclassified: give pass or drop");
			return CTL_USAGE;
		}
		if (argc > 2) {
			ctl_error(WHAT " unclassified: unexpected '%s'",
				  argv[2]);
			return CTL_USAGE;
		}
		if (lmig_default_parse(argv[1], &def)) {
			ctl_error(WHAT " unclassified: '%s' unknown (pass, "
				       "drop)",
				  argv[1]);
			return CTL_USAGE;
		}
		ret = set_unclassified(c, def);
	} else {
		if (parse_ports(argc, argv, &pc))
			return CTL_USAGE;
		ret = set_ports(c, &pc);
	}
	if (ret == CTL_OK && !c->json)
		ctl_error("note: a live change; lmigd sets the table from "
			  "lmigd.conf again when it next starts or reloads");
	return ret;
}

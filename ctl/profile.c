// SPDX-License-Identifier: GPL-2.0-only
/* lmigctl profile: limited-migration profiles in the kernel. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lmigctl.h"
#include "names.h"
#include "print.h"
#include "timefmt.h"

static void profile_usage(FILE *out)
{
	fprintf(out,
		"usage: lmigctl profile add PARTNER-ID primary ID [primary "
		"ID]... services LIST\n"
		"                           [state active|suspended] "
		"[not-before TIME]\n"
		"                           [not-after TIME] [comment TEXT]\n"
		"       lmigctl profile replace USER [partner PARTNER-ID] "
		"primary ID [primary ID]...\n"
		"                           services LIST [state STATE] "
		"[not-before TIME]\n"
		"                           [not-after TIME] [comment TEXT]\n"
		"       lmigctl profile set USER [primary ID]... [services "
		"LIST] [state STATE]\n"
		"                           [not-before TIME|none] [not-after "
		"TIME|none] [comment TEXT]\n"
		"       lmigctl profile suspend USER\n"
		"       lmigctl profile resume USER\n"
		"       lmigctl profile del USER\n"
		"       lmigctl profile get USER | primary ID\n"
		"       lmigctl profile list\n"
		"\n"
		"USER is a user id or a partner MC service ID. LIST is a "
		"comma-separated\n"
		"list of ptt, video, data. TIME is Unix seconds, "
		"2026-12-01T00:00:00Z,\n"
		"2026-12-01, or +N[s|m|h|d] from now; 'none' removes a bound.\n"
		"'set' with primary IDs replaces the whole list. 'replace' "
		"sets the whole\n"
		"profile, keeping its user id: fields left out take their "
		"defaults\n"
		"(active, no bounds, no comment); with USER a user id, "
		"'partner' renames.\n");
}

/* The CLI word for an attribute, to quote what the kernel refused. */
static const char *field_word(uint16_t type)
{
	switch (type) {
	case LMIG_PROFILE_A_USER_ID:
		return "user id";
	case LMIG_PROFILE_A_PARTNER_ID:
		return "partner ID";
	case LMIG_PROFILE_A_PRIMARY_ID:
		return "primary";
	case LMIG_PROFILE_A_SERVICES:
		return "services";
	case LMIG_PROFILE_A_STATE:
		return "state";
	case LMIG_PROFILE_A_NOT_BEFORE:
		return "not-before";
	case LMIG_PROFILE_A_NOT_AFTER:
		return "not-after";
	case LMIG_PROFILE_A_COMMENT:
		return "comment";
	default:
		return NULL;
	}
}

void ctl_kernel_error(struct ctl *c, const char *what,
		      const struct lmig_profile *sent)
{
	const struct lmig_genl_error *e = lmig_genl_error(c->nl);
	const char *word = e->attr_nest == LMIG_A_PROFILE
				   ? field_word(e->attr_type)
				   : NULL;
	const char *value = NULL;

	if (word && sent) {
		if (e->attr_type == LMIG_PROFILE_A_PARTNER_ID)
			value = sent->partner_id;
		else if (e->attr_type == LMIG_PROFILE_A_PRIMARY_ID &&
			 e->attr_index < sent->n_primary_ids)
			value = sent->primary_ids[e->attr_index];
		else if (e->attr_type == LMIG_PROFILE_A_COMMENT)
			value = sent->comment;
	}
	if (value)
		ctl_error("%s: %s '%s': %s", what, word, value,
			  lmig_genl_strerror(c->nl));
	else if (word)
		ctl_error("%s: %s: %s", what, word, lmig_genl_strerror(c->nl));
	else
		ctl_error("%s: %s", what, lmig_genl_strerror(c->nl));
}

bool ctl_wants_help(int argc, char **argv)
{
	for (int i = 0; i < argc; i++)
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"))
			return true;
	return false;
}

int ctl_parse_user(const char *what, const char *arg, struct lmig_profile *p)
{
	char *end;
	unsigned long v;

	if (arg[0] >= '0' && arg[0] <= '9') {
		v = strtoul(arg, &end, 10);
		if (*end || v == 0 || v > UINT32_MAX) {
			ctl_error("%s: '%s' is not a user id (1..%u)", what,
				  arg, UINT32_MAX);
			return -1;
		}
		p->user_id = v;
		p->fields |= LMIG_PF_USER_ID;
		return 0;
	}
	if (lmig_profile_set_partner_id(p, arg)) {
		ctl_error("%s: partner ID '%s' %s", what, arg,
			  lmig_id_problem(arg));
		return -1;
	}
	return 0;
}

static int parse_time_arg(const char *what, const char *word, const char *arg,
			  bool allow_none, uint64_t *t)
{
	if (allow_none && !strcmp(arg, "none")) {
		*t = 0;
		return 0;
	}
	if (lmig_time_parse(arg, time(NULL), t)) {
		ctl_error("%s: %s '%s' is not a time (Unix seconds, "
			  "2026-12-01T00:00:00Z, 2026-12-01 or +N[smhd])",
			  what, word, arg);
		return -1;
	}
	return 0;
}

/* How parse_fields() reads: set allows "none", replace "partner". */
enum fields_mode {
	FIELDS_ADD,
	FIELDS_SET,
	FIELDS_REPLACE,
};

/* keyword value pairs after the profile's name. */
static int parse_fields(const char *what, int argc, char **argv,
			struct lmig_profile *p, enum fields_mode mode)
{
	bool set = mode == FIELDS_SET;

	bool replaced_primaries = false;

	for (int i = 0; i < argc; i += 2) {
		const char *k = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		const char *bad;
		size_t bad_len;

		if (!v) {
			ctl_error("%s: '%s' needs a value", what, k);
			return -1;
		}
		if (!strcmp(k, "primary")) {
			if (!replaced_primaries) {
				p->n_primary_ids = 0;
				replaced_primaries = true;
			}
			int err = lmig_profile_add_primary_id(p, v);

			if (err == -ENOSPC) {
				ctl_error("%s: more than %d primary IDs", what,
					  LMIG_PRIMARY_IDS_MAX);
				return -1;
			}
			if (err) {
				ctl_error("%s: primary '%s' %s", what, v,
					  lmig_id_problem(v));
				return -1;
			}
		} else if (!strcmp(k, "services")) {
			if (lmig_services_parse(v, &p->services, &bad,
						&bad_len)) {
				ctl_error("%s: unknown service '%.*s' in '%s' "
					  "(ptt, video, data)",
					  what, (int)bad_len, bad, v);
				return -1;
			}
			p->fields |= LMIG_PF_SERVICES;
		} else if (!strcmp(k, "state")) {
			if (lmig_state_parse(v, &p->state)) {
				ctl_error("%s: state '%s' unknown (active, "
					  "suspended)",
					  what, v);
				return -1;
			}
			p->fields |= LMIG_PF_STATE;
		} else if (!strcmp(k, "not-before")) {
			if (parse_time_arg(what, k, v, set, &p->not_before))
				return -1;
			p->fields |= LMIG_PF_NOT_BEFORE;
		} else if (!strcmp(k, "not-after")) {
			if (parse_time_arg(what, k, v, set, &p->not_after))
				return -1;
			p->fields |= LMIG_PF_NOT_AFTER;
		} else if (mode == FIELDS_REPLACE && !strcmp(k, "partner")) {
			if (lmig_profile_set_partner_id(p, v)) {
				ctl_error("%s: partner ID '%s' %s", what, v,
					  lmig_id_problem(v));
				return -1;
			}
		} else if (!strcmp(k, "comment")) {
			if (lmig_profile_set_comment(p, v)) {
				ctl_error("%s: comment longer than %d bytes",
					  what, LMIG_COMMENT_MAX_LEN);
				return -1;
			}
		} else {
			ctl_error("%s: '%s' is not a profile field (primary, "
				  "services, state, not-before, not-after, "
				  "comment)",
				  what, k);
			return -1;
		}
	}
	return 0;
}

void ctl_print_profile(const char *key, const struct lmig_profile *p)
{
	print_open_object(key);
	print_uint(PRINT_ANY, "user_id", "user %llu\n", p->user_id);
	print_string(PRINT_ANY, "partner_id", "    partner     %s\n",
		     p->partner_id);
	print_open_array("primary_ids");
	for (unsigned int i = 0; i < p->n_primary_ids; i++)
		print_string(PRINT_ANY, NULL, "    primary     %s\n",
			     p->primary_ids[i]);
	print_close_array();
	print_services("services", "    services    %s\n", p->services);
	print_string(PRINT_ANY, "state", "    state       %s\n",
		     lmig_state_name(p->state));
	if (p->not_before)
		print_time("not_before", "    not-before  %s\n", p->not_before);
	if (p->not_after)
		print_time("not_after", "    not-after   %s\n", p->not_after);
	if (p->comment[0])
		print_string(PRINT_ANY, "comment", "    comment     %s\n",
			     p->comment);
	print_uint(PRINT_ANY, "generation", "    generation  %llu\n",
		   p->generation);
	print_close_object();
}

static int request(struct ctl *c, const char *what, uint8_t cmd,
		   struct lmig_profile *p, uint32_t mask, bool show)
{
	struct lmig_genl *nl = ctl_genl(c);
	struct lmig_profile reply;
	int err;

	if (!nl)
		return CTL_UNAVAILABLE;
	err = lmig_profile_request(nl, cmd, p, mask, show ? &reply : NULL);
	if (err) {
		ctl_kernel_error(c, what, p);
		return ctl_exit_for(err);
	}
	if (show)
		ctl_print_profile("profile", &reply);
	return CTL_OK;
}

static int profile_add(struct ctl *c, int argc, char **argv)
{
	struct lmig_profile p;

	lmig_profile_init(&p);
	if (argc < 1 || argv[0][0] == '\0') {
		ctl_error("profile add: the partner MC service ID is missing");
		return CTL_USAGE;
	}
	if (lmig_profile_set_partner_id(&p, argv[0])) {
		ctl_error("profile add: partner ID '%s' %s", argv[0],
			  lmig_id_problem(argv[0]));
		return CTL_USAGE;
	}
	if (parse_fields("profile add", argc - 1, argv + 1, &p, FIELDS_ADD))
		return CTL_USAGE;
	if (!p.n_primary_ids) {
		ctl_error("profile add: at least one 'primary ID' is needed");
		return CTL_USAGE;
	}
	if (!(p.fields & LMIG_PF_SERVICES)) {
		ctl_error("profile add: 'services LIST' is needed");
		return CTL_USAGE;
	}
	return request(c, "profile add", LMIG_CMD_PROFILE_NEW, &p,
		       LMIG_PF_WRITABLE, true);
}

/* The selector of p only, for the kernel's SET, DEL and GET. */
static uint32_t selector(const struct lmig_profile *p)
{
	return p->fields & LMIG_PF_USER_ID ? LMIG_PF_USER_ID
					   : LMIG_PF_PARTNER_ID;
}

static int profile_set(struct ctl *c, int argc, char **argv, const char *what,
		       const char *state)
{
	struct lmig_profile p;
	uint32_t sel;
	int ret;

	lmig_profile_init(&p);
	if (argc < 1) {
		ctl_error("%s: which user? (a user id or partner ID)", what);
		return CTL_USAGE;
	}
	if (ctl_parse_user(what, argv[0], &p))
		return CTL_USAGE;
	sel = selector(&p);
	if (state) {
		if (argc != 1) {
			ctl_error("%s: unexpected '%s'", what, argv[1]);
			return CTL_USAGE;
		}
		lmig_state_parse(state, &p.state);
		p.fields |= LMIG_PF_STATE;
	} else if (parse_fields(what, argc - 1, argv + 1, &p, FIELDS_SET)) {
		return CTL_USAGE;
	}
	if (!(p.fields & ~sel)) {
		ctl_error("%s: nothing to change", what);
		return CTL_USAGE;
	}
	ret = request(c, what, LMIG_CMD_PROFILE_SET, &p,
		      sel | (p.fields & LMIG_PF_WRITABLE & ~LMIG_PF_PARTNER_ID),
		      true);
	if (ret == CTL_OK)
		ctl_warn_no_agent("the change");
	return ret;
}

static int profile_replace(struct ctl *c, int argc, char **argv)
{
	const char *what = "profile replace";
	struct lmig_profile p;
	bool by_id;
	int ret;

	lmig_profile_init(&p);
	if (argc < 1) {
		ctl_error("%s: which user? (a user id or partner ID)", what);
		return CTL_USAGE;
	}
	if (ctl_parse_user(what, argv[0], &p))
		return CTL_USAGE;
	by_id = p.fields & LMIG_PF_USER_ID;
	if (parse_fields(what, argc - 1, argv + 1, &p, FIELDS_REPLACE))
		return CTL_USAGE;
	if (!by_id && strcmp(p.partner_id, argv[0])) {
		ctl_error("%s: 'partner' renames only a profile named by its "
			  "user id",
			  what);
		return CTL_USAGE;
	}
	if (!(p.fields & LMIG_PF_PARTNER_ID)) {
		ctl_error("%s: with a user id, give 'partner PARTNER-ID' too",
			  what);
		return CTL_USAGE;
	}
	if (!p.n_primary_ids) {
		ctl_error("%s: at least one 'primary ID' is needed", what);
		return CTL_USAGE;
	}
	if (!(p.fields & LMIG_PF_SERVICES)) {
		ctl_error("%s: 'services LIST' is needed", what);
		return CTL_USAGE;
	}
	ret = request(c, what, LMIG_CMD_PROFILE_REPLACE, &p,
		      LMIG_PF_WRITABLE | LMIG_PF_USER_ID, true);
	if (ret == CTL_OK)
		ctl_warn_no_agent("the change");
	return ret;
}

static int profile_del(struct ctl *c, int argc, char **argv)
{
	struct lmig_profile p;
	int ret;

	lmig_profile_init(&p);
	if (argc != 1) {
		ctl_error("profile del: give exactly one user (a user id or "
			  "partner ID)");
		return CTL_USAGE;
	}
	if (ctl_parse_user("profile del", argv[0], &p))
		return CTL_USAGE;
	ret = request(c, "profile del", LMIG_CMD_PROFILE_DEL, &p, selector(&p),
		      false);
	if (ret == CTL_OK) {
		print_string(PRINT_ANY, "deleted", "deleted %s\n", argv[0]);
		ctl_warn_no_agent("the deletion");
	}
	return ret;
}

static int profile_get(struct ctl *c, int argc, char **argv)
{
	struct lmig_profile p;

	lmig_profile_init(&p);
	if (argc == 2 && !strcmp(argv[0], "primary")) {
		if (lmig_profile_add_primary_id(&p, argv[1])) {
			ctl_error("profile get: primary '%s' %s", argv[1],
				  lmig_id_problem(argv[1]));
			return CTL_USAGE;
		}
		return request(c, "profile get", LMIG_CMD_PROFILE_GET, &p,
			       LMIG_PF_PRIMARY_IDS, true);
	}
	if (argc != 1) {
		ctl_error("profile get: give one user, or 'primary ID'");
		return CTL_USAGE;
	}
	if (ctl_parse_user("profile get", argv[0], &p))
		return CTL_USAGE;
	return request(c, "profile get", LMIG_CMD_PROFILE_GET, &p, selector(&p),
		       true);
}

static int list_one(const struct lmig_profile *p, void *data)
{
	char primaries[1024] = "";
	size_t used = 0;

	(void)data;
	if (print_is_json()) {
		ctl_print_profile(NULL, p);
		return 0;
	}
	for (unsigned int i = 0;
	     i < p->n_primary_ids && used < sizeof(primaries); i++)
		used += snprintf(primaries + used, sizeof(primaries) - used,
				 "%s%s", i ? "," : "", p->primary_ids[i]);
	print_uint(PRINT_TEXT, NULL, "%-6llu", p->user_id);
	print_string(PRINT_TEXT, NULL, "%-10s ", lmig_state_name(p->state));
	print_services(NULL, "%-15s ", p->services);
	print_string(PRINT_TEXT, NULL, "%-32s ", p->partner_id);
	print_string(PRINT_TEXT, NULL, "%s\n", primaries);
	return 0;
}

static int profile_list(struct ctl *c, int argc, char **argv)
{
	struct lmig_genl *nl;
	int err;

	(void)argv;
	if (argc) {
		ctl_error("profile list: takes no arguments");
		return CTL_USAGE;
	}
	nl = ctl_genl(c);
	if (!nl)
		return CTL_UNAVAILABLE;
	print_text("%-6s%-10s %-15s %-32s %s\n", "USER", "STATE", "SERVICES",
		   "PARTNER-ID", "PRIMARY-IDS");
	print_open_array("profiles");
	err = lmig_profile_dump(nl, list_one, NULL);
	print_close_array();
	if (err == -EINTR) {
		ctl_error("profile list: the table changed while it was "
			  "listed; run again for a consistent list");
		return CTL_FAILED;
	}
	if (err) {
		ctl_kernel_error(c, "profile list", NULL);
		return ctl_exit_for(err);
	}
	return CTL_OK;
}

int cmd_profile(struct ctl *c, int argc, char **argv)
{
	const char *sub = argc ? argv[0] : "help";

	/* "lmigctl profile SUB --help" shows the usage, changes nothing. */
	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"))
			sub = "help";
	if (!strcmp(sub, "add"))
		return profile_add(c, argc - 1, argv + 1);
	if (!strcmp(sub, "replace"))
		return profile_replace(c, argc - 1, argv + 1);
	if (!strcmp(sub, "set"))
		return profile_set(c, argc - 1, argv + 1, "profile set", NULL);
	if (!strcmp(sub, "suspend"))
		return profile_set(c, argc - 1, argv + 1, "profile suspend",
				   "suspended");
	if (!strcmp(sub, "resume"))
		return profile_set(c, argc - 1, argv + 1, "profile resume",
				   "active");
	if (!strcmp(sub, "del") || !strcmp(sub, "delete"))
		return profile_del(c, argc - 1, argv + 1);
	if (!strcmp(sub, "get"))
		return profile_get(c, argc - 1, argv + 1);
	if (!strcmp(sub, "list") || !strcmp(sub, "ls"))
		return profile_list(c, argc - 1, argv + 1);
	if (!strcmp(sub, "help") || !strcmp(sub, "--help") ||
	    !strcmp(sub, "-h")) {
		profile_usage(stdout);
		return CTL_OK;
	}
	ctl_error("profile: unknown subcommand '%s'", sub);
	profile_usage(stderr);
	return CTL_USAGE;
}

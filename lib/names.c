// SPDX-License-Identifier: GPL-2.0-only
/* Stable names of the enums in include/. */
#include <stdio.h>
#include <string.h>

#include <linux/lmig.h>
#include "lmig_maps.h"
#include "names.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static const struct {
	uint32_t bit;
	const char *name;
} services[] = {
	{LMIG_SERVICE_PTT, "ptt"},
	{LMIG_SERVICE_VIDEO, "video"},
	{LMIG_SERVICE_DATA, "data"},
};

static const char *const states[] = {
	[LMIG_STATE_ACTIVE] = "active",
	[LMIG_STATE_SUSPENDED] = "suspended",
};

static const char *const classes[] = {
	[LMIG_CLASS_NONE] = "none",	    [LMIG_CLASS_OPEN] = "open",
	[LMIG_CLASS_PTT] = "ptt",	    [LMIG_CLASS_VIDEO] = "video",
	[LMIG_CLASS_DATA] = "data",	    [LMIG_CLASS_DENY] = "deny",
	[LMIG_CLASS_FRAGMENT] = "fragment", [LMIG_CLASS_OPAQUE] = "opaque",
};

static const char *const defaults[] = {
	[LMIG_DEFAULT_PASS] = "pass",
	[LMIG_DEFAULT_DROP] = "drop",
};

static const char *const l4_names[] = {
	[LMIG_L4_UDP] = "udp",
	[LMIG_L4_TCP] = "tcp",
	[LMIG_L4_SCTP] = "sctp",
};

static const char *const reasons[] = {
	[LMIG_PASS_NOT_IP] = "pass_not_ip",
	[LMIG_PASS_UNCLASSIFIED] = "pass_unclassified",
	[LMIG_PASS_OPEN] = "pass_open",
	[LMIG_PASS_ADMITTED] = "pass_admitted",
	[LMIG_DROP_UNCLASSIFIED] = "drop_unclassified",
	[LMIG_DROP_MALFORMED] = "drop_malformed",
	[LMIG_DROP_NO_ADMISSION] = "drop_no_admission",
	[LMIG_DROP_EXPIRED] = "drop_expired",
	[LMIG_DROP_SERVICE] = "drop_service",
	[LMIG_DROP_USER_UNKNOWN] = "drop_user_unknown",
	[LMIG_DROP_SUSPENDED] = "drop_suspended",
	[LMIG_DROP_DENIED] = "drop_denied",
	[LMIG_DROP_OPEN_SOURCE] = "drop_open_source_limit",
	[LMIG_DROP_OPEN_TOTAL] = "drop_open_total_limit",
};

_Static_assert(ARRAY_SIZE(reasons) == __LMIG_REASON_MAX,
	       "every lmig_reason needs a name");
_Static_assert(ARRAY_SIZE(classes) == __LMIG_CLASS_MAX,
	       "every lmig_class needs a name");
_Static_assert(ARRAY_SIZE(l4_names) == __LMIG_L4_MAX,
	       "every lmig_l4_slot needs a name");

/* The index of name in a table of names (NULL: no name), or -1. */
static int find_name(const char *const *names, size_t n, const char *name,
		     uint32_t *index)
{
	for (uint32_t i = 0; i < n; i++)
		if (names[i] && !strcmp(names[i], name)) {
			*index = i;
			return 0;
		}
	return -1;
}

const char *lmig_service_name(uint32_t bit)
{
	for (size_t i = 0; i < ARRAY_SIZE(services); i++)
		if (services[i].bit == bit)
			return services[i].name;
	return NULL;
}

int lmig_services_parse(const char *list, uint32_t *out, const char **bad,
			size_t *bad_len)
{
	uint32_t bits = 0;
	const char *p = list;

	for (;;) {
		size_t n = strcspn(p, ",");
		size_t i;

		for (i = 0; i < ARRAY_SIZE(services); i++)
			if (n && strlen(services[i].name) == n &&
			    !memcmp(services[i].name, p, n))
				break;
		if (i == ARRAY_SIZE(services)) {
			*bad = p;
			*bad_len = n;
			return -1;
		}
		bits |= services[i].bit;
		if (!p[n])
			break;
		p += n + 1;
	}
	*out = bits;
	return 0;
}

char *lmig_services_format(uint32_t bits, char *buf, size_t len)
{
	size_t used = 0;

	if (!len)
		return buf;
	buf[0] = '\0';
	for (size_t i = 0; i < ARRAY_SIZE(services); i++) {
		if (!(bits & services[i].bit))
			continue;
		int n = snprintf(buf + used, len - used, "%s%s",
				 used ? "," : "", services[i].name);
		if (n < 0 || (size_t)n >= len - used)
			break;
		used += n;
	}
	if (!used)
		snprintf(buf, len, "-");
	return buf;
}

const char *lmig_state_name(uint32_t state)
{
	if (state < ARRAY_SIZE(states) && states[state])
		return states[state];
	return "?";
}

int lmig_state_parse(const char *name, uint32_t *state)
{
	return find_name(states, ARRAY_SIZE(states), name, state);
}

const char *lmig_class_name(uint32_t class)
{
	return class < ARRAY_SIZE(classes) ? classes[class] : "?";
}

int lmig_class_parse(const char *name, uint32_t *class)
{
	return find_name(classes, ARRAY_SIZE(classes), name, class);
}

const char *lmig_default_name(uint32_t def)
{
	return def < ARRAY_SIZE(defaults) ? defaults[def] : "?";
}

int lmig_default_parse(const char *name, uint32_t *def)
{
	return find_name(defaults, ARRAY_SIZE(defaults), name, def);
}

const char *lmig_reason_name(uint32_t reason)
{
	return reason < ARRAY_SIZE(reasons) ? reasons[reason] : "?";
}

const char *lmig_l4_name(uint32_t slot)
{
	return slot < ARRAY_SIZE(l4_names) ? l4_names[slot] : "?";
}

int lmig_l4_parse(const char *name, uint32_t *slot)
{
	return find_name(l4_names, ARRAY_SIZE(l4_names), name, slot);
}

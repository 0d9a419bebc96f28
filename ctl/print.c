// SPDX-License-Identifier: GPL-2.0-only
/* lmigctl output: text or JSON from one print path. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>

#include <linux/lmig.h>

#include "jsonw.h"
#include "names.h"
#include "print.h"
#include "timefmt.h"

/*
 * Formats come from the callers' string literals, one value each, of the
 * type the function takes (integers widened to long long).
 */
#pragma GCC diagnostic ignored "-Wformat-nonliteral"

static struct jsonw w;
static bool as_json;

void print_init(bool json, bool pretty)
{
	as_json = json;
	if (json) {
		jsonw_init(&w, stdout, pretty);
		jsonw_start_object(&w, NULL);
	}
}

bool print_is_json(void)
{
	return as_json;
}

void print_done(void)
{
	if (as_json) {
		jsonw_end_object(&w);
		if (!w.pretty)
			putchar('\n');
	}
	fflush(stdout);
}

void print_open_object(const char *key)
{
	if (as_json)
		jsonw_start_object(&w, key);
}

void print_close_object(void)
{
	if (as_json)
		jsonw_end_object(&w);
}

void print_open_array(const char *key)
{
	if (as_json)
		jsonw_start_array(&w, key);
}

void print_close_array(void)
{
	if (as_json)
		jsonw_end_array(&w);
}

static bool to_json(enum print_to to)
{
	return as_json && (to & PRINT_JSON);
}

static bool to_text(enum print_to to, const char *fmt)
{
	return !as_json && (to & PRINT_TEXT) && fmt;
}

void print_string(enum print_to to, const char *key, const char *fmt,
		  const char *value)
{
	if (to_json(to))
		jsonw_string(&w, key, value);
	else if (to_text(to, fmt))
		printf(fmt, value);
}

void print_uint(enum print_to to, const char *key, const char *fmt,
		uint64_t value)
{
	if (to_json(to))
		jsonw_uint(&w, key, value);
	else if (to_text(to, fmt))
		printf(fmt, (unsigned long long)value);
}

void print_int(enum print_to to, const char *key, const char *fmt,
	       int64_t value)
{
	if (to_json(to))
		jsonw_int(&w, key, value);
	else if (to_text(to, fmt))
		printf(fmt, (long long)value);
}

void print_bool(enum print_to to, const char *key, const char *fmt, bool value)
{
	if (to_json(to))
		jsonw_bool(&w, key, value);
	else if (to_text(to, fmt))
		printf(fmt, value ? "yes" : "no");
}

void print_text(const char *fmt, ...)
{
	va_list ap;

	if (as_json)
		return;
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
}

void print_services(const char *key, const char *fmt, uint32_t services)
{
	char buf[32];

	if (!as_json) {
		printf(fmt, lmig_services_format(services, buf, sizeof(buf)));
		return;
	}
	jsonw_start_array(&w, key);
	for (uint32_t b = 1; b <= LMIG_SERVICES_ALL; b <<= 1)
		if (services & b)
			jsonw_string(&w, NULL, lmig_service_name(b));
	jsonw_end_array(&w);
}

void print_time(const char *key, const char *fmt, uint64_t t)
{
	char iso[32], iso_key[64];

	lmig_time_iso(t, iso, sizeof(iso));
	if (!as_json) {
		printf(fmt, iso);
		return;
	}
	snprintf(iso_key, sizeof(iso_key), "%s_iso", key);
	jsonw_uint(&w, key, t);
	jsonw_string(&w, iso_key, iso);
}

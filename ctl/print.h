/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * lmigctl output: every read command prints through these calls, which
 * write either text or JSON, so the two never drift apart. Text uses the
 * printf format given; JSON uses the key. PRINT_TEXT or PRINT_JSON limit a
 * call to one of them. print_uint and print_int formats take %llu / %lld.
 */
#ifndef LMIG_CTL_PRINT_H
#define LMIG_CTL_PRINT_H

#include <stdbool.h>
#include <stdint.h>

enum print_to {
	PRINT_TEXT = 1,
	PRINT_JSON = 2,
	PRINT_ANY = 3,
};

void print_init(bool json, bool pretty);
bool print_is_json(void);
/* Ends the output: closes JSON, flushes. */
void print_done(void);

void print_open_object(const char *key);
void print_close_object(void);
void print_open_array(const char *key);
void print_close_array(void);

void print_string(enum print_to to, const char *key, const char *fmt,
		  const char *value);
void print_uint(enum print_to to, const char *key, const char *fmt,
		uint64_t value);
void print_int(enum print_to to, const char *key, const char *fmt,
	       int64_t value);
void print_bool(enum print_to to, const char *key, const char *fmt, bool value);
/* Text only. */
__attribute__((format(printf, 1, 2))) void print_text(const char *fmt, ...);

/* LMIG_SERVICE_* bits: "ptt,video" in text, ["ptt","video"] in JSON. */
void print_services(const char *key, const char *fmt, uint32_t services);
/* A Unix time: ISO 8601 in text; key (seconds) and key_iso in JSON. */
void print_time(const char *key, const char *fmt, uint64_t t);

#endif /* LMIG_CTL_PRINT_H */

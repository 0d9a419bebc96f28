/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Stable names of the enums in include/: used for CLI input and output,
 * JSON fields, configuration files and logs. Changing a name breaks users.
 */
#ifndef LMIG_NAMES_H
#define LMIG_NAMES_H

#include <stddef.h>
#include <stdint.h>

/* "ptt", "video", "data" for one LMIG_SERVICE_* bit; NULL otherwise. */
const char *lmig_service_name(uint32_t bit);

/*
 * Parse a comma-separated list of service names ("ptt,video") into
 * LMIG_SERVICE_* bits. Returns 0, or -1 with *bad pointing at the first
 * unknown name (not NUL-terminated at the comma) and *bad_len its length.
 */
int lmig_services_parse(const char *list, uint32_t *services, const char **bad,
			size_t *bad_len);

/* Format bits as "ptt,video" ("-" for none) into buf; returns buf. */
char *lmig_services_format(uint32_t services, char *buf, size_t len);

/* enum lmig_state <-> "active", "suspended". */
const char *lmig_state_name(uint32_t state);
int lmig_state_parse(const char *name, uint32_t *state);

/*
 * enum lmig_class <-> "none", "open", "ptt", "video", "data", "deny",
 * "fragment", "opaque"; "?" if out of range. Only the first
 * __LMIG_PORT_CLASS_MAX can be given to ports.
 */
const char *lmig_class_name(uint32_t class);
int lmig_class_parse(const char *name, uint32_t *class);

/* enum lmig_default <-> "pass", "drop"; "?" if out of range. */
const char *lmig_default_name(uint32_t def);
int lmig_default_parse(const char *name, uint32_t *def);

/* enum lmig_reason -> "pass_admitted", "drop_expired", ...; "?" if out of
 * range. */
const char *lmig_reason_name(uint32_t reason);

/* enum lmig_l4_slot <-> "udp", "tcp", "sctp"; "?" if out of range. */
const char *lmig_l4_name(uint32_t slot);
int lmig_l4_parse(const char *name, uint32_t *slot);

#endif /* LMIG_NAMES_H */

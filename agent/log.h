/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * lmigd logging to stderr: one line per event, with a syslog priority
 * prefix the journal understands when running under systemd.
 */
#ifndef LMIG_AGENT_LOG_H
#define LMIG_AGENT_LOG_H

#include <stdbool.h>

enum lmigd_log_level {
	LMIGD_ERR = 3,
	LMIGD_WARN = 4,
	LMIGD_NOTICE = 5,
	LMIGD_INFO = 6,
	LMIGD_DEBUG = 7,
};

void lmigd_log_init(enum lmigd_log_level max_level);

__attribute__((format(printf, 2, 3))) void lmigd_log(enum lmigd_log_level level,
						     const char *fmt, ...);

#define log_err(...)	lmigd_log(LMIGD_ERR, __VA_ARGS__)
#define log_warn(...)	lmigd_log(LMIGD_WARN, __VA_ARGS__)
#define log_notice(...) lmigd_log(LMIGD_NOTICE, __VA_ARGS__)
#define log_info(...)	lmigd_log(LMIGD_INFO, __VA_ARGS__)
#define log_debug(...)	lmigd_log(LMIGD_DEBUG, __VA_ARGS__)

#endif /* LMIG_AGENT_LOG_H */

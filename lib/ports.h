/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Destination port ranges as lmigd.conf and lmigctl write them: "PORT" or
 * "PORT-PORT", decimal, 1 to 65535, first not above last. One parser, so
 * that a range the configuration accepts is one lmigctl accepts too.
 */
#ifndef LMIG_PORTS_H
#define LMIG_PORTS_H

#include <stddef.h>
#include <stdint.h>

/* 0, or -EINVAL with one line in msg naming the bad text. */
int lmig_port_range_parse(const char *text, uint16_t *first, uint16_t *last,
			  char *msg, size_t msglen);

#endif /* LMIG_PORTS_H */

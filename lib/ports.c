// SPDX-License-Identifier: GPL-2.0-only
/* Destination port ranges: "PORT" or "PORT-PORT". */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ports.h"

/* Digits only: strtoul would take blanks, signs and "0x". */
static int port_parse(const char *s, size_t len, unsigned long *port)
{
	unsigned long v = 0;

	if (!len || len > 5)
		return -1;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (unsigned long)(s[i] - '0');
	}
	if (v < 1 || v > 65535)
		return -1;
	*port = v;
	return 0;
}

int lmig_port_range_parse(const char *text, uint16_t *first, uint16_t *last,
			  char *msg, size_t msglen)
{
	const char *dash = strchr(text, '-');
	size_t len = dash ? (size_t)(dash - text) : strlen(text);
	unsigned long a, b;

	if (port_parse(text, len, &a)) {
		snprintf(msg, msglen,
			 "port '%.*s' is not a number from 1 to 65535",
			 (int)(len > 32 ? 32 : len), text);
		return -EINVAL;
	}
	b = a;
	if (dash && port_parse(dash + 1, strlen(dash + 1), &b)) {
		snprintf(msg, msglen,
			 "port '%.32s' is not a number from 1 to 65535",
			 dash + 1);
		return -EINVAL;
	}
	if (b < a) {
		snprintf(msg, msglen, "range '%.32s' ends before it starts",
			 text);
		return -EINVAL;
	}
	*first = (uint16_t)a;
	*last = (uint16_t)b;
	return 0;
}

// SPDX-License-Identifier: GPL-2.0-only
/* libFuzzer: the lmigd configuration parser; every refusal names a line. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct lmigd_config cfg;
	char err[1024], *text;

	if (size > 65536 || memchr(data, '\0', size))
		return 0;
	text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	if (lmigd_config_parse(text, "/etc/lmig/lmigd.conf", &cfg, err,
			       sizeof(err)) &&
	    strncmp(err, "/etc/lmig/lmigd.conf", 20))
		abort();
	free(text);
	return 0;
}

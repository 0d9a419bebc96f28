// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer: the HTTP request parser, on the whole input and on every
 * prefix a slow client could send, which must never be "complete" with
 * more bytes than it was given.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct http_request req;
	const char *why;

	if (size > HTTP_MAX_HEADER + HTTP_MAX_BODY + 16)
		return 0;
	for (size_t n = 0; n <= size; n += 1 + n / 8) {
		int ret = http_parse_request((const char *)data, n, &req, &why);

		if (ret == 1 && (req.length > n ||
				 (req.token && req.token + req.token_len >
						       (const char *)data + n)))
			abort();
		if (ret < 0 && !why)
			abort();
	}
	return 0;
}

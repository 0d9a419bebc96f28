// SPDX-License-Identifier: GPL-2.0-only
/* Unix times as people write and read them. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "timefmt.h"

/* Years 1970..9999: beyond, a date is surely a typo. */
#define LAST_TIME 253402300799ULL

static bool digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return n > 0;
}

static int number(const char *s, size_t n, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;

	if (!digits(s, n) || n > 19)
		return -1;
	for (size_t i = 0; i < n; i++)
		v = v * 10 + (s[i] - '0');
	if (v > max)
		return -1;
	*out = v;
	return 0;
}

/* Days since 1970-01-01 of a proleptic Gregorian date. */
static int64_t days_from_civil(int64_t y, unsigned int m, unsigned int d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	unsigned int yoe = (unsigned int)(y - era * 400);
	unsigned int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	unsigned int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

	return era * 146097 + (int64_t)doe - 719468;
}

static bool leap(uint64_t y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int parse_iso(const char *s, uint64_t *out)
{
	static const unsigned int mdays[] = {31, 28, 31, 30, 31, 30,
					     31, 31, 30, 31, 30, 31};
	uint64_t y, mo, d, h = 0, mi = 0, sec = 0;
	size_t n = strlen(s);

	if ((n != 10 && n != 20) || s[4] != '-' || s[7] != '-' ||
	    number(s, 4, 9999, &y) || number(s + 5, 2, 12, &mo) ||
	    number(s + 8, 2, 31, &d) || y < 1970 || mo < 1 || d < 1)
		return -1;
	if (d > mdays[mo - 1] + (mo == 2 && leap(y)))
		return -1;
	if (n == 20 &&
	    (s[10] != 'T' || s[13] != ':' || s[16] != ':' || s[19] != 'Z' ||
	     number(s + 11, 2, 23, &h) || number(s + 14, 2, 59, &mi) ||
	     number(s + 17, 2, 59, &sec)))
		return -1;
	*out = (uint64_t)days_from_civil(y, mo, d) * 86400 + h * 3600 +
	       mi * 60 + sec;
	return 0;
}

int lmig_time_parse(const char *text, int64_t now, uint64_t *out)
{
	size_t n = strlen(text);
	uint64_t v, unit = 1;

	if (n && text[0] == '+') {
		switch (text[n - 1]) {
		case 's':
			n--;
			break;
		case 'm':
			unit = 60;
			n--;
			break;
		case 'h':
			unit = 3600;
			n--;
			break;
		case 'd':
			unit = 86400;
			n--;
			break;
		}
		if (number(text + 1, n - 1, LAST_TIME / unit, &v) || now < 0 ||
		    (uint64_t)now + v * unit > LAST_TIME)
			return -1;
		*out = (uint64_t)now + v * unit;
		return 0;
	}
	if (digits(text, n))
		return number(text, n, LAST_TIME, out);
	return parse_iso(text, out);
}

char *lmig_time_iso(uint64_t t, char *buf, size_t len)
{
	time_t tt = (time_t)(t > LAST_TIME ? LAST_TIME : t);
	struct tm tm;

	if (!gmtime_r(&tt, &tm) ||
	    !strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm))
		snprintf(buf, len, "?");
	return buf;
}

char *lmig_duration(uint64_t s, char *buf, size_t len)
{
	uint64_t d = s / 86400, h = s / 3600 % 24, m = s / 60 % 60;

	if (d)
		snprintf(buf, len, "%llud%lluh", (unsigned long long)d,
			 (unsigned long long)h);
	else if (h)
		snprintf(buf, len, "%lluh%llum", (unsigned long long)h,
			 (unsigned long long)m);
	else if (m)
		snprintf(buf, len, "%llum%llus", (unsigned long long)m,
			 (unsigned long long)(s % 60));
	else
		snprintf(buf, len, "%llus", (unsigned long long)s);
	return buf;
}

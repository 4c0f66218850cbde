/*
 * hours.c - business hours and deadlines counted in them (see hours.h).
 */
#include "common/hours.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

#define DAY_MS (86400LL * 1000)
#define MINUTE_MS (60LL * 1000)

static const char *const day_names[] = {"sun", "mon", "tue", "wed",
					"thu", "fri", "sat"};

static int day_parse(const char *p, int *out)
{
	for (int d = 0; d < 7; d++) {
		if (strncasecmp(p, day_names[d], 3) == 0) {
			*out = d;
			return 0;
		}
	}
	return DP_EINVAL;
}

/* "HH:MM" at p into minutes after midnight, up to 24:00. */
static int hhmm_parse(const char *p, int *out)
{
	int h, m;

	if (!isdigit((unsigned char)p[0]) || !isdigit((unsigned char)p[1]) ||
	    p[2] != ':' || !isdigit((unsigned char)p[3]) ||
	    !isdigit((unsigned char)p[4]))
		return DP_EINVAL;
	h = (p[0] - '0') * 10 + (p[1] - '0');
	m = (p[3] - '0') * 10 + (p[4] - '0');
	if (m > 59 || h * 60 + m > 24 * 60)
		return DP_EINVAL;
	*out = h * 60 + m;
	return 0;
}

/* DAYS: "Mon-Fri", "Mon,Wed", "Fri-Mon" ... up to the first space. */
static int days_parse(const char *p, size_t len, unsigned char *days)
{
	size_t i = 0;

	*days = 0;
	while (i < len) {
		int a, b;

		if (len - i < 3 || day_parse(p + i, &a) < 0)
			return DP_EINVAL;
		i += 3;
		b = a;
		if (i < len && p[i] == '-') {
			if (len - i < 4 || day_parse(p + i + 1, &b) < 0)
				return DP_EINVAL;
			i += 4;
		}
		for (int d = a;; d = (d + 1) % 7) {
			*days |= (unsigned char)(1u << d);
			if (d == b)
				break;
		}
		if (i < len && p[i++] != ',')
			return DP_EINVAL;
		if (i == len && p[len - 1] == ',')
			return DP_EINVAL;
	}
	return *days ? 0 : DP_EINVAL;
}

int hours_parse(const char *spec, int utc_offset_min,
		struct business_hours *out, struct dp_error *err)
{
	struct business_hours h = {.utc_offset_min = utc_offset_min};
	const char *sp;

	while (*spec == ' ')
		spec++;
	if (!*spec) {
		h.always = true;
		goto ok;
	}
	sp = strchr(spec, ' ');
	if (!sp || days_parse(spec, (size_t)(sp - spec), &h.days) < 0)
		goto bad;
	while (*sp == ' ')
		sp++;
	if (strlen(sp) != 11 || hhmm_parse(sp, &h.open_min) < 0 ||
	    sp[5] != '-' || hhmm_parse(sp + 6, &h.close_min) < 0)
		goto bad;
	if (h.close_min <= h.open_min)
		return dp_fail(err, DP_EINVAL,
			       "closing time must be after opening time in '%s'",
			       spec);
ok:
	if (out)
		*out = h;
	return 0;
bad:
	return dp_fail(err, DP_EINVAL,
		       "must be like 'Mon-Fri 09:00-17:00' (days, then HH:MM-HH:MM), not '%s'",
		       spec);
}

/* Floor division for negative times before 1970 (never in practice, but
 * keeps the arithmetic honest). */
static int64_t floor_div(int64_t a, int64_t b)
{
	return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

int64_t hours_due_ms(int64_t start_ms, double minutes,
		     const struct business_hours *h)
{
	int64_t left = (int64_t)(minutes * (double)MINUTE_MS + 0.5);
	int64_t off = (int64_t)h->utc_offset_min * MINUTE_MS;
	int64_t t = start_ms + off; /* local time from here on */

	if (h->always)
		return start_ms + left;
	for (;;) {
		int64_t day = floor_div(t, DAY_MS);
		int64_t midnight = day * DAY_MS;
		/* 1970-01-01 was a Thursday (4). */
		int wday = (int)(((day % 7) + 7 + 4) % 7);
		int64_t open = midnight + h->open_min * MINUTE_MS;
		int64_t close = midnight + h->close_min * MINUTE_MS;

		if (h->days & (1u << wday)) {
			int64_t from = t > open ? t : open;

			if (from < close) {
				if (left <= close - from)
					return from + left - off;
				left -= close - from;
			}
		}
		t = midnight + DAY_MS;
	}
}

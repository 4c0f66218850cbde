/*
 * hours.h - business hours ([sla] business_hours) and deadlines counted
 * only while they are open: what the VIP SLA watchdog (ops/watchdog.h)
 * runs its clock on, and what the config checks the key against.
 */
#ifndef DP_HOURS_H
#define DP_HOURS_H

#include <stdbool.h>
#include <stdint.h>

#include "common/dp.h"

struct business_hours {
	bool always;        /* no business hours: the clock always runs */
	unsigned char days; /* bit d set: weekday d is open (0 = Sunday) */
	int open_min;       /* minutes after local midnight, < close_min */
	int close_min;      /* up to 1440 */
	int utc_offset_min; /* local time = UTC + offset */
};

/* Parse spec: "" (around the clock) or "DAYS HH:MM-HH:MM", where DAYS is a
 * comma-separated list of day names or ranges, e.g. "Mon-Fri",
 * "Mon-Thu,Sat", "Sun-Thu" (three-letter English names, any case; a range
 * may wrap over the week's end). Closing time may be 24:00 and must be
 * after opening time. 0, or DP_EINVAL with the reason in err. out may be
 * NULL (validation only). */
int hours_parse(const char *spec, int utc_offset_min,
		struct business_hours *out, struct dp_error *err);

/* When an SLA of `minutes` started at start_ms runs out: start_ms plus
 * that many minutes of open time. Pure. */
int64_t hours_due_ms(int64_t start_ms, double minutes,
		     const struct business_hours *h);

#endif

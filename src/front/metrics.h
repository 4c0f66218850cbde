/*
 * metrics.h - in-process counters for /metrics (Prometheus text format).
 *
 * Counters that describe this process (requests by route and status,
 * request latency) live here, updated with atomics from every front
 * thread. Counts that must survive restarts (events, decisions, outbox)
 * are read from the store when /metrics is scraped.
 */
#ifndef DP_METRICS_H
#define DP_METRICS_H

#include <stdint.h>

#include "common/buf.h"

/* Routes as metric labels. */
enum metric_route {
	ROUTE_HOOK_ZAMMAD,
	ROUTE_HOOK_OSTICKET,
	ROUTE_HEALTHZ,
	ROUTE_METRICS,
	ROUTE_OTHER,
	ROUTE_COUNT
};

const char *metric_route_name(enum metric_route r);

/* Record one finished request. Thread-safe. */
void metrics_observe(enum metric_route route, int status, int64_t latency_us);

/* Append this process's counters in Prometheus text format. */
void metrics_render(struct buf *out);

/* Zero everything (tests). */
void metrics_reset(void);

#endif

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
#include "config/config.h"

/* Routes as metric labels: the helpdesks' hooks first, route i being
 * connector i's (labelled with its metric_label), then these. */
enum metric_route {
	ROUTE_HEALTHZ = CONFIG_MAX_HELPDESKS,
	ROUTE_METRICS,
	ROUTE_OTHER,
	ROUTE_COUNT
};

/* The route of connector conn's hook. */
enum metric_route metric_route_hook(const struct connector *conn);

/* Record one finished request. Thread-safe. */
void metrics_observe(enum metric_route route, int status, int64_t latency_us);

/* Append this process's counters in Prometheus text format. */
void metrics_render(struct buf *out);

#endif

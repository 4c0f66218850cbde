/*
 * metrics.c - request counters and a latency histogram (see metrics.h).
 */
#include "front/metrics.h"

#include "common/dp.h"
#include "connectors/connector.h"

#include <stdatomic.h>

/* Status classes we count individually; anything else lands in "other". */
static const int statuses[] = {200, 202, 400, 401, 403, 404, 405, 411,
			       413, 415, 431, 500, 503, 0};
#define N_STATUS DP_ARRAY_LEN(statuses)

/* Latency buckets in seconds (upper bounds), Prometheus style. */
static const double bounds[] = {0.0005, 0.001, 0.0025, 0.005, 0.01,
				0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5};
#define N_BOUNDS DP_ARRAY_LEN(bounds)

static const char *const route_names[] = {
	[ROUTE_HEALTHZ] = "/healthz",
	[ROUTE_METRICS] = "/metrics",
	[ROUTE_OTHER] = "other",
};

static atomic_uint_fast64_t requests[ROUTE_COUNT][N_STATUS];
static atomic_uint_fast64_t buckets[N_BOUNDS + 1]; /* last: +Inf */
static atomic_uint_fast64_t latency_sum_us;
static atomic_uint_fast64_t latency_count;

enum metric_route metric_route_hook(const struct connector *conn)
{
	return (enum metric_route)connector_index(conn);
}

/* The label of route r: a hook's is its connector's metric label. */
static const char *route_name(int r)
{
	const struct connector *conn;

	if (r >= ROUTE_HEALTHZ)
		return route_names[r];
	conn = connector_at((size_t)r);
	return conn ? conn->metric_label : "other";
}

static size_t status_index(int status)
{
	for (size_t i = 0; i + 1 < N_STATUS; i++)
		if (statuses[i] == status)
			return i;
	return N_STATUS - 1;
}

void metrics_observe(enum metric_route route, int status, int64_t latency_us)
{
	double s = (double)latency_us / 1e6;
	size_t b = 0;

	if (route >= ROUTE_COUNT)
		route = ROUTE_OTHER;
	atomic_fetch_add(&requests[route][status_index(status)], 1);
	while (b < N_BOUNDS && s > bounds[b])
		b++;
	atomic_fetch_add(&buckets[b], 1);
	atomic_fetch_add(&latency_sum_us, (uint_fast64_t)(latency_us > 0 ? latency_us : 0));
	atomic_fetch_add(&latency_count, 1);
}

void metrics_render(struct buf *out)
{
	uint64_t cum = 0;

	buf_puts(out, "# HELP deskpilot_http_requests_total HTTP requests by route and status.\n"
		      "# TYPE deskpilot_http_requests_total counter\n");
	for (int r = 0; r < ROUTE_COUNT; r++) {
		for (size_t i = 0; i < N_STATUS; i++) {
			uint64_t n = atomic_load(&requests[r][i]);

			if (!n)
				continue;
			if (statuses[i])
				buf_printf(out, "deskpilot_http_requests_total{route=\"%s\",status=\"%d\"} %llu\n",
					   route_name(r), statuses[i], (unsigned long long)n);
			else
				buf_printf(out, "deskpilot_http_requests_total{route=\"%s\",status=\"other\"} %llu\n",
					   route_name(r), (unsigned long long)n);
		}
	}
	buf_puts(out, "# HELP deskpilot_http_request_duration_seconds Time from request start to response.\n"
		      "# TYPE deskpilot_http_request_duration_seconds histogram\n");
	for (size_t b = 0; b < N_BOUNDS; b++) {
		cum += atomic_load(&buckets[b]);
		buf_printf(out, "deskpilot_http_request_duration_seconds_bucket{le=\"%g\"} %llu\n",
			   bounds[b], (unsigned long long)cum);
	}
	cum += atomic_load(&buckets[N_BOUNDS]);
	buf_printf(out, "deskpilot_http_request_duration_seconds_bucket{le=\"+Inf\"} %llu\n",
		   (unsigned long long)cum);
	buf_printf(out, "deskpilot_http_request_duration_seconds_sum %.6f\n",
		   (double)atomic_load(&latency_sum_us) / 1e6);
	buf_printf(out, "deskpilot_http_request_duration_seconds_count %llu\n",
		   (unsigned long long)atomic_load(&latency_count));
}

/*
 * front.h - one HTTP request, from FastCGI parameters to a response:
 * routing, limits, signatures (through the connector) and ingest.
 *
 * This layer knows nothing of libfcgi: cli/serve.c adapts FCGX_Request to
 * struct front_request, and the unit tests drive it directly. Every error
 * body is JSON {"error": "...", "detail": "..."}; a hook answers 2xx only
 * after the event is committed.
 */
#ifndef DP_FRONT_H
#define DP_FRONT_H

#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"
#include "config/config.h"
#include "store/store.h"

/* More FastCGI parameters than this is a header flood: 431. */
#define FRONT_MAX_PARAMS 200

struct front_request {
	char **envp; /* FastCGI parameters, NULL-terminated: borrowed */
	/* Read up to n body bytes into p; returns bytes read, 0 at end, -1 on
	 * error. */
	int (*read)(void *ctx, char *p, int n);
	void *read_ctx;
};

struct front_response {
	int status;
	const char *allow;        /* Allow header for 405, else NULL */
	const char *content_type; /* static string */
	struct buf body;
};

/* Per-thread state the handler needs: borrowed, owned by the thread. */
struct front_ctx {
	const struct config *cfg;
	store *store;
};

void front_response_init(struct front_response *r);
void front_response_release(struct front_response *r);

/* Handle one request completely; resp is filled (initialised by caller).
 * Logs one line for errors that an admin must see. */
void front_handle(struct front_ctx *ctx, const struct front_request *req,
		  struct front_response *resp);

/* The reason phrase for a status code ("Not Found"). */
const char *front_status_text(int status);

#endif

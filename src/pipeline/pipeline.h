/*
 * pipeline.h - the threads behind the front: workers that decide stored
 * events and a dispatcher that carries decisions out in the helpdesk.
 *
 * Workers claim events under a lease, run triage and the drafter, and
 * commit the decision, its outbox actions and the event's new state in one
 * transaction. The dispatchers send due outbox actions through the
 * connector, actions of different tickets at the same time ([outbox]
 * max_in_flight), those of one ticket in order, retrying with exponential
 * backoff and jitter until max_age, then dead-lettering them. A commit
 * that adds work wakes the threads that take it (store_queue_wait); the
 * poll interval only bounds how late work from elsewhere is seen. Every step leaves a row
 * behind, so a crash at any point loses nothing and repeats nothing.
 */
#ifndef DP_PIPELINE_H
#define DP_PIPELINE_H

#include "config/config.h"

struct pipeline;

/* Start cfg->worker_threads workers, cfg->outbox_in_flight dispatchers and
 * one checkpointer.
 * cfg is borrowed and must outlive the pipeline. Returns a new handle, or
 * NULL with err. */
struct pipeline *pipeline_start(const struct config *cfg, struct dp_error *err);

/* Ask every thread to stop after its current step, and join them.
 * pipeline_stop(NULL) does nothing. */
void pipeline_stop(struct pipeline *p);

#endif

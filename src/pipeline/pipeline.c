/*
 * pipeline.c - worker and dispatcher threads (see pipeline.h).
 *
 * A worker's step for one event: decide it (decide.h: the same path
 * `deskpilot replay` takes), draft if the decision allows AI text, then
 * commit decision + outbox actions + event state in one transaction.
 * Failure is closed toward humans: a drafter that fails, or a premium
 * status that could not be checked, turns an AI outcome into `human` with
 * its reason.
 *
 * A dispatcher's step: claim the next due outbox action, apply it
 * through its connector, record done / retry later / dead. There are
 * [outbox] max_in_flight of them, so a slow helpdesk is called for
 * several tickets at once; the claim keeps each ticket's actions in
 * order. The first also runs the hourly retention purge, the SLA
 * watchdog and draft acceptance.
 *
 * Idle threads sleep on their queue (store_queue_wait) and wake when a
 * commit adds work to it: a stored customer message wakes the workers, a
 * committed decision with actions the dispatchers.
 *
 * The checkpointer copies the WAL back into the database file when
 * commits have grown it (store_checkpoint).
 */
#include "pipeline/pipeline.h"

#include "common/http_client.h"
#include "common/log.h"
#include "connectors/connector.h"
#include "draft/drafter.h"
#include "draft/llm.h"
#include "ops/acceptance.h"
#include "ops/watchdog.h"
#include "pipeline/decide.h"
#include "store/decisions.h"
#include "store/events.h"
#include "store/outbox.h"
#include "store/retention.h"
#include "triage/triage.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

struct pipeline {
	const struct config *cfg;
	atomic_bool stopping;
	pthread_t *threads;
	int n_threads;
};

struct worker {
	struct pipeline *p;
	int index; /* among the threads of its kind, from 0 */
	store *st;
	struct drafter *drafter;
	struct http_client *http; /* workers: the connectors' enrich calls */
	struct decide_model model;
};

/* The outcome that is acted on: in shadow mode what would have happened,
 * so the audit log holds the draft it would have sent. */
static enum outcome *effective(struct decision *d)
{
	return d->outcome == OUTCOME_NONE ? &d->would_be : &d->outcome;
}

static bool is_ai(enum outcome o)
{
	return o == OUTCOME_AI_DRAFT || o == OUTCOME_AI_REPLY;
}

/* Run the drafter where the decision allows AI text. VIP tickets never get
 * one. An AI outcome first needs the model's agreement (with the llm
 * backend); a disagreement or a failed draft hands the ticket to a
 * human. */
static void draft_step(struct worker *w, const struct ticket_event *ev,
		       struct decision *d, struct draft_result *dr)
{
	const struct triage_input in = {
		.ev = ev,
		.policy = &w->p->cfg->policy,
		.model = decide_model_current(&w->model),
	};
	enum outcome *o = effective(d);
	bool wanted = is_ai(*o) || (*o == OUTCOME_HUMAN && d->intent[0] &&
				    w->p->cfg->policy.draft_for_human);
	const char *cand[LLM_CANDIDATES_MAX];
	size_t n_cand;

	if (!wanted)
		return;
	if (is_ai(*o)) {
		n_cand = triage_candidates(&in, cand, LLM_CANDIDATES_MAX);
		if (drafter_check(w->drafter, ev, d, cand, n_cand, dr) < 0)
			goto human;
	}
	if (drafter_run(w->drafter, w->st, ev, d, *o == OUTCOME_AI_REPLY, dr) == 0)
		return;
human:
	if (is_ai(*o)) {
		*o = OUTCOME_HUMAN;
		decision_add_reason(d, dr->failure[0] ? dr->failure : "model_failed",
				    dr->detail);
	}
}

/* The readable explanation that goes into the internal note. */
static char *note_text(const struct decision *d)
{
	struct buf b;

	buf_init(&b, 4096);
	buf_printf(&b, "deskpilot decided: %s", outcome_name(d->outcome));
	if (d->intent[0])
		buf_printf(&b, " (intent %s, confidence %.2f)", d->intent,
			   d->confidence);
	buf_puts(&b, ".\nReasons:");
	for (size_t i = 0; i < d->n_reasons; i++) {
		buf_printf(&b, "\n- %s", d->reasons[i].code);
		if (d->reasons[i].evidence[0])
			buf_printf(&b, ": \"%s\"", d->reasons[i].evidence);
	}
	if (!d->n_reasons)
		buf_puts(&b, "\n- none recorded");
	return buf_detach(&b);
}

/* Commit the decision, its actions and the event's state together. */
static int commit(struct worker *w, int64_t event_id,
		  const struct ticket_event *ev, const struct decision *d,
		  const struct draft_result *dr, int64_t latency_us,
		  int64_t *decision_id)
{
	const struct config *cfg = w->p->cfg;
	const struct connector *conn = connector_find(ev->source);
	/* clang-format off */
	struct decision_record rec = {
		event_id, ev->source, ev->ticket_id, dp_now_ms(), d,
		dr->text ? dr->drafter : NULL, dr->text, latency_us,
		dr->model_ms, dr->tokens_in, dr->tokens_out,
	};
	/* clang-format on */
	json_t *actions = json_array();
	char *note = note_text(d);
	size_t i;
	json_t *a;
	int rc;

	if (store_begin(w->st) < 0) {
		rc = DP_ESTORE;
		goto out;
	}
	rc = store_decision_insert(w->st, &rec, decision_id);
	if (rc == DP_EDUP) /* decided before a crash: only finish the event */
		goto done;
	if (rc < 0)
		goto fail;
	if (conn && d->outcome != OUTCOME_NONE) {
		char installation[STORE_INSTALLATION_SIZE];
		struct plan_input in = {
			.ev = ev,
			.d = d,
			.decision_id = *decision_id,
			.draft = dr->text,
			.note_text = note,
			.installation = installation,
			.footer = cfg->human_footer,
		};

		if (store_installation_id(w->st, installation) < 0)
			goto fail;
		conn->plan(config_helpdesk(cfg, conn), &in, actions);
	}
	json_array_foreach(actions, i, a) {
		char *payload = json_dumps(a, JSON_COMPACT);
		const char *name = json_string_value(json_object_get(a, "action"));

		rc = store_outbox_add(w->st, *decision_id, ev->source,
				      ev->ticket_id, name ? name : "unknown",
				      payload, rec.decided_at);
		free(payload);
		if (rc < 0)
			goto fail;
	}
done:
	if (store_event_mark_done(w->st, event_id) < 0 || store_commit(w->st) < 0)
		goto fail;
	goto out;
fail:
	store_rollback(w->st);
	rc = DP_ESTORE;
out:
	json_decref(actions);
	free(note);
	return rc;
}

static void decide(struct worker *w, int64_t event_id, struct ticket_event *ev)
{
	const struct decide_env env = {w->st, w->p->cfg, &w->model, w->http};
	int64_t t0 = dp_mono_us();
	struct draft_result dr;
	struct decision d;
	int64_t decision_id = 0;
	int rc;

	draft_result_init(&dr);
	decide_event(&env, event_id, ev, &d);
	draft_step(w, ev, &d, &dr);
	rc = commit(w, event_id, ev, &d, &dr, dp_mono_us() - t0, &decision_id);
	if (rc == 0)
		log_info("msg=\"decided\" event=%lld ticket=%lld source=%s decision=%lld outcome=%s would_be=%s intent=%s confidence=%.3f reasons=%zu drafter=%s latency_us=%lld",
			 (long long)event_id, (long long)ev->ticket_id, ev->source,
			 (long long)decision_id, outcome_name(d.outcome),
			 outcome_name(d.would_be), d.intent[0] ? d.intent : "-",
			 d.confidence, d.n_reasons, dr.text ? dr.drafter : "-",
			 (long long)(dp_mono_us() - t0));
	else if (rc == DP_EDUP)
		log_info("msg=\"already decided\" event=%lld", (long long)event_id);
	else
		log_error("msg=\"decision not committed; the lease will retry it\" event=%lld",
			  (long long)event_id);
	draft_result_release(&dr);
}

/* On Linux a thread has its own nice value: lowering the workers'
 * priority leaves the CPU to the front threads first, so webhooks are
 * acknowledged promptly under load and the queue absorbs the burst. */
static void lower_priority(int by)
{
	id_t tid = (id_t)gettid();
	int now;

	if (!by)
		return;
	errno = 0;
	now = getpriority(PRIO_PROCESS, tid);
	if ((now == -1 && errno) || setpriority(PRIO_PROCESS, tid, now + by) < 0)
		log_warn("msg=\"cannot lower the worker priority\" error=\"%s\"",
			 strerror(errno));
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct pipeline *p = w->p;
	int64_t lease_ms = (int64_t)p->cfg->lease_s * 1000;

	lower_priority(p->cfg->worker_nice);
	for (;;) {
		/* Read before looking (and before the stop flag, which
		 * pipeline_stop sets before it wakes everyone): an event
		 * committed meanwhile ends the wait at once. */
		uint64_t seen = store_queue_seen(STORE_QUEUE_EVENTS);
		struct ticket_event ev;
		int64_t id;
		int rc;

		if (atomic_load(&p->stopping))
			break;
		ticket_event_init(&ev);
		rc = store_event_claim(w->st, dp_now_ms(), lease_ms, &id, &ev);
		if (rc == 0)
			decide(w, id, &ev);
		ticket_event_release(&ev);
		store_end_reads(w->st);
		if (rc < 0)
			store_queue_wait(STORE_QUEUE_EVENTS, seen, p->cfg->poll_ms);
	}
	return NULL;
}

/* Exponential backoff with full jitter in [delay/2, delay]. */
static int64_t backoff_ms(const struct config *cfg, int attempts,
			  unsigned int *seed)
{
	double delay = cfg->retry_base_ms * pow(2.0, attempts > 30 ? 30 : attempts - 1);

	if (delay > cfg->retry_max_ms)
		delay = cfg->retry_max_ms;
	return (int64_t)(delay * (0.5 + 0.5 * rand_r(seed) / (double)RAND_MAX));
}

static void dispatch_one(struct worker *w, struct http_client *http,
			 struct outbox_item *it, unsigned int *seed)
{
	const struct config *cfg = w->p->cfg;
	const struct connector *conn = connector_find(it->source);
	struct dp_error err = {{0}};
	json_error_t jerr;
	json_t *action = json_loads(it->payload, 0, &jerr);
	json_t *result = NULL;
	char *result_text = NULL;
	int64_t now;
	int rc;

	if (!conn || !action) {
		rc = dp_fail(&err, DP_EINVAL, "no connector or bad payload for action %lld",
			     (long long)it->id);
	} else {
		rc = conn->apply(config_helpdesk(cfg, conn), http, action,
				 &result, &err);
	}
	now = dp_now_ms();
	if (rc == 0) {
		if (result)
			result_text = json_dumps(result, JSON_COMPACT);
		store_outbox_done(w->st, it->id, result_text, now);
		log_info("msg=\"action applied\" outbox=%lld ticket=%lld source=%s action=%s attempts=%d",
			 (long long)it->id, (long long)it->ticket_id, it->source,
			 it->action, it->attempts);
	} else if (rc == DP_EBUSY &&
		   now - it->created_at < (int64_t)cfg->max_age_s * 1000) {
		int64_t next = now + backoff_ms(cfg, it->attempts, seed);

		store_outbox_retry(w->st, it->id, next, err.msg);
		log_warn("msg=\"action failed, will retry\" outbox=%lld ticket=%lld action=%s attempts=%d retry_in_ms=%lld error=\"%s\"",
			 (long long)it->id, (long long)it->ticket_id, it->action,
			 it->attempts, (long long)(next - now), err.msg);
	} else {
		/* A conflict is marked so that outbox retry --new-id finds it. */
		bool conflict = rc == DP_ECONFLICT;
		char *why = xasprintf("%s%s", conflict ? OUTBOX_CONFLICT : "",
				      err.msg[0] ? err.msg : dp_strerror(rc));

		store_outbox_dead(w->st, it->id, why);
		log_error("msg=\"action dead-lettered\" outbox=%lld ticket=%lld source=%s action=%s attempts=%d error=\"%s\"%s",
			  (long long)it->id, (long long)it->ticket_id, it->source,
			  it->action, it->attempts, why,
			  conflict ? " hint=\"run deskpilot outbox renew-id, then outbox retry --all --new-id\"" : "");
		free(why);
	}
	free(result_text);
	json_decref(result);
	json_decref(action);
}

/* Purge personal data past its retention, at most once an hour. */
static void purge_step(struct worker *w, int64_t *last_ms)
{
	int64_t now = dp_now_ms();
	int n;

	if (now - *last_ms < 3600 * 1000)
		return;
	*last_ms = now;
	n = store_purge(w->st, now - (int64_t)w->p->cfg->retention_days * 86400000);
	if (n > 0)
		log_info("msg=\"retention purge\" rows=%d retention_days=%d", n,
			 w->p->cfg->retention_days);
	else if (n < 0)
		log_error("msg=\"retention purge failed\"");
}

/* The VIP SLA watchdog and draft acceptance, at most once a second. */
static void ops_step(struct worker *w, int64_t *last_ms)
{
	int64_t now = dp_now_ms();

	if (now - *last_ms < 1000)
		return;
	*last_ms = now;
	watchdog_step(w->st, w->p->cfg, now);
	acceptance_step(w->st, w->p->cfg, now);
}

/* A lease longer than the longest apply of an enabled helpdesk, with
 * room for recording its result: a live dispatcher never loses its
 * action to another (which would apply it twice, and the ticket's next
 * action before it is done), and one that dies mid-apply has it retried
 * soon after a restart. */
static int64_t outbox_lease_ms(const struct config *cfg)
{
	int64_t longest = 0;

	for (size_t i = 0; connector_at(i); i++) {
		const struct connector *conn = connector_at(i);
		int ms;

		if (!config_helpdesk_enabled(cfg, conn))
			continue;
		ms = conn->apply_timeout_ms(config_helpdesk(cfg, conn));
		if (ms > longest)
			longest = ms;
	}
	return longest + 5000;
}

/* One of [outbox] max_in_flight dispatchers, each with its own connection
 * and HTTP client: they claim actions of different tickets and call the
 * helpdesk at the same time, while the claim (store_outbox_claim) never
 * hands out an action before the earlier ones of its ticket are done. The
 * first also runs the periodic steps. */
static void *dispatcher_main(void *arg)
{
	struct worker *w = arg;
	struct pipeline *p = w->p;
	struct http_client *http = http_client_new();
	unsigned int seed = (unsigned int)dp_now_ms() ^ (unsigned int)w->index;
	int64_t lease_ms = outbox_lease_ms(p->cfg);
	int64_t last_purge = 0, last_ops = 0;

	for (;;) {
		uint64_t seen = store_queue_seen(STORE_QUEUE_OUTBOX);
		struct outbox_item it;
		int rc;

		if (atomic_load(&p->stopping))
			break;
		if (w->index == 0) {
			purge_step(w, &last_purge);
			ops_step(w, &last_ops);
		}
		outbox_item_init(&it);
		rc = store_outbox_claim(w->st, dp_now_ms(), lease_ms, &it);
		if (rc == 0)
			dispatch_one(w, http, &it, &seed);
		outbox_item_release(&it);
		store_end_reads(w->st);
		if (rc < 0)
			store_queue_wait(STORE_QUEUE_OUTBOX, seen, p->cfg->poll_ms);
	}
	http_client_free(http);
	return NULL;
}

/* Copy the WAL back into the database whenever commits have grown it, and
 * at least once a second; no other thread waits for it. */
static void *checkpointer_main(void *arg)
{
	struct worker *w = arg;

	while (!atomic_load(&w->p->stopping)) {
		if (store_checkpoint(w->st) < 0)
			log_error("msg=\"checkpoint failed\"");
		store_checkpoint_wait(1000);
	}
	return NULL;
}

static void worker_free(struct worker *w)
{
	if (!w)
		return;
	decide_model_release(&w->model);
	drafter_free(w->drafter);
	http_client_free(w->http);
	store_close(w->st);
	free(w);
}

static struct worker *worker_new(struct pipeline *p, bool drafts,
				 struct dp_error *err)
{
	struct worker *w = xcalloc(1, sizeof(*w));

	w->p = p;
	decide_model_init(&w->model);
	w->st = store_open(p->cfg->database, err);
	if (!w->st) {
		free(w);
		return NULL;
	}
	if (drafts) {
		w->drafter = drafter_new(p->cfg);
		w->http = http_client_new();
	}
	return w;
}

struct thread_arg {
	struct worker *w;
	void *(*fn)(void *);
	char name[16]; /* for top -H, perf and gdb */
};

static void *thread_main(void *arg)
{
	struct thread_arg *ta = arg;

	pthread_setname_np(pthread_self(), ta->name);
	ta->fn(ta->w);
	worker_free(ta->w);
	free(ta);
	return NULL;
}

struct pipeline *pipeline_start(const struct config *cfg, struct dp_error *err)
{
	struct pipeline *p = xcalloc(1, sizeof(*p));
	int n_dispatch = cfg->outbox_in_flight;
	int n = 1 + n_dispatch + cfg->worker_threads;

	p->cfg = cfg;
	atomic_init(&p->stopping, false);
	p->threads = xcalloc((size_t)n, sizeof(*p->threads));
	for (int i = 0; i < n; i++) {
		struct thread_arg *ta = xmalloc(sizeof(*ta));

		/* Thread 0 is the checkpointer, then the dispatchers, then the
		 * workers. */
		ta->w = worker_new(p, i > n_dispatch, err);
		if (i == 0) {
			ta->fn = checkpointer_main;
			snprintf(ta->name, sizeof(ta->name), "dp-checkpoint");
		} else if (i <= n_dispatch) {
			ta->fn = dispatcher_main;
			if (ta->w)
				ta->w->index = i - 1;
			snprintf(ta->name, sizeof(ta->name), "dp-dispatch/%d", i % 1000);
		} else {
			ta->fn = worker_main;
			if (ta->w)
				ta->w->index = i - 1 - n_dispatch;
			snprintf(ta->name, sizeof(ta->name), "dp-work/%d",
				 (i - n_dispatch) % 1000);
		}
		if (!ta->w || pthread_create(&p->threads[i], NULL, thread_main, ta) != 0) {
			if (ta->w)
				dp_fail(err, DP_EIO, "cannot start pipeline thread");
			worker_free(ta->w);
			free(ta);
			pipeline_stop(p);
			return NULL;
		}
		p->n_threads++;
	}
	return p;
}

void pipeline_stop(struct pipeline *p)
{
	if (!p)
		return;
	atomic_store(&p->stopping, true);
	store_queue_wake_all();
	store_checkpoint_wake();
	for (int i = 0; i < p->n_threads; i++)
		pthread_join(p->threads[i], NULL);
	free(p->threads);
	free(p);
}

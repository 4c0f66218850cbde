/*
 * event.h - struct ticket_event, the normalized form of one helpdesk event.
 *
 * Connectors turn a helpdesk's wire format (JSON, XML, ...) into this
 * struct; nothing after the connector knows the wire formats. The
 * same struct round-trips through JSON (the `normalized` column of the
 * events table, and `deskpilot triage --format jsonl`).
 *
 * Ownership: every string member is a heap string owned by the event, or
 * NULL when the helpdesk did not send it; ticket_event_release frees them.
 */
#ifndef DP_EVENT_H
#define DP_EVENT_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "common/dp.h"

/* What an event asks of the pipeline. Only EVENT_CUSTOMER_MESSAGE is
 * decided; the others are recorded (agent replies feed draft acceptance and
 * the VIP SLA watchdog). */
enum event_kind {
	EVENT_CUSTOMER_MESSAGE, /* public customer article: decide */
	EVENT_AGENT_REPLY,      /* public article by a human agent */
	EVENT_NOTE,             /* internal note by anyone */
	EVENT_SYSTEM,           /* system article, or no article at all */
	EVENT_OWN,              /* written by deskpilot itself (loop guard) */
};

struct ticket_event {
	char *source;      /* the connector's name (connector.h) */
	char *delivery_id; /* helpdesk's delivery id, if any */
	enum event_kind kind;

	int64_t ticket_id;
	char *ticket_number;
	char *title;
	char *state;
	char *priority;
	char *group;   /* the helpdesk's group or department */
	char *topic;   /* the helpdesk's help topic, where it has one */
	char *channel; /* email, web, phone, api... */

	int64_t customer_id;
	char *customer_email;
	char *customer_name;
	bool customer_vip;
	char *organization;
	bool organization_vip;
	/* The customer's other organizations whose VIP flag the webhook did not
	 * carry, as the helpdesk numbers them ("5,7"; a final "+" when there
	 * were more than the connector keeps). The connector's enrich step
	 * reads their flags before triage. */
	char *other_organization_ids;
	/* Their names, one per line, as the enrich step read them (NULL until
	 * it has): deskpilot's organization rules match them as they match
	 * organization. */
	char *other_organizations;

	int64_t article_id; /* the message's id (article, thread entry, ...) */
	char *sender;       /* Customer, Agent or System */
	char *article_type; /* email, web, note, phone... */
	bool internal;
	/* The helpdesk marked the message as sent by a machine (out-of-office,
	 * bounce, autoresponder): it needs no answer, and an AI answer to it
	 * starts an auto-reply loop. */
	bool auto_response;
	char *from;
	char *to;
	char *subject;
	char *content_type; /* of the original body */
	char *body;         /* plain text (HTML already converted) */
	char *created_at;   /* ISO-8601 as the helpdesk sent it */
	char *tags;         /* comma-separated helpdesk tags, when known */
};

void ticket_event_init(struct ticket_event *ev);
void ticket_event_release(struct ticket_event *ev);

const char *event_kind_name(enum event_kind k);

/* Returns a new JSON object with every set field (caller decrefs). */
json_t *ticket_event_to_json(const struct ticket_event *ev);

/* The same object as compact JSON text, written without building it: the
 * form the events table stores, on the webhook's path. Returns a new
 * string (caller frees). */
char *ticket_event_to_text(const struct ticket_event *ev);

/* Fill ev (already initialised) from such an object. Unknown keys are
 * ignored; a field of the wrong JSON type is DP_EINVAL naming the field.
 * On error ev may hold some fields: release it. */
int ticket_event_from_json(const json_t *obj, struct ticket_event *ev,
			   struct dp_error *err);

/* The domain part of the customer's e-mail (borrowed, valid while ev is),
 * or NULL when there is none. */
const char *ticket_event_email_domain(const struct ticket_event *ev);

#endif

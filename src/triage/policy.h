/*
 * policy.h - the admin's triage policy, read from the [policy] section.
 *
 * Lists are comma-separated names held as given in the config (e.g.
 * "track_order, check_invoice"); "*" in draft_intents means every intent.
 * The struct is read-only after start and shared by all threads.
 */
#ifndef DP_POLICY_H
#define DP_POLICY_H

#include <stdbool.h>

/* In the order [policy] mode's choices name them (config.c). */
enum policy_mode {
	POLICY_SHADOW, /* decide and record, write nothing to the helpdesk */
	POLICY_DRAFT,  /* AI drafts as internal notes, never public replies */
	POLICY_AUTO,   /* public AI replies for auto_reply_intents */
};

struct policy {
	enum policy_mode mode;
	double min_confidence;          /* below: human, reason low_confidence */
	double min_in_scope;            /* below: human, reason out_of_scope */
	char *draft_intents;            /* intents the AI may draft */
	char *auto_reply_intents;       /* intents the AI may answer (mode auto) */
	char *money_sensitive_intents;  /* always a human */
	char *explicit_request_intents; /* intents that ask for a person */
	char *complaint_intents;        /* intents that are complaints */
	int max_customer_messages;      /* longer threads go to a human */
	char *languages;                /* languages the knowledge base covers */
	bool draft_for_human;           /* attach an internal-only draft to human */
};

const char *policy_mode_name(enum policy_mode m);

/* Whether `name` is an item of the comma-separated `list` (items trimmed,
 * compared case-insensitively with the name or with its tag form, see
 * classifier_tag, so "billing-invoices" lists "Billing, invoices"; "*"
 * matches everything). NULL list: false. */
bool policy_list_has(const char *list, const char *name);

#endif

/*
 * reply.h - turning a knowledge-base answer into a reply for one ticket:
 * placeholders filled from the ticket, the customer's language guessed,
 * the way to reach a person appended. Pure functions.
 *
 * Placeholders are `{{name}}` or `{{name|fallback}}`:
 *   customer_name, customer_first_name, customer_email, ticket_number,
 *   ticket_title, organization.
 * Any other name (e.g. agent_name), and a known one whose ticket field is
 * empty and that has no fallback, cannot be filled. Values are inserted
 * once: braces inside a value are never expanded again.
 */
#ifndef DP_REPLY_H
#define DP_REPLY_H

#include <stdbool.h>
#include <stddef.h>

#include "common/event.h"

#define PLACEHOLDER_NAME_MAX 40

/* Fill the placeholders of tmpl from ev into a new string (*out, caller
 * frees, at most max bytes). An unfillable placeholder becomes
 * "[agent: fill in X]" when !customer_facing; when customer_facing it
 * fails: DP_EINVAL with its name in missing (may be NULL) and *out NULL.
 * DP_ETOOBIG when the result passes max. */
int reply_fill(const char *tmpl, const struct ticket_event *ev,
	       bool customer_facing, size_t max, char **out,
	       char missing[PLACEHOLDER_NAME_MAX]);

/* Two-letter code of the language text is most likely written in, among
 * en de fr es nl it pt sv; "en" when unsure. Static string. */
const char *reply_language(const char *text);

/* The default line telling the customer how to reach a person, in
 * language (a reply_language code); English for unknown codes. Static. */
const char *reply_default_footer(const char *language);

#endif

/*
 * fuzz_triage.c - the decision on a customer's words: tokenizing, the cue
 * lists, the language guess and the built-in intent model. The first line
 * of the input is the subject, the rest the message, valid UTF-8 as the
 * pipeline hands it over (the event's text is made so when it is stored).
 */
#include "fuzz.h"

#include "common/event.h"
#include "common/utf8.h"
#include "config/config.h"
#include "triage/builtin.h"
#include "triage/triage.h"

#include <stdlib.h>
#include <string.h>

static struct config cfg;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_setup();
	config_init(&cfg);
	cfg.policy.mode = POLICY_DRAFT;
	if (!builtin_model())
		abort();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *in = fuzz_cstring(data, size), *nl;
	struct ticket_event ev;
	struct triage_input t = {.ev = &ev, .policy = &cfg.policy, .model = builtin_model()};
	struct decision d;

	if (!utf8_valid(in, strlen(in))) {
		free(in);
		return 0;
	}
	ticket_event_init(&ev);
	ev.kind = EVENT_CUSTOMER_MESSAGE;
	nl = strchr(in, '\n');
	if (nl) {
		*nl = '\0';
		ev.subject = in;
		ev.body = nl + 1;
	} else {
		ev.body = in;
	}
	triage_decide(&t, &d);
	/* Draft mode carries out what it decides, and no customer message
	 * goes undecided; the reasons fit and read as text. */
	if (d.outcome != d.would_be || d.outcome < OUTCOME_HUMAN_VIP ||
	    d.outcome > OUTCOME_AI_REPLY || d.n_reasons > DECISION_MAX_REASONS)
		abort();
	for (size_t i = 0; i < d.n_reasons; i++) {
		const struct reason *r = &d.reasons[i];

		if (!memchr(r->code, '\0', sizeof(r->code)) || !r->code[0] ||
		    !memchr(r->evidence, '\0', sizeof(r->evidence)) ||
		    !utf8_valid(r->evidence, strlen(r->evidence)))
			abort();
	}
	if (!memchr(d.intent, '\0', sizeof(d.intent)))
		abort();
	free(in);
	return 0;
}

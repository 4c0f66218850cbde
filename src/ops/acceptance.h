/*
 * acceptance.h - how much of an AI draft the agent kept, and taking
 * intents whose drafts agents rewrite off the auto-reply list.
 *
 * The measure is ROUGE-L recall over words: the length of the longest
 * common subsequence of the draft's words and the reply's words, divided
 * by the number of words in the draft. 1.0 means every word of the draft
 * appears in the reply in the same order (the agent may have added text
 * around it); 0.0 means none does. Recall, not F-measure, because the
 * question is how much of the draft survived, not how much the agent
 * added. Both texts go through clean_text first (quoted history and
 * signatures out), and words are maximal runs of letters and digits,
 * ASCII folded to lower case, any non-ASCII byte counting as a letter.
 *
 * Demotion: after each new measurement of an intent, the mean over its
 * last [quality] acceptance_window measured drafts is compared with
 * [quality] acceptance_min; below it (with a full window) the intent is
 * taken off the auto-reply list: recorded in intent_demotions, logged, and
 * from then on a decision that would auto-reply for it becomes an ai_draft
 * with reason intent_demoted. `deskpilot intents restore INTENT` undoes it;
 * after a restore only drafts decided later count toward a new demotion.
 */
#ifndef DP_ACCEPTANCE_H
#define DP_ACCEPTANCE_H

#include <stdbool.h>
#include <stdint.h>

#include "common/decision.h"
#include "config/config.h"
#include "store/store.h"

/* Words compared at most per text; the rest is ignored. */
#define ACCEPTANCE_MAX_WORDS 4000

/* The share of draft's words the reply kept, in [0, 1] (see above); 0
 * when the draft has no words. Pure; texts are used as given (the caller
 * cleans them). */
double acceptance_measure(const char *draft, const char *reply);

/* One pass: measure every ai_draft decision (of the last retention_days)
 * that an agent has answered since, store the figure on the decision, and
 * demote intents that fall below the threshold. Errors are logged; the
 * next pass tries again. */
void acceptance_step(store *s, const struct config *cfg, int64_t now_ms);

/* If d would auto-reply (outcome, or would_be in shadow mode, ai_reply)
 * for an intent that is demoted, make it ai_draft and add reason
 * "intent_demoted". Returns whether d changed. The pipeline calls this
 * right after triage; `deskpilot replay` does the same. */
bool acceptance_apply_demotion(store *s, struct decision *d);

#endif

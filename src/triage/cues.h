/*
 * cues.h - human cues: words in a customer message that mean a person
 * should answer it, whatever the classifier thinks.
 *
 * Ten cues, each with a stable reason code: explicit_request (asked for a
 * person), anger (profanity, insults, strong negative sentiment),
 * complaint, legal (lawyer, court, regulator), security (phishing,
 * malware, data breaches), and the sensitive topics in everyday words:
 * fraud (a charge the customer did not make, money taken, a scam),
 * lost_or_stolen (a card, wallet, phone or laptop), account_takeover
 * (someone else in the account, details changed by someone else),
 * dispute (a chargeback, asking the bank to reverse a payment) and
 * refund_demand (the customer wants their money back). Phrase lists cover English, German,
 * French, Spanish and Swedish; matching is on text_tokenize words, so case,
 * punctuation and accents do not matter, and words of five letters or more
 * also match with one typo (edit or swap). Negation is scoped: "I don't
 * need a human, just the tracking link" does not fire explicit_request
 * ("don't need" governs the request), but "I don't know how to reach an
 * agent" does; "no complaints" and "not angry" do not fire; profanity and
 * legal threats are never negated. A negation reaches back at most a few
 * words and stops at a clause boundary or a "but"/"and".
 *
 * Pure and deterministic; no allocation beyond a small scratch table.
 */
#ifndef DP_CUES_H
#define DP_CUES_H

#include <stdbool.h>

#include "common/decision.h"
#include "triage/text.h"

enum cue {
	CUE_EXPLICIT_REQUEST,
	CUE_ANGER,
	CUE_COMPLAINT,
	CUE_LEGAL,
	CUE_SECURITY,
	CUE_FRAUD,
	CUE_LOST_OR_STOLEN,
	CUE_ACCOUNT_TAKEOVER,
	CUE_DISPUTE,
	CUE_REFUND_DEMAND,
	CUE_COUNT
};

struct cue_result {
	bool fired[CUE_COUNT];
	/* The matched words as they appear in the input, for the reason. */
	char evidence[CUE_COUNT][REASON_EVIDENCE_MAX];
};

/* Reason code of a cue, e.g. "explicit_request"; static text. */
const char *cue_code(enum cue c);

/* Find every cue in the tokens of `text` (toks = text_tokenize(text));
 * text is only read for evidence. out is overwritten. */
void cues_find(const char *text, const struct text_tokens *toks,
	       struct cue_result *out);

#endif

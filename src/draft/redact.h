/*
 * redact.h - take personal data out of text before it leaves the machine
 * for a model, and put the customer's own data back into the model's
 * reply.
 *
 * Detected: e-mail addresses, phone numbers (international "+..." form,
 * grouped national numbers, or after a phone label), payment card numbers
 * (13-19 digits, Luhn-checked, not after "order"/"invoice"/"#"), IBANs
 * (mod-97 checked), street addresses ("12 Baker Street", "Hauptstraße 5"),
 * secrets after a label ("password: x", "API key: x") and tokens shaped
 * like API keys. Each distinct value gets a stable placeholder, numbered
 * per kind in order of appearance: [EMAIL_1], [PHONE_1], [CARD_1],
 * [IBAN_1], [ADDRESS_1], [SECRET_1]. Order numbers, dates, times and
 * prices are left alone. Pure functions; no global state.
 */
#ifndef DP_REDACT_H
#define DP_REDACT_H

#include <stdbool.h>
#include <stddef.h>

#define REDACT_MAX_ITEMS 64
#define REDACT_PLACEHOLDER_MAX 20

enum redact_kind {
	REDACT_EMAIL,
	REDACT_PHONE,
	REDACT_CARD,
	REDACT_IBAN,
	REDACT_ADDRESS,
	REDACT_SECRET,
};

struct redaction_item {
	enum redact_kind kind;
	char placeholder[REDACT_PLACEHOLDER_MAX];
	char *original; /* owned */
};

/* The placeholders handed out for one text. */
struct redaction {
	struct redaction_item items[REDACT_MAX_ITEMS];
	size_t n;
};

void redaction_init(struct redaction *r);
void redaction_release(struct redaction *r);

/* Returns a new string: text with every detected value replaced by its
 * placeholder, recorded in r (which may already hold placeholders from an
 * earlier call, e.g. for the subject: the same value keeps the same
 * placeholder). Past REDACT_MAX_ITEMS distinct values, further values are
 * replaced by "[REDACTED]". */
char *redact_text(const char *text, struct redaction *r);

/* Returns a new string: reply with the customer's own contact data put
 * back ([EMAIL_n], [PHONE_n], [ADDRESS_n] restored), card numbers and
 * IBANs shown only by their last four characters, secrets as "(hidden)".
 * Unknown placeholders are left as they are. */
char *redact_restore(const char *reply, const struct redaction *r);

/* Whether the Luhn checksum of the digits in s[0..n) holds (non-digits are
 * skipped). */
bool redact_luhn_ok(const char *s, size_t n);
/* Whether s[0..n) (spaces skipped) is an IBAN with a valid mod-97 check. */
bool redact_iban_ok(const char *s, size_t n);

#endif

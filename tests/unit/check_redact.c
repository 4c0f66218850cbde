/*
 * check_redact.c - redaction of personal data before a model sees text,
 * the near-misses that must survive, and restoring into a reply.
 */
#include "draft/redact.h"
#include "test.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Redact in and compare with want; returns the map for further checks. */
static void expect(const char *in, const char *want)
{
	struct redaction r;
	char *got;

	redaction_init(&r);
	got = redact_text(in, &r);
	ck_assert_msg(strcmp(got, want) == 0, "redact(\"%s\")\n got: %s\nwant: %s",
		      in, got, want);
	free(got);
	redaction_release(&r);
}

START_TEST(test_detects)
{
	expect("mail me at anna.smith+shop@mail.example.com.",
	       "mail me at [EMAIL_1].");
	expect("call +44 20 7946 0958 or 0171 2345678",
	       "call [PHONE_1] or [PHONE_2]");
	expect("phone: 2345678", "phone: [PHONE_1]");
	expect("US office 555-123-4567", "US office [PHONE_1]");
	expect("card 4111 1111 1111 1111 exp 12/27", "card [CARD_1] exp 12/27");
	expect("card 5500-0000-0000-0004", "card [CARD_1]");
	expect("IBAN DE89 3704 0044 0532 0130 00 please",
	       "IBAN [IBAN_1] please");
	expect("GB82WEST12345698765432", "[IBAN_1]");
	expect("I live at 221b Baker Street, London", "I live at [ADDRESS_1], London");
	expect("Lieferung an Hauptstraße 5 bitte", "Lieferung an [ADDRESS_1] bitte");
	expect("au 12 rue de la Paix", "au [ADDRESS_1]");
	expect("my password: hunter2!", "my password: [SECRET_1]!");
	expect("Passwort ist geheim123", "Passwort ist geheim123");
	expect("Passwort: geheim123", "Passwort: [SECRET_1]");
	expect("key sk-proj-abcdefghijklmnopqrstuvwx done", "key [SECRET_1] done");
	expect("token aB3dE5gH7jK9mN1pQ3sT5vX7zA9cE1gH2", "token [SECRET_1]");
}
END_TEST

START_TEST(test_near_misses)
{
	/* order numbers that are not card numbers (no Luhn, or labelled) */
	expect("order 4111111111111112 arrived", "order 4111111111111112 arrived");
	expect("order #4111111111111111", "order #4111111111111111");
	expect("Order 113542617735902.", "Order 113542617735902.");
	/* a bad IBAN check digit */
	expect("DE00 3704 0044 0532 0130 00", "DE00 3704 0044 0532 0130 00");
	/* dates, times, prices, quantities, invoice numbers */
	expect("on 04.03.2024 10:15 I paid 1,299.00 EUR",
	       "on 04.03.2024 10:15 I paid 1,299.00 EUR");
	expect("delivered 2024-03-04, invoice INV-2024-000123",
	       "delivered 2024-03-04, invoice INV-2024-000123");
	expect("01/12/2024 12 items", "01/12/2024 12 items");
	expect("I ordered 2 Blue Shirts", "I ordered 2 Blue Shirts");
	expect("version 1.2.3 of the app", "version 1.2.3 of the app");
	/* a long lowercase hash is not a secret-shaped token */
	expect("ref 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
	       "ref 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08");
	expect("email me", "email me");
	expect("foo@bar", "foo@bar");
}
END_TEST

START_TEST(test_stable_and_restore)
{
	struct redaction r;
	char *a, *b, *back;

	redaction_init(&r);
	a = redact_text("a@x.example and b@x.example", &r);
	b = redact_text("again a@x.example, card 4111111111111111", &r);
	ck_assert_str_eq(a, "[EMAIL_1] and [EMAIL_2]");
	ck_assert_str_eq(b, "again [EMAIL_1], card [CARD_1]");
	ck_assert_uint_eq(r.n, 3);
	back = redact_restore("We wrote to [EMAIL_1] about the card [CARD_1]; "
			      "[EMAIL_9] stays.",
			      &r);
	ck_assert_str_eq(back, "We wrote to a@x.example about the card ending in 1111; "
			       "[EMAIL_9] stays.");
	free(back);
	free(a);
	free(b);
	redaction_release(&r);

	redaction_init(&r);
	a = redact_text("password: s3cret, IBAN DE89370400440532013000", &r);
	back = redact_restore("Your password [SECRET_1] and account [IBAN_1].", &r);
	ck_assert_str_eq(back, "Your password (hidden) and account ending in 3000.");
	free(back);
	free(a);
	redaction_release(&r);
}
END_TEST

START_TEST(test_checksums)
{
	ck_assert(redact_luhn_ok("79927398713", 11));
	ck_assert(!redact_luhn_ok("79927398710", 11));
	ck_assert(redact_iban_ok("GB82 WEST 1234 5698 7654 32", 27));
	ck_assert(!redact_iban_ok("GB82 WEST 1234 5698 7654 33", 27));
	ck_assert(!redact_iban_ok("GB82", 4));
}
END_TEST

/* Numbers at the very end of the text: the scanners must not read past
 * the terminating NUL (found by fuzzing; caught by ASan in the sanitizer
 * run). */
START_TEST(test_number_at_end)
{
	static const char *const texts[] = {"tel 0123", "call 12", "1",
					    "+49 30", "on 2026-", "12.", "(030"};
	struct redaction r;

	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		char *in = strdup(texts[i]); /* exact-size heap copy */
		char *out;

		redaction_init(&r);
		out = redact_text(in, &r);
		ck_assert_str_eq(out, texts[i]);
		free(out);
		redaction_release(&r);
		free(in);
	}
}
END_TEST

START_TEST(test_table_full)
{
	struct redaction r;
	char text[REDACT_MAX_ITEMS * 24 + 64] = "";
	size_t len = 0;
	char *got;

	for (int i = 0; i < REDACT_MAX_ITEMS + 1; i++)
		len += (size_t)snprintf(text + len, sizeof(text) - len,
					"u%d@x.example ", i);
	redaction_init(&r);
	got = redact_text(text, &r);
	ck_assert_uint_eq(r.n, REDACT_MAX_ITEMS);
	ck_assert_ptr_nonnull(strstr(got, "[REDACTED]"));
	ck_assert_ptr_null(strchr(got, '@'));
	free(got);
	redaction_release(&r);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("redact");
	TCase *tc = tcase_create("redact");

	tcase_add_test(tc, test_detects);
	tcase_add_test(tc, test_near_misses);
	tcase_add_test(tc, test_stable_and_restore);
	tcase_add_test(tc, test_checksums);
	tcase_add_test(tc, test_table_full);
	tcase_add_test(tc, test_number_at_end);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return test_main(suite());
}

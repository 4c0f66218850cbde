/*
 * check_train.c - `deskpilot train` as a helpdesk admin runs it on their
 * own tickets: labels as the helpdesk writes them, the cross-validation
 * report and its warnings, errors that name file, line and field and store
 * nothing, the model triage then decides with; and the built-in rows it
 * adds, minus the background groups a helpdesk's own tickets read like.
 */
#include "integration/harness.h"

#include "cli/cli.h"
#include "common/clean.h"
#include "common/csv.h"
#include "triage/eval.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

static struct harness *h;

static void up(void)
{
	h = harness_new(&(struct harness_opts){.no_nginx = true});
	ck_assert_msg(h != NULL, "%s", harness_error());
}

static void down(void)
{
	harness_free(h);
	h = NULL;
}

/* Twelve rows each of three labels in the helpdesk's own words and
 * spelling, and three of a fourth. */
static const char tickets[] =
	"text,intent\n"
	"where is my parcel,Lieferung & Versand\n"
	"my parcel has not arrived yet,Lieferung & Versand\n"
	"when will my package be delivered,Lieferung & Versand\n"
	"the delivery is late by a week,Lieferung & Versand\n"
	"tracking shows no movement for my parcel,Lieferung & Versand\n"
	"has my order shipped yet,Lieferung & Versand\n"
	"the courier never came with my package,Lieferung & Versand\n"
	"how long does shipping to Austria take,Lieferung & Versand\n"
	"can you tell me when the parcel arrives,Lieferung & Versand\n"
	"my package is stuck at the depot,Lieferung & Versand\n"
	"delivery date for my order please,Lieferung & Versand\n"
	"is my parcel on its way,Lieferung & Versand\n"
	"send me the invoice for my order,Rechnung?\n"
	"I need a copy of my invoice,Rechnung?\n"
	"the invoice amount looks wrong,Rechnung?\n"
	"can I get the bill as a PDF,Rechnung?\n"
	"please resend my invoice by email,Rechnung?\n"
	"my invoice is missing the VAT number,Rechnung?\n"
	"where do I download my invoices,Rechnung?\n"
	"I did not get a bill for my purchase,Rechnung?\n"
	"the invoice has the wrong company name,Rechnung?\n"
	"need the receipt for my tax return,Rechnung?\n"
	"invoice for order 5512 please,Rechnung?\n"
	"could you send the bill again,Rechnung?\n"
	"how do I reset my password,Konto / Zugang\n"
	"I cannot log in to my account,Konto / Zugang\n"
	"change the email address on my account,Konto / Zugang\n"
	"my account is locked after three tries,Konto / Zugang\n"
	"the password reset link has expired,Konto / Zugang\n"
	"update my phone number in my profile,Konto / Zugang\n"
	"how do I create an account,Konto / Zugang\n"
	"I forgot my login name,Konto / Zugang\n"
	"two factor code never arrives,Konto / Zugang\n"
	"delete my old address from the profile,Konto / Zugang\n"
	"cannot sign in on the app,Konto / Zugang\n"
	"switch my account to business,Konto / Zugang\n"
	"do you sell gift cards,Geschenkkarten\n"
	"how do I use a gift card,Geschenkkarten\n"
	"my gift card code does not work,Geschenkkarten\n";

START_TEST(train_on_the_helpdesk_labels)
{
	char *csv = harness_write_file(h, "tickets.csv", tickets);
	char *ask = harness_write_file(h, "ask.csv",
				       "text\nwhen does my parcel arrive?\n");
	char *out = NULL;
	int64_t n = 0;

	ck_assert_int_eq(harness_cli(h, (const char *const[]){"train", csv, "--folds", "3", "--no-builtin", NULL},
				     &out),
			 0);
	ck_assert_ptr_nonnull(strstr(out, "3-fold cross-validation on the file's 39 rows"));
	/* Each label as written, with its own figures. */
	ck_assert_ptr_nonnull(strstr(out, "  Lieferung & Versand "));
	ck_assert_ptr_nonnull(strstr(out, "  Rechnung? "));
	ck_assert_ptr_nonnull(strstr(out, "precision  recall"));
	ck_assert_ptr_nonnull(strstr(out, "warning: intent 'Geschenkkarten' has 3 rows"));
	ck_assert_ptr_null(strstr(out, "warning: intent 'Rechnung?'"));
	ck_assert_ptr_nonnull(strstr(out, "trained on 39 rows of"));
	free(out);
	ck_assert_int_eq(harness_sql_int(h, "SELECT count(*) FROM models", &n), 0);
	ck_assert_int_eq(n, 1);
	ck_assert(harness_sql_text_is(h, "SELECT json_extract(meta, '$.classes') FROM models",
				      "4"));

	/* Triage decides with it, naming the label as the helpdesk wrote it. */
	out = NULL;
	ck_assert_int_eq(harness_cli(h, (const char *const[]){"triage", ask, NULL}, &out), 0);
	ck_assert_msg(strstr(out, "\"intent\":\"Lieferung & Versand\"") != NULL, "%s", out);
	free(out);
	free(ask);
	free(csv);
}
END_TEST

START_TEST(bad_labels_are_named_and_store_nothing)
{
	char *csv = harness_write_file(h, "bad.csv",
				       "text,intent\n"
				       "where is my parcel,Versand\n"
				       "send the invoice,\"Rech\x01nung\"\n");
	char *out = NULL, *before = harness_sql_text(h, "SELECT meta FROM models");
	int64_t n = -1;

	ck_assert_int_eq(harness_cli(h, (const char *const[]){"train", csv, "--no-builtin", NULL},
				     &out),
			 1);
	ck_assert_msg(strstr(out, "bad.csv:3: field 'intent'") != NULL, "%s", out);
	free(out);
	/* Whatever model was there stays. */
	ck_assert_int_eq(harness_sql_int(h, "SELECT count(*) FROM models", &n), 0);
	ck_assert(before ? n == 1 && harness_sql_text_is(h, "SELECT meta FROM models", before)
			 : n == 0);
	free(before);
	free(csv);
}
END_TEST

/* A bank's own tickets read like the built-in banking group: it is left
 * out of the bank's training; groups far from banking stay. */
START_TEST(background_groups_a_helpdesk_reads_like_are_left_out)
{
	static const char *const bank[] = {"transfer", "balance", "pin_change",
					   "freeze_account", "card_declined",
					   "credit_limit", "bill_due", "routing"};
	char *path = harness_srcdir_path("data/clinc150/train.csv");
	char *mine = harness_path(h, "bank.csv");
	FILE *in = fopen(path, "r"), *out = fopen(mine, "w");
	struct csv *c = csv_new(in, path);
	struct dp_error err;
	struct eval_set set;
	struct classifier_example *ex;
	size_t n_file, n, bg_banking = 0, bg_kitchen = 0, bg_other = 0;
	char *report = NULL;
	size_t report_len = 0;
	FILE *rep = open_memstream(&report, &report_len);

	ck_assert_int_eq(csv_read_header(c, &err), 0);
	fputs("text,intent\n", out);
	while (csv_next(c, &err) > 0)
		for (size_t i = 0; i < DP_ARRAY_LEN(bank); i++)
			if (strcmp(csv_field(c, csv_column(c, "clinc_intent")), bank[i]) == 0)
				csv_put(out, csv_field(c, csv_column(c, "text"))),
					fprintf(out, ",%s\n", bank[i]);
	csv_free(c);
	fclose(in);
	fclose(out);
	ck_assert_int_eq(eval_set_load(mine, NULL, &set, &err), 0);
	eval_set_map_text(&set, clean_message);
	ck_assert_uint_eq(set.n, 800);
	ex = cli_training_rows(&set, true, &n_file, &n, rep);
	fclose(rep);
	ck_assert_ptr_nonnull(ex);
	ck_assert_uint_eq(n_file, 800);
	for (size_t i = n_file; i < n; i++) {
		if (ex[i].kind != CLASS_BACKGROUND)
			continue;
		if (strcmp(ex[i].name, "banking") == 0)
			bg_banking++;
		else if (strcmp(ex[i].name, "kitchen_and_dining") == 0)
			bg_kitchen++;
		else
			bg_other++;
	}
	ck_assert_uint_eq(bg_banking, 0);
	ck_assert_uint_eq(bg_kitchen, 1500);
	ck_assert_uint_gt(bg_other, 10000);
	ck_assert_msg(strstr(report, "leaving out the built-in background group 'banking'"),
		      "%s", report);
	ck_assert_ptr_null(strstr(report, "'kitchen_and_dining'"));
	free(report);
	free(ex);
	eval_set_release(&set);
	free(mine);
	free(path);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("train");
	TCase *t = tcase_create("cli");

	tcase_add_unchecked_fixture(t, up, down);
	tcase_set_timeout(t, 300);
	tcase_add_test(t, train_on_the_helpdesk_labels);
	tcase_add_test(t, bad_labels_are_named_and_store_nothing);
	tcase_add_test(t, background_groups_a_helpdesk_reads_like_are_left_out);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	return harness_main(suite());
}

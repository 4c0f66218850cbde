/*
 * check_classifier.c - the intent classifier (training, class kinds,
 * names, serialization, cross-validation), the store tables behind it,
 * policy modes with a model, the built-in model and rows, and the quality
 * targets: 5-fold cross-validation on the Bitext data, and the built-in
 * model on text it was not trained on (CLINC150's validation split, the
 * e-mails in tests/data/emails, the phrasings in tests/data/triage). All
 * data is read from $DP_SRCDIR.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/clean.h"
#include "config/config.h"
#include "store/model.h"
#include "store/vip.h"
#include "test.h"
#include "triage/builtin.h"
#include "triage/eval.h"

static struct config cfg;
static struct eval_set bitext;
static struct classifier *model; /* trained on all of bitext, no built-in rows */

/* $DP_SRCDIR/<rel>: the labelled data and test files in the source tree. */
static char *path_of(const char *rel)
{
	const char *src = getenv("DP_SRCDIR");

	return xasprintf("%s/%s", src && *src ? src : ".", rel);
}

static void load_set(const char *rel, struct eval_set *set)
{
	char *p = path_of(rel);
	struct dp_error err;

	ck_assert_msg(eval_set_load(p, &cfg.policy, set, &err) == 0, "%s", err.msg);
	eval_set_map_text(set, clean_message);
	free(p);
}

static void setup(void)
{
	struct dp_error err;
	struct classifier_example *ex;
	size_t n;

	config_init(&cfg);
	load_set("data/bitext/train.csv", &bitext);
	ex = eval_training_rows(&bitext, 0, 0, NULL, 0, &n);
	model = classifier_train(ex, n, &(struct classifier_options){.meta = "bitext"},
				 &err);
	ck_assert_ptr_nonnull(model);
	free(ex);
}

static void teardown(void)
{
	classifier_free(model);
	eval_set_release(&bitext);
	config_release(&cfg);
}

/* ---------- the learner ---------- */

START_TEST(classifier_round_trip)
{
	size_t len;
	unsigned char *blob = classifier_serialize(model, &len);
	struct dp_error err;
	struct classifier *back = classifier_load(blob, len, &err);

	ck_assert_ptr_nonnull(back);
	ck_assert_uint_eq(classifier_classes(back), 27);
	ck_assert_str_eq(classifier_meta(back), "bitext");
	for (size_t i = 0; i < bitext.n; i += 7) {
		struct classifier_prediction a, b;

		classifier_predict(model, bitext.rows[i].text, &a);
		classifier_predict(back, bitext.rows[i].text, &b);
		ck_assert_str_eq(a.name, b.name);
		ck_assert(a.confidence == b.confidence);
		ck_assert_str_eq(a.term, b.term);
	}
	/* Truncated, corrupted and other-version blobs are refused. */
	ck_assert_ptr_null(classifier_load(blob, len - 1, &err));
	blob[4] ^= 0x03;
	ck_assert_ptr_null(classifier_load(blob, len, &err));
	ck_assert_ptr_nonnull(strstr(err.msg, "format version"));
	blob[4] ^= 0x03;
	blob[0] ^= 0xFF;
	ck_assert_ptr_null(classifier_load(blob, len, &err));
	classifier_free(back);
	free(blob);
}
END_TEST

START_TEST(classifier_predicts_with_a_term)
{
	struct classifier_prediction p;

	classifier_predict(model, "I need to track my order 12345", &p);
	ck_assert_str_eq(p.name, "track_order");
	ck_assert_int_eq(p.kind, CLASS_INTENT);
	ck_assert_str_eq(p.intent, "track_order");
	ck_assert(p.confidence > 0.8);
	ck_assert_msg(strstr(p.term, "track") != NULL, "term '%s'", p.term);
	/* Nothing of the message speaks for any intent. */
	classifier_predict(model, "zebra quantum marmalade", &p);
	ck_assert_str_eq(p.term, "");
	classifier_predict(model, "", &p);
	ck_assert_str_eq(p.term, "");
}
END_TEST

/* Rows of three kinds, in a few words each. */
static const struct classifier_example kinds_rows[] = {
	{"where is my parcel", "Lieferung & Versand", CLASS_INTENT},
	{"my parcel has not arrived yet", "Lieferung & Versand", CLASS_INTENT},
	{"when will my parcel be delivered", "Lieferung & Versand", CLASS_INTENT},
	{"send me the invoice please", "Rechnung?", CLASS_INTENT},
	{"I need a copy of my invoice", "Rechnung?", CLASS_INTENT},
	{"the invoice amount is wrong", "Rechnung?", CLASS_INTENT},
	{"someone stole my card", "lost_or_stolen", CLASS_SENSITIVE},
	{"I lost my wallet with my card", "lost_or_stolen", CLASS_SENSITIVE},
	{"my card was stolen on the bus", "lost_or_stolen", CLASS_SENSITIVE},
	{"what is the weather tomorrow", "weather", CLASS_BACKGROUND},
	{"will it rain in Paris", "weather", CLASS_BACKGROUND},
	{"how hot is it outside today", "weather", CLASS_BACKGROUND},
};

START_TEST(classifier_kinds_and_names)
{
	struct dp_error err;
	struct classifier *m = classifier_train(kinds_rows, DP_ARRAY_LEN(kinds_rows),
						NULL, &err);
	struct classifier_prediction p;
	char tag[CLASS_NAME_MAX];

	ck_assert_msg(m != NULL, "%s", err.msg);
	ck_assert_uint_eq(classifier_classes(m), 4);
	ck_assert_str_eq(classifier_class_name(m, 0), "Lieferung & Versand");
	ck_assert_int_eq(classifier_class_kind(m, 2), CLASS_SENSITIVE);
	ck_assert_int_eq(classifier_class_kind(m, 3), CLASS_BACKGROUND);
	classifier_predict(m, "will it rain tomorrow", &p);
	ck_assert_str_eq(p.name, "weather");
	ck_assert_int_eq(p.kind, CLASS_BACKGROUND);
	ck_assert(p.background_mass > 0.5);
	classifier_predict(m, "my card was stolen", &p);
	ck_assert_str_eq(p.sensitive, "lost_or_stolen");
	ck_assert_msg(p.sensitive_score > 0.5, "%f", p.sensitive_score);
	ck_assert_int_ne(p.kind, CLASS_SENSITIVE); /* topics stand apart */
	classifier_predict(m, "send me the invoice", &p);
	ck_assert_msg(p.sensitive_score < 0.5, "%f", p.sensitive_score);
	classifier_predict(m, "I need the invoice", &p);
	ck_assert_str_eq(p.intent, "Rechnung?");

	classifier_tag("Lieferung & Versand", tag, sizeof(tag));
	ck_assert_str_eq(tag, "lieferung-versand");
	classifier_tag("  Rückerstattung / Geld zurück? ", tag, sizeof(tag));
	ck_assert_str_eq(tag, "ruckerstattung-geld-zuruck");
	classifier_tag("track_order", tag, sizeof(tag));
	ck_assert_str_eq(tag, "track_order");
	classifier_tag("?!", tag, sizeof(tag));
	ck_assert_str_eq(tag, "");
	classifier_free(m);
}
END_TEST

START_TEST(classifier_rejects_bad_rows)
{
	struct classifier_example ctrl[] = {{"hello", "bad\tname", CLASS_INTENT},
					    {"bye", "other", CLASS_INTENT}};
	struct classifier_example spaced[] = {{"hello", " padded", CLASS_INTENT},
					      {"bye", "other", CLASS_INTENT}};
	struct classifier_example one[] = {{"hello", "only", CLASS_INTENT},
					   {"hi", "only", CLASS_INTENT}};
	struct classifier_example twice[] = {{"hello", "a", CLASS_INTENT},
					     {"hi", "a", CLASS_BACKGROUND}};
	struct classifier_example empty[] = {{"", "x", CLASS_INTENT}};
	char long_name[CLASS_NAME_MAX + 1];
	struct dp_error err;

	ck_assert_ptr_null(classifier_train(ctrl, 2, NULL, &err));
	ck_assert_ptr_nonnull(strstr(err.msg, "row 1"));
	ck_assert_ptr_null(classifier_train(spaced, 2, NULL, &err));
	ck_assert_ptr_null(classifier_train(one, 2, NULL, &err));
	ck_assert_ptr_nonnull(strstr(err.msg, "only one class"));
	ck_assert_ptr_null(classifier_train(twice, 2, NULL, &err));
	ck_assert_ptr_nonnull(strstr(err.msg, "row 2"));
	ck_assert_ptr_null(classifier_train(empty, 1, NULL, &err));
	memset(long_name, 'x', CLASS_NAME_MAX);
	long_name[CLASS_NAME_MAX] = '\0';
	ck_assert(!classifier_name_ok(long_name));
	long_name[CLASS_NAME_MAX - 1] = '\0';
	ck_assert(classifier_name_ok(long_name));
	ck_assert(!classifier_name_ok("\xC3\x28")); /* invalid UTF-8 */
	ck_assert(classifier_name_ok("Storno / Widerruf?"));
}
END_TEST

START_TEST(classifier_cross_validates)
{
	size_t n = DP_ARRAY_LEN(kinds_rows);
	bool scored[DP_ARRAY_LEN(kinds_rows)];
	const char *pred[DP_ARRAY_LEN(kinds_rows)] = {0};
	double conf[DP_ARRAY_LEN(kinds_rows)];
	struct dp_error err;
	size_t right = 0;

	/* Score the intents; the other rows are always trained on. */
	for (size_t i = 0; i < n; i++)
		scored[i] = kinds_rows[i].kind == CLASS_INTENT;
	ck_assert_int_eq(classifier_cross_validate(kinds_rows, n, scored, 3, pred,
						   conf, &err),
			 0);
	for (size_t i = 0; i < n; i++) {
		if (!scored[i]) {
			ck_assert_ptr_null(pred[i]);
			continue;
		}
		ck_assert_ptr_nonnull(pred[i]);
		/* Names point into the caller's rows. */
		ck_assert(pred[i] == kinds_rows[0].name || pred[i] == kinds_rows[3].name ||
			  pred[i] == kinds_rows[6].name || pred[i] == kinds_rows[9].name);
		ck_assert(conf[i] > 0 && conf[i] <= 1);
		right += strcmp(pred[i], kinds_rows[i].name) == 0;
	}
	ck_assert_uint_ge(right, 5);
}
END_TEST

/* ---------- policy and store ---------- */

static void decide_with(const struct classifier *m, const struct policy *p,
			const char *subject, const char *text, struct decision *d)
{
	struct ticket_event ev;
	struct triage_input in = {.ev = &ev, .policy = p, .model = m};

	ticket_event_init(&ev);
	ev.kind = EVENT_CUSTOMER_MESSAGE;
	ev.subject = (char *)subject;
	ev.body = (char *)text;
	triage_decide(&in, d);
}

START_TEST(policy_modes_with_model)
{
	struct policy p = cfg.policy;
	char track[] = "track_order", invoice_only[] = "get_invoice";
	struct decision d;

	p.mode = POLICY_DRAFT;
	p.auto_reply_intents = track;
	decide_with(model, &p, NULL, "how can I track my order?", &d);
	ck_assert_int_eq(d.outcome, OUTCOME_AI_DRAFT);
	ck_assert_str_eq(d.intent, "track_order");
	ck_assert_uint_eq(d.n_reasons, 0);

	p.mode = POLICY_AUTO;
	decide_with(model, &p, NULL, "how can I track my order?", &d);
	ck_assert_int_eq(d.outcome, OUTCOME_AI_REPLY);
	decide_with(model, &p, NULL, "how do I reset my password?", &d);
	ck_assert_int_eq(d.outcome, OUTCOME_AI_DRAFT);

	decide_with(model, &p, NULL, "I want a refund of my money", &d);
	ck_assert_int_eq(d.outcome, OUTCOME_HUMAN);
	ck_assert(decision_has_reason(&d, "money_sensitive"));
	ck_assert(decision_has_reason(&d, "refund_demand"));

	p.draft_intents = invoice_only;
	decide_with(model, &p, NULL, "how do I reset my password?", &d);
	ck_assert_int_eq(d.outcome, OUTCOME_HUMAN);
	ck_assert(decision_has_reason(&d, "not_allowed"));

	p = cfg.policy;
	p.mode = POLICY_SHADOW;
	decide_with(model, &p, NULL, "how can I track my order?", &d);
	ck_assert_int_eq(d.outcome, OUTCOME_NONE);
	ck_assert_int_eq(d.would_be, OUTCOME_AI_DRAFT);

	/* Nothing of the message speaks for the intent it lands in. */
	decide_with(model, &cfg.policy, NULL, "zebra quantum marmalade", &d);
	ck_assert_int_eq(d.outcome, OUTCOME_HUMAN);
	ck_assert(decision_has_reason(&d, "out_of_scope") ||
		  decision_has_reason(&d, "low_confidence"));
}
END_TEST

START_TEST(subject_of_a_reply_is_ignored)
{
	struct decision d;

	/* An earlier message's subject names neither cue nor intent. */
	decide_with(model, &cfg.policy, "Re: unrecognised payment on my card",
		    "Thanks, that is sorted. Where can I track my order 5512?", &d);
	ck_assert_int_eq(d.outcome, OUTCOME_AI_DRAFT);
	ck_assert_str_eq(d.intent, "track_order");
	/* A fresh one is read. */
	decide_with(model, &cfg.policy, "Unrecognised payment on my card",
		    "Where can I track my order 5512?", &d);
	ck_assert_int_eq(d.outcome, OUTCOME_HUMAN);
	ck_assert(decision_has_reason(&d, "fraud"));
}
END_TEST

START_TEST(store_vip_and_model)
{
	struct test_db db;
	struct dp_error err;
	struct vip_rules r;
	struct classifier *back;
	store *s = test_db_open(&db, "classifier");

	ck_assert_int_eq(store_model_stamp(s), 0);
	ck_assert_ptr_null(store_model_load(s, &err));
	ck_assert_int_eq(store_vip_add(s, VIP_DOMAIN, " @BigCorp.example ", "key",
				       1000, &err),
			 0);
	ck_assert_int_eq(store_vip_add(s, VIP_DOMAIN, "bigcorp.example", NULL,
				       1000, &err),
			 DP_EDUP);
	ck_assert_int_eq(store_vip_add(s, VIP_EMAIL, "not-an-address", NULL,
				       1000, &err),
			 DP_EINVAL);
	vip_rules_init(&r);
	ck_assert_int_eq(store_vip_load(s, &r), 0);
	ck_assert_uint_eq(r.n, 1);
	ck_assert_str_eq(r.items[0].value, "bigcorp.example");
	vip_rules_release(&r);
	ck_assert_int_eq(store_vip_remove(s, VIP_DOMAIN, "BIGCORP.example"), 0);
	ck_assert_int_eq(store_vip_remove(s, VIP_DOMAIN, "bigcorp.example"),
			 DP_ENOTFOUND);

	ck_assert_int_eq(store_model_save(s, model, (int)bitext.n, 4242), 0);
	ck_assert_int_eq(store_model_stamp(s), 4242);
	back = store_model_load(s, &err);
	ck_assert_ptr_nonnull(back);
	ck_assert_uint_eq(classifier_classes(back), classifier_classes(model));
	ck_assert_str_eq(classifier_meta(back), "bitext");
	classifier_free(back);
	store_close(s);
	test_db_remove(&db);
}
END_TEST

/* ---------- the built-in model and rows ---------- */

START_TEST(builtin_model_and_rows)
{
	const struct classifier *m = builtin_model();
	const struct classifier_example *rows;
	size_t n, kinds[CLASS_KINDS] = {0};

	ck_assert_ptr_nonnull(m);
	for (size_t i = 0; i < classifier_classes(m); i++)
		kinds[classifier_class_kind(m, i)]++;
	ck_assert_uint_eq(kinds[CLASS_INTENT], 27);
	ck_assert_uint_eq(kinds[CLASS_SENSITIVE], 4);
	ck_assert_uint_ge(kinds[CLASS_BACKGROUND], 10);
	ck_assert_ptr_nonnull(strstr(classifier_meta(m), "default model"));
	/* Loaded once, shared. */
	ck_assert_ptr_eq(builtin_model(), m);
	ck_assert_ptr_eq(builtin_pick(false, NULL), m);
	ck_assert_ptr_null(builtin_pick(true, NULL));
	ck_assert_ptr_eq(builtin_pick(true, model), model);

	rows = builtin_rows(&n);
	ck_assert_ptr_nonnull(rows);
	ck_assert_uint_gt(n, 14000);
	memset(kinds, 0, sizeof(kinds));
	for (size_t i = 0; i < n; i++)
		kinds[rows[i].kind]++;
	ck_assert_uint_eq(kinds[CLASS_INTENT], 0);
	ck_assert_uint_ge(kinds[CLASS_SENSITIVE], 300);
	ck_assert_uint_gt(kinds[CLASS_BACKGROUND], 14000);
}
END_TEST

START_TEST(builtin_model_decides)
{
	const struct classifier *m = builtin_model();
	struct decision d;

	decide_with(m, &cfg.policy, NULL,
		    "Hi, my parcel was supposed to arrive on Tuesday and the tracking has not moved since. Order 55123.",
		    &d);
	ck_assert_int_eq(d.outcome, OUTCOME_AI_DRAFT);
	ck_assert_str_eq(d.intent, "track_order");
	decide_with(m, &cfg.policy, NULL, "What's the weather in Lisbon this weekend?", &d);
	ck_assert_int_eq(d.outcome, OUTCOME_HUMAN);
	ck_assert(decision_has_reason(&d, "out_of_scope"));
	decide_with(m, &cfg.policy, NULL, "I lost my card yesterday", &d);
	ck_assert_int_eq(d.outcome, OUTCOME_HUMAN);
	ck_assert(decision_has_reason(&d, "lost_or_stolen"));
	decide_with(m, &cfg.policy, NULL, "my card was used without my permission", &d);
	ck_assert_int_eq(d.outcome, OUTCOME_HUMAN);
	ck_assert(decision_has_reason(&d, "sensitive") || decision_has_reason(&d, "fraud"));
}
END_TEST

/* ---------- quality targets ---------- */

/* Cross-validated on the Bitext data (no built-in rows, for speed). */
START_TEST(eval_targets_bitext)
{
	struct eval_report rep;
	struct dp_error err;

	ck_assert_int_eq(eval_run(&bitext, &cfg.policy, NULL, NULL, 5, NULL, 0,
				  &rep, &err),
			 0);
	eval_print(&rep, stdout);
	ck_assert_uint_eq(rep.n, 3131);
	ck_assert_msg(rep.human_recall >= 0.99, "%f", rep.human_recall);
	ck_assert_msg(rep.routine_automation >= 0.95, "%f", rep.routine_automation);
	ck_assert_msg(rep.intent_accuracy >= 0.98, "%f", rep.intent_accuracy);
}
END_TEST

static void eval_file(const char *rel, const struct vip_rules *vip,
		      struct eval_report *rep)
{
	struct eval_set set;
	struct dp_error err;

	load_set(rel, &set);
	ck_assert_int_eq(eval_run(&set, &cfg.policy, vip, builtin_model(), 0,
				  NULL, 0, rep, &err),
			 0);
	eval_set_release(&set);
}

/* The built-in model on text it never saw in training. */
START_TEST(eval_targets_unseen_tickets)
{
	struct eval_report rep;
	struct vip_rules vip;

	eval_file("tests/data/triage/out_of_scope.csv", NULL, &rep);
	ck_assert_uint_eq(rep.label_n[EVAL_OUT_OF_SCOPE], 40);
	ck_assert_msg(rep.out_of_scope_kept >= 0.95, "%f", rep.out_of_scope_kept);

	vip_rules_init(&vip);
	vip_rules_add(&vip, VIP_DOMAIN, "bigcorp.example");
	vip_rules_add(&vip, VIP_ORGANIZATION, "Globex Ltd");
	vip_rules_add(&vip, VIP_EMAIL, "boss@acme.example");
	eval_file("tests/data/triage/premium.csv", &vip, &rep);
	ck_assert_uint_eq(rep.label_n[EVAL_PREMIUM], 6);
	ck_assert(rep.premium_vip == 1.0);
	vip_rules_release(&vip);

	eval_file("tests/data/triage/other_phrasings.csv", NULL, &rep);
	ck_assert_uint_eq(rep.label_n[EVAL_ROUTINE], 36);
	ck_assert_msg(rep.routine_automation >= 0.8, "%f", rep.routine_automation);
	ck_assert_msg(rep.intent_accuracy >= 0.9, "%f", rep.intent_accuracy);
}
END_TEST

/* CLINC150's validation split: a general assistant's queries, none of them
 * a shop's business (its training split is built in as background). */
START_TEST(eval_targets_off_domain)
{
	struct eval_set set;
	size_t drafted = 0;

	load_set("data/clinc150/val.csv", &set);
	ck_assert_uint_eq(set.n, 3060);
	for (size_t i = 0; i < set.n; i++) {
		struct decision d;

		decide_with(builtin_model(), &cfg.policy, NULL, set.rows[i].text, &d);
		drafted += !outcome_is_human(d.would_be);
	}
	ck_assert_msg(drafted <= set.n / 50, "%zu of %zu drafted", drafted, set.n);
	eval_set_release(&set);
}
END_TEST

/* Realistic e-mails: greetings, quoted history, signatures, HTML, five
 * languages. Right means a person for everything but an English routine
 * question, which gets a draft for its intent. */
START_TEST(eval_targets_emails)
{
	struct eval_set set;
	size_t right = 0;

	load_set("tests/data/emails/emails.csv", &set);
	ck_assert_uint_ge(set.n, 60);
	for (size_t i = 0; i < set.n; i++) {
		const struct eval_row *r = &set.rows[i];
		struct ticket_event ev;
		struct triage_input in = {
			.ev = &ev,
			.policy = &cfg.policy,
			.model = builtin_model(),
		};
		struct decision d;
		bool want_ai = r->label == EVAL_ROUTINE && r->language &&
			       strcmp(r->language, "en") == 0;

		ticket_event_init(&ev);
		eval_row_event(r, &ev);
		triage_decide(&in, &d);
		if (want_ai ? d.would_be == OUTCOME_AI_DRAFT &&
				      strcmp(d.intent, r->intent) == 0
			    : outcome_is_human(d.would_be))
			right++;
		else
			printf("e-mail line %ld (%s): %s %s\n", r->line,
			       eval_label_name(r->label), outcome_name(d.would_be),
			       d.intent);
	}
	ck_assert_msg(right * 100 >= set.n * 93, "%zu of %zu right", right, set.n);
	eval_set_release(&set);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("classifier");
	TCase *t = tcase_create("model");

	tcase_add_unchecked_fixture(t, setup, teardown);
	tcase_set_timeout(t, 300);
	tcase_add_test(t, classifier_round_trip);
	tcase_add_test(t, classifier_predicts_with_a_term);
	tcase_add_test(t, classifier_kinds_and_names);
	tcase_add_test(t, classifier_rejects_bad_rows);
	tcase_add_test(t, classifier_cross_validates);
	tcase_add_test(t, policy_modes_with_model);
	tcase_add_test(t, subject_of_a_reply_is_ignored);
	tcase_add_test(t, store_vip_and_model);
	tcase_add_test(t, builtin_model_and_rows);
	tcase_add_test(t, builtin_model_decides);
	tcase_add_test(t, eval_targets_bitext);
	tcase_add_test(t, eval_targets_unseen_tickets);
	tcase_add_test(t, eval_targets_off_domain);
	tcase_add_test(t, eval_targets_emails);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	return test_main(suite());
}

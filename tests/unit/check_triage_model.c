/*
 * check_triage_model.c - the intent classifier (training, serialization
 * round trip, out-of-scope), the store tables behind it, policy modes
 * with a model, and the targets measured by 5-fold
 * cross-validation on the Bitext data in $DP_SRCDIR/data/bitext.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config/config.h"
#include "store/model.h"
#include "store/vip.h"
#include "triage/eval.h"

static struct config cfg;
static struct eval_set bitext;
static struct classifier *model; /* trained on all of bitext */

/* $DP_SRCDIR/<rel>: the labelled data and test files in the source tree. */
static char *path_of(const char *rel)
{
	const char *src = getenv("DP_SRCDIR");

	return xasprintf("%s/%s", src && *src ? src : ".", rel);
}

static void setup(void)
{
	char *p = path_of("data/bitext/train.csv");
	struct dp_error err;
	struct classifier_example *ex;
	size_t n;

	config_init(&cfg);
	ck_assert_msg(eval_set_load(p, &cfg.policy, &bitext, &err) == 0, "%s",
		      err.msg);
	ex = eval_training_rows(&bitext, 0, 0, &n);
	model = classifier_train(ex, n, &err);
	ck_assert_ptr_nonnull(model);
	free(ex);
	free(p);
}

static void teardown(void)
{
	classifier_free(model);
	eval_set_release(&bitext);
	config_release(&cfg);
}

START_TEST(classifier_round_trip)
{
	size_t len;
	unsigned char *blob = classifier_serialize(model, &len);
	struct dp_error err;
	struct classifier *back = classifier_load(blob, len, &err);

	ck_assert_ptr_nonnull(back);
	ck_assert_uint_eq(classifier_intents(back), 27);
	for (size_t i = 0; i < bitext.n; i += 7) {
		struct classifier_prediction a, b;

		classifier_predict(model, bitext.rows[i].text, &a);
		classifier_predict(back, bitext.rows[i].text, &b);
		ck_assert_str_eq(a.intent, b.intent);
		ck_assert(a.confidence == b.confidence);
		ck_assert(a.similarity == b.similarity);
	}
	/* Truncated and corrupted blobs are refused. */
	ck_assert_ptr_null(classifier_load(blob, len - 1, &err));
	blob[0] ^= 0xFF;
	ck_assert_ptr_null(classifier_load(blob, len, &err));
	classifier_free(back);
	free(blob);
}
END_TEST

START_TEST(classifier_predicts_and_flags_unknown_topics)
{
	struct classifier_prediction p;

	classifier_predict(model, "I need to track my order 12345", &p);
	ck_assert_str_eq(p.intent, "track_order");
	ck_assert(p.confidence > 0.8);
	ck_assert(p.similarity >= cfg.policy.min_similarity);
	classifier_predict(model, "Which wine goes well with grilled salmon?", &p);
	ck_assert(p.similarity < cfg.policy.min_similarity);
	classifier_predict(model, "", &p);
	ck_assert(p.similarity == 0);
}
END_TEST

START_TEST(classifier_rejects_bad_rows)
{
	struct classifier_example bad[] = {{"hello", "has space"}};
	struct classifier_example empty[] = {{"", "x"}};
	struct dp_error err;

	ck_assert_ptr_null(classifier_train(bad, 1, &err));
	ck_assert_ptr_nonnull(strstr(err.msg, "row 1"));
	ck_assert_ptr_null(classifier_train(empty, 1, &err));
}
END_TEST

static void decide(const struct policy *p, const char *text,
		   struct decision *d)
{
	struct ticket_event ev;
	struct triage_input in = {.ev = &ev, .policy = p, .model = model};

	ticket_event_init(&ev);
	ev.kind = EVENT_CUSTOMER_MESSAGE;
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
	decide(&p, "how can I track my order?", &d);
	ck_assert_int_eq(d.outcome, OUTCOME_AI_DRAFT);
	ck_assert_str_eq(d.intent, "track_order");
	ck_assert_uint_eq(d.n_reasons, 0);

	p.mode = POLICY_AUTO;
	decide(&p, "how can I track my order?", &d);
	ck_assert_int_eq(d.outcome, OUTCOME_AI_REPLY);
	decide(&p, "how do I reset my password?", &d);
	ck_assert_int_eq(d.outcome, OUTCOME_AI_DRAFT);

	decide(&p, "I want a refund of my money", &d);
	ck_assert_int_eq(d.outcome, OUTCOME_HUMAN);
	ck_assert(decision_has_reason(&d, "money_sensitive"));

	p.draft_intents = invoice_only;
	decide(&p, "how do I reset my password?", &d);
	ck_assert_int_eq(d.outcome, OUTCOME_HUMAN);
	ck_assert(decision_has_reason(&d, "not_allowed"));

	p = cfg.policy;
	p.mode = POLICY_SHADOW;
	decide(&p, "how can I track my order?", &d);
	ck_assert_int_eq(d.outcome, OUTCOME_NONE);
	ck_assert_int_eq(d.would_be, OUTCOME_AI_DRAFT);

	decide(&cfg.policy, "Which wine goes well with grilled salmon?", &d);
	ck_assert_int_eq(d.outcome, OUTCOME_HUMAN);
	ck_assert(decision_has_reason(&d, "out_of_scope"));
}
END_TEST

START_TEST(store_vip_and_model)
{
	char path[] = "/tmp/dp-triage-XXXXXX";
	int fd = mkstemp(path);
	struct dp_error err;
	struct vip_rules r;
	struct classifier *back;
	store *s;

	ck_assert_int_ge(fd, 0);
	close(fd);
	unlink(path);
	s = store_open(path, &err);
	ck_assert_ptr_nonnull(s);
	ck_assert_int_eq(store_model_stamp(s), 0);
	ck_assert_ptr_null(store_model_load(s, &err));
	ck_assert_int_eq(store_vip_add(s, VIP_DOMAIN, " @BigCorp.example ", "key",
				       1000, &err), 0);
	ck_assert_int_eq(store_vip_add(s, VIP_DOMAIN, "bigcorp.example", NULL,
				       1000, &err), DP_EDUP);
	ck_assert_int_eq(store_vip_add(s, VIP_EMAIL, "not-an-address", NULL,
				       1000, &err), DP_EINVAL);
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
	ck_assert_uint_eq(classifier_intents(back), classifier_intents(model));
	classifier_free(back);
	store_close(s);
	unlink(path);
}
END_TEST

/* The targets, cross-validated on the Bitext data. */
START_TEST(eval_targets_bitext)
{
	struct eval_report rep;
	struct dp_error err;

	ck_assert_int_eq(eval_run(&bitext, &cfg.policy, NULL, NULL, 5, &rep, &err), 0);
	eval_print(&rep, stdout);
	ck_assert_uint_eq(rep.n, 3131);
	ck_assert_msg(rep.human_recall >= 0.99, "%f", rep.human_recall);
	ck_assert_msg(rep.routine_automation >= 0.85, "%f", rep.routine_automation);
	ck_assert_msg(rep.intent_accuracy >= 0.95, "%f", rep.intent_accuracy);
}
END_TEST

static void eval_file(const char *rel, const struct vip_rules *vip,
		      struct eval_report *rep)
{
	char *p = path_of(rel);
	struct eval_set set;
	struct dp_error err;

	ck_assert_msg(eval_set_load(p, &cfg.policy, &set, &err) == 0, "%s", err.msg);
	ck_assert_int_eq(eval_run(&set, &cfg.policy, vip, model, 0, rep, &err), 0);
	eval_set_release(&set);
	free(p);
}

START_TEST(eval_targets_unseen_tickets)
{
	struct eval_report rep;
	struct vip_rules vip;

	eval_file("tests/data/triage/out_of_scope.csv", NULL, &rep);
	ck_assert_uint_eq(rep.label_n[EVAL_OUT_OF_SCOPE], 40);
	ck_assert_msg(rep.out_of_scope_kept >= 0.90, "%f", rep.out_of_scope_kept);

	vip_rules_init(&vip);
	vip_rules_add(&vip, VIP_DOMAIN, "bigcorp.example");
	vip_rules_add(&vip, VIP_ORGANIZATION, "Globex Ltd");
	vip_rules_add(&vip, VIP_EMAIL, "boss@acme.example");
	eval_file("tests/data/triage/premium.csv", &vip, &rep);
	ck_assert_uint_eq(rep.label_n[EVAL_PREMIUM], 6);
	ck_assert(rep.premium_vip == 1.0);
	vip_rules_release(&vip);

	/* Near-misses in other phrasings stay automated. */
	eval_file("tests/data/triage/other_phrasings.csv", NULL, &rep);
	ck_assert_uint_eq(rep.label_n[EVAL_ROUTINE], 36);
	ck_assert_msg(rep.routine_automation >= 0.5, "%f", rep.routine_automation);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("triage_model");
	TCase *t = tcase_create("model");

	tcase_add_unchecked_fixture(t, setup, teardown);
	tcase_set_timeout(t, 120);
	tcase_add_test(t, classifier_round_trip);
	tcase_add_test(t, classifier_predicts_and_flags_unknown_topics);
	tcase_add_test(t, classifier_rejects_bad_rows);
	tcase_add_test(t, policy_modes_with_model);
	tcase_add_test(t, store_vip_and_model);
	tcase_add_test(t, eval_targets_bitext);
	tcase_add_test(t, eval_targets_unseen_tickets);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}

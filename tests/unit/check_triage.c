/*
 * check_triage.c - human cues (each with near-misses that must not fire),
 * the language guess, tier rules and the policy modes of triage_decide.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test.h"
#include "triage/cues.h"
#include "triage/lang.h"
#include "triage/triage.h"

/* ---------- cues ---------- */

static void cues_of(const char *text, struct cue_result *r)
{
	struct text_tokens *tk = malloc(sizeof(*tk));

	text_tokenize(text, tk);
	cues_find(text, tk, r);
	free(tk);
}

static void fires(enum cue c, const char *text)
{
	struct cue_result r;

	cues_of(text, &r);
	ck_assert_msg(r.fired[c], "%s should fire on '%s'", cue_code(c), text);
	ck_assert_msg(r.evidence[c][0], "no evidence for '%s'", text);
}

static void silent(enum cue c, const char *text)
{
	struct cue_result r;

	cues_of(text, &r);
	ck_assert_msg(!r.fired[c], "%s fired on '%s' (evidence '%s')",
		      cue_code(c), text, r.evidence[c]);
}

START_TEST(cue_explicit_request)
{
	struct cue_result r;

	fires(CUE_EXPLICIT_REQUEST, "Can I please talk to a human?");
	fires(CUE_EXPLICIT_REQUEST, "I WANT TO SPEAK WITH A REAL PERSON!!!");
	fires(CUE_EXPLICIT_REQUEST, "pls connect me with one of your support agents");
	fires(CUE_EXPLICIT_REQUEST, "I don't know how to reach an operator");
	fires(CUE_EXPLICIT_REQUEST, "i need to speek to a represenative");
	fires(CUE_EXPLICIT_REQUEST, "Agent!");
	fires(CUE_EXPLICIT_REQUEST, "Please escalate this ticket");
	fires(CUE_EXPLICIT_REQUEST, "Ich möchte bitte mit einem Mitarbeiter sprechen.");
	fires(CUE_EXPLICIT_REQUEST, "Je voudrais parler à un conseiller, s'il vous plaît");
	fires(CUE_EXPLICIT_REQUEST, "Quiero hablar con una persona real");
	fires(CUE_EXPLICIT_REQUEST, "Kan jag få prata med en människa?");
	cues_of("You are useless, get me a human", &r);
	ck_assert_str_eq(r.evidence[CUE_EXPLICIT_REQUEST], "get me a human");
}
END_TEST

START_TEST(cue_explicit_request_near_misses)
{
	silent(CUE_EXPLICIT_REQUEST,
	       "I don't need a human, just the tracking link");
	silent(CUE_EXPLICIT_REQUEST,
	       "No need to talk to an agent, just tell me the delivery options");
	silent(CUE_EXPLICIT_REQUEST, "Can you do it without me calling anyone?");
	silent(CUE_EXPLICIT_REQUEST, "Ich brauche keinen Mitarbeiter, nur die Rechnung");
	silent(CUE_EXPLICIT_REQUEST, "Pas besoin de parler à un conseiller, merci");
	silent(CUE_EXPLICIT_REQUEST, "Where is my order? It should have arrived.");
	silent(CUE_EXPLICIT_REQUEST, "How do I change my personal details?");
	silent(CUE_EXPLICIT_REQUEST, "What are your customer service opening hours?");
}
END_TEST

START_TEST(cue_anger)
{
	fires(CUE_ANGER, "where is my f*cking parcel, this is a fucking joke");
	fires(CUE_ANGER, "This is UNACCEPTABLE.");
	fires(CUE_ANGER, "you are all incompetent idiots");
	fires(CUE_ANGER, "I am sick and tired of waiting");
	fires(CUE_ANGER, "Das ist eine Frechheit, ich bin wütend");
	fires(CUE_ANGER, "C'est inadmissible, j'en ai marre");
	fires(CUE_ANGER, "Estoy harto de esperar, qué vergüenza");
	fires(CUE_ANGER, "Det här är helt oacceptabelt");
	fires(CUE_ANGER, "godamn thing still hasn't shipped");
	/* "agent" is one letter from a bare negation ("arent"). */
	fires(CUE_ANGER, "your agent is useless");
	fires(CUE_ANGER, "the agent was incompetent");
}
END_TEST

START_TEST(cue_anger_near_misses)
{
	silent(CUE_ANGER, "I'm not angry, I just want to know when it arrives");
	silent(CUE_ANGER, "The delivery was not terrible, thanks");
	silent(CUE_ANGER, "I placed the order this morning");
	silent(CUE_ANGER, "Hello, how can I update my address?");
	silent(CUE_ANGER, "I'm a big fan of your shop");
	silent(CUE_ANGER, "need to remove the socks from my order pls");
	/* Negations without the apostrophe, spelled right or not. */
	silent(CUE_ANGER, "i wasnt upset, just asking");
	silent(CUE_ANGER, "this dosnt upset me at all");
}
END_TEST

START_TEST(cue_complaint)
{
	fires(CUE_COMPLAINT, "I want to file a complaint about the delivery");
	fires(CUE_COMPLAINT, "I am very disappointed with your service");
	fires(CUE_COMPLAINT, "how do I lodge a claim against your company");
	fires(CUE_COMPLAINT, "Ich möchte mich beschweren");
	fires(CUE_COMPLAINT, "Je souhaite déposer une réclamation");
	fires(CUE_COMPLAINT, "Quiero poner una queja");
	fires(CUE_COMPLAINT, "Jag är missnöjd med leveransen");
	silent(CUE_COMPLAINT, "No complaints at all, I just need the invoice");
	silent(CUE_COMPLAINT, "I'm not complaining, just asking about the fee");
	silent(CUE_COMPLAINT, "Can I claim the discount code on my next order?");
}
END_TEST

START_TEST(cue_legal)
{
	fires(CUE_LEGAL, "My lawyer will hear about this");
	fires(CUE_LEGAL, "I will take you to court");
	fires(CUE_LEGAL, "I'm reporting you to the consumer protection agency");
	fires(CUE_LEGAL, "Ich schalte meinen Anwalt ein");
	fires(CUE_LEGAL, "Je vais porter plainte");
	fires(CUE_LEGAL, "Hablaré con mi abogado");
	fires(CUE_LEGAL, "Jag anmäler er till Konsumentverket");
	silent(CUE_LEGAL, "Can I count on delivery before Friday?");
	silent(CUE_LEGAL, "How do I update my account settings?");
}
END_TEST

START_TEST(cue_security)
{
	fires(CUE_SECURITY, "I got a phishing email pretending to be you");
	fires(CUE_SECURITY, "Was my data part of the breach in the news?");
	fires(CUE_SECURITY, "Ich habe eine Phishing-Mail in Ihrem Namen bekommen");
	silent(CUE_SECURITY, "How do I change my password?");
	silent(CUE_SECURITY, "Which cards do you accept for payment?");
}
END_TEST

/* The sensitive topics in everyday words, in the five languages. */
START_TEST(cue_fraud)
{
	fires(CUE_FRAUD, "There is a charge I don't recognize on my statement");
	fires(CUE_FRAUD, "Is this a scam?");
	fires(CUE_FRAUD, "someone used my card on your site, I never ordered");
	fires(CUE_FRAUD, "£40 of my money has disappeared from my account");
	fires(CUE_FRAUD, "Eine Abbuchung von 80 Euro, die ich nicht kenne, Betrug?");
	fires(CUE_FRAUD, "Un prélèvement que je ne reconnais pas sur mon compte");
	fires(CUE_FRAUD, "Creo que es una estafa");
	fires(CUE_FRAUD, "Det är bedrägeri, jag har aldrig köpt det");
	/* Said in its own sentence. */
	fires(CUE_FRAUD, "Who allowed a payment from my account to you? It wasn't me.");
	fires(CUE_FRAUD, "These orders on my account aren't mine");
	fires(CUE_FRAUD, "theres 2 charges from you i dont recognise");
	fires(CUE_FRAUD, "a payment to your company from my account? it wasnt me");
	silent(CUE_FRAUD, "Frau Müller asked me to order the sofa");
	silent(CUE_FRAUD, "Which payment methods do you accept?");
	silent(CUE_FRAUD, "I was charged the delivery fee, is that right?");
}
END_TEST

START_TEST(cue_lost_or_stolen)
{
	fires(CUE_LOST_OR_STOLEN, "someone stole my credit card and used it on your site");
	fires(CUE_LOST_OR_STOLEN, "I lost my phone with your app on it");
	fires(CUE_LOST_OR_STOLEN, "my wallet was taken on the train yesterday");
	fires(CUE_LOST_OR_STOLEN, "Mein Handy wurde gestohlen");
	fires(CUE_LOST_OR_STOLEN, "On m'a volé ma carte");
	fires(CUE_LOST_OR_STOLEN, "Perdí mi tarjeta ayer");
	fires(CUE_LOST_OR_STOLEN, "Jag har tappat mitt kort");
	silent(CUE_LOST_OR_STOLEN, "My parcel got lost in the post");
	silent(CUE_LOST_OR_STOLEN, "I have not lost my card, it just expired");
	silent(CUE_LOST_OR_STOLEN, "i didint lose my card, it expired");
	silent(CUE_LOST_OR_STOLEN, "Can I pay by card?");
}
END_TEST

START_TEST(cue_account_takeover)
{
	fires(CUE_ACCOUNT_TAKEOVER, "My account was hacked yesterday");
	fires(CUE_ACCOUNT_TAKEOVER, "Someone logged into my account and changed the address");
	fires(CUE_ACCOUNT_TAKEOVER, "My password was changed and it was not me");
	fires(CUE_ACCOUNT_TAKEOVER, "the email on my account isn't mine any more");
	fires(CUE_ACCOUNT_TAKEOVER, "Mein Konto wurde gehackt");
	fires(CUE_ACCOUNT_TAKEOVER, "Quelqu'un s'est connecté à mon compte");
	fires(CUE_ACCOUNT_TAKEOVER, "Alguien entró en mi cuenta");
	fires(CUE_ACCOUNT_TAKEOVER, "Mitt konto har kapats");
	fires(CUE_ACCOUNT_TAKEOVER,
	      "The phone number on my account was swapped for one I don't recognise.");
	silent(CUE_ACCOUNT_TAKEOVER, "How do I change my password?");
	silent(CUE_ACCOUNT_TAKEOVER, "I changed my email address, please update the invoices");
}
END_TEST

START_TEST(cue_dispute)
{
	fires(CUE_DISPUTE, "I have opened a chargeback with my bank");
	fires(CUE_DISPUTE, "I asked PayPal to reverse the payment");
	fires(CUE_DISPUTE, "Ich habe der Lastschrift widersprochen");
	fires(CUE_DISPUTE, "J'ai fait opposition auprès de ma banque");
	fires(CUE_DISPUTE, "He abierto una disputa con el banco");
	fires(CUE_DISPUTE, "Jag har bestridit köpet hos banken");
	silent(CUE_DISPUTE, "Can I pay by bank transfer?");
	silent(CUE_DISPUTE, "There is no dispute, I just need the invoice");
	fires(CUE_DISPUTE, "I want to contest the 79.00 you charged me");
	fires(CUE_DISPUTE, "The price was lower on the site, I'm raising it with my bank");
}
END_TEST

START_TEST(cue_refund_demand)
{
	fires(CUE_REFUND_DEMAND, "I want a refund for my purchase");
	fires(CUE_REFUND_DEMAND, "The kettle broke, give me my money back");
	fires(CUE_REFUND_DEMAND, "I want the delivery fee back");
	fires(CUE_REFUND_DEMAND, "Ich will mein Geld zurück");
	fires(CUE_REFUND_DEMAND, "Je veux être remboursé");
	fires(CUE_REFUND_DEMAND, "Quiero un reembolso");
	fires(CUE_REFUND_DEMAND, "Jag vill ha pengarna tillbaka");
	silent(CUE_REFUND_DEMAND, "I don't want a refund, just a replacement");
	silent(CUE_REFUND_DEMAND, "How long does a refund usually take?");
	silent(CUE_REFUND_DEMAND, "I want to know your refund policy");
	silent(CUE_REFUND_DEMAND, "when will the refund show up in my paypal");
	fires(CUE_REFUND_DEMAND, "Refund the jacket please, I sent it back on Monday");
}
END_TEST

/* ---------- words ---------- */

START_TEST(words_bare_contractions)
{
	static const char text[] = "I DIDNT order, it wasnt me; cant and wont stay";
	static const char *const want[] = {"i", "didn", "t", "order", "it",
					   "wasn", "t", "me", "cant", "and",
					   "wont", "stay"};
	struct text_tokens *tk = malloc(sizeof(*tk));

	text_tokenize(text, tk);
	ck_assert_uint_eq(tk->n, sizeof(want) / sizeof(want[0]));
	for (size_t i = 0; i < tk->n; i++) {
		ck_assert_str_eq(tk->tok[i].word, want[i]);
		ck_assert_uint_eq(tk->tok[i].len, strlen(want[i]));
	}
	/* Each part points at its own bytes of the input. */
	ck_assert_uint_eq(tk->tok[1].start, 2);
	ck_assert_uint_eq(tk->tok[1].end, 6);
	ck_assert_uint_eq(tk->tok[2].start, 6);
	ck_assert_uint_eq(tk->tok[2].end, 7);
	ck_assert(!tk->tok[2].clause);
	ck_assert(tk->tok[4].clause);
	ck_assert(tk->tok[8].sentence);
	free(tk);
}
END_TEST

/* ---------- language ---------- */

START_TEST(language_guess)
{
	static const struct {
		const char *text, *lang;
	} cases[] = {
		{"Where is my order? I would like to know when it arrives.", "en"},
		{"Ich habe meine Bestellung nicht bekommen, wo ist sie?", "de"},
		{"Bonjour, je n'ai pas reçu ma commande, pouvez-vous m'aider?", "fr"},
		{"Hola, no he recibido mi pedido, ¿dónde está?", "es"},
		{"Hej, jag har inte fått min beställning, var är den?", "sv"},
		{"Где мой заказ? Я жду уже две недели", "other"},
		{"order 12345", NULL},
		{"i wanna chk my damn invoic", NULL},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct text_tokens *tk = malloc(sizeof(*tk));
		const char *got;

		text_tokenize(cases[i].text, tk);
		got = lang_guess(tk);
		if (cases[i].lang)
			ck_assert_msg(got && strcmp(got, cases[i].lang) == 0,
				      "'%s': got %s, want %s", cases[i].text,
				      got ? got : "NULL", cases[i].lang);
		else
			ck_assert_msg(!got || strcmp(got, "en") == 0,
				      "'%s': got %s", cases[i].text, got);
		free(tk);
	}
}
END_TEST

/* ---------- tiers ---------- */

START_TEST(tier_rules)
{
	struct vip_rules r;
	struct ticket_event ev;
	char evd[REASON_EVIDENCE_MAX];
	enum vip_kind k;
	char e1[] = "boss@ACME.example", e2[] = "other@acme.example",
	     e3[] = "x@eu.BigCorp.example", e4[] = "x@notbigcorp.example",
	     org[] = " globex ltd ", t1[] = "new, platinum ,billing",
	     t2[] = "platinumplus", o1[] = "Small Shop\n GLOBEX LTD",
	     o2[] = "Small Shop\nGlobex Ltd Holdings";

	vip_rules_init(&r);
	vip_rules_add(&r, VIP_EMAIL, "Boss@Acme.example");
	vip_rules_add(&r, VIP_DOMAIN, "bigcorp.example");
	vip_rules_add(&r, VIP_ORGANIZATION, "Globex Ltd");
	vip_rules_add(&r, VIP_TAG, "Platinum");
	ticket_event_init(&ev);

	ck_assert(!tier_is_premium(&ev, &r, evd, sizeof(evd)));
	ev.customer_email = e1;
	ck_assert(tier_is_premium(&ev, &r, evd, sizeof(evd)));
	ck_assert_str_eq(evd, "rule email=Boss@Acme.example");
	ev.customer_email = e2;
	ck_assert(!tier_is_premium(&ev, &r, evd, sizeof(evd)));
	ev.customer_email = e3;
	ck_assert(tier_is_premium(&ev, &r, evd, sizeof(evd)));
	ck_assert_str_eq(evd, "rule domain=bigcorp.example");
	ev.customer_email = e4;
	ck_assert(!tier_is_premium(&ev, &r, evd, sizeof(evd)));
	ev.customer_email = NULL;
	ev.organization = org;
	ck_assert(tier_is_premium(&ev, &r, evd, sizeof(evd)));
	ev.organization = NULL;
	/* The customer's other organizations, as the enrich step read them. */
	ev.other_organizations = o1;
	ck_assert(tier_is_premium(&ev, &r, evd, sizeof(evd)));
	ck_assert_str_eq(evd, "rule organization=Globex Ltd");
	ev.other_organizations = o2;
	ck_assert(!tier_is_premium(&ev, &r, evd, sizeof(evd)));
	ev.other_organizations = NULL;
	ev.tags = t1;
	ck_assert(tier_is_premium(&ev, &r, evd, sizeof(evd)));
	ck_assert_str_eq(evd, "rule tag=Platinum");
	ev.tags = t2;
	ck_assert(!tier_is_premium(&ev, &r, evd, sizeof(evd)));
	ev.tags = NULL;
	ev.organization_vip = true;
	ck_assert(tier_is_premium(&ev, NULL, evd, sizeof(evd)));
	ck_assert_str_eq(evd, "helpdesk flag organization_vip");
	ev.organization_vip = false;
	ev.customer_vip = true;
	ck_assert(tier_is_premium(&ev, NULL, evd, sizeof(evd)));
	ck_assert_str_eq(evd, "helpdesk flag customer_vip");

	ck_assert_int_eq(vip_kind_parse("ORG", &k), 0);
	ck_assert_int_eq(k, VIP_ORGANIZATION);
	ck_assert_int_eq(vip_kind_parse("phone", &k), DP_EINVAL);
	ck_assert_int_eq(vip_value_check(VIP_EMAIL, "nobody", NULL), DP_EINVAL);
	ck_assert_int_eq(vip_value_check(VIP_DOMAIN, "@example.com", NULL), 0);
	ck_assert_int_eq(vip_value_check(VIP_DOMAIN, "a@example.com", NULL), DP_EINVAL);
	ck_assert_int_eq(vip_value_check(VIP_TAG, "", NULL), DP_EINVAL);
	vip_rules_release(&r);
}
END_TEST

/* ---------- policy modes (no model needed) ---------- */

static char all[] = "*", auto_list[] = "track_order", money[] = "get_refund",
	    explicit_list[] = "contact_human_agent", complaint_list[] = "complaint",
	    english[] = "en";

static struct policy policy(enum policy_mode mode)
{
	struct policy p = {
		.mode = mode,
		.min_confidence = 0.5,
		.min_in_scope = 0.5,
		.draft_intents = all,
		.auto_reply_intents = auto_list,
		.money_sensitive_intents = money,
		.explicit_request_intents = explicit_list,
		.complaint_intents = complaint_list,
		.max_customer_messages = 3,
		.languages = english,
	};
	return p;
}

static void decide(const struct policy *p, const char *text, bool vip,
		   const struct ticket_history *h, const struct classifier *m,
		   struct decision *d)
{
	struct ticket_event ev;
	struct triage_input in = {
		.ev = &ev,
		.policy = p,
		.history = h,
		.model = m,
	};

	ticket_event_init(&ev);
	ev.kind = EVENT_CUSTOMER_MESSAGE;
	ev.body = (char *)text;
	ev.customer_vip = vip;
	triage_decide(&in, d);
}

START_TEST(policy_without_model)
{
	struct policy p = policy(POLICY_DRAFT);
	struct ticket_history h = {.customer_messages = 5, .prior_ai = true};
	struct decision d;

	decide(&p, "where is my order", false, NULL, NULL, &d);
	ck_assert_int_eq(d.outcome, OUTCOME_HUMAN);
	ck_assert(decision_has_reason(&d, "no_model"));

	decide(&p, "I want a human, you idiots", true, NULL, NULL, &d);
	ck_assert_int_eq(d.outcome, OUTCOME_HUMAN_VIP);
	ck_assert_str_eq(d.reasons[0].code, "vip");
	ck_assert_str_eq(d.reasons[0].evidence, "helpdesk flag customer_vip");
	ck_assert(decision_has_reason(&d, "explicit_request"));
	ck_assert(decision_has_reason(&d, "anger"));

	decide(&p, "thanks", false, &h, NULL, &d);
	ck_assert(decision_has_reason(&d, "repeat_contact"));
	ck_assert(decision_has_reason(&d, "long_thread"));
	ck_assert_str_eq(d.reasons[1].evidence, "5 customer messages (limit 3)");

	decide(&p, "Hallo, ich habe eine Frage zu meiner Bestellung und der Rechnung",
	       false, NULL, NULL, &d);
	ck_assert(decision_has_reason(&d, "language"));

	p = policy(POLICY_SHADOW);
	decide(&p, "I want to talk to a person", false, NULL, NULL, &d);
	ck_assert_int_eq(d.outcome, OUTCOME_NONE);
	ck_assert_int_eq(d.would_be, OUTCOME_HUMAN);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("triage");
	TCase *t = tcase_create("core");

	tcase_add_test(t, cue_explicit_request);
	tcase_add_test(t, cue_explicit_request_near_misses);
	tcase_add_test(t, cue_anger);
	tcase_add_test(t, cue_anger_near_misses);
	tcase_add_test(t, cue_complaint);
	tcase_add_test(t, cue_legal);
	tcase_add_test(t, cue_security);
	tcase_add_test(t, cue_fraud);
	tcase_add_test(t, cue_lost_or_stolen);
	tcase_add_test(t, cue_account_takeover);
	tcase_add_test(t, cue_dispute);
	tcase_add_test(t, cue_refund_demand);
	tcase_add_test(t, words_bare_contractions);
	tcase_add_test(t, language_guess);
	tcase_add_test(t, tier_rules);
	tcase_add_test(t, policy_without_model);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	return test_main(suite());
}

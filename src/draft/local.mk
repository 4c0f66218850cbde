# draft: text cleaning, redaction, the knowledge-base and LLM drafters
src_libdeskpilot_a_SOURCES += \
	src/draft/reply.c src/draft/reply.h \
	src/draft/redact.c src/draft/redact.h \
	src/draft/llm.c src/draft/llm.h \
	src/draft/drafter.c src/draft/drafter.h \
	src/store/kb.c src/store/kb.h
# `deskpilot kb`: lives with the knowledge base it manages
src_libdeskpilot_a_SOURCES += src/cli/kb.c
# The sample knowledge base for the quick start, installed to
# $(pkgdatadir)/kb so `deskpilot kb import $(pkgdatadir)/kb` works.
kbdir = $(pkgdatadir)/kb
dist_kb_DATA = \
	examples/kb/change_order.md \
	examples/kb/change_shipping_address.md \
	examples/kb/check_invoice.md \
	examples/kb/check_payment_methods.md \
	examples/kb/check_refund_policy.md \
	examples/kb/contact_customer_service.md \
	examples/kb/create_account.md \
	examples/kb/delivery_options.md \
	examples/kb/delivery_period.md \
	examples/kb/edit_account.md \
	examples/kb/get_invoice.md \
	examples/kb/newsletter_subscription.md \
	examples/kb/payment_methods.md \
	examples/kb/place_order.md \
	examples/kb/recover_password.md \
	examples/kb/registration_problems.md \
	examples/kb/review.md \
	examples/kb/set_up_shipping_address.md \
	examples/kb/switch_account.md \
	examples/kb/track_order.md \
	examples/kb/track_order_de.md

# tests
check_PROGRAMS += tests/unit/check_clean tests/unit/check_redact \
	tests/unit/check_kb tests/unit/check_llm_validate tests/unit/check_llm
TESTS += tests/unit/check_clean tests/unit/check_redact \
	tests/unit/check_kb tests/unit/check_llm_validate tests/unit/check_llm
tests_unit_check_clean_SOURCES = tests/unit/check_clean.c
tests_unit_check_clean_CFLAGS = $(DP_TEST_CFLAGS)
tests_unit_check_clean_LDADD = $(DP_TEST_LIBS)
tests_unit_check_redact_SOURCES = tests/unit/check_redact.c
tests_unit_check_redact_CFLAGS = $(DP_TEST_CFLAGS)
tests_unit_check_redact_LDADD = $(DP_TEST_LIBS)
tests_unit_check_kb_SOURCES = tests/unit/check_kb.c
tests_unit_check_kb_CFLAGS = $(DP_IT_CFLAGS)
tests_unit_check_kb_LDADD = $(DP_IT_LIBS)
tests_unit_check_llm_validate_SOURCES = tests/unit/check_llm_validate.c
tests_unit_check_llm_validate_CFLAGS = $(DP_TEST_CFLAGS)
tests_unit_check_llm_validate_LDADD = $(DP_TEST_LIBS)
tests_unit_check_llm_SOURCES = tests/unit/check_llm.c
tests_unit_check_llm_CFLAGS = $(DP_IT_CFLAGS)
tests_unit_check_llm_LDADD = $(DP_IT_LIBS)
EXTRA_DIST += tests/fakes/fake_llm.py \
	tests/data/clean/apple_fr.expected \
	tests/data/clean/apple_fr.txt \
	tests/data/clean/bottom_post.expected \
	tests/data/clean/bottom_post.txt \
	tests/data/clean/disclaimer_tracking.expected \
	tests/data/clean/disclaimer_tracking.txt \
	tests/data/clean/forward_gmail.expected \
	tests/data/clean/forward_gmail.txt \
	tests/data/clean/gmail_en.expected \
	tests/data/clean/gmail_en.txt \
	tests/data/clean/original_message_de.expected \
	tests/data/clean/outlook_chain.expected \
	tests/data/clean/outlook_chain.txt \
	tests/data/clean/original_message_de.txt \
	tests/data/clean/outlook_de.expected \
	tests/data/clean/outlook_de.txt \
	tests/data/clean/outlook_en.expected \
	tests/data/clean/outlook_en.txt \
	tests/data/clean/sv_signoff.expected \
	tests/data/clean/sv_signoff.txt \
	tests/data/clean/thunderbird_es.expected \
	tests/data/clean/thunderbird_es.txt \
	tests/data/clean/unicode_ws.expected \
	tests/data/clean/unicode_ws.txt

# `make bench-draft`: drafting figures (built by make check, never run by it)
check_PROGRAMS += tests/bench/bench_draft
tests_bench_bench_draft_SOURCES = tests/bench/bench_draft.c
tests_bench_bench_draft_CFLAGS = $(DP_IT_CFLAGS)
tests_bench_bench_draft_LDADD = $(DP_IT_LIBS)
bench-draft: tests/bench/bench_draft
	DP_SRCDIR='$(abs_top_srcdir)' DP_PYTHON3='$(PYTHON3)' ./tests/bench/bench_draft
.PHONY: bench-draft

# tests: what every test program shares (test.h: the Check runner, temp
# files and databases), and the data and fake helpdesks the tests read.
# The programs are in unit/, integration/, plugin/, fuzz/ and bench/.
check_LIBRARIES += tests/libtest.a
tests_libtest_a_SOURCES = tests/test.c tests/test.h

# Fakes of the helpdesks and of an OpenAI-compatible model server.
EXTRA_DIST += \
	tests/fakes/fake_zammad.py \
	tests/fakes/fake_osticket.py \
	tests/fakes/fake_llm.py

# Fixtures and labelled data the tests read from the source tree.
EXTRA_DIST += \
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
	tests/data/clean/original_message_de.txt \
	tests/data/clean/outlook_chain.expected \
	tests/data/clean/outlook_chain.txt \
	tests/data/clean/outlook_de.expected \
	tests/data/clean/outlook_de.txt \
	tests/data/clean/outlook_en.expected \
	tests/data/clean/outlook_en.txt \
	tests/data/clean/sv_signoff.expected \
	tests/data/clean/sv_signoff.txt \
	tests/data/clean/thunderbird_es.expected \
	tests/data/clean/thunderbird_es.txt \
	tests/data/clean/unicode_ws.expected \
	tests/data/clean/unicode_ws.txt \
	tests/data/emails/emails.csv \
	tests/data/osticket/decision_route.json \
	tests/data/osticket/deep_nesting.json \
	tests/data/osticket/hostile_billion_laughs.xml \
	tests/data/osticket/hostile_deep_nesting.xml \
	tests/data/osticket/hostile_external_dtd.xml \
	tests/data/osticket/hostile_parameter_entity.xml \
	tests/data/osticket/hostile_xxe_file.xml \
	tests/data/osticket/message_html.json \
	tests/data/osticket/message_html.xml \
	tests/data/osticket/message_vip.json \
	tests/data/osticket/message_vip.xml \
	tests/data/osticket/plugin_event.json \
	tests/data/osticket/plugin_event.xml \
	tests/data/osticket/reply_text.json \
	tests/data/osticket/reply_text.xml \
	tests/data/triage/other_phrasings.csv \
	tests/data/triage/out_of_scope.csv \
	tests/data/triage/premium.csv \
	tests/data/zammad/README.md \
	tests/data/zammad/api-create-internal-note.request.json \
	tests/data/zammad/api-tag-add.request.json \
	tests/data/zammad/api-update-ticket.request.json \
	tests/data/zammad/signatures.txt \
	tests/data/zammad/webhook-auto-response.body \
	tests/data/zammad/webhook-custom-payload.template.json \
	tests/data/zammad/webhook-default-customer-email.body \
	tests/data/zammad/webhook-default-customer-email.json \
	tests/data/zammad/webhook-default-no-article.body \
	tests/data/zammad/webhook-default-no-article.json \
	tests/data/zammad/webhook-default-vip-customer.body \
	tests/data/zammad/webhook-default-vip-customer.json \
	tests/data/zammad/webhook-request-headers.example.txt

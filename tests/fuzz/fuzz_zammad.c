/*
 * fuzz_zammad.c - the Zammad webhook parser (connector accept), unsigned
 * so the fuzzer reaches the JSON and HTML code behind the signature check.
 */
#include "fuzz.h"

#include "config/config.h"
#include "connectors/zammad.h"

#include <stdlib.h>

static struct config cfg;
static const struct connector *conn = &zammad_connector;
static struct zammad_settings *z;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_setup();
	config_init(&cfg);
	config_helpdesk_slot(&cfg, conn)->enabled = true;
	z = config_helpdesk_slot(&cfg, conn)->settings;
	z->allow_unsigned = true;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char content_type[] = "CONTENT_TYPE=application/json; charset=utf-8";
	static char method[] = "REQUEST_METHOD=POST";
	static char delivery[] = "HTTP_X_ZAMMAD_DELIVERY=fuzz";
	static char *envp[] = {content_type, method, delivery, NULL};
	char *body = fuzz_cstring(data, size);
	struct hook_request req = {envp, body, size};
	struct ticket_event ev;
	struct dp_error err;

	ticket_event_init(&ev);
	conn->accept(z, &req, &ev, &err);
	ticket_event_release(&ev);
	free(body);
	return 0;
}

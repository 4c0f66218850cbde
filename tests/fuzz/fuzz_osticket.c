/*
 * fuzz_osticket.c - the osTicket event parser, JSON and hardened XML (the
 * part of accept behind the signature and timestamp checks). The first
 * input byte picks the format, the rest is the body.
 */
#include "fuzz.h"

#include "connectors/osticket.h"

#include <stdlib.h>

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_setup();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ticket_event ev;
	struct dp_error err;
	int64_t ts;
	char *body;

	if (size < 1)
		return 0;
	body = fuzz_cstring(data + 1, size - 1);
	ticket_event_init(&ev);
	osticket_parse(data[0] & 1 ? "application/xml" : "application/json", body,
		       size - 1, &ev, &ts, &err);
	ticket_event_release(&ev);
	free(body);
	return 0;
}

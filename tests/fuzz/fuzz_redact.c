/*
 * fuzz_redact.c - redaction before text leaves for a model, and restoring
 * the customer's data in a reply.
 */
#include "fuzz.h"

#include "draft/redact.h"

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
	char *in = fuzz_cstring(data, size);
	struct redaction r;
	char *out, *back;

	redaction_init(&r);
	out = redact_text(in, &r);
	back = redact_restore(out, &r);
	free(back);
	free(out);
	redaction_release(&r);
	free(in);
	return 0;
}

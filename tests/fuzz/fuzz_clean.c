/*
 * fuzz_clean.c - text cleaning (quoted history, signatures, Unicode).
 */
#include "fuzz.h"

#include "common/clean.h"

#include <stdlib.h>
#include <string.h>

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
	char *out = clean_text(in);

	/* The contract: never longer than the input. */
	if (strlen(out) > strlen(in))
		abort();
	free(out);
	free(in);
	return 0;
}

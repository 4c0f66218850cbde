/*
 * fuzz_common.c - shared setup for the libFuzzer targets (see fuzz.h).
 */
#include "fuzz.h"

#include "common/dp.h"
#include "common/html.h"
#include "common/log.h"

#include <string.h>

void fuzz_setup(void)
{
	html_init();
	log_set_level(LOG_ERROR);
}

char *fuzz_cstring(const uint8_t *data, size_t size)
{
	return xstrndup((const char *)data, size);
}

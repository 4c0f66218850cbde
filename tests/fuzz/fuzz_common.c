/*
 * fuzz_common.c - shared setup for the libFuzzer targets (see fuzz.h).
 */
#include "fuzz.h"

#include "common/dp.h"
#include "common/log.h"

#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <string.h>

static xmlParserInputPtr deny(const char *url, const char *id,
			      xmlParserCtxtPtr ctxt)
{
	(void)url;
	(void)id;
	(void)ctxt;
	return NULL;
}

void fuzz_setup(void)
{
	xmlInitParser();
	xmlSetExternalEntityLoader(deny);
	log_set_level(LOG_ERROR);
}

char *fuzz_cstring(const uint8_t *data, size_t size)
{
	return xstrndup((const char *)data, size);
}

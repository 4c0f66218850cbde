/*
 * xml_safe.h - parse an untrusted XML webhook body with libxml2, hardened.
 *
 * For connectors whose helpdesk speaks XML (the osTicket plugin's XML
 * form). The document may not carry a DTD at all: no internal subset, no
 * external subset, no entity declarations; a body that has one is refused
 * while it is being read, before any declaration is processed. Nothing is
 * ever loaded from the network or from files, entities are never expanded
 * (only XML's five predefined ones and character references), and size
 * and nesting depth are capped.
 *
 * The process must have called html_init (common/html.h: xmlInitParser
 * and a refusing external entity loader) before threads start;
 * src/cli/serve.c does.
 */
#ifndef DP_XML_SAFE_H
#define DP_XML_SAFE_H

#include <libxml/tree.h>
#include <stddef.h>

#include "common/dp.h"

struct xml_safe_limits {
	size_t max_bytes; /* body size cap (and never past INT_MAX) */
	int max_depth;    /* element nesting; the root is depth 1 */
};

/* Parse len bytes of body. Returns 0 and a new document in *out (free with
 * xmlFreeDoc); DP_ETOOBIG when len passes lim->max_bytes; DP_EPARSE for a
 * malformed document, a DTD or entity declaration, or nesting deeper than
 * lim->max_depth, with the reason (and line) in err. */
int xml_safe_parse(const char *body, size_t len,
		   const struct xml_safe_limits *lim, xmlDocPtr *out,
		   struct dp_error *err);

#endif

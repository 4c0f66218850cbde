/*
 * xml_safe.c - hardened libxml2 parse of untrusted XML (see xml_safe.h).
 *
 * Design: a fresh parser context per document with XML_PARSE_NONET |
 * NOERROR | NOWARNING and never NOENT, DTDLOAD, DTDATTR, DTDVALID,
 * XINCLUDE or HUGE (HUGE would switch off libxml2's own amplification
 * check). Three SAX callbacks are wrapped to stop the parser the moment a
 * DOCTYPE, an entity declaration or an element past the depth cap is seen
 * (the guard counts depth itself, as libxml2 versions differ in when they
 * update ctxt->nameNr),
 * so a "billion laughs" or XXE body is refused before its declarations are
 * even read. After the parse the tree is checked once more for a subset,
 * in case a libxml2 version reports the DOCTYPE differently.
 *
 * Invariant: on any error no document escapes; on success the document
 * has no DTD and no entity nodes other than predefined references.
 */
#include "connectors/xml_safe.h"

#include <libxml/SAX2.h>
#include <libxml/parser.h>

#include <limits.h>
#include <stdio.h>
#include <string.h>

/* Why the guard stopped the parser; lives in ctxt->_private. */
struct guard {
	int depth;
	int max_depth;
	const char *refused;
};

static void guard_stop(xmlParserCtxtPtr ctxt, const char *why)
{
	struct guard *g = ctxt->_private;

	if (!g->refused)
		g->refused = why;
	xmlStopParser(ctxt);
}

static void on_internal_subset(void *ctx, const xmlChar *name,
			       const xmlChar *external_id,
			       const xmlChar *system_id)
{
	(void)name;
	(void)external_id;
	(void)system_id;
	guard_stop(ctx, "document type declarations (DTD) are not accepted");
}

static void on_entity_decl(void *ctx, const xmlChar *name, int type,
			   const xmlChar *public_id, const xmlChar *system_id,
			   xmlChar *content)
{
	(void)name;
	(void)type;
	(void)public_id;
	(void)system_id;
	(void)content;
	guard_stop(ctx, "entity declarations are not accepted");
}

static void on_start_element(void *ctx, const xmlChar *localname,
			     const xmlChar *prefix, const xmlChar *uri,
			     int nb_namespaces, const xmlChar **namespaces,
			     int nb_attributes, int nb_defaulted,
			     const xmlChar **attributes)
{
	xmlParserCtxtPtr ctxt = ctx;
	struct guard *g = ctxt->_private;

	if (++g->depth > g->max_depth) {
		guard_stop(ctxt, "elements are nested too deeply");
		return;
	}
	xmlSAX2StartElementNs(ctx, localname, prefix, uri, nb_namespaces,
			      namespaces, nb_attributes, nb_defaulted,
			      attributes);
}

static void on_end_element(void *ctx, const xmlChar *localname,
			   const xmlChar *prefix, const xmlChar *uri)
{
	xmlParserCtxtPtr ctxt = ctx;
	struct guard *g = ctxt->_private;

	g->depth--;
	xmlSAX2EndElementNs(ctx, localname, prefix, uri);
}

int xml_safe_parse(const char *body, size_t len,
		   const struct xml_safe_limits *lim, xmlDocPtr *out,
		   struct dp_error *err)
{
	const int opts = XML_PARSE_NONET | XML_PARSE_NOERROR |
			 XML_PARSE_NOWARNING;
	struct guard g = {0, lim->max_depth, NULL};
	xmlParserCtxtPtr ctxt;
	xmlDocPtr doc;
	int rc = 0;

	*out = NULL;
	if (len > lim->max_bytes || len > INT_MAX)
		return dp_fail(err, DP_ETOOBIG,
			       "xml body of %zu bytes exceeds the limit of %zu",
			       len, lim->max_bytes);
	ctxt = xmlNewParserCtxt();
	if (!ctxt)
		return dp_fail(err, DP_EPARSE, "xml parser could not start");
	ctxt->_private = &g;
	ctxt->sax->internalSubset = on_internal_subset;
	ctxt->sax->entityDecl = on_entity_decl;
	ctxt->sax->startElementNs = on_start_element;
	ctxt->sax->endElementNs = on_end_element;

	doc = xmlCtxtReadMemory(ctxt, body, (int)len, NULL, NULL, opts);
	if (g.refused) {
		rc = dp_fail(err, DP_EPARSE, "xml refused: %s", g.refused);
	} else if (!doc || !ctxt->wellFormed) {
		const xmlError *e = xmlCtxtGetLastError(ctxt);
		char msg[160] = "not well-formed";
		size_t n;

		if (e && e->message) {
			snprintf(msg, sizeof(msg), "%s", e->message);
			n = strlen(msg);
			while (n > 0 && (msg[n - 1] == '\n' || msg[n - 1] == ' '))
				msg[--n] = '\0';
		}
		rc = dp_fail(err, DP_EPARSE, "xml is not well-formed (line %d): %s",
			     e ? e->line : 0, msg);
	} else if (doc->intSubset || doc->extSubset) {
		rc = dp_fail(err, DP_EPARSE,
			     "xml refused: document type declarations (DTD) are not accepted");
	}
	if (rc < 0)
		xmlFreeDoc(doc);
	else
		*out = doc;
	xmlFreeParserCtxt(ctxt);
	return rc;
}

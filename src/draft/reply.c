/*
 * reply.c - placeholders, language guess and the human footer (see
 * reply.h).
 *
 * The language guess counts common function words per language in the
 * first LANG_SCAN_MAX bytes; it only has to pick the footer's language and
 * the language a model should answer in, so a small table is enough.
 */
#include "draft/reply.h"

#include "common/buf.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LANG_SCAN_MAX 4096
#define LANG_WORD_MAX 16

static const struct {
	const char *code;
	const char *words; /* space-separated, with a space on each side */
	const char *footer;
} languages[] = {
	{"en", " the and is my you to of for have it not with this please can i ",
	 "If you would rather talk to a person, just reply to this message and "
	 "a member of our team will take over."},
	{"de", " der die das und ist ich nicht mit sie ein eine bitte mein meine wie habe auf zu ",
	 "Wenn Sie lieber mit einem Menschen sprechen möchten, antworten Sie "
	 "einfach auf diese Nachricht: Eine Person aus unserem Team übernimmt dann."},
	{"fr", " le la les et est je vous pas pour une des mon ma avec bonjour merci ",
	 "Si vous préférez parler à une personne, répondez simplement à ce "
	 "message : un membre de notre équipe prendra le relais."},
	{"es", " el los las y es yo no por para una mi con hola gracias que ",
	 "Si prefiere hablar con una persona, responda a este mensaje y un "
	 "miembro de nuestro equipo se encargará."},
	{"nl", " de het en is ik niet een mijn met van voor bedankt graag wij ",
	 "Wilt u liever met een medewerker spreken? Beantwoord dan dit bericht "
	 "en een collega neemt het over."},
	{"it", " il lo gli e è io non per una mio mia con grazie sono che ",
	 "Se preferisce parlare con una persona, risponda a questo messaggio e "
	 "un membro del nostro team se ne occuperà."},
	{"pt", " o os as e é eu não por para uma meu minha com obrigado olá ",
	 "Se preferir falar com uma pessoa, basta responder a esta mensagem e "
	 "um membro da nossa equipa irá ajudar."},
	{"sv", " och är jag inte en ett min mitt med för tack hej det ",
	 "Vill du hellre prata med en person? Svara bara på det här meddelandet "
	 "så tar någon i vårt team över."},
};

const char *reply_language(const char *text)
{
	size_t hits[DP_ARRAY_LEN(languages)] = {0};
	size_t best = 0;
	const unsigned char *p = (const unsigned char *)(text ? text : "");
	const unsigned char *end = p + strnlen((const char *)p, LANG_SCAN_MAX);

	while (p < end) {
		char w[LANG_WORD_MAX + 3];
		size_t n = 0;

		while (p < end && !isalpha(*p) && *p < 0x80)
			p++;
		w[0] = ' ';
		while (p < end && (isalpha(*p) || *p >= 0x80)) {
			if (n < LANG_WORD_MAX)
				w[1 + n++] = (char)tolower(*p);
			p++;
		}
		if (n == 0 || n == LANG_WORD_MAX)
			continue;
		w[1 + n] = ' ';
		w[2 + n] = '\0';
		for (size_t i = 0; i < DP_ARRAY_LEN(languages); i++)
			if (strstr(languages[i].words, w))
				hits[i]++;
	}
	for (size_t i = 1; i < DP_ARRAY_LEN(languages); i++)
		if (hits[i] > hits[best])
			best = i;
	return hits[best] >= 2 ? languages[best].code : "en";
}

const char *reply_default_footer(const char *language)
{
	for (size_t i = 0; i < DP_ARRAY_LEN(languages); i++)
		if (language && strcmp(languages[i].code, language) == 0)
			return languages[i].footer;
	return languages[0].footer;
}

/* The customer's first name: the name up to the first space. */
static char *first_name(const char *name)
{
	size_t n = strcspn(name, " ");

	return xstrndup(name, n);
}

/* The ticket's value for a placeholder as a new string, or NULL when the
 * name is unknown or the field is empty. */
static char *value_of(const char *name, const struct ticket_event *ev)
{
	const char *v = NULL;

	if (strcmp(name, "customer_first_name") == 0)
		return ev->customer_name && *ev->customer_name
			       ? first_name(ev->customer_name)
			       : NULL;
	if (strcmp(name, "customer_name") == 0)
		v = ev->customer_name;
	else if (strcmp(name, "customer_email") == 0)
		v = ev->customer_email;
	else if (strcmp(name, "ticket_number") == 0)
		v = ev->ticket_number;
	else if (strcmp(name, "ticket_title") == 0)
		v = ev->title ? ev->title : ev->subject;
	else if (strcmp(name, "organization") == 0)
		v = ev->organization;
	return v && *v ? xstrdup(v) : NULL;
}

/* Parse "{{ name }}" or "{{ name|fallback }}" at p (which starts "{{").
 * Returns the length through "}}", 0 when it is not a placeholder. */
static size_t parse_placeholder(const char *p, char name[PLACEHOLDER_NAME_MAX],
				const char **fallback, size_t *fallback_len)
{
	const char *q = p + 2, *close = strstr(p + 2, "}}");
	size_t n = 0;

	if (!close)
		return 0;
	while (*q == ' ')
		q++;
	while ((islower((unsigned char)*q) || *q == '_') && n < PLACEHOLDER_NAME_MAX - 1)
		name[n++] = *q++;
	name[n] = '\0';
	while (*q == ' ')
		q++;
	*fallback = NULL;
	*fallback_len = 0;
	if (*q == '|' && q < close) {
		*fallback = q + 1;
		*fallback_len = (size_t)(close - q - 1);
		while (*fallback_len && (*fallback)[*fallback_len - 1] == ' ')
			(*fallback_len)--;
		q = close;
	}
	if (n == 0 || q != close)
		return 0;
	return (size_t)(close - p) + 2;
}

int reply_fill(const char *tmpl, const struct ticket_event *ev,
	       bool customer_facing, size_t max, char **out,
	       char missing[PLACEHOLDER_NAME_MAX])
{
	struct buf b;
	int rc = 0;

	*out = NULL;
	buf_init(&b, max);
	for (const char *p = tmpl; *p && rc == 0;) {
		char name[PLACEHOLDER_NAME_MAX];
		const char *fallback;
		size_t fallback_len, len;
		char *v;

		if (p[0] != '{' || p[1] != '{' ||
		    !(len = parse_placeholder(p, name, &fallback, &fallback_len))) {
			rc = buf_putc(&b, *p++);
			continue;
		}
		p += len;
		v = value_of(name, ev);
		if (v)
			rc = buf_puts(&b, v);
		else if (fallback)
			rc = buf_append(&b, fallback, fallback_len);
		else if (!customer_facing)
			rc = buf_printf(&b, "[agent: fill in %s]", name);
		else {
			if (missing)
				snprintf(missing, PLACEHOLDER_NAME_MAX, "%s", name);
			rc = DP_EINVAL;
		}
		free(v);
	}
	if (rc == 0)
		*out = buf_detach(&b);
	buf_release(&b);
	return rc;
}

/*
 * redact.c - personal data out, placeholders in, and back (see redact.h).
 *
 * Design: one left-to-right scan. At each word start the detectors are
 * tried in a fixed order (labelled secrets, key-shaped tokens, e-mail,
 * IBAN, card, phone, address); the first that matches replaces its span
 * and the scan continues after it. Detectors look only at bounded windows
 * (MATCH_MAX bytes ahead, CONTEXT_BACK bytes behind), so the scan is
 * linear. Numbers are redacted only with evidence (checksum, '+', grouping
 * or a label), which is what lets order numbers, dates and prices through.
 */
#include "draft/redact.h"

#include "common/buf.h"
#include "common/dp.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MATCH_MAX 128
#define CONTEXT_BACK 24
#define SECRET_MIN_TOKEN 32

/* clang-format off */
static const char *const kind_names[] = {
	"EMAIL", "PHONE", "CARD", "IBAN", "ADDRESS", "SECRET",
};
/* clang-format on */

void redaction_init(struct redaction *r)
{
	memset(r, 0, sizeof(*r));
}

void redaction_release(struct redaction *r)
{
	for (size_t i = 0; i < r->n; i++)
		free(r->items[i].original);
	redaction_init(r);
}

bool redact_luhn_ok(const char *s, size_t n)
{
	int sum = 0, digits = 0;

	for (size_t i = n; i-- > 0;) {
		int d;

		if (!isdigit((unsigned char)s[i]))
			continue;
		d = s[i] - '0';
		if (digits++ % 2 == 1) {
			d *= 2;
			if (d > 9)
				d -= 9;
		}
		sum += d;
	}
	return digits > 0 && sum % 10 == 0;
}

bool redact_iban_ok(const char *s, size_t n)
{
	char c[40];
	size_t len = 0;
	unsigned rem = 0;

	for (size_t i = 0; i < n; i++) {
		if (s[i] == ' ')
			continue;
		if (!isalnum((unsigned char)s[i]) || len == sizeof(c))
			return false;
		c[len++] = (char)toupper((unsigned char)s[i]);
	}
	if (len < 15 || len > 34 || !isalpha((unsigned char)c[0]) ||
	    !isalpha((unsigned char)c[1]) || !isdigit((unsigned char)c[2]) ||
	    !isdigit((unsigned char)c[3]))
		return false;
	/* Move the first four characters to the end, letters as 10..35, and
	 * take the number mod 97 digit by digit. */
	for (size_t k = 0; k < len; k++) {
		char ch = c[(k + 4) % len];

		if (isdigit((unsigned char)ch))
			rem = (rem * 10 + (unsigned)(ch - '0')) % 97;
		else
			rem = (rem * 100 + (unsigned)(ch - 'A' + 10)) % 97;
	}
	return rem == 1;
}

/* ---- detectors: each returns the length of its match at p, or 0 ------ */

struct scan {
	const char *text; /* start of the whole text */
	const char *p;    /* current position, at a word start */
};

static bool word_char(char c)
{
	return isalnum((unsigned char)c) || (unsigned char)c >= 0x80;
}

/* Whether one of the words appears (case-insensitively) in the
 * CONTEXT_BACK bytes before p. */
static bool context_has(const struct scan *s, const char *const *words,
			size_t count)
{
	size_t back = (size_t)(s->p - s->text);
	const char *from = s->p - (back < CONTEXT_BACK ? back : CONTEXT_BACK);

	for (size_t i = 0; i < count; i++) {
		size_t k = strlen(words[i]);

		for (const char *q = from; q + k <= s->p; q++)
			if (strncasecmp(q, words[i], k) == 0)
				return true;
	}
	return false;
}

/* clang-format off */
static const char *const secret_labels[] = {
	"password", "passwort", "passwd", "pwd", "pin", "api key", "api_key",
	"apikey", "api-key", "token", "secret", "mot de passe", "contraseña",
	"wachtwoord", "lösenord", "kennwort",
};
/* clang-format on */

/* "password: value": the value is redacted, the label stays. Returns the
 * match length and the value's offset in *value_off. */
static size_t secret_label(const struct scan *s, size_t *value_off)
{
	for (size_t i = 0; i < DP_ARRAY_LEN(secret_labels); i++) {
		size_t k = strlen(secret_labels[i]);
		const char *q = s->p + k;
		const char *v;

		if (strncasecmp(s->p, secret_labels[i], k) != 0 || word_char(*q))
			continue;
		while (*q == ' ')
			q++;
		if (*q == ':' || *q == '=')
			q++;
		else if (strncasecmp(q, "is ", 3) == 0)
			q += 3;
		else
			continue;
		while (*q == ' ')
			q++;
		v = q;
		while (*q && !isspace((unsigned char)*q) && q - v < MATCH_MAX)
			q++;
		while (q > v && strchr(".,;!?)\"'", q[-1]))
			q--;
		if (q - v < 3)
			continue;
		*value_off = (size_t)(v - s->p);
		return (size_t)(q - s->p);
	}
	return 0;
}

/* clang-format off */
static const char *const key_prefixes[] = {
	"sk-", "sk_live_", "sk_test_", "pk_live_", "rk_live_", "ghp_", "gho_",
	"ghs_", "github_pat_", "xoxb-", "xoxp-", "AKIA", "AIza", "glpat-",
};
/* clang-format on */

/* A token shaped like an API key: a known prefix and 16+ more characters,
 * or 32+ characters mixing upper case, lower case and digits. */
static size_t key_token(const struct scan *s)
{
	size_t n = 0;
	bool up = false, low = false, dig = false;

	while (n < MATCH_MAX && (isalnum((unsigned char)s->p[n]) ||
				 s->p[n] == '_' || s->p[n] == '-'))
		n++;
	if (word_char(s->p[n]))
		return 0;
	for (size_t i = 0; i < DP_ARRAY_LEN(key_prefixes); i++) {
		size_t k = strlen(key_prefixes[i]);

		if (n >= k + 16 && strncmp(s->p, key_prefixes[i], k) == 0)
			return n;
	}
	for (size_t i = 0; i < n; i++) {
		up |= isupper((unsigned char)s->p[i]) != 0;
		low |= islower((unsigned char)s->p[i]) != 0;
		dig |= isdigit((unsigned char)s->p[i]) != 0;
	}
	return n >= SECRET_MIN_TOKEN && up && low && dig ? n : 0;
}

static size_t email(const struct scan *s)
{
	const char *p = s->p;
	size_t n = 0, dot = 0, tld = 0;

	while (n < MATCH_MAX && (isalnum((unsigned char)p[n]) || strchr("._%+-", p[n])) && p[n])
		n++;
	if (n == 0 || p[n] != '@')
		return 0;
	n++;
	for (size_t start = n; n < MATCH_MAX && (isalnum((unsigned char)p[n]) ||
						 p[n] == '-' || p[n] == '.');
	     n++)
		if (p[n] == '.' && n > start)
			dot = n;
	while (n > 0 && p[n - 1] == '.') /* a full stop ends the sentence */
		n--;
	while (dot > 0 && dot >= n)
		for (dot--; dot > 0 && p[dot] != '.'; dot--)
			;
	if (!dot || p[dot] != '.' || p[dot - 1] == '@')
		return 0;
	for (size_t i = dot + 1; i < n; i++)
		tld += isalpha((unsigned char)p[i]) != 0;
	return tld >= 2 && tld == n - dot - 1 ? n : 0;
}

static size_t iban(const struct scan *s)
{
	const char *p = s->p;
	size_t n = 0, chars = 0;
	size_t ends[40];

	if (!isupper((unsigned char)p[0]) || !isupper((unsigned char)p[1]) ||
	    !isdigit((unsigned char)p[2]) || !isdigit((unsigned char)p[3]))
		return 0;
	/* Collect upper-case letters and digits, single spaces allowed
	 * between them, remembering where each character ends. */
	while (chars < 34) {
		if (p[n] == ' ' && (isupper((unsigned char)p[n + 1]) ||
				    isdigit((unsigned char)p[n + 1])))
			n++;
		if (!isupper((unsigned char)p[n]) && !isdigit((unsigned char)p[n]))
			break;
		ends[chars++] = ++n;
	}
	/* The longest prefix that checks out is the IBAN. */
	for (size_t c = chars; c >= 15; c--)
		if (!word_char(p[ends[c - 1]]) && redact_iban_ok(p, ends[c - 1]))
			return ends[c - 1];
	return 0;
}

/* Digits with single ' ', '-', '/', '.' separators from p; counts digits
 * and groups. Returns the length (without a trailing separator). */
static size_t digit_run(const char *p, const char *seps, size_t *digits,
			size_t *groups)
{
	size_t n = 0, len = 0;

	*digits = *groups = 0;
	while (n < MATCH_MAX) {
		if (isdigit((unsigned char)p[n])) {
			if (n == 0 || !isdigit((unsigned char)p[n - 1]))
				(*groups)++;
			(*digits)++;
			len = ++n;
		} else if (p[n] && strchr(seps, p[n]) && n > 0 &&
			   isdigit((unsigned char)p[n + 1])) {
			n++;
		} else if (p[n] == ')' && n > 0 && p[n + 1] == ' ') {
			n += 1; /* "(030) 1234" */
		} else {
			break;
		}
	}
	return len;
}

/* Whether p continues a number that started earlier ("0044 0532"): the
 * tail of a longer number is not a number of its own. */
static bool inside_number(const struct scan *s)
{
	return s->p - s->text >= 2 && strchr(" -/.", s->p[-1]) &&
	       isdigit((unsigned char)s->p[-2]);
}

/* clang-format off */
static const char *const not_card_context[] = {
	"order", "invoice", "tracking", "#", "ref", "no.", "nr", "bestell",
	"commande", "pedido", "rechnung", "facture",
};
/* clang-format on */

static size_t card(const struct scan *s)
{
	size_t digits, groups;
	size_t n = digit_run(s->p, " -", &digits, &groups);

	if (digits < 13 || digits > 19 || word_char(s->p[n]) || inside_number(s) ||
	    !redact_luhn_ok(s->p, n) ||
	    context_has(s, not_card_context, DP_ARRAY_LEN(not_card_context)))
		return 0;
	return n;
}

/* clang-format off */
static const char *const phone_context[] = {
	"phone", "tel", "mobile", "cell", "call me", "whatsapp", "fax",
	"handy", "telefon", "téléphone", "teléfono", "telefone", "numéro",
	"número",
};
/* clang-format on */

/* dd.mm.yyyy, dd/mm/yy, yyyy-mm-dd and the like. */
static bool date_like(const char *p)
{
	size_t a = 0, b = 0, c = 0;

	while (isdigit((unsigned char)p[a]))
		a++;
	if (!a || !p[a] || !strchr("./-", p[a]) || !isdigit((unsigned char)p[a + 1]))
		return false;
	while (isdigit((unsigned char)p[a + 1 + b]))
		b++;
	if (p[a + 1 + b] != p[a])
		return false;
	while (isdigit((unsigned char)p[a + 2 + b + c]))
		c++;
	return b <= 2 && ((a <= 2 && (c == 2 || c == 4)) || (a == 4 && c <= 2));
}

static size_t phone(const struct scan *s)
{
	const char *p = s->p;
	size_t digits, groups, n;
	bool plus = p[0] == '+', paren = p[0] == '(';

	if (date_like(p) || inside_number(s))
		return 0;
	n = digit_run(p + plus + paren, " -/.", &digits, &groups) + plus + paren;
	if (word_char(p[n]) || digits < 7 || digits > 15)
		return 0;
	if (plus && digits >= 8)
		return n;
	if (context_has(s, phone_context, DP_ARRAY_LEN(phone_context)))
		return n;
	/* Grouped national numbers (two or three groups): 030 1234567,
	 * (030) 123-4567; and 555-123-4567. */
	if (groups >= 2 && groups <= 3 && digits >= 9 && (p[0] == '0' || paren))
		return n;
	if (groups == 3 && digits == 10 && p[3] == '-' && p[7] == '-')
		return n;
	return 0;
}

/* clang-format off */
static const char *const street_suffixes[] = {
	"Street", "St", "Avenue", "Ave", "Road", "Rd", "Lane", "Ln", "Drive",
	"Dr", "Boulevard", "Blvd", "Way", "Court", "Ct", "Place", "Pl",
	"Terrace", "Close", "Crescent", "Square",
};
static const char *const street_endings[] = {
	"straße", "strasse", "str.", "weg", "gasse", "platz", "allee", "damm",
	"ring", "ufer", "laan", "straat", "gatan", "vej",
};
static const char *const street_words[] = {
	"rue ", "avenue ", "boulevard ", "chemin ", "allée ", "impasse ",
	"calle ", "avenida ", "plaza ", "via ", "viale ", "piazza ", "rua ",
};
/* clang-format on */

/* Length of the word at p (letters, '.', '-' and non-ASCII bytes). */
static size_t word_len(const char *p)
{
	size_t n = 0;

	while (isalpha((unsigned char)p[n]) || (unsigned char)p[n] >= 0x80 ||
	       p[n] == '-')
		n++;
	return n;
}

static bool is_suffix(const char *w, size_t n)
{
	for (size_t i = 0; i < DP_ARRAY_LEN(street_suffixes); i++)
		if (strlen(street_suffixes[i]) == n &&
		    strncmp(w, street_suffixes[i], n) == 0)
			return true;
	return false;
}

/* "12 Baker Street", "12b Rue de la Paix" / "12 rue de la Paix". */
static size_t address_number_first(const char *p)
{
	size_t n = 0, words = 0;

	while (n < 5 && isdigit((unsigned char)p[n]))
		n++;
	if (n == 0 || isdigit((unsigned char)p[n]))
		return 0;
	if (isalpha((unsigned char)p[n]) && p[n + 1] == ' ')
		n++;
	if (p[n] == ',')
		n++;
	if (p[n] != ' ')
		return 0;
	n++;
	for (size_t i = 0; i < DP_ARRAY_LEN(street_words); i++) {
		size_t k = strlen(street_words[i]);

		if (strncasecmp(p + n, street_words[i], k) == 0) {
			size_t m = n + k;

			/* the name: up to four words, the last capitalised */
			for (size_t w = 0; w < 4 && word_len(p + m); w++) {
				size_t wl = word_len(p + m);

				if (isupper((unsigned char)p[m]))
					n = m + wl;
				m += wl;
				if (p[m] != ' ')
					break;
				m++;
			}
			return n > k ? n : 0;
		}
	}
	while (words < 4 && isupper((unsigned char)p[n])) {
		size_t wl = word_len(p + n);

		if (words > 0 && is_suffix(p + n, wl))
			return n + wl + (p[n + wl] == '.');
		n += wl;
		words++;
		if (p[n] != ' ')
			return 0;
		n++;
	}
	return 0;
}

/* "Hauptstraße 5", "Kirchweg 12a", "Calle Mayor 5". */
static size_t address_name_first(const char *p)
{
	size_t wl = word_len(p), n, d = 0;
	bool street = false;

	if (!wl || !isupper((unsigned char)p[0]))
		return 0;
	for (size_t i = 0; i < DP_ARRAY_LEN(street_endings); i++) {
		size_t k = strlen(street_endings[i]);
		size_t end = wl + (p[wl] == '.');

		if (end > k && strncasecmp(p + end - k, street_endings[i], k) == 0) {
			wl = end;
			street = true;
		}
	}
	n = wl;
	for (size_t i = 0; !street && i < DP_ARRAY_LEN(street_words); i++) {
		size_t k = strlen(street_words[i]);

		if (strncasecmp(p, street_words[i], k) == 0) {
			street = true;
			n = k;
			for (size_t w = 0; w < 3 && isupper((unsigned char)p[n]); w++) {
				n += word_len(p + n);
				if (p[n] == ' ' && isupper((unsigned char)p[n + 1]))
					n++;
			}
		}
	}
	if (!street || p[n] != ' ')
		return 0;
	n++;
	while (d < 4 && isdigit((unsigned char)p[n + d]))
		d++;
	if (d == 0 || isdigit((unsigned char)p[n + d]))
		return 0;
	n += d;
	if (isalpha((unsigned char)p[n]) && !word_char(p[n + 1]))
		n++;
	return word_char(p[n]) ? 0 : n;
}

/* ---- the scan -------------------------------------------------------- */

/* The placeholder for (kind, value), reusing an earlier one for the same
 * value; NULL when the table is full. */
static const char *placeholder_for(struct redaction *r, enum redact_kind kind,
				   const char *v, size_t n)
{
	size_t same_kind = 0;
	struct redaction_item *it;

	for (size_t i = 0; i < r->n; i++) {
		it = &r->items[i];
		if (it->kind != kind)
			continue;
		same_kind++;
		if (strlen(it->original) == n && memcmp(it->original, v, n) == 0)
			return it->placeholder;
	}
	if (r->n == REDACT_MAX_ITEMS)
		return NULL;
	it = &r->items[r->n++];
	it->kind = kind;
	it->original = xstrndup(v, n);
	snprintf(it->placeholder, sizeof(it->placeholder), "[%s_%zu]",
		 kind_names[kind], same_kind + 1);
	return it->placeholder;
}

/* Try every detector at s->p. Returns the match length and sets the kind
 * and the redacted value's offset and length inside the match. */
static size_t detect(const struct scan *s, enum redact_kind *kind,
		     size_t *off, size_t *len)
{
	size_t n;

	*off = 0;
	if ((n = secret_label(s, off)) > 0) {
		*kind = REDACT_SECRET;
		*len = n - *off;
		return n;
	}
	if ((n = key_token(s)) > 0)
		*kind = REDACT_SECRET;
	else if ((n = email(s)) > 0)
		*kind = REDACT_EMAIL;
	else if ((n = iban(s)) > 0)
		*kind = REDACT_IBAN;
	else if ((n = card(s)) > 0)
		*kind = REDACT_CARD;
	else if ((n = phone(s)) > 0)
		*kind = REDACT_PHONE;
	else if ((n = address_number_first(s->p)) > 0 ||
		 (n = address_name_first(s->p)) > 0)
		*kind = REDACT_ADDRESS;
	*len = n;
	return n;
}

char *redact_text(const char *text, struct redaction *r)
{
	struct buf out;
	struct scan s = {text, text};

	buf_init(&out, strlen(text) * 2 + 64);
	while (*s.p) {
		bool start = s.p == text || !word_char(s.p[-1]);
		enum redact_kind kind;
		size_t off, len, n;

		if (start && (n = detect(&s, &kind, &off, &len)) > 0) {
			const char *ph = placeholder_for(r, kind, s.p + off, len);

			buf_append(&out, s.p, off);
			buf_puts(&out, ph ? ph : "[REDACTED]");
			s.p += n;
			continue;
		}
		buf_putc(&out, *s.p++);
	}
	return buf_detach(&out);
}

/* The last four letters or digits of s, into out. */
static const char *last_four(const char *s, char out[5])
{
	size_t n = strlen(s), k = 4;

	out[4] = '\0';
	while (n > 0 && k > 0)
		if (isalnum((unsigned char)s[--n]))
			out[--k] = s[n];
	return out + k;
}

char *redact_restore(const char *reply, const struct redaction *r)
{
	struct buf out;
	const char *p = reply;

	buf_init(&out, strlen(reply) + r->n * MATCH_MAX + 64);
	while (*p) {
		const struct redaction_item *hit = NULL;
		char tail[5];

		for (size_t i = 0; *p == '[' && i < r->n; i++) {
			size_t k = strlen(r->items[i].placeholder);

			if (strncmp(p, r->items[i].placeholder, k) == 0)
				hit = &r->items[i];
		}
		if (!hit) {
			buf_putc(&out, *p++);
			continue;
		}
		p += strlen(hit->placeholder);
		switch (hit->kind) {
		case REDACT_EMAIL:
		case REDACT_PHONE:
		case REDACT_ADDRESS:
			buf_puts(&out, hit->original);
			break;
		case REDACT_CARD:
		case REDACT_IBAN:
			buf_printf(&out, "ending in %s", last_four(hit->original, tail));
			break;
		case REDACT_SECRET:
			buf_puts(&out, "(hidden)");
			break;
		}
	}
	return buf_detach(&out);
}

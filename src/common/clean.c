/*
 * clean.c - strip a customer message down to what the customer wrote this
 * time (see clean.h).
 *
 * Design: three passes over one copy of the text.
 *   1. normalise: decode UTF-8 (dropping invalid bytes), unify line ends,
 *      drop control, zero-width and bidi characters, map Unicode spaces to
 *      ' ', compose common decomposed accents. Never grows the text.
 *   2. classify lines: find where quoted history starts (reply headers in
 *      several languages, Outlook From/Sent blocks, "-----...-----"
 *      markers), drop `>` lines, mobile footers and disclaimer
 *      paragraphs, cut at the "-- " signature delimiter and at a sign-off
 *      that only a short signature follows.
 *   3. emit the kept lines: tracking parameters and image placeholders
 *      removed, long links shortened, spaces collapsed, blank lines
 *      squeezed.
 * A reply header followed by `>` lines marks an inline quote (the text
 * after it is kept: bottom posting); a reply header followed by plain text
 * is history converted from HTML, and everything from it on is cut.
 *
 * Invariant: every pass writes no more bytes than it reads, so the result
 * is never longer than the input; all matching is on whole lines of
 * bounded length, so the cost is linear in the input.
 */
#include "common/clean.h"

#include "common/buf.h"
#include "common/dp.h"
#include "common/html.h"
#include "common/utf8.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Lines longer than this are never headers, sign-offs or footers. */
#define HEADER_LINE_MAX 300
/* A sign-off may be followed by at most this many signature lines... */
#define SIGNATURE_LINES_MAX 6
/* ...each at most this long. */
#define SIGNATURE_LINE_MAX 80

/* ---- pass 1: characters ---------------------------------------------- */

/* Characters that carry nothing a reader sees: zero-width, soft hyphen,
 * byte order mark, bidi marks and embeddings (also a spoofing vector). */
static bool invisible(uint32_t cp)
{
	return cp == 0x00AD || (cp >= 0x200B && cp <= 0x200F) ||
	       (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2060 && cp <= 0x2069) ||
	       cp == 0xFEFF || (cp >= 0x80 && cp <= 0x9F);
}

static bool unicode_space(uint32_t cp)
{
	return cp == 0x00A0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200A) ||
	       cp == 0x202F || cp == 0x205F || cp == 0x3000;
}

/* Uppercase Latin letter + combining mark -> precomposed letter. The
 * lowercase forms follow from the layout of Latin-1 (+0x20) and Latin
 * Extended-A (+1), see compose(). */
static const struct {
	char base;
	uint16_t mark;
	uint16_t cp;
	/* clang-format off */
} compositions[] = {
	{'A', 0x300, 0xC0}, {'A', 0x301, 0xC1}, {'A', 0x302, 0xC2},
	{'A', 0x303, 0xC3}, {'A', 0x308, 0xC4}, {'A', 0x30A, 0xC5},
	{'C', 0x327, 0xC7}, {'E', 0x300, 0xC8}, {'E', 0x301, 0xC9},
	{'E', 0x302, 0xCA}, {'E', 0x308, 0xCB}, {'I', 0x300, 0xCC},
	{'I', 0x301, 0xCD}, {'I', 0x302, 0xCE}, {'I', 0x308, 0xCF},
	{'N', 0x303, 0xD1}, {'O', 0x300, 0xD2}, {'O', 0x301, 0xD3},
	{'O', 0x302, 0xD4}, {'O', 0x303, 0xD5}, {'O', 0x308, 0xD6},
	{'U', 0x300, 0xD9}, {'U', 0x301, 0xDA}, {'U', 0x302, 0xDB},
	{'U', 0x308, 0xDC}, {'Y', 0x301, 0xDD},
	{'C', 0x30C, 0x10C}, {'E', 0x30C, 0x11A}, {'R', 0x30C, 0x158},
	{'S', 0x30C, 0x160}, {'Z', 0x30C, 0x17D},
};
/* clang-format on */

/* The precomposed form of ASCII letter c + combining mark, or 0. */
static uint32_t compose(char c, uint32_t mark)
{
	bool lower = c >= 'a' && c <= 'z';
	char up = lower ? (char)(c - 32) : c;

	if (c == 'y' && mark == 0x308)
		return 0xFF;
	for (size_t i = 0; i < DP_ARRAY_LEN(compositions); i++) {
		if (compositions[i].base != up || compositions[i].mark != mark)
			continue;
		if (!lower)
			return compositions[i].cp;
		return compositions[i].cp < 0x100 ? compositions[i].cp + 0x20u
						  : compositions[i].cp + 1u;
	}
	return 0;
}

/* Pass 1. Returns a new string no longer than n. */
static char *normalise(const char *text, size_t n)
{
	const unsigned char *s = (const unsigned char *)text;
	char *out = xmalloc(n + 1);
	size_t o = 0;

	for (size_t i = 0; i < n;) {
		uint32_t cp;
		size_t len = utf8_decode(s + i, n - i, &cp);

		if (len == 0) { /* invalid byte: drop it */
			i++;
			continue;
		}
		i += len;
		if (cp == '\r') {
			if (i < n && s[i] == '\n')
				i++;
			out[o++] = '\n';
		} else if (cp == '\n' || cp == '\v' || cp == '\f' ||
			   cp == 0x2028 || cp == 0x2029) {
			out[o++] = '\n';
		} else if (cp == '\t' || unicode_space(cp)) {
			out[o++] = ' ';
		} else if (cp < 0x20 || cp == 0x7F || invisible(cp)) {
			continue;
		} else if (cp >= 0x300 && cp <= 0x36F && o > 0 &&
			   compose(out[o - 1], cp)) {
			/* A combining mark (2 bytes) on an ASCII letter (1 byte)
			 * becomes a 2-byte letter: no growth. */
			o += utf8_encode(compose(out[o - 1], cp), out + o - 1) - 1;
		} else {
			o += utf8_encode(cp, out + o);
		}
	}
	out[o] = '\0';
	return out;
}

/* ---- pass 2: lines --------------------------------------------------- */

struct line {
	const char *p; /* start, into the normalised text */
	size_t len;    /* without the '\n' */
	bool keep;
};

/* The line without leading and trailing spaces, and leading '*' (bold
 * markers left by HTML conversion), as a pointer and length. */
static const char *trimmed(const struct line *l, size_t *len)
{
	const char *p = l->p;
	size_t n = l->len;

	while (n && (*p == ' ' || *p == '*'))
		p++, n--;
	while (n && (p[n - 1] == ' ' || p[n - 1] == '*'))
		n--;
	*len = n;
	return p;
}

static bool blank(const struct line *l)
{
	size_t n;

	trimmed(l, &n);
	return n == 0;
}

/* Case-insensitive (ASCII) prefix test on a sized string. */
static bool starts_with(const char *p, size_t n, const char *prefix)
{
	size_t k = strlen(prefix);

	return n >= k && strncasecmp(p, prefix, k) == 0;
}

static bool starts_with_any(const char *p, size_t n, const char *const *list,
			    size_t count)
{
	for (size_t i = 0; i < count; i++)
		if (starts_with(p, n, list[i]))
			return true;
	return false;
}

/* Case-insensitive (ASCII) search for needle (not empty) in p[0..n): the
 * first letter is compared first, which rules out nearly every place. */
static bool contains(const char *p, size_t n, const char *needle)
{
	size_t k = strlen(needle);
	int first = tolower((unsigned char)needle[0]);

	for (size_t i = 0; k <= n && i <= n - k; i++)
		if (tolower((unsigned char)p[i]) == first &&
		    strncasecmp(p + i, needle, k) == 0)
			return true;
	return false;
}

static bool contains_any(const char *p, size_t n, const char *const *list,
			 size_t count)
{
	for (size_t i = 0; i < count; i++)
		if (contains(p, n, list[i]))
			return true;
	return false;
}

static bool quoted(const struct line *l)
{
	const char *p = l->p;
	size_t n = l->len;

	while (n && *p == ' ')
		p++, n--;
	return n && *p == '>';
}

/* Words that open a reply header ("On <date>, <name> wrote:"). */
/* clang-format off */
static const char *const reply_openers[] = {
	"on ", "am ", "le ", "el ", "den ", "op ", "il ", "em ", "w dniu ",
	"dne ",
};
/* The verb of a reply header, in the languages mail clients ship. */
static const char *const reply_verbs[] = {
	"wrote", "schrieb", "a écrit", "escribió", "skrev", "schreef",
	"ha scritto", "scrisse", "escreveu", "napisał", "napsal",
	"kirjoitti", "írta", "yazdı",
};
/* clang-format on */

/* Whether p[0..n) reads as a reply header: ends with ':', holds a date or
 * an address (a digit or '@'), a reply verb, and opens like one or names
 * an address. */
static bool reply_header_text(const char *p, size_t n)
{
	bool digit = false, at = false;

	if (n < 8 || n > HEADER_LINE_MAX || p[n - 1] != ':')
		return false;
	for (size_t i = 0; i < n; i++) {
		digit |= isdigit((unsigned char)p[i]) != 0;
		at |= p[i] == '@';
	}
	if (!digit && !at)
		return false;
	if (!contains_any(p, n, reply_verbs, DP_ARRAY_LEN(reply_verbs)))
		return false;
	return at || starts_with_any(p, n, reply_openers,
				     DP_ARRAY_LEN(reply_openers));
}

/* A reply header on line i, or wrapped onto line i+1. Returns the number
 * of lines it spans (0: none). */
static size_t reply_header(const struct line *lines, size_t i, size_t count)
{
	size_t n, m;
	const char *p = trimmed(&lines[i], &n);
	const char *q;
	char joined[2 * HEADER_LINE_MAX + 2];

	if (reply_header_text(p, n))
		return 1;
	if (i + 1 >= count || n == 0 || n > HEADER_LINE_MAX)
		return 0;
	q = trimmed(&lines[i + 1], &m);
	if (m == 0 || m > HEADER_LINE_MAX)
		return 0;
	memcpy(joined, p, n);
	joined[n] = ' ';
	memcpy(joined + n + 1, q, m);
	return reply_header_text(joined, n + 1 + m) ? 2 : 0;
}

/* clang-format off */
static const char *const from_labels[] = {
	"from:", "von:", "de:", "de :", "van:", "da:", "från:", "fra:",
	"od:", "lähettäjä:", "kimden:",
};
static const char *const sent_labels[] = {
	"sent:", "date:", "gesendet:", "datum:", "envoyé :", "envoyé:",
	"date :", "enviado:", "enviado el:", "fecha:", "verzonden:",
	"inviato:", "data:", "skickat:", "sendt:", "dato:", "wysłano:",
	"lähetetty:", "gönderildi:", "tarih:",
};
/* clang-format on */

/* An Outlook-style header block: a From line with a Sent/Date line among
 * the next four. */
static bool header_block(const struct line *lines, size_t i, size_t count)
{
	size_t n;
	const char *p = trimmed(&lines[i], &n);

	if (!starts_with_any(p, n, from_labels, DP_ARRAY_LEN(from_labels)))
		return false;
	for (size_t j = i + 1; j < count && j <= i + 4; j++) {
		p = trimmed(&lines[j], &n);
		if (starts_with_any(p, n, sent_labels, DP_ARRAY_LEN(sent_labels)))
			return true;
	}
	return false;
}

/* clang-format off */
static const char *const forward_openers[] = {
	"begin forwarded message", "anfang der weitergeleiteten",
	"début du message réexpédié", "inicio del mensaje reenviado",
	"begin doorgestuurd bericht", "inizio messaggio inoltrato",
};
/* clang-format on */

/* "-----Original Message-----", "---------- Forwarded message ----------",
 * "-------- Ursprüngliche Nachricht --------" and the Apple Mail forward
 * line: history starts here. */
static bool marker(const struct line *l)
{
	size_t n, letters = 0;
	const char *p = trimmed(l, &n);

	if (starts_with_any(p, n, forward_openers, DP_ARRAY_LEN(forward_openers)))
		return true;
	if (n < 10 || n > HEADER_LINE_MAX || strncmp(p, "---", 3) != 0 ||
	    strncmp(p + n - 3, "---", 3) != 0)
		return false;
	for (size_t i = 0; i < n; i++)
		letters += isalpha((unsigned char)p[i]) != 0;
	return letters >= 3;
}

/* A line of only '_', '-', '=' or '*' (Outlook's rule above a header
 * block). */
static bool separator(const struct line *l)
{
	size_t n;
	const char *p = trimmed(l, &n);

	if (n < 5)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!strchr("_-=*", p[i]))
			return false;
	return true;
}

static bool signature_delimiter(const struct line *l)
{
	return (l->len == 3 && memcmp(l->p, "-- ", 3) == 0) ||
	       (l->len == 2 && memcmp(l->p, "--", 2) == 0);
}

/* clang-format off */
static const char *const mobile_footers[] = {
	"sent from my ", "sent from mail for", "sent from outlook",
	"sent from yahoo mail", "sent with proton", "get outlook for ",
	"von meinem ", "gesendet von ", "envoyé de mon ", "envoyé depuis ",
	"enviado desde mi ", "enviado do meu ", "skickat från min ",
	"sendt fra min ", "verzonden vanaf mijn ", "verstuurd vanaf mijn ",
	"inviato da ",
};
/* clang-format on */

static bool mobile_footer(const struct line *l)
{
	size_t n;
	const char *p = trimmed(l, &n);

	return n <= SIGNATURE_LINE_MAX &&
	       starts_with_any(p, n, mobile_footers, DP_ARRAY_LEN(mobile_footers));
}

/* Phrases only legal boilerplate uses. */
/* clang-format off */
static const char *const disclaimer_phrases[] = {
	"confidentiality notice", "disclaimer:", "intended recipient",
	"intended only for", "intended solely for", "if you have received this",
	"if you are not the intended", "this e-mail and any", "this email and any",
	"this message and any", "any files transmitted with it",
	"please consider the environment before printing", "is strictly prohibited",
	"vertrauliche und/oder rechtlich", "diese e-mail enthält vertrauliche",
	"wenn sie nicht der richtige adressat", "ce message et toutes",
	"ce courriel et toutes", "destinataire prévu", "este mensaje y sus anexos",
	"destinatario previsto", "dit e-mailbericht is uitsluitend",
	"questo messaggio è destinato",
};

/* Sign-offs, lowercase; see sign_off(). */
static const char *const sign_offs[] = {
	"best regards", "kind regards", "warm regards", "regards", "best wishes",
	"best", "thanks", "thank you", "many thanks", "thanks in advance",
	"cheers", "sincerely", "yours sincerely", "yours truly", "all the best",
	"mit freundlichen grüßen", "mit freundlichen grüssen", "freundliche grüße",
	"viele grüße", "beste grüße", "liebe grüße", "grüße", "gruß", "mfg",
	"cordialement", "bien cordialement", "bien à vous", "merci", "salutations",
	"saludos", "un saludo", "atentamente", "gracias", "saludos cordiales",
	"met vriendelijke groet", "vriendelijke groeten", "groeten", "mvg",
	"med vänliga hälsningar", "vänliga hälsningar", "hälsningar", "mvh",
	"med venlig hilsen", "venlig hilsen", "med vennlig hilsen", "hilsen",
	"cordiali saluti", "distinti saluti", "saluti", "grazie",
	"atenciosamente", "abraços", "obrigado", "obrigada",
};
/* clang-format on */

/* A line that closes a letter: a sign-off phrase alone, or followed by
 * punctuation and at most three more words ("Thanks, Anna"). "Thanks for
 * the quick help" is not one. */
static bool sign_off(const struct line *l)
{
	size_t n;
	const char *p = trimmed(l, &n);

	if (n == 0 || n > SIGNATURE_LINE_MAX)
		return false;
	for (size_t i = 0; i < DP_ARRAY_LEN(sign_offs); i++) {
		size_t k = strlen(sign_offs[i]);
		size_t words = 0;
		const char *r;
		size_t rn;

		if (!starts_with(p, n, sign_offs[i]))
			continue;
		r = p + k;
		rn = n - k;
		if (rn == 0)
			return true;
		if (!strchr(",.!-:;", *r))
			continue;
		for (size_t j = 0; j < rn; j++)
			if (r[j] != ' ' && (j == 0 || r[j - 1] == ' '))
				words++;
		if (words <= 4) /* the punctuation counts as one */
			return true;
	}
	return false;
}

/* Drop the paragraph lines from the one holding a disclaimer phrase to the
 * next blank line. */
static size_t drop_disclaimer(struct line *lines, size_t i, size_t count)
{
	size_t j = i;

	while (j < count && !blank(&lines[j]))
		lines[j++].keep = false;
	return j;
}

/* Mark everything from line i on as history, and the blank and separator
 * lines just above it. */
static void cut_from(struct line *lines, size_t i, size_t count)
{
	for (size_t j = i; j < count; j++)
		lines[j].keep = false;
	while (i > 0 && (blank(&lines[i - 1]) || separator(&lines[i - 1])))
		lines[--i].keep = false;
}

/* Pass 2: decide which lines stay. */
static void classify(struct line *lines, size_t count)
{
	size_t n, kept_before;
	const char *p;

	for (size_t i = 0; i < count; i++) {
		size_t span;

		if (!lines[i].keep)
			continue;
		if (quoted(&lines[i])) {
			lines[i].keep = false;
			continue;
		}
		span = reply_header(lines, i, count);
		if (span) {
			size_t next = i + span;

			while (next < count && blank(&lines[next]))
				next++;
			if (next < count && quoted(&lines[next])) {
				for (size_t j = i; j < i + span; j++)
					lines[j].keep = false;
				i += span - 1;
				continue;
			}
			cut_from(lines, i, count);
			break;
		}
		if (marker(&lines[i]) || header_block(lines, i, count) ||
		    signature_delimiter(&lines[i])) {
			cut_from(lines, i, count);
			break;
		}
		p = trimmed(&lines[i], &n);
		if (contains_any(p, n, disclaimer_phrases,
				 DP_ARRAY_LEN(disclaimer_phrases))) {
			i = drop_disclaimer(lines, i, count);
			continue;
		}
		if (mobile_footer(&lines[i]))
			lines[i].keep = false;
	}

	/* The last sign-off that only a short signature follows ends the
	 * message, unless nothing would be left before it. */
	kept_before = 0;
	for (size_t i = 0; i < count; i++) {
		size_t after = 0;
		bool short_tail = true;

		if (!lines[i].keep || blank(&lines[i]))
			continue;
		if (kept_before > 0 && sign_off(&lines[i])) {
			for (size_t j = i + 1; j < count; j++) {
				if (!lines[j].keep || blank(&lines[j]))
					continue;
				trimmed(&lines[j], &n);
				after++;
				if (n > SIGNATURE_LINE_MAX)
					short_tail = false;
			}
			if (short_tail && after <= SIGNATURE_LINES_MAX) {
				for (size_t j = i; j < count; j++)
					lines[j].keep = false;
				break;
			}
		}
		kept_before++;
	}
}

/* ---- pass 3: words --------------------------------------------------- */

/* clang-format off */
static const char *const tracking_params[] = {
	"utm_", "fbclid=", "gclid=", "mc_cid=", "mc_eid=", "_hsenc=", "_hsmi=",
	"mkt_tok=", "trk=", "yclid=", "msclkid=", "igshid=",
};
/* clang-format on */

static bool url_char(char c)
{
	return c && !isspace((unsigned char)c) && !strchr("<>\"'[]{}", c);
}

/* Emit the URL at p (len bytes): without its query when that holds a
 * tracking parameter, and as scheme://host when still too long. */
static void put_url(struct buf *out, const char *p, size_t len)
{
	const char *q = memchr(p, '?', len);
	const char *host = strstr(p, "://") + 3;
	size_t host_len = 0;

	if (q) {
		size_t qlen = len - (size_t)(q - p);

		for (size_t i = 0; i < DP_ARRAY_LEN(tracking_params); i++) {
			if (contains(q, qlen, tracking_params[i])) {
				len = (size_t)(q - p);
				break;
			}
		}
	}
	if (len > CLEAN_MAX_URL) {
		while (host + host_len < p + len && !strchr("/?#", host[host_len]))
			host_len++;
		len = (size_t)(host - p) + host_len;
	}
	buf_append(out, p, len);
}

/* Length of a "[cid:...]" or "[image: ...]" placeholder at p, or 0. */
static size_t image_placeholder(const char *p, size_t n)
{
	const char *close;

	if (n < 2 || p[0] != '[' ||
	    !(starts_with(p + 1, n - 1, "cid:") || starts_with(p + 1, n - 1, "image:")))
		return 0;
	close = memchr(p, ']', n < HEADER_LINE_MAX ? n : HEADER_LINE_MAX);
	return close ? (size_t)(close - p) + 1 : 0;
}

/* Append one kept line: placeholders out, links tidied, spaces collapsed,
 * no leading or trailing spaces. */
static void put_line(struct buf *out, const char *p, size_t n)
{
	size_t start = out->len;
	bool space = false;

	for (size_t i = 0; i < n;) {
		size_t skip = image_placeholder(p + i, n - i);

		if (skip) {
			i += skip;
			space = true;
			continue;
		}
		if (p[i] == ' ') {
			space = true;
			i++;
			continue;
		}
		if (space && out->len > start)
			buf_putc(out, ' ');
		space = false;
		if (starts_with(p + i, n - i, "http://") ||
		    starts_with(p + i, n - i, "https://")) {
			size_t len = 0;

			while (i + len < n && url_char(p[i + len]))
				len++;
			while (len && strchr(".,;:!?)", p[i + len - 1]))
				len--;
			put_url(out, p + i, len);
			i += len;
			continue;
		}
		buf_putc(out, p[i++]);
	}
}

char *clean_text(const char *text)
{
	size_t n, count = 0, cap = 0;
	char *norm;
	struct line *lines = NULL;
	struct buf out;
	bool pending_blank = false;

	if (!text)
		return xstrdup("");
	n = strnlen(text, CLEAN_MAX_INPUT);
	norm = normalise(text, n); /* drops a character cut at the cap */

	for (const char *p = norm;;) {
		const char *nl = strchr(p, '\n');

		if (count == cap) {
			cap = cap ? cap * 2 : 64;
			lines = xrealloc(lines, cap * sizeof(*lines));
		}
		lines[count].p = p;
		lines[count].len = nl ? (size_t)(nl - p) : strlen(p);
		lines[count].keep = true;
		count++;
		if (!nl)
			break;
		p = nl + 1;
	}
	classify(lines, count);

	/* Pass 3 never writes more than it reads, so the cap is the input. */
	buf_init(&out, n);
	for (size_t i = 0; i < count; i++) {
		size_t before = out.len;

		if (!lines[i].keep)
			continue;
		if (blank(&lines[i])) {
			pending_blank = out.len > 0;
			continue;
		}
		if (out.len > 0)
			buf_puts(&out, pending_blank ? "\n\n" : "\n");
		put_line(&out, lines[i].p, lines[i].len);
		if (out.len == before + (before > 0) + (before > 0 && pending_blank)) {
			/* the line held only placeholders: take the break back */
			out.len = before;
			if (out.data)
				out.data[before] = '\0';
			continue;
		}
		pending_blank = false;
	}
	free(lines);
	free(norm);
	return buf_detach(&out);
}

char *clean_message(const char *body, bool html)
{
	char *text, *out;

	if (!html)
		return clean_text(body);
	text = html_to_text(body ? body : "", body ? strlen(body) : 0);
	out = clean_text(text);
	free(text);
	return out;
}

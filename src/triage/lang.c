/*
 * lang.c - language guess by function words (see lang.h).
 *
 * Design: each language has a short list of frequent words chosen not to
 * occur in the others' lists (after accent folding); a token counts for
 * every language whose list holds it. Non-Latin tokens (text_tokenize's
 * `foreign`) count for "other".
 */
#include "triage/lang.h"

#include "common/dp.h"

#include <string.h>

struct lang {
	const char *code;
	const char *const *words;
};

/* clang-format off */
static const char *const en[] = {
	"the", "and", "is", "are", "you", "your", "my", "i", "to", "of", "it",
	"this", "that", "with", "for", "have", "can", "how", "what", "please",
	"not", "do", "would", "want", "need", "where", "when", "was", "there",
	"from", "get", "help", "an", "be", "our", "ur", "ya", "wanna", NULL,
};
static const char *const de[] = {
	"der", "die", "das", "und", "ist", "ich", "nicht", "mit", "sie", "ein",
	"eine", "einen", "mein", "meine", "meinen", "bitte", "wie", "was",
	"haben", "kann", "mir", "mich", "auf", "fur", "zu", "den", "dem",
	"ihr", "ihre", "ihnen", "wir", "sind", "hallo", "danke", "bestellung",
	"habe", "wurde", "noch", "auch", "nach", "mochte", NULL,
};
static const char *const fr[] = {
	"le", "les", "et", "est", "je", "vous", "mon", "ma", "mes", "pas",
	"avec", "une", "des", "pour", "qui", "bonjour", "merci", "comment",
	"ai", "suis", "sur", "du", "au", "ne", "votre", "vos", "nous", "il",
	"elle", "ce", "cette", "commande", "mais", "j", "c", "qu",
	NULL,
};
static const char *const es[] = {
	"el", "los", "las", "y", "yo", "mi", "mis", "por", "para", "una",
	"como", "hola", "gracias", "quiero", "tengo", "del", "lo", "pedido",
	"su", "sus", "usted", "ustedes", "estoy", "esta", "pero", "necesito",
	"puedo", "cuenta", "cuando", "donde", "muy", NULL,
};
static const char *const sv[] = {
	"och", "att", "det", "som", "jag", "inte", "med", "har", "min", "mitt",
	"mina", "ett", "ar", "pa", "hur", "vad", "kan", "vill", "hej", "tack",
	"till", "av", "om", "ni", "er", "mig", "mej", "bestallning", "kunde", "varfor", "nar", NULL,
};
static const char *const nl[] = {
	"het", "een", "ik", "niet", "mijn", "voor", "hoe", "wat",
	"bedankt", "bestelling", "graag", "wij", "jullie", "ook", "naar",
	"dat", "heb", "kunt", "uw", NULL,
};
static const char *const it[] = {
	"il", "di", "che", "non", "mio", "mia", "sono", "ciao", "grazie",
	"vorrei", "ordine", "perche", "gli", "della", "questo", "ho", "anche",
	NULL,
};
static const char *const pt[] = {
	"os", "nao", "com", "meu", "minha", "obrigado", "obrigada", "voce",
	"pedido", "isso", "uma", "estou", "tenho", "ola", "porque", "foi",
	NULL,
};

static const struct lang langs[] = {
	{"en", en}, {"de", de}, {"fr", fr}, {"es", es},
	{"sv", sv}, {"nl", nl}, {"it", it}, {"pt", pt},
};
/* clang-format on */

#define N_LANGS DP_ARRAY_LEN(langs)
#define MIN_HITS 2

static bool in_list(const char *const *list, const char *w)
{
	for (; *list; list++)
		if ((*list)[0] == w[0] && strcmp(*list, w) == 0)
			return true;
	return false;
}

const char *lang_guess(const struct text_tokens *toks)
{
	size_t hits[N_LANGS + 1] = {0}; /* last: other scripts */
	size_t best = 0, second = 0, best_i = 0;

	for (size_t i = 0; i < toks->n; i++) {
		const struct token *t = &toks->tok[i];

		if (t->foreign) {
			hits[N_LANGS]++;
			continue;
		}
		for (size_t l = 0; l < N_LANGS; l++)
			if (in_list(langs[l].words, t->word))
				hits[l]++;
	}
	for (size_t l = 0; l <= N_LANGS; l++) {
		if (hits[l] > best) {
			second = best;
			best = hits[l];
			best_i = l;
		} else if (hits[l] > second) {
			second = hits[l];
		}
	}
	if (best < MIN_HITS || best <= 2 * second)
		return NULL;
	return best_i == N_LANGS ? "other" : langs[best_i].code;
}

/*
 * clean.h - reduce a customer message to the words the customer wrote this
 * time, before anything classifies it, searches with it or sends it to a
 * model.
 *
 * clean_text is pure (no I/O, no globals, no clock) and deterministic. It
 * works on plain text: HTML is converted by html_to_text first.
 */
#ifndef DP_CLEAN_H
#define DP_CLEAN_H

#include <stdbool.h>
#include <stddef.h>

/* Input beyond this many bytes is ignored (cut on a character boundary). */
#define CLEAN_MAX_INPUT (256u * 1024)
/* A URL longer than this is shortened to its scheme and host. */
#define CLEAN_MAX_URL 100

/* Returns a new string (caller frees; "" for NULL or empty input): text
 * without quoted history (reply headers such as "On ... wrote:" in several
 * languages, `>` lines, Outlook "From:/Sent:" blocks, "-----Original
 * Message-----" and forward markers), without the signature ("-- " and
 * what follows, sign-offs such as "Best regards," near the end, "Sent from
 * my iPhone"), without legal disclaimers and image placeholders, with
 * tracking parameters removed from links and over-long links shortened.
 * The result is valid UTF-8 (invalid bytes dropped), has "\n" line ends,
 * no zero-width or bidi control characters, common decomposed accents
 * composed (NFC for Latin letters), runs of spaces collapsed, no trailing
 * spaces, at most one blank line in a row and no leading or trailing blank
 * lines. Never longer than the input. */
char *clean_text(const char *text);

/* clean_text of a message body that is HTML when `html` is set (converted
 * by html_to_text first) and plain text otherwise. Returns a new string. */
char *clean_message(const char *body, bool html);

#endif

/*
 * config.c - the table of every config key, and the inih handler over it.
 *
 * Design: each key appears once in `keys[]` with its section, type, bounds,
 * default and where it lives in struct config. config_init feeds every
 * default through the same setter the file goes through, so the defaults
 * are validated exactly like user input and check-config prints both the
 * same way.
 */
#include "config/config.h"

#include "common/hours.h"

#include <ini.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

enum key_type {
	K_STR,    /* any string */
	K_SECRET, /* string, or read from <key>_file; masked when printed */
	K_INT,    /* integer in [min, max] */
	K_SIZE,   /* byte count with optional k/m suffix, in [min, max] */
	K_DOUBLE, /* real in [min, max] */
	K_BOOL,   /* true/false/yes/no/on/off/1/0 */
	K_CHOICE, /* one of `choices`, '|'-separated */
	K_MODE,   /* policy mode */
};

struct key {
	const char *section;
	const char *name;
	enum key_type type;
	size_t off;
	const char *def;
	double min, max;
	const char *choices;
};

#define OFF(m) offsetof(struct config, m)
#define S(sec, name, m, def)                              \
	{                                                 \
		sec, name, K_STR, OFF(m), def, 0, 0, NULL \
	}
#define SECRET(sec, name, m)                                \
	{                                                   \
		sec, name, K_SECRET, OFF(m), "", 0, 0, NULL \
	}
#define I(sec, name, m, def, lo, hi)                        \
	{                                                   \
		sec, name, K_INT, OFF(m), def, lo, hi, NULL \
	}
#define Z(sec, name, m, def, lo, hi)                         \
	{                                                    \
		sec, name, K_SIZE, OFF(m), def, lo, hi, NULL \
	}
#define D(sec, name, m, def, lo, hi)                           \
	{                                                      \
		sec, name, K_DOUBLE, OFF(m), def, lo, hi, NULL \
	}
#define B(sec, name, m, def)                               \
	{                                                  \
		sec, name, K_BOOL, OFF(m), def, 0, 0, NULL \
	}
#define C(sec, name, m, def, ch)                           \
	{                                                  \
		sec, name, K_CHOICE, OFF(m), def, 0, 0, ch \
	}

static const struct key keys[] = {
	S("server", "listen", listen, "127.0.0.1:9000"),
	S("server", "listen_mode", listen_mode, "0660"),
	S("server", "database", database, LOCALSTATEDIR "/lib/deskpilot/deskpilot.db"),
	I("server", "threads", threads, "8", 1, 256),
	Z("server", "max_body", max_body, "1m", 1024, 64 * 1024 * 1024),
	C("server", "log_level", log_level, "info", "debug|info|warn|error"),

	I("workers", "threads", worker_threads, "2", 1, 256),
	I("workers", "lease_seconds", lease_s, "60", 1, 86400),
	I("workers", "poll_ms", poll_ms, "200", 10, 60000),
	I("workers", "nice", worker_nice, "10", 0, 19),

	I("outbox", "retry_base_ms", retry_base_ms, "1000", 10, 3600000),
	I("outbox", "retry_max_ms", retry_max_ms, "300000", 10, 86400000),
	I("outbox", "max_age_seconds", max_age_s, "86400", 1, 30 * 86400),

	{"policy", "mode", K_MODE, OFF(policy.mode), "draft", 0, 0, NULL},
	D("policy", "min_confidence", policy.min_confidence, "0.5", 0, 1),
	D("policy", "min_in_scope", policy.min_in_scope, "0.5", 0, 1),
	S("policy", "draft_intents", policy.draft_intents, "*"),
	S("policy", "auto_reply_intents", policy.auto_reply_intents, ""),
	S("policy", "money_sensitive_intents", policy.money_sensitive_intents,
	  "get_refund,payment_issue,check_cancellation_fee,cancel_order,delete_account"),
	S("policy", "explicit_request_intents", policy.explicit_request_intents,
	  "contact_human_agent"),
	S("policy", "complaint_intents", policy.complaint_intents, "complaint"),
	I("policy", "max_customer_messages", policy.max_customer_messages, "3", 1, 1000),
	S("policy", "languages", policy.languages, "en"),
	B("policy", "draft_for_human", policy.draft_for_human, "true"),

	C("drafter", "backend", drafter_backend, "kb", "kb|llm"),
	D("drafter", "kb_min_score", kb_min_score, "0.3", 0, 1),
	S("drafter", "human_footer", human_footer, ""),

	S("llm", "endpoint", llm_endpoint, "http://127.0.0.1:11434/v1/chat/completions"),
	S("llm", "model", llm_model, "llama3.2"),
	SECRET("llm", "api_key", llm_api_key),
	D("llm", "temperature", llm_temperature, "0.2", 0, 2),
	I("llm", "max_tokens", llm_max_tokens, "600", 16, 32768),
	I("llm", "connect_timeout_ms", llm_connect_timeout_ms, "2000", 100, 60000),
	I("llm", "timeout_ms", llm_timeout_ms, "30000", 100, 600000),
	I("llm", "max_in_flight", llm_max_in_flight, "4", 1, 256),
	I("llm", "retries", llm_retries, "2", 0, 10),

	I("privacy", "retention_days", retention_days, "30", 1, 3650),

	D("sla", "vip_sla_minutes", vip_sla_minutes, "60", 0, 43200),
	S("sla", "business_hours", business_hours, ""),
	I("sla", "utc_offset_minutes", utc_offset_minutes, "0", -840, 840),

	I("quality", "acceptance_window", acceptance_window, "20", 1, 1000),
	D("quality", "acceptance_min", acceptance_min, "0.3", 0, 1),

	D("stats", "minutes_per_human_ticket", minutes_per_human_ticket, "11", 0, 1440),
	D("stats", "minutes_per_ai_draft", minutes_per_ai_draft, "4", 0, 1440),

	S("zammad", "url", zammad.url, ""),
	SECRET("zammad", "token", zammad.token),
	SECRET("zammad", "webhook_secret", zammad.webhook_secret),
	B("zammad", "allow_unsigned", zammad.allow_unsigned, "false"),
	SECRET("zammad", "auth_bearer", zammad.auth_bearer),
	S("zammad", "auth_basic_user", zammad.auth_basic_user, ""),
	SECRET("zammad", "auth_basic_password", zammad.auth_basic_password),
	B("zammad", "verify_tls", zammad.verify_tls, "true"),
	I("zammad", "connect_timeout_ms", zammad.connect_timeout_ms, "3000", 100, 60000),
	I("zammad", "timeout_ms", zammad.timeout_ms, "10000", 100, 600000),
	S("zammad", "vip_group", zammad.vip_group, "VIP"),
	S("zammad", "vip_priority", zammad.vip_priority, "3 high"),
	S("zammad", "urgent_priority", zammad.urgent_priority, "3 high"),
	S("zammad", "tag_vip", zammad.tag_vip, "vip"),
	S("zammad", "tag_human_only", zammad.tag_human_only, "human-only"),
	S("zammad", "tag_needs_human", zammad.tag_needs_human, "needs-human"),
	S("zammad", "tag_ai_draft", zammad.tag_ai_draft, "ai-draft"),
	S("zammad", "tag_ai_replied", zammad.tag_ai_replied, "ai-replied"),
	S("zammad", "tag_opt_out", zammad.tag_opt_out, "ai-skip"),
	S("zammad", "api_user", zammad.api_user, ""),

	S("osticket", "url", osticket.url, ""),
	SECRET("osticket", "api_key", osticket.api_key),
	SECRET("osticket", "webhook_secret", osticket.webhook_secret),
	B("osticket", "allow_unsigned", osticket.allow_unsigned, "false"),
	I("osticket", "timestamp_window_seconds", osticket.timestamp_window_s, "300", 1, 86400),
	B("osticket", "verify_tls", osticket.verify_tls, "true"),
	I("osticket", "connect_timeout_ms", osticket.connect_timeout_ms, "3000", 100, 60000),
	I("osticket", "timeout_ms", osticket.timeout_ms, "10000", 100, 600000),
	S("osticket", "vip_team", osticket.vip_team, "VIP"),
	S("osticket", "vip_dept", osticket.vip_dept, ""),
	S("osticket", "vip_priority", osticket.vip_priority, "high"),
	S("osticket", "urgent_priority", osticket.urgent_priority, "emergency"),
};

/* Keys a former version read: naming them says what replaced them. */
static const struct {
	const char *section, *name, *instead;
} retired[] = {
	{"policy", "min_similarity",
	 "out-of-scope detection is learned now; use min_in_scope"},
};

#define SECRET_FILE_MAX 4096

#define FIELD(cfg, k, T) ((T *)((char *)(cfg) + (k)->off))
#define CFIELD(cfg, k, T) ((const T *)((const char *)(cfg) + (k)->off))

static const struct key *find_key(const char *section, const char *name)
{
	for (size_t i = 0; i < DP_ARRAY_LEN(keys); i++)
		if (strcmp(keys[i].section, section) == 0 &&
		    strcmp(keys[i].name, name) == 0)
			return &keys[i];
	return NULL;
}

static bool section_known(const char *section)
{
	for (size_t i = 0; i < DP_ARRAY_LEN(keys); i++)
		if (strcmp(keys[i].section, section) == 0)
			return true;
	return false;
}

static int parse_size(const char *v, double min, double max, size_t *out)
{
	char *end;
	unsigned long long n;
	unsigned long long mul = 1;

	if (!isdigit((unsigned char)*v))
		return DP_EINVAL;
	errno = 0;
	n = strtoull(v, &end, 10);
	if (errno)
		return DP_EINVAL;
	if (*end == 'k' || *end == 'K')
		mul = 1024, end++;
	else if (*end == 'm' || *end == 'M')
		mul = 1024 * 1024, end++;
	if (*end || n > (unsigned long long)max / mul || n * mul < min)
		return DP_EINVAL;
	*out = (size_t)(n * mul);
	return 0;
}

static bool choice_ok(const char *choices, const char *v)
{
	size_t n = strlen(v);
	const char *p = choices;

	while (p) {
		const char *bar = strchr(p, '|');
		size_t len = bar ? (size_t)(bar - p) : strlen(p);

		if (len == n && strncmp(p, v, n) == 0)
			return true;
		p = bar ? bar + 1 : NULL;
	}
	return false;
}

/* Read a secret file: must exist, be readable, not be world-readable and be
 * small; the trailing newline is dropped. Returns a new string or NULL. */
static char *read_secret_file(const char *path, struct dp_error *err)
{
	struct stat st;
	char buf[SECRET_FILE_MAX + 1];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		dp_fail(err, DP_EIO, "cannot read secret file '%s': %s", path,
			strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		dp_fail(err, DP_EIO, "secret file '%s' is not a regular file", path);
		goto fail;
	}
	if (st.st_mode & S_IROTH) {
		dp_fail(err, DP_EINVAL,
			"secret file '%s' is world-readable (chmod o-r it)", path);
		goto fail;
	}
	n = read(fd, buf, sizeof(buf));
	if (n < 0 || n > SECRET_FILE_MAX) {
		dp_fail(err, DP_EIO, "cannot read secret file '%s': %s", path,
			n < 0 ? strerror(errno) : "larger than 4 KiB");
		goto fail;
	}
	close(fd);
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
		n--;
	return xstrndup(buf, (size_t)n);
fail:
	close(fd);
	return NULL;
}

/* Set one key from its text form; the message names the key, not the place
 * (the caller adds file and line). */
static int set_key(struct config *cfg, const struct key *k, const char *v,
		   struct dp_error *err)
{
	long long ll;
	double d;
	char *end;
	bool b;

	switch (k->type) {
	case K_STR:
	case K_SECRET:
		free(*FIELD(cfg, k, char *));
		*FIELD(cfg, k, char *) = xstrdup(v);
		return 0;
	case K_INT:
		if (dp_parse_ll(v, (long long)k->min, (long long)k->max, &ll) < 0)
			return dp_fail(err, DP_EINVAL,
				       "'%s' must be an integer from %.0f to %.0f, not '%s'",
				       k->name, k->min, k->max, v);
		*FIELD(cfg, k, int) = (int)ll;
		return 0;
	case K_SIZE:
		if (parse_size(v, k->min, k->max, FIELD(cfg, k, size_t)) < 0)
			return dp_fail(err, DP_EINVAL,
				       "'%s' must be a size (e.g. 512k, 1m) from %.0f to %.0f bytes, not '%s'",
				       k->name, k->min, k->max, v);
		return 0;
	case K_DOUBLE:
		errno = 0;
		d = strtod(v, &end);
		if (!*v || *end || errno || !isfinite(d) || d < k->min || d > k->max)
			return dp_fail(err, DP_EINVAL,
				       "'%s' must be a number from %g to %g, not '%s'",
				       k->name, k->min, k->max, v);
		*FIELD(cfg, k, double) = d;
		return 0;
	case K_BOOL:
		if (dp_parse_bool(v, &b) < 0)
			return dp_fail(err, DP_EINVAL,
				       "'%s' must be true or false, not '%s'",
				       k->name, v);
		*FIELD(cfg, k, bool) = b;
		return 0;
	case K_CHOICE:
		if (!choice_ok(k->choices, v))
			return dp_fail(err, DP_EINVAL, "'%s' must be one of %s, not '%s'",
				       k->name, k->choices, v);
		free(*FIELD(cfg, k, char *));
		*FIELD(cfg, k, char *) = xstrdup(v);
		return 0;
	case K_MODE:
		if (policy_mode_parse(v, FIELD(cfg, k, enum policy_mode)) < 0)
			return dp_fail(err, DP_EINVAL,
				       "'%s' must be one of shadow|draft|auto, not '%s'",
				       k->name, v);
		return 0;
	}
	return DP_EINVAL;
}

void config_init(struct config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->path = xstrdup("(defaults)");
	for (size_t i = 0; i < DP_ARRAY_LEN(keys); i++)
		if (set_key(cfg, &keys[i], keys[i].def, NULL) < 0)
			abort(); /* a default that fails its own check is a bug */
}

void config_release(struct config *cfg)
{
	for (size_t i = 0; i < DP_ARRAY_LEN(keys); i++) {
		const struct key *k = &keys[i];

		if (k->type == K_STR || k->type == K_SECRET || k->type == K_CHOICE)
			free(*FIELD(cfg, k, char *));
	}
	free(cfg->path);
	memset(cfg, 0, sizeof(*cfg));
}

struct load_state {
	struct config *cfg;
	struct dp_error *err;
	bool failed; /* keep only the first error: it matches ini_parse's line */
};

static int handler(void *user, const char *section, const char *name,
		   const char *value)
{
	struct load_state *st = user;
	const struct key *k;
	size_t n = strlen(name);
	char *secret;
	char *base;
	struct dp_error tmp;
	int rc;

	if (st->failed)
		return 0;
	if (!section_known(section)) {
		dp_fail(st->err, DP_EINVAL, "unknown section [%s]", section);
		goto fail;
	}
	if (strcmp(section, "zammad") == 0)
		st->cfg->zammad.enabled = true;
	if (strcmp(section, "osticket") == 0)
		st->cfg->osticket.enabled = true;
	k = find_key(section, name);
	if (!k && n > 5 && strcmp(name + n - 5, "_file") == 0) {
		base = xstrndup(name, n - 5);
		k = find_key(section, base);
		free(base);
		if (!k || k->type != K_SECRET)
			goto unknown;
		secret = read_secret_file(value, &tmp);
		if (!secret) {
			dp_fail(st->err, DP_EINVAL, "'%s': %s", name, tmp.msg);
			goto fail;
		}
		free(*FIELD(st->cfg, k, char *));
		*FIELD(st->cfg, k, char *) = secret;
		return 1;
	}
	if (!k)
		goto unknown;
	rc = set_key(st->cfg, k, value, st->err);
	if (rc < 0)
		goto fail;
	return 1;
unknown:
	for (size_t i = 0; i < DP_ARRAY_LEN(retired); i++) {
		if (strcmp(retired[i].section, section) == 0 &&
		    strcmp(retired[i].name, name) == 0) {
			dp_fail(st->err, DP_EINVAL, "'%s' in [%s] is no longer read: %s",
				name, section, retired[i].instead);
			goto fail;
		}
	}
	dp_fail(st->err, DP_EINVAL, "unknown key '%s' in [%s]", name, section);
fail:
	st->failed = true;
	return 0;
}

static bool listen_ok(const char *l)
{
	const char *colon;
	long long port;

	if (strncmp(l, "unix:/", 6) == 0)
		return strlen(l + 5) < 108;
	if (strcmp(l, "fd:0") == 0)
		return true;
	colon = strrchr(l, ':');
	return colon && colon != l &&
	       dp_parse_ll(colon + 1, 1, 65535, &port) == 0;
}

/* Checks that span keys; they have no single line, so they name the file,
 * the section and the key. */
static int validate(const struct config *cfg, struct dp_error *err)
{
	struct dp_error tmp;
	const char *p = cfg->path;
	long long mode;
	char *end;

	if (!listen_ok(cfg->listen))
		return dp_fail(err, DP_EINVAL,
			       "%s: [server] 'listen' must be unix:/path, host:port or fd:0, not '%s'",
			       p, cfg->listen);
	mode = strtoll(cfg->listen_mode, &end, 8);
	if (*end || !*cfg->listen_mode || mode < 0 || mode > 0777)
		return dp_fail(err, DP_EINVAL,
			       "%s: [server] 'listen_mode' must be an octal mode like 0660, not '%s'",
			       p, cfg->listen_mode);
	if (!*cfg->database)
		return dp_fail(err, DP_EINVAL, "%s: [server] 'database' is empty", p);
	if (cfg->retry_max_ms < cfg->retry_base_ms)
		return dp_fail(err, DP_EINVAL,
			       "%s: [outbox] 'retry_max_ms' is below 'retry_base_ms'", p);
	if (hours_parse(cfg->business_hours, cfg->utc_offset_minutes,
			NULL, &tmp) < 0)
		return dp_fail(err, DP_EINVAL, "%s: [sla] 'business_hours' %s", p,
			       tmp.msg);
	if (cfg->zammad.enabled) {
		if (!*cfg->zammad.webhook_secret && !cfg->zammad.allow_unsigned)
			return dp_fail(err, DP_EINVAL,
				       "%s: [zammad] 'webhook_secret' is required (or set allow_unsigned = true)",
				       p);
		if (!*cfg->zammad.url)
			return dp_fail(err, DP_EINVAL, "%s: [zammad] 'url' is required", p);
		if (strncmp(cfg->zammad.url, "http://", 7) != 0 &&
		    strncmp(cfg->zammad.url, "https://", 8) != 0)
			return dp_fail(err, DP_EINVAL,
				       "%s: [zammad] 'url' must start with http:// or https://", p);
	}
	if (cfg->osticket.enabled) {
		if (!*cfg->osticket.webhook_secret && !cfg->osticket.allow_unsigned)
			return dp_fail(err, DP_EINVAL,
				       "%s: [osticket] 'webhook_secret' is required (or set allow_unsigned = true)",
				       p);
		if (!*cfg->osticket.url)
			return dp_fail(err, DP_EINVAL, "%s: [osticket] 'url' is required", p);
	}
	return 0;
}

int config_load(struct config *cfg, const char *path, struct dp_error *err)
{
	struct load_state st = {cfg, err, false};
	struct dp_error tmp = {{0}};
	FILE *f;
	int line;

	free(cfg->path);
	cfg->path = xstrdup(path);
	f = fopen(path, "re");
	if (!f)
		return dp_fail(err, DP_EIO, "cannot open config '%s': %s", path,
			       strerror(errno));
	st.err = &tmp;
	line = ini_parse_file(f, handler, &st);
	fclose(f);
	if (line != 0) {
		if (!st.failed) /* a syntax error inih found itself */
			snprintf(tmp.msg, sizeof(tmp.msg),
				 "syntax error (expected 'key = value' or '[section]')");
		return dp_fail(err, DP_EINVAL, "%s:%d: %s", path, line, tmp.msg);
	}
	return validate(cfg, err);
}

static void print_value(const struct config *cfg, const struct key *k, FILE *out)
{
	const char *s;

	switch (k->type) {
	case K_STR:
	case K_CHOICE:
		fprintf(out, "%s = %s\n", k->name, *CFIELD(cfg, k, char *));
		break;
	case K_SECRET:
		s = *CFIELD(cfg, k, char *);
		fprintf(out, "%s = %s\n", k->name, *s ? "********" : "");
		break;
	case K_INT:
		fprintf(out, "%s = %d\n", k->name, *CFIELD(cfg, k, int));
		break;
	case K_SIZE:
		fprintf(out, "%s = %zu\n", k->name, *CFIELD(cfg, k, size_t));
		break;
	case K_DOUBLE:
		fprintf(out, "%s = %g\n", k->name, *CFIELD(cfg, k, double));
		break;
	case K_BOOL:
		fprintf(out, "%s = %s\n", k->name,
			*CFIELD(cfg, k, bool) ? "true" : "false");
		break;
	case K_MODE:
		fprintf(out, "%s = %s\n", k->name,
			policy_mode_name(*CFIELD(cfg, k, enum policy_mode)));
		break;
	}
}

void config_print(const struct config *cfg, FILE *out)
{
	const char *section = "";

	fprintf(out, "# effective configuration from %s (secrets masked)\n",
		cfg->path);
	for (size_t i = 0; i < DP_ARRAY_LEN(keys); i++) {
		const struct key *k = &keys[i];

		if ((strcmp(k->section, "zammad") == 0 && !cfg->zammad.enabled) ||
		    (strcmp(k->section, "osticket") == 0 && !cfg->osticket.enabled))
			continue;
		if (strcmp(section, k->section) != 0) {
			section = k->section;
			fprintf(out, "\n[%s]\n", section);
		}
		print_value(cfg, k, out);
	}
	if (!cfg->zammad.enabled)
		fprintf(out, "\n# [zammad] absent: POST /hooks/zammad answers 404\n");
	if (!cfg->osticket.enabled)
		fprintf(out, "# [osticket] absent: POST /hooks/osticket answers 404\n");
}

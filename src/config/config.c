/*
 * config.c - deskpilot's own sections, and the inih handler over them and
 * the helpdesks' sections.
 *
 * Design: each of deskpilot's keys appears once in its section's table
 * with its type, bounds, default and where it lives in struct config; each
 * helpdesk's section is its connector's table (connector->section) over
 * the connector's settings struct. Both go through the same generic code
 * (common/settings.h) for defaults, parsing, checks and printing.
 */
#include "config/config.h"

#include "common/hours.h"
#include "common/settings.h"
#include "connectors/connector.h"

#include <ini.h>

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define S(name, m, def) SETTING_S(struct config, name, m, def)
#define SECRET(name, m) SETTING_SECRET(struct config, name, m)
#define I(name, m, def, lo, hi) SETTING_I(struct config, name, m, def, lo, hi)
#define Z(name, m, def, lo, hi) SETTING_Z(struct config, name, m, def, lo, hi)
#define D(name, m, def, lo, hi) SETTING_D(struct config, name, m, def, lo, hi)
#define B(name, m, def) SETTING_B(struct config, name, m, def)
#define C(name, m, def, ch) SETTING_C(struct config, name, m, def, ch)

static const struct setting server_keys[] = {
	S("listen", listen, "127.0.0.1:9000"),
	S("listen_mode", listen_mode, "0660"),
	S("database", database, LOCALSTATEDIR "/lib/deskpilot/deskpilot.db"),
	I("threads", threads, "8", 1, 256),
	Z("max_body", max_body, "1m", 1024, 64 * 1024 * 1024),
	C("log_level", log_level, "info", "debug|info|warn|error"),
};

static const struct setting workers_keys[] = {
	I("threads", worker_threads, "2", 1, 256),
	I("lease_seconds", lease_s, "60", 1, 86400),
	I("poll_ms", poll_ms, "200", 10, 60000),
	I("nice", worker_nice, "10", 0, 19),
};

static const struct setting outbox_keys[] = {
	I("max_in_flight", outbox_in_flight, "4", 1, 64),
	I("retry_base_ms", retry_base_ms, "1000", 10, 3600000),
	I("retry_max_ms", retry_max_ms, "300000", 10, 86400000),
	I("max_age_seconds", max_age_s, "86400", 1, 30 * 86400),
};

static const struct setting policy_keys[] = {
	/* The choices in the order of enum policy_mode. */
	SETTING_E(struct config, "mode", policy.mode, "draft", "shadow|draft|auto"),
	D("min_confidence", policy.min_confidence, "0.5", 0, 1),
	D("min_in_scope", policy.min_in_scope, "0.5", 0, 1),
	S("draft_intents", policy.draft_intents, "*"),
	S("auto_reply_intents", policy.auto_reply_intents, ""),
	S("money_sensitive_intents", policy.money_sensitive_intents,
	  "get_refund,payment_issue,check_cancellation_fee,cancel_order,delete_account"),
	S("explicit_request_intents", policy.explicit_request_intents,
	  "contact_human_agent"),
	S("complaint_intents", policy.complaint_intents, "complaint"),
	I("max_customer_messages", policy.max_customer_messages, "3", 1, 1000),
	S("languages", policy.languages, "en"),
	B("draft_for_human", policy.draft_for_human, "true"),
};

static const struct setting drafter_keys[] = {
	C("backend", drafter_backend, "kb", "kb|llm"),
	D("kb_min_score", kb_min_score, "0.3", 0, 1),
	S("human_footer", human_footer, ""),
};

static const struct setting llm_keys[] = {
	S("endpoint", llm_endpoint, "http://127.0.0.1:11434/v1/chat/completions"),
	S("model", llm_model, "llama3.2"),
	SECRET("api_key", llm_api_key),
	D("temperature", llm_temperature, "0.2", 0, 2),
	I("max_tokens", llm_max_tokens, "600", 16, 32768),
	I("connect_timeout_ms", llm_connect_timeout_ms, "2000", 100, 60000),
	I("timeout_ms", llm_timeout_ms, "30000", 100, 600000),
	I("max_in_flight", llm_max_in_flight, "4", 1, 256),
	I("retries", llm_retries, "2", 0, 10),
};

static const struct setting privacy_keys[] = {
	I("retention_days", retention_days, "30", 1, 3650),
};

static const struct setting sla_keys[] = {
	D("vip_sla_minutes", vip_sla_minutes, "60", 0, 43200),
	S("business_hours", business_hours, ""),
	I("utc_offset_minutes", utc_offset_minutes, "0", -840, 840),
};

static const struct setting quality_keys[] = {
	I("acceptance_window", acceptance_window, "20", 1, 1000),
	D("acceptance_min", acceptance_min, "0.3", 0, 1),
};

static const struct setting stats_keys[] = {
	D("minutes_per_human_ticket", minutes_per_human_ticket, "11", 0, 1440),
	D("minutes_per_ai_draft", minutes_per_ai_draft, "4", 0, 1440),
};

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

static int server_validate(const void *values, struct dp_error *err)
{
	const struct config *cfg = values;
	long long mode;
	char *end;

	if (!listen_ok(cfg->listen))
		return dp_fail(err, DP_EINVAL,
			       "'listen' must be unix:/path, host:port or fd:0, not '%s'",
			       cfg->listen);
	mode = strtoll(cfg->listen_mode, &end, 8);
	if (*end || !*cfg->listen_mode || mode < 0 || mode > 0777)
		return dp_fail(err, DP_EINVAL,
			       "'listen_mode' must be an octal mode like 0660, not '%s'",
			       cfg->listen_mode);
	if (!*cfg->database)
		return dp_fail(err, DP_EINVAL, "'database' is empty");
	return 0;
}

static int outbox_validate(const void *values, struct dp_error *err)
{
	const struct config *cfg = values;

	if (cfg->retry_max_ms < cfg->retry_base_ms)
		return dp_fail(err, DP_EINVAL,
			       "'retry_max_ms' is below 'retry_base_ms'");
	return 0;
}

static int sla_validate(const void *values, struct dp_error *err)
{
	const struct config *cfg = values;
	struct dp_error why;

	if (hours_parse(cfg->business_hours, cfg->utc_offset_minutes, NULL,
			&why) < 0)
		return dp_fail(err, DP_EINVAL, "'business_hours' %s", why.msg);
	return 0;
}

#define SECTION(name, validate)                                         \
	{                                                               \
#name, name##_keys, DP_ARRAY_LEN(name##_keys), validate \
	}

/* deskpilot's own sections, in the order check-config prints them; the
 * helpdesks' sections follow, in the connector table's order. */
static const struct settings_section sections[] = {
	SECTION(server, server_validate),
	SECTION(workers, NULL),
	SECTION(outbox, outbox_validate),
	SECTION(policy, NULL),
	SECTION(drafter, NULL),
	SECTION(llm, NULL),
	SECTION(privacy, NULL),
	SECTION(sla, sla_validate),
	SECTION(quality, NULL),
	SECTION(stats, NULL),
};

/* Keys a former version read: naming them says what replaced them. */
static const struct {
	const char *section, *name, *instead;
} retired[] = {
	{"policy", "min_similarity",
	 "out-of-scope detection is learned now; use min_in_scope"},
};

#define SECRET_FILE_MAX 4096

/* One section as the file names it: its table and the struct it fills. */
struct place {
	const struct settings_section *sec;
	void *values;
	struct config_helpdesk *helpdesk; /* NULL for deskpilot's own */
};

/* Section i of all there are (deskpilot's own, then the helpdesks'); false
 * past the end. */
static bool place_at(const struct config *cfg, size_t i, struct place *out)
{
	const struct connector *conn;

	if (i < DP_ARRAY_LEN(sections)) {
		*out = (struct place){&sections[i], (void *)cfg, NULL};
		return true;
	}
	i -= DP_ARRAY_LEN(sections);
	conn = connector_at(i);
	if (!conn)
		return false;
	*out = (struct place){&conn->section, cfg->helpdesks[i].settings,
			      (struct config_helpdesk *)&cfg->helpdesks[i]};
	return true;
}

static bool place_find(const struct config *cfg, const char *name,
		       struct place *out)
{
	for (size_t i = 0; place_at(cfg, i, out); i++)
		if (strcmp(out->sec->name, name) == 0)
			return true;
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

void config_init(struct config *cfg)
{
	struct place pl;

	memset(cfg, 0, sizeof(*cfg));
	cfg->path = xstrdup("(defaults)");
	for (size_t i = 0; connector_at(i); i++) {
		assert(i < CONFIG_MAX_HELPDESKS);
		cfg->helpdesks[i].settings = xcalloc(1, connector_at(i)->settings_size);
	}
	for (size_t i = 0; place_at(cfg, i, &pl); i++)
		settings_init(pl.sec, pl.values);
}

void config_release(struct config *cfg)
{
	struct place pl;

	for (size_t i = 0; place_at(cfg, i, &pl); i++)
		if (pl.values)
			settings_release(pl.sec, pl.values);
	for (size_t i = 0; i < CONFIG_MAX_HELPDESKS; i++)
		free(cfg->helpdesks[i].settings);
	free(cfg->path);
	memset(cfg, 0, sizeof(*cfg));
}

/* The file as inih reads it: one line per call into its buffer of size
 * bytes. The first line inih would misread is kept by number: one that
 * does not fit (inih would parse its rest as a line of its own, or cut the
 * value short), one with a NUL byte (inih would stop at it), and an
 * indented one (inih takes it as a further value of
 * the key above, which replaces the first without a word, or, after a
 * section header, as a line of its own). */
struct lines {
	FILE *f;
	int line;
	int bad;       /* the first such line, or 0 */
	char why[128]; /* what is wrong with it */
	int room;      /* the longest line that fits */
};

struct load_state {
	struct config *cfg;
	struct dp_error *err;
	bool failed; /* keep only the first error: it matches ini_parse's line */
};

/* name_file for a secret key of pl: read the file into it. 1 when name
 * was such a key (done, or failed with err set), 0 when it was not. */
static int set_secret_file(const struct place *pl, const char *name,
			   const char *path, struct load_state *st)
{
	size_t n = strlen(name);
	const struct setting *k;
	struct dp_error why;
	char *base, *secret;

	if (n <= 5 || strcmp(name + n - 5, "_file") != 0)
		return 0;
	base = xstrndup(name, n - 5);
	k = settings_find(pl->sec, base);
	free(base);
	if (!k || k->type != SETTING_SECRET)
		return 0;
	secret = read_secret_file(path, &why);
	if (!secret) {
		dp_fail(st->err, DP_EINVAL, "'%s': %s", name, why.msg);
		st->failed = true;
		return 1;
	}
	settings_take_secret(k, pl->values, secret);
	return 1;
}

static int handler(void *user, const char *section, const char *name,
		   const char *value)
{
	struct load_state *st = user;
	const struct setting *k;
	struct place pl;

	if (st->failed)
		return 0;
	if (!place_find(st->cfg, section, &pl)) {
		dp_fail(st->err, DP_EINVAL, "unknown section [%s]", section);
		goto fail;
	}
	if (pl.helpdesk)
		pl.helpdesk->enabled = true;
	k = settings_find(pl.sec, name);
	if (!k) {
		if (set_secret_file(&pl, name, value, st))
			return st->failed ? 0 : 1;
		goto unknown;
	}
	if (settings_set(k, pl.values, value, st->err) < 0)
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

/* Checks that span keys; they have no single line, so they name the file,
 * the section and the key. Sections of helpdesks that are off are not
 * checked. */
static int validate(const struct config *cfg, struct dp_error *err)
{
	struct dp_error why;
	struct place pl;

	for (size_t i = 0; place_at(cfg, i, &pl); i++) {
		if (!pl.sec->validate || (pl.helpdesk && !pl.helpdesk->enabled))
			continue;
		if (pl.sec->validate(pl.values, &why) < 0)
			return dp_fail(err, DP_EINVAL, "%s: [%s] %s", cfg->path,
				       pl.sec->name, why.msg);
	}
	return 0;
}

static char *read_line(char *buf, int size, void *stream)
{
	struct lines *l = stream;
	int c, n = 0, len = 0;
	bool nul = false;
	size_t lead;

	if (size < 4)
		return NULL;
	l->room = size - 3; /* inih's buffer holds "\r\n\0" besides */
	while ((c = getc(l->f)) != EOF && c != '\n') {
		if (n < size - 1)
			buf[n++] = (char)c;
		len++;
		nul |= c == '\0';
	}
	if (c == EOF && len == 0)
		return NULL;
	buf[n] = '\0';
	if (n > 0 && n == len && buf[n - 1] == '\r')
		len--;
	l->line++;
	if (l->bad)
		return buf;
	lead = strspn(buf, " \t\v\f\r");
	if (len > l->room)
		snprintf(l->why, sizeof(l->why),
			 "line longer than %d bytes, the most a line may hold", l->room);
	else if (nul)
		snprintf(l->why, sizeof(l->why), "the line holds a NUL byte");
	else if (lead > 0 && buf[lead] && !strchr(";#", buf[lead]))
		snprintf(l->why, sizeof(l->why),
			 "the line is indented: start each key and section at the beginning of a line, and keep a value on one line");
	if (l->why[0])
		l->bad = l->line;
	return buf;
}

int config_load(struct config *cfg, const char *path, struct dp_error *err)
{
	struct lines lines = {0};
	struct load_state st = {cfg, err, false};
	struct dp_error tmp = {{0}};
	int line;

	free(cfg->path);
	cfg->path = xstrdup(path);
	lines.f = fopen(path, "re");
	if (!lines.f)
		return dp_fail(err, DP_EIO, "cannot open config '%s': %s", path,
			       strerror(errno));
	st.err = &tmp;
	line = ini_parse_stream(read_line, &lines, handler, &st);
	if (ferror(lines.f)) {
		fclose(lines.f);
		return dp_fail(err, DP_EIO, "cannot read config '%s'", path);
	}
	fclose(lines.f);
	if (lines.bad && (line == 0 || lines.bad <= line))
		return dp_fail(err, DP_EINVAL, "%s:%d: %s", path, lines.bad,
			       lines.why);
	if (line != 0) {
		if (!st.failed) /* a syntax error inih found itself */
			snprintf(tmp.msg, sizeof(tmp.msg),
				 "syntax error (expected 'key = value' or '[section]')");
		return dp_fail(err, DP_EINVAL, "%s:%d: %s", path, line, tmp.msg);
	}
	return validate(cfg, err);
}

void config_print(const struct config *cfg, FILE *out)
{
	const char *gap = "\n";
	struct place pl;

	fprintf(out, "# effective configuration from %s (secrets masked)\n",
		cfg->path);
	for (size_t i = 0; place_at(cfg, i, &pl); i++)
		if (!pl.helpdesk || pl.helpdesk->enabled)
			settings_print(pl.sec, pl.values, out);
	for (size_t i = 0; connector_at(i); i++) {
		if (cfg->helpdesks[i].enabled)
			continue;
		fprintf(out, "%s# [%s] absent: POST %s answers 404\n", gap,
			connector_at(i)->section.name, connector_at(i)->route);
		gap = "";
	}
}

const void *config_helpdesk(const struct config *cfg,
			    const struct connector *conn)
{
	return cfg->helpdesks[connector_index(conn)].settings;
}

bool config_helpdesk_enabled(const struct config *cfg,
			     const struct connector *conn)
{
	return cfg->helpdesks[connector_index(conn)].enabled;
}

struct config_helpdesk *config_helpdesk_slot(struct config *cfg,
					     const struct connector *conn)
{
	return &cfg->helpdesks[connector_index(conn)];
}

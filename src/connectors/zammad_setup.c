/*
 * zammad_setup.c - `deskpilot zammad-setup`: create or update, by name,
 * the Zammad webhook and triggers that send customer articles to deskpilot.
 *
 * Design: everything goes through the connector's zammad_request, so the
 * command talks to Zammad exactly as the service does. Objects are found
 * by name (GET the list), then updated with PUT or created with POST, so
 * running the command again changes nothing but what changed. --dry-run
 * only reads and prints what it would do.
 *
 * The triggers fire on a customer article that is not internal, on a new
 * ticket or on an update, and skip tickets carrying the opt-out tag.
 * Sender id 2 is Zammad's built-in "Customer" sender.
 *
 * The webhook is always set to Zammad's default payload: deskpilot parses
 * nothing else. Zammad builds a custom payload when customized_payload is
 * true or a pre_defined_webhook_type (Slack, Mattermost, ...) is set
 * (trigger_webhook_job.rb #payload), and a PUT keeps every attribute it
 * does not name, so both are sent explicitly, false and null. Zammad
 * before 6.1 has neither attribute and drops unknown ones
 * (ApplicationModel::CanCleanupParam).
 */
#include "connectors/zammad.h"

#include "common/http_client.h"

#include <curl/curl.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WEBHOOK_NAME "deskpilot"
#define SECRET_FILE_MAX 4096

struct setup {
	struct zammad_settings z; /* the config's, with command-line overrides */
	struct http_client *http;
	bool dry_run;
};

static const struct {
	const char *name;
	const char *ticket_action;
} triggers[] = {
	{"deskpilot: customer article on a new ticket", "create"},
	{"deskpilot: customer article on a ticket update", "update"},
};

static void usage(FILE *out)
{
	fprintf(out,
		"usage: deskpilot zammad-setup [-c FILE] --endpoint URL [--url URL]\n"
		"         [--token TOKEN | --token-file FILE]\n"
		"         [--secret SECRET | --secret-file FILE] [--dry-run]\n"
		"  --endpoint  deskpilot's hook as Zammad reaches it, e.g.\n"
		"              https://deskpilot.example.com/hooks/zammad\n"
		"  --url, --token, --secret default to [zammad] url, token and\n"
		"              webhook_secret of the config\n");
}

/* The first line of a secret file, trailing whitespace removed; a new
 * string, or NULL with a message printed. */
static char *read_secret(const char *path)
{
	char line[SECRET_FILE_MAX + 2];
	FILE *f = fopen(path, "re");
	size_t n;

	if (!f || !fgets(line, sizeof(line), f)) {
		fprintf(stderr, "deskpilot: cannot read '%s'\n", path);
		if (f)
			fclose(f);
		return NULL;
	}
	fclose(f);
	n = strlen(line);
	if (n > SECRET_FILE_MAX) {
		fprintf(stderr, "deskpilot: '%s' is longer than %d bytes\n", path,
			SECRET_FILE_MAX);
		return NULL;
	}
	while (n && (line[n - 1] == '\n' || line[n - 1] == '\r' ||
		     line[n - 1] == ' ' || line[n - 1] == '\t'))
		line[--n] = '\0';
	return xstrdup(line);
}

/* The id of the object called name in the list at path: >0 found, 0 not
 * there, <0 error (printed). When found and found is not NULL, *found is
 * the object as Zammad has it (a new reference). */
static json_int_t find_by_name(struct setup *s, const char *path, const char *name,
			       json_t **found)
{
	struct dp_error err = {{0}};
	json_t *list = NULL;
	json_int_t id = 0;
	size_t i;
	json_t *item;

	if (zammad_request(&s->z, s->http, "GET", path, NULL, &list, &err) < 0) {
		fprintf(stderr, "deskpilot: cannot list %s: %s\n", path, err.msg);
		return -1;
	}
	json_array_foreach(list, i, item) {
		const char *n = json_string_value(json_object_get(item, "name"));

		if (n && strcmp(n, name) == 0) {
			id = json_integer_value(json_object_get(item, "id"));
			if (found)
				*found = json_incref(item);
			break;
		}
	}
	json_decref(list);
	return id;
}

/* The request body as the dry run shows it: keys sorted, the signature
 * token masked the way Zammad masks it. New string. */
static char *shown_body(const json_t *body)
{
	json_t *copy = json_deep_copy(body);
	char *text;

	if (json_object_get(copy, "signature_token"))
		json_object_set_new(copy, "signature_token", json_string("**********"));
	text = json_dumps(copy, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(copy);
	return text;
}

/* A webhook Zammad would fill with something other than its default
 * payload: say so, since deskpilot resets it. */
static void report_custom_payload(const json_t *existing)
{
	const char *type = json_string_value(json_object_get(existing, "pre_defined_webhook_type"));

	if (json_is_true(json_object_get(existing, "customized_payload")))
		printf("  its custom payload will be switched off: deskpilot reads "
		       "Zammad's default payload\n");
	if (type && *type)
		printf("  its pre-defined webhook type '%s' will be removed: deskpilot "
		       "reads Zammad's default payload\n",
		       type);
}

/* Create or update the object called `name` in collection `path` with
 * `body` (borrowed). Returns its id (0 when a dry run would create it), or
 * -1 with the error printed. */
static json_int_t put_object(struct setup *s, const char *what, const char *path,
			     const char *name, const json_t *body)
{
	struct dp_error err = {{0}};
	json_t *got = NULL, *existing = NULL;
	json_int_t id = find_by_name(s, path, name, &existing);
	char *item_path;
	int rc;

	if (id < 0)
		return -1;
	item_path = id ? xasprintf("%s/%lld", path, (long long)id) : xstrdup(path);
	if (s->dry_run) {
		char *text = shown_body(body);

		if (id)
			printf("%s \"%s\": would update (id %lld)\n", what, name,
			       (long long)id);
		else
			printf("%s \"%s\": would create\n", what, name);
		if (id && strcmp(what, "webhook") == 0)
			report_custom_payload(existing);
		printf("  %s %s %s\n", id ? "PUT" : "POST", item_path, text);
		free(text);
		free(item_path);
		json_decref(existing);
		return id;
	}
	json_decref(existing);
	rc = zammad_request(&s->z, s->http, id ? "PUT" : "POST", item_path, body, &got,
			    &err);
	free(item_path);
	if (rc < 0) {
		fprintf(stderr, "deskpilot: cannot %s %s \"%s\": %s\n",
			id ? "update" : "create", what, name, err.msg);
		return -1;
	}
	printf("%s \"%s\": %s (id %lld)\n", what, name, id ? "updated" : "created",
	       (long long)json_integer_value(json_object_get(got, "id")));
	if (!id)
		id = json_integer_value(json_object_get(got, "id"));
	json_decref(got);
	return id;
}

static json_t *trigger_body(const struct setup *s, const char *name,
			    const char *ticket_action, json_int_t webhook_id)
{
	json_t *cond = json_pack(
		"{s:{s:s, s:s}, s:{s:s, s:[s]}, s:{s:s, s:[s]}}",
		"ticket.action", "operator", "is", "value", ticket_action,
		"article.sender_id", "operator", "is", "value", "2",
		"article.internal", "operator", "is", "value", "false");

	/* On an update, only when the update added an article. */
	if (strcmp(ticket_action, "update") == 0)
		json_object_set_new(cond, "article.action",
				    json_pack("{s:s, s:s}", "operator", "is", "value",
					      "create"));
	if (*s->z.tag_opt_out)
		json_object_set_new(cond, "ticket.tags",
				    json_pack("{s:s, s:s}", "operator",
					      "contains all not", "value",
					      s->z.tag_opt_out));
	return json_pack("{s:s, s:s, s:s, s:b, s:o, s:{s:{s:I}}, s:s}", "name", name,
			 "activator", "action", "execution_condition_mode",
			 "selective", "active", 1, "condition", cond, "perform",
			 "notification.webhook", "webhook_id", webhook_id, "note",
			 "Sends customer articles to deskpilot. Managed by deskpilot zammad-setup.");
}

static int run(struct setup *s, const char *endpoint)
{
	json_t *hook = json_pack(
		"{s:s, s:s, s:s, s:b, s:b, s:b, s:n, s:s}", "name", WEBHOOK_NAME,
		"endpoint", endpoint, "signature_token", s->z.webhook_secret,
		"ssl_verify", 1, "active", 1, "customized_payload", 0,
		"pre_defined_webhook_type", "note",
		"deskpilot triage: customer articles in, decisions back through the API. "
		"Managed by deskpilot zammad-setup.");
	json_int_t hook_id = put_object(s, "webhook", "/api/v1/webhooks", WEBHOOK_NAME, hook);
	int rc = hook_id < 0;

	json_decref(hook);
	for (size_t i = 0; i < DP_ARRAY_LEN(triggers) && rc == 0; i++) {
		json_t *t = trigger_body(s, triggers[i].name, triggers[i].ticket_action,
					 hook_id);

		rc = put_object(s, "trigger", "/api/v1/triggers", triggers[i].name, t) < 0;
		json_decref(t);
	}
	if (rc == 0 && s->dry_run)
		printf("dry run: nothing was changed\n");
	return rc;
}

/* The value of option argv[*i] (advancing *i), or NULL after printing. */
static const char *opt_value(int argc, char **argv, int *i)
{
	if (*i + 1 >= argc) {
		fprintf(stderr, "deskpilot: option '%s' needs a value\n", argv[*i]);
		return NULL;
	}
	return argv[++*i];
}

int zammad_setup_run(const void *settings, int argc, char **argv)
{
	const struct zammad_settings *cfg = settings;
	struct setup s = {.dry_run = false};
	const char *endpoint = NULL;
	char *token = NULL, *secret = NULL, *url = NULL;
	int rc = 0;

	for (int i = 1; i < argc && rc == 0; i++) {
		const char *a = argv[i], *v = NULL;
		char **slot = NULL;
		bool from_file = false;

		if (strcmp(a, "--dry-run") == 0) {
			s.dry_run = true;
			continue;
		}
		if (strcmp(a, "--endpoint") == 0 || strcmp(a, "--url") == 0 ||
		    strcmp(a, "--token") == 0 || strcmp(a, "--token-file") == 0 ||
		    strcmp(a, "--secret") == 0 || strcmp(a, "--secret-file") == 0)
			v = opt_value(argc, argv, &i);
		else
			fprintf(stderr, "deskpilot: unknown option '%s'\n", a);
		if (!v) {
			rc = EXIT_USAGE;
			break;
		}
		from_file = strstr(a, "-file") != NULL;
		if (strcmp(a, "--endpoint") == 0) {
			endpoint = v;
			continue;
		}
		slot = strcmp(a, "--url") == 0         ? &url
		       : strncmp(a, "--token", 7) == 0 ? &token
						       : &secret;
		free(*slot);
		*slot = from_file ? read_secret(v) : xstrdup(v);
		if (!*slot)
			rc = 1;
	}
	if (rc == 0 && !endpoint) {
		fprintf(stderr, "deskpilot: --endpoint is required\n");
		rc = EXIT_USAGE;
	}
	if (rc == EXIT_USAGE)
		usage(stderr);
	s.z = *cfg;
	s.z.url = url ? url : cfg->url;
	s.z.token = token ? token : cfg->token;
	s.z.webhook_secret = secret ? secret : cfg->webhook_secret;
	if (rc == 0 && (!*s.z.url || !*s.z.token || !*s.z.webhook_secret)) {
		fprintf(stderr, "deskpilot: Zammad's URL, an API token and a webhook secret "
				"are needed (options or [zammad] in the config)\n");
		rc = EXIT_USAGE;
	}
	if (rc == 0 && strncmp(endpoint, "https://", 8) != 0 &&
	    strncmp(endpoint, "http://", 7) != 0) {
		fprintf(stderr, "deskpilot: --endpoint must be an http(s) URL\n");
		rc = EXIT_USAGE;
	}
	if (rc == 0) {
		curl_global_init(CURL_GLOBAL_DEFAULT);
		s.http = http_client_new();
		rc = run(&s, endpoint) ? 1 : 0;
		http_client_free(s.http);
		curl_global_cleanup();
	}
	free(url);
	free(token);
	free(secret);
	return rc;
}

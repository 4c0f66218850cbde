/*
 * vip.c - `deskpilot vip add|remove|list|import|export`: deskpilot's own
 * premium-customer rules (see triage/tier.h for how they match).
 *
 * import reads CSV with a header kind,value[,note] in one transaction: any
 * bad row (named by file, line and field) leaves the rules as they were;
 * rules that exist already are kept and counted. export writes the same
 * format, so export | import round-trips.
 */
#include "cli/cli.h"

#include "common/csv.h"
#include "config/config.h"
#include "store/vip.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static void usage(void)
{
	fprintf(stderr,
		"usage: deskpilot vip add [-c FILE] KIND VALUE [NOTE]\n"
		"       deskpilot vip remove [-c FILE] KIND VALUE\n"
		"       deskpilot vip list [-c FILE]\n"
		"       deskpilot vip import [-c FILE] FILE.csv   (columns kind,value[,note])\n"
		"       deskpilot vip export [-c FILE]            (CSV on stdout)\n"
		"KIND is email, domain, organization or tag.\n");
}

static int parse_kind(const char *s, enum vip_kind *k)
{
	if (vip_kind_parse(s, k) == 0)
		return 0;
	fprintf(stderr, "deskpilot: unknown rule kind '%s' (email, domain, organization, tag)\n",
		s);
	return EXIT_USAGE;
}

static int import(store *s, const char *path)
{
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
	struct csv *c;
	struct dp_error err;
	int kind_col, value_col, note_col, rc, added = 0, kept = 0;

	if (!f) {
		fprintf(stderr, "deskpilot: cannot read '%s': %s\n", path,
			strerror(errno));
		return 1;
	}
	c = csv_new(f, path);
	if (store_begin(s) < 0) {
		fprintf(stderr, "deskpilot: cannot write the database\n");
		rc = DP_ESTORE;
		goto out;
	}
	if ((rc = csv_read_header(c, &err)) < 0)
		goto fail;
	kind_col = csv_column(c, "kind");
	value_col = csv_column(c, "value");
	note_col = csv_column(c, "note");
	if (kind_col < 0 || value_col < 0) {
		rc = dp_fail(&err, DP_EINVAL, "%s:1: the header needs columns kind,value",
			     path);
		goto fail;
	}
	while ((rc = csv_next(c, &err)) > 0) {
		enum vip_kind k;
		struct dp_error why;
		const char *kind = csv_field(c, kind_col);

		if (vip_kind_parse(kind, &k) < 0) {
			rc = dp_fail(&err, DP_EINVAL,
				     "%s:%ld: field 'kind': unknown kind '%.40s'",
				     path, csv_line(c), kind);
			goto fail;
		}
		rc = store_vip_add(s, k, csv_field(c, value_col),
				   csv_field(c, note_col), dp_now_ms(), &why);
		if (rc == DP_EDUP) {
			kept++;
			continue;
		}
		if (rc < 0) {
			dp_fail(&err, rc, "%s:%ld: field 'value': %s", path,
				csv_line(c), why.msg);
			goto fail;
		}
		added++;
	}
	if (rc < 0)
		goto fail;
	if (store_commit(s) < 0) {
		fprintf(stderr, "deskpilot: cannot commit the import\n");
		rc = DP_ESTORE;
		goto out;
	}
	printf("imported %d rules (%d already present)\n", added, kept);
	goto out;
fail:
	store_rollback(s);
	fprintf(stderr, "deskpilot: %s (nothing imported)\n", err.msg);
out:
	csv_free(c);
	if (f != stdin)
		fclose(f);
	return rc < 0 ? 1 : 0;
}

static int list(store *s)
{
	struct vip_rules r;
	int rc;

	vip_rules_init(&r);
	rc = store_vip_load(s, &r);
	for (size_t i = 0; rc == 0 && i < r.n; i++)
		printf("%-12s %s\n", vip_kind_name(r.items[i].kind),
		       r.items[i].value);
	if (rc == 0 && r.n == 0)
		fprintf(stderr, "deskpilot: no VIP rules (helpdesk VIP flags still apply)\n");
	vip_rules_release(&r);
	return rc < 0 ? 1 : 0;
}

static int run(store *s, int argc, char **argv)
{
	const char *verb = argv[1];
	enum vip_kind k;
	struct dp_error err;
	int rc;

	if (strcmp(verb, "list") == 0 && argc == 2)
		return list(s);
	if (strcmp(verb, "export") == 0 && argc == 2)
		return store_vip_export(s, stdout) < 0 ? 1 : 0;
	if (strcmp(verb, "import") == 0 && argc == 3)
		return import(s, argv[2]);
	if (strcmp(verb, "add") == 0 && (argc == 4 || argc == 5)) {
		if ((rc = parse_kind(argv[2], &k)) != 0)
			return rc;
		rc = store_vip_add(s, k, argv[3], argc == 5 ? argv[4] : NULL,
				   dp_now_ms(), &err);
		if (rc < 0) {
			fprintf(stderr, "deskpilot: %s\n", err.msg);
			return 1;
		}
		printf("added %s rule '%s'\n", vip_kind_name(k), argv[3]);
		return 0;
	}
	if (strcmp(verb, "remove") == 0 && argc == 4) {
		if ((rc = parse_kind(argv[2], &k)) != 0)
			return rc;
		rc = store_vip_remove(s, k, argv[3]);
		if (rc == DP_ENOTFOUND)
			fprintf(stderr, "deskpilot: no %s rule '%s'\n",
				vip_kind_name(k), argv[3]);
		else if (rc == 0)
			printf("removed %s rule '%s'\n", vip_kind_name(k), argv[3]);
		return rc < 0 ? 1 : 0;
	}
	usage();
	return EXIT_USAGE;
}

int cmd_vip(int argc, char **argv)
{
	struct config cfg;
	store *s;
	int rc = cli_load_config(&argc, argv, &cfg);

	if (rc != 0)
		goto out;
	if (argc < 2) {
		usage();
		rc = EXIT_USAGE;
		goto out;
	}
	s = cli_open_store(&cfg);
	if (!s) {
		rc = 1;
		goto out;
	}
	rc = run(s, argc, argv);
	store_close(s);
out:
	config_release(&cfg);
	return rc;
}

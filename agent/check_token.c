// SPDX-License-Identifier: GPL-2.0-only
/*
 * lmigd check-token: the admission decision for one token, offline, as
 * the running agent would make it: the same configuration and trust
 * store, and the profiles of the kernel or of a profiles file. Operators
 * use it to answer "why was this user refused?".
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "admit.h"
#include "check_token.h"
#include "jsonw.h"
#include "kernel.h"
#include "names.h"
#include "profiles_file.h"
#include "setup.h"
#include "timefmt.h"

enum {
	EXIT_ADMIT = 0,
	EXIT_REFUSED = 1,
	EXIT_USAGE = 2,
};

static void usage(FILE *out)
{
	fprintf(out,
		"usage: lmigd check-token [-c CONFIG] [--profiles FILE] [--now "
		"TIME]\n"
		"                         [-j] [TOKEN-FILE]\n"
		"\n"
		"Decide on one access token as the agent would: signature, "
		"claims\n"
		"and the partner's profile. The token is read from TOKEN-FILE, "
		"or\n"
		"standard input if absent or '-'. Profiles come from the "
		"kernel\n"
		"(lmig.ko), or from a profiles file (lmig-profiles(5)) with\n"
		"--profiles. TIME is Unix seconds or 2026-12-01T00:00:00Z.\n"
		"Exit status: 0 admitted, 1 refused, 2 usage or configuration "
		"error.\n");
}

/* Profiles from a file: answer look-ups by primary ID like the kernel. */
static int file_lookup(void *arg, const char *primary_id,
		       struct lmigd_profile *out)
{
	const struct lmig_profiles *ps = arg;

	for (size_t i = 0; i < ps->n; i++) {
		const struct lmig_profile *p = &ps->v[i];

		for (unsigned int j = 0; j < p->n_primary_ids; j++) {
			if (strcmp(p->primary_ids[j], primary_id))
				continue;
			memset(out, 0, sizeof(*out));
			/* Files carry no user ids: number them by position. */
			out->user_id = i + 1;
			snprintf(out->partner_id, sizeof(out->partner_id), "%s",
				 p->partner_id);
			out->services = p->services;
			out->state = p->state;
			out->not_before = p->not_before;
			out->not_after = p->not_after;
			return 0;
		}
	}
	return -ENOENT;
}

static int kernel_lookup(void *arg, const char *primary_id,
			 struct lmigd_profile *out)
{
	return lmigd_kernel_get_by_primary(arg, primary_id, out);
}

static char *read_token(const char *path, size_t *len)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "r") : stdin;
	size_t cap = LMIG_JWS_MAX_LEN * 2 + 2;
	char *buf;

	if (!f)
		return NULL;
	buf = malloc(cap);
	if (buf) {
		*len = fread(buf, 1, cap - 1, f);
		buf[*len] = '\0';
		/* A token file ends with a newline; the token does not. */
		while (*len && (buf[*len - 1] == '\n' || buf[*len - 1] == '\r'))
			buf[--*len] = '\0';
	}
	if (f != stdin)
		fclose(f);
	return buf;
}

static void print_text(const struct lmigd_decision *d, int64_t now,
		       const char *source)
{
	char buf[64], in[32];

	printf("decision    %s\n",
	       d->http_status == 200 ? "admitted" : "refused");
	printf("reason      %s (%s)\n", d->reason, d->detail);
	if (d->http_status != 200)
		printf("answer      HTTP %d %s, reason '%s': %s\n",
		       d->http_status, d->error, d->client_reason, d->message);
	if (d->verdict != LMIGD_REFUSED_TOKEN) {
		printf("issuer      %s\n", d->token.issuer);
		printf("token       %s, expires %s\n",
		       lmig_services_format(d->token.services, buf,
					    sizeof(buf)),
		       lmig_time_iso(d->token.exp, in, sizeof(in)));
	}
	if (d->profile.user_id)
		printf("profile     %u %s, %s, %s (from %s)\n",
		       d->profile.user_id, d->profile.partner_id,
		       lmig_state_name(d->profile.state),
		       lmig_services_format(d->profile.services, buf,
					    sizeof(buf)),
		       source);
	if (d->http_status == 200) {
		printf("granted     %s\n",
		       lmig_services_format(d->services, buf, sizeof(buf)));
		printf("until       %s (in %s)\n",
		       lmig_time_iso(d->expires, in, sizeof(in)),
		       lmig_duration(d->expires - now, buf, sizeof(buf)));
	}
}

static void print_json(const struct lmigd_decision *d, int64_t now)
{
	struct jsonw w;
	char iso[32];

	jsonw_init(&w, stdout, false);
	jsonw_start_object(&w, NULL);
	jsonw_string(&w, "decision",
		     d->http_status == 200 ? "admitted" : "refused");
	jsonw_string(&w, "reason", d->reason);
	jsonw_string(&w, "detail", d->detail);
	jsonw_int(&w, "http_status", d->http_status);
	if (d->http_status != 200) {
		jsonw_string(&w, "error", d->error);
		jsonw_string(&w, "client_reason", d->client_reason);
		jsonw_string(&w, "message", d->message);
	}
	if (d->verdict != LMIGD_REFUSED_TOKEN) {
		jsonw_string(&w, "issuer", d->token.issuer);
		jsonw_int(&w, "token_exp", d->token.exp);
	}
	if (d->profile.user_id) {
		jsonw_uint(&w, "user_id", d->profile.user_id);
		jsonw_string(&w, "partner_id", d->profile.partner_id);
	}
	if (d->http_status == 200) {
		jsonw_start_array(&w, "services");
		for (uint32_t b = 1; b <= LMIG_SERVICES_ALL; b <<= 1)
			if (d->services & b)
				jsonw_string(&w, NULL, lmig_service_name(b));
		jsonw_end_array(&w);
		jsonw_int(&w, "expires", d->expires);
		jsonw_string(&w, "expires_iso",
			     lmig_time_iso(d->expires, iso, sizeof(iso)));
		jsonw_int(&w, "expires_in", d->expires - now);
	}
	jsonw_end_object(&w);
	putchar('\n');
}

int lmigd_check_token(int argc, char **argv)
{
	static const struct option opts[] = {
		{"config", required_argument, NULL, 'c'},
		{"profiles", required_argument, NULL, 'P'},
		{"now", required_argument, NULL, 'n'},
		{"json", no_argument, NULL, 'j'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	static struct lmigd_config cfg;
	const char *config = LMIGD_CONFIG_DEFAULT, *profiles_path = NULL;
	struct lmigd_admit_policy policy = {0};
	struct lmig_profiles profiles = {0};
	struct lmigd_kernel *kernel = NULL;
	struct lmig_verifier *verifier = NULL;
	struct lmigd_decision d;
	int64_t now = time(NULL);
	bool json = false;
	char err[1024], *token;
	size_t len;
	uint64_t t;
	int opt, ret = EXIT_USAGE;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "c:jh", opts, NULL)) != -1) {
		switch (opt) {
		case 'c':
			config = optarg;
			break;
		case 'P':
			profiles_path = optarg;
			break;
		case 'n':
			if (optarg[0] == '+' ||
			    lmig_time_parse(optarg, 0, &t)) {
				fprintf(stderr,
					"lmigd check-token: --now '%s' is not "
					"a "
					"time (Unix seconds or "
					"2026-12-01T00:00:00Z)\n",
					optarg);
				return EXIT_USAGE;
			}
			now = t;
			break;
		case 'j':
			json = true;
			break;
		case 'h':
			usage(stdout);
			return EXIT_ADMIT;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (argc - optind > 1) {
		usage(stderr);
		return EXIT_USAGE;
	}
	const char *token_path = optind < argc ? argv[optind] : "-";

	token = read_token(token_path, &len);
	if (!token) {
		fprintf(stderr, "lmigd check-token: %s: %s\n", token_path,
			strerror(errno));
		return EXIT_USAGE;
	}
	if (lmigd_config_load(config, &cfg, err, sizeof(err)) ||
	    lmigd_build_verifier(&cfg, &verifier, err, sizeof(err))) {
		fprintf(stderr, "lmigd check-token: %s\n", err);
		goto out;
	}
	policy.verifier = verifier;
	policy.max_admission = cfg.max_admission;
	if (profiles_path) {
		if (lmig_profiles_load(profiles_path, &profiles, err,
				       sizeof(err))) {
			fprintf(stderr, "lmigd check-token: %s\n", err);
			goto out;
		}
		policy.lookup = file_lookup;
		policy.lookup_arg = &profiles;
	} else {
		if (lmigd_kernel_open(&kernel, err, sizeof(err))) {
			fprintf(stderr,
				"lmigd check-token: %s (or use --profiles "
				"FILE)\n",
				err);
			goto out;
		}
		policy.lookup = kernel_lookup;
		policy.lookup_arg = kernel;
	}

	lmigd_admit_decide(&policy, token, len, now, &d);
	if (json)
		print_json(&d, now);
	else
		print_text(&d, now,
			   profiles_path ? profiles_path : "the kernel");
	ret = d.http_status == 200 ? EXIT_ADMIT : EXIT_REFUSED;
out:
	free(token);
	lmig_profiles_free(&profiles);
	lmigd_kernel_close(kernel);
	lmig_verifier_free(verifier);
	return ret;
}

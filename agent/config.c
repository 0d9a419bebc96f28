// SPDX-License-Identifier: GPL-2.0-only
/* lmigd configuration file parser. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lmig_maps.h"
#include "config.h"
#include "names.h"
#include "ports.h"
#include "workers.h"

#define MAX_WORDS     8
#define MAX_FILE_SIZE (1024 * 1024)

struct parser {
	struct lmigd_config *cfg;
	const char *name;
	int line;
	char *err;
	size_t errlen;
	char dir[PATH_MAX]; /* relative paths are relative to the file */
	bool seen_skew, seen_max, seen_instance, seen_mode, seen_default;
	bool seen_maxconn, seen_open_source, seen_open_total, seen_denials;
	bool seen_conn_rate, seen_max_addrs;
	bool seen_workers, seen_worker_queue;
};

__attribute__((format(printf, 2, 3))) static int fail(struct parser *p,
						      const char *fmt, ...)
{
	va_list ap;
	int n;

	if (p->line)
		n = snprintf(p->err, p->errlen, "%s:%d: ", p->name, p->line);
	else
		n = snprintf(p->err, p->errlen, "%s: ", p->name);

	if (n < 0 || (size_t)n >= p->errlen)
		return -1;
	va_start(ap, fmt);
	vsnprintf(p->err + n, p->errlen - n, fmt, ap);
	va_end(ap);
	return -1;
}

static int parse_uint(struct parser *p, const char *what, const char *s,
		      unsigned long min, unsigned long max, unsigned long *out)
{
	char *end;

	if (*s < '0' || *s > '9')
		return fail(p, "%s: '%s' is not a number", what, s);
	errno = 0;
	*out = strtoul(s, &end, 10);
	if (errno || *end || *out < min || *out > max)
		return fail(p, "%s: '%s' is not a number from %lu to %lu", what,
			    s, min, max);
	return 0;
}

/* Printable ASCII without blanks: IDs, URLs, kids. */
static int parse_id(struct parser *p, const char *what, const char *s,
		    char *dst, size_t len)
{
	size_t n = strlen(s);

	if (n == 0 || n >= len)
		return fail(p, "%s: '%s' must be 1 to %zu characters", what, s,
			    len - 1);
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x21 || (unsigned char)s[i] > 0x7e)
			return fail(p, "%s: '%s' holds a non-printable byte",
				    what, s);
	memcpy(dst, s, n + 1);
	return 0;
}

static int parse_path(struct parser *p, const char *what, const char *s,
		      char *dst)
{
	int n;

	if (*s == '/' || !p->dir[0])
		n = snprintf(dst, PATH_MAX, "%s", s);
	else
		n = snprintf(dst, PATH_MAX, "%s/%s", p->dir, s);
	if (n < 0 || n >= PATH_MAX)
		return fail(p, "%s: path '%s' too long", what, s);
	return 0;
}

static int parse_listen(struct parser *p, const char *s)
{
	struct sockaddr_storage *ss = &p->cfg->listen[p->cfg->n_listen];
	char host[INET6_ADDRSTRLEN + 2];
	const char *colon = strrchr(s, ':');
	unsigned long port;
	size_t hlen;

	if (p->cfg->n_listen == LMIGD_MAX_LISTEN)
		return fail(p, "listen: at most %d addresses",
			    LMIGD_MAX_LISTEN);
	if (!colon)
		return fail(p, "listen: '%s' is not ADDRESS:PORT", s);
	hlen = colon - s;
	if (hlen == 0 || hlen >= sizeof(host))
		return fail(p, "listen: '%s' is not ADDRESS:PORT", s);
	memcpy(host, s, hlen);
	host[hlen] = '\0';
	if (parse_uint(p, "listen port", colon + 1, 1, 65535, &port))
		return -1;

	memset(ss, 0, sizeof(*ss));
	if (host[0] == '[' && host[hlen - 1] == ']') {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

		host[hlen - 1] = '\0';
		if (inet_pton(AF_INET6, host + 1, &sin6->sin6_addr) != 1)
			return fail(p, "listen: '%s' is not an IPv6 address",
				    host + 1);
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(port);
	} else {
		struct sockaddr_in *sin = (struct sockaddr_in *)ss;

		if (inet_pton(AF_INET, host, &sin->sin_addr) != 1)
			return fail(p,
				    "listen: '%s' is not an IPv4 address "
				    "(write IPv6 as [ADDRESS]:PORT)",
				    host);
		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
	}
	p->cfg->n_listen++;
	return 0;
}

static int parse_issuer(struct parser *p, char **w, int n)
{
	static const char *const algs[] = {"ES256", "ES384", "RS256", "PS256",
					   "EdDSA"};
	struct lmigd_issuer_key *k = &p->cfg->keys[p->cfg->n_keys];
	bool alg_ok = false;

	if (n < 4 || n > 5)
		return fail(p, "issuer: expected 'issuer ISS CERT-FILE ALG "
			       "[kid=KID]'");
	if (p->cfg->n_keys == LMIGD_MAX_ISSUER_KEYS)
		return fail(p, "issuer: at most %d keys",
			    LMIGD_MAX_ISSUER_KEYS);
	memset(k, 0, sizeof(*k));
	k->line = p->line;
	if (parse_id(p, "issuer", w[1], k->issuer, sizeof(k->issuer)) ||
	    parse_path(p, "issuer certificate", w[2], k->cert))
		return -1;
	for (size_t i = 0; i < sizeof(algs) / sizeof(algs[0]); i++)
		alg_ok |= !strcmp(w[3], algs[i]);
	if (!alg_ok)
		return fail(p,
			    "issuer: algorithm '%s' not supported (ES256, "
			    "ES384, RS256, PS256, EdDSA)",
			    w[3]);
	snprintf(k->alg, sizeof(k->alg), "%s", w[3]);
	if (n == 5) {
		if (strncmp(w[4], "kid=", 4))
			return fail(p, "issuer: unexpected '%s' (kid=KID?)",
				    w[4]);
		if (parse_id(p, "issuer kid", w[4] + 4, k->kid, sizeof(k->kid)))
			return -1;
	}
	int same = 0;

	for (int i = 0; i < p->cfg->n_keys; i++)
		same += !strcmp(p->cfg->keys[i].issuer, k->issuer);
	if (same == LMIGD_KEYS_PER_ISSUER)
		return fail(p, "issuer: at most %d keys per issuer",
			    LMIGD_KEYS_PER_ISSUER);
	p->cfg->n_keys++;
	return 0;
}

/* Two classes for one port would make the verdict depend on order. */
static int check_overlap(struct parser *p, const struct lmigd_service *s)
{
	for (int i = 0; i < p->cfg->n_services; i++) {
		const struct lmigd_service *o = &p->cfg->services[i];

		if (o->slot == s->slot && s->first <= o->last &&
		    o->first <= s->last)
			return fail(p,
				    "service: %s ports %u-%u overlap %u-%u "
				    "(%s) from line %d",
				    lmig_l4_name(s->slot), s->first, s->last,
				    o->first, o->last,
				    lmig_class_name(o->class), o->line);
	}
	return 0;
}

static int parse_service(struct parser *p, char **w, int n)
{
	struct lmigd_service *s = &p->cfg->services[p->cfg->n_services];
	char why[96];

	if (n != 4)
		return fail(p, "service: expected 'service CLASS udp|tcp|sctp "
			       "PORT[-PORT]'");
	if (p->cfg->n_services == LMIGD_MAX_SERVICES)
		return fail(p, "service: at most %d entries",
			    LMIGD_MAX_SERVICES);
	memset(s, 0, sizeof(*s));
	s->line = p->line;
	if (lmig_class_parse(w[1], &s->class) || s->class == LMIG_CLASS_NONE ||
	    s->class >= __LMIG_PORT_CLASS_MAX)
		return fail(p,
			    "service: class '%s' unknown (open, ptt, video, "
			    "data, deny)",
			    w[1]);
	if (lmig_l4_parse(w[2], &s->slot))
		return fail(p,
			    "service: protocol '%s' unknown (udp, tcp, sctp)",
			    w[2]);
	if (lmig_port_range_parse(w[3], &s->first, &s->last, why, sizeof(why)))
		return fail(p, "service: %s", why);
	if (check_overlap(p, s))
		return -1;
	p->cfg->n_services++;
	return 0;
}

/* RATE [BURST]: packets per second, 0 for none; burst in packets. */
static int parse_rate(struct parser *p, char **w, int n, bool with_burst,
		      struct lmigd_rate *r)
{
	unsigned long v;

	if (n != (with_burst ? 3 : 2))
		return fail(p, "%s: expected '%s RATE%s'", w[0], w[0],
			    with_burst ? " BURST" : "");
	if (parse_uint(p, w[0], w[1], 0, 1000000000, &v))
		return -1;
	r->rate = v;
	r->burst = v ? v : 1;
	if (with_burst) {
		if (parse_uint(p, w[0], w[2], 1, 1000000000, &v))
			return -1;
		r->burst = v;
	}
	return 0;
}

static int once(struct parser *p, bool *seen, const char *what)
{
	if (*seen)
		return fail(p, "%s given twice", what);
	*seen = true;
	return 0;
}

static int rate_directive(struct parser *p, char **w, int n, bool *seen,
			  bool with_burst, struct lmigd_rate *r)
{
	if (once(p, seen, w[0]))
		return -1;
	return parse_rate(p, w, n, with_burst, r);
}

/* max-addresses-per-user N [replace-oldest|refuse] */
static int parse_max_addresses(struct parser *p, char **w, int n)
{
	unsigned long v;

	if (once(p, &p->seen_max_addrs, w[0]))
		return -1;
	if (n != 2 && n != 3)
		return fail(p, "%s: expected '%s N [replace-oldest|refuse]'",
			    w[0], w[0]);
	if (parse_uint(p, w[0], w[1], 1, LMIGD_MAX_ADDRESSES_LIMIT, &v))
		return -1;
	p->cfg->max_addresses = v;
	if (n == 2 || !strcmp(w[2], "replace-oldest"))
		p->cfg->addr_policy = LMIGD_ADDR_REPLACE_OLDEST;
	else if (!strcmp(w[2], "refuse"))
		p->cfg->addr_policy = LMIGD_ADDR_REFUSE;
	else
		return fail(p, "%s: '%s' is neither replace-oldest nor refuse",
			    w[0], w[2]);
	return 0;
}

static int parse_directive(struct parser *p, char **w, int n)
{
	struct lmigd_config *cfg = p->cfg;
	const char *d = w[0];
	unsigned long v;

	if (!strcmp(d, "issuer"))
		return parse_issuer(p, w, n);
	if (!strcmp(d, "service"))
		return parse_service(p, w, n);
	if (!strcmp(d, "open-limit-source"))
		return rate_directive(p, w, n, &p->seen_open_source, true,
				      &cfg->open_source);
	if (!strcmp(d, "open-limit-total"))
		return rate_directive(p, w, n, &p->seen_open_total, true,
				      &cfg->open_total);
	if (!strcmp(d, "connection-rate"))
		return rate_directive(p, w, n, &p->seen_conn_rate, true,
				      &cfg->connection_rate);
	if (!strcmp(d, "max-addresses-per-user"))
		return parse_max_addresses(p, w, n);
	if (!strcmp(d, "denial-samples"))
		return rate_directive(p, w, n, &p->seen_denials, false,
				      &cfg->denials);
	if (n != 2)
		return fail(p, "%s: expected exactly one value", d);

	if (!strcmp(d, "audience")) {
		if (cfg->audience[0])
			return fail(p, "audience given twice");
		return parse_id(p, d, w[1], cfg->audience,
				sizeof(cfg->audience));
	}
	if (!strcmp(d, "listen"))
		return parse_listen(p, w[1]);
	if (!strcmp(d, "tls-certificate")) {
		if (cfg->tls_cert[0])
			return fail(p, "tls-certificate given twice");
		return parse_path(p, d, w[1], cfg->tls_cert);
	}
	if (!strcmp(d, "tls-key")) {
		if (cfg->tls_key[0])
			return fail(p, "tls-key given twice");
		return parse_path(p, d, w[1], cfg->tls_key);
	}
	if (!strcmp(d, "clock-skew")) {
		if (once(p, &p->seen_skew, d) ||
		    parse_uint(p, d, w[1], 0, LMIGD_MAX_SKEW, &v))
			return -1;
		cfg->clock_skew = v;
		return 0;
	}
	if (!strcmp(d, "max-admission")) {
		if (once(p, &p->seen_max, d) ||
		    parse_uint(p, d, w[1], 1, 366UL * 86400, &v))
			return -1;
		cfg->max_admission = v;
		return 0;
	}
	if (!strcmp(d, "max-connections")) {
		if (once(p, &p->seen_maxconn, d) ||
		    parse_uint(p, d, w[1], 1, 65536, &v))
			return -1;
		cfg->max_connections = v;
		return 0;
	}
	if (!strcmp(d, "workers")) {
		if (once(p, &p->seen_workers, d))
			return -1;
		if (!strcmp(w[1], "auto")) {
			cfg->workers = 0;
			return 0;
		}
		if (parse_uint(p, d, w[1], 1, LMIGD_WORKERS_MAX, &v))
			return -1;
		cfg->workers = v;
		return 0;
	}
	if (!strcmp(d, "worker-queue")) {
		if (once(p, &p->seen_worker_queue, d) ||
		    parse_uint(p, d, w[1], 1, 65536, &v))
			return -1;
		cfg->worker_queue = v;
		return 0;
	}
	if (!strcmp(d, "instance")) {
		size_t len = strlen(w[1]);

		if (once(p, &p->seen_instance, d))
			return -1;
		if (len == 0 || len >= sizeof(cfg->instance) ||
		    strspn(w[1], "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQ"
				 "RSTUVWXYZ0123456789_-") != len)
			return fail(p,
				    "instance: '%s' must be 1 to 64 of "
				    "A-Z a-z 0-9 _ -",
				    w[1]);
		memcpy(cfg->instance, w[1], len + 1);
		return 0;
	}
	if (!strcmp(d, "interface")) {
		size_t len = strlen(w[1]);

		if (cfg->n_interfaces == LMIGD_MAX_INTERFACES)
			return fail(p, "interface: at most %d",
				    LMIGD_MAX_INTERFACES);
		if (len == 0 || len >= IF_NAMESIZE || strchr(w[1], '/'))
			return fail(p,
				    "interface: '%s' is not an interface "
				    "name",
				    w[1]);
		for (int i = 0; i < cfg->n_interfaces; i++)
			if (!strcmp(cfg->interfaces[i], w[1]))
				return fail(p, "interface: '%s' given twice",
					    w[1]);
		memcpy(cfg->interfaces[cfg->n_interfaces++], w[1], len + 1);
		return 0;
	}
	if (!strcmp(d, "xdp-mode")) {
		if (once(p, &p->seen_mode, d))
			return -1;
		if (!strcmp(w[1], "auto"))
			cfg->xdp_mode = LMIGD_XDP_AUTO;
		else if (!strcmp(w[1], "native"))
			cfg->xdp_mode = LMIGD_XDP_NATIVE;
		else if (!strcmp(w[1], "generic"))
			cfg->xdp_mode = LMIGD_XDP_GENERIC;
		else
			return fail(p,
				    "xdp-mode: '%s' unknown (auto, native, "
				    "generic)",
				    w[1]);
		return 0;
	}
	if (!strcmp(d, "unclassified")) {
		if (once(p, &p->seen_default, d))
			return -1;
		if (lmig_default_parse(w[1], &cfg->unclassified))
			return fail(p,
				    "unclassified: '%s' unknown (pass, "
				    "drop)",
				    w[1]);
		return 0;
	}
	return fail(p, "unknown directive '%s'", d);
}

/* Split a line into words; '#' at a word start begins a comment. */
static int split(struct parser *p, char *line, char **w)
{
	int n = 0;

	for (char *s = line;;) {
		while (*s == ' ' || *s == '\t')
			s++;
		if (!*s || *s == '#')
			return n;
		if (n == MAX_WORDS)
			return fail(p, "too many words");
		w[n++] = s;
		while (*s && *s != ' ' && *s != '\t')
			s++;
		if (*s)
			*s++ = '\0';
	}
}

/* The admission endpoint must stay reachable: its ports are open. */
static int open_listen_ports(struct parser *p)
{
	struct lmigd_config *cfg = p->cfg;

	for (int i = 0; i < cfg->n_listen; i++) {
		uint16_t port = lmigd_listen_port(&cfg->listen[i]);
		struct lmigd_service s = {
			.class = LMIG_CLASS_OPEN,
			.slot = LMIG_L4_TCP,
			.first = port,
			.last = port,
			.line = 0,
		};
		bool present = false;

		for (int j = 0; j < cfg->n_services; j++) {
			const struct lmigd_service *o = &cfg->services[j];

			if (o->slot != s.slot || port < o->first ||
			    port > o->last)
				continue;
			if (o->class != LMIG_CLASS_OPEN) {
				p->line = o->line;
				return fail(p,
					    "service: tcp port %u is the "
					    "admission endpoint and must be "
					    "open, not %s",
					    port, lmig_class_name(o->class));
			}
			present = true;
		}
		if (present)
			continue;
		if (cfg->n_services == LMIGD_MAX_SERVICES) {
			p->line = 0;
			return fail(p, "too many services");
		}
		cfg->services[cfg->n_services++] = s;
	}
	return 0;
}

static int check_complete(struct parser *p)
{
	struct lmigd_config *cfg = p->cfg;
	static const struct {
		size_t offset;
		const char *name;
	} required[] = {
		{offsetof(struct lmigd_config, audience), "audience"},
		{offsetof(struct lmigd_config, tls_cert), "tls-certificate"},
		{offsetof(struct lmigd_config, tls_key), "tls-key"},
	};

	p->line = 0;
	for (size_t i = 0; i < sizeof(required) / sizeof(required[0]); i++)
		if (!((char *)cfg)[required[i].offset])
			return fail(p, "'%s' is required", required[i].name);
	if (!cfg->n_listen)
		return fail(p, "'listen' is required");
	if (!cfg->n_keys)
		return fail(p, "at least one 'issuer' is required");
	if (!cfg->n_interfaces)
		return fail(p, "at least one 'interface' is required");
	return open_listen_ports(p);
}

int lmigd_config_parse(const char *text, const char *name,
		       struct lmigd_config *cfg, char *err, size_t errlen)
{
	struct parser p = {
		.cfg = cfg,
		.name = name,
		.err = err,
		.errlen = errlen,
	};
	const char *slash = strrchr(name, '/');
	char *copy, *line, *next;
	int ret = 0;

	memset(cfg, 0, sizeof(*cfg));
	snprintf(cfg->path, sizeof(cfg->path), "%s", name);
	cfg->clock_skew = LMIGD_MAX_SKEW;
	cfg->max_admission = 86400;
	cfg->max_connections = 256;
	strcpy(cfg->instance, LMIG_INSTANCE_DEFAULT);
	cfg->unclassified = LMIG_DEFAULT_PASS;
	cfg->max_addresses = LMIGD_MAX_ADDRESSES;
	cfg->addr_policy = LMIGD_ADDR_REPLACE_OLDEST;
	cfg->connection_rate = (struct lmigd_rate){LMIGD_CONN_RATE,
						   LMIGD_CONN_BURST};
	cfg->open_source = (struct lmigd_rate){LMIGD_OPEN_SOURCE_RATE,
					       LMIGD_OPEN_SOURCE_BURST};
	cfg->open_total = (struct lmigd_rate){LMIGD_OPEN_TOTAL_RATE,
					      LMIGD_OPEN_TOTAL_BURST};
	cfg->denials = (struct lmigd_rate){LMIGD_DENIAL_RATE,
					   LMIGD_DENIAL_RATE};
	if (slash && (size_t)(slash - name) < sizeof(p.dir))
		snprintf(p.dir, sizeof(p.dir), "%.*s", (int)(slash - name),
			 name);

	copy = strdup(text);
	if (!copy) {
		snprintf(err, errlen, "%s: out of memory", name);
		return -1;
	}
	for (line = copy; line && !ret; line = next) {
		char *w[MAX_WORDS];
		int n;

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		p.line++;
		for (char *c = line; *c; c++)
			if ((unsigned char)*c < 0x20 && *c != '\t') {
				ret = fail(&p, "control character in line");
				break;
			}
		if (ret)
			break;
		n = split(&p, line, w);
		if (n < 0)
			ret = -1;
		else if (n > 0)
			ret = parse_directive(&p, w, n);
	}
	free(copy);
	if (!ret)
		ret = check_complete(&p);
	return ret;
}

int lmigd_config_load(const char *path, struct lmigd_config *cfg, char *err,
		      size_t errlen)
{
	FILE *f = fopen(path, "r");
	char *text;
	size_t n;
	int ret;

	if (!f) {
		memset(cfg, 0, sizeof(*cfg));
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	text = malloc(MAX_FILE_SIZE + 1);
	if (!text) {
		fclose(f);
		snprintf(err, errlen, "%s: out of memory", path);
		return -1;
	}
	n = fread(text, 1, MAX_FILE_SIZE + 1, f);
	ret = ferror(f);
	fclose(f);
	if (ret || n > MAX_FILE_SIZE || memchr(text, '\0', n)) {
		free(text);
		memset(cfg, 0, sizeof(*cfg));
		snprintf(err, errlen, "%s: %s", path,
			 ret		     ? "read error"
			 : n > MAX_FILE_SIZE ? "larger than 1 MiB"
					     : "holds a NUL byte");
		return -1;
	}
	text[n] = '\0';
	ret = lmigd_config_parse(text, path, cfg, err, errlen);
	free(text);
	return ret;
}

uint16_t lmigd_listen_port(const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET6)
		return ntohs(((const struct sockaddr_in6 *)ss)->sin6_port);
	return ntohs(((const struct sockaddr_in *)ss)->sin_port);
}

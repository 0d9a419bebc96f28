/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * lmigd configuration file (default /etc/lmig/lmigd.conf): one directive
 * per line, words separated by blanks, '#' starts a comment at the start
 * of a line or after a blank. See etc/lmig/lmigd.conf for every directive.
 * A file is accepted whole or not at all; every error names file and line.
 */
#ifndef LMIG_AGENT_CONFIG_H
#define LMIG_AGENT_CONFIG_H

#include <limits.h>
#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#define LMIGD_CONFIG_DEFAULT  "/etc/lmig/lmigd.conf"
#define LMIGD_MAX_LISTEN      8
#define LMIGD_MAX_ISSUER_KEYS 64
#define LMIGD_MAX_INTERFACES  32
#define LMIGD_MAX_SERVICES    256
#define LMIGD_MAX_SKEW	      30  /* seconds, TS 33.180 */
#define LMIGD_ISSUER_MAX      255 /* bytes, as the trust store */
#define LMIGD_KEYS_PER_ISSUER 16
#define LMIGD_STR_MAX	      512
/* Defaults of the rate limits (packets per second, burst in packets). */
#define LMIGD_OPEN_SOURCE_RATE	100
#define LMIGD_OPEN_SOURCE_BURST 200
#define LMIGD_OPEN_TOTAL_RATE	20000
#define LMIGD_OPEN_TOTAL_BURST	40000
#define LMIGD_DENIAL_RATE	10
/* New TLS connections a second from one address, and their burst. */
#define LMIGD_CONN_RATE	 20
#define LMIGD_CONN_BURST 40
/* Addresses one user may hold admissions for at once. */
#define LMIGD_MAX_ADDRESSES	  4
#define LMIGD_MAX_ADDRESSES_LIMIT 1024 /* the most it may be set to */

/* What a user over max-addresses-per-user gets. */
enum lmigd_addr_policy {
	LMIGD_ADDR_REPLACE_OLDEST, /* the oldest other address is ended */
	LMIGD_ADDR_REFUSE,	   /* the new address is refused */
};

enum lmigd_xdp_mode {
	LMIGD_XDP_AUTO, /* native, else generic (logged) */
	LMIGD_XDP_NATIVE,
	LMIGD_XDP_GENERIC,
};

struct lmigd_issuer_key {
	char issuer[LMIGD_ISSUER_MAX + 1]; /* the iss claim, exact */
	char cert[PATH_MAX];		   /* PEM certificate file */
	char alg[16];			   /* the one JWS alg of this key */
	char kid[128];			   /* optional configured kid */
	int line;
};

struct lmigd_service {
	uint32_t class;	      /* enum lmig_class, below __LMIG_PORT_CLASS_MAX */
	uint32_t slot;	      /* enum lmig_l4_slot */
	uint16_t first, last; /* port range, inclusive */
	int line;
};

/* A rate limit: packets per second (0: none) and burst (packets). */
struct lmigd_rate {
	uint64_t rate;
	uint64_t burst;
};

struct lmigd_config {
	char path[PATH_MAX];
	char audience[LMIGD_STR_MAX];
	struct sockaddr_storage listen[LMIGD_MAX_LISTEN];
	int n_listen;
	char tls_cert[PATH_MAX];
	char tls_key[PATH_MAX];
	struct lmigd_issuer_key keys[LMIGD_MAX_ISSUER_KEYS];
	int n_keys;
	unsigned int clock_skew;    /* seconds */
	unsigned int max_admission; /* seconds an admission may last */
	unsigned int max_connections;
	char instance[65];
	char interfaces[LMIGD_MAX_INTERFACES][IF_NAMESIZE];
	int n_interfaces;
	enum lmigd_xdp_mode xdp_mode;
	uint32_t unclassified; /* enum lmig_default */
	struct lmigd_service services[LMIGD_MAX_SERVICES];
	int n_services;
	struct lmigd_rate open_source; /* open class, per source address */
	struct lmigd_rate open_total;  /* open class, all sources */
	struct lmigd_rate denials;     /* denial samples per second and CPU */
	struct lmigd_rate connection_rate; /* new connections, per source */
	unsigned int workers;	    /* verifying threads; 0: one per CPU */
	unsigned int worker_queue;  /* jobs in flight; 0: 64 per worker */
	unsigned int max_addresses; /* per user */
	enum lmigd_addr_policy addr_policy;
};

/*
 * Read and check a configuration file. Returns 0, or -1 with a message
 * "FILE:LINE: what" in err. cfg is fully written either way.
 */
int lmigd_config_load(const char *path, struct lmigd_config *cfg, char *err,
		      size_t errlen);

/* The same from a string, for tests; name stands for the file name. */
int lmigd_config_parse(const char *text, const char *name,
		       struct lmigd_config *cfg, char *err, size_t errlen);

/* Port of a listen address. */
uint16_t lmigd_listen_port(const struct sockaddr_storage *ss);

#endif /* LMIG_AGENT_CONFIG_H */

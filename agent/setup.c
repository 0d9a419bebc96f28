// SPDX-License-Identifier: GPL-2.0-only
/* Turning a configuration into a verifier and a fast path. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "names.h"
#include "setup.h"

int lmigd_build_verifier(const struct lmigd_config *cfg,
			 struct lmig_verifier **out, char *err, size_t errlen)
{
	struct lmig_verifier_config vc = {
		.audience = cfg->audience,
		.clock_skew = cfg->clock_skew,
	};
	struct lmig_trust *trust = lmig_trust_new();
	int ret;

	*out = NULL;
	if (!trust) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	for (int i = 0; i < cfg->n_keys; i++) {
		const struct lmigd_issuer_key *k = &cfg->keys[i];
		enum lmig_jws_alg alg = lmig_jws_alg_from_name(k->alg,
							       strlen(k->alg));
		char why[512];

		ret = lmig_trust_add_cert_file(trust, k->issuer, alg, k->kid,
					       k->cert, why, sizeof(why));
		if (ret) {
			snprintf(err, errlen, "%s:%d: issuer %s: %s", cfg->path,
				 k->line, k->issuer, why);
			lmig_trust_free(trust);
			return ret;
		}
	}
	ret = lmig_verifier_new(trust, &vc, out, err, errlen);
	if (ret)
		lmig_trust_free(trust);
	return ret;
}

/*
 * Make lmig_ports equal to the configured services without a moment in
 * which a configured MC port is unclassified: set every configured range
 * first, then return ports no longer configured to the default.
 */
struct stale {
	const uint8_t (*want)[65536];
	struct lmig_fp *fp;
	int err;
	size_t cleared;
};

static int clear_stale(uint32_t slot, uint16_t first, uint16_t last,
		       uint32_t class, void *ctx)
{
	struct stale *s = ctx;

	(void)class;
	for (uint32_t p = first; p <= last;) {
		uint32_t q = p;

		if (s->want[slot][p] != LMIG_CLASS_NONE) {
			p++;
			continue;
		}
		while (q + 1 <= last && s->want[slot][q + 1] == LMIG_CLASS_NONE)
			q++;
		s->err = lmig_fp_ports_set(s->fp, slot, p, q, LMIG_CLASS_NONE,
					   NULL, 0);
		if (s->err)
			return s->err;
		s->cleared += q - p + 1;
		p = q + 1;
	}
	return 0;
}

/* The classes of every port, then the settings of lmig_config: the
 * unclassified default and the rate limits. */
int lmigd_apply_services(const struct lmigd_config *cfg, struct lmig_fp *fp,
			 char *err, size_t errlen)
{
	uint8_t(*want)[65536] = calloc(__LMIG_L4_MAX, sizeof(*want));
	struct stale s = {.fp = fp};
	struct lmig_config c;
	int ret;

	if (!want) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	for (int i = 0; i < cfg->n_services; i++) {
		const struct lmigd_service *sv = &cfg->services[i];

		for (uint32_t p = sv->first; p <= sv->last; p++)
			want[sv->slot][p] = sv->class;
		ret = lmig_fp_ports_set(fp, sv->slot, sv->first, sv->last,
					sv->class, err, errlen);
		if (ret)
			goto out;
	}
	s.want = (const uint8_t(*)[65536])want;
	ret = lmig_fp_port_ranges(fp, clear_stale, &s, err, errlen);
	if (ret) {
		if (s.err)
			snprintf(err, errlen, "clearing old service ports: %s",
				 strerror(-s.err));
		goto out;
	}
	if (s.cleared)
		log_notice("%zu ports no longer configured returned to the "
			   "default",
			   s.cleared);

	ret = lmig_fp_config_get(fp, &c, err, errlen);
	if (!ret) {
		c.unclassified = cfg->unclassified;
		c.pad = 0;
		if (lmig_limit_set(&c.open_source, cfg->open_source.rate,
				   cfg->open_source.burst) ||
		    lmig_limit_set(&c.open_total, cfg->open_total.rate,
				   cfg->open_total.burst) ||
		    lmig_limit_set(&c.denials, cfg->denials.rate,
				   cfg->denials.burst)) {
			snprintf(err, errlen, "a rate limit is out of range");
			ret = -EINVAL;
			goto out;
		}
		ret = lmig_fp_config_set(fp, &c, err, errlen);
	}
out:
	free(want);
	return ret;
}

static enum lmig_xdp_mode xdp_mode(enum lmigd_xdp_mode m)
{
	switch (m) {
	case LMIGD_XDP_NATIVE:
		return LMIG_XDP_NATIVE;
	case LMIGD_XDP_GENERIC:
		return LMIG_XDP_GENERIC;
	default:
		return LMIG_XDP_AUTO;
	}
}

struct stale_links {
	const struct lmigd_config *cfg;
	char names[LMIGD_MAX_INTERFACES * 4][IF_NAMESIZE];
	int n;
};

static int collect_stale_link(const struct lmig_fp_link *link, void *ctx)
{
	struct stale_links *s = ctx;

	for (int i = 0; i < s->cfg->n_interfaces; i++)
		if (!strcmp(s->cfg->interfaces[i], link->ifname))
			return 0;
	if (s->n < (int)(sizeof(s->names) / sizeof(s->names[0])))
		snprintf(s->names[s->n++], IF_NAMESIZE, "%s", link->ifname);
	return 0;
}

int lmigd_attach(const struct lmigd_config *cfg, struct lmig_fp *fp, char *err,
		 size_t errlen)
{
	struct stale_links stale = {.cfg = cfg};
	char msg[LMIG_FP_MSG_MAX];
	int ret;

	for (int i = 0; i < cfg->n_interfaces; i++) {
		const char *ifname = cfg->interfaces[i];
		enum lmig_xdp_mode mode;
		bool reused;

		ret = lmig_fp_attach(fp, ifname, xdp_mode(cfg->xdp_mode), &mode,
				     &reused, msg, sizeof(msg));
		if (ret) {
			snprintf(err, errlen, "interface %s: %s", ifname, msg);
			return ret;
		}
		if (msg[0])
			log_warn("interface %s: %s", ifname, msg);
		log_info("enforcing on %s in %s mode%s", ifname,
			 lmig_xdp_mode_name(mode),
			 reused ? " (existing link kept, program updated)"
				: "");
	}
	if (lmig_fp_link_foreach(fp, collect_stale_link, &stale, msg,
				 sizeof(msg)))
		log_warn("listing links: %s", msg);
	for (int i = 0; i < stale.n; i++) {
		if (lmig_fp_detach(fp, stale.names[i], msg, sizeof(msg)))
			log_warn("detaching from %s: %s", stale.names[i], msg);
		else
			log_notice("interface %s is no longer configured: "
				   "detached",
				   stale.names[i]);
	}
	return 0;
}

/* SPDX-License-Identifier: GPL-2.0-only */
/* Turning a configuration into a verifier and a fast path. */
#ifndef LMIG_AGENT_SETUP_H
#define LMIG_AGENT_SETUP_H

#include <stddef.h>

#include "config.h"
#include "fastpath.h"
#include "token.h"

/* Load every issuer certificate and build the token verifier. */
int lmigd_build_verifier(const struct lmigd_config *cfg,
			 struct lmig_verifier **out, char *err, size_t errlen);

/* Set the traffic classes and the unclassified default. */
int lmigd_apply_services(const struct lmigd_config *cfg, struct lmig_fp *fp,
			 char *err, size_t errlen);

/* Attach to every configured interface; detach from ones no longer listed. */
int lmigd_attach(const struct lmigd_config *cfg, struct lmig_fp *fp, char *err,
		 size_t errlen);

#endif /* LMIG_AGENT_SETUP_H */

/* SPDX-License-Identifier: GPL-2.0-only */
/* lmigd check-token: the admission decision for one token, offline. */
#ifndef LMIG_AGENT_CHECK_TOKEN_H
#define LMIG_AGENT_CHECK_TOKEN_H

/* argv[0] is "check-token"; returns the exit status. */
int lmigd_check_token(int argc, char **argv);

#endif /* LMIG_AGENT_CHECK_TOKEN_H */

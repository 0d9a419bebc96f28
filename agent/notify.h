/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Readiness and stopping notices to the service manager (systemd's
 * sd_notify protocol: a datagram to $NOTIFY_SOCKET), so that "started"
 * means serving. Without NOTIFY_SOCKET these do nothing.
 */
#ifndef LMIG_AGENT_NOTIFY_H
#define LMIG_AGENT_NOTIFY_H

/* Send state, e.g. "READY=1" or "STOPPING=1". 0, or -errno. */
int lmigd_notify(const char *state);

#endif /* LMIG_AGENT_NOTIFY_H */

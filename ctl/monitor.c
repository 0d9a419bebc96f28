// SPDX-License-Identifier: GPL-2.0-only
/*
 * lmigctl monitor: the kernel's profile events (multicast group "events")
 * and the fast path's sampled denials (lmigd's denial feed, or the ring
 * buffer lmig_denials when no lmigd runs: denial_source.h), one line each
 * as they happen, text or JSON, until SIGINT or SIGTERM.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "clock.h"
#include "denial_source.h"
#include "fields.h"
#include "lmigctl.h"
#include "names.h"
#include "print.h"

/* A receive buffer for a large apply's burst of events. */
#define EVENTS_RCVBUF (4 * 1024 * 1024)

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

struct monitor {
	struct ctl *c;
	int64_t offset_ns; /* monotonic time to Unix time */
	uint64_t generation;
};

/* Start one line: the JSON object, the type and the time. */
static void line_start(struct monitor *m, const char *type, uint64_t t)
{
	print_init(m->c->json, false);
	print_time("time", "%s ", t);
	print_string(PRINT_ANY, "type", "%s", type);
}

static void line_end(void)
{
	print_text("\n");
	print_done();
}

static void print_brief(const char *key, const struct lmig_profile *p)
{
	if (print_is_json()) {
		ctl_print_profile(key, p);
		return;
	}
	printf(" user %u %s %s ", p->user_id, p->partner_id,
	       lmig_state_name(p->state));
	print_services(NULL, "%s", p->services);
}

static const char *event_type(uint8_t cmd)
{
	switch (cmd) {
	case LMIG_CMD_PROFILE_NEW_NTF:
		return "profile_new";
	case LMIG_CMD_PROFILE_CHANGE_NTF:
		return "profile_change";
	case LMIG_CMD_PROFILE_DEL_NTF:
		return "profile_del";
	case LMIG_CMD_FLUSH_NTF:
		return "flush";
	default:
		return NULL;
	}
}

static void lost(struct monitor *m, const char *why)
{
	line_start(m, "lost", (uint64_t)time(NULL));
	print_string(PRINT_ANY, "reason", ": %s", why);
	line_end();
}

static int on_event(const struct nlmsghdr *nlh, void *data)
{
	struct monitor *m = data;
	struct lmig_event ev;
	const char *type;

	if (lmig_event_parse(nlh, &ev))
		return 0;
	type = event_type(ev.cmd);
	if (!type)
		return 0;
	if (m->generation && ev.generation > m->generation + 1)
		lost(m, "events were missed (generation gap)");
	m->generation = ev.generation;
	line_start(m, type, (uint64_t)time(NULL));
	if (ev.cmd == LMIG_CMD_FLUSH_NTF) {
		print_uint(PRINT_ANY, "deleted", ": %llu profiles deleted",
			   ev.summary.deleted);
	} else {
		print_brief("profile", &ev.profile);
		if (ev.cmd == LMIG_CMD_PROFILE_CHANGE_NTF) {
			if (print_is_json())
				ctl_print_profile("old", &ev.old);
			print_text(", changed:");
			ctl_print_fields(
				"changed",
				ctl_profile_diff(&ev.profile, &ev.old));
			if (strcmp(ev.profile.partner_id, ev.old.partner_id))
				print_string(PRINT_TEXT, NULL,
					     " partner (was %s)",
					     ev.old.partner_id);
		}
	}
	print_uint(PRINT_ANY, "generation", " (generation %llu)",
		   ev.generation);
	line_end();
	return 0;
}

static int on_denial(const struct lmig_denial *dn, void *ctx)
{
	struct monitor *m = ctx;
	char addr[LMIG_ADDR_STRLEN];

	lmig_addr_format(&dn->src, addr, sizeof(addr));
	line_start(m, "denial",
		   lmig_clock_to_unix_at(dn->time_ns, m->offset_ns));
	print_string(PRINT_ANY, "address", " %s", addr);
	print_string(PRINT_ANY, "protocol", " %s",
		     dn->l4 < __LMIG_L4_MAX ? lmig_l4_name(dn->l4) : "-");
	print_uint(PRINT_ANY, "port", "/%llu", dn->dport);
	print_string(PRINT_ANY, "class", " class %s",
		     lmig_class_name(dn->class));
	print_string(PRINT_ANY, "reason", " %s", lmig_reason_name(dn->reason));
	line_end();
	return 0;
}

static void on_lost_samples(uint32_t n, void *ctx)
{
	struct monitor *m = ctx;

	line_start(m, "lost", (uint64_t)time(NULL));
	print_string(PRINT_ANY, "reason", ": %s",
		     "denial samples were lost (monitor too slow)");
	print_uint(PRINT_ANY, "samples", " (%llu)", n);
	line_end();
}

static void usage(FILE *out)
{
	fprintf(out,
		"usage: lmigctl [-j] [-i INSTANCE] monitor\n"
		"\n"
		"Print the kernel's profile events (profile_new, "
		"profile_change,\n"
		"profile_del, flush) and the fast path's sampled denials as "
		"they happen,\n"
		"one line each (with -j one JSON object a line), until "
		"interrupted\n"
		"(SIGINT, SIGTERM). Denial samples come from lmigd, which "
		"reads them\n"
		"and passes them on, or straight from the fast path when no "
		"lmigd runs;\n"
		"stderr says which. lmigd serves them to root only.\n");
}

int cmd_monitor(struct ctl *c, int argc, char **argv)
{
	struct monitor m = {.c = c, .offset_ns = lmig_clock_offset_ns()};
	struct denial_source ds = {.instance = c->instance,
				   .on_denial = on_denial,
				   .on_lost = on_lost_samples,
				   .ctx = &m};
	struct sigaction sa = {.sa_handler = on_signal};
	struct pollfd pfd[2];
	struct lmig_genl *nl;
	int rcvbuf = EVENTS_RCVBUF, err, ret = CTL_OK;
	bool denials;

	if (ctl_wants_help(argc, argv) ||
	    (argc == 1 && !strcmp(argv[0], "help"))) {
		usage(stdout);
		return CTL_OK;
	}
	if (argc) {
		ctl_error("monitor: takes no arguments");
		usage(stderr);
		return CTL_USAGE;
	}
	nl = ctl_genl(c);
	if (!nl)
		return CTL_UNAVAILABLE;
	err = lmig_genl_subscribe(nl);
	if (err) {
		ctl_error("monitor: cannot join the events group: %s",
			  lmig_genl_strerror(nl));
		return ctl_exit_for(err);
	}
	setsockopt(lmig_genl_fd(nl), SOL_SOCKET, SO_RCVBUF, &rcvbuf,
		   sizeof(rcvbuf));
	pfd[0] = (struct pollfd){.fd = lmig_genl_fd(nl), .events = POLLIN};
	denials = denial_source_open(&ds);

	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	fprintf(stderr,
		"lmigctl: monitoring profile events%s of instance %s; "
		"interrupt to stop\n",
		denials ? " and fast-path denials" : "", c->instance);

	while (!stop) {
		int n;

		pfd[1] = (struct pollfd){.fd = denial_source_fd(&ds),
					 .events = POLLIN};
		n = poll(pfd, 2, 500);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ctl_error("monitor: poll: %s", strerror(errno));
			ret = CTL_FAILED;
			break;
		}
		if (pfd[0].revents & POLLIN) {
			err = lmig_genl_recv_events(nl, 0, on_event, &m);
			if (err == -ENOBUFS)
				lost(&m, "events were lost (socket overflow)");
			else if (err < 0 && err != -EAGAIN) {
				ctl_error("monitor: %s",
					  lmig_genl_strerror(nl));
				ret = CTL_FAILED;
				break;
			}
		}
		if (denial_source_read(&ds,
				       pfd[1].fd < 0 ? 0 : pfd[1].revents)) {
			ret = CTL_FAILED;
			break;
		}
	}
	denial_source_close(&ds);
	return ret;
}

// SPDX-License-Identifier: GPL-2.0-only
/*
 * lmigd: the limited-migration admission agent. Verifies MC access tokens
 * offline, admits clients into the XDP fast path and mirrors the kernel's
 * profile table into it.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <bpf/libbpf.h>

#include "api.h"
#include "check_token.h"
#include "clock.h"
#include "clock_step.h"
#include "lmigd.h"
#include "log.h"
#include "mirror.h"
#include "notify.h"
#include "privs.h"
#include "setup.h"

#define LMIGD_VERSION	  "0.1.0"
#define GC_INTERVAL_TICKS 30

static struct lmigd lmigd = {.signal_fd = -1};

static void usage(FILE *out)
{
	fprintf(out,
		"usage: lmigd [-c FILE] [-v] [--check-config]\n"
		"       lmigd check-token [-c FILE] [--profiles FILE] [--now "
		"TIME] [-j] [TOKEN-FILE]\n"
		"\n"
		"  -c, --config FILE   configuration (default %s)\n"
		"  -v, --verbose       log debug messages too\n"
		"      --check-config  check the configuration and issuer\n"
		"                      certificates, then exit\n"
		"  -V, --version       print the version\n"
		"\n"
		"Signals: SIGHUP reloads issuers, audience, clock skew, "
		"limits\n"
		"and services; SIGTERM stops (admissions stay enforced).\n",
		LMIGD_CONFIG_DEFAULT);
}

static int libbpf_log(enum libbpf_print_level level, const char *fmt,
		      va_list ap)
{
	char line[512];
	size_t n;

	vsnprintf(line, sizeof(line), fmt, ap);
	n = strlen(line);
	if (n && line[n - 1] == '\n')
		line[n - 1] = '\0';
	lmigd_log(level == LIBBPF_WARN ? LMIGD_WARN : LMIGD_DEBUG, "%s", line);
	return 0;
}

static void on_kernel_event(void *arg, uint32_t events)
{
	(void)events;
	lmigd_mirror_events(arg);
}

/* The module may be reloaded under us: then user ids mean nothing. */
static void policy_check(struct lmigd *d)
{
	struct lmigd_table_info info;
	struct lmigd_kernel *k;
	char err[256];
	int ret = lmigd_kernel_info(d->kernel, &info);

	if (!ret && info.epoch == d->epoch)
		return;
	if (ret) {
		if (lmigd_kernel_open(&k, err, sizeof(err))) {
			log_err("lost the kernel policy: %s", err);
			return;
		}
		lmigd_loop_remove(d->loop, lmigd_kernel_event_fd(d->kernel));
		lmigd_kernel_close(d->kernel);
		d->kernel = k;
		lmigd_loop_add(d->loop, lmigd_kernel_event_fd(k), EPOLLIN,
			       on_kernel_event, d);
		log_notice("reconnected to the kernel policy");
	}
	lmigd_mirror_resync(d);
}

static void on_tick(void *arg)
{
	struct lmigd *d = arg;

	lmigd_server_expire(d->server);
	lmigd_denials_tick(d);
	lmigd_clock_follow(d);
	policy_check(d);
	if (d->resync_pending)
		lmigd_mirror_resync(d);
	if (++d->ticks % GC_INTERVAL_TICKS == 0)
		lmigd_mirror_gc(d);
}

/* What SIGHUP can change without a restart, and what it cannot. */
static void reload(struct lmigd *d)
{
	static struct lmigd_config cfg;
	struct lmigd_snapshot *snap;
	struct lmig_verifier *v;
	char err[1024];

	log_notice("reloading %s", d->cfg.path);
	if (lmigd_config_load(d->cfg.path, &cfg, err, sizeof(err)) ||
	    lmigd_build_verifier(&cfg, &v, err, sizeof(err))) {
		log_err("reload refused, the running configuration stays: %s",
			err);
		return;
	}
	snap = lmigd_snapshot_new(v);
	if (!snap) {
		log_err("reload refused, the running configuration stays: "
			"out of memory");
		lmig_verifier_free(v);
		return;
	}
	if (lmigd_apply_services(&cfg, d->fp, err, sizeof(err))) {
		log_err("reload: services: %s", err);
		lmigd_snapshot_put(snap);
		return;
	}
	if (memcmp(cfg.listen, d->cfg.listen, sizeof(cfg.listen)) ||
	    strcmp(cfg.tls_cert, d->cfg.tls_cert) ||
	    strcmp(cfg.tls_key, d->cfg.tls_key) ||
	    strcmp(cfg.instance, d->cfg.instance) ||
	    memcmp(cfg.interfaces, d->cfg.interfaces, sizeof(cfg.interfaces)) ||
	    cfg.workers != d->cfg.workers ||
	    cfg.worker_queue != d->cfg.worker_queue)
		log_warn("listen, TLS, instance, interface and worker changes "
			 "take effect at the next start");
	/*
	 * Tokens submitted from now on are verified with the new keys, and
	 * cached apart: what the old keys verified is no proof under the new
	 * ones. Jobs already on a worker finish with the snapshot they hold.
	 */
	lmigd_snapshot_put(d->snap);
	d->snap = snap;
	d->cfg.clock_skew = cfg.clock_skew;
	d->cfg.max_admission = cfg.max_admission;
	memcpy(d->cfg.audience, cfg.audience, sizeof(cfg.audience));
	memcpy(d->cfg.keys, cfg.keys, sizeof(cfg.keys));
	d->cfg.n_keys = cfg.n_keys;
	memcpy(d->cfg.services, cfg.services, sizeof(cfg.services));
	d->cfg.n_services = cfg.n_services;
	d->cfg.unclassified = cfg.unclassified;
	d->cfg.open_source = cfg.open_source;
	d->cfg.open_total = cfg.open_total;
	d->cfg.denials = cfg.denials;
	d->cfg.connection_rate = cfg.connection_rate;
	d->cfg.max_addresses = cfg.max_addresses;
	d->cfg.addr_policy = cfg.addr_policy;
	lmigd_server_set_rate(d->server, cfg.connection_rate.rate,
			      cfg.connection_rate.burst);
	log_notice("reloaded: %d issuer keys, %d service ranges", cfg.n_keys,
		   cfg.n_services);
}

static void on_workers(void *arg, uint32_t events)
{
	struct lmigd *d = arg;

	(void)events;
	lmigd_workers_collect(d->workers);
}

static void on_signal(void *arg, uint32_t events)
{
	struct lmigd *d = arg;
	struct signalfd_siginfo si;

	(void)events;
	while (read(d->signal_fd, &si, sizeof(si)) == sizeof(si)) {
		if (si.ssi_signo == SIGHUP) {
			lmigd_notify("RELOADING=1");
			reload(d);
			lmigd_notify("READY=1");
		} else {
			log_notice("stopping on signal %u; admitted users stay "
				   "enforced by the fast path",
				   si.ssi_signo);
			lmigd_loop_stop(d->loop);
		}
	}
}

static int start(struct lmigd *d)
{
	unsigned int n_workers, max_jobs;
	char err[1024];
	sigset_t mask;
	int ret;

	d->clock_anchor_ns = lmig_clock_offset_ns();
	ret = lmigd_kernel_open(&d->kernel, err, sizeof(err));
	if (ret) {
		log_err("%s", err);
		return ret;
	}
	ret = lmig_fp_load(d->cfg.instance, &d->fp, err, sizeof(err));
	if (ret) {
		log_err("fast path: %s", err);
		return ret;
	}
	log_info("fast path instance %s at %s", d->cfg.instance,
		 lmig_fp_dir(d->fp));
	ret = lmigd_apply_services(&d->cfg, d->fp, err, sizeof(err));
	if (!ret)
		ret = lmigd_attach(&d->cfg, d->fp, err, sizeof(err));
	if (ret) {
		log_err("%s", err);
		return ret;
	}
	ret = lmigd_mirror_resync(d);
	if (ret)
		return ret;
	/* After the resync: what it dropped is not counted against anyone. */
	d->addrs = lmigd_user_addrs_new();
	if (!d->addrs || lmigd_user_addrs_rebuild(d->addrs, d->fp)) {
		log_err("cannot index the admissions by user");
		return -ENOMEM;
	}

	d->loop = lmigd_loop_new();
	if (!d->loop)
		return -ENOMEM;
	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGHUP);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	d->signal_fd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
	if (d->signal_fd < 0 ||
	    lmigd_loop_add(d->loop, d->signal_fd, EPOLLIN, on_signal, d) ||
	    lmigd_loop_add(d->loop, lmigd_kernel_event_fd(d->kernel), EPOLLIN,
			   on_kernel_event, d))
		return -errno;
	lmigd_loop_set_tick(d->loop, on_tick, d);
	n_workers = d->cfg.workers ? d->cfg.workers : lmigd_workers_default();
	max_jobs = d->cfg.worker_queue ? d->cfg.worker_queue
				       : n_workers * LMIGD_JOBS_PER_WORKER;
	d->workers = lmigd_workers_new(n_workers, max_jobs);
	if (!d->workers) {
		log_err("starting %u worker threads: %s", n_workers,
			strerror(errno));
		return -errno;
	}
	if (lmigd_loop_add(d->loop, lmigd_workers_event_fd(d->workers), EPOLLIN,
			   on_workers, d))
		return -errno;
	log_info("%u worker threads verify tokens, %u jobs at most in flight",
		 n_workers, max_jobs);
	/* Before privileges go: the ring buffer is mapped once, here. */
	if (lmigd_denials_start(d, err, sizeof(err)))
		log_warn("drop samples will not be logged: %s", err);
	if (lmigd_server_start(&d->server, d->loop, &d->cfg, lmigd_api_handle,
			       d, err, sizeof(err))) {
		log_err("%s", err);
		return -EINVAL;
	}
	if (lmigd_drop_privileges(err, sizeof(err))) {
		log_err("dropping privileges: %s", err);
		return -EPERM;
	}
	log_notice("ready: %d issuer keys, audience %s, %d interfaces",
		   d->cfg.n_keys, d->cfg.audience, d->cfg.n_interfaces);
	lmigd_notify("READY=1");
	return 0;
}

static void stop(struct lmigd *d)
{
	lmigd_notify("STOPPING=1");
	/* Verifications under way end, with their answers, before the server.
	 */
	lmigd_workers_free(d->workers);
	lmigd_server_stop(d->server);
	lmigd_denials_stop(d);
	if (d->signal_fd >= 0)
		close(d->signal_fd);
	lmigd_loop_free(d->loop);
	lmig_fp_close(d->fp);
	lmigd_kernel_close(d->kernel);
	lmigd_snapshot_put(d->snap);
	lmigd_user_addrs_free(d->addrs);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"config", required_argument, NULL, 'c'},
		{"verbose", no_argument, NULL, 'v'},
		{"check-config", no_argument, NULL, 'C'},
		{"version", no_argument, NULL, 'V'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *path = LMIGD_CONFIG_DEFAULT;
	bool check_only = false, verbose = false;
	struct lmigd *d = &lmigd;
	struct lmig_verifier *verifier;
	char err[1024];
	int opt, ret;

	if (argc > 1 && !strcmp(argv[1], "check-token"))
		return lmigd_check_token(argc - 1, argv + 1);
	while ((opt = getopt_long(argc, argv, "c:vVh", opts, NULL)) != -1) {
		switch (opt) {
		case 'c':
			path = optarg;
			break;
		case 'v':
			verbose = true;
			break;
		case 'C':
			check_only = true;
			break;
		case 'V':
			printf("lmigd %s\n", LMIGD_VERSION);
			return 0;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "lmigd: unexpected argument '%s'\n",
			argv[optind]);
		usage(stderr);
		return 2;
	}
	lmigd_log_init(verbose ? LMIGD_DEBUG : LMIGD_INFO);
	libbpf_set_print(libbpf_log);
	signal(SIGPIPE, SIG_IGN);

	if (lmigd_config_load(path, &d->cfg, err, sizeof(err)) ||
	    lmigd_build_verifier(&d->cfg, &verifier, err, sizeof(err))) {
		log_err("%s", err);
		return 1;
	}
	d->snap = lmigd_snapshot_new(verifier);
	if (!d->snap) {
		log_err("out of memory");
		lmig_verifier_free(verifier);
		return 1;
	}
	if (check_only) {
		printf("%s: configuration OK: %d issuer keys, %d service "
		       "ranges, %d interfaces\n",
		       path, d->cfg.n_keys, d->cfg.n_services,
		       d->cfg.n_interfaces);
		lmigd_snapshot_put(d->snap);
		return 0;
	}

	ret = start(d);
	if (!ret)
		ret = lmigd_loop_run(d->loop);
	stop(d);
	return ret ? 1 : 0;
}

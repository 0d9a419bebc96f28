/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A fixed pool of worker threads for the CPU-heavy part of a request (the
 * token's signature check), so that every core verifies while the event
 * loop keeps serving.
 *
 * The loop submits a job; a worker calls its run(); the finished job goes
 * back to the loop, which is woken through an eventfd and calls done().
 * run() must touch only what the job owns or what is safe to share (a
 * snapshot it holds a reference to); done() runs on the loop thread and
 * may touch anything the loop owns. Jobs in flight (queued, running or
 * finished but not yet collected) are bounded: submit refuses past the
 * bound, and the caller answers 503.
 */
#ifndef LMIG_AGENT_WORKERS_H
#define LMIG_AGENT_WORKERS_H

#include <stdbool.h>

#define LMIGD_WORKERS_MAX     256
#define LMIGD_JOBS_PER_WORKER 64

struct lmigd_job {
	void (*run)(struct lmigd_job *job);
	/* ran is false for a job discarded unrun when the pool stops. */
	void (*done)(struct lmigd_job *job, bool ran);
	struct lmigd_job *next; /* the pool's */
};

struct lmigd_workers;

/*
 * Start n threads (n >= 1) with at most max_jobs jobs in flight.
 * Returns NULL with errno set on failure.
 */
struct lmigd_workers *lmigd_workers_new(unsigned int n, unsigned int max_jobs);

/* Readable when finished jobs wait for lmigd_workers_collect(). */
int lmigd_workers_event_fd(const struct lmigd_workers *w);

/* Queue a job: 0, or -EAGAIN when max_jobs are in flight. */
int lmigd_workers_submit(struct lmigd_workers *w, struct lmigd_job *job);

/* On the loop thread: call done(job, true) for every finished job. */
void lmigd_workers_collect(struct lmigd_workers *w);

/*
 * Stop: jobs running finish, queued ones are discarded, every job's done()
 * is called on the caller's thread (ran telling which), threads are joined
 * and the pool freed.
 */
void lmigd_workers_free(struct lmigd_workers *w);

unsigned int lmigd_workers_threads(const struct lmigd_workers *w);

/* Online CPUs, at least 1: the default number of workers. */
unsigned int lmigd_workers_default(void);

#endif /* LMIG_AGENT_WORKERS_H */

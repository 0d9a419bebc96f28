// SPDX-License-Identifier: GPL-2.0-only
/* Worker threads: a bounded job queue in, an eventfd-signalled queue out. */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "workers.h"

/* A FIFO of jobs through their next pointers. */
struct fifo {
	struct lmigd_job *head, *tail;
};

struct lmigd_workers {
	pthread_mutex_t lock;
	pthread_cond_t wake;
	struct fifo todo;     /* submitted, not started */
	struct fifo finished; /* run, not collected */
	unsigned int in_flight, max_jobs;
	bool stopping;
	int event_fd;
	unsigned int n_threads;
	pthread_t threads[LMIGD_WORKERS_MAX];
};

static void fifo_push(struct fifo *f, struct lmigd_job *job)
{
	job->next = NULL;
	if (f->tail)
		f->tail->next = job;
	else
		f->head = job;
	f->tail = job;
}

static struct lmigd_job *fifo_pop(struct fifo *f)
{
	struct lmigd_job *job = f->head;

	if (job) {
		f->head = job->next;
		if (!f->head)
			f->tail = NULL;
		job->next = NULL;
	}
	return job;
}

/* Take the whole FIFO, leaving it empty. */
static struct lmigd_job *fifo_take(struct fifo *f)
{
	struct lmigd_job *all = f->head;

	f->head = f->tail = NULL;
	return all;
}

static void signal_loop(struct lmigd_workers *w)
{
	uint64_t one = 1;

	/* Fails only when the counter is saturated: the loop is awake. */
	if (write(w->event_fd, &one, sizeof(one)) < 0)
		return;
}

static void *worker_main(void *arg)
{
	struct lmigd_workers *w = arg;

	pthread_mutex_lock(&w->lock);
	for (;;) {
		struct lmigd_job *job;

		while (!w->stopping && !w->todo.head)
			pthread_cond_wait(&w->wake, &w->lock);
		if (w->stopping)
			break;
		job = fifo_pop(&w->todo);
		pthread_mutex_unlock(&w->lock);

		job->run(job);

		pthread_mutex_lock(&w->lock);
		fifo_push(&w->finished, job);
		signal_loop(w);
	}
	pthread_mutex_unlock(&w->lock);
	return NULL;
}

struct lmigd_workers *lmigd_workers_new(unsigned int n, unsigned int max_jobs)
{
	struct lmigd_workers *w;
	int err;

	if (n < 1 || n > LMIGD_WORKERS_MAX || max_jobs < 1) {
		errno = EINVAL;
		return NULL;
	}
	w = calloc(1, sizeof(*w));
	if (!w)
		return NULL;
	w->max_jobs = max_jobs;
	w->event_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (w->event_fd < 0) {
		free(w);
		return NULL;
	}
	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->wake, NULL);
	for (unsigned int i = 0; i < n; i++) {
		err = pthread_create(&w->threads[i], NULL, worker_main, w);
		if (err) {
			lmigd_workers_free(w);
			errno = err;
			return NULL;
		}
		w->n_threads++;
	}
	return w;
}

int lmigd_workers_event_fd(const struct lmigd_workers *w)
{
	return w->event_fd;
}

int lmigd_workers_submit(struct lmigd_workers *w, struct lmigd_job *job)
{
	pthread_mutex_lock(&w->lock);
	if (w->in_flight >= w->max_jobs || w->stopping) {
		pthread_mutex_unlock(&w->lock);
		return -EAGAIN;
	}
	w->in_flight++;
	fifo_push(&w->todo, job);
	pthread_cond_signal(&w->wake);
	pthread_mutex_unlock(&w->lock);
	return 0;
}

static void finish(struct lmigd_job *list, bool ran)
{
	while (list) {
		struct lmigd_job *job = list;

		list = job->next;
		job->next = NULL;
		job->done(job, ran);
	}
}

void lmigd_workers_collect(struct lmigd_workers *w)
{
	struct lmigd_job *done, *j;
	uint64_t count;
	unsigned int n = 0;

	if (read(w->event_fd, &count, sizeof(count)) < 0 && errno != EAGAIN)
		return;
	pthread_mutex_lock(&w->lock);
	done = fifo_take(&w->finished);
	for (j = done; j; j = j->next)
		n++;
	w->in_flight -= n;
	pthread_mutex_unlock(&w->lock);
	/* Outside the lock: done() may submit again. */
	finish(done, true);
}

void lmigd_workers_free(struct lmigd_workers *w)
{
	struct lmigd_job *queued, *done;

	if (!w)
		return;
	pthread_mutex_lock(&w->lock);
	w->stopping = true;
	pthread_cond_broadcast(&w->wake);
	pthread_mutex_unlock(&w->lock);
	for (unsigned int i = 0; i < w->n_threads; i++)
		pthread_join(w->threads[i], NULL);
	/* Every thread is gone: no lock needed any more. */
	queued = fifo_take(&w->todo);
	done = fifo_take(&w->finished);
	finish(done, true);
	finish(queued, false);
	pthread_cond_destroy(&w->wake);
	pthread_mutex_destroy(&w->lock);
	close(w->event_fd);
	free(w);
}

unsigned int lmigd_workers_threads(const struct lmigd_workers *w)
{
	return w->n_threads;
}

unsigned int lmigd_workers_default(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	if (n < 1)
		return 1;
	return n > LMIGD_WORKERS_MAX ? LMIGD_WORKERS_MAX : (unsigned int)n;
}

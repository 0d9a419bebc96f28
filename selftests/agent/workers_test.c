// SPDX-License-Identifier: GPL-2.0-only
/*
 * The worker pool: every job runs once on a worker and finishes on the
 * caller's thread; jobs in flight are bounded; stopping finishes what
 * runs and hands back what waits; and real tokens verified on every
 * worker through one shared snapshot and cache, swapped under them as a
 * reload does, all come out right. Built twice: with ASan and UBSan, and
 * with ThreadSanitizer (selftests/agent-tsan/).
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>

#include "kselftest_harness.h"
#include "../unit/testutil.h"
#include "admit.h"
#include "snapshot.h"
#include "workers.h"

#define ISSUER	 "https://idms.primary.example"
#define AUDIENCE "https://mc.partner.example"

struct counting_job {
	struct lmigd_job job;
	atomic_bool *gate; /* NULL: do not wait */
	atomic_int *started;
	atomic_int *runs;
	int *done_ran, *done_discarded; /* the caller's thread only */
	pthread_t owner;
	bool wrong_thread;
};

static void counting_run(struct lmigd_job *job)
{
	struct counting_job *j = (struct counting_job *)job;

	atomic_fetch_add(j->started, 1);
	while (j->gate && !atomic_load(j->gate))
		usleep(1000);
	atomic_fetch_add(j->runs, 1);
}

static void counting_done(struct lmigd_job *job, bool ran)
{
	struct counting_job *j = (struct counting_job *)job;

	j->wrong_thread = !pthread_equal(j->owner, pthread_self());
	if (ran)
		(*j->done_ran)++;
	else
		(*j->done_discarded)++;
}

/* Collect until want jobs are done, waiting on the event fd (bounded). */
static bool collect_until(struct lmigd_workers *w, int *done, int want)
{
	struct pollfd p = {.fd = lmigd_workers_event_fd(w), .events = POLLIN};

	for (int i = 0; i < 1000 && *done < want; i++) {
		if (poll(&p, 1, 100) > 0)
			lmigd_workers_collect(w);
	}
	return *done == want;
}

TEST(every_job_runs_once_and_finishes_on_the_callers_thread)
{
	enum {
		N = 2000
	};
	static struct counting_job jobs[N];
	atomic_int started = 0, runs = 0;
	int ran = 0, discarded = 0;
	struct lmigd_workers *w = lmigd_workers_new(4, N);

	ASSERT_NE(NULL, w);
	EXPECT_EQ(4, lmigd_workers_threads(w));
	for (int i = 0; i < N; i++) {
		jobs[i] = (struct counting_job){
			.job = {.run = counting_run, .done = counting_done},
			.started = &started,
			.runs = &runs,
			.done_ran = &ran,
			.done_discarded = &discarded,
			.owner = pthread_self(),
		};
		ASSERT_EQ(0, lmigd_workers_submit(w, &jobs[i].job));
	}
	EXPECT_TRUE(collect_until(w, &ran, N));
	EXPECT_EQ(N, atomic_load(&runs));
	EXPECT_EQ(0, discarded);
	for (int i = 0; i < N; i++)
		EXPECT_FALSE(jobs[i].wrong_thread);
	lmigd_workers_free(w);
}

TEST(jobs_in_flight_are_bounded)
{
	struct counting_job jobs[4];
	atomic_bool gate = false;
	atomic_int started = 0, runs = 0;
	int ran = 0, discarded = 0;
	struct lmigd_workers *w = lmigd_workers_new(1, 3);

	ASSERT_NE(NULL, w);
	for (int i = 0; i < 4; i++)
		jobs[i] = (struct counting_job){
			.job = {.run = counting_run, .done = counting_done},
			.gate = &gate,
			.started = &started,
			.runs = &runs,
			.done_ran = &ran,
			.done_discarded = &discarded,
			.owner = pthread_self(),
		};
	for (int i = 0; i < 3; i++)
		ASSERT_EQ(0, lmigd_workers_submit(w, &jobs[i].job));
	EXPECT_EQ(-EAGAIN, lmigd_workers_submit(w, &jobs[3].job));
	atomic_store(&gate, true);
	EXPECT_TRUE(collect_until(w, &ran, 3));
	/* Collected jobs free their places. */
	EXPECT_EQ(0, lmigd_workers_submit(w, &jobs[3].job));
	EXPECT_TRUE(collect_until(w, &ran, 4));
	lmigd_workers_free(w);
	EXPECT_EQ(4, atomic_load(&runs));
	EXPECT_EQ(0, discarded);
}

static void *open_gate_later(void *arg)
{
	usleep(200 * 1000);
	atomic_store((atomic_bool *)arg, true);
	return NULL;
}

TEST(stopping_finishes_the_running_job_and_hands_back_the_queued)
{
	struct counting_job jobs[4];
	atomic_bool gate = false;
	atomic_int started = 0, runs = 0;
	int ran = 0, discarded = 0;
	struct lmigd_workers *w = lmigd_workers_new(1, 8);
	pthread_t opener;

	ASSERT_NE(NULL, w);
	for (int i = 0; i < 4; i++) {
		jobs[i] = (struct counting_job){
			.job = {.run = counting_run, .done = counting_done},
			.gate = &gate,
			.started = &started,
			.runs = &runs,
			.done_ran = &ran,
			.done_discarded = &discarded,
			.owner = pthread_self(),
		};
		ASSERT_EQ(0, lmigd_workers_submit(w, &jobs[i].job));
	}
	for (int i = 0; i < 1000 && !atomic_load(&started); i++)
		usleep(1000);
	ASSERT_EQ(1, atomic_load(&started));
	ASSERT_EQ(0, pthread_create(&opener, NULL, open_gate_later, &gate));
	lmigd_workers_free(w);
	pthread_join(opener, NULL);
	EXPECT_EQ(1, atomic_load(&runs));
	EXPECT_EQ(1, ran);
	EXPECT_EQ(3, discarded);
	for (int i = 0; i < 4; i++)
		EXPECT_FALSE(jobs[i].wrong_thread);
}

/* A verification on a worker, as the admission endpoint submits it. */
struct verify_job {
	struct lmigd_job job;
	struct lmigd_snapshot *snap;
	const char *token;
	int64_t now;
	bool ok;
	int *good, *done; /* the caller's thread only */
};

static void verify_run(struct lmigd_job *job)
{
	struct verify_job *j = (struct verify_job *)job;
	struct lmigd_admit_policy policy = {
		.verifier = j->snap->verifier,
		.cache = j->snap->cache,
	};
	struct lmigd_decision dec;

	j->ok = lmigd_admit_verify(&policy, j->token, strlen(j->token), j->now,
				   &dec) &&
		!strcmp(dec.token.mcptt_id, "sip:alice@primary.example");
}

static void verify_done(struct lmigd_job *job, bool ran)
{
	struct verify_job *j = (struct verify_job *)job;

	*j->good += ran && j->ok;
	(*j->done)++;
	lmigd_snapshot_put(j->snap);
}

static struct lmigd_snapshot *snapshot_for(const char *cert)
{
	const struct lmig_verifier_config vc = {.audience = AUDIENCE,
						.clock_skew = 5};
	struct lmig_trust *trust = lmig_trust_new();
	struct lmig_verifier *v;
	struct lmigd_snapshot *s;
	char err[512];

	if (!trust ||
	    lmig_trust_add_cert_file(trust, ISSUER, LMIG_JWS_ES256, NULL, cert,
				     err, sizeof(err)) ||
	    lmig_verifier_new(trust, &vc, &v, err, sizeof(err)))
		return NULL;
	s = lmigd_snapshot_new(v);
	if (!s)
		lmig_verifier_free(v);
	return s;
}

TEST(tokens_verify_on_every_worker_while_the_snapshot_is_swapped)
{
	enum {
		N = 400,
		TOKENS = 8
	};
	static struct verify_job jobs[N];
	static char tokens[TOKENS][4096];
	char dir[PATH_MAX], tool[PATH_MAX], key[PATH_MAX + 16],
		cert[PATH_MAX + 16];
	struct lmigd_snapshot *current;
	struct lmigd_workers *w;
	int good = 0, done = 0;
	int64_t now = time(NULL);

	ASSERT_TRUE(tu_tool_path("lmig-idms", tool));
	ASSERT_TRUE(tu_mkdtemp(dir));
	snprintf(key, sizeof(key), "%s/k.key", dir);
	snprintf(cert, sizeof(cert), "%s/k.pem", dir);
	{
		char *args[] = {"keygen", "--alg",  "ES256", "--key",
				key,	  "--cert", cert,    NULL};
		char out[64];

		ASSERT_EQ(0, tu_run_tool(tool, args, out, sizeof(out)));
	}
	for (int i = 0; i < TOKENS; i++) {
		char jti[16];
		char *args[] = {"mint",
				"--key",
				key,
				"--iss",
				ISSUER,
				"--aud",
				AUDIENCE,
				"--scope",
				"3gpp:mc:ptt_service",
				"--mcptt-id",
				"sip:alice@primary.example",
				"--jti",
				jti,
				NULL};

		snprintf(jti, sizeof(jti), "t%d", i);
		ASSERT_EQ(0, tu_run_tool(tool, args, tokens[i],
					 sizeof(tokens[i])));
		tokens[i][strcspn(tokens[i], "\n")] = '\0';
	}

	current = snapshot_for(cert);
	ASSERT_NE(NULL, current);
	w = lmigd_workers_new(4, N);
	ASSERT_NE(NULL, w);
	for (int i = 0; i < N; i++) {
		if (i % 50 == 49) {
			/* A reload: new snapshot, jobs keep theirs. */
			struct lmigd_snapshot *next = snapshot_for(cert);

			ASSERT_NE(NULL, next);
			lmigd_snapshot_put(current);
			current = next;
		}
		jobs[i] = (struct verify_job){
			.job = {.run = verify_run, .done = verify_done},
			.snap = lmigd_snapshot_get(current),
			.token = tokens[i % TOKENS],
			.now = now,
			.good = &good,
			.done = &done,
		};
		ASSERT_EQ(0, lmigd_workers_submit(w, &jobs[i].job));
		if (i % 16 == 0)
			lmigd_workers_collect(w);
	}
	EXPECT_TRUE(collect_until(w, &done, N));
	EXPECT_EQ(N, good);
	lmigd_workers_free(w);
	lmigd_snapshot_put(current);
	tu_rmdir(dir);
}

TEST_HARNESS_MAIN

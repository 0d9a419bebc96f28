// SPDX-License-Identifier: GPL-2.0-only
/*
 * Many hands on the tables at once. In each of two network namespaces,
 * writer threads create, change, replace, delete, flush and apply over a
 * small set of IDs so that they collide all the time; dumper threads dump
 * and check that every dump not flagged NLM_F_DUMP_INTR is one consistent
 * table; reader threads look profiles up by their IDs; a listener follows
 * the events. All for LMIG_STRESS_SECONDS (default 8) seconds, each
 * thread also bounded in iterations. Then:
 *
 *   - every request got one of the answers the API documents;
 *   - every uninterrupted dump was consistent, and some were;
 *   - events came in strictly increasing generations, stepping by one
 *     unless the listener's socket overflowed, and the last one is the
 *     table's generation;
 *   - each table is consistent through every index (kmod_test.h);
 *   - the kernel logged nothing (the VM runner checks).
 *
 * Run as root where lmig.ko is loaded, e.g. in the VM:
 *   selftests/vm/run -- /lmig/build/selftests/kmod/stress_test
 */
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>

#include "kmod_test.h"

#define NAMESPACES     2
#define WRITERS	       3
#define DUMPERS	       2
#define READERS	       1
#define NAMES	       48
#define PRIMARY_POOL   80
#define MAX_ITERATIONS 1000000UL
#define EVENT_RCVBUF   (4 * 1024 * 1024)

static atomic_bool stop;

struct worker {
	pthread_t thread;
	int netns; /* fd of the namespace to work in */
	unsigned int id;
	uint64_t rng;
	/* Results, read by the main thread after the join. */
	unsigned long ops, unexpected, consistent, interrupted, bad_dump;
	unsigned long gaps_unexplained, backwards, lost;
	uint64_t last_generation;
	int last_error;
	char what[128];
};

static uint32_t pick(struct worker *w, uint32_t n)
{
	w->rng ^= w->rng << 13;
	w->rng ^= w->rng >> 7;
	w->rng ^= w->rng << 17;
	return (uint32_t)(w->rng % n);
}

static struct lmig_genl *worker_open(struct worker *w)
{
	struct lmig_genl *nl;
	char why[256];

	if (setns(w->netns, CLONE_NEWNET) ||
	    lmig_genl_open(&nl, why, sizeof(why)))
		return NULL;
	return nl;
}

/* Errors a request may legitimately meet in a table others change. */
static void expect(struct worker *w, struct lmig_genl *nl, const char *op,
		   int ret)
{
	w->ops++;
	if (!ret || ret == -EEXIST || ret == -ENOENT)
		return;
	w->unexpected++;
	w->last_error = ret;
	snprintf(w->what, sizeof(w->what), "%s: %s", op,
		 lmig_genl_strerror(nl));
}

static void random_profile(struct worker *w, struct lmig_profile *p,
			   unsigned int name)
{
	char id[64];
	unsigned int n = 1 + pick(w, 3);

	snprintf(id, sizeof(id), "sip:user%u@partner.example", name);
	lmig_profile_init(p);
	lmig_profile_set_partner_id(p, id);
	for (unsigned int i = 0; i < n; i++) {
		snprintf(id, sizeof(id), "sip:p%u@primary.example",
			 pick(w, PRIMARY_POOL));
		lmig_profile_add_primary_id(p, id);
	}
	/* Two draws may give the same ID: keep the first. */
	for (unsigned int i = 1; i < p->n_primary_ids; i++)
		for (unsigned int j = 0; j < i; j++)
			if (!strcmp(p->primary_ids[i], p->primary_ids[j])) {
				p->n_primary_ids = i;
				break;
			}
	p->services = 1 + pick(w, LMIG_SERVICES_ALL);
	p->state = 1 + pick(w, 2);
	p->fields |= LMIG_PF_SERVICES | LMIG_PF_STATE;
	if (pick(w, 4) == 0)
		lmig_profile_set_comment(p, "stress");
}

/* A batch with IDs unique within it: names and primary IDs dealt out. */
static size_t random_batch(struct worker *w, struct lmig_profile *v, size_t max)
{
	size_t n = pick(w, (uint32_t)max + 1);
	unsigned int first = pick(w, NAMES);
	char id[64];

	for (size_t i = 0; i < n; i++) {
		lmig_profile_init(&v[i]);
		snprintf(id, sizeof(id), "sip:user%zu@partner.example",
			 (first + i) % NAMES);
		lmig_profile_set_partner_id(&v[i], id);
		snprintf(id, sizeof(id), "sip:p%zu@primary.example",
			 (first + i) % PRIMARY_POOL);
		lmig_profile_add_primary_id(&v[i], id);
		v[i].services = LMIG_SERVICE_PTT;
		v[i].fields |= LMIG_PF_SERVICES;
	}
	return n;
}

static void *writer(void *arg)
{
	struct lmig_profile p, *batch = calloc(NAMES, sizeof(*batch));
	struct worker *w = arg;
	struct lmig_genl *nl;

	nl = worker_open(w);
	if (!nl || !batch) {
		free(batch);
		w->unexpected++;
		snprintf(w->what, sizeof(w->what), "cannot open a handle");
		return NULL;
	}
	for (unsigned long i = 0; i < MAX_ITERATIONS && !atomic_load(&stop);
	     i++) {
		unsigned int op = pick(w, 100), name = pick(w, NAMES);
		int ret;

		random_profile(w, &p, name);
		if (op < 35) {
			expect(w, nl, "new",
			       lmig_profile_request(nl, LMIG_CMD_PROFILE_NEW,
						    &p, LMIG_PF_WRITABLE,
						    NULL));
		} else if (op < 55) {
			p.fields &= ~(pick(w, 2) ? LMIG_PF_PRIMARY_IDS : 0);
			expect(w, nl, "set",
			       lmig_profile_request(nl, LMIG_CMD_PROFILE_SET,
						    &p, LMIG_PF_WRITABLE,
						    NULL));
		} else if (op < 70) {
			expect(w, nl, "replace",
			       lmig_profile_replace(nl, &p, NULL));
		} else if (op < 93) {
			expect(w, nl, "del",
			       lmig_profile_request(nl, LMIG_CMD_PROFILE_DEL,
						    &p, LMIG_PF_PARTNER_ID,
						    NULL));
		} else if (op < 99) {
			size_t n = random_batch(w, batch, NAMES);

			ret = lmig_apply(nl, batch, n, NULL, NULL);
			/* Others may hold every transaction place. */
			expect(w, nl, "apply", ret == -EBUSY ? 0 : ret);
		} else {
			expect(w, nl, "flush", lmig_flush(nl, NULL));
		}
	}
	lmig_genl_close(nl);
	free(batch);
	return NULL;
}

struct dump_check {
	uint32_t last_user_id;
	bool bad;
	char partners[NAMES];
	char primaries[PRIMARY_POOL];
};

static int check_dumped(const struct lmig_profile *p, void *data)
{
	struct dump_check *c = data;
	unsigned int k;

	if (p->user_id <= c->last_user_id)
		c->bad = true;
	c->last_user_id = p->user_id;
	if (sscanf(p->partner_id, "sip:user%u@", &k) != 1 || k >= NAMES ||
	    c->partners[k]++)
		c->bad = true;
	for (unsigned int i = 0; i < p->n_primary_ids; i++)
		if (sscanf(p->primary_ids[i], "sip:p%u@", &k) != 1 ||
		    k >= PRIMARY_POOL || c->primaries[k]++)
			c->bad = true;
	return 0;
}

static void *dumper(void *arg)
{
	struct worker *w = arg;
	struct lmig_genl *nl = worker_open(w);

	if (!nl) {
		w->unexpected++;
		return NULL;
	}
	for (unsigned long i = 0; i < MAX_ITERATIONS && !atomic_load(&stop);
	     i++) {
		struct dump_check c = {};
		int ret = lmig_profile_dump(nl, check_dumped, &c);

		w->ops++;
		if (ret == -EINTR) {
			w->interrupted++;
		} else if (ret) {
			w->unexpected++;
			snprintf(w->what, sizeof(w->what), "dump: %s",
				 lmig_genl_strerror(nl));
		} else if (c.bad) {
			w->bad_dump++;
		} else {
			w->consistent++;
		}
	}
	lmig_genl_close(nl);
	return NULL;
}

static void *reader(void *arg)
{
	struct worker *w = arg;
	struct lmig_genl *nl = worker_open(w);
	struct lmig_profile got;
	char id[64];

	if (!nl) {
		w->unexpected++;
		return NULL;
	}
	for (unsigned long i = 0; i < MAX_ITERATIONS && !atomic_load(&stop);
	     i++) {
		bool found = false;
		int ret;

		snprintf(id, sizeof(id), "sip:p%u@primary.example",
			 pick(w, PRIMARY_POOL));
		ret = lmig_profile_get_by_primary(nl, id, &got);
		expect(w, nl, "get", ret);
		for (unsigned int k = 0; !ret && k < got.n_primary_ids; k++)
			found |= !strcmp(got.primary_ids[k], id);
		if (!ret && !found)
			w->bad_dump++; /* a look-up found the wrong profile */
	}
	lmig_genl_close(nl);
	return NULL;
}

static int follow(const struct nlmsghdr *nlh, void *data)
{
	struct worker *w = data;
	struct lmig_event ev;

	if (lmig_event_parse(nlh, &ev)) {
		w->unexpected++;
		return 0;
	}
	if (w->last_generation && ev.generation <= w->last_generation)
		w->backwards++;
	else if (w->last_generation &&
		 ev.generation != w->last_generation + 1 && !w->lost)
		w->gaps_unexplained++;
	w->lost = 0;
	w->last_generation = ev.generation;
	return 0;
}

static void *listener(void *arg)
{
	struct worker *w = arg;
	struct lmig_genl *nl = worker_open(w);
	int size = EVENT_RCVBUF;

	if (!nl || lmig_genl_subscribe(nl)) {
		w->unexpected++;
		return NULL;
	}
	setsockopt(lmig_genl_fd(nl), SOL_SOCKET, SO_RCVBUFFORCE, &size,
		   sizeof(size));
	/* Events keep coming a little while after the writers stop. */
	for (unsigned long i = 0; i < MAX_ITERATIONS; i++) {
		int ret = lmig_genl_recv_events(nl, 200, follow, w);

		if (ret == -ENOBUFS) {
			w->lost = 1;
			continue;
		}
		if (ret == -EAGAIN && atomic_load(&stop))
			break;
		if (ret < 0 && ret != -EAGAIN) {
			w->unexpected++;
			break;
		}
		w->ops += ret > 0 ? (unsigned long)ret : 0;
	}
	lmig_genl_close(nl);
	return NULL;
}

static int open_netns(void)
{
	if (unshare(CLONE_NEWNET))
		return -1;
	return open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
}

FIXTURE(stress)
{
	int netns[NAMESPACES];
	struct worker writers[NAMESPACES][WRITERS];
	struct worker dumpers[NAMESPACES][DUMPERS];
	struct worker readers[NAMESPACES][READERS];
	struct worker listeners[NAMESPACES];
};

FIXTURE_SETUP(stress)
{
	for (int n = 0; n < NAMESPACES; n++) {
		self->netns[n] = open_netns();
		ASSERT_LE(0, self->netns[n]);
	}
}

FIXTURE_TEARDOWN(stress)
{
	for (int n = 0; n < NAMESPACES; n++)
		if (self->netns[n] > 0)
			close(self->netns[n]);
}

static void start(struct __test_metadata *_metadata, struct worker *w,
		  int netns, unsigned int id, void *(*fn)(void *))
{
	w->netns = netns;
	w->id = id;
	w->rng = 0x9e3779b97f4a7c15ULL * (id + 1) + (uint64_t)time(NULL);
	ASSERT_EQ(0, pthread_create(&w->thread, NULL, fn, w));
}

static void finish(struct __test_metadata *_metadata, struct worker *w,
		   const char *role)
{
	ASSERT_EQ(0, pthread_join(w->thread, NULL));
	ASSERT_EQ(0U, w->unexpected)
	TH_LOG("%s %u: %lu unexpected answers, the last: %s", role, w->id,
	       w->unexpected, w->what);
	ASSERT_EQ(0U, w->bad_dump)
	TH_LOG("%s %u: %lu inconsistent results", role, w->id, w->bad_dump);
}

TEST_F_TIMEOUT(stress, writers_dumpers_readers_listeners, 600)
{
	unsigned long seconds = 8, writes = 0, consistent = 0, interrupted = 0;
	const char *env = getenv("LMIG_STRESS_SECONDS");
	int kmsg = lmig_test_kmsg_open();
	unsigned int id = 0;

	if (env && *env)
		seconds = strtoul(env, NULL, 10);
	for (int n = 0; n < NAMESPACES; n++) {
		start(_metadata, &self->listeners[n], self->netns[n], id++,
		      listener);
		for (int i = 0; i < WRITERS; i++)
			start(_metadata, &self->writers[n][i], self->netns[n],
			      id++, writer);
		for (int i = 0; i < DUMPERS; i++)
			start(_metadata, &self->dumpers[n][i], self->netns[n],
			      id++, dumper);
		for (int i = 0; i < READERS; i++)
			start(_metadata, &self->readers[n][i], self->netns[n],
			      id++, reader);
	}
	sleep((unsigned int)seconds);
	atomic_store(&stop, true);

	for (int n = 0; n < NAMESPACES; n++) {
		for (int i = 0; i < WRITERS; i++) {
			finish(_metadata, &self->writers[n][i], "writer");
			writes += self->writers[n][i].ops;
		}
		for (int i = 0; i < DUMPERS; i++) {
			finish(_metadata, &self->dumpers[n][i], "dumper");
			consistent += self->dumpers[n][i].consistent;
			interrupted += self->dumpers[n][i].interrupted;
		}
		for (int i = 0; i < READERS; i++)
			finish(_metadata, &self->readers[n][i], "reader");
		finish(_metadata, &self->listeners[n], "listener");
	}
	TH_LOG("%lu writes; dumps: %lu whole, %lu interrupted", writes,
	       consistent, interrupted);
	ASSERT_LT(0U, writes);
	ASSERT_LT(0U, consistent);

	for (int n = 0; n < NAMESPACES; n++) {
		struct worker *l = &self->listeners[n];
		struct lmig_genl *nl;
		char why[256];

		ASSERT_EQ(0U, l->backwards);
		ASSERT_EQ(0U, l->gaps_unexplained);
		ASSERT_EQ(0, setns(self->netns[n], CLONE_NEWNET));
		ASSERT_EQ(0, lmig_genl_open(&nl, why, sizeof(why)));
		lmig_test_audit(_metadata, nl);
		/* The listener heard up to the last change, if it could. */
		if (!l->lost)
			ASSERT_EQ(lmig_test_info(_metadata, nl).generation,
				  l->last_generation);
		ASSERT_EQ(0, lmig_flush(nl, NULL));
		lmig_genl_close(nl);
	}
	ASSERT_KERNEL_QUIET(kmsg);
}

LMIG_TEST_MAIN

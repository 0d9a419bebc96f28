// SPDX-License-Identifier: GPL-2.0-only
/*
 * The denial feed: a subscriber gets a hello, then every sample as lmigd
 * read it; a subscriber that does not read loses samples, counted and
 * told with the next one, while publishing never waits; peers other than
 * root are refused, and so is one subscriber too many; a subscriber that
 * leaves is forgotten; a second feed of one instance cannot start.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "denial_feed.h"
#include "feed.h"
#include "loop.h"

FIXTURE(feed)
{
	char instance[32];
	struct lmigd_loop *loop;
	struct lmigd_feed *feed;
};

FIXTURE_SETUP(feed)
{
	char err[256];

	snprintf(self->instance, sizeof(self->instance), "feedtest-%d",
		 (int)getpid());
	self->loop = lmigd_loop_new();
	ASSERT_NE(NULL, self->loop);
	ASSERT_EQ(0, lmigd_feed_start(&self->feed, self->loop, self->instance,
				      err, sizeof(err)))
	TH_LOG("%s", err);
}

FIXTURE_TEARDOWN(feed)
{
	lmigd_feed_stop(self->feed);
	lmigd_loop_free(self->loop);
}

static struct lmig_denial sample(uint32_t i)
{
	struct lmig_denial d = {.time_ns = 1000 + i,
				.dport = (uint16_t)(5000 + i % 100),
				.l4 = LMIG_L4_UDP,
				.class = LMIG_CLASS_PTT,
				.reason = LMIG_DROP_NO_ADMISSION};

	d.src.addr[10] = d.src.addr[11] = 0xff;
	memcpy(&d.src.addr[12], &i, sizeof(i));
	return d;
}

/* Connect, let the loop accept, read the answer. */
static int subscribe(struct lmigd_loop *loop, const char *instance, int *fd)
{
	char msg[256];
	int err = lmig_feed_connect(instance, fd, msg, sizeof(msg));

	if (err)
		return err;
	lmigd_loop_run_once(loop, 1000);
	err = lmig_feed_hello(*fd, 1000, msg, sizeof(msg));
	if (err)
		close(*fd);
	return err;
}

TEST_F(feed, every_sample_reaches_the_subscriber)
{
	struct lmig_feed_msg m;
	int fd;

	ASSERT_EQ(0, subscribe(self->loop, self->instance, &fd));
	EXPECT_EQ(1, lmigd_feed_subscribers(self->feed));
	for (uint32_t i = 0; i < 10; i++) {
		struct lmig_denial d = sample(i);

		lmigd_feed_publish(self->feed, &d);
	}
	for (uint32_t i = 0; i < 10; i++) {
		struct lmig_denial d = sample(i);

		ASSERT_EQ(1, lmig_feed_recv(fd, &m));
		EXPECT_EQ(LMIG_FEED_DENIAL, m.type);
		EXPECT_EQ(0, m.lost);
		EXPECT_EQ(0, memcmp(&d, &m.denial, sizeof(d)));
	}
	EXPECT_EQ(-EAGAIN, lmig_feed_recv(fd, &m));
	EXPECT_EQ(0, lmigd_feed_lost(self->feed));
	close(fd);
}

TEST_F(feed, a_slow_subscriber_loses_samples_and_is_told)
{
	enum {
		N = 20000
	};
	struct lmig_feed_msg m;
	struct lmig_denial d;
	struct timespec t0, t1;
	uint32_t got = 0, lost;
	int fd, n;

	ASSERT_EQ(0, subscribe(self->loop, self->instance, &fd));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (uint32_t i = 0; i < N; i++) {
		d = sample(i);
		lmigd_feed_publish(self->feed, &d);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	/* Never waited for the reader: far below a second. */
	EXPECT_LT(t1.tv_sec - t0.tv_sec, 2);
	lost = (uint32_t)lmigd_feed_lost(self->feed);
	EXPECT_GT(lost, 0);
	while ((n = lmig_feed_recv(fd, &m)) == 1) {
		d = sample(got);
		/* What queued is the first samples, whole and in order. */
		EXPECT_EQ(0, memcmp(&d, &m.denial, sizeof(d)));
		got++;
	}
	EXPECT_EQ(-EAGAIN, n);
	EXPECT_EQ(N, got + lost);
	d = sample(N);
	lmigd_feed_publish(self->feed, &d);
	ASSERT_EQ(1, lmig_feed_recv(fd, &m));
	EXPECT_EQ(lost, m.lost);
	EXPECT_EQ(0, memcmp(&d, &m.denial, sizeof(d)));
	/* Told once: the count starts again. */
	lmigd_feed_publish(self->feed, &d);
	ASSERT_EQ(1, lmig_feed_recv(fd, &m));
	EXPECT_EQ(0, m.lost);
	close(fd);
}

TEST_F(feed, a_peer_other_than_root_is_refused)
{
	char msg[256];
	pid_t pid, done = 0;
	int status, fd;

	if (geteuid() != 0)
		SKIP(return, "needs root to become another user");
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		if (setgid(65534) || setuid(65534))
			_exit(2);
		if (lmig_feed_connect(self->instance, &fd, msg, sizeof(msg)))
			_exit(3);
		_exit(lmig_feed_hello(fd, 3000, msg, sizeof(msg)) == -EACCES
			      ? 0
			      : 1);
	}
	/* Serve the loop while the child connects and reads its answer. */
	for (int i = 0; i < 50 && !done; i++) {
		lmigd_loop_run_once(self->loop, 100);
		done = waitpid(pid, &status, WNOHANG);
	}
	if (!done)
		done = waitpid(pid, &status, 0);
	ASSERT_EQ(pid, done);
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
	EXPECT_EQ(0, lmigd_feed_subscribers(self->feed));
}

TEST_F(feed, subscribers_are_bounded)
{
	int fds[LMIG_FEED_SUBSCRIBERS_MAX], fd;

	for (int i = 0; i < LMIG_FEED_SUBSCRIBERS_MAX; i++)
		ASSERT_EQ(0, subscribe(self->loop, self->instance, &fds[i]));
	EXPECT_EQ(LMIG_FEED_SUBSCRIBERS_MAX,
		  lmigd_feed_subscribers(self->feed));
	EXPECT_EQ(-EBUSY, subscribe(self->loop, self->instance, &fd));
	/* One leaves: its place is free again. */
	close(fds[0]);
	lmigd_loop_run_once(self->loop, 1000);
	EXPECT_EQ(LMIG_FEED_SUBSCRIBERS_MAX - 1,
		  lmigd_feed_subscribers(self->feed));
	ASSERT_EQ(0, subscribe(self->loop, self->instance, &fds[0]));
	for (int i = 0; i < LMIG_FEED_SUBSCRIBERS_MAX; i++)
		close(fds[i]);
}

TEST_F(feed, a_second_feed_of_the_instance_cannot_start)
{
	struct lmigd_feed *other;
	char err[256];

	EXPECT_EQ(-EADDRINUSE,
		  lmigd_feed_start(&other, self->loop, self->instance, err,
				   sizeof(err)));
	EXPECT_NE(NULL, strstr(err, "another lmigd"));
	EXPECT_EQ(NULL, other);
}

TEST(without_lmigd_connecting_is_refused)
{
	char msg[256];
	int fd;

	EXPECT_EQ(-ECONNREFUSED,
		  lmig_feed_connect("feedtest-none", &fd, msg, sizeof(msg)));
	EXPECT_NE(NULL, strstr(msg, "no lmigd serves it"));
	EXPECT_EQ(-EINVAL,
		  lmig_feed_connect("bad/name", &fd, msg, sizeof(msg)));
}

TEST_HARNESS_MAIN

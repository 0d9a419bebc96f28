// SPDX-License-Identifier: GPL-2.0-only
/*
 * The life of a namespace's table: it is freed, with every profile in it,
 * when its network namespace goes away.
 *
 * With arguments this is also the helper of unload.sh:
 *   table_test fill COUNT NAME   create profiles NAME1..NAMECOUNT here
 *   table_test info              print this namespace's table information
 *
 * Run as root where lmig.ko is loaded, e.g. in the VM:
 *   selftests/vm/run -- /lmig/build/selftests/kmod/table_test
 */
#include <stdlib.h>
#include <sys/wait.h>

#include "kmod_test.h"

/* Profiles alive in all namespaces together, kept by the module. */
#define LIVE_PROFILES "/sys/kernel/debug/lmig/profiles"

static long read_live_profiles(void)
{
	FILE *f = fopen(LIVE_PROFILES, "r");
	long n = -1;

	if (!f)
		return -1;
	if (fscanf(f, "%ld", &n) != 1)
		n = -1;
	fclose(f);
	return n;
}

/* Create profiles NAME1..NAMECOUNT, each with four primary IDs. */
static int fill(struct lmig_genl *nl, unsigned long count, const char *name)
{
	struct lmig_profile p;
	char id[64];

	for (unsigned long i = 1; i <= count; i++) {
		snprintf(id, sizeof(id), "%s%lu", name, i);
		lmig_test_profile(&p, id);
		for (int k = 1; k < 4; k++) {
			snprintf(id, sizeof(id), "sip:%s%lu-%d@primary.example",
				 name, i, k);
			lmig_profile_add_primary_id(&p, id);
		}
		if (lmig_profile_request(nl, LMIG_CMD_PROFILE_NEW, &p,
					 LMIG_PF_WRITABLE, NULL)) {
			fprintf(stderr, "table_test: adding %s%lu: %s\n", name,
				i, lmig_genl_strerror(nl));
			return 1;
		}
	}
	return 0;
}

FIXTURE(table){};
FIXTURE_SETUP(table)
{
}
FIXTURE_TEARDOWN(table)
{
}

/*
 * Wait for the live profiles to be those of this namespace alone: the
 * namespaces of earlier tests are dismantled in the background.
 */
static long settle(struct __test_metadata *_metadata, long target)
{
	long now = -1;

	for (int i = 0; i < 600; i++) {
		now = read_live_profiles();
		if (now == target)
			break;
		usleep(50000);
	}
	ASSERT_EQ(target, now)
	TH_LOG("another namespace holds profiles, or some leaked");
	return now;
}

/* A namespace with profiles goes away: they are all freed. */
TEST_F_TIMEOUT(table, freed_with_their_namespace, 120)
{
	const unsigned long count = 1000;
	struct lmig_genl *here;
	char why[256];
	long before;
	int status;
	pid_t pid;

	if (read_live_profiles() < 0)
		SKIP(return, "cannot read %s", LIVE_PROFILES);
	ASSERT_EQ(0, lmig_genl_open(&here, why, sizeof(why)));
	before = settle(_metadata, lmig_test_info(_metadata, here).profiles);
	lmig_genl_close(here);

	fflush(NULL);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct lmig_genl *nl;

		if (unshare(CLONE_NEWNET) ||
		    lmig_genl_open(&nl, why, sizeof(why)) ||
		    fill(nl, count, "gone"))
			_exit(1);
		if (read_live_profiles() != before + (long)count) {
			fprintf(stderr, "# live profiles: %ld, expected %ld\n",
				read_live_profiles(), before + (long)count);
			_exit(1);
		}
		_exit(0); /* the namespace's last user leaves */
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_EQ(0, WEXITSTATUS(status));
	settle(_metadata, before);
}

static int helper(int argc, char **argv)
{
	struct lmig_genl *nl;
	struct lmig_info info;
	char why[256];
	int ret = 0;

	if (lmig_genl_open(&nl, why, sizeof(why))) {
		fprintf(stderr, "table_test: %s\n", why);
		return 1;
	}
	if (argc == 4 && !strcmp(argv[1], "fill")) {
		ret = fill(nl, strtoul(argv[2], NULL, 10), argv[3]);
	} else if (argc == 2 && !strcmp(argv[1], "info")) {
		ret = lmig_info_get(nl, &info) ? 1 : 0;
		if (ret)
			fprintf(stderr, "table_test: %s\n",
				lmig_genl_strerror(nl));
		else
			printf("epoch=%llu generation=%llu profiles=%u "
			       "max_profiles=%u\n",
			       (unsigned long long)info.epoch,
			       (unsigned long long)info.generation,
			       info.profiles, info.max_profiles);
	} else {
		fprintf(stderr, "usage: table_test [fill COUNT NAME | info]\n");
		ret = 2;
	}
	lmig_genl_close(nl);
	return ret;
}

int main(int argc, char **argv)
{
	if (argc > 1)
		return helper(argc, argv);
	lmig_test_require_module();
	return test_harness_run(argc, argv);
}

// SPDX-License-Identifier: GPL-2.0-only
/*
 * The life of a namespace's table: it is freed, with every profile in it,
 * when its network namespace goes away; and its memory is charged to the
 * memory cgroup of whoever filled it.
 *
 * With arguments this is also the helper of unload.sh and leak.sh:
 *   table_test fill COUNT NAME   create profiles NAME1..NAMECOUNT here,
 *                                one request each
 *   table_test apply COUNT NAME  make them the whole table, in one apply
 *   table_test info              print this namespace's table information
 *
 * Run as root where lmig.ko is loaded, e.g. in the VM:
 *   selftests/vm/run -- /lmig/build/selftests/kmod/table_test
 */
#include <fcntl.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "kmod_test.h"

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
		now = lmig_test_live_profiles();
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

	if (lmig_test_live_profiles() < 0)
		SKIP(return, "cannot read %s", LMIG_TEST_LIVE_PROFILES);
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
		if (lmig_test_live_profiles() != before + (long)count) {
			fprintf(stderr, "# live profiles: %ld, expected %ld\n",
				lmig_test_live_profiles(),
				before + (long)count);
			_exit(1);
		}
		_exit(0); /* the namespace's last user leaves */
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_EQ(0, WEXITSTATUS(status));
	settle(_metadata, before);
}

/* Where cgroup2 is mounted, by us or already. */
struct cgroup_fs {
	char root[64];
	char group[128];
	bool mounted;
};

static long read_long(const char *dir, const char *file)
{
	char path[256];
	long value = -1;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	f = fopen(path, "r");
	if (!f)
		return -1;
	if (fscanf(f, "%ld", &value) != 1)
		value = -1;
	fclose(f);
	return value;
}

static int write_str(const char *dir, const char *file, const char *text)
{
	char path[256];
	int fd, ret = 0;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (write(fd, text, strlen(text)) < 0)
		ret = -errno;
	close(fd);
	return ret;
}

/* A child cgroup with the memory controller, or a reason to skip. */
static const char *cgroup_make(struct cgroup_fs *cg)
{
	if (access("/sys/fs/cgroup/cgroup.controllers", F_OK) == 0) {
		snprintf(cg->root, sizeof(cg->root), "/sys/fs/cgroup");
	} else {
		snprintf(cg->root, sizeof(cg->root), "/tmp/lmig-cg-%d",
			 getpid());
		if (mkdir(cg->root, 0700) ||
		    mount("cgroup2", cg->root, "cgroup2", 0, NULL)) {
			rmdir(cg->root);
			return "cannot mount cgroup2";
		}
		cg->mounted = true;
	}
	write_str(cg->root, "cgroup.subtree_control", "+memory");
	snprintf(cg->group, sizeof(cg->group), "%s/lmig-test-%d", cg->root,
		 getpid());
	if (mkdir(cg->group, 0700))
		return "cannot create a cgroup";
	if (read_long(cg->group, "memory.current") < 0)
		return "no memory controller";
	return NULL;
}

static void cgroup_remove(struct cgroup_fs *cg)
{
	if (cg->group[0])
		rmdir(cg->group);
	if (cg->mounted) {
		umount(cg->root);
		rmdir(cg->root);
	}
}

/*
 * In a child in cgroup @cg and a namespace of its own: memory.current
 * before and after adding @count profiles, and after flushing them.
 */
static int charge_child(struct cgroup_fs *cg, unsigned long count, long out[3])
{
	struct lmig_genl *nl;
	char pid[32], why[256];

	snprintf(pid, sizeof(pid), "%d", getpid());
	if (write_str(cg->group, "cgroup.procs", pid) ||
	    unshare(CLONE_NEWNET) || lmig_genl_open(&nl, why, sizeof(why)))
		return 1;
	/* Once first, so that what only the first time costs is paid. */
	if (lmig_test_apply_numbered(nl, "warm", 1, 10, 4, NULL) ||
	    lmig_flush(nl, NULL))
		return 1;
	out[0] = read_long(cg->group, "memory.current");
	if (lmig_test_apply_numbered(nl, "charged", 1, count, 4, NULL))
		return 1;
	out[1] = read_long(cg->group, "memory.current");
	if (lmig_flush(nl, NULL))
		return 1;
	/* The flushed table is freed once readers are done: wait up to 10 s. */
	for (int i = 0; i < 200; i++) {
		out[2] = read_long(cg->group, "memory.current");
		if (out[2] < out[1] - (out[1] - out[0]) / 2)
			break;
		usleep(50000);
	}
	lmig_genl_close(nl);
	return 0;
}

/* The profiles a task creates are charged to its memory cgroup. */
TEST_F_TIMEOUT(table, charged_to_the_callers_cgroup, 300)
{
	const unsigned long count = 5000;
	struct cgroup_fs cg = {};
	long mem[3] = {-1, -1, -1};
	const char *why;
	int fds[2], status;
	pid_t pid;

	why = cgroup_make(&cg);
	if (why) {
		cgroup_remove(&cg);
		SKIP(return, "%s", why);
	}
	ASSERT_EQ(0, pipe(fds));
	fflush(NULL);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		int ret = charge_child(&cg, count, mem);

		if (write(fds[1], mem, sizeof(mem)) != sizeof(mem))
			ret = 1;
		_exit(ret);
	}
	close(fds[1]);
	ASSERT_EQ(sizeof(mem), read(fds[0], mem, sizeof(mem)));
	close(fds[0]);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	cgroup_remove(&cg);
	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_EQ(0, WEXITSTATUS(status));
	TH_LOG("memory.current: %ld before, %ld with %lu profiles, %ld after "
	       "the flush",
	       mem[0], mem[1], count, mem[2]);
	/* Each profile with its 5 IDs takes some 400 bytes or more. */
	ASSERT_LT(mem[0] + (long)count * 200, mem[1]);
	ASSERT_GT(mem[1] - (mem[1] - mem[0]) / 2, mem[2]);
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
	} else if (argc == 4 && !strcmp(argv[1], "apply")) {
		ret = lmig_test_apply_numbered(
			nl, argv[3], 1, strtoul(argv[2], NULL, 10), 4, NULL);
		if (ret)
			fprintf(stderr, "table_test: apply: %s\n",
				lmig_genl_strerror(nl));
		ret = ret ? 1 : 0;
	} else if (argc == 2 && !strcmp(argv[1], "flush")) {
		ret = lmig_flush(nl, NULL) ? 1 : 0;
		if (ret)
			fprintf(stderr, "table_test: flush: %s\n",
				lmig_genl_strerror(nl));
	} else if (argc == 2 && !strcmp(argv[1], "info")) {
		ret = lmig_info_get(nl, &info) ? 1 : 0;
		if (ret)
			fprintf(stderr, "table_test: %s\n",
				lmig_genl_strerror(nl));
		else
			printf("epoch=%llu generation=%llu profiles=%u "
			       "max_profiles=%u memory=%llu\n",
			       (unsigned long long)info.epoch,
			       (unsigned long long)info.generation,
			       info.profiles, info.max_profiles,
			       (unsigned long long)info.memory);
	} else {
		fprintf(stderr, "usage: table_test [fill|apply COUNT NAME | "
				"flush | info]\n");
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

// SPDX-License-Identifier: GPL-2.0-only
/*
 * Who may use lmig.ko: only holders of CAP_NET_ADMIN over the network
 * namespace, for every command and for the events group; and each
 * namespace has a table of its own that no other sees.
 *
 * Run as root where lmig.ko is loaded, e.g. in the VM:
 *   selftests/vm/run -- /lmig/build/selftests/kmod/access_test
 */
#include <grp.h>
#include <linux/capability.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "kmod_test.h"

#define NOBODY 65534

FIXTURE(access)
{
	struct lmig_genl *admin;
	struct lmig_info before;
};

FIXTURE_VARIANT(access)
{
	bool become_nobody;
};

/* Root, but without CAP_NET_ADMIN. */
FIXTURE_VARIANT_ADD(access, without_cap_net_admin){
	.become_nobody = false,
};

/* An ordinary user. */
FIXTURE_VARIANT_ADD(access, as_nobody){
	.become_nobody = true,
};

FIXTURE_SETUP(access)
{
	self->admin = lmig_test_fresh_netns(_metadata);
	ASSERT_EQ(1U, lmig_test_add(_metadata, self->admin, "alice"));
	self->before = lmig_test_info(_metadata, self->admin);
}

FIXTURE_TEARDOWN(access)
{
	lmig_genl_close(self->admin);
}

static int drop_cap_net_admin(void)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];
	const unsigned int word = CAP_NET_ADMIN / 32;
	const uint32_t bit = 1U << (CAP_NET_ADMIN % 32);

	if (syscall(SYS_capget, &hdr, data))
		return -errno;
	data[word].effective &= ~bit;
	data[word].permitted &= ~bit;
	data[word].inheritable &= ~bit;
	return syscall(SYS_capset, &hdr, data) ? -errno : 0;
}

static int become_nobody(void)
{
	if (setgroups(0, NULL) || setresgid(NOBODY, NOBODY, NOBODY) ||
	    setresuid(NOBODY, NOBODY, NOBODY))
		return -errno;
	return 0;
}

/* In the child: each check that fails reports itself and ends it. */
#define CHILD_CHECK(cond)                                                  \
	do {                                                               \
		if (!(cond)) {                                             \
			fprintf(stderr, "# %s:%d: failed: %s\n", __FILE__, \
				__LINE__, #cond);                          \
			_exit(1);                                          \
		}                                                          \
	} while (0)

/* Everything @nl may ask is refused for lack of CAP_NET_ADMIN. */
static void child_all_refused(struct lmig_genl *nl)
{
	static const uint8_t cmds[] = {
		LMIG_CMD_PROFILE_NEW,
		LMIG_CMD_PROFILE_SET,
		LMIG_CMD_PROFILE_DEL,
		LMIG_CMD_PROFILE_GET,
	};
	struct lmig_profile p;
	struct lmig_info info;

	lmig_test_profile(&p, "mallory");
	p.user_id = 1;
	for (size_t i = 0; i < ARRAY_SIZE(cmds); i++) {
		uint32_t mask = cmds[i] == LMIG_CMD_PROFILE_NEW
					? LMIG_PF_WRITABLE
					: LMIG_PF_USER_ID | LMIG_PF_SERVICES;

		if (cmds[i] == LMIG_CMD_PROFILE_DEL ||
		    cmds[i] == LMIG_CMD_PROFILE_GET)
			mask = LMIG_PF_USER_ID;
		CHILD_CHECK(lmig_profile_request(nl, cmds[i], &p, mask, NULL) ==
			    -EPERM);
	}
	CHILD_CHECK(lmig_profile_replace(nl, &p, NULL) == -EPERM);
	CHILD_CHECK(lmig_profile_dump(nl, NULL, NULL) == -EPERM);
	CHILD_CHECK(lmig_info_get(nl, &info) == -EPERM);
	CHILD_CHECK(lmig_flush(nl, NULL) == -EPERM);
	CHILD_CHECK(lmig_apply_begin(nl) == -EPERM);
	CHILD_CHECK(lmig_apply_add(nl, &p, 1, NULL) == -EPERM);
	CHILD_CHECK(lmig_apply_commit(nl, 0, NULL) == -EPERM);
	CHILD_CHECK(lmig_genl_run(
			    nl, lmig_genl_request(nl, LMIG_CMD_APPLY_ABORT, 0),
			    NULL, NULL) == -EPERM);
	CHILD_CHECK(lmig_apply(nl, &p, 1, NULL, NULL) == -EPERM);
	CHILD_CHECK(lmig_genl_subscribe(nl) == -EPERM);
	CHILD_CHECK(strstr(lmig_genl_strerror(nl), "CAP_NET_ADMIN"));
}

static void child(FIXTURE_DATA(access) * self, bool nobody)
{
	struct lmig_genl *nl;
	char why[256];

	CHILD_CHECK((nobody ? become_nobody() : drop_cap_net_admin()) == 0);
	/* Finding the family needs no privilege. */
	CHILD_CHECK(lmig_genl_open(&nl, why, sizeof(why)) == 0);
	child_all_refused(nl);
	/* Nor does a socket opened while privileged help. */
	child_all_refused(self->admin);
	lmig_genl_close(nl);
	_exit(0);
}

TEST_F(access, everything_needs_cap_net_admin)
{
	int status;
	pid_t pid;

	fflush(NULL);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		child(self, variant->become_nobody);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_EQ(0, WEXITSTATUS(status));
	ASSERT_UNCHANGED(self->admin, self->before);
}

/* The same checks from user namespaces, where variants make no sense. */
FIXTURE(userns)
{
	struct lmig_genl *admin;
	struct lmig_info before;
};

FIXTURE_SETUP(userns)
{
	self->admin = lmig_test_fresh_netns(_metadata);
	ASSERT_EQ(1U, lmig_test_add(_metadata, self->admin, "alice"));
	self->before = lmig_test_info(_metadata, self->admin);
}

FIXTURE_TEARDOWN(userns)
{
	lmig_genl_close(self->admin);
}

/*
 * An unprivileged user in a user namespace of its own: root there, with
 * every capability, but over no network namespace of the system.
 */
static int become_userns_root(bool own_netns)
{
	if (become_nobody())
		return -errno;
	if (unshare(CLONE_NEWUSER | (own_netns ? CLONE_NEWNET : 0)))
		return -errno;
	return 0;
}

/*
 * Root of a user namespace without a network namespace of its own is
 * still refused here: the namespace belongs to the initial user namespace.
 */
TEST_F(userns, root_there_is_refused_here)
{
	int status;
	pid_t pid;

	fflush(NULL);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct lmig_genl *nl;
		char why[256];
		int ret = become_userns_root(false);

		if (ret == -EPERM || ret == -EACCES || ret == -ENOSPC)
			_exit(4); /* no unprivileged user namespaces here */
		CHILD_CHECK(ret == 0);
		CHILD_CHECK(lmig_genl_open(&nl, why, sizeof(why)) == 0);
		child_all_refused(nl);
		lmig_genl_close(nl);
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	if (WEXITSTATUS(status) == 4)
		SKIP(return, "unprivileged user namespaces are disabled");
	ASSERT_EQ(0, WEXITSTATUS(status));
	ASSERT_UNCHANGED(self->admin, self->before);
}

static void child_owns_its_table(void)
{
	struct lmig_profile p, got;
	struct lmig_info info;
	struct lmig_genl *nl;
	char why[256];

	CHILD_CHECK(lmig_genl_open(&nl, why, sizeof(why)) == 0);
	CHILD_CHECK(lmig_info_get(nl, &info) == 0);
	CHILD_CHECK(info.profiles == 0 && info.generation == 0);
	CHILD_CHECK(lmig_genl_subscribe(nl) == 0);
	lmig_test_profile(&p, "alice");
	CHILD_CHECK(lmig_profile_request(nl, LMIG_CMD_PROFILE_NEW, &p,
					 LMIG_PF_WRITABLE, &got) == 0);
	CHILD_CHECK(got.user_id == 1);
	CHILD_CHECK(lmig_apply(nl, &p, 1, NULL, NULL) == 0);
	CHILD_CHECK(lmig_flush(nl, NULL) == 0);
	lmig_genl_close(nl);
}

/*
 * The same user, with a network namespace of its own: it holds
 * CAP_NET_ADMIN over that one, and manages its (independent) table.
 */
TEST_F(userns, root_there_owns_its_netns)
{
	int status;
	pid_t pid;

	fflush(NULL);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		int ret = become_userns_root(true);

		if (ret == -EPERM || ret == -EACCES || ret == -ENOSPC)
			_exit(4);
		CHILD_CHECK(ret == 0);
		child_owns_its_table();
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	if (WEXITSTATUS(status) == 4)
		SKIP(return, "unprivileged user namespaces are disabled");
	ASSERT_EQ(0, WEXITSTATUS(status));
	ASSERT_UNCHANGED(self->admin, self->before);
}

static int count_profile(const struct lmig_profile *p, void *data)
{
	(void)p;
	++*(uint32_t *)data;
	return 0;
}

/* Each namespace has its own table, ids and epoch. */
TEST(namespaces_are_isolated)
{
	struct lmig_info info_a, info_b;
	struct lmig_genl *a, *b;
	struct lmig_profile p, got;
	uint32_t count = 0;

	a = lmig_test_fresh_netns(_metadata);
	ASSERT_EQ(1U, lmig_test_add(_metadata, a, "alice"));
	info_a = lmig_test_info(_metadata, a);

	b = lmig_test_fresh_netns(_metadata);
	info_b = lmig_test_info(_metadata, b);
	ASSERT_EQ(0U, info_b.profiles);
	ASSERT_EQ(0U, info_b.generation);
	ASSERT_NE(info_a.epoch, info_b.epoch);
	ASSERT_EQ(0, lmig_profile_dump(b, count_profile, &count));
	ASSERT_EQ(0U, count);

	lmig_test_profile(&p, "alice");
	ASSERT_EQ(-ENOENT, lmig_profile_request(b, LMIG_CMD_PROFILE_GET, &p,
						LMIG_PF_PARTNER_ID, NULL));
	/* The same IDs are free here, and ids start again at 1. */
	ASSERT_EQ(1U, lmig_test_add(_metadata, b, "alice"));
	ASSERT_EQ(2U, lmig_test_add(_metadata, b, "bob"));
	ASSERT_EQ(0, lmig_profile_request(b, LMIG_CMD_PROFILE_DEL, &p,
					  LMIG_PF_PARTNER_ID, NULL));

	/* Nothing of it shows in the first namespace. */
	info_a = lmig_test_info(_metadata, a);
	ASSERT_EQ(1U, info_a.profiles);
	ASSERT_EQ(1U, info_a.generation);
	ASSERT_EQ(0, lmig_profile_request(a, LMIG_CMD_PROFILE_GET, &p,
					  LMIG_PF_PARTNER_ID, &got));
	ASSERT_EQ(1U, got.user_id);
	ASSERT_EQ(1U, got.generation);
	lmig_test_profile(&p, "bob");
	ASSERT_EQ(-ENOENT, lmig_profile_request(a, LMIG_CMD_PROFILE_GET, &p,
						LMIG_PF_PARTNER_ID, NULL));
	lmig_genl_close(b);
	lmig_genl_close(a);
}

LMIG_TEST_MAIN

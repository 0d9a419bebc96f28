// SPDX-License-Identifier: GPL-2.0-only
/*
 * lib/fastpath against real pins and links.
 *
 * Each test runs in its own mount namespace with a fresh BPF filesystem on
 * /sys/fs/bpf and in its own network namespace, so it can neither see nor
 * disturb a gateway running on the machine, and everything it makes
 * (pins, links, veths) is gone when it ends, even if it dies. The
 * instance is removed in teardown all the same. Needs root.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <linux/if_link.h>
#include <linux/magic.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "kselftest_harness.h"

#include <linux/lmig.h>
#include "clock.h"
#include "fastpath.h"
#include "iproute.h"
#include "lmig_maps.h"

static uint32_t prog_id(int fd)
{
	struct bpf_prog_info info;
	uint32_t len = sizeof(info);

	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return 0;
	return info.id;
}

/* The program ids XDP runs on ifname: native and generic. */
static void xdp_ids(const char *ifname, uint32_t *drv, uint32_t *skb)
{
	LIBBPF_OPTS(bpf_xdp_query_opts, q);

	*drv = *skb = 0;
	if (!bpf_xdp_query(if_nametoindex(ifname), 0, &q)) {
		*drv = q.drv_prog_id;
		*skb = q.skb_prog_id;
	}
}

static bool exists(const char *path)
{
	struct stat st;

	return !stat(path, &st);
}

static bool is_bpffs(const char *path)
{
	struct statfs st;

	return !statfs(path, &st) && (uint32_t)st.f_type == BPF_FS_MAGIC;
}

static struct lmig_addr v4(uint8_t last)
{
	struct lmig_addr a = {.addr = {[10] = 0xff,
				       [11] = 0xff,
				       [12] = 192,
				       [13] = 0,
				       [14] = 2,
				       [15] = last}};

	return a;
}

FIXTURE(fp)
{
	char instance[LMIG_FP_INSTANCE_MAX + 1];
	char dir[256];
	struct lmig_fp *fp;
	char msg[LMIG_FP_MSG_MAX];
};

FIXTURE_SETUP(fp)
{
	ASSERT_EQ(0, unshare(CLONE_NEWNS | CLONE_NEWNET));
	ASSERT_EQ(0, mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL));
	ASSERT_EQ(0, mount("bpf", "/sys/fs/bpf", "bpf", 0, "mode=0700"));
	ASSERT_EQ(0, ip_cmd("link set lo up"));
	snprintf(self->instance, sizeof(self->instance), "fptest-%d", getpid());
	snprintf(self->dir, sizeof(self->dir), "%s/%s", LMIG_PIN_ROOT,
		 self->instance);
}

FIXTURE_TEARDOWN(fp)
{
	char msg[LMIG_FP_MSG_MAX];
	int err;

	lmig_fp_close(self->fp);
	err = lmig_fp_remove(self->instance, msg, sizeof(msg));
	EXPECT_TRUE(err == 0 || err == -ENOENT) TH_LOG("remove: %s", msg);
	EXPECT_FALSE(exists(self->dir));
}

#define LOAD()                                                          \
	ASSERT_EQ(0, lmig_fp_load(self->instance, &self->fp, self->msg, \
				  sizeof(self->msg)))                   \
	TH_LOG("load: %s", self->msg)

#define RELOAD()                         \
	do {                             \
		lmig_fp_close(self->fp); \
		self->fp = NULL;         \
		LOAD();                  \
	} while (0)

TEST_F(fp, instance_names)
{
	static const char *const bad[] = {"",	   "a/b",	  "..",
					  ".",	   "a.b",	  "a b",
					  "tab\t", "caf\xc3\xa9", "a\nb"};
	char longest[LMIG_FP_INSTANCE_MAX + 2];

	EXPECT_EQ(0, lmig_fp_instance_check("default", self->msg,
					    sizeof(self->msg)));
	EXPECT_EQ(0, lmig_fp_instance_check("gw_2-B", NULL, 0));
	memset(longest, 'x', sizeof(longest));
	longest[LMIG_FP_INSTANCE_MAX] = '\0';
	EXPECT_EQ(0, lmig_fp_instance_check(longest, NULL, 0));
	longest[LMIG_FP_INSTANCE_MAX] = 'x';
	longest[LMIG_FP_INSTANCE_MAX + 1] = '\0';
	EXPECT_EQ(-EINVAL, lmig_fp_instance_check(longest, self->msg,
						  sizeof(self->msg)));
	EXPECT_NE(NULL, strstr(self->msg, "longer than 64"));
	EXPECT_EQ(-EINVAL,
		  lmig_fp_instance_check(NULL, self->msg, sizeof(self->msg)));
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		self->msg[0] = '\0';
		EXPECT_EQ(-EINVAL, lmig_fp_instance_check(bad[i], self->msg,
							  sizeof(self->msg)))
		TH_LOG("'%s' accepted", bad[i]);
		EXPECT_NE('\0', self->msg[0]);
	}
	EXPECT_NE(NULL, strstr(self->msg, "a\\x0ab")) TH_LOG("%s", self->msg);
	/* A bad name is refused before anything is made. */
	EXPECT_EQ(-EINVAL, lmig_fp_load("../x", &self->fp, self->msg,
					sizeof(self->msg)));
	EXPECT_EQ(NULL, self->fp);
	EXPECT_FALSE(exists(LMIG_PIN_ROOT));
}

TEST_F(fp, load_pins_every_map)
{
	static const char *const maps[] = {
		LMIG_MAP_ADMISSIONS, LMIG_MAP_FILTER,	  LMIG_MAP_USERS,
		LMIG_MAP_USER_SLOTS, LMIG_MAP_PORTS,	  LMIG_MAP_CONFIG,
		LMIG_MAP_STATS,	     LMIG_MAP_USER_STATS, LMIG_MAP_OPEN_SOURCES,
		LMIG_MAP_OPEN_TOTAL, LMIG_MAP_DENIALS,
	};
	char path[512];
	struct stat st;

	LOAD();
	EXPECT_STREQ(self->dir, lmig_fp_dir(self->fp));
	EXPECT_LE(0, lmig_fp_prog_fd(self->fp));
	ASSERT_EQ(0, stat(self->dir, &st));
	EXPECT_EQ(0700, st.st_mode & 0777);
	for (size_t i = 0; i < sizeof(maps) / sizeof(maps[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", self->dir, maps[i]);
		EXPECT_TRUE(exists(path)) TH_LOG("%s missing", path);
	}
}

TEST_F(fp, state_survives_reload)
{
	struct lmig_admission adm = {.expires_ns = LMIG_TIME_NEVER,
				     .granted_ns = 5,
				     .user_id = 7,
				     .services = LMIG_SERVICE_PTT,
				     .requested = LMIG_SERVICES_ALL};
	struct lmig_user user = {.valid_until_ns = 99,
				 .generation = 3,
				 .state = LMIG_STATE_SUSPENDED,
				 .services = LMIG_SERVICES_ALL};
	struct lmig_config cfg = {.unclassified = LMIG_DEFAULT_DROP};
	struct lmig_fp_filter_info info, again;
	struct lmig_addr addr = v4(7);
	struct lmig_admission got_adm;
	struct lmig_user got_user;
	struct lmig_config got_cfg;
	struct lmig_fp *view;
	uint32_t class, slot, got_slot;

	LOAD();
	ASSERT_EQ(0, lmig_fp_user_put(self->fp, 7, &user, &slot, NULL, 0));
	adm.user_slot = slot;
	ASSERT_EQ(0, lmig_fp_admission_put(self->fp, &addr, &adm, self->msg,
					   sizeof(self->msg)))
	TH_LOG("%s", self->msg);
	ASSERT_EQ(0, lmig_fp_filter_info(self->fp, &info, NULL, 0));
	EXPECT_LT(0, info.used);
	EXPECT_GE(LMIG_FILTER_CELLS, info.used);
	ASSERT_EQ(0, lmig_fp_ports_set(self->fp, LMIG_L4_UDP, 5000, 5009,
				       LMIG_CLASS_PTT, NULL, 0));
	ASSERT_EQ(0, lmig_fp_config_set(self->fp, &cfg, NULL, 0));

	/* An agent restart: a new program, the same maps. */
	RELOAD();
	ASSERT_EQ(0, lmig_fp_admission_get(self->fp, &addr, &got_adm, NULL, 0));
	EXPECT_EQ(0, memcmp(&adm, &got_adm, sizeof(adm)));
	ASSERT_EQ(0,
		  lmig_fp_user_get(self->fp, 7, &got_user, &got_slot, NULL, 0));
	EXPECT_EQ(slot, got_slot);
	user.user_id = 7;
	EXPECT_EQ(0, memcmp(&user, &got_user, sizeof(user)));
	/* The filter is kept, seed and counts. */
	ASSERT_EQ(0, lmig_fp_filter_info(self->fp, &again, NULL, 0));
	EXPECT_EQ(info.seed, again.seed);
	EXPECT_EQ(info.used, again.used);
	ASSERT_EQ(0, lmig_fp_port_get(self->fp, LMIG_L4_UDP, 5009, &class, NULL,
				      0));
	EXPECT_EQ(LMIG_CLASS_PTT, class);
	ASSERT_EQ(0, lmig_fp_config_get(self->fp, &got_cfg, NULL, 0));
	EXPECT_EQ(LMIG_DEFAULT_DROP, got_cfg.unclassified);

	/* The CLI's view: maps only, the same entries. */
	ASSERT_EQ(0, lmig_fp_open(self->instance, &view, self->msg,
				  sizeof(self->msg)))
	TH_LOG("%s", self->msg);
	EXPECT_EQ(-1, lmig_fp_prog_fd(view));
	EXPECT_EQ(0, lmig_fp_admission_get(view, &addr, &got_adm, NULL, 0));
	EXPECT_EQ(7, got_adm.user_id);
	/* Writes through it reach the loaded program's maps. */
	EXPECT_EQ(0, lmig_fp_admission_del(view, &addr, NULL, 0));
	EXPECT_EQ(-ENOENT, lmig_fp_admission_get(self->fp, &addr, &got_adm,
						 self->msg, sizeof(self->msg)));
	EXPECT_STREQ("192.0.2.7 holds no admission", self->msg);
	ASSERT_EQ(0, lmig_fp_filter_info(self->fp, &again, NULL, 0));
	EXPECT_EQ(0, again.used);
	lmig_fp_close(view);
}

TEST_F(fp, incompatible_pinned_map_is_refused)
{
	char path[512], admissions[512];
	int fd;

	/* A users map of another type, as an old version left. */
	ASSERT_EQ(0, mkdir(LMIG_PIN_ROOT, 0755));
	ASSERT_EQ(0, mkdir(self->dir, 0700));
	fd = bpf_map_create(BPF_MAP_TYPE_HASH, "lmig_users", 4, 16, 1024, NULL);
	ASSERT_LE(0, fd);
	snprintf(path, sizeof(path), "%s/%s", self->dir, LMIG_MAP_USERS);
	ASSERT_EQ(0, bpf_obj_pin(fd, path));
	close(fd);

	EXPECT_EQ(-EINVAL, lmig_fp_load(self->instance, &self->fp, self->msg,
					sizeof(self->msg)));
	EXPECT_EQ(NULL, self->fp);
	EXPECT_NE(NULL, strstr(self->msg, path)) TH_LOG("%s", self->msg);
	EXPECT_NE(NULL, strstr(self->msg, "map type is 1, lmig needs 2"))
	TH_LOG("%s", self->msg);
	/* Refused before anything was created or replaced. */
	snprintf(admissions, sizeof(admissions), "%s/%s", self->dir,
		 LMIG_MAP_ADMISSIONS);
	EXPECT_FALSE(exists(admissions));

	/* The CLI refuses such a map too. */
	ASSERT_EQ(0, unlink(path));
	LOAD();
	lmig_fp_close(self->fp);
	self->fp = NULL;
	ASSERT_EQ(0, unlink(path));
	fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "lmig_users", 4, 24,
			    LMIG_USERS_MAX, NULL);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, bpf_obj_pin(fd, path));
	close(fd);
	EXPECT_EQ(-EINVAL, lmig_fp_open(self->instance, &self->fp, self->msg,
					sizeof(self->msg)));
	EXPECT_EQ(NULL, self->fp);
	EXPECT_NE(NULL, strstr(self->msg, "value size is 24, lmig needs 32"))
	TH_LOG("%s", self->msg);
}

TEST_F(fp, open_needs_the_instance)
{
	char path[512];

	EXPECT_EQ(-ENOENT, lmig_fp_open(self->instance, &self->fp, self->msg,
					sizeof(self->msg)));
	EXPECT_NE(NULL, strstr(self->msg, self->instance));
	LOAD();
	lmig_fp_close(self->fp);
	self->fp = NULL;
	snprintf(path, sizeof(path), "%s/%s", self->dir, LMIG_MAP_STATS);
	ASSERT_EQ(0, unlink(path));
	EXPECT_EQ(-ENOENT, lmig_fp_open(self->instance, &self->fp, self->msg,
					sizeof(self->msg)));
	EXPECT_EQ(NULL, self->fp);
	EXPECT_NE(NULL, strstr(self->msg, path)) TH_LOG("%s", self->msg);
}

TEST_F(fp, needs_a_bpf_filesystem)
{
	/* Uncover every BPF filesystem stacked there (the VM has one). */
	for (int i = 0; i < 8 && is_bpffs("/sys/fs/bpf"); i++)
		ASSERT_EQ(0, umount("/sys/fs/bpf"));
	ASSERT_FALSE(is_bpffs("/sys/fs/bpf"));
	EXPECT_EQ(-ENOTSUP, lmig_fp_load(self->instance, &self->fp, self->msg,
					 sizeof(self->msg)));
	EXPECT_NE(NULL, strstr(self->msg, "mount -t bpf bpf /sys/fs/bpf"))
	TH_LOG("%s", self->msg);
	EXPECT_EQ(-ENOTSUP, lmig_fp_open(self->instance, &self->fp, self->msg,
					 sizeof(self->msg)));
	ASSERT_EQ(0, mount("bpf", "/sys/fs/bpf", "bpf", 0, "mode=0700"));
}

TEST_F(fp, loaders_are_serialised)
{
	int fd;

	LOAD();
	fd = open(self->dir, O_RDONLY | O_DIRECTORY);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, flock(fd, LOCK_EX));
	lmig_fp_close(self->fp);
	self->fp = NULL;
	EXPECT_EQ(-EBUSY, lmig_fp_load(self->instance, &self->fp, self->msg,
				       sizeof(self->msg)));
	EXPECT_NE(NULL, strstr(self->msg, "another process"));
	EXPECT_EQ(-EBUSY,
		  lmig_fp_remove(self->instance, self->msg, sizeof(self->msg)));
	close(fd);
	LOAD();
}

static uint32_t give_slot(FIXTURE_DATA(fp) * self, uint32_t user_id)
{
	struct lmig_user user = {.valid_until_ns = LMIG_TIME_NEVER,
				 .state = LMIG_STATE_ACTIVE,
				 .services = LMIG_SERVICES_ALL};
	uint32_t slot = ~0U;

	if (lmig_fp_user_put(self->fp, user_id, &user, &slot, self->msg,
			     sizeof(self->msg)))
		return ~0U;
	return slot;
}

TEST_F(fp, admissions)
{
	struct lmig_admission adm = {.expires_ns = 1000,
				     .user_id = 1,
				     .services = LMIG_SERVICE_VIDEO};
	struct lmig_admission bad, got;
	struct lmig_addr addr = v4(1);

	LOAD();
	adm.user_slot = give_slot(self, 1);
	ASSERT_NE(~0U, adm.user_slot) TH_LOG("%s", self->msg);
	bad = adm;
	bad.user_id = 0;
	EXPECT_EQ(-EINVAL, lmig_fp_admission_put(self->fp, &addr, &bad,
						 self->msg, sizeof(self->msg)));
	EXPECT_STREQ("admission of 192.0.2.1: user id 0 is not a user",
		     self->msg);
	bad = adm;
	bad.services = 0;
	EXPECT_EQ(-EINVAL, lmig_fp_admission_put(self->fp, &addr, &bad,
						 self->msg, sizeof(self->msg)));
	bad.services = LMIG_SERVICE_DATA << 1;
	EXPECT_EQ(-EINVAL, lmig_fp_admission_put(self->fp, &addr, &bad,
						 self->msg, sizeof(self->msg)));
	EXPECT_NE(NULL, strstr(self->msg, "0x8"));
	bad = adm;
	bad.requested = 0x10;
	EXPECT_EQ(-EINVAL, lmig_fp_admission_put(self->fp, &addr, &bad,
						 self->msg, sizeof(self->msg)));
	EXPECT_NE(NULL, strstr(self->msg, "requested services 0x10"));
	bad = adm;
	bad.expires_ns = 0;
	EXPECT_EQ(-EINVAL, lmig_fp_admission_put(self->fp, &addr, &bad,
						 self->msg, sizeof(self->msg)));
	bad = adm;
	bad.user_slot = LMIG_USERS_MAX;
	EXPECT_EQ(-EINVAL, lmig_fp_admission_put(self->fp, &addr, &bad,
						 self->msg, sizeof(self->msg)));
	/* A slot that is not the user's: free, or another user's. */
	bad = adm;
	bad.user_slot = adm.user_slot + 1;
	EXPECT_EQ(-ESTALE, lmig_fp_admission_put(self->fp, &addr, &bad,
						 self->msg, sizeof(self->msg)));
	EXPECT_NE(NULL, strstr(self->msg, "holds no user 0, not user 1"))
	TH_LOG("%s", self->msg);
	bad = adm;
	bad.user_id = 2;
	EXPECT_EQ(-ESTALE, lmig_fp_admission_put(self->fp, &addr, &bad,
						 self->msg, sizeof(self->msg)));
	EXPECT_NE(NULL, strstr(self->msg, "holds user 1, not user 2"))
	TH_LOG("%s", self->msg);
	EXPECT_EQ(-EINVAL, lmig_fp_admission_put(self->fp, NULL, &adm,
						 self->msg, sizeof(self->msg)));
	/* Nothing of that was written. */
	EXPECT_EQ(-ENOENT, lmig_fp_admission_get(self->fp, &addr, &got,
						 self->msg, sizeof(self->msg)));
	EXPECT_EQ(-ENOENT, lmig_fp_admission_del(self->fp, &addr, self->msg,
						 sizeof(self->msg)));
	EXPECT_STREQ("192.0.2.1 holds no admission", self->msg);

	ASSERT_EQ(0, lmig_fp_admission_put(self->fp, &addr, &adm, self->msg,
					   sizeof(self->msg)));
	EXPECT_STREQ("", self->msg);
	adm.services |= LMIG_SERVICE_PTT;
	ASSERT_EQ(0, lmig_fp_admission_put(self->fp, &addr, &adm, NULL, 0));
	ASSERT_EQ(0, lmig_fp_admission_get(self->fp, &addr, &got, NULL, 0));
	EXPECT_EQ(LMIG_SERVICE_VIDEO | LMIG_SERVICE_PTT, got.services);
	EXPECT_EQ(0, lmig_fp_admission_del(self->fp, &addr, NULL, 0));
	EXPECT_EQ(-ENOENT,
		  lmig_fp_admission_get(self->fp, &addr, &got, NULL, 0));
}

struct walk {
	int seen;
	int stop_after;
	int bad;
	uint8_t marks[4096];
};

static struct lmig_addr walk_addr(int i)
{
	struct lmig_addr a = {0};

	/* Half IPv6, half IPv4-mapped. */
	if (i % 2) {
		a.addr[0] = 0x20, a.addr[1] = 0x01, a.addr[2] = 0x0d;
		a.addr[3] = 0xb8;
	} else {
		a.addr[10] = 0xff, a.addr[11] = 0xff, a.addr[12] = 10;
	}
	a.addr[14] = i >> 8;
	a.addr[15] = i & 0xff;
	return a;
}

static int count_admission(const struct lmig_addr *addr,
			   const struct lmig_admission *adm, void *ctx)
{
	struct walk *w = ctx;
	struct lmig_addr want;
	int i = adm->expires_ns - 1000;

	want = walk_addr(i);
	if (i < 0 || i >= 4096 || memcmp(&want, addr, sizeof(want)) ||
	    adm->user_id != 1u + i % 10 || w->marks[i]++)
		w->bad++;
	if (++w->seen == w->stop_after)
		return 7;
	return 0;
}

TEST_F(fp, admission_walk)
{
	const int n = 1000;
	struct walk *w = calloc(1, sizeof(*w));
	uint32_t slots[10];

	ASSERT_NE(NULL, w);
	LOAD();
	for (int u = 0; u < 10; u++)
		slots[u] = give_slot(self, u + 1);
	EXPECT_EQ(0, lmig_fp_admission_foreach(self->fp, count_admission, w,
					       NULL, 0));
	EXPECT_EQ(0, w->seen);
	for (int i = 0; i < n; i++) {
		struct lmig_addr a = walk_addr(i);
		struct lmig_admission adm = {.expires_ns = 1000u + i,
					     .user_id = 1 + i % 10,
					     .user_slot = slots[i % 10],
					     .services = LMIG_SERVICE_DATA};

		ASSERT_EQ(0,
			  lmig_fp_admission_put(self->fp, &a, &adm, NULL, 0));
	}
	EXPECT_EQ(0, lmig_fp_admission_foreach(self->fp, count_admission, w,
					       self->msg, sizeof(self->msg)));
	EXPECT_EQ(n, w->seen);
	EXPECT_EQ(0, w->bad);

	/* A callback's non-zero return ends the walk and is returned. */
	memset(w, 0, sizeof(*w));
	w->stop_after = 10;
	EXPECT_EQ(7, lmig_fp_admission_foreach(self->fp, count_admission, w,
					       NULL, 0));
	EXPECT_EQ(10, w->seen);
	free(w);
}

/* ---- the admission filter ------------------------------------------- */

static struct lmig_filter *map_filter(FIXTURE_DATA(fp) * self, size_t *len)
{
	char path[512];
	void *p;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", self->dir, LMIG_MAP_FILTER);
	fd = bpf_obj_get(path);
	if (fd < 0)
		return NULL;
	*len = (sizeof(struct lmig_filter) + 4095) / 4096 * 4096;
	p = mmap(NULL, *len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	return p == MAP_FAILED ? NULL : p;
}

/* Whether the filter lets admission i be looked up. */
static bool maybe_of(const struct lmig_filter *f, int i)
{
	struct lmig_addr a = walk_addr(i);

	return lmig_filter_maybe(f, &a);
}

/* The count of cell i of an address, and where it is. */
static uint32_t cell_of(const struct lmig_filter *f, const struct lmig_addr *a,
			uint32_t i, uint32_t *block, uint32_t *cell)
{
	uint64_t h = lmig_filter_hash(a, f->seed);

	*block = lmig_filter_block(h);
	*cell = lmig_filter_cell(h, i);
	return lmig_filter_count(&f->blocks[*block], *cell);
}

static int fill(FIXTURE_DATA(fp) * self, int from, int to, uint32_t slot)
{
	for (int i = from; i < to; i++) {
		struct lmig_addr a = walk_addr(i);
		struct lmig_admission adm = {.expires_ns = LMIG_TIME_NEVER,
					     .user_id = 1,
					     .user_slot = slot,
					     .services = LMIG_SERVICE_PTT};
		int err = lmig_fp_admission_put(self->fp, &a, &adm, NULL, 0);

		if (err)
			return err;
	}
	return 0;
}

/* Every admission's counter is up; deleted ones go back down. */
TEST_F(fp, filter_follows_admissions)
{
	struct lmig_fp_filter_info info;
	struct lmig_filter *f;
	uint32_t slot;
	size_t len;

	LOAD();
	slot = give_slot(self, 1);
	f = map_filter(self, &len);
	ASSERT_NE(NULL, f);
	EXPECT_NE(0, f->seed);
	ASSERT_EQ(0, fill(self, 0, 3000, slot));
	for (int i = 0; i < 3000; i++) {
		ASSERT_TRUE(maybe_of(f, i)) TH_LOG("admission %d", i);
	}
	/* Replacing an admission does not count it twice. */
	ASSERT_EQ(0, fill(self, 0, 3000, slot));
	ASSERT_EQ(0, lmig_fp_filter_info(self->fp, &info, NULL, 0));
	EXPECT_GE(LMIG_FILTER_CELLS * 3000, info.used);
	EXPECT_LT(8500, info.used) TH_LOG("%u cells for 3000", info.used);
	for (int i = 0; i < 3000; i++) {
		struct lmig_addr a = walk_addr(i);

		ASSERT_EQ(0, lmig_fp_admission_del(self->fp, &a, NULL, 0));
	}
	/* Three of them in one counter would have saturated it. */
	ASSERT_EQ(0, lmig_fp_filter_recount(self->fp, NULL, NULL, 0));
	ASSERT_EQ(0, lmig_fp_filter_info(self->fp, &info, NULL, 0));
	EXPECT_EQ(0, info.used);
	EXPECT_EQ(0, info.saturated);
	munmap(f, len);
}

/* Three admissions on one cell saturate it; it stays so when they go,
 * until a recount. */
TEST_F(fp, filter_saturation)
{
	struct lmig_admission adm = {.expires_ns = LMIG_TIME_NEVER,
				     .user_id = 1,
				     .services = LMIG_SERVICE_PTT};
	struct lmig_fp_filter_info info;
	struct lmig_addr same[4], a = {.addr = {0xfd}};
	uint32_t block, cell, b2, c2, lowered = 0;
	struct lmig_filter *f;
	size_t len;
	int n = 0;

	LOAD();
	adm.user_slot = give_slot(self, 1);
	f = map_filter(self, &len);
	ASSERT_NE(NULL, f);
	cell_of(f, &a, 0, &block, &cell);
	/* Addresses whose first cell is that one: a few million tries. */
	for (uint32_t i = 1; i < (1U << 27) && n < 4; i++) {
		memcpy(a.addr + 12, &i, 4);
		cell_of(f, &a, 0, &b2, &c2);
		if (b2 == block && c2 == cell)
			same[n++] = a;
	}
	ASSERT_EQ(4, n);
	for (int i = 0; i < 4; i++)
		ASSERT_EQ(0, lmig_fp_admission_put(self->fp, &same[i], &adm,
						   NULL, 0));
	EXPECT_EQ(LMIG_FILTER_SATURATED,
		  lmig_filter_count(&f->blocks[block], cell));
	for (int i = 0; i < 3; i++)
		ASSERT_EQ(0,
			  lmig_fp_admission_del(self->fp, &same[i], NULL, 0));
	EXPECT_EQ(LMIG_FILTER_SATURATED,
		  lmig_filter_count(&f->blocks[block], cell));
	EXPECT_TRUE(lmig_filter_maybe(f, &same[3]));
	ASSERT_EQ(0, lmig_fp_filter_recount(self->fp, &lowered, NULL, 0));
	EXPECT_LE(1, lowered);
	EXPECT_EQ(1, lmig_filter_count(&f->blocks[block], cell));
	EXPECT_TRUE(lmig_filter_maybe(f, &same[3]));
	ASSERT_EQ(0, lmig_fp_admission_del(self->fp, &same[3], NULL, 0));
	ASSERT_EQ(0, lmig_fp_filter_info(self->fp, &info, NULL, 0));
	EXPECT_EQ(0, info.used);
	munmap(f, len);
}

/* Writers in several processes share counter words safely. */
TEST_F(fp, filter_counts_across_processes)
{
	struct lmig_fp_filter_info info;
	struct lmig_filter *f;
	pid_t pids[2];
	uint32_t slot;
	size_t len;
	int status;

	LOAD();
	slot = give_slot(self, 1);
	for (int p = 0; p < 2; p++) {
		pids[p] = fork();
		ASSERT_LE(0, pids[p]);
		if (!pids[p]) {
			/* Each its own addresses, added, half deleted, in
			 * rounds. */
			int base = p * 2000, bad = 0;

			for (int round = 0; round < 3; round++) {
				bad |= fill(self, base, base + 2000, slot);
				for (int i = base; i < base + 1000; i++) {
					struct lmig_addr a = walk_addr(i);

					bad |= lmig_fp_admission_del(
						self->fp, &a, NULL, 0);
				}
			}
			_exit(bad ? 1 : 0);
		}
	}
	for (int p = 0; p < 2; p++) {
		ASSERT_EQ(pids[p], waitpid(pids[p], &status, 0));
		EXPECT_EQ(0, status);
	}
	f = map_filter(self, &len);
	ASSERT_NE(NULL, f);
	for (int p = 0; p < 2; p++) {
		for (int i = p * 2000 + 1000; i < p * 2000 + 2000; i++) {
			ASSERT_TRUE(maybe_of(f, i))
			TH_LOG("admission %d", i);
		}
	}
	/* Every count exact: nothing left once the rest is deleted (and a
	 * counter three shared, once recounted). */
	for (int p = 0; p < 2; p++)
		for (int i = p * 2000 + 1000; i < p * 2000 + 2000; i++) {
			struct lmig_addr a = walk_addr(i);

			ASSERT_EQ(0,
				  lmig_fp_admission_del(self->fp, &a, NULL, 0));
		}
	ASSERT_EQ(0, lmig_fp_filter_recount(self->fp, NULL, NULL, 0));
	ASSERT_EQ(0, lmig_fp_filter_info(self->fp, &info, NULL, 0));
	EXPECT_EQ(0, info.used);
	munmap(f, len);
}

/* ---- users ---------------------------------------------------------- */

static int count_user(uint32_t slot, const struct lmig_user *user, void *ctx)
{
	struct walk *w = ctx;
	uint32_t id = user->user_id;

	if (id >= 4096 || slot >= LMIG_USERS_MAX ||
	    user->generation != id * 10 || w->marks[id]++)
		w->bad++;
	w->seen++;
	return 0;
}

TEST_F(fp, users)
{
	struct lmig_user user = {.valid_until_ns = LMIG_TIME_NEVER,
				 .state = LMIG_STATE_ACTIVE,
				 .services = LMIG_SERVICE_PTT};
	struct lmig_user bad, got;
	struct walk *w = calloc(1, sizeof(*w));
	uint32_t slot, again;

	ASSERT_NE(NULL, w);
	LOAD();
	EXPECT_EQ(-EINVAL, lmig_fp_user_put(self->fp, 0, &user, NULL, self->msg,
					    sizeof(self->msg)));
	EXPECT_STREQ("user id 0 is not a user", self->msg);
	bad = user;
	bad.state = LMIG_STATE_UNSPEC;
	EXPECT_EQ(-EINVAL, lmig_fp_user_put(self->fp, 1, &bad, NULL, self->msg,
					    sizeof(self->msg)));
	bad.state = LMIG_STATE_MAX + 1;
	EXPECT_EQ(-EINVAL, lmig_fp_user_put(self->fp, 1, &bad, NULL, self->msg,
					    sizeof(self->msg)));
	EXPECT_STREQ("user 1: state 3 is neither active nor suspended",
		     self->msg);
	bad = user;
	bad.services = 0x10;
	EXPECT_EQ(-EINVAL, lmig_fp_user_put(self->fp, 1, &bad, NULL, self->msg,
					    sizeof(self->msg)));
	bad = user;
	bad.valid_until_ns = 0;
	EXPECT_EQ(-EINVAL, lmig_fp_user_put(self->fp, 1, &bad, NULL, self->msg,
					    sizeof(self->msg)));
	bad = user;
	bad.user_id = 2;
	EXPECT_EQ(-EINVAL, lmig_fp_user_put(self->fp, 1, &bad, NULL, self->msg,
					    sizeof(self->msg)));
	EXPECT_STREQ("user 1: the state names user 2", self->msg);
	bad = user;
	bad.pad = 1;
	EXPECT_EQ(-EINVAL, lmig_fp_user_put(self->fp, 1, &bad, NULL, self->msg,
					    sizeof(self->msg)));
	EXPECT_EQ(-ENOENT, lmig_fp_user_get(self->fp, 1, &got, NULL, self->msg,
					    sizeof(self->msg)));
	EXPECT_STREQ("no user 1", self->msg);

	for (uint32_t id = 1; id <= 300; id++) {
		user.generation = id * 10;
		ASSERT_EQ(0,
			  lmig_fp_user_put(self->fp, id, &user, NULL, NULL, 0));
	}
	EXPECT_EQ(0, lmig_fp_user_foreach(self->fp, count_user, w, NULL, 0));
	EXPECT_EQ(300, w->seen);
	EXPECT_EQ(0, w->bad);
	ASSERT_EQ(0, lmig_fp_user_get(self->fp, 42, &got, &slot, NULL, 0));
	EXPECT_EQ(420, got.generation);
	EXPECT_EQ(42, got.user_id);
	/* A second write keeps the slot. */
	user.generation = 421;
	user.state = LMIG_STATE_SUSPENDED;
	ASSERT_EQ(0, lmig_fp_user_put(self->fp, 42, &user, &again, NULL, 0));
	EXPECT_EQ(slot, again);
	ASSERT_EQ(0, lmig_fp_user_get(self->fp, 42, &got, NULL, NULL, 0));
	EXPECT_EQ(LMIG_STATE_SUSPENDED, got.state);
	EXPECT_EQ(0, lmig_fp_user_del(self->fp, 42, NULL, 0));
	EXPECT_EQ(-ENOENT,
		  lmig_fp_user_del(self->fp, 42, self->msg, sizeof(self->msg)));
	EXPECT_EQ(-ENOENT, lmig_fp_user_get(self->fp, 42, NULL, NULL, NULL, 0));
	free(w);
}

/* Slots run out at LMIG_USERS_MAX, and a freed one is taken again with
 * its counters zeroed. */
TEST_F_TIMEOUT(fp, user_slots, 300)
{
	struct lmig_user user = {.valid_until_ns = LMIG_TIME_NEVER,
				 .state = LMIG_STATE_ACTIVE,
				 .services = LMIG_SERVICE_PTT};
	uint8_t frame[62] = {0};
	struct lmig_admission adm = {.expires_ns = LMIG_TIME_NEVER,
				     .user_id = 1,
				     .services = LMIG_SERVICE_PTT};
	struct lmig_user_counter c;
	struct lmig_addr a = v4(10);
	uint32_t slot, other;
	LIBBPF_OPTS(bpf_test_run_opts, run, .data_in = frame,
		    .data_size_in = sizeof(frame), .repeat = 5);

	LOAD();
	/* 192.0.2.10 -> 192.0.2.1, udp 5000 (ptt) */
	memcpy(frame + 12, "\x08\x00\x45\x00\x00\x30", 6);
	frame[22] = 64, frame[23] = 17;
	memcpy(frame + 26, "\xc0\x00\x02\x0a\xc0\x00\x02\x01", 8);
	frame[36] = 5000 >> 8, frame[37] = 5000 & 0xff, frame[39] = 28;
	ASSERT_EQ(0, lmig_fp_ports_set(self->fp, LMIG_L4_UDP, 5000, 5000,
				       LMIG_CLASS_PTT, NULL, 0));
	ASSERT_EQ(0, lmig_fp_user_put(self->fp, 1, &user, &slot, NULL, 0));
	adm.user_slot = slot;
	ASSERT_EQ(0, lmig_fp_admission_put(self->fp, &a, &adm, NULL, 0));
	ASSERT_EQ(0, bpf_prog_test_run_opts(lmig_fp_prog_fd(self->fp), &run));
	EXPECT_EQ(XDP_PASS, run.retval);
	ASSERT_EQ(0, lmig_fp_user_stats(self->fp, slot, &c, NULL, 0));
	EXPECT_EQ(5, c.packets);
	EXPECT_EQ(5 * sizeof(frame), c.bytes);
	EXPECT_EQ(0, c.drops);
	/* The user is gone: the admission still names the slot, in vain. */
	ASSERT_EQ(0, lmig_fp_user_del(self->fp, 1, NULL, 0));
	ASSERT_EQ(0, bpf_prog_test_run_opts(lmig_fp_prog_fd(self->fp), &run));
	EXPECT_EQ(XDP_DROP, run.retval);

	for (uint32_t id = 2; id < 2 + LMIG_USERS_MAX; id++) {
		ASSERT_EQ(0, lmig_fp_user_put(self->fp, id, &user, &other,
					      self->msg, sizeof(self->msg)))
		TH_LOG("user %u: %s", id, self->msg);
	}
	EXPECT_EQ(-ENOSPC,
		  lmig_fp_user_put(self->fp, 2 + LMIG_USERS_MAX, &user, NULL,
				   self->msg, sizeof(self->msg)));
	EXPECT_NE(NULL, strstr(self->msg, "all 65536 are taken"));
	/* The old slot went to another user, counters from zero; the
	 * admission of user 1 does not pass as that user's. */
	ASSERT_EQ(0, lmig_fp_user_stats(self->fp, slot, &c, NULL, 0));
	EXPECT_EQ(0, c.packets);
	ASSERT_EQ(0, bpf_prog_test_run_opts(lmig_fp_prog_fd(self->fp), &run));
	EXPECT_EQ(XDP_DROP, run.retval);
	EXPECT_EQ(-EINVAL,
		  lmig_fp_user_stats(self->fp, LMIG_USERS_MAX, &c, NULL, 0));
}

struct ranges {
	int n;
	uint32_t slot[8], class[8];
	uint16_t first[8], last[8];
};

static int collect_range(uint32_t slot, uint16_t first, uint16_t last,
			 uint32_t class, void *ctx)
{
	struct ranges *r = ctx;

	if (r->n < 8) {
		r->slot[r->n] = slot;
		r->first[r->n] = first;
		r->last[r->n] = last;
		r->class[r->n] = class;
	}
	r->n++;
	return 0;
}

#define EXPECT_RANGE(r, i, s, f, l, c)      \
	do {                                \
		EXPECT_EQ(s, (r).slot[i]);  \
		EXPECT_EQ(f, (r).first[i]); \
		EXPECT_EQ(l, (r).last[i]);  \
		EXPECT_EQ(c, (r).class[i]); \
	} while (0)

TEST_F(fp, ports)
{
	struct ranges r = {0};
	uint32_t class, got[12];

	LOAD();
	EXPECT_EQ(0, lmig_fp_port_ranges(self->fp, collect_range, &r, NULL, 0));
	EXPECT_EQ(0, r.n);

	ASSERT_EQ(0, lmig_fp_ports_set(self->fp, LMIG_L4_UDP, 5000, 5009,
				       LMIG_CLASS_PTT, NULL, 0));
	ASSERT_EQ(0, lmig_fp_ports_set(self->fp, LMIG_L4_TCP, 443, 443,
				       LMIG_CLASS_OPEN, NULL, 0));
	ASSERT_EQ(0, lmig_fp_ports_set(self->fp, LMIG_L4_TCP, 65535, 65535,
				       LMIG_CLASS_DATA, NULL, 0));
	ASSERT_EQ(0, lmig_fp_ports_set(self->fp, LMIG_L4_UDP, 5005, 5005,
				       LMIG_CLASS_NONE, NULL, 0));
	ASSERT_EQ(0, lmig_fp_ports_set(self->fp, LMIG_L4_SCTP, 8809, 8809,
				       LMIG_CLASS_DENY, NULL, 0));
	ASSERT_EQ(0, lmig_fp_port_ranges(self->fp, collect_range, &r, NULL, 0));
	ASSERT_EQ(5, r.n);
	EXPECT_RANGE(r, 0, LMIG_L4_UDP, 5000, 5004, LMIG_CLASS_PTT);
	EXPECT_RANGE(r, 1, LMIG_L4_UDP, 5006, 5009, LMIG_CLASS_PTT);
	EXPECT_RANGE(r, 2, LMIG_L4_TCP, 443, 443, LMIG_CLASS_OPEN);
	EXPECT_RANGE(r, 3, LMIG_L4_TCP, 65535, 65535, LMIG_CLASS_DATA);
	EXPECT_RANGE(r, 4, LMIG_L4_SCTP, 8809, 8809, LMIG_CLASS_DENY);
	EXPECT_EQ(0, lmig_fp_port_get(self->fp, LMIG_L4_TCP, 5000, &class, NULL,
				      0));
	EXPECT_EQ(LMIG_CLASS_NONE, class);

	/* A range read back, ends of the map included. */
	ASSERT_EQ(0, lmig_fp_ports_get(self->fp, LMIG_L4_UDP, 4999, 5010, got,
				       NULL, 0));
	for (int i = 0; i < 12; i++) {
		uint32_t want = i == 0 || i == 6 || i == 11 ? LMIG_CLASS_NONE
							    : LMIG_CLASS_PTT;

		EXPECT_EQ(want, got[i]);
	}
	ASSERT_EQ(0, lmig_fp_ports_get(self->fp, LMIG_L4_TCP, 65534, 65535, got,
				       NULL, 0));
	EXPECT_EQ(LMIG_CLASS_NONE, got[0]);
	EXPECT_EQ(LMIG_CLASS_DATA, got[1]);
	ASSERT_EQ(0,
		  lmig_fp_ports_get(self->fp, LMIG_L4_UDP, 0, 0, got, NULL, 0));
	EXPECT_EQ(LMIG_CLASS_NONE, got[0]);
	EXPECT_EQ(-EINVAL, lmig_fp_ports_get(self->fp, LMIG_L4_UDP, 9, 8, got,
					     self->msg, sizeof(self->msg)));

	/* Bad input changes nothing. */
	EXPECT_EQ(-EINVAL, lmig_fp_ports_set(self->fp, __LMIG_L4_MAX, 1, 2,
					     LMIG_CLASS_PTT, self->msg,
					     sizeof(self->msg)));
	EXPECT_STREQ("transport 3 is none of udp (0), tcp (1), sctp (2)",
		     self->msg);
	EXPECT_EQ(-EINVAL, lmig_fp_ports_set(self->fp, LMIG_L4_UDP, 1, 2,
					     __LMIG_CLASS_MAX, self->msg,
					     sizeof(self->msg)));
	/* Classes that only name counters are not for ports. */
	EXPECT_EQ(-EINVAL, lmig_fp_ports_set(self->fp, LMIG_L4_UDP, 1, 2,
					     LMIG_CLASS_FRAGMENT, self->msg,
					     sizeof(self->msg)));
	EXPECT_STREQ("traffic class 6 cannot be given to ports", self->msg);
	EXPECT_EQ(-EINVAL,
		  lmig_fp_ports_set(self->fp, LMIG_L4_UDP, 7, 6, LMIG_CLASS_PTT,
				    self->msg, sizeof(self->msg)));
	EXPECT_STREQ("port range 7-6 is empty: first > last", self->msg);
	EXPECT_EQ(-EINVAL, lmig_fp_port_get(self->fp, 9, 1, &class, NULL, 0));
	memset(&r, 0, sizeof(r));
	ASSERT_EQ(0, lmig_fp_port_ranges(self->fp, collect_range, &r, NULL, 0));
	EXPECT_EQ(5, r.n);

	/* Every port at once, and back. */
	ASSERT_EQ(0, lmig_fp_ports_set(self->fp, LMIG_L4_UDP, 0, 65535,
				       LMIG_CLASS_VIDEO, NULL, 0));
	memset(&r, 0, sizeof(r));
	ASSERT_EQ(0, lmig_fp_port_ranges(self->fp, collect_range, &r, NULL, 0));
	ASSERT_EQ(4, r.n);
	EXPECT_RANGE(r, 0, LMIG_L4_UDP, 0, 65535, LMIG_CLASS_VIDEO);
	ASSERT_EQ(0, lmig_fp_ports_set(self->fp, LMIG_L4_UDP, 0, 65535,
				       LMIG_CLASS_NONE, NULL, 0));
	memset(&r, 0, sizeof(r));
	ASSERT_EQ(0, lmig_fp_port_ranges(self->fp, collect_range, &r, NULL, 0));
	EXPECT_EQ(3, r.n);
}

TEST_F(fp, config)
{
	struct lmig_config cfg = {.unclassified = LMIG_DEFAULT_DROP}, got;
	uint64_t rate, burst;

	LOAD();
	ASSERT_EQ(0, lmig_fp_config_get(self->fp, &got, NULL, 0));
	EXPECT_EQ(LMIG_DEFAULT_PASS, got.unclassified);
	EXPECT_EQ(0, got.open_source.interval_ns);
	ASSERT_EQ(0, lmig_limit_set(&cfg.open_source, 100, 200));
	ASSERT_EQ(0, lmig_limit_set(&cfg.open_total, 20000, 1));
	ASSERT_EQ(0, lmig_limit_set(&cfg.denials, 0, 1));
	EXPECT_EQ(10000000, cfg.open_source.interval_ns);
	EXPECT_EQ(199 * 10000000ULL, cfg.open_source.burst_ns);
	EXPECT_EQ(0, cfg.open_total.burst_ns);
	EXPECT_EQ(0, cfg.denials.interval_ns);
	ASSERT_EQ(0, lmig_fp_config_set(self->fp, &cfg, NULL, 0));
	ASSERT_EQ(0, lmig_fp_config_get(self->fp, &got, NULL, 0));
	EXPECT_EQ(0, memcmp(&cfg, &got, sizeof(cfg)));
	lmig_limit_get(&got.open_source, &rate, &burst);
	EXPECT_EQ(100, rate);
	EXPECT_EQ(200, burst);
	lmig_limit_get(&got.denials, &rate, &burst);
	EXPECT_EQ(0, rate);

	EXPECT_EQ(-EINVAL, lmig_limit_set(&cfg.open_source, 100, 0));
	EXPECT_EQ(-EINVAL,
		  lmig_limit_set(&cfg.open_source, LMIG_NSEC_PER_SEC + 1, 1));
	cfg.unclassified = 2;
	EXPECT_EQ(-EINVAL, lmig_fp_config_set(self->fp, &cfg, self->msg,
					      sizeof(self->msg)));
	cfg.unclassified = LMIG_DEFAULT_PASS;
	cfg.pad = 1;
	EXPECT_EQ(-EINVAL, lmig_fp_config_set(self->fp, &cfg, self->msg,
					      sizeof(self->msg)));
	cfg.pad = 0;
	cfg.open_total.interval_ns = 0;
	cfg.open_total.burst_ns = 5;
	EXPECT_EQ(-EINVAL, lmig_fp_config_set(self->fp, &cfg, self->msg,
					      sizeof(self->msg)));
	EXPECT_STREQ("open total limit: interval 0 ns, burst 5 ns is not a "
		     "rate limit",
		     self->msg);
	ASSERT_EQ(0, lmig_fp_config_get(self->fp, &got, NULL, 0));
	EXPECT_EQ(LMIG_DEFAULT_DROP, got.unclassified);
}

TEST_F(fp, stats)
{
	struct lmig_counter stats[__LMIG_REASON_MAX + 2];
	struct lmig_counter(*all)[__LMIG_REASON_MAX];
	uint8_t frame[60] = {[12] = 0x08, [13] = 0x06}; /* ARP */
	LIBBPF_OPTS(bpf_test_run_opts, run, .data_in = frame,
		    .data_size_in = sizeof(frame), .repeat = 3);
	int fd;

	LOAD();
	all = calloc(__LMIG_CLASS_MAX, sizeof(*all));
	ASSERT_NE(NULL, all);
	memset(stats, 0xff, sizeof(stats));
	ASSERT_EQ(0, lmig_fp_stats(self->fp, stats, __LMIG_REASON_MAX + 2, NULL,
				   0));
	for (int r = 0; r < __LMIG_REASON_MAX + 2; r++)
		EXPECT_EQ(0, stats[r].packets);
	ASSERT_EQ(0, bpf_prog_test_run_opts(lmig_fp_prog_fd(self->fp), &run));
	EXPECT_EQ(XDP_PASS, run.retval);
	ASSERT_EQ(0,
		  lmig_fp_stats(self->fp, stats, __LMIG_REASON_MAX, NULL, 0));
	EXPECT_EQ(3, stats[LMIG_PASS_NOT_IP].packets);
	EXPECT_EQ(3 * sizeof(frame), stats[LMIG_PASS_NOT_IP].bytes);
	/* A shorter array gets the first reasons only. */
	memset(stats, 0xff, sizeof(stats));
	ASSERT_EQ(0, lmig_fp_stats(self->fp, stats, 1, NULL, 0));
	EXPECT_EQ(3, stats[0].packets);
	EXPECT_EQ(UINT64_MAX, stats[1].packets);
	/* By class: not IP has none. */
	ASSERT_EQ(0, lmig_fp_class_stats(self->fp, all, NULL, 0));
	EXPECT_EQ(3, all[LMIG_CLASS_NONE][LMIG_PASS_NOT_IP].packets);
	EXPECT_EQ(0, all[LMIG_CLASS_PTT][LMIG_PASS_NOT_IP].packets);
	free(all);
	fd = lmig_fp_denials_fd(self->fp, self->msg, sizeof(self->msg));
	EXPECT_LE(0, fd) TH_LOG("%s", self->msg);
}

TEST_F(fp, addresses)
{
	static const char *const bad[] = {
		"",	      "1.2.3",		"1.2.3.4.5",  "256.1.1.1",
		"[::1]",      "::1%lo",		"10.0.0.0/8", " 192.0.2.1",
		"192.0.2.1 ", "2001:db8::1::2", "fe80::1%1",  "::g",
		"localhost",
	};
	struct sockaddr_in sin = {.sin_family = AF_INET,
				  .sin_addr.s_addr = htonl(0xc0000205)};
	struct sockaddr_in6 sin6 = {.sin6_family = AF_INET6};
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	char buf[LMIG_ADDR_STRLEN];
	struct lmig_addr a, b;

	ASSERT_EQ(0, lmig_addr_parse("192.0.2.1", &a, self->msg,
				     sizeof(self->msg)));
	EXPECT_TRUE(lmig_addr_is_ipv4(&a));
	b = v4(1);
	EXPECT_EQ(0, memcmp(&a, &b, sizeof(a)));
	EXPECT_STREQ("192.0.2.1", lmig_addr_format(&a, buf, sizeof(buf)));
	ASSERT_EQ(0, lmig_addr_parse("::ffff:192.0.2.1", &b, NULL, 0));
	EXPECT_EQ(0, memcmp(&a, &b, sizeof(a)));

	ASSERT_EQ(0, lmig_addr_parse("2001:DB8:0::10", &a, NULL, 0));
	EXPECT_FALSE(lmig_addr_is_ipv4(&a));
	EXPECT_EQ(0x20, a.addr[0]);
	EXPECT_EQ(0x10, a.addr[15]);
	EXPECT_STREQ("2001:db8::10", lmig_addr_format(&a, buf, sizeof(buf)));
	ASSERT_EQ(0, lmig_addr_parse("::", &a, NULL, 0));
	EXPECT_STREQ("::", lmig_addr_format(&a, buf, sizeof(buf)));
	/* Too small a buffer gives an empty string, never a cut address. */
	ASSERT_EQ(0, lmig_addr_parse("2001:db8::10", &a, NULL, 0));
	EXPECT_STREQ("", lmig_addr_format(&a, buf, 5));

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(&a, 0x5a, sizeof(a));
		self->msg[0] = '\0';
		EXPECT_EQ(-EINVAL, lmig_addr_parse(bad[i], &a, self->msg,
						   sizeof(self->msg)))
		TH_LOG("'%s' accepted", bad[i]);
		EXPECT_NE(NULL, strstr(self->msg, "is not an IPv4 or IPv6"));
		EXPECT_EQ(0x5a, a.addr[0]);
	}
	EXPECT_STREQ("'localhost' is not an IPv4 or IPv6 address", self->msg);

	ASSERT_EQ(0, lmig_addr_from_sockaddr((struct sockaddr *)&sin,
					     sizeof(sin), &a, NULL, 0));
	EXPECT_STREQ("192.0.2.5", lmig_addr_format(&a, buf, sizeof(buf)));
	sin6.sin6_addr.s6_addr[0] = 0xfe;
	sin6.sin6_addr.s6_addr[1] = 0x80;
	sin6.sin6_addr.s6_addr[15] = 1;
	ASSERT_EQ(0, lmig_addr_from_sockaddr((struct sockaddr *)&sin6,
					     sizeof(sin6), &a, NULL, 0));
	EXPECT_STREQ("fe80::1", lmig_addr_format(&a, buf, sizeof(buf)));
	EXPECT_EQ(-EINVAL, lmig_addr_from_sockaddr((struct sockaddr *)&sin6,
						   sizeof(sin), &a, NULL, 0));
	EXPECT_EQ(-EAFNOSUPPORT,
		  lmig_addr_from_sockaddr((struct sockaddr *)&sun, sizeof(sun),
					  &a, self->msg, sizeof(self->msg)));
}

/* ---- links ---------------------------------------------------------- */

#define VETH()                                                                \
	do {                                                                  \
		ASSERT_EQ(0, ip_cmd("link add fpa type veth peer name fpb")); \
		ASSERT_EQ(0, ip_cmd("link set fpa up"));                      \
		ASSERT_EQ(0, ip_cmd("link set fpb up"));                      \
	} while (0)

#define ATTACH(ifname, want, mode, reused)                                \
	ASSERT_EQ(0, lmig_fp_attach(self->fp, ifname, want, mode, reused, \
				    self->msg, sizeof(self->msg)))        \
	TH_LOG("attach %s: %s", ifname, self->msg)

TEST_F(fp, attach_survives_restart)
{
	struct lmig_fp_link link, again;
	enum lmig_xdp_mode mode;
	uint32_t old_id, new_id, drv, skb;
	char path[512];
	bool reused = true;

	VETH();
	LOAD();
	old_id = prog_id(lmig_fp_prog_fd(self->fp));
	ATTACH("fpa", LMIG_XDP_AUTO, &mode, &reused);
	EXPECT_EQ(LMIG_XDP_NATIVE, mode);
	EXPECT_FALSE(reused);
	EXPECT_STREQ("", self->msg);
	snprintf(path, sizeof(path), "%s/%sfpa", self->dir, LMIG_LINK_PREFIX);
	EXPECT_TRUE(exists(path));
	ASSERT_EQ(0, lmig_fp_link_get(self->fp, "fpa", &link, NULL, 0));
	EXPECT_EQ(if_nametoindex("fpa"), link.ifindex);
	EXPECT_EQ(old_id, link.prog_id);
	EXPECT_EQ(LMIG_XDP_NATIVE, link.mode);
	EXPECT_STREQ("fpa", link.ifname);
	xdp_ids("fpa", &drv, &skb);
	EXPECT_EQ(old_id, drv);

	/* The agent goes away: the pinned link keeps the program. */
	lmig_fp_close(self->fp);
	self->fp = NULL;
	xdp_ids("fpa", &drv, &skb);
	EXPECT_EQ(old_id, drv);

	/* It comes back with a new program: same link, program swapped. */
	LOAD();
	new_id = prog_id(lmig_fp_prog_fd(self->fp));
	EXPECT_NE(old_id, new_id);
	ATTACH("fpa", LMIG_XDP_AUTO, &mode, &reused);
	EXPECT_TRUE(reused);
	EXPECT_EQ(LMIG_XDP_NATIVE, mode);
	ASSERT_EQ(0, lmig_fp_link_get(self->fp, "fpa", &again, NULL, 0));
	EXPECT_EQ(link.link_id, again.link_id);
	EXPECT_EQ(new_id, again.prog_id);
	xdp_ids("fpa", &drv, &skb);
	EXPECT_EQ(new_id, drv);
	/* Asking for the same mode reuses too. */
	ATTACH("fpa", LMIG_XDP_NATIVE, &mode, &reused);
	EXPECT_TRUE(reused);

	/* Another mode needs a detach first; nothing changes. */
	EXPECT_EQ(-EEXIST,
		  lmig_fp_attach(self->fp, "fpa", LMIG_XDP_GENERIC, &mode,
				 &reused, self->msg, sizeof(self->msg)));
	EXPECT_NE(NULL, strstr(self->msg, "native mode, not generic"))
	TH_LOG("%s", self->msg);
	xdp_ids("fpa", &drv, &skb);
	EXPECT_EQ(new_id, drv);
	EXPECT_EQ(0, skb);

	EXPECT_EQ(0,
		  lmig_fp_detach(self->fp, "fpa", self->msg, sizeof(self->msg)))
	TH_LOG("%s", self->msg);
	EXPECT_FALSE(exists(path));
	xdp_ids("fpa", &drv, &skb);
	EXPECT_EQ(0, drv);
	EXPECT_EQ(-ENOENT, lmig_fp_detach(self->fp, "fpa", self->msg,
					  sizeof(self->msg)));
	EXPECT_NE(NULL, strstr(self->msg, path));
	EXPECT_EQ(-ENOENT, lmig_fp_link_get(self->fp, "fpa", &link, NULL, 0));
}

TEST_F(fp, attach_modes)
{
	enum lmig_xdp_mode mode;
	uint32_t id, drv, skb;
	bool reused;

	VETH();
	LOAD();
	id = prog_id(lmig_fp_prog_fd(self->fp));
	ATTACH("fpb", LMIG_XDP_GENERIC, &mode, &reused);
	EXPECT_EQ(LMIG_XDP_GENERIC, mode);
	xdp_ids("fpb", &drv, &skb);
	EXPECT_EQ(0, drv);
	EXPECT_EQ(id, skb);

	/* lo has no native XDP: refused when asked, explained on fallback. */
	EXPECT_EQ(-EOPNOTSUPP,
		  lmig_fp_attach(self->fp, "lo", LMIG_XDP_NATIVE, &mode,
				 &reused, self->msg, sizeof(self->msg)));
	EXPECT_NE(NULL, strstr(self->msg, "lo in native mode"))
	TH_LOG("%s", self->msg);
	ATTACH("lo", LMIG_XDP_AUTO, &mode, &reused);
	EXPECT_EQ(LMIG_XDP_GENERIC, mode);
	EXPECT_NE(NULL, strstr(self->msg, "native XDP refused on lo"))
	TH_LOG("%s", self->msg);
	xdp_ids("lo", &drv, &skb);
	EXPECT_EQ(id, skb);

	EXPECT_EQ(-EINVAL, lmig_fp_attach(self->fp, "fpa", 7, &mode, &reused,
					  self->msg, sizeof(self->msg)));
	EXPECT_STREQ("auto", lmig_xdp_mode_name(LMIG_XDP_AUTO));
	EXPECT_STREQ("generic", lmig_xdp_mode_name(LMIG_XDP_GENERIC));
	EXPECT_STREQ("?", lmig_xdp_mode_name(9));
}

TEST_F(fp, attach_errors)
{
	struct lmig_fp *view;
	enum lmig_xdp_mode mode;
	bool reused;

	VETH();
	LOAD();
	EXPECT_EQ(-ENODEV,
		  lmig_fp_attach(self->fp, "nosuch0", LMIG_XDP_AUTO, &mode,
				 &reused, self->msg, sizeof(self->msg)));
	EXPECT_STREQ("no interface 'nosuch0' in this network namespace",
		     self->msg);
	EXPECT_EQ(-EINVAL,
		  lmig_fp_attach(self->fp, "../lmig_users", LMIG_XDP_AUTO,
				 &mode, &reused, self->msg, sizeof(self->msg)));
	EXPECT_EQ(-EINVAL,
		  lmig_fp_attach(self->fp, "abcdefghijklmnop", LMIG_XDP_AUTO,
				 &mode, &reused, self->msg, sizeof(self->msg)));
	EXPECT_EQ(-EINVAL,
		  lmig_fp_detach(self->fp, "", self->msg, sizeof(self->msg)));
	/* The CLI's handle has no program to attach. */
	ASSERT_EQ(0, lmig_fp_open(self->instance, &view, NULL, 0));
	EXPECT_EQ(-EINVAL,
		  lmig_fp_attach(view, "fpa", LMIG_XDP_AUTO, &mode, &reused,
				 self->msg, sizeof(self->msg)));
	EXPECT_NE(NULL, strstr(self->msg, "without its program"));
	lmig_fp_close(view);
}

TEST_F(fp, stale_and_foreign_links)
{
	struct lmig_fp_link link, fresh;
	enum lmig_xdp_mode mode;
	uint32_t drv, skb;
	bool reused;

	VETH();
	LOAD();
	ATTACH("fpa", LMIG_XDP_AUTO, &mode, &reused);
	ASSERT_EQ(0, lmig_fp_link_get(self->fp, "fpa", &link, NULL, 0));

	/* The interface goes away; the pin stays, pointing at nothing. */
	ASSERT_EQ(0, ip_cmd("link del fpa"));
	ASSERT_EQ(0, lmig_fp_link_get(self->fp, "fpa", &fresh, NULL, 0));
	EXPECT_EQ(0, fresh.ifindex);
	EXPECT_EQ(LMIG_XDP_UNKNOWN, fresh.mode);
	/* A new interface of that name gets a new link. */
	VETH();
	ATTACH("fpa", LMIG_XDP_AUTO, &mode, &reused);
	EXPECT_FALSE(reused);
	ASSERT_EQ(0, lmig_fp_link_get(self->fp, "fpa", &fresh, NULL, 0));
	EXPECT_NE(link.link_id, fresh.link_id);
	EXPECT_EQ(if_nametoindex("fpa"), fresh.ifindex);

	/* Renamed away: the pin's link holds another interface now. */
	ASSERT_EQ(0, ip_cmd("link set fpa down"));
	ASSERT_EQ(0, ip_cmd("link set fpa name fpc"));
	ASSERT_EQ(0, ip_cmd("link add fpa type veth peer name fpd"));
	EXPECT_EQ(-EEXIST,
		  lmig_fp_attach(self->fp, "fpa", LMIG_XDP_AUTO, &mode, &reused,
				 self->msg, sizeof(self->msg)));
	EXPECT_NE(NULL, strstr(self->msg, "detach it first"))
	TH_LOG("%s", self->msg);
	xdp_ids("fpa", &drv, &skb);
	EXPECT_EQ(0, drv + skb);
	xdp_ids("fpc", &drv, &skb);
	EXPECT_EQ(fresh.prog_id, drv);
}

struct seen_links {
	int n;
	char names[4][IF_NAMESIZE];
};

static int collect_link(const struct lmig_fp_link *link, void *ctx)
{
	struct seen_links *s = ctx;

	if (s->n < 4)
		snprintf(s->names[s->n], IF_NAMESIZE, "%s", link->ifname);
	s->n++;
	return 0;
}

TEST_F(fp, link_walk_and_remove)
{
	struct seen_links s = {0};
	enum lmig_xdp_mode mode;
	uint32_t drv, skb;
	char path[512];
	bool reused;
	int fd;

	VETH();
	LOAD();
	ATTACH("fpa", LMIG_XDP_AUTO, &mode, &reused);
	ATTACH("fpb", LMIG_XDP_GENERIC, &mode, &reused);
	ASSERT_EQ(0, lmig_fp_link_foreach(self->fp, collect_link, &s, NULL, 0));
	ASSERT_EQ(2, s.n);
	EXPECT_TRUE(
		(!strcmp(s.names[0], "fpa") && !strcmp(s.names[1], "fpb")) ||
		(!strcmp(s.names[0], "fpb") && !strcmp(s.names[1], "fpa")));

	/* A file lmig does not own stays, and with it the directory. */
	fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "other", 4, 4, 1, NULL);
	ASSERT_LE(0, fd);
	snprintf(path, sizeof(path), "%s/other", self->dir);
	ASSERT_EQ(0, bpf_obj_pin(fd, path));
	close(fd);
	EXPECT_EQ(-ENOTEMPTY,
		  lmig_fp_remove(self->instance, self->msg, sizeof(self->msg)));
	EXPECT_NE(NULL, strstr(self->msg, path)) TH_LOG("%s", self->msg);
	/* Everything of ours is gone all the same. */
	xdp_ids("fpa", &drv, &skb);
	EXPECT_EQ(0, drv + skb);
	xdp_ids("fpb", &drv, &skb);
	EXPECT_EQ(0, drv + skb);
	memset(&s, 0, sizeof(s));
	EXPECT_EQ(0, lmig_fp_link_foreach(self->fp, collect_link, &s, NULL, 0));
	EXPECT_EQ(0, s.n);
	ASSERT_EQ(0, unlink(path));
	EXPECT_EQ(0,
		  lmig_fp_remove(self->instance, self->msg, sizeof(self->msg)))
	TH_LOG("%s", self->msg);
	EXPECT_FALSE(exists(self->dir));
	EXPECT_EQ(-ENOENT,
		  lmig_fp_remove(self->instance, self->msg, sizeof(self->msg)));
	EXPECT_NE(NULL, strstr(self->msg, "no instance"));
}

TEST_HARNESS_MAIN

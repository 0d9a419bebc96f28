// SPDX-License-Identifier: GPL-2.0-only
/*
 * The fast path of one gateway instance: its pins on the BPF filesystem,
 * the XDP program and its links, and typed access to every map.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <linux/if_link.h>
#include <linux/magic.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <linux/lmig.h>
#include "clock.h"
#include "fastpath.h"
#include "lmig_xdp.skel.h"

#define FP_PATH_MAX 256
/* Entries fetched per batch when walking a map. */
#define FP_BATCH 256

enum fp_map {
	FP_MAP_ADMISSION,
	FP_MAP_FILTER,
	FP_MAP_USERS,
	FP_MAP_USER_SLOTS,
	FP_MAP_PORTS,
	FP_MAP_CONFIG,
	FP_MAP_STATS,
	FP_MAP_USER_STATS,
	FP_MAP_OPEN_SOURCES,
	FP_MAP_OPEN_TOTAL,
	FP_MAP_DENIALS,
	FP_MAP_COUNT
};

/* What every pinned map must be, for this library to read it right. */
static const struct map_spec {
	const char *name;
	uint32_t type;
	uint32_t key_size;
	uint32_t value_size;
	uint32_t max_entries;
	uint32_t flags;
} map_specs[FP_MAP_COUNT] = {
	[FP_MAP_ADMISSION] = {LMIG_MAP_ADMISSIONS, BPF_MAP_TYPE_HASH,
			      sizeof(struct lmig_addr),
			      sizeof(struct lmig_admission),
			      LMIG_ADMISSIONS_MAX, BPF_F_NO_PREALLOC},
	[FP_MAP_FILTER] = {LMIG_MAP_FILTER, BPF_MAP_TYPE_ARRAY,
			   sizeof(uint32_t), sizeof(struct lmig_filter), 1,
			   BPF_F_MMAPABLE},
	[FP_MAP_USERS] = {LMIG_MAP_USERS, BPF_MAP_TYPE_ARRAY, sizeof(uint32_t),
			  sizeof(struct lmig_user), LMIG_USERS_MAX,
			  BPF_F_MMAPABLE},
	[FP_MAP_USER_SLOTS] = {LMIG_MAP_USER_SLOTS, BPF_MAP_TYPE_HASH,
			       sizeof(uint32_t), sizeof(uint32_t),
			       LMIG_USERS_MAX, BPF_F_NO_PREALLOC},
	[FP_MAP_PORTS] = {LMIG_MAP_PORTS, BPF_MAP_TYPE_ARRAY, sizeof(uint32_t),
			  sizeof(uint32_t), LMIG_PORTS_MAX, 0},
	[FP_MAP_CONFIG] = {LMIG_MAP_CONFIG, BPF_MAP_TYPE_ARRAY,
			   sizeof(uint32_t), sizeof(struct lmig_config), 1, 0},
	[FP_MAP_STATS] = {LMIG_MAP_STATS, BPF_MAP_TYPE_PERCPU_ARRAY,
			  sizeof(uint32_t), sizeof(struct lmig_counter),
			  LMIG_STATS_MAX, 0},
	[FP_MAP_USER_STATS] = {LMIG_MAP_USER_STATS, BPF_MAP_TYPE_PERCPU_ARRAY,
			       sizeof(uint32_t),
			       sizeof(struct lmig_user_counter), LMIG_USERS_MAX,
			       0},
	[FP_MAP_OPEN_SOURCES] = {LMIG_MAP_OPEN_SOURCES, BPF_MAP_TYPE_LRU_HASH,
				 sizeof(struct lmig_addr),
				 sizeof(struct lmig_bucket),
				 LMIG_OPEN_SOURCES_MAX, 0},
	[FP_MAP_OPEN_TOTAL] = {LMIG_MAP_OPEN_TOTAL, BPF_MAP_TYPE_ARRAY,
			       sizeof(uint32_t), sizeof(struct lmig_bucket), 1,
			       0},
	[FP_MAP_DENIALS] = {LMIG_MAP_DENIALS, BPF_MAP_TYPE_RINGBUF, 0, 0,
			    LMIG_DENIALS_BYTES, 0},
};

struct lmig_fp {
	struct lmig_xdp *skel; /* NULL when opened without the program */
	int fds[FP_MAP_COUNT]; /* the skeleton's, or our own without it */
	char instance[LMIG_FP_INSTANCE_MAX + 1];
	char dir[FP_PATH_MAX];
	/* Shared mappings of lmig_filter and lmig_users. */
	struct lmig_filter *filter;
	size_t filter_len;
	struct lmig_user *users;
	size_t users_len;
	uint32_t next_slot; /* where the search for a free slot starts */
	/* The denial reader, made on first use. */
	struct ring_buffer *denials;
	lmig_fp_denial_cb denial_cb;
	void *denial_ctx;
	int denial_ret;
};

/* ---- messages ------------------------------------------------------- */

static void msg_clear(char *msg, size_t msglen)
{
	if (msg && msglen)
		msg[0] = '\0';
}

__attribute__((format(printf, 4, 5))) static int fail(char *msg, size_t msglen,
						      int err, const char *fmt,
						      ...)
{
	va_list ap;

	if (msg && msglen) {
		va_start(ap, fmt);
		vsnprintf(msg, msglen, fmt, ap);
		va_end(ap);
	}
	return err;
}

/* Bytes from outside (names, text) quoted safely into a message. */
static const char *escape(const char *in, char *out, size_t outlen)
{
	size_t o = 0;

	for (size_t i = 0; in[i] && o + 5 < outlen; i++) {
		unsigned char c = in[i];

		if (c >= 0x20 && c < 0x7f && c != '\\')
			out[o++] = c;
		else
			o += snprintf(out + o, outlen - o, "\\x%02x", c);
	}
	out[o] = '\0';
	return out;
}

/* ---- names and paths ------------------------------------------------ */

static bool instance_char_ok(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '_' || c == '-';
}

int lmig_fp_instance_check(const char *name, char *msg, size_t msglen)
{
	char esc[4 * LMIG_FP_INSTANCE_MAX + 8];
	size_t len;

	msg_clear(msg, msglen);
	if (!name)
		return fail(msg, msglen, -EINVAL, "no instance name given");
	len = strnlen(name, LMIG_FP_INSTANCE_MAX + 1);
	if (len == 0)
		return fail(msg, msglen, -EINVAL, "the instance name is empty");
	if (len > LMIG_FP_INSTANCE_MAX)
		return fail(msg, msglen, -EINVAL,
			    "instance name '%.16s...' is longer than %d bytes",
			    escape(name, esc, 4 * 16 + 8),
			    LMIG_FP_INSTANCE_MAX);
	for (size_t i = 0; i < len; i++)
		if (!instance_char_ok(name[i]))
			return fail(
				msg, msglen, -EINVAL,
				"instance name '%s': byte %zu is not one of "
				"A-Z a-z 0-9 _ -",
				escape(name, esc, sizeof(esc)), i + 1);
	return 0;
}

/* The kernel's rules for interface names (dev_valid_name()). */
static int ifname_check(const char *ifname, char *msg, size_t msglen)
{
	char esc[4 * IF_NAMESIZE + 8];
	size_t len;

	if (!ifname)
		return fail(msg, msglen, -EINVAL, "no interface name given");
	len = strnlen(ifname, IF_NAMESIZE);
	if (len == 0 || len >= IF_NAMESIZE || !strcmp(ifname, ".") ||
	    !strcmp(ifname, ".."))
		return fail(msg, msglen, -EINVAL,
			    "'%.32s' is not a valid interface name",
			    escape(ifname, esc, sizeof(esc)));
	for (size_t i = 0; i < len; i++)
		if (ifname[i] == '/' || ifname[i] == ':' || ifname[i] == ' ' ||
		    (ifname[i] >= '\t' && ifname[i] <= '\r'))
			return fail(msg, msglen, -EINVAL,
				    "'%s' is not a valid interface name",
				    escape(ifname, esc, sizeof(esc)));
	return 0;
}

static int join(char *out, const char *dir, const char *prefix,
		const char *name)
{
	int n = snprintf(out, FP_PATH_MAX, "%s/%s%s", dir, prefix, name);

	return n < 0 || n >= FP_PATH_MAX ? -ENAMETOOLONG : 0;
}

static int map_path(const struct lmig_fp *fp, enum fp_map m, char *out)
{
	return join(out, fp->dir, "", map_specs[m].name);
}

static int link_path(const struct lmig_fp *fp, const char *ifname, char *out)
{
	return join(out, fp->dir, LMIG_LINK_PREFIX, ifname);
}

/* The BPF filesystem must hold LMIG_PIN_ROOT, or pins go nowhere. */
static int check_bpffs(char *msg, size_t msglen)
{
	char parent[] = LMIG_PIN_ROOT;
	struct statfs st;

	*strrchr(parent, '/') = '\0';
	if (statfs(parent, &st))
		return fail(msg, msglen, -errno, "%s: %s", parent,
			    strerror(errno));
	if ((uint32_t)st.f_type != BPF_FS_MAGIC)
		return fail(msg, msglen, -ENOTSUP,
			    "%s is not a BPF filesystem; mount one with "
			    "'mount -t bpf bpf %s'",
			    parent, parent);
	return 0;
}

static int make_dir(const char *path, mode_t mode, char *msg, size_t msglen)
{
	struct stat st;

	if (mkdir(path, mode) && errno != EEXIST)
		return fail(msg, msglen, -errno, "creating %s: %s", path,
			    strerror(errno));
	if (stat(path, &st))
		return fail(msg, msglen, -errno, "%s: %s", path,
			    strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return fail(msg, msglen, -ENOTDIR, "%s is not a directory",
			    path);
	return 0;
}

/* Serialise loaders and removers of one instance; returns the lock fd. */
static int lock_dir(const char *dir, const char *instance, char *msg,
		    size_t msglen)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0) {
		if (errno == ENOENT)
			return fail(msg, msglen, -ENOENT,
				    "no instance '%s': %s does not exist",
				    instance, dir);
		return fail(msg, msglen, -errno, "%s: %s", dir,
			    strerror(errno));
	}
	if (flock(fd, LOCK_EX | LOCK_NB)) {
		int err = errno;

		close(fd);
		if (err == EWOULDBLOCK)
			return fail(msg, msglen, -EBUSY,
				    "instance '%s' is being loaded or removed "
				    "by another process",
				    instance);
		return fail(msg, msglen, -err, "locking %s: %s", dir,
			    strerror(err));
	}
	return fd;
}

/* ---- BPF objects ---------------------------------------------------- */

/*
 * Is fd a BPF object of this kind ("map_type", "link_type")? The kernel
 * says so in fdinfo; its info call answers any kind without saying which.
 */
static int fd_kind_is(int fd, const char *kind)
{
	char path[64], line[128];
	size_t klen = strlen(kind);
	bool found = false;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, kind, klen) && line[klen] == ':') {
			found = true;
			break;
		}
	fclose(f);
	return found;
}

static int check_map(int fd, const struct map_spec *spec, bool check_flags,
		     const char *path, char *msg, size_t msglen)
{
	struct bpf_map_info info;
	uint32_t len = sizeof(info);
	int kind = fd_kind_is(fd, "map_type");

	if (kind < 0)
		return fail(msg, msglen, kind, "%s: reading fdinfo: %s", path,
			    strerror(-kind));
	if (!kind)
		return fail(msg, msglen, -EINVAL, "%s is not a BPF map", path);
	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return fail(msg, msglen, -errno, "%s: %s", path,
			    strerror(errno));

	static const char *const what[] = {"type", "key size", "value size",
					   "size", "flags"};
	const uint32_t have[] = {info.type, info.key_size, info.value_size,
				 info.max_entries, info.map_flags};
	const uint32_t need[] = {spec->type, spec->key_size, spec->value_size,
				 spec->max_entries, spec->flags};

	for (size_t i = 0; i < sizeof(have) / sizeof(have[0]); i++) {
		if (i == 4 && !check_flags)
			break;
		if (have[i] != need[i])
			return fail(msg, msglen, -EINVAL,
				    "%s: map %s is %u, lmig needs %u; "
				    "remove the instance to recreate it",
				    path, what[i], have[i], need[i]);
	}
	return 0;
}

/* The program's own map definitions must be the contract too. */
static int check_program_map(struct bpf_map *map, const struct map_spec *spec,
			     char *msg, size_t msglen)
{
	if (bpf_map__type(map) != spec->type ||
	    bpf_map__key_size(map) != spec->key_size ||
	    bpf_map__value_size(map) != spec->value_size ||
	    bpf_map__max_entries(map) != spec->max_entries ||
	    bpf_map__map_flags(map) != spec->flags)
		return fail(msg, msglen, -EPROTO,
			    "the XDP program's map %s differs from "
			    "include/lmig_maps.h; rebuild lmig",
			    spec->name);
	return 0;
}

static struct lmig_fp *fp_new(const char *instance)
{
	struct lmig_fp *fp = calloc(1, sizeof(*fp));

	if (!fp)
		return NULL;
	for (int i = 0; i < FP_MAP_COUNT; i++)
		fp->fds[i] = -1;
	snprintf(fp->instance, sizeof(fp->instance), "%s", instance);
	snprintf(fp->dir, sizeof(fp->dir), "%s/%s", LMIG_PIN_ROOT, instance);
	return fp;
}

void lmig_fp_close(struct lmig_fp *fp)
{
	if (!fp)
		return;
	ring_buffer__free(fp->denials);
	if (fp->filter)
		munmap(fp->filter, fp->filter_len);
	if (fp->users)
		munmap(fp->users, fp->users_len);
	if (fp->skel)
		lmig_xdp__destroy(fp->skel);
	else
		for (int i = 0; i < FP_MAP_COUNT; i++)
			if (fp->fds[i] >= 0)
				close(fp->fds[i]);
	free(fp);
}

const char *lmig_fp_dir(const struct lmig_fp *fp)
{
	return fp->dir;
}

int lmig_fp_prog_fd(const struct lmig_fp *fp)
{
	return fp->skel ? bpf_program__fd(fp->skel->progs.lmig_fast_path) : -1;
}

/* The bytes a shared mapping of an array map spans: whole pages. */
static size_t array_bytes(const struct map_spec *spec)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	size_t elem = ((size_t)spec->value_size + 7) & ~(size_t)7;
	size_t len = elem * spec->max_entries;

	return (len + page - 1) / page * page;
}

static int map_shared(struct lmig_fp *fp, enum fp_map m, void **out,
		      size_t *len, char *msg, size_t msglen)
{
	void *p;

	*len = array_bytes(&map_specs[m]);
	p = mmap(NULL, *len, PROT_READ | PROT_WRITE, MAP_SHARED, fp->fds[m], 0);
	if (p == MAP_FAILED)
		return fail(msg, msglen, -errno, "%s/%s: mapping it: %s",
			    fp->dir, map_specs[m].name, strerror(errno));
	*out = p;
	return 0;
}

/* The maps this library writes through memory rather than syscalls. */
static int map_state(struct lmig_fp *fp, char *msg, size_t msglen)
{
	void *filter, *users;
	int err;

	err = map_shared(fp, FP_MAP_FILTER, &filter, &fp->filter_len, msg,
			 msglen);
	if (err)
		return err;
	fp->filter = filter;
	err = map_shared(fp, FP_MAP_USERS, &users, &fp->users_len, msg, msglen);
	if (err)
		return err;
	fp->users = users;
	return 0;
}

static int filter_start(struct lmig_fp *fp, char *msg, size_t msglen);

/* Check the program and any map already pinned, before libbpf reuses it. */
static int check_before_load(struct lmig_fp *fp, char *msg, size_t msglen)
{
	char path[FP_PATH_MAX];
	int err, fd;

	for (int i = 0; i < FP_MAP_COUNT; i++) {
		const struct map_spec *spec = &map_specs[i];
		struct bpf_map *map;

		map = bpf_object__find_map_by_name(fp->skel->obj, spec->name);
		if (!map)
			return fail(msg, msglen, -EPROTO,
				    "the XDP program has no map %s; rebuild "
				    "lmig",
				    spec->name);
		err = check_program_map(map, spec, msg, msglen);
		if (err)
			return err;
		err = map_path(fp, i, path);
		if (err)
			return fail(msg, msglen, err, "%s/%s: path too long",
				    fp->dir, spec->name);
		fd = bpf_obj_get(path);
		if (fd < 0) {
			if (errno == ENOENT)
				continue;
			return fail(msg, msglen, -errno, "%s: %s", path,
				    strerror(errno));
		}
		err = check_map(fd, spec, true, path, msg, msglen);
		close(fd);
		if (err)
			return err;
	}
	return 0;
}

int lmig_fp_load(const char *instance, struct lmig_fp **out, char *msg,
		 size_t msglen)
{
	LIBBPF_OPTS(bpf_object_open_opts, opts);
	struct lmig_fp *fp;
	int err, lock;

	msg_clear(msg, msglen);
	if (!out)
		return fail(msg, msglen, -EINVAL, "no handle to fill");
	*out = NULL;
	err = lmig_fp_instance_check(instance, msg, msglen);
	if (!err)
		err = check_bpffs(msg, msglen);
	if (err)
		return err;
	fp = fp_new(instance);
	if (!fp)
		return fail(msg, msglen, -ENOMEM, "out of memory");
	err = make_dir(LMIG_PIN_ROOT, 0755, msg, msglen);
	if (!err)
		err = make_dir(fp->dir, 0700, msg, msglen);
	if (err)
		goto err_free;
	lock = lock_dir(fp->dir, instance, msg, msglen);
	if (lock < 0) {
		err = lock;
		goto err_free;
	}

	/* libbpf reuses each map pinned here by name, or pins a new one. */
	opts.pin_root_path = fp->dir;
	fp->skel = lmig_xdp__open_opts(&opts);
	if (!fp->skel) {
		err = -errno;
		fail(msg, msglen, err, "opening the XDP object: %s",
		     strerror(errno));
		goto err_unlock;
	}
	err = check_before_load(fp, msg, msglen);
	if (err)
		goto err_unlock;
	err = lmig_xdp__load(fp->skel);
	if (err) {
		err = -errno;
		fail(msg, msglen, err,
		     "loading the XDP program of instance '%s': %s", instance,
		     strerror(errno));
		goto err_unlock;
	}
	for (int i = 0; i < FP_MAP_COUNT; i++)
		fp->fds[i] = bpf_map__fd(bpf_object__find_map_by_name(
			fp->skel->obj, map_specs[i].name));
	err = map_state(fp, msg, msglen);
	if (!err)
		err = filter_start(fp, msg, msglen);
	if (err)
		goto err_unlock;
	close(lock);
	*out = fp;
	return 0;

err_unlock:
	close(lock);
err_free:
	lmig_fp_close(fp);
	return err;
}

int lmig_fp_open(const char *instance, struct lmig_fp **out, char *msg,
		 size_t msglen)
{
	char path[FP_PATH_MAX];
	struct lmig_fp *fp;
	struct stat st;
	int err;

	msg_clear(msg, msglen);
	if (!out)
		return fail(msg, msglen, -EINVAL, "no handle to fill");
	*out = NULL;
	err = lmig_fp_instance_check(instance, msg, msglen);
	if (err)
		return err;
	fp = fp_new(instance);
	if (!fp)
		return fail(msg, msglen, -ENOMEM, "out of memory");
	if (stat(fp->dir, &st)) {
		err = -errno;
		/* Say so when the reason is a missing BPF filesystem. */
		if (err == -ENOENT && check_bpffs(msg, msglen))
			err = check_bpffs(msg, msglen);
		else
			fail(msg, msglen, err, "no instance '%s': %s: %s",
			     instance, fp->dir, strerror(-err));
		goto err_free;
	}
	for (int i = 0; i < FP_MAP_COUNT; i++) {
		int fd;

		err = map_path(fp, i, path);
		if (err) {
			fail(msg, msglen, err, "%s/%s: path too long", fp->dir,
			     map_specs[i].name);
			goto err_free;
		}
		fd = bpf_obj_get(path);
		if (fd < 0) {
			err = -errno;
			if (err == -ENOENT)
				fail(msg, msglen, err,
				     "instance '%s' has no map %s", instance,
				     path);
			else
				fail(msg, msglen, err, "%s: %s", path,
				     strerror(-err));
			goto err_free;
		}
		fp->fds[i] = fd;
		err = check_map(fd, &map_specs[i], false, path, msg, msglen);
		if (err)
			goto err_free;
	}
	err = map_state(fp, msg, msglen);
	if (err)
		goto err_free;
	*out = fp;
	return 0;

err_free:
	lmig_fp_close(fp);
	return err;
}

/* ---- links ---------------------------------------------------------- */

const char *lmig_xdp_mode_name(enum lmig_xdp_mode mode)
{
	static const char *const names[] = {
		[LMIG_XDP_AUTO] = "auto",
		[LMIG_XDP_NATIVE] = "native",
		[LMIG_XDP_GENERIC] = "generic",
		[LMIG_XDP_UNKNOWN] = "unknown",
	};

	if ((unsigned int)mode < sizeof(names) / sizeof(names[0]))
		return names[mode];
	return "?";
}

static int read_link(int fd, const char *path, struct bpf_link_info *info,
		     char *msg, size_t msglen)
{
	uint32_t len = sizeof(*info);
	int kind = fd_kind_is(fd, "link_type");

	if (kind < 0)
		return fail(msg, msglen, kind, "%s: reading fdinfo: %s", path,
			    strerror(-kind));
	if (!kind)
		return fail(msg, msglen, -EINVAL, "%s is not a BPF link", path);
	memset(info, 0, sizeof(*info));
	if (bpf_obj_get_info_by_fd(fd, info, &len))
		return fail(msg, msglen, -errno, "%s: %s", path,
			    strerror(errno));
	if (info->type != BPF_LINK_TYPE_XDP)
		return fail(msg, msglen, -EINVAL, "%s is not an XDP link",
			    path);
	return 0;
}

/* The mode prog_id runs in on ifindex of this network namespace. */
static enum lmig_xdp_mode query_mode(uint32_t ifindex, uint32_t prog_id)
{
	LIBBPF_OPTS(bpf_xdp_query_opts, query);

	if (!ifindex || !prog_id || bpf_xdp_query(ifindex, 0, &query))
		return LMIG_XDP_UNKNOWN;
	if (query.drv_prog_id == prog_id)
		return LMIG_XDP_NATIVE;
	if (query.skb_prog_id == prog_id)
		return LMIG_XDP_GENERIC;
	return LMIG_XDP_UNKNOWN;
}

/*
 * Give the pinned link fd of ifname the loaded program. Returns 1 when the
 * pin is stale (its interface is gone) and a new link must be made.
 */
static int reuse_link(struct lmig_fp *fp, int fd, const char *path,
		      const char *ifname, uint32_t ifindex,
		      enum lmig_xdp_mode want, enum lmig_xdp_mode *mode,
		      char *msg, size_t msglen)
{
	int prog_fd = lmig_fp_prog_fd(fp);
	struct bpf_link_info info;
	enum lmig_xdp_mode cur;
	int err;

	err = read_link(fd, path, &info, msg, msglen);
	if (err)
		return err;
	if (!info.xdp.ifindex)
		return 1;
	if (info.xdp.ifindex != ifindex)
		return fail(msg, msglen, -EEXIST,
			    "%s holds ifindex %u, but %s is ifindex %u; "
			    "detach it first",
			    path, info.xdp.ifindex, ifname, ifindex);
	cur = query_mode(ifindex, info.prog_id);
	if (cur == LMIG_XDP_UNKNOWN)
		return fail(msg, msglen, -EEXIST,
			    "%s is not the XDP program of %s in this network "
			    "namespace; detach it first",
			    path, ifname);
	if (want != LMIG_XDP_AUTO && want != cur)
		return fail(msg, msglen, -EEXIST,
			    "%s is attached in %s mode, not %s; detach it "
			    "first to change the mode",
			    path, lmig_xdp_mode_name(cur),
			    lmig_xdp_mode_name(want));
	/* Atomic: the interface never runs without a program. */
	if (bpf_link_update(fd, prog_fd, NULL))
		return fail(msg, msglen, -errno,
			    "%s: replacing the program of %s: %s", path, ifname,
			    strerror(errno));
	*mode = cur;
	return 0;
}

static int create_link(int prog_fd, uint32_t ifindex, enum lmig_xdp_mode mode)
{
	LIBBPF_OPTS(bpf_link_create_opts, opts);
	int fd;

	opts.flags = mode == LMIG_XDP_NATIVE ? XDP_FLAGS_DRV_MODE
					     : XDP_FLAGS_SKB_MODE;
	fd = bpf_link_create(prog_fd, ifindex, BPF_XDP, &opts);
	return fd < 0 ? -errno : fd;
}

static int new_link(struct lmig_fp *fp, const char *path, const char *ifname,
		    uint32_t ifindex, enum lmig_xdp_mode want,
		    enum lmig_xdp_mode *mode, char *msg, size_t msglen)
{
	int prog_fd = lmig_fp_prog_fd(fp);
	int fd, native_err = 0;

	*mode = want == LMIG_XDP_GENERIC ? LMIG_XDP_GENERIC : LMIG_XDP_NATIVE;
	fd = create_link(prog_fd, ifindex, *mode);
	if (fd < 0 && want == LMIG_XDP_AUTO) {
		native_err = fd;
		*mode = LMIG_XDP_GENERIC;
		fd = create_link(prog_fd, ifindex, *mode);
		if (fd < 0)
			return fail(msg, msglen, fd,
				    "attaching XDP to %s: native mode: %s; "
				    "generic mode: %s",
				    ifname, strerror(-native_err),
				    strerror(-fd));
	}
	if (fd < 0)
		return fail(msg, msglen, fd,
			    "attaching XDP to %s in %s mode: %s", ifname,
			    lmig_xdp_mode_name(*mode), strerror(-fd));
	if (bpf_obj_pin(fd, path)) {
		int err = -errno;

		close(fd); /* the last reference: detaches again */
		return fail(msg, msglen, err,
			    "pinning the link of %s at %s: %s", ifname, path,
			    strerror(-err));
	}
	close(fd);
	if (native_err)
		fail(msg, msglen, 0,
		     "native XDP refused on %s (%s); attached in generic mode",
		     ifname, strerror(-native_err));
	return 0;
}

int lmig_fp_attach(struct lmig_fp *fp, const char *ifname,
		   enum lmig_xdp_mode want, enum lmig_xdp_mode *mode,
		   bool *reused, char *msg, size_t msglen)
{
	char path[FP_PATH_MAX];
	enum lmig_xdp_mode got = LMIG_XDP_UNKNOWN;
	uint32_t ifindex;
	int err, fd;

	msg_clear(msg, msglen);
	if (!fp->skel)
		return fail(msg, msglen, -EINVAL,
			    "instance '%s' was opened without its program; "
			    "load it to attach",
			    fp->instance);
	if (want != LMIG_XDP_AUTO && want != LMIG_XDP_NATIVE &&
	    want != LMIG_XDP_GENERIC)
		return fail(msg, msglen, -EINVAL,
			    "XDP mode %d is not one of "
			    "auto, native, generic",
			    (int)want);
	err = ifname_check(ifname, msg, msglen);
	if (err)
		return err;
	ifindex = if_nametoindex(ifname);
	if (!ifindex)
		return fail(msg, msglen, -ENODEV,
			    "no interface '%s' in this network namespace",
			    ifname);
	if (link_path(fp, ifname, path))
		return fail(msg, msglen, -ENAMETOOLONG, "%s: path too long",
			    fp->dir);

	fd = bpf_obj_get(path);
	if (fd >= 0) {
		err = reuse_link(fp, fd, path, ifname, ifindex, want, &got, msg,
				 msglen);
		close(fd);
		if (err <= 0) {
			if (!err) {
				if (mode)
					*mode = got;
				if (reused)
					*reused = true;
			}
			return err;
		}
		/* The interface of that link is gone: start afresh. */
		if (unlink(path) && errno != ENOENT)
			return fail(msg, msglen, -errno,
				    "removing stale link %s: %s", path,
				    strerror(errno));
	} else if (errno != ENOENT) {
		return fail(msg, msglen, -errno, "%s: %s", path,
			    strerror(errno));
	}
	err = new_link(fp, path, ifname, ifindex, want, &got, msg, msglen);
	if (err)
		return err;
	if (mode)
		*mode = got;
	if (reused)
		*reused = false;
	return 0;
}

static int detach_path(const char *path, char *msg, size_t msglen)
{
	struct bpf_link_info info;
	int err, fd;

	fd = bpf_obj_get(path);
	if (fd < 0) {
		if (errno == ENOENT)
			return fail(msg, msglen, -ENOENT,
				    "no link pinned at %s", path);
		return fail(msg, msglen, -errno, "%s: %s", path,
			    strerror(errno));
	}
	err = read_link(fd, path, &info, msg, msglen);
	/* Detach even if some other process holds the link open. */
	if (!err && bpf_link_detach(fd) && errno != EOPNOTSUPP)
		err = fail(msg, msglen, -errno, "detaching %s: %s", path,
			   strerror(errno));
	close(fd);
	if (err)
		return err;
	if (unlink(path) && errno != ENOENT)
		return fail(msg, msglen, -errno, "unpinning %s: %s", path,
			    strerror(errno));
	return 0;
}

int lmig_fp_detach(struct lmig_fp *fp, const char *ifname, char *msg,
		   size_t msglen)
{
	char path[FP_PATH_MAX];
	int err;

	msg_clear(msg, msglen);
	err = ifname_check(ifname, msg, msglen);
	if (err)
		return err;
	if (link_path(fp, ifname, path))
		return fail(msg, msglen, -ENAMETOOLONG, "%s: path too long",
			    fp->dir);
	return detach_path(path, msg, msglen);
}

static int link_get(struct lmig_fp *fp, const char *ifname,
		    struct lmig_fp_link *link, char *msg, size_t msglen)
{
	char path[FP_PATH_MAX];
	struct bpf_link_info info;
	int err, fd;

	if (link_path(fp, ifname, path))
		return fail(msg, msglen, -ENAMETOOLONG, "%s: path too long",
			    fp->dir);
	fd = bpf_obj_get(path);
	if (fd < 0) {
		if (errno == ENOENT)
			return fail(msg, msglen, -ENOENT,
				    "%s is not attached: no link %s", ifname,
				    path);
		return fail(msg, msglen, -errno, "%s: %s", path,
			    strerror(errno));
	}
	err = read_link(fd, path, &info, msg, msglen);
	close(fd);
	if (err)
		return err;
	memset(link, 0, sizeof(*link));
	snprintf(link->ifname, sizeof(link->ifname), "%s", ifname);
	link->ifindex = info.xdp.ifindex;
	link->link_id = info.id;
	link->prog_id = info.prog_id;
	link->mode = query_mode(info.xdp.ifindex, info.prog_id);
	return 0;
}

int lmig_fp_link_get(struct lmig_fp *fp, const char *ifname,
		     struct lmig_fp_link *link, char *msg, size_t msglen)
{
	int err;

	msg_clear(msg, msglen);
	err = ifname_check(ifname, msg, msglen);
	if (err)
		return err;
	return link_get(fp, ifname, link, msg, msglen);
}

int lmig_fp_link_foreach(struct lmig_fp *fp, lmig_fp_link_cb cb, void *ctx,
			 char *msg, size_t msglen)
{
	size_t plen = strlen(LMIG_LINK_PREFIX);
	struct lmig_fp_link link;
	struct dirent *de;
	int ret = 0;
	DIR *dir;

	msg_clear(msg, msglen);
	dir = opendir(fp->dir);
	if (!dir)
		return fail(msg, msglen, -errno, "%s: %s", fp->dir,
			    strerror(errno));
	while ((errno = 0, de = readdir(dir))) {
		const char *ifname = de->d_name + plen;

		if (strncmp(de->d_name, LMIG_LINK_PREFIX, plen) ||
		    ifname_check(ifname, NULL, 0))
			continue;
		ret = link_get(fp, ifname, &link, msg, msglen);
		if (ret == -ENOENT) {
			/* Detached since the directory was read. */
			msg_clear(msg, msglen);
			ret = 0;
			continue;
		}
		if (ret)
			break;
		ret = cb(&link, ctx);
		if (ret)
			break;
	}
	if (!de && errno && !ret)
		ret = fail(msg, msglen, -errno, "reading %s: %s", fp->dir,
			   strerror(errno));
	closedir(dir);
	return ret;
}

int lmig_fp_remove(const char *instance, char *msg, size_t msglen)
{
	char path[FP_PATH_MAX], foreign[FP_PATH_MAX] = "";
	struct lmig_fp *fp;
	struct dirent *de;
	int err = 0, lock;
	DIR *dir;

	msg_clear(msg, msglen);
	err = lmig_fp_instance_check(instance, msg, msglen);
	if (err)
		return err;
	fp = fp_new(instance);
	if (!fp)
		return fail(msg, msglen, -ENOMEM, "out of memory");
	lock = lock_dir(fp->dir, instance, msg, msglen);
	if (lock < 0) {
		err = lock;
		goto out_free;
	}
	dir = opendir(fp->dir);
	if (!dir) {
		err = fail(msg, msglen, -errno, "%s: %s", fp->dir,
			   strerror(errno));
		goto out_unlock;
	}
	while (!err && (de = readdir(dir))) {
		bool ours = false;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (join(path, fp->dir, "", de->d_name))
			continue;
		/* Links first detach, so no interface keeps the program. */
		if (!strncmp(de->d_name, LMIG_LINK_PREFIX,
			     strlen(LMIG_LINK_PREFIX))) {
			err = detach_path(path, msg, msglen);
			continue;
		}
		for (int i = 0; i < FP_MAP_COUNT; i++)
			ours |= !strcmp(de->d_name, map_specs[i].name);
		if (!ours) {
			if (!foreign[0])
				snprintf(foreign, sizeof(foreign), "%s", path);
			continue;
		}
		if (unlink(path) && errno != ENOENT)
			err = fail(msg, msglen, -errno, "unpinning %s: %s",
				   path, strerror(errno));
	}
	closedir(dir);
	if (err)
		goto out_unlock;
	if (rmdir(fp->dir)) {
		if (errno == ENOTEMPTY && foreign[0])
			err = fail(msg, msglen, -ENOTEMPTY,
				   "left %s in place: it holds %s, which lmig "
				   "does not own",
				   fp->dir, foreign);
		else
			err = fail(msg, msglen, -errno, "removing %s: %s",
				   fp->dir, strerror(errno));
	}
out_unlock:
	close(lock);
out_free:
	lmig_fp_close(fp);
	return err;
}

/* ---- map walks ------------------------------------------------------ */

typedef int (*entry_fn)(const void *key, const void *value, void *ctx);

/* Every entry of a map in batches: no restart when entries are deleted. */
static int map_walk(struct lmig_fp *fp, enum fp_map m, entry_fn fn, void *ctx,
		    char *msg, size_t msglen)
{
	const struct map_spec *spec = &map_specs[m];
	uint32_t chunk = FP_BATCH, count;
	uint64_t batch = 0;
	bool first = true, more = true;
	char *keys = NULL, *values = NULL;
	int ret = 0;

	while (more) {
		LIBBPF_OPTS(bpf_map_batch_opts, opts);

		if (!keys) {
			keys = calloc(chunk, spec->key_size);
			values = calloc(chunk, spec->value_size);
			if (!keys || !values) {
				ret = fail(msg, msglen, -ENOMEM,
					   "out of memory");
				break;
			}
		}
		count = chunk;
		if (bpf_map_lookup_batch(fp->fds[m], first ? NULL : &batch,
					 &batch, keys, values, &count, &opts)) {
			if (errno == ENOSPC && !count && chunk < (1U << 20)) {
				/* One hash bucket holds more than a batch. */
				free(keys);
				free(values);
				keys = values = NULL;
				chunk *= 2;
				continue;
			}
			if (errno != ENOENT) {
				ret = fail(msg, msglen, -errno,
					   "%s/%s: reading entries: %s",
					   fp->dir, spec->name,
					   strerror(errno));
				break;
			}
			more = false; /* the last batch, maybe empty */
		}
		first = false;
		for (uint32_t i = 0; i < count && !ret; i++)
			ret = fn(keys + (size_t)i * spec->key_size,
				 values + (size_t)i * spec->value_size, ctx);
		if (ret)
			break;
	}
	free(keys);
	free(values);
	return ret;
}

/* ---- the admission filter ------------------------------------------- */

/*
 * The filter as a flat array of words: cell c of block b is cell
 * b * 256 + c, in word (b * 256 + c) / 32, as the blocks are laid out.
 */
#define FILTER_WORDS (LMIG_FILTER_BLOCKS * 8)

static __u64 *filter_words(const struct lmig_fp *fp)
{
	return &fp->filter->blocks[0].word[0];
}

static uint64_t filter_seed(const struct lmig_fp *fp)
{
	return __atomic_load_n(&fp->filter->seed, __ATOMIC_ACQUIRE);
}

/* The cells an address raises, for a seed. */
static void filter_cells(const struct lmig_addr *addr, uint64_t seed,
			 uint32_t cells[LMIG_FILTER_CELLS])
{
	uint64_t h = lmig_filter_hash(addr, seed);

	for (uint32_t i = 0; i < LMIG_FILTER_CELLS; i++)
		cells[i] = lmig_filter_block(h) * 256 + lmig_filter_cell(h, i);
}

/*
 * Move one cell by one, up or down, atomically: writers in other
 * processes change neighbouring cells of the same word. A saturated cell
 * stays saturated; none goes below zero.
 */
static void filter_step(struct lmig_fp *fp, uint32_t cell, bool up)
{
	__u64 *word = &filter_words(fp)[(cell / 32) % FILTER_WORDS];
	unsigned int shift = (cell % 32) * 2;
	__u64 old = __atomic_load_n(word, __ATOMIC_RELAXED), new;

	do {
		uint64_t count = (old >> shift) & 3;

		if (count == LMIG_FILTER_SATURATED || (!up && !count))
			return;
		new = up ? old + (1ULL << shift) : old - (1ULL << shift);
	} while (!__atomic_compare_exchange_n(
		word, &old, new, false, __ATOMIC_SEQ_CST, __ATOMIC_RELAXED));
}

static uint32_t filter_count(const struct lmig_fp *fp, uint32_t cell)
{
	const __u64 *word = &filter_words(fp)[(cell / 32) % FILTER_WORDS];

	return (__atomic_load_n(word, __ATOMIC_RELAXED) >> ((cell % 32) * 2)) &
	       3;
}

/* Raise (before adding) or lower (after removing) an address's cells. */
static void filter_move(struct lmig_fp *fp, const struct lmig_addr *addr,
			bool up)
{
	uint32_t cells[LMIG_FILTER_CELLS];

	filter_cells(addr, filter_seed(fp), cells);
	for (uint32_t i = 0; i < LMIG_FILTER_CELLS; i++)
		filter_step(fp, cells[i], up);
}

/* Counts built in private memory from a walk of the admissions. */
struct filter_build {
	uint64_t seed;
	uint64_t *words;
};

static int filter_build_entry(const void *key, const void *value, void *ctx)
{
	struct filter_build *b = ctx;
	uint32_t cells[LMIG_FILTER_CELLS];

	(void)value;
	filter_cells(key, b->seed, cells);
	for (uint32_t i = 0; i < LMIG_FILTER_CELLS; i++) {
		uint64_t *word = &b->words[cells[i] / 32];
		unsigned int shift = (cells[i] % 32) * 2;

		if (((*word >> shift) & 3) != LMIG_FILTER_SATURATED)
			*word += 1ULL << shift;
	}
	return 0;
}

static int filter_build(struct lmig_fp *fp, struct filter_build *b, char *msg,
			size_t msglen)
{
	b->words = calloc(FILTER_WORDS, sizeof(*b->words));
	if (!b->words)
		return fail(msg, msglen, -ENOMEM, "out of memory");
	return map_walk(fp, FP_MAP_ADMISSION, filter_build_entry, b, msg,
			msglen);
}

/*
 * A new filter (seed 0): every cell says "maybe" while a seed is chosen
 * and the admissions already in the table are counted, then the counts
 * replace the maybes word by word. No admission is ever shadowed.
 */
static int filter_rebuild(struct lmig_fp *fp, char *msg, size_t msglen)
{
	__u64 *words = filter_words(fp);
	struct filter_build b = {0};
	int err;

	if (getrandom(&b.seed, sizeof(b.seed), 0) != sizeof(b.seed))
		return fail(msg, msglen, -errno, "%s/%s: choosing a seed: %s",
			    fp->dir, LMIG_MAP_FILTER, strerror(errno));
	b.seed |= 1;
	for (uint32_t i = 0; i < FILTER_WORDS; i++)
		__atomic_store_n(&words[i], ~0ULL, __ATOMIC_RELAXED);
	__atomic_store_n(&fp->filter->seed, b.seed, __ATOMIC_SEQ_CST);
	err = filter_build(fp, &b, msg, msglen);
	if (!err)
		for (uint32_t i = 0; i < FILTER_WORDS; i++)
			__atomic_store_n(&words[i], b.words[i],
					 __ATOMIC_RELEASE);
	free(b.words);
	return err;
}

struct filter_sync {
	struct lmig_fp *fp;
	uint64_t seed;
	uint32_t repaired;
};

static int filter_sync_entry(const void *key, const void *value, void *ctx)
{
	struct filter_sync *sync = ctx;
	uint32_t cells[LMIG_FILTER_CELLS];
	bool repaired = false;

	(void)value;
	filter_cells(key, sync->seed, cells);
	for (uint32_t i = 0; i < LMIG_FILTER_CELLS; i++)
		if (!filter_count(sync->fp, cells[i])) {
			filter_step(sync->fp, cells[i], true);
			repaired = true;
		}
	sync->repaired += repaired;
	return 0;
}

int lmig_fp_filter_sync(struct lmig_fp *fp, uint32_t *repaired, char *msg,
			size_t msglen)
{
	struct filter_sync sync = {.fp = fp, .seed = filter_seed(fp)};
	int err;

	msg_clear(msg, msglen);
	err = map_walk(fp, FP_MAP_ADMISSION, filter_sync_entry, &sync, msg,
		       msglen);
	if (repaired)
		*repaired = sync.repaired;
	return err;
}

/*
 * Give saturated cells their exact count again. A writer's step does not
 * move a saturated cell, so only an admission added during the walk could
 * be missed: one writer, calling this itself, is safe.
 */
int lmig_fp_filter_recount(struct lmig_fp *fp, uint32_t *lowered, char *msg,
			   size_t msglen)
{
	struct filter_build b = {.seed = filter_seed(fp)};
	__u64 *words = filter_words(fp);
	uint32_t n = 0;
	int err;

	msg_clear(msg, msglen);
	err = filter_build(fp, &b, msg, msglen);
	for (uint32_t i = 0; i < FILTER_WORDS && !err; i++) {
		__u64 old = __atomic_load_n(&words[i], __ATOMIC_RELAXED), new;
		uint32_t fixed;

		do {
			new = old;
			fixed = 0;
			for (unsigned int sh = 0; sh < 64; sh += 2) {
				uint64_t have = (old >> sh) & 3;
				uint64_t exact = (b.words[i] >> sh) & 3;

				if (have != LMIG_FILTER_SATURATED ||
				    exact == have)
					continue;
				new = (new & ~(3ULL << sh)) | (exact << sh);
				fixed++;
			}
		} while (fixed && !__atomic_compare_exchange_n(
					  &words[i], &old, new, false,
					  __ATOMIC_SEQ_CST, __ATOMIC_RELAXED));
		n += fixed;
	}
	free(b.words);
	if (lowered)
		*lowered = n;
	return err;
}

static int filter_start(struct lmig_fp *fp, char *msg, size_t msglen)
{
	if (!filter_seed(fp))
		return filter_rebuild(fp, msg, msglen);
	return lmig_fp_filter_sync(fp, NULL, msg, msglen);
}

int lmig_fp_filter_info(struct lmig_fp *fp, struct lmig_fp_filter_info *info,
			char *msg, size_t msglen)
{
	const __u64 *words = filter_words(fp);

	msg_clear(msg, msglen);
	if (!info)
		return fail(msg, msglen, -EINVAL, "nowhere to store the info");
	memset(info, 0, sizeof(*info));
	info->seed = filter_seed(fp);
	for (uint32_t i = 0; i < FILTER_WORDS; i++) {
		uint64_t w = __atomic_load_n(&words[i], __ATOMIC_RELAXED);

		for (unsigned int shift = 0; w && shift < 64; shift += 2) {
			uint64_t count = (w >> shift) & 3;

			info->used += count != 0;
			info->saturated += count == LMIG_FILTER_SATURATED;
		}
	}
	return 0;
}

/* ---- admissions ----------------------------------------------------- */

static int admission_check(struct lmig_fp *fp, const struct lmig_admission *adm,
			   const char *who, char *msg, size_t msglen)
{
	uint32_t owner;

	if (!adm->user_id)
		return fail(msg, msglen, -EINVAL,
			    "admission of %s: user id 0 is not a user", who);
	if (!adm->services || (adm->services & ~LMIG_SERVICES_ALL))
		return fail(msg, msglen, -EINVAL,
			    "admission of %s: services 0x%x are not a "
			    "non-empty set of ptt, video, data",
			    who, adm->services);
	if (adm->requested & ~LMIG_SERVICES_ALL)
		return fail(msg, msglen, -EINVAL,
			    "admission of %s: requested services 0x%x are not "
			    "a set of ptt, video, data",
			    who, adm->requested);
	if (!adm->expires_ns)
		return fail(msg, msglen, -EINVAL,
			    "admission of %s: no expiry (expires_ns 0)", who);
	if (adm->user_slot >= LMIG_USERS_MAX)
		return fail(msg, msglen, -EINVAL,
			    "admission of %s: user slot %u is not below %d",
			    who, adm->user_slot, LMIG_USERS_MAX);
	owner = __atomic_load_n(&fp->users[adm->user_slot].user_id,
				__ATOMIC_ACQUIRE);
	if (owner != adm->user_id)
		return fail(msg, msglen, -ESTALE,
			    "admission of %s: slot %u holds %s %u, not user "
			    "%u",
			    who, adm->user_slot, owner ? "user" : "no user",
			    owner, adm->user_id);
	return 0;
}

/* E2BIG from a full hash map reads badly; say what it means. */
static const char *update_error(int err)
{
	return err == E2BIG ? "the map is full" : strerror(err);
}

int lmig_fp_admission_put(struct lmig_fp *fp, const struct lmig_addr *addr,
			  const struct lmig_admission *adm, char *msg,
			  size_t msglen)
{
	int fd = fp->fds[FP_MAP_ADMISSION];
	char text[LMIG_ADDR_STRLEN];
	int err;

	msg_clear(msg, msglen);
	if (!addr || !adm)
		return fail(msg, msglen, -EINVAL, "no admission given");
	lmig_addr_format(addr, text, sizeof(text));
	err = admission_check(fp, adm, text, msg, msglen);
	if (err)
		return err;
	/*
	 * The counter goes up before a new entry exists, and only for one:
	 * replace in place if the address is admitted already, else raise
	 * the counter and add, taking the step back if another writer was
	 * first. Bounded: another writer deleting and adding the address
	 * in between each time is only a race.
	 */
	for (int tries = 0; tries < 16; tries++) {
		if (!bpf_map_update_elem(fd, addr, adm, BPF_EXIST))
			return 0;
		err = errno;
		if (err != ENOENT)
			break;
		filter_move(fp, addr, true);
		if (!bpf_map_update_elem(fd, addr, adm, BPF_NOEXIST))
			return 0;
		err = errno;
		filter_move(fp, addr, false);
		if (err != EEXIST)
			break;
		err = EAGAIN;
	}
	return fail(msg, msglen, -err, "%s/%s: writing the admission of %s: %s",
		    fp->dir, LMIG_MAP_ADMISSIONS, text, update_error(err));
}

int lmig_fp_admission_get(struct lmig_fp *fp, const struct lmig_addr *addr,
			  struct lmig_admission *adm, char *msg, size_t msglen)
{
	char text[LMIG_ADDR_STRLEN];

	msg_clear(msg, msglen);
	if (!addr || !adm)
		return fail(msg, msglen, -EINVAL, "no address given");
	if (bpf_map_lookup_elem(fp->fds[FP_MAP_ADMISSION], addr, adm)) {
		lmig_addr_format(addr, text, sizeof(text));
		if (errno == ENOENT)
			return fail(msg, msglen, -ENOENT,
				    "%s holds no admission", text);
		return fail(msg, msglen, -errno,
			    "%s/%s: reading the admission of %s: %s", fp->dir,
			    LMIG_MAP_ADMISSIONS, text, strerror(errno));
	}
	return 0;
}

int lmig_fp_admission_del(struct lmig_fp *fp, const struct lmig_addr *addr,
			  char *msg, size_t msglen)
{
	char text[LMIG_ADDR_STRLEN];

	msg_clear(msg, msglen);
	if (!addr)
		return fail(msg, msglen, -EINVAL, "no address given");
	if (bpf_map_delete_elem(fp->fds[FP_MAP_ADMISSION], addr)) {
		lmig_addr_format(addr, text, sizeof(text));
		if (errno == ENOENT)
			return fail(msg, msglen, -ENOENT,
				    "%s holds no admission", text);
		return fail(msg, msglen, -errno,
			    "%s/%s: deleting the admission of %s: %s", fp->dir,
			    LMIG_MAP_ADMISSIONS, text, strerror(errno));
	}
	/* Down only once the entry is gone. */
	filter_move(fp, addr, false);
	return 0;
}

struct admission_walk {
	lmig_fp_admission_cb cb;
	void *ctx;
};

static int admission_entry(const void *key, const void *value, void *ctx)
{
	struct admission_walk *walk = ctx;

	return walk->cb(key, value, walk->ctx);
}

int lmig_fp_admission_foreach(struct lmig_fp *fp, lmig_fp_admission_cb cb,
			      void *ctx, char *msg, size_t msglen)
{
	struct admission_walk walk = {cb, ctx};

	msg_clear(msg, msglen);
	return map_walk(fp, FP_MAP_ADMISSION, admission_entry, &walk, msg,
			msglen);
}

/* ---- users ---------------------------------------------------------- */

static int user_check(uint32_t user_id, const struct lmig_user *user, char *msg,
		      size_t msglen)
{
	if (!user)
		return fail(msg, msglen, -EINVAL, "no user state given");
	if (!user_id)
		return fail(msg, msglen, -EINVAL, "user id 0 is not a user");
	if (user->user_id && user->user_id != user_id)
		return fail(msg, msglen, -EINVAL,
			    "user %u: the state names user %u", user_id,
			    user->user_id);
	if (user->state != LMIG_STATE_ACTIVE &&
	    user->state != LMIG_STATE_SUSPENDED)
		return fail(msg, msglen, -EINVAL,
			    "user %u: state %u is neither active nor "
			    "suspended",
			    user_id, user->state);
	if (user->services & ~LMIG_SERVICES_ALL)
		return fail(msg, msglen, -EINVAL,
			    "user %u: services 0x%x are not a set of ptt, "
			    "video, data",
			    user_id, user->services);
	if (!user->valid_until_ns)
		return fail(msg, msglen, -EINVAL,
			    "user %u: no end of validity (valid_until_ns 0)",
			    user_id);
	if (user->pad)
		return fail(msg, msglen, -EINVAL,
			    "user %u: padding must be zero", user_id);
	return 0;
}

static uint32_t slot_owner(const struct lmig_fp *fp, uint32_t slot)
{
	return __atomic_load_n(&fp->users[slot].user_id, __ATOMIC_ACQUIRE);
}

static void slot_read(const struct lmig_fp *fp, uint32_t slot,
		      struct lmig_user *out)
{
	const struct lmig_user *e = &fp->users[slot];

	out->user_id = __atomic_load_n(&e->user_id, __ATOMIC_ACQUIRE);
	out->state = __atomic_load_n(&e->state, __ATOMIC_RELAXED);
	out->services = __atomic_load_n(&e->services, __ATOMIC_RELAXED);
	out->valid_until_ns = __atomic_load_n(&e->valid_until_ns,
					      __ATOMIC_RELAXED);
	out->generation = __atomic_load_n(&e->generation, __ATOMIC_RELAXED);
	out->pad = 0;
}

/* The state of a slot its writer owns. Every field is one aligned store,
 * so the program sees each whole, old or new. */
static void slot_write(struct lmig_fp *fp, uint32_t slot,
		       const struct lmig_user *user)
{
	struct lmig_user *e = &fp->users[slot];

	__atomic_store_n(&e->valid_until_ns, user->valid_until_ns,
			 __ATOMIC_RELAXED);
	__atomic_store_n(&e->generation, user->generation, __ATOMIC_RELAXED);
	__atomic_store_n(&e->services, user->services, __ATOMIC_RELAXED);
	__atomic_store_n(&e->state, user->state, __ATOMIC_RELEASE);
}

/* Refuse first (state 0 never passes), clear, then give the slot up. */
static void slot_free(struct lmig_fp *fp, uint32_t slot)
{
	struct lmig_user *e = &fp->users[slot];

	__atomic_store_n(&e->state, 0, __ATOMIC_SEQ_CST);
	__atomic_store_n(&e->services, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&e->valid_until_ns, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&e->generation, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&e->user_id, 0, __ATOMIC_RELEASE);
}

/* A free slot, now owned by user_id; state 0 until written. */
static int slot_claim(struct lmig_fp *fp, uint32_t user_id, uint32_t *slot)
{
	for (uint32_t n = 0; n < LMIG_USERS_MAX; n++) {
		uint32_t s = (fp->next_slot + n) % LMIG_USERS_MAX;
		uint32_t expect = 0;

		if (slot_owner(fp, s))
			continue;
		if (__atomic_compare_exchange_n(
			    &fp->users[s].user_id, &expect, user_id, false,
			    __ATOMIC_SEQ_CST, __ATOMIC_RELAXED)) {
			fp->next_slot = (s + 1) % LMIG_USERS_MAX;
			*slot = s;
			return 0;
		}
	}
	return -ENOSPC;
}

/* A slot holding user_id that the index does not know, left by a writer
 * that died between claiming and indexing it. */
static int slot_scan(const struct lmig_fp *fp, uint32_t user_id, uint32_t *slot)
{
	for (uint32_t s = 0; s < LMIG_USERS_MAX; s++)
		if (slot_owner(fp, s) == user_id) {
			*slot = s;
			return 0;
		}
	return -ENOENT;
}

/* The slot the index gives user_id, if it still holds the user. */
static int slot_find(struct lmig_fp *fp, uint32_t user_id, uint32_t *slot,
		     char *msg, size_t msglen)
{
	int fd = fp->fds[FP_MAP_USER_SLOTS];
	uint32_t s;

	if (bpf_map_lookup_elem(fd, &user_id, &s)) {
		if (errno == ENOENT)
			return fail(msg, msglen, -ENOENT, "no user %u",
				    user_id);
		return fail(msg, msglen, -errno, "%s/%s: reading user %u: %s",
			    fp->dir, LMIG_MAP_USER_SLOTS, user_id,
			    strerror(errno));
	}
	if (s >= LMIG_USERS_MAX || slot_owner(fp, s) != user_id) {
		bpf_map_delete_elem(fd, &user_id); /* stale */
		return fail(msg, msglen, -ENOENT, "no user %u", user_id);
	}
	*slot = s;
	return 0;
}

/* Counters of a slot given to a new user start at zero. */
static int user_stats_zero(struct lmig_fp *fp, uint32_t slot)
{
	int ncpus = libbpf_num_possible_cpus();
	struct lmig_user_counter *zero;
	int err = 0;

	if (ncpus < 0)
		return ncpus;
	zero = calloc(ncpus, sizeof(*zero));
	if (!zero)
		return -ENOMEM;
	if (bpf_map_update_elem(fp->fds[FP_MAP_USER_STATS], &slot, zero,
				BPF_ANY))
		err = -errno;
	free(zero);
	return err;
}

int lmig_fp_user_put(struct lmig_fp *fp, uint32_t user_id,
		     const struct lmig_user *user, uint32_t *slot, char *msg,
		     size_t msglen)
{
	uint32_t s;
	int err;

	msg_clear(msg, msglen);
	err = user_check(user_id, user, msg, msglen);
	if (err)
		return err;
	err = slot_find(fp, user_id, &s, msg, msglen);
	if (err == -ENOENT) {
		msg_clear(msg, msglen);
		err = slot_scan(fp, user_id, &s);
		if (err)
			err = slot_claim(fp, user_id, &s);
		if (err)
			return fail(msg, msglen, -ENOSPC,
				    "no free slot for user %u: all %d are "
				    "taken",
				    user_id, LMIG_USERS_MAX);
		err = user_stats_zero(fp, s);
		if (!err && bpf_map_update_elem(fp->fds[FP_MAP_USER_SLOTS],
						&user_id, &s, BPF_ANY))
			err = -errno;
		if (err) {
			slot_free(fp, s);
			return fail(msg, msglen, err,
				    "%s/%s: indexing user %u: %s", fp->dir,
				    LMIG_MAP_USER_SLOTS, user_id,
				    update_error(-err));
		}
	} else if (err) {
		return err;
	}
	slot_write(fp, s, user);
	if (slot)
		*slot = s;
	return 0;
}

int lmig_fp_user_get(struct lmig_fp *fp, uint32_t user_id,
		     struct lmig_user *user, uint32_t *slot, char *msg,
		     size_t msglen)
{
	uint32_t s;
	int err;

	msg_clear(msg, msglen);
	if (!user_id)
		return fail(msg, msglen, -EINVAL, "user id 0 is not a user");
	err = slot_find(fp, user_id, &s, msg, msglen);
	if (err)
		return err;
	if (user)
		slot_read(fp, s, user);
	if (slot)
		*slot = s;
	return 0;
}

int lmig_fp_user_del(struct lmig_fp *fp, uint32_t user_id, char *msg,
		     size_t msglen)
{
	bool found = false;
	uint32_t s;

	msg_clear(msg, msglen);
	if (!user_id)
		return fail(msg, msglen, -EINVAL, "user id 0 is not a user");
	if (!slot_find(fp, user_id, &s, NULL, 0)) {
		slot_free(fp, s);
		found = true;
	}
	/* And any slot of the user the index lost. */
	while (!slot_scan(fp, user_id, &s)) {
		slot_free(fp, s);
		found = true;
	}
	if (bpf_map_delete_elem(fp->fds[FP_MAP_USER_SLOTS], &user_id) &&
	    errno != ENOENT)
		return fail(msg, msglen, -errno, "%s/%s: deleting user %u: %s",
			    fp->dir, LMIG_MAP_USER_SLOTS, user_id,
			    strerror(errno));
	if (!found)
		return fail(msg, msglen, -ENOENT, "no user %u", user_id);
	return 0;
}

int lmig_fp_user_foreach(struct lmig_fp *fp, lmig_fp_user_cb cb, void *ctx,
			 char *msg, size_t msglen)
{
	struct lmig_user user;
	int ret;

	msg_clear(msg, msglen);
	for (uint32_t s = 0; s < LMIG_USERS_MAX; s++) {
		if (!slot_owner(fp, s))
			continue;
		slot_read(fp, s, &user);
		if (!user.user_id)
			continue;
		ret = cb(s, &user, ctx);
		if (ret)
			return ret;
	}
	return 0;
}

int lmig_fp_user_stats(struct lmig_fp *fp, uint32_t slot,
		       struct lmig_user_counter *stats, char *msg,
		       size_t msglen)
{
	int ncpus = libbpf_num_possible_cpus();
	struct lmig_user_counter *percpu;
	int err = 0;

	msg_clear(msg, msglen);
	if (!stats)
		return fail(msg, msglen, -EINVAL, "nowhere to store counters");
	if (slot >= LMIG_USERS_MAX)
		return fail(msg, msglen, -EINVAL,
			    "user slot %u is not below %d", slot,
			    LMIG_USERS_MAX);
	if (ncpus < 0)
		return fail(msg, msglen, ncpus, "counting possible CPUs: %s",
			    strerror(-ncpus));
	percpu = calloc(ncpus, sizeof(*percpu));
	if (!percpu)
		return fail(msg, msglen, -ENOMEM, "out of memory");
	memset(stats, 0, sizeof(*stats));
	if (bpf_map_lookup_elem(fp->fds[FP_MAP_USER_STATS], &slot, percpu)) {
		err = fail(msg, msglen, -errno, "%s/%s: reading slot %u: %s",
			   fp->dir, LMIG_MAP_USER_STATS, slot, strerror(errno));
	} else {
		for (int cpu = 0; cpu < ncpus; cpu++) {
			stats->packets += percpu[cpu].packets;
			stats->bytes += percpu[cpu].bytes;
			stats->drops += percpu[cpu].drops;
		}
	}
	free(percpu);
	return err;
}

/* ---- ports ---------------------------------------------------------- */

static int slot_check(uint32_t slot, char *msg, size_t msglen)
{
	if (slot >= __LMIG_L4_MAX)
		return fail(msg, msglen, -EINVAL,
			    "transport %u is none of udp (%u), tcp (%u), "
			    "sctp (%u)",
			    slot, LMIG_L4_UDP, LMIG_L4_TCP, LMIG_L4_SCTP);
	return 0;
}

static int port_range_check(uint32_t slot, uint16_t first, uint16_t last,
			    char *msg, size_t msglen)
{
	int err = slot_check(slot, msg, msglen);

	if (err)
		return err;
	if (first > last)
		return fail(msg, msglen, -EINVAL,
			    "port range %u-%u is empty: first > last", first,
			    last);
	return 0;
}

/* The classes of n ports from first, in one batch: array maps walk in
 * index order from the index after in_batch. */
static int ports_read(struct lmig_fp *fp, uint32_t slot, uint16_t first,
		      uint32_t n, uint32_t *keys, uint32_t *classes, char *msg,
		      size_t msglen)
{
	LIBBPF_OPTS(bpf_map_batch_opts, opts);
	uint32_t prev = lmig_port_index(slot, first) - 1, out, count = n;

	if (bpf_map_lookup_batch(fp->fds[FP_MAP_PORTS],
				 lmig_port_index(slot, first) ? &prev : NULL,
				 &out, keys, classes, &count, &opts) &&
	    errno != ENOENT)
		return fail(msg, msglen, -errno,
			    "%s/%s: reading ports %u-%u: %s", fp->dir,
			    LMIG_MAP_PORTS, first, first + n - 1,
			    strerror(errno));
	if (count != n)
		return fail(msg, msglen, -EIO,
			    "%s/%s: reading ports %u-%u: %u of %u read",
			    fp->dir, LMIG_MAP_PORTS, first, first + n - 1,
			    count, n);
	return 0;
}

int lmig_fp_ports_get(struct lmig_fp *fp, uint32_t slot, uint16_t first,
		      uint16_t last, uint32_t *classes, char *msg,
		      size_t msglen)
{
	uint32_t n = (uint32_t)last - first + 1, *keys;
	int err;

	msg_clear(msg, msglen);
	err = port_range_check(slot, first, last, msg, msglen);
	if (err)
		return err;
	if (!classes)
		return fail(msg, msglen, -EINVAL,
			    "nowhere to store the classes");
	keys = calloc(n, sizeof(*keys));
	if (!keys)
		return fail(msg, msglen, -ENOMEM, "out of memory");
	err = ports_read(fp, slot, first, n, keys, classes, msg, msglen);
	free(keys);
	return err;
}

int lmig_fp_ports_set(struct lmig_fp *fp, uint32_t slot, uint16_t first,
		      uint16_t last, uint32_t class, char *msg, size_t msglen)
{
	LIBBPF_OPTS(bpf_map_batch_opts, opts);
	uint32_t n = (uint32_t)last - first + 1, done = n, undone;
	uint32_t *keys, *values, *old;
	int err, undo_errno;

	msg_clear(msg, msglen);
	err = port_range_check(slot, first, last, msg, msglen);
	if (err)
		return err;
	if (class >= __LMIG_PORT_CLASS_MAX)
		return fail(msg, msglen, -EINVAL,
			    "traffic class %u cannot be given to ports", class);
	keys = calloc(n, sizeof(*keys));
	values = calloc(n, sizeof(*values));
	old = calloc(n, sizeof(*old));
	if (!keys || !values || !old) {
		err = fail(msg, msglen, -ENOMEM, "out of memory");
		goto out;
	}
	/* The classes before, to put back should the kernel stop half-way. */
	err = ports_read(fp, slot, first, n, keys, old, msg, msglen);
	if (err)
		goto out;
	for (uint32_t i = 0; i < n; i++) {
		keys[i] = lmig_port_index(slot, (uint16_t)(first + i));
		values[i] = class;
	}
	if (!bpf_map_update_batch(fp->fds[FP_MAP_PORTS], keys, values, &done,
				  &opts))
		goto out;
	err = -errno;
	undone = done;
	if (!done || !bpf_map_update_batch(fp->fds[FP_MAP_PORTS], keys, old,
					   &undone, &opts)) {
		fail(msg, msglen, err,
		     "%s/%s: setting ports %u-%u: %s (%u of %u were set, and "
		     "set back)",
		     fp->dir, LMIG_MAP_PORTS, first, last, strerror(-err), done,
		     n);
		goto out;
	}
	undo_errno = errno;
	fail(msg, msglen, err,
	     "%s/%s: setting ports %u-%u: %s; %u of %u were set and only %u "
	     "set back (%s): each port has its old class or class %u",
	     fp->dir, LMIG_MAP_PORTS, first, last, strerror(-err), done, n,
	     undone, strerror(undo_errno), class);
out:
	free(keys);
	free(values);
	free(old);
	return err;
}

int lmig_fp_port_get(struct lmig_fp *fp, uint32_t slot, uint16_t port,
		     uint32_t *class, char *msg, size_t msglen)
{
	uint32_t index;
	int err;

	msg_clear(msg, msglen);
	err = slot_check(slot, msg, msglen);
	if (err)
		return err;
	if (!class)
		return fail(msg, msglen, -EINVAL, "nowhere to store the class");
	index = lmig_port_index(slot, port);
	if (bpf_map_lookup_elem(fp->fds[FP_MAP_PORTS], &index, class))
		return fail(msg, msglen, -errno, "%s/%s: reading port %u: %s",
			    fp->dir, LMIG_MAP_PORTS, port, strerror(errno));
	return 0;
}

struct port_walk {
	lmig_fp_port_range_cb cb;
	void *ctx;
	bool open;     /* a run is being collected */
	uint32_t slot; /* of the run */
	uint32_t class;
	uint16_t first, last;
};

static int port_run_end(struct port_walk *walk)
{
	if (!walk->open)
		return 0;
	walk->open = false;
	return walk->cb(walk->slot, walk->first, walk->last, walk->class,
			walk->ctx);
}

static int port_entry(const void *key, const void *value, void *ctx)
{
	struct port_walk *walk = ctx;
	uint32_t index, class, slot;
	uint16_t port;
	int ret;

	memcpy(&index, key, sizeof(index));
	memcpy(&class, value, sizeof(class));
	slot = index >> 16;
	port = (uint16_t)index;
	if (walk->open && walk->slot == slot && walk->class == class &&
	    walk->last + 1 == port) {
		walk->last = port;
		return 0;
	}
	ret = port_run_end(walk);
	if (ret || class == LMIG_CLASS_NONE)
		return ret;
	*walk = (struct port_walk){walk->cb, walk->ctx, true, slot,
				   class,    port,	port};
	return 0;
}

int lmig_fp_port_ranges(struct lmig_fp *fp, lmig_fp_port_range_cb cb, void *ctx,
			char *msg, size_t msglen)
{
	struct port_walk walk = {.cb = cb, .ctx = ctx};
	int ret;

	msg_clear(msg, msglen);
	ret = map_walk(fp, FP_MAP_PORTS, port_entry, &walk, msg, msglen);
	if (!ret)
		ret = port_run_end(&walk);
	return ret;
}

/* ---- config and stats ----------------------------------------------- */

int lmig_limit_set(struct lmig_limit *limit, uint64_t per_second,
		   uint64_t burst)
{
	if (!limit || per_second > LMIG_NSEC_PER_SEC || !burst ||
	    burst > LMIG_NSEC_PER_SEC)
		return -EINVAL;
	memset(limit, 0, sizeof(*limit));
	if (!per_second)
		return 0;
	limit->interval_ns = LMIG_NSEC_PER_SEC / per_second;
	limit->burst_ns = (burst - 1) * limit->interval_ns;
	return 0;
}

void lmig_limit_get(const struct lmig_limit *limit, uint64_t *per_second,
		    uint64_t *burst)
{
	uint64_t rate = 0, n = 0;

	if (limit->interval_ns) {
		rate = (LMIG_NSEC_PER_SEC + limit->interval_ns / 2) /
		       limit->interval_ns;
		n = limit->burst_ns / limit->interval_ns + 1;
	}
	if (per_second)
		*per_second = rate;
	if (burst)
		*burst = n;
}

static int limit_check(const struct lmig_limit *l, const char *what, char *msg,
		       size_t msglen)
{
	if (l->interval_ns > LMIG_NSEC_PER_SEC * 3600 ||
	    (!l->interval_ns && l->burst_ns) ||
	    l->burst_ns / (l->interval_ns ? l->interval_ns : 1) >=
		    LMIG_NSEC_PER_SEC)
		return fail(msg, msglen, -EINVAL,
			    "%s limit: interval %llu ns, burst %llu ns is "
			    "not a rate limit",
			    what, (unsigned long long)l->interval_ns,
			    (unsigned long long)l->burst_ns);
	return 0;
}

int lmig_fp_config_set(struct lmig_fp *fp, const struct lmig_config *cfg,
		       char *msg, size_t msglen)
{
	uint32_t key = 0;
	int err;

	msg_clear(msg, msglen);
	if (!cfg)
		return fail(msg, msglen, -EINVAL, "no configuration given");
	if (cfg->unclassified != LMIG_DEFAULT_PASS &&
	    cfg->unclassified != LMIG_DEFAULT_DROP)
		return fail(msg, msglen, -EINVAL,
			    "default %u for unclassified traffic is neither "
			    "pass nor drop",
			    cfg->unclassified);
	if (cfg->pad)
		return fail(msg, msglen, -EINVAL,
			    "configuration padding must be zero");
	err = limit_check(&cfg->open_source, "open per-source", msg, msglen);
	if (!err)
		err = limit_check(&cfg->open_total, "open total", msg, msglen);
	if (!err)
		err = limit_check(&cfg->denials, "denial sample", msg, msglen);
	if (err)
		return err;
	if (bpf_map_update_elem(fp->fds[FP_MAP_CONFIG], &key, cfg, BPF_ANY))
		return fail(msg, msglen, -errno, "%s/%s: writing: %s", fp->dir,
			    LMIG_MAP_CONFIG, strerror(errno));
	return 0;
}

int lmig_fp_config_get(struct lmig_fp *fp, struct lmig_config *cfg, char *msg,
		       size_t msglen)
{
	uint32_t key = 0;

	msg_clear(msg, msglen);
	if (!cfg)
		return fail(msg, msglen, -EINVAL,
			    "nowhere to store the configuration");
	if (bpf_map_lookup_elem(fp->fds[FP_MAP_CONFIG], &key, cfg))
		return fail(msg, msglen, -errno, "%s/%s: reading: %s", fp->dir,
			    LMIG_MAP_CONFIG, strerror(errno));
	return 0;
}

int lmig_fp_class_stats(
	struct lmig_fp *fp,
	struct lmig_counter stats[__LMIG_CLASS_MAX][__LMIG_REASON_MAX],
	char *msg, size_t msglen)
{
	struct lmig_counter *percpu;
	int ncpus, err = 0;

	msg_clear(msg, msglen);
	if (!stats)
		return fail(msg, msglen, -EINVAL, "nowhere to store counters");
	ncpus = libbpf_num_possible_cpus();
	if (ncpus < 0)
		return fail(msg, msglen, ncpus, "counting possible CPUs: %s",
			    strerror(-ncpus));
	/* Per-CPU values come back one per possible CPU, 8-byte aligned. */
	percpu = calloc(ncpus, sizeof(*percpu));
	if (!percpu)
		return fail(msg, msglen, -ENOMEM, "out of memory");
	memset(stats, 0,
	       sizeof(struct lmig_counter) * __LMIG_CLASS_MAX *
		       __LMIG_REASON_MAX);
	for (uint32_t c = 0; c < __LMIG_CLASS_MAX && !err; c++)
		for (uint32_t r = 0; r < __LMIG_REASON_MAX; r++) {
			uint32_t key = lmig_stats_index(c, r);

			if (bpf_map_lookup_elem(fp->fds[FP_MAP_STATS], &key,
						percpu)) {
				err = fail(msg, msglen, -errno,
					   "%s/%s: reading counter %u: %s",
					   fp->dir, LMIG_MAP_STATS, key,
					   strerror(errno));
				break;
			}
			for (int cpu = 0; cpu < ncpus; cpu++) {
				stats[c][r].packets += percpu[cpu].packets;
				stats[c][r].bytes += percpu[cpu].bytes;
			}
		}
	free(percpu);
	return err;
}

int lmig_fp_stats(struct lmig_fp *fp, struct lmig_counter *stats, size_t nstats,
		  char *msg, size_t msglen)
{
	struct lmig_counter(*all)[__LMIG_REASON_MAX];
	int err;

	msg_clear(msg, msglen);
	if (!stats && nstats)
		return fail(msg, msglen, -EINVAL, "nowhere to store counters");
	all = calloc(__LMIG_CLASS_MAX, sizeof(*all));
	if (!all)
		return fail(msg, msglen, -ENOMEM, "out of memory");
	err = lmig_fp_class_stats(fp, all, msg, msglen);
	if (!err) {
		memset(stats, 0, nstats * sizeof(*stats));
		for (uint32_t r = 0; r < nstats && r < __LMIG_REASON_MAX; r++)
			for (uint32_t c = 0; c < __LMIG_CLASS_MAX; c++) {
				stats[r].packets += all[c][r].packets;
				stats[r].bytes += all[c][r].bytes;
			}
	}
	free(all);
	return err;
}

/* ---- denials -------------------------------------------------------- */

static int denial_sample(void *ctx, void *data, size_t len)
{
	struct lmig_fp *fp = ctx;
	struct lmig_denial denial;
	int ret;

	if (len < sizeof(denial) || !fp->denial_cb)
		return 0;
	memcpy(&denial, data, sizeof(denial));
	ret = fp->denial_cb(&denial, fp->denial_ctx);
	if (!ret)
		return 0;
	/* libbpf stops at a negative return only. */
	fp->denial_ret = ret;
	return -ECANCELED;
}

static int denials_open(struct lmig_fp *fp, char *msg, size_t msglen)
{
	if (fp->denials)
		return 0;
	fp->denials = ring_buffer__new(fp->fds[FP_MAP_DENIALS], denial_sample,
				       fp, NULL);
	if (!fp->denials)
		return fail(msg, msglen, -errno, "%s/%s: reading it: %s",
			    fp->dir, LMIG_MAP_DENIALS, strerror(errno));
	return 0;
}

int lmig_fp_denials_read(struct lmig_fp *fp, lmig_fp_denial_cb cb, void *ctx,
			 int timeout_ms, char *msg, size_t msglen)
{
	int n;

	msg_clear(msg, msglen);
	if (!cb)
		return fail(msg, msglen, -EINVAL, "no callback given");
	n = denials_open(fp, msg, msglen);
	if (n)
		return n;
	fp->denial_cb = cb;
	fp->denial_ctx = ctx;
	fp->denial_ret = 0;
	n = ring_buffer__poll(fp->denials, timeout_ms);
	fp->denial_cb = NULL;
	if (fp->denial_ret)
		return fp->denial_ret;
	if (n < 0 && n != -EINTR)
		return fail(msg, msglen, n, "%s/%s: reading it: %s", fp->dir,
			    LMIG_MAP_DENIALS, strerror(-n));
	return n < 0 ? 0 : n;
}

int lmig_fp_denials_fd(struct lmig_fp *fp, char *msg, size_t msglen)
{
	int err;

	msg_clear(msg, msglen);
	err = denials_open(fp, msg, msglen);
	if (err)
		return err;
	return ring_buffer__epoll_fd(fp->denials);
}

/* ---- addresses ------------------------------------------------------ */

static const uint8_t v4_mapped_prefix[12] = {0, 0, 0, 0, 0,    0,
					     0, 0, 0, 0, 0xff, 0xff};

bool lmig_addr_is_ipv4(const struct lmig_addr *addr)
{
	return !memcmp(addr->addr, v4_mapped_prefix, sizeof(v4_mapped_prefix));
}

static void addr_set_ipv4(struct lmig_addr *addr, const struct in_addr *in)
{
	memcpy(addr->addr, v4_mapped_prefix, sizeof(v4_mapped_prefix));
	memcpy(addr->addr + 12, &in->s_addr, 4);
}

int lmig_addr_parse(const char *text, struct lmig_addr *addr, char *msg,
		    size_t msglen)
{
	char esc[4 * 64 + 8];
	struct in6_addr in6;
	struct in_addr in;

	msg_clear(msg, msglen);
	if (!text || !addr)
		return fail(msg, msglen, -EINVAL, "no address given");
	if (inet_pton(AF_INET, text, &in) == 1) {
		addr_set_ipv4(addr, &in);
		return 0;
	}
	if (inet_pton(AF_INET6, text, &in6) == 1) {
		memcpy(addr->addr, &in6, sizeof(addr->addr));
		return 0;
	}
	return fail(msg, msglen, -EINVAL,
		    "'%.64s' is not an IPv4 or IPv6 address",
		    escape(text, esc, sizeof(esc)));
}

char *lmig_addr_format(const struct lmig_addr *addr, char *buf, size_t len)
{
	const char *ok;

	if (!len)
		return buf;
	if (lmig_addr_is_ipv4(addr))
		ok = inet_ntop(AF_INET, addr->addr + 12, buf, len);
	else
		ok = inet_ntop(AF_INET6, addr->addr, buf, len);
	if (!ok)
		buf[0] = '\0';
	return buf;
}

int lmig_addr_from_sockaddr(const struct sockaddr *sa, socklen_t salen,
			    struct lmig_addr *addr, char *msg, size_t msglen)
{
	msg_clear(msg, msglen);
	if (!sa || !addr)
		return fail(msg, msglen, -EINVAL, "no socket address given");
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *sin = (const void *)sa;

		if (salen < sizeof(*sin))
			return fail(msg, msglen, -EINVAL,
				    "IPv4 socket address of %u bytes is short",
				    (unsigned int)salen);
		addr_set_ipv4(addr, &sin->sin_addr);
		return 0;
	}
	if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *sin6 = (const void *)sa;

		if (salen < sizeof(*sin6))
			return fail(msg, msglen, -EINVAL,
				    "IPv6 socket address of %u bytes is short",
				    (unsigned int)salen);
		memcpy(addr->addr, &sin6->sin6_addr, sizeof(addr->addr));
		return 0;
	}
	return fail(msg, msglen, -EAFNOSUPPORT,
		    "address family %u is neither IPv4 nor IPv6",
		    (unsigned int)sa->sa_family);
}

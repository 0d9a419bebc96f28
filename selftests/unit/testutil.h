/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Helpers shared by the unit tests: finding the public test vectors and
 * the test-side tools, reading files, hex, and running a tool.
 *
 * Test vectors live outside the repository. They are found at
 * $LMIG_TESTDATA, or else at <repository top>/../shared/testdata, where
 * the repository top is searched upwards from the test program and from
 * the working directory. A test that needs them skips when they are
 * absent, and fails instead when CI=true.
 */
#ifndef LMIG_SELFTESTS_UNIT_TESTUTIL_H
#define LMIG_SELFTESTS_UNIT_TESTUTIL_H

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <poll.h>
#include <stdarg.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* A file that marks the top of the repository. */
#define TESTUTIL_TOP_MARK "include/uapi/linux/lmig.h"

/* out = a "/" b; -1 if it does not fit. out may be a. */
static inline int tu_join(char *out, size_t size, const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);

	if (la + 1 + lb + 1 > size)
		return -1;
	memmove(out, a, la);
	out[la] = '/';
	memcpy(out + la + 1, b, lb + 1);
	return 0;
}

static inline bool tu_is_dir(const char *path)
{
	struct stat st;

	return !stat(path, &st) && S_ISDIR(st.st_mode);
}

/* Walk up from dir (modified) to the repository top; false if none. */
static inline bool tu_find_top(char *dir)
{
	char mark[PATH_MAX + 64];
	char *slash;

	for (;;) {
		if (!tu_join(mark, sizeof(mark), dir, TESTUTIL_TOP_MARK) &&
		    !access(mark, R_OK))
			return true;
		slash = strrchr(dir, '/');
		if (!slash || slash == dir)
			return false;
		*slash = '\0';
	}
}

/* The repository top into top (PATH_MAX bytes); false if not found. */
static inline bool tu_repo_top(char *top)
{
	ssize_t n = readlink("/proc/self/exe", top, PATH_MAX - 1);

	if (n > 0) {
		top[n] = '\0';
		if (tu_find_top(top))
			return true;
	}
	if (getcwd(top, PATH_MAX) && tu_find_top(top))
		return true;
	return false;
}

/* The test vector directory into dir (PATH_MAX bytes); false if absent. */
static inline bool tu_testdata_dir(char *dir)
{
	const char *env = getenv("LMIG_TESTDATA");
	char top[PATH_MAX];

	if (env && *env) {
		if (strlen(env) >= PATH_MAX)
			return false;
		strcpy(dir, env);
		return tu_is_dir(dir);
	}
	if (!tu_repo_top(top))
		return false;
	if (tu_join(dir, PATH_MAX, top, "../shared/testdata"))
		return false;
	return tu_is_dir(dir);
}

static inline bool tu_ci(void)
{
	const char *ci = getenv("CI");

	return ci && !strcmp(ci, "true");
}

/*
 * Put the path of a test vector file or directory (relative to the test
 * data directory) into path, or SKIP the test (FAIL under CI=true).
 */
#define TESTDATA_PATH_OR_SKIP(path, rel)                                      \
	do {                                                                  \
		char __dir[PATH_MAX];                                         \
		bool __found = tu_testdata_dir(__dir);                        \
		if (__found) {                                                \
			__found = !tu_join(path, sizeof(path), __dir, rel) && \
				  !access(path, R_OK);                        \
		}                                                             \
		if (!__found && tu_ci()) {                                    \
			TH_LOG("test data %s not found (set LMIG_TESTDATA); " \
			       "CI=true makes this a failure",                \
			       rel);                                          \
			ASSERT_TRUE(__found);                                 \
		}                                                             \
		if (!__found)                                                 \
			SKIP(return,                                          \
				   "test data %s not found (set "             \
				   "LMIG_TESTDATA)",                          \
				   rel);                                      \
	} while (0)

/* The whole file, NUL-terminated; NULL on error. */
static inline char *tu_read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "re");
	size_t cap = 4096, n = 0, got;
	char *buf = NULL, *p;

	if (!f)
		return NULL;
	for (;;) {
		p = realloc(buf, cap + 1);
		if (!p) {
			free(buf);
			fclose(f);
			return NULL;
		}
		buf = p;
		got = fread(buf + n, 1, cap - n, f);
		n += got;
		if (n < cap)
			break;
		cap *= 2;
	}
	fclose(f);
	buf[n] = '\0';
	*len = n;
	return buf;
}

/* Decode lower- or upper-case hex; -1 if it is not hex or too long. */
static inline ssize_t tu_unhex(const char *hex, size_t len, uint8_t *out,
			       size_t out_size)
{
	size_t i;

	if (len % 2 || len / 2 > out_size)
		return -1;
	for (i = 0; i < len; i += 2) {
		unsigned int v;

		if (sscanf(hex + i, "%2x", &v) != 1)
			return -1;
		out[i / 2] = (uint8_t)v;
	}
	return (ssize_t)(len / 2);
}

/* The path of test-side tool name (built to $(O)/tools/name). */
static inline bool tu_tool_path(const char *name, char *path)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	char *slash;
	int up;

	if (n <= 0)
		return false;
	exe[n] = '\0';
	/* $(O)/selftests/<area>/<test> -> $(O) */
	for (up = 0; up < 3; up++) {
		slash = strrchr(exe, '/');
		if (!slash)
			return false;
		*slash = '\0';
	}
	return !tu_join(path, PATH_MAX, exe, "tools") &&
	       !tu_join(path, PATH_MAX, path, name) && !access(path, X_OK);
}

/* Append what fd has to buf (NUL kept at the end); false at end of file. */
static inline bool tu_drain(int fd, char *buf, size_t size, size_t *n)
{
	char tmp[4096];
	ssize_t r = read(fd, tmp, sizeof(tmp));
	size_t k;

	if (r < 0 && errno == EINTR)
		return true;
	if (r <= 0)
		return false;
	k = (size_t)r;
	if (k > size - 1 - *n)
		k = size - 1 - *n;
	memcpy(buf + *n, tmp, k);
	*n += k;
	buf[*n] = '\0';
	return true;
}

/*
 * Run argv (argv[0] a path) with stdout captured into out (NUL-terminated,
 * a final newline removed) and stderr into err, both truncated to fit;
 * returns the exit status, or -1 if it could not run or died of a signal.
 */
static inline int tu_run(char *const argv[], char *out, size_t out_size,
			 char *err, size_t err_size)
{
	int out_pipe[2], err_pipe[2], status;
	size_t n_out = 0, n_err = 0;
	struct pollfd fds[2];
	pid_t pid;

	out[0] = err[0] = '\0';
	if (pipe2(out_pipe, O_CLOEXEC))
		return -1;
	if (pipe2(err_pipe, O_CLOEXEC)) {
		close(out_pipe[0]);
		close(out_pipe[1]);
		return -1;
	}
	fflush(NULL);
	pid = fork();
	if (!pid) {
		dup2(out_pipe[1], 1);
		dup2(err_pipe[1], 2);
		execv(argv[0], argv);
		_exit(127);
	}
	close(out_pipe[1]);
	close(err_pipe[1]);
	fds[0] = (struct pollfd){.fd = pid > 0 ? out_pipe[0] : -1,
				 .events = POLLIN};
	fds[1] = (struct pollfd){.fd = pid > 0 ? err_pipe[0] : -1,
				 .events = POLLIN};
	while (fds[0].fd >= 0 || fds[1].fd >= 0) {
		if (poll(fds, 2, -1) < 0 && errno != EINTR)
			break;
		if (fds[0].revents &&
		    !tu_drain(fds[0].fd, out, out_size, &n_out))
			fds[0].fd = -1;
		if (fds[1].revents &&
		    !tu_drain(fds[1].fd, err, err_size, &n_err))
			fds[1].fd = -1;
	}
	close(out_pipe[0]);
	close(err_pipe[0]);
	if (pid < 0)
		return -1;
	if (n_out && out[n_out - 1] == '\n')
		out[n_out - 1] = '\0';
	if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

/*
 * Run tool with the NULL-terminated arguments that follow, capturing
 * stdout and stderr as tu_run() does; at most 62 arguments.
 */
static inline int tu_runl(const char *tool, char *out, size_t out_size,
			  char *err, size_t err_size, ...)
{
	char *argv[64];
	va_list ap;
	int n = 0;

	argv[n++] = (char *)tool;
	va_start(ap, err_size);
	while (n < 63 && (argv[n] = va_arg(ap, char *)))
		n++;
	va_end(ap);
	argv[n] = NULL;
	return tu_run(argv, out, out_size, err, err_size);
}

/*
 * Run tool with args (NULL-terminated, at most 46), capturing stdout into
 * out; on failure its stderr goes to the test's output as a comment.
 */
static inline int tu_run_tool(const char *tool, char *const *args, char *out,
			      size_t out_size)
{
	char *argv[48] = {(char *)tool};
	char err[1024];
	int n = 1, rc;

	while (*args && n < 47)
		argv[n++] = *args++;
	argv[n] = NULL;
	rc = tu_run(argv, out, out_size, err, sizeof(err));
	if (rc)
		fprintf(stderr, "# %s: %s\n", tool, err);
	return rc;
}

/* A fresh private directory for a test's files, into dir (PATH_MAX). */
static inline bool tu_mkdtemp(char *dir)
{
	const char *tmp = getenv("TMPDIR");

	if (!tmp || !*tmp)
		tmp = "/tmp";
	if (tu_join(dir, PATH_MAX, tmp, "lmig-test.XXXXXX"))
		return false;
	return mkdtemp(dir) != NULL;
}

/* Remove a directory made by tu_mkdtemp() and the files in it. */
static inline void tu_rmdir(const char *dir)
{
	char path[PATH_MAX];
	struct dirent *d;
	DIR *dp;

	if (!dir[0])
		return;
	dp = opendir(dir);
	if (dp) {
		while ((d = readdir(dp))) {
			if (!strcmp(d->d_name, ".") || !strcmp(d->d_name, ".."))
				continue;
			if (!tu_join(path, sizeof(path), dir, d->d_name))
				unlink(path);
		}
		closedir(dp);
	}
	rmdir(dir);
}

#endif /* LMIG_SELFTESTS_UNIT_TESTUTIL_H */

/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Run iproute2's ip(8) from a test, quietly, without a shell: the test VM's
 * shell is busybox, whose own "ip" would shadow the real one.
 */
#ifndef LMIG_TEST_IPROUTE_H
#define LMIG_TEST_IPROUTE_H

#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>

/*
 * ip_cmd("link set %s up", name): the arguments are split at spaces (none
 * of ours contain one). Returns ip's exit status, or -1 if it did not run.
 */
__attribute__((format(printf, 1, 2))) static inline int ip_cmd(const char *fmt,
							       ...)
{
	char line[512], *argv[40] = {"ip"}, *save = NULL;
	int argc = 1, status;
	va_list ap;
	pid_t pid;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(line))
		return -1;
	for (char *tok = strtok_r(line, " ", &save); tok;
	     tok = strtok_r(NULL, " ", &save)) {
		if (argc == (int)(sizeof(argv) / sizeof(argv[0])) - 1)
			return -1;
		argv[argc++] = tok;
	}
	argv[argc] = NULL;

	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);

		if (null >= 0) {
			dup2(null, STDOUT_FILENO);
			dup2(null, STDERR_FILENO);
		}
		execvp("ip", argv);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

#endif /* LMIG_TEST_IPROUTE_H */

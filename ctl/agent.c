// SPDX-License-Identifier: GPL-2.0-only
/*
 * Is the agent there? lmigd follows the kernel's events into the fast
 * path; without it a change of the table stays in the kernel. lmigctl
 * looks for a process named lmigd in its own network namespace.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "lmigctl.h"

/* Does process pid run lmigd in the network namespace of self? */
static bool is_agent(unsigned long pid, const struct stat *self)
{
	char path[64], comm[32] = "";
	struct stat st;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%lu/comm", pid);
	f = fopen(path, "r");
	if (!f)
		return false;
	if (!fgets(comm, sizeof(comm), f))
		comm[0] = '\0';
	fclose(f);
	comm[strcspn(comm, "\n")] = '\0';
	if (strcmp(comm, "lmigd"))
		return false;
	snprintf(path, sizeof(path), "/proc/%lu/ns/net", pid);
	if (stat(path, &st))
		/* Not ours to inspect (another user): count it. */
		return errno == EACCES || errno == EPERM;
	return st.st_dev == self->st_dev && st.st_ino == self->st_ino;
}

bool ctl_agent_running(void)
{
	struct stat self;
	struct dirent *e;
	bool found = false;
	DIR *d;

	/* Without /proc nothing can be told: assume it runs. */
	if (stat("/proc/self/ns/net", &self))
		return true;
	d = opendir("/proc");
	if (!d)
		return true;
	while (!found && (e = readdir(d))) {
		char *end;
		unsigned long pid = strtoul(e->d_name, &end, 10);

		if (pid && !*end)
			found = is_agent(pid, &self);
	}
	closedir(d);
	return found;
}

void ctl_warn_no_agent(const char *what)
{
	if (ctl_agent_running())
		return;
	ctl_error("warning: no lmigd is running in this network namespace: "
		  "the fast path will not follow %s until it runs",
		  what);
}

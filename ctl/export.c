// SPDX-License-Identifier: GPL-2.0-only
/*
 * lmigctl export: the live profile table as a profiles file
 * (lmig-profiles(5)), which "lmigctl apply -f" takes back unchanged.
 */
#include <stdio.h>
#include <string.h>

#include "lmigctl.h"
#include "print.h"
#include "profiles_file.h"
#include "table.h"

int cmd_export(struct ctl *c, int argc, char **argv)
{
	struct ctl_table t;
	int ret;

	if (ctl_wants_help(argc, argv) ||
	    (argc == 1 && !strcmp(argv[0], "help"))) {
		printf("usage: lmigctl [-j|-p] export\n"
		       "\n"
		       "Print the live profile table in the format of the "
		       "profiles file\n"
		       "(lmig-profiles(5)): 'lmigctl export | lmigctl apply -f "
		       "-' changes\n"
		       "nothing. With -j, the profiles as JSON.\n");
		return CTL_OK;
	}
	if (argc) {
		ctl_error("export: takes no arguments");
		return CTL_USAGE;
	}
	ret = ctl_table_dump(c, "export", &t);
	if (ret != CTL_OK)
		return ret;
	print_text("# lmig profiles, lmig-profiles(5): %zu profiles\n", t.n);
	print_open_array("profiles");
	for (size_t i = 0; i < t.n; i++) {
		if (print_is_json())
			ctl_print_profile(NULL, &t.v[i]);
		else
			lmig_profiles_write(stdout, &t.v[i]);
	}
	print_close_array();
	ctl_table_free(&t);
	return CTL_OK;
}

// SPDX-License-Identifier: GPL-2.0-only
/*
 * lmig: the limited-migration authorisation policy of a partner MC system.
 * One profile table per network namespace, managed over the "lmig"
 * generic netlink family (include/uapi/linux/lmig.h).
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/debugfs.h>
#include <linux/module.h>
#include <net/genetlink.h>
#include <net/net_namespace.h>

#include "netlink.h"
#include "profile.h"
#include "table.h"

static struct dentry *lmig_debugfs;

static int __init lmig_init(void)
{
	int ret;

	ret = lmig_table_module_init();
	if (ret)
		goto err_table;
	/* Every namespace has its table before the family can be reached. */
	ret = register_pernet_subsys(&lmig_table_net_ops);
	if (ret)
		goto err_pernet;
	ret = lmig_netlink_init();
	if (ret)
		goto err_netlink;
	/* Profiles alive in all namespaces together: shows leaks in tests. */
	lmig_debugfs = debugfs_create_dir(KBUILD_MODNAME, NULL);
	debugfs_create_atomic_t("profiles", 0444, lmig_debugfs,
				&lmig_profiles_live);
	return 0;

err_netlink:
	unregister_pernet_subsys(&lmig_table_net_ops);
err_pernet:
	lmig_table_module_exit();
err_table:
	pr_err("cannot start: %d\n", ret);
	return ret;
}

static void __exit lmig_exit(void)
{
	debugfs_remove(lmig_debugfs);
	lmig_netlink_exit();
	unregister_pernet_subsys(&lmig_table_net_ops);
	lmig_table_module_exit();
	WARN(atomic_read(&lmig_profiles_live), "%d profiles leaked\n",
	     atomic_read(&lmig_profiles_live));
}

module_init(lmig_init);
module_exit(lmig_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Limited-migration authorisation policy for MC services");
MODULE_ALIAS_GENL_FAMILY(LMIG_GENL_NAME);

// SPDX-License-Identifier: GPL-2.0-only
#include <linux/module.h>
#include <linux/lmig.h>
static int __init lmig_init(void) { return 0; }
static void __exit lmig_exit(void) { }
module_init(lmig_init);
module_exit(lmig_exit);
MODULE_LICENSE("GPL");

// SPDX-License-Identifier: GPL-2.0
/*
 * Harness self-test: a module whose only job is to WARN when loaded, so that
 * the VM harness can show it notices a kernel warning. Never installed.
 */

#include <linux/module.h>
#include <linux/bug.h>

static int __init skap_selftest_warn_init(void)
{
	WARN(1, "skap_selftest_warn: deliberate warning for the harness self-test\n");
	return 0;
}

static void __exit skap_selftest_warn_exit(void)
{
}

module_init(skap_selftest_warn_init);
module_exit(skap_selftest_warn_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("skap VM harness self-test: WARNs on load");

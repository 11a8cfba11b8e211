// SPDX-License-Identifier: GPL-2.0
/*
 * skap.ko entry points: registers the generic netlink family "skap".
 */

#include <linux/module.h>
#include <net/genetlink.h>
#include <uapi/linux/skap.h>

static struct genl_family skap_genl_family __ro_after_init = {
	.name = SKAP_GENL_NAME,
	.version = SKAP_GENL_VERSION,
	.module = THIS_MODULE,
	.netnsok = true,
};

static int __init skap_init(void)
{
	int ret;

	ret = genl_register_family(&skap_genl_family);
	if (ret)
		return ret;
	pr_info("skap: version %s loaded\n", SKAP_MODULE_VERSION);
	return 0;
}

static void __exit skap_exit(void)
{
	genl_unregister_family(&skap_genl_family);
}

module_init(skap_init);
module_exit(skap_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("skap: symmetric key agreement keys for IPsec");
MODULE_VERSION(SKAP_MODULE_VERSION);
MODULE_ALIAS_GENL_FAMILY(SKAP_GENL_NAME);

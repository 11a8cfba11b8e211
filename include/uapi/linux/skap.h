/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * skap generic netlink API. The kernel module issue documents the full API
 * here; this is the family's identity only.
 */
#ifndef _UAPI_LINUX_SKAP_H
#define _UAPI_LINUX_SKAP_H

#define SKAP_GENL_NAME "skap"
#define SKAP_GENL_VERSION 1
#define SKAP_MODULE_VERSION "0.1.0"

#endif /* _UAPI_LINUX_SKAP_H */

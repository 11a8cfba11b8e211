/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The answers of skapd's control socket (docs/skapd.md, "Control socket"):
 * the daemon's state as JSON objects, from the configuration, what
 * negotiate.c recorded, the module's dump and the keyring's descriptions.
 * Nothing here changes state, and no key byte is ever read: the key type
 * has no read operation.
 */
#ifndef SKAPD_VIEW_H
#define SKAPD_VIEW_H

#include "negotiate.h"

#include <skap/config.h>
#include <skap/kmod.h>

#include <jansson.h>
#include <stdint.h>

struct skapd_view {
	const struct skap_daemon_config *cfg;
	const char *config_path;
	uint64_t started; /* Unix seconds */
	struct skap_kmod *km;
	const struct skapd_neg *neg; /* NULL when not enrolled and approved */
};

/*
 * The answer to COMMAND ("status", "links", "sas" or "keys"): a new object
 * with "ok" set, or NULL when COMMAND is none of them.
 */
json_t *skapd_view_answer(const struct skapd_view *v, const char *command);

/* {"ok": false, "error": MESSAGE}: every refusal has this shape. */
json_t *skapd_view_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif /* SKAPD_VIEW_H */

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * skapctl's local commands: this gateway's skapd, over its control socket
 * (docs/skapd.md, "Control socket"). No platform session is needed.
 */
#ifndef SKAPCTL_LOCAL_H
#define SKAPCTL_LOCAL_H

#include <stdbool.h>

#define SKAPCTL_DEFAULT_SOCKET "/run/skap/skapd.sock"

/* Whether OBJECT is one of them: status, links, sas, keys, reload. */
bool local_is_command(const char *object);

/*
 * Runs ARGV[0] (a local command) with its options (--socket PATH, -j);
 * JSON: print skapd's answer as it is. Returns skapctl's exit status.
 */
int local_main(int argc, char **argv, int json);

#endif /* SKAPCTL_LOCAL_H */

/* SPDX-License-Identifier: GPL-2.0 */
#ifndef SKAPD_DAEMON_H
#define SKAPD_DAEMON_H

/*
 * Runs the daemon in the foreground until SIGTERM or SIGINT: installs the
 * configured links' policies, follows the module's events, and re-reads the
 * configuration on SIGHUP. Returns the process exit status.
 */
int skapd_run(const char *config_path);

#endif /* SKAPD_DAEMON_H */

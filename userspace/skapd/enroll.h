/* SPDX-License-Identifier: GPL-2.0 */
#ifndef SKAPD_ENROLL_H
#define SKAPD_ENROLL_H

/*
 * `skapd enroll ...` and `skapd bootstrap -k KEY ...` (ARGV[0] is the
 * subcommand): enrollment with the platform. Returns the exit status.
 */
int skapd_enroll_main(int argc, char **argv, int bootstrap);

#endif /* SKAPD_ENROLL_H */

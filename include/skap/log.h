/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Logging for the daemons and tools. One line per event on stderr; under
 * systemd (JOURNAL_STREAM set) each line starts with the "<N>" priority
 * prefix journald reads. Messages carry ids, SPIs, fingerprints and
 * lengths; never a key, a password or any other secret.
 */
#ifndef SKAP_LOG_H
#define SKAP_LOG_H

#include <skap/config.h>

void skap_log_init(const char *ident, enum skap_log_level level);
void skap_log_set_level(enum skap_log_level level);
enum skap_log_level skap_log_level(void);
void skap_log(enum skap_log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#define log_error(...) skap_log(SKAP_LOG_ERROR, __VA_ARGS__)
#define log_warn(...)  skap_log(SKAP_LOG_WARNING, __VA_ARGS__)
#define log_info(...)  skap_log(SKAP_LOG_INFO, __VA_ARGS__)
#define log_debug(...) skap_log(SKAP_LOG_DEBUG, __VA_ARGS__)

#endif /* SKAP_LOG_H */

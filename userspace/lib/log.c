// SPDX-License-Identifier: GPL-2.0
/*
 * Line logging to stderr (include/skap/log.h). Each message is formatted
 * into one buffer and written with one write(2), so lines from concurrent
 * processes do not interleave; control characters in the message are
 * replaced, so input quoted in a message cannot forge log lines.
 */

#include <skap/log.h>

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const char *log_ident = "skap";
static enum skap_log_level log_threshold = SKAP_LOG_INFO;
static bool log_journal;

void skap_log_init(const char *ident, enum skap_log_level level)
{
	log_ident = ident;
	log_threshold = level;
	log_journal = getenv("JOURNAL_STREAM") != NULL;
}

void skap_log_set_level(enum skap_log_level level)
{
	log_threshold = level;
}

enum skap_log_level skap_log_level(void)
{
	return log_threshold;
}

void skap_log(enum skap_log_level level, const char *fmt, ...)
{
	static const char *const names[] = { "error", "warning", "info", "debug" };
	static const int syslog_prio[] = { 3, 4, 6, 7 };
	char line[1024];
	size_t n = 0;
	va_list ap;
	int len;

	if (level > log_threshold)
		return;
	if (log_journal) {
		len = snprintf(line, sizeof(line), "<%d>", syslog_prio[level]);
	} else {
		struct timespec ts;
		struct tm tm;

		clock_gettime(CLOCK_REALTIME, &ts);
		gmtime_r(&ts.tv_sec, &tm);
		len = snprintf(line, sizeof(line), "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ %s[%d] %s: ",
			       tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
			       tm.tm_min, tm.tm_sec, ts.tv_nsec / 1000000, log_ident, (int)getpid(),
			       names[level]);
	}
	n = len > 0 ? (size_t)len : 0;
	va_start(ap, fmt);
	len = vsnprintf(line + n, sizeof(line) - n - 1, fmt, ap);
	va_end(ap);
	if (len > 0) {
		size_t end = n + (size_t)len < sizeof(line) - 2 ? n + (size_t)len : sizeof(line) - 2;

		for (size_t i = n; i < end; i++)
			if ((unsigned char)line[i] < 0x20 || line[i] == 0x7f)
				line[i] = '?';
		n = end;
	}
	line[n++] = '\n';
	if (write(STDERR_FILENO, line, n) < 0) {
		/* Nowhere left to report it. */
	}
}

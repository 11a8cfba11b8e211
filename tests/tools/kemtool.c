// SPDX-License-Identifier: GPL-2.0
/*
 * kemtool: libskap's ML-KEM-768 and X-Wing from the command line, for the
 * vector and differential tests. Hex in, lowercase hex out on one line.
 *
 *   kemtool keygen D Z              -> EK DK
 *   kemtool encaps EK M             -> CT K
 *   kemtool decaps DK CT            -> K
 *   kemtool xwing-keygen SEED       -> PK SK
 *   kemtool xwing-encaps PK ESEED   -> CT SS
 *   kemtool xwing-decaps SK CT      -> SS
 *   kemtool batch                   -> the same commands, one per stdin line,
 *                                      one answer per stdout line ("error: ..."
 *                                      for a refused input), so a test can run
 *                                      thousands of cases in one process.
 *
 * A wrong length, bad hex or a refused key prints a clear error on stderr
 * and exits 1 (single-command mode). Everything printed is test data: the
 * tool exists to show secrets to tests, and is not installed.
 */

#include <skap/mlkem.h>
#include <skap/secret.h>
#include <skap/xwing.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_BIN 4096

static int unhex(const char *name, const char *hex, uint8_t *out, size_t want, char *err,
		 size_t errlen)
{
	size_t n = strlen(hex);

	if (n != 2 * want) {
		snprintf(err, errlen, "%s: expected %zu bytes (%zu hex digits), got %zu hex digits",
			 name, want, 2 * want, n);
		return -EINVAL;
	}
	for (size_t i = 0; i < want; i++) {
		int v = 0;

		for (int j = 0; j < 2; j++) {
			char c = hex[2 * i + j];
			int d;

			if (c >= '0' && c <= '9')
				d = c - '0';
			else if (c >= 'a' && c <= 'f')
				d = c - 'a' + 10;
			else if (c >= 'A' && c <= 'F')
				d = c - 'A' + 10;
			else {
				snprintf(err, errlen, "%s: not hex at position %zu", name,
					 2 * i + j);
				return -EINVAL;
			}
			v = v * 16 + d;
		}
		out[i] = (uint8_t)v;
	}
	return 0;
}

static void puthex(FILE *f, const uint8_t *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		fprintf(f, "%02x", b[i]);
}

struct bufs {
	uint8_t a[MAX_BIN], b[MAX_BIN], x[MAX_BIN], y[MAX_BIN];
};

/*
 * Runs one command (ARGV[0] with ARGC - 1 arguments) and prints its answer
 * line on OUT; on failure writes the reason into ERR and returns 1.
 */
static int run(int argc, char **argv, struct bufs *s, FILE *out, char *err, size_t errlen)
{
	const char *cmd = argv[0];
	int ret;

	if (argc != 3) {
		snprintf(err, errlen, "%s: expected 2 arguments", cmd);
		return 1;
	}
#define IN(i, name, buf, len)                                                 \
	do {                                                                  \
		if (unhex(name, argv[i], buf, len, err, errlen))              \
			return 1;                                             \
	} while (0)
	if (!strcmp(cmd, "keygen")) {
		IN(1, "D", s->a, 32);
		IN(2, "Z", s->b, 32);
		skap_mlkem768_keygen_derand(s->a, s->b, s->x, s->y);
		puthex(out, s->x, SKAP_MLKEM768_EK_LEN);
		fputc(' ', out);
		puthex(out, s->y, SKAP_MLKEM768_DK_LEN);
	} else if (!strcmp(cmd, "encaps")) {
		IN(1, "EK", s->a, SKAP_MLKEM768_EK_LEN);
		IN(2, "M", s->b, 32);
		ret = skap_mlkem768_encaps_derand(s->a, s->b, s->x, s->y);
		if (ret) {
			snprintf(err, errlen, "EK: invalid encapsulation key (%s)", strerror(-ret));
			return 1;
		}
		puthex(out, s->x, SKAP_MLKEM768_CT_LEN);
		fputc(' ', out);
		puthex(out, s->y, SKAP_MLKEM768_SS_LEN);
	} else if (!strcmp(cmd, "decaps")) {
		IN(1, "DK", s->a, SKAP_MLKEM768_DK_LEN);
		IN(2, "CT", s->b, SKAP_MLKEM768_CT_LEN);
		ret = skap_mlkem768_decaps(s->a, s->b, s->y);
		if (ret) {
			snprintf(err, errlen, "DK: invalid decapsulation key (%s)", strerror(-ret));
			return 1;
		}
		puthex(out, s->y, SKAP_MLKEM768_SS_LEN);
	} else if (!strcmp(cmd, "xwing-keygen")) {
		IN(1, "SEED", s->a, SKAP_XWING_SK_LEN);
		ret = skap_xwing_public_key(s->a, s->x);
		if (ret) {
			snprintf(err, errlen, "SEED: key generation failed (%s)", strerror(-ret));
			return 1;
		}
		puthex(out, s->x, SKAP_XWING_PK_BYTES);
		fputc(' ', out);
		puthex(out, s->a, SKAP_XWING_SK_LEN);
	} else if (!strcmp(cmd, "xwing-encaps")) {
		IN(1, "PK", s->a, SKAP_XWING_PK_BYTES);
		IN(2, "ESEED", s->b, SKAP_XWING_ESEED_LEN);
		ret = skap_xwing_encaps_derand(s->a, s->b, s->x, s->y);
		if (ret) {
			snprintf(err, errlen, "PK: invalid X-Wing public key (%s)", strerror(-ret));
			return 1;
		}
		puthex(out, s->x, SKAP_XWING_CT_BYTES);
		fputc(' ', out);
		puthex(out, s->y, SKAP_XWING_SS_LEN);
	} else if (!strcmp(cmd, "xwing-decaps")) {
		IN(1, "SK", s->a, SKAP_XWING_SK_LEN);
		IN(2, "CT", s->b, SKAP_XWING_CT_BYTES);
		ret = skap_xwing_decaps(s->a, s->b, s->y);
		if (ret) {
			snprintf(err, errlen, "CT: decapsulation refused (%s)", strerror(-ret));
			return 1;
		}
		puthex(out, s->y, SKAP_XWING_SS_LEN);
	} else {
		snprintf(err, errlen, "unknown command '%s'", cmd);
		return 1;
	}
#undef IN
	fputc('\n', out);
	return 0;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: kemtool keygen D Z | encaps EK M | decaps DK CT |\n"
		"       xwing-keygen SEED | xwing-encaps PK ESEED | xwing-decaps SK CT | batch\n");
}

/* One command per line on stdin, one answer (or "error: ...") per line on stdout. */
static int batch(struct bufs *s)
{
	static char line[3 * 2 * MAX_BIN];
	char err[256];

	while (fgets(line, sizeof(line), stdin)) {
		char *argv[4], *save = NULL, *t;
		int argc = 0;

		for (t = strtok_r(line, " \t\r\n", &save); t && argc < 4;
		     t = strtok_r(NULL, " \t\r\n", &save))
			argv[argc++] = t;
		if (argc == 0)
			continue;
		if (!strcmp(argv[0], "xwing-keygen") && argc == 2)
			argv[argc++] = (char *)"";
		if (run(argc, argv, s, stdout, err, sizeof(err)))
			printf("error: %s\n", err);
		fflush(stdout);
	}
	return ferror(stdin) ? 1 : 0;
}

int main(int argc, char **argv)
{
	char err[256] = "";
	char *args[3];
	void *mem;
	int ret;

	if (argc < 2) {
		usage();
		return 1;
	}
	if (skap_secret_alloc(sizeof(struct bufs), &mem)) {
		fprintf(stderr, "kemtool: cannot allocate locked memory\n");
		return 1;
	}
	if (!strcmp(argv[1], "batch") && argc == 2) {
		ret = batch(mem);
	} else if (!strcmp(argv[1], "xwing-keygen")) {
		if (argc != 3) {
			snprintf(err, sizeof(err), "xwing-keygen: expected 1 argument");
			ret = 1;
		} else {
			args[0] = argv[1];
			args[1] = argv[2];
			args[2] = (char *)"";
			ret = run(3, args, mem, stdout, err, sizeof(err));
		}
	} else {
		ret = run(argc - 1, argv + 1, mem, stdout, err, sizeof(err));
	}
	if (ret && err[0])
		fprintf(stderr, "kemtool: %s\n", err);
	skap_secret_free(mem);
	if (fflush(stdout) || ferror(stdout))
		return 1;
	return ret ? 1 : 0;
}

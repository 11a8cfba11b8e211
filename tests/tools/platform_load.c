// SPDX-License-Identifier: GPL-2.0
/*
 * platform_load: many devices at once against a real skap-server, over
 * keep-alive HTTPS (one TLS connection per worker thread), with the
 * device-side messages of libskap (devmsg.h). Two jobs:
 *
 *   platform_load -s URL --ca FILE -k BOOTSTRAP_KEY [-c CONNS] [-t SECONDS | -n COUNT]
 *                 [-m ota-quantum|ota-tls] enroll
 *	Enrollments with fresh identities; with -n, exactly COUNT of them
 *	spread over the workers, each device id printed on its own line
 *	("device ID"), so a test can check that none was lost or duplicated.
 *
 *   platform_load ... keys
 *	Enrolls 2 x CONNS devices (the key must be auto-accept), fetches
 *	their certificates, then each worker asks for key tickets over mutual
 *	TLS as its device, with the next device as peer; with -n, exactly
 *	COUNT tickets (for instruction counts under valgrind, which do not
 *	depend on the machine's speed).
 *
 * It ends with one line: "JOB: N ok, F failed in S s: R/s, p50 X ms, p99 Y ms
 * (C connections, ..., client CPU Z us/op)", Z being this process's own CPU
 * time (user and system) over the timed part, per operation: on a shared
 * machine, what the load took from the server.
 * bench/platform.sh runs it; tests/net/server_concurrency.sh uses -n.
 */

#include <skap/b64.h>
#include <skap/platform.h>
#include <skap/secret.h>

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#define BODY_MAX (256 * 1024)

struct device {
	uint8_t seed[32], pub[32], dmk[32];
	char id[SKAP_ID_MAX + 1];
	char *cert;
};

struct worker {
	pthread_t thread;
	int index;
	size_t quota; /* -n: requests this worker makes; 0: until the deadline */
	double *lat;  /* milliseconds, one per operation */
	size_t n_lat, cap_lat;
	unsigned long ok, failed;
	char first_error[256];
};

static struct {
	const char *url, *ca, *bkey, *job;
	enum skap_enroll_method method;
	int conns;
	double seconds;
	long count;
	struct device *devices; /* keys: 2 x conns */
	double deadline;
	pthread_mutex_t print_lock;
} g = { .conns = 4, .seconds = 5, .method = SKAP_ENROLL_OTA_QUANTUM };

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void fail(struct worker *w, const char *what)
{
	w->failed++;
	if (!w->first_error[0])
		snprintf(w->first_error, sizeof(w->first_error), "%s", what);
}

static void record(struct worker *w, double ms)
{
	if (w->n_lat == w->cap_lat) {
		size_t cap = w->cap_lat ? 2 * w->cap_lat : 1024;
		double *grown = realloc(w->lat, cap * sizeof(*grown));

		if (!grown)
			return;
		w->lat = grown;
		w->cap_lat = cap;
	}
	w->lat[w->n_lat++] = ms;
	w->ok++;
}

static struct skap_https *conn_open(const struct device *as)
{
	struct skap_https_opts o = { .url = g.url, .ca_file = g.ca };
	struct skap_https *h;

	if (as && as->cert) {
		o.cert_seed = as->seed;
		o.cert_pem = as->cert;
	}
	return skap_https_open(&o, &h, NULL, 0) ? NULL : h;
}

static int enroll(struct skap_https *h, struct device *d, char *why, size_t why_size)
{
	static const char *const none[1] = { NULL };
	struct skap_device_report rep = { .hostname = "load.example", .macs = none,
					  .addresses = none };
	struct skap_enroll_params p = { .method = g.method, .cred.bootstrap_key = g.bkey,
					.report = &rep };
	struct skap_platform_error err;
	struct skap_enroll_answer ans;
	struct skap_ed25519_signer *id;
	int ret;

	/* One derivation of the public key serves it and the signature. */
	if (skap_random(d->seed, sizeof(d->seed)) ||
	    skap_ed25519_signer_new(d->seed, d->pub, &id))
		return -1;
	ret = skap_platform_enroll(h, &p, id, d->pub, &ans, &err);
	skap_ed25519_signer_free(id);
	if (ret) {
		snprintf(why, why_size, "enroll: %.200s", ret == -EACCES ? err.message : strerror(-ret));
		return -1;
	}
	memcpy(d->dmk, ans.dmk, 32);
	snprintf(d->id, sizeof(d->id), "%s", ans.device_id);
	skap_wipe(&ans, sizeof(ans));
	return 0;
}

/* The device's certificate, through the status call. */
static int fetch_certificate(struct skap_https *h, struct device *d)
{
	struct skap_platform_error err;
	struct skap_status_answer st;

	if (skap_platform_status(h, d->id, d->dmk, &st, &err))
		return -1;
	d->cert = st.certificate;
	st.certificate = NULL;
	skap_status_answer_free(&st);
	return d->cert ? 0 : -1;
}

static int key_request(struct skap_https *h, const struct device *a, const struct device *b)
{
	uint8_t ticket[SKAP_TICKET_MAX_LEN];
	struct skap_platform_error err;
	struct skap_pair_key pk;
	size_t tlen;
	int ret = skap_platform_key(h, a->id, a->dmk, b->id, &pk, ticket, &tlen, &err);

	skap_wipe(&pk, sizeof(pk));
	return ret;
}

/* ---- workers ---- */

static void *enroll_worker(void *arg)
{
	struct worker *w = arg;
	char why[256];
	struct skap_https *c = conn_open(NULL);
	struct device d;

	if (!c) {
		fail(w, "connect or TLS handshake failed");
		goto out;
	}
	for (size_t i = 0; w->quota ? i < w->quota : now_ms() < g.deadline; i++) {
		double t0 = now_ms();

		memset(&d, 0, sizeof(d));
		why[0] = '\0';
		if (enroll(c, &d, why, sizeof(why))) {
			fail(w, why[0] ? why : "enrollment failed");
			/* The server may have closed the connection: start a new one. */
			skap_https_close(c);
			c = conn_open(NULL);
			if (!c)
				break;
			continue;
		}
		record(w, now_ms() - t0);
		if (w->quota) {
			pthread_mutex_lock(&g.print_lock);
			printf("device %s\n", d.id);
			pthread_mutex_unlock(&g.print_lock);
		}
		skap_wipe(&d, sizeof(d));
	}
out:
	skap_https_close(c);
	return NULL;
}

static void *keys_worker(void *arg)
{
	struct worker *w = arg;
	const struct device *a = &g.devices[2 * w->index], *b = &g.devices[2 * w->index + 1];
	struct skap_https *c = conn_open(a);

	if (!c) {
		fail(w, "mutual TLS handshake failed");
		goto out;
	}
	for (size_t i = 0; w->quota ? i < w->quota : now_ms() < g.deadline; i++) {
		double t0 = now_ms();

		if (key_request(c, a, b)) {
			fail(w, "key request refused or its answer does not open");
			skap_https_close(c);
			c = conn_open(a);
			if (!c)
				break;
			continue;
		}
		record(w, now_ms() - t0);
	}
out:
	skap_https_close(c);
	return NULL;
}

static int setup_devices(void)
{
	struct skap_https *c = conn_open(NULL);
	char why[256];
	int ret = 0;

	g.devices = calloc(2 * (size_t)g.conns, sizeof(*g.devices));
	if (!c || !g.devices) {
		fprintf(stderr, "platform_load: cannot reach %s\n", g.url);
		skap_https_close(c);
		return -1;
	}
	for (int i = 0; i < 2 * g.conns && !ret; i++) {
		ret = enroll(c, &g.devices[i], why, sizeof(why));
		if (ret)
			fprintf(stderr, "platform_load: enrolling device %d: %s\n", i, why);
		else if ((ret = fetch_certificate(c, &g.devices[i])))
			fprintf(stderr, "platform_load: device %s has no certificate "
					"(the bootstrap key must be auto-accept)\n",
				g.devices[i].id);
	}
	skap_https_close(c);
	return ret;
}

/* This process's CPU time so far, in microseconds. */
static double cpu_us(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e6 + ru.ru_utime.tv_usec +
	       ru.ru_stime.tv_usec;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static void usage(FILE *f)
{
	fprintf(f, "usage: platform_load -s https://HOST:PORT --ca FILE -k BOOTSTRAP_KEY\n"
		   "                     [-c CONNS] [-t SECONDS | -n COUNT] [-m METHOD] enroll|keys\n");
}

int main(int argc, char **argv)
{
	struct worker *w;
	unsigned long ok = 0, failed = 0;
	double *all, t0, secs, cpu0;
	size_t n = 0;
	int i;

	for (i = 1; i < argc - 1; i++) {
		const char *o = argv[i], *v = argv[i + 1];

		if (!strcmp(o, "-s"))
			g.url = argv[++i];
		else if (!strcmp(o, "--ca"))
			g.ca = argv[++i];
		else if (!strcmp(o, "-k"))
			g.bkey = argv[++i];
		else if (!strcmp(o, "-c") && (g.conns = atoi(v)) > 0 && g.conns <= 1024)
			i++;
		else if (!strcmp(o, "-t") && (g.seconds = atof(v)) > 0)
			i++;
		else if (!strcmp(o, "-n") && (g.count = atol(v)) > 0)
			i++;
		else if (!strcmp(o, "-m") && !skap_enroll_method_parse(v, &g.method) &&
			 g.method != SKAP_ENROLL_QKEY)
			i++;
		else
			break;
	}
	if (i != argc - 1 || !g.url || !g.ca || !g.bkey ||
	    (strcmp(argv[i], "enroll") && strcmp(argv[i], "keys"))) {
		usage(stderr);
		return 2;
	}
	g.job = argv[i];
	pthread_mutex_init(&g.print_lock, NULL);
	if (!strcmp(g.job, "keys") && setup_devices())
		return 1;
	w = calloc((size_t)g.conns, sizeof(*w));
	if (!w)
		return 1;
	t0 = now_ms();
	cpu0 = cpu_us();
	g.deadline = t0 + g.seconds * 1e3;
	for (i = 0; i < g.conns; i++) {
		w[i].index = i;
		if (g.count)
			w[i].quota = (size_t)(g.count / g.conns + (i < g.count % g.conns));
		if (g.count && !w[i].quota)
			continue;
		pthread_create(&w[i].thread, NULL, !strcmp(g.job, "keys") ? keys_worker :
									    enroll_worker,
			       &w[i]);
	}
	for (i = 0; i < g.conns; i++) {
		if (w[i].thread)
			pthread_join(w[i].thread, NULL);
		ok += w[i].ok;
		failed += w[i].failed;
		n += w[i].n_lat;
	}
	secs = (now_ms() - t0) / 1e3;
	cpu0 = cpu_us() - cpu0;
	all = calloc(n ? n : 1, sizeof(*all));
	n = 0;
	for (i = 0; i < g.conns; i++) {
		if (w[i].first_error[0])
			fprintf(stderr, "platform_load: worker %d: %s\n", i, w[i].first_error);
		if (all && w[i].n_lat) /* a worker refused at once has none */
			memcpy(all + n, w[i].lat, w[i].n_lat * sizeof(*all));
		n += w[i].n_lat;
		free(w[i].lat);
	}
	qsort(all, n, sizeof(*all), cmp_double);
	printf("%s: %lu ok, %lu failed in %.2f s: %.0f/s, p50 %.2f ms, p99 %.2f ms "
	       "(%d connections, %s, client CPU %.0f us/op)\n",
	       g.job, ok, failed, secs, ok / secs, n ? all[n / 2] : 0.0,
	       n ? all[(size_t)(n * 0.99)] : 0.0, g.conns,
	       !strcmp(g.job, "keys") ? "mutual TLS" : skap_enroll_method_name(g.method),
	       ok ? cpu0 / (double)ok : 0.0);
	free(all);
	free(w);
	return failed ? 1 : 0;
}

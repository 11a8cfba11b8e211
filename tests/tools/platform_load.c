// SPDX-License-Identifier: GPL-2.0
/*
 * platform_load: many devices at once against a real skap-server, over
 * keep-alive HTTPS, with the device-side messages of libskap (devmsg.h).
 * Two jobs:
 *
 *   platform_load -s URL --ca FILE -k BOOTSTRAP_KEY [-c CONNS] [-t SECONDS | -n COUNT]
 *                 [-m ota-quantum|ota-tls] enroll
 *	Enrollments with fresh identities; with -n, exactly COUNT of them
 *	spread over the workers, each device id printed on its own line
 *	("device ID"), so a test can check that none was lost or duplicated.
 *
 *   platform_load ... [-T THREADS] keys
 *	Enrolls 2 x CONNS devices (the key must be auto-accept), fetches
 *	their certificates, then each connection asks for key tickets over
 *	mutual TLS as its device, with the next device as peer; with -n,
 *	exactly COUNT tickets (for instruction counts under valgrind, which
 *	do not depend on the machine's speed). The connections share
 *	THREADS libevent loops (2), one thread each: a thread per
 *	connection cost the server a wakeup of a blocked thread (an
 *	interprocessor interrupt on a VM) for every answer, a fifth of its
 *	time, which no real device costs it, and the generator a context
 *	switch per ticket.
 *
 * It ends with one line: "JOB: N ok, F failed in S s: R/s, p50 X ms, p99 Y ms
 * (C connections, ..., client CPU Z us/op)", Z being this process's own CPU
 * time (user and system) over the timed part, per operation: on a shared
 * machine, what the load took from the server.
 * bench/platform.sh runs it; tests/net/server_concurrency.sh uses -n.
 */

#include <skap/b64.h>
#include <skap/https.h>
#include <skap/platform.h>
#include <skap/secret.h>

#include <errno.h>
#include <event2/buffer.h>
#include <event2/bufferevent_ssl.h>
#include <event2/event.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
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
	int conns, key_threads;
	double seconds;
	long count;
	struct device *devices; /* keys: 2 x conns */
	double deadline;
	pthread_mutex_t print_lock;
} g = { .conns = 4, .key_threads = 2, .seconds = 5, .method = SKAP_ENROLL_OTA_QUANTUM };

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

static struct skap_https *conn_open(void)
{
	struct skap_https_opts o = { .url = g.url, .ca_file = g.ca };
	struct skap_https *h;

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

/* ---- workers ---- */

static void *enroll_worker(void *arg)
{
	struct worker *w = arg;
	char why[256];
	struct skap_https *c = conn_open();
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
			c = conn_open();
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

/* ---- key tickets: every connection on one event loop ---- */

struct key_loop {
	pthread_t thread;
	struct event_base *base;
	int in_flight;
};

struct key_conn {
	struct key_loop *loop;
	struct worker *w;
	const struct device *a, *b;
	uint8_t kreq[32], kresp[32]; /* derived once: the DMK does not change */
	SSL_CTX *ctx;
	struct bufferevent *bev;
	size_t sent;
	double t0;
};

static struct {
	struct sockaddr_storage addr;
	socklen_t addr_len;
	char host[256];
} kl;

static int key_connect(struct key_conn *c);

static int key_more(const struct key_conn *c)
{
	return c->w->quota ? c->sent < c->w->quota : now_ms() < g.deadline;
}

/* One request, one write, one TLS record (as skap_https_post sends it). */
static int key_send(struct key_conn *c)
{
	uint8_t nonce[SKAP_REQ_NONCE_LEN];
	char *body = NULL, *msg = NULL;
	int n = -1;

	if (!skap_random(nonce, sizeof(nonce)))
		body = skap_devmsg_key_request(c->kreq, c->a->id, c->b->id, (uint64_t)time(NULL),
					       nonce);
	if (body)
		n = asprintf(&msg,
			     "POST /api/v1/keys HTTP/1.1\r\nHost: %s\r\n"
			     "Content-Type: application/json\r\nContent-Length: %zu\r\n\r\n%s",
			     kl.host, strlen(body), body);
	skap_devmsg_free(body);
	if (n < 0 || bufferevent_write(c->bev, msg, (size_t)n)) {
		fail(c->w, "cannot send a key request");
		n = -1;
	} else {
		c->sent++;
		c->t0 = now_ms();
		c->loop->in_flight++;
	}
	free(msg);
	return n < 0 ? -1 : 0;
}

/* This connection is done: the loop ends with the last one. */
static void key_stop(struct key_conn *c)
{
	if (c->bev) {
		bufferevent_free(c->bev);
		c->bev = NULL;
	}
	if (!c->loop->in_flight)
		event_base_loopbreak(c->loop->base);
}

static void key_read(struct bufferevent *bev, void *arg)
{
	struct key_conn *c = arg;
	struct evbuffer *in = bufferevent_get_input(bev);
	uint8_t ticket[SKAP_TICKET_MAX_LEN];
	struct skap_pair_key pk;
	size_t len = evbuffer_get_length(in), head, body_len, tlen;
	const char *buf = (const char *)evbuffer_pullup(in, -1);
	int status, err = skap_https_answer_head(buf, len, &status, &head, &body_len);

	if (err == -EAGAIN || (!err && len < head + body_len))
		return;
	c->loop->in_flight--;
	if (err) {
		fail(c->w, "an answer that is not HTTP");
		key_stop(c);
		return;
	}
	if (status != 200)
		fail(c->w, "key request refused");
	else if (skap_devmsg_key_answer(c->kresp, c->a->id, c->b->id, buf + head, body_len, &pk,
					ticket, &tlen))
		fail(c->w, "a key answer does not open");
	else
		record(c->w, now_ms() - c->t0);
	skap_wipe(&pk, sizeof(pk));
	evbuffer_drain(in, head + body_len);
	if (!key_more(c) || key_send(c))
		key_stop(c);
}

static void key_event(struct bufferevent *bev, short what, void *arg)
{
	struct key_conn *c = arg;

	if (what & BEV_EVENT_CONNECTED) {
		/* The answer comes as one record; a request must not wait for an ACK. */
		setsockopt(bufferevent_getfd(bev), IPPROTO_TCP, TCP_NODELAY, &(int){ 1 },
			   sizeof(int));
		return;
	}
	c->loop->in_flight--;
	fail(c->w, "mutual TLS handshake or connection failed");
	bufferevent_free(c->bev);
	c->bev = NULL;
	/* The server may have closed the connection: start a new one. */
	if (!key_more(c) || key_connect(c) || key_send(c))
		key_stop(c);
}

/* Mutual TLS as device A: its certificate and key on a context of its own. */
static SSL_CTX *device_tls(const struct device *a)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
	EVP_PKEY *key = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, a->seed, 32);
	BIO *bio = BIO_new_mem_buf(a->cert, -1);
	X509 *x = bio ? PEM_read_bio_X509(bio, NULL, NULL, NULL) : NULL;
	int ok = ctx && key && x && SSL_CTX_load_verify_locations(ctx, g.ca, NULL) == 1 &&
		 SSL_CTX_use_certificate(ctx, x) == 1 && SSL_CTX_use_PrivateKey(ctx, key) == 1;

	if (ok)
		SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
	BIO_free(bio);
	X509_free(x);
	EVP_PKEY_free(key);
	if (!ok) {
		SSL_CTX_free(ctx);
		return NULL;
	}
	return ctx;
}

static int key_connect(struct key_conn *c)
{
	SSL *ssl = SSL_new(c->ctx);

	if (!ssl || !SSL_set1_host(ssl, kl.host)) {
		SSL_free(ssl);
		return -1;
	}
	c->bev = bufferevent_openssl_socket_new(c->loop->base, -1, ssl, BUFFEREVENT_SSL_CONNECTING,
						BEV_OPT_CLOSE_ON_FREE);
	if (!c->bev)
		return -1;
	bufferevent_openssl_set_allow_dirty_shutdown(c->bev, 1);
	bufferevent_setcb(c->bev, key_read, NULL, key_event, c);
	if (bufferevent_enable(c->bev, EV_READ) ||
	    bufferevent_socket_connect(c->bev, (struct sockaddr *)&kl.addr, (int)kl.addr_len)) {
		bufferevent_free(c->bev);
		c->bev = NULL;
		return -1;
	}
	return 0;
}

/* HOST and the address of the URL's https://HOST:PORT. */
static int resolve(const char *url)
{
	const char *h = strncmp(url, "https://", 8) ? NULL : url + 8;
	const char *colon = h ? strrchr(h, ':') : NULL;
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *ai = NULL;
	int ok;

	if (!colon || (size_t)(colon - h) >= sizeof(kl.host))
		return -1;
	memcpy(kl.host, h, (size_t)(colon - h));
	kl.host[colon - h] = '\0';
	ok = !getaddrinfo(kl.host, colon + 1, &hints, &ai) && ai->ai_addrlen <= sizeof(kl.addr);
	if (ok) {
		memcpy(&kl.addr, ai->ai_addr, ai->ai_addrlen);
		kl.addr_len = ai->ai_addrlen;
	}
	if (ai)
		freeaddrinfo(ai);
	return ok ? 0 : -1;
}

static void *key_loop_run(void *arg)
{
	struct key_loop *l = arg;

	if (l->in_flight)
		event_base_dispatch(l->base);
	return NULL;
}

/*
 * The connections spread over g.key_threads loops, one thread each: one
 * loop, on a 2-core machine, often ran on the core of the server that
 * woke it, while the other idled.
 */
static int run_keys(struct worker *w)
{
	int n_loops = g.key_threads < g.conns ? g.key_threads : g.conns;
	struct key_conn *c = calloc((size_t)g.conns, sizeof(*c));
	struct key_loop *l = calloc((size_t)n_loops, sizeof(*l));
	int i, ret = -1;

	if (!c || !l || resolve(g.url)) {
		fprintf(stderr, "platform_load: cannot set up the key load on %s\n", g.url);
		goto out;
	}
	for (i = 0; i < n_loops; i++) {
		l[i].base = event_base_new();
		if (!l[i].base)
			goto out;
	}
	for (i = 0; i < g.conns; i++) {
		c[i].loop = &l[i % n_loops];
		c[i].w = &w[i];
		c[i].a = &g.devices[2 * i];
		c[i].b = &g.devices[2 * i + 1];
		if (skap_dmk_derive(c[i].a->dmk, SKAP_DMK_REQUEST, c[i].a->id, c[i].kreq) ||
		    skap_dmk_derive(c[i].a->dmk, SKAP_DMK_RESPONSE, c[i].a->id, c[i].kresp) ||
		    !(c[i].ctx = device_tls(c[i].a))) {
			fprintf(stderr, "platform_load: cannot set up connection %d\n", i);
			goto out;
		}
	}
	/* Each loop's first requests are queued before its thread runs it. */
	for (i = 0; i < g.conns; i++) {
		if (!key_more(&c[i]))
			continue;
		if (key_connect(&c[i]) || key_send(&c[i])) {
			fprintf(stderr, "platform_load: cannot connect to %s\n", g.url);
			goto out;
		}
	}
	for (i = 1; i < n_loops; i++)
		pthread_create(&l[i].thread, NULL, key_loop_run, &l[i]);
	key_loop_run(&l[0]);
	for (i = 1; i < n_loops; i++)
		pthread_join(l[i].thread, NULL);
	ret = 0;
out:
	for (i = 0; c && i < g.conns; i++) {
		if (c[i].bev)
			bufferevent_free(c[i].bev);
		SSL_CTX_free(c[i].ctx);
		skap_wipe(c[i].kreq, sizeof(c[i].kreq));
		skap_wipe(c[i].kresp, sizeof(c[i].kresp));
	}
	for (i = 0; l && i < n_loops; i++)
		if (l[i].base)
			event_base_free(l[i].base);
	free(c);
	free(l);
	return ret;
}

static int setup_devices(void)
{
	struct skap_https *c = conn_open();
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
		   "                     [-c CONNS] [-t SECONDS | -n COUNT] [-m METHOD] [-T THREADS]\n"
		   "                     enroll|keys\n");
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
		else if (!strcmp(o, "-T") && (g.key_threads = atoi(v)) > 0 && g.key_threads <= 64)
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
		if ((g.count && !w[i].quota) || !strcmp(g.job, "keys"))
			continue;
		pthread_create(&w[i].thread, NULL, enroll_worker, &w[i]);
	}
	if (!strcmp(g.job, "keys") && run_keys(w))
		return 1;
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

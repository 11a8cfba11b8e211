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
 *	TLS as its device, with the next device as peer.
 *
 * It ends with one line: "JOB: N ok, F failed in S s: R/s, p50 X ms, p99 Y ms".
 * bench/platform.sh runs it; tests/net/server_concurrency.sh uses -n.
 */

#include <skap/b64.h>
#include <skap/devmsg.h>
#include <skap/secret.h>

#include <errno.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <time.h>
#include <unistd.h>

#define BODY_MAX (256 * 1024)

struct conn {
	SSL *ssl;
	int fd;
	char rbuf[BODY_MAX];
	size_t rlen;
};

struct device {
	uint8_t seed[32], pub[32], dmk[32];
	char id[SKAP_ID_MAX + 1];
	char *cert;
};

struct worker {
	pthread_t thread;
	int index;
	size_t quota; /* -n: enrollments this worker makes; 0: until the deadline */
	double *lat;  /* milliseconds, one per operation */
	size_t n_lat, cap_lat;
	unsigned long ok, failed;
	char first_error[256];
};

static struct {
	char host[256], port[8];
	const char *ca, *bkey, *job;
	enum skap_enroll_method method;
	int conns;
	double seconds;
	long count;
	SSL_CTX *ctx;
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

/* ---- HTTPS, one keep-alive connection ---- */

static int conn_open(struct conn *c, const struct device *as)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *ai;
	EVP_PKEY *key = NULL;
	X509 *x = NULL;
	BIO *bio;

	memset(c, 0, sizeof(*c));
	c->fd = -1;
	if (getaddrinfo(g.host, g.port, &hints, &ai))
		return -1;
	c->fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (c->fd < 0 || connect(c->fd, ai->ai_addr, ai->ai_addrlen)) {
		freeaddrinfo(ai);
		return -1;
	}
	freeaddrinfo(ai);
	setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &(int){ 1 }, sizeof(int));
	c->ssl = SSL_new(g.ctx);
	if (!c->ssl || !SSL_set_fd(c->ssl, c->fd) || !SSL_set1_host(c->ssl, g.host) ||
	    !SSL_set_tlsext_host_name(c->ssl, g.host))
		return -1;
	if (as && as->cert) {
		key = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, as->seed, 32);
		bio = BIO_new_mem_buf(as->cert, -1);
		x = bio ? PEM_read_bio_X509(bio, NULL, NULL, NULL) : NULL;
		BIO_free(bio);
		if (!key || !x || SSL_use_certificate(c->ssl, x) != 1 ||
		    SSL_use_PrivateKey(c->ssl, key) != 1) {
			X509_free(x);
			EVP_PKEY_free(key);
			return -1;
		}
		X509_free(x);
		EVP_PKEY_free(key);
	}
	return SSL_connect(c->ssl) == 1 ? 0 : -1;
}

static void conn_close(struct conn *c)
{
	if (c->ssl) {
		SSL_shutdown(c->ssl);
		SSL_free(c->ssl);
	}
	if (c->fd >= 0)
		close(c->fd);
	memset(c, 0, sizeof(*c));
	c->fd = -1;
}

/* Reads until the buffer holds a whole response; *BODY and *LEN point into it. */
static int read_response(struct conn *c, int *status, const char **body, size_t *len)
{
	char *end = NULL, *cl;
	size_t head, want;

	for (;;) {
		int n;

		if (!end && (end = memmem(c->rbuf, c->rlen, "\r\n\r\n", 4))) {
			c->rbuf[end - c->rbuf] = '\0';
			cl = strcasestr(c->rbuf, "\r\ncontent-length:");
			if (sscanf(c->rbuf, "HTTP/1.1 %d", status) != 1 || !cl)
				return -1;
			want = strtoul(cl + 17, NULL, 10);
			head = (size_t)(end - c->rbuf) + 4;
			if (want > sizeof(c->rbuf) - head - 1)
				return -1;
		}
		if (end && c->rlen >= head + want) {
			*body = c->rbuf + head;
			*len = want;
			c->rbuf[head + want] = '\0';
			return 0;
		}
		if (c->rlen >= sizeof(c->rbuf) - 1)
			return -1;
		n = SSL_read(c->ssl, c->rbuf + c->rlen, (int)(sizeof(c->rbuf) - 1 - c->rlen));
		if (n <= 0)
			return -1;
		c->rlen += (size_t)n;
	}
}

/* POST BODY to PATH; the answer's status and body (valid until the next call). */
static int post(struct conn *c, const char *path, const char *body, int *status,
		const char **answer, size_t *len)
{
	size_t blen = strlen(body), size = blen + 512;
	char *msg = malloc(size);
	int n = msg ? snprintf(msg, size,
			       "POST %s HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\n"
			       "Content-Length: %zu\r\n\r\n%s",
			       path, g.host, blen, body) :
		      -1;
	int ok;

	/* One write, one TLS record: a request split in two waits for a delayed ACK. */
	c->rlen = 0;
	ok = n > 0 && (size_t)n < size && SSL_write(c->ssl, msg, n) == n;
	if (msg) {
		skap_wipe(msg, size);
		free(msg);
	}
	return ok ? read_response(c, status, answer, len) : -1;
}

/* ---- one device's enrollment ---- */

static int enroll(struct conn *c, struct device *d, char *why, size_t why_size)
{
	static const char *const none[1] = { NULL };
	struct skap_device_report rep = { .hostname = "load.example", .macs = none,
					  .addresses = none };
	struct skap_credential cred = { .bootstrap_key = g.bkey };
	static _Thread_local uint8_t ek[SKAP_XWING_PK_BYTES], ct[SKAP_XWING_CT_BYTES];
	uint8_t dk[32], ss[32], binding[32], k[32], sig[64], token[SKAP_OTA_TOKEN_LEN];
	struct skap_enroll_answer ans;
	size_t token_len, len;
	char *req = NULL, *body = NULL;
	const char *answer;
	int status, ret = -1;

	if (skap_ed25519_keygen(d->seed, d->pub))
		return -1;
	if (g.method == SKAP_ENROLL_OTA_QUANTUM) {
		body = skap_xwing_keygen(dk, ek) ? NULL : skap_devmsg_kem_request(ek);
		if (!body || post(c, "/api/v1/enroll/kem", body, &status, &answer, &len) ||
		    status != 200 ||
		    skap_devmsg_kem_answer(answer, len, ct, token, &token_len) ||
		    skap_xwing_decaps(dk, ct, ss) || skap_ota_transcript(ek, ct, binding) ||
		    skap_ota_derive(ss, binding, k)) {
			snprintf(why, why_size, "kem step: status %d", body ? status : -1);
			goto out;
		}
		skap_devmsg_free(body);
		body = NULL;
	} else if (SSL_export_keying_material(c->ssl, binding, sizeof(binding),
					      SKAP_TLS_EXPORTER_LABEL,
					      strlen(SKAP_TLS_EXPORTER_LABEL), NULL, 0, 0) != 1) {
		snprintf(why, why_size, "TLS exporter");
		goto out;
	}
	req = skap_devmsg_enroll_request(g.method, d->pub, binding, &cred, &rep);
	if (!req || skap_enroll_sign(d->seed, req, strlen(req), sig))
		goto out;
	body = g.method == SKAP_ENROLL_OTA_QUANTUM ?
		       skap_devmsg_enroll_ota_quantum(ek, ct, token, token_len, k, sig, req) :
		       skap_devmsg_enroll_ota_tls(sig, req);
	if (!body || post(c, "/api/v1/enroll", body, &status, &answer, &len) ||
	    (status != 200 && status != 201)) {
		snprintf(why, why_size, "enroll: status %d: %.200s", status, body ? answer : "");
		goto out;
	}
	if (skap_devmsg_enroll_answer(g.method, g.method == SKAP_ENROLL_OTA_TLS ? NULL : k,
				      answer, len, &ans)) {
		snprintf(why, why_size, "enroll: answer does not open");
		goto out;
	}
	memcpy(d->dmk, ans.dmk, 32);
	snprintf(d->id, sizeof(d->id), "%s", ans.device_id);
	skap_wipe(&ans, sizeof(ans));
	ret = 0;
out:
	skap_wipe(dk, sizeof(dk));
	skap_wipe(ss, sizeof(ss));
	skap_wipe(k, sizeof(k));
	skap_devmsg_free(req);
	skap_devmsg_free(body);
	return ret;
}

/* The device's certificate, through the status call. */
static int fetch_certificate(struct conn *c, struct device *d)
{
	uint8_t kreq[32], nonce[SKAP_ENROLL_NONCE_LEN];
	struct skap_status_answer st;
	const char *answer;
	char *body = NULL;
	int status, ret = -1;
	size_t len;

	if (skap_dmk_derive(d->dmk, SKAP_DMK_REQUEST, d->id, kreq) ||
	    skap_random(nonce, sizeof(nonce)))
		return -1;
	body = skap_devmsg_status_request(kreq, d->id, (uint64_t)time(NULL), nonce);
	if (body && !post(c, "/api/v1/device/status", body, &status, &answer, &len) &&
	    status == 200 && !skap_devmsg_status_answer(answer, len, &st)) {
		if (st.certificate) {
			d->cert = st.certificate;
			st.certificate = NULL;
			ret = 0;
		}
		skap_status_answer_free(&st);
	}
	skap_wipe(kreq, sizeof(kreq));
	skap_devmsg_free(body);
	return ret;
}

static int key_request(struct conn *c, const struct device *a, const struct device *b)
{
	uint8_t kreq[32], kresp[32], nonce[SKAP_REQ_NONCE_LEN], ticket[SKAP_TICKET_MAX_LEN];
	struct skap_pair_key pk;
	const char *answer;
	size_t len, tlen;
	char *body;
	int status, ret = -1;

	if (skap_dmk_derive(a->dmk, SKAP_DMK_REQUEST, a->id, kreq) ||
	    skap_dmk_derive(a->dmk, SKAP_DMK_RESPONSE, a->id, kresp) ||
	    skap_random(nonce, sizeof(nonce)))
		return -1;
	body = skap_devmsg_key_request(kreq, a->id, b->id, (uint64_t)time(NULL), nonce);
	if (body && !post(c, "/api/v1/keys", body, &status, &answer, &len) && status == 200 &&
	    !skap_devmsg_key_answer(kresp, a->id, b->id, answer, len, &pk, ticket, &tlen))
		ret = 0;
	skap_wipe(&pk, sizeof(pk));
	skap_wipe(kreq, sizeof(kreq));
	skap_wipe(kresp, sizeof(kresp));
	skap_devmsg_free(body);
	return ret;
}

/* ---- workers ---- */

static void *enroll_worker(void *arg)
{
	struct worker *w = arg;
	char why[256];
	struct conn *c = calloc(1, sizeof(*c));
	struct device d;

	if (!c || conn_open(c, NULL)) {
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
			conn_close(c);
			if (conn_open(c, NULL))
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
	if (c)
		conn_close(c);
	free(c);
	return NULL;
}

static void *keys_worker(void *arg)
{
	struct worker *w = arg;
	const struct device *a = &g.devices[2 * w->index], *b = &g.devices[2 * w->index + 1];
	struct conn *c = calloc(1, sizeof(*c));

	if (!c || conn_open(c, a)) {
		fail(w, "mutual TLS handshake failed");
		goto out;
	}
	while (now_ms() < g.deadline) {
		double t0 = now_ms();

		if (key_request(c, a, b)) {
			fail(w, "key request refused or its answer does not open");
			conn_close(c);
			if (conn_open(c, a))
				break;
			continue;
		}
		record(w, now_ms() - t0);
	}
out:
	if (c)
		conn_close(c);
	free(c);
	return NULL;
}

static int setup_devices(void)
{
	struct conn *c = calloc(1, sizeof(*c));
	char why[256];
	int ret = 0;

	g.devices = calloc(2 * (size_t)g.conns, sizeof(*g.devices));
	if (!c || !g.devices || conn_open(c, NULL)) {
		fprintf(stderr, "platform_load: cannot reach %s:%s\n", g.host, g.port);
		free(c);
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
	conn_close(c);
	free(c);
	return ret;
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

static int parse_url(const char *url)
{
	const char *p = url, *colon;

	if (strncmp(p, "https://", 8))
		return -1;
	p += 8;
	colon = strrchr(p, ':');
	if (!colon || (size_t)(colon - p) >= sizeof(g.host) || strlen(colon + 1) >= sizeof(g.port))
		return -1;
	memcpy(g.host, p, (size_t)(colon - p));
	g.host[colon - p] = '\0';
	snprintf(g.port, sizeof(g.port), "%s", colon + 1);
	g.port[strcspn(g.port, "/")] = '\0';
	return 0;
}

int main(int argc, char **argv)
{
	struct worker *w;
	unsigned long ok = 0, failed = 0;
	double *all, t0, secs;
	size_t n = 0;
	int i;

	for (i = 1; i < argc - 1; i++) {
		const char *o = argv[i], *v = argv[i + 1];

		if (!strcmp(o, "-s") && !parse_url(v))
			i++;
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
	if (i != argc - 1 || !g.host[0] || !g.ca || !g.bkey ||
	    (strcmp(argv[i], "enroll") && strcmp(argv[i], "keys"))) {
		usage(stderr);
		return 2;
	}
	g.job = argv[i];
	g.ctx = SSL_CTX_new(TLS_client_method());
	if (!g.ctx || SSL_CTX_load_verify_locations(g.ctx, g.ca, NULL) != 1) {
		fprintf(stderr, "platform_load: cannot load the CA %s\n", g.ca);
		return 1;
	}
	SSL_CTX_set_verify(g.ctx, SSL_VERIFY_PEER, NULL);
	pthread_mutex_init(&g.print_lock, NULL);
	if (!strcmp(g.job, "keys") && setup_devices())
		return 1;
	w = calloc((size_t)g.conns, sizeof(*w));
	if (!w)
		return 1;
	t0 = now_ms();
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
	all = calloc(n ? n : 1, sizeof(*all));
	n = 0;
	for (i = 0; i < g.conns; i++) {
		if (w[i].first_error[0])
			fprintf(stderr, "platform_load: worker %d: %s\n", i, w[i].first_error);
		if (all)
			memcpy(all + n, w[i].lat, w[i].n_lat * sizeof(*all));
		n += w[i].n_lat;
		free(w[i].lat);
	}
	qsort(all, n, sizeof(*all), cmp_double);
	printf("%s: %lu ok, %lu failed in %.2f s: %.0f/s, p50 %.2f ms, p99 %.2f ms (%d connections, %s)\n",
	       g.job, ok, failed, secs, ok / secs, n ? all[n / 2] : 0.0,
	       n ? all[(size_t)(n * 0.99)] : 0.0, g.conns,
	       !strcmp(g.job, "keys") ? "mutual TLS" : skap_enroll_method_name(g.method));
	free(all);
	free(w);
	SSL_CTX_free(g.ctx);
	return failed ? 1 : 0;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * The device side's HTTPS client (include/skap/https.h): OpenSSL over a
 * blocking socket with timeouts, one request in flight, keep-alive. Answers
 * are read by Content-Length only (skap-server always sends it); anything
 * else is a protocol error, never guessed at.
 */

#include <skap/https.h>

#include <skap/secret.h>

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#define EXPORTER_LABEL "EXPORTER-skap1-enroll"

struct skap_https {
	SSL_CTX *ctx;
	SSL *ssl;
	int fd;
	int timeout_s;
	char host[256];
	char port[8];
	char buf[SKAP_HTTPS_BODY_MAX + 8192];
	size_t len;
};

static void set_msg(char *msg, size_t size, const char *what)
{
	unsigned long e = ERR_get_error();
	char ossl[160] = "";

	if (e)
		ERR_error_string_n(e, ossl, sizeof(ossl));
	if (msg && size)
		snprintf(msg, size, "%s%s%s", what, e ? ": " : "", ossl);
	ERR_clear_error();
}

static int split_url(const char *url, char *host, size_t hsize, char *port, size_t psize)
{
	const char *p, *colon, *end;

	if (!url || strncmp(url, "https://", 8))
		return -EINVAL;
	p = url + 8;
	end = p + strcspn(p, "/");
	if (*p == '[') { /* [v6]:port */
		const char *close = memchr(p, ']', (size_t)(end - p));

		if (!close || close[1] != ':' || (size_t)(close - p - 1) >= hsize)
			return -EINVAL;
		memcpy(host, p + 1, (size_t)(close - p - 1));
		host[close - p - 1] = '\0';
		colon = close + 1;
	} else {
		colon = memchr(p, ':', (size_t)(end - p));
		if (!colon || (size_t)(colon - p) >= hsize || colon == p)
			return -EINVAL;
		memcpy(host, p, (size_t)(colon - p));
		host[colon - p] = '\0';
	}
	if ((size_t)(end - colon - 1) >= psize || end == colon + 1)
		return -EINVAL;
	memcpy(port, colon + 1, (size_t)(end - colon - 1));
	port[end - colon - 1] = '\0';
	return 0;
}

static int connect_to(const char *host, const char *port, int timeout_s)
{
	struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *ai, *a;
	struct timeval tv = {.tv_sec = timeout_s};
	int fd = -1, err;

	err = getaddrinfo(host, port, &hints, &ai);
	if (err)
		return -EHOSTUNREACH;
	err = -ECONNREFUSED;
	for (a = ai; a && fd < 0; a = a->ai_next) {
		fd = socket(a->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd < 0)
			continue;
		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &(int){1}, sizeof(int));
		if (connect(fd, a->ai_addr, a->ai_addrlen)) {
			err = errno == EINPROGRESS ? -ETIMEDOUT : -errno;
			close(fd);
			fd = -1;
		}
	}
	freeaddrinfo(ai);
	return fd >= 0 ? fd : err;
}

/* The device certificate goes on the context: every reconnection presents it. */
static int use_device_cert(SSL_CTX *ctx, const uint8_t *seed, const char *pem)
{
	EVP_PKEY *key = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, seed, 32);
	BIO *bio = BIO_new_mem_buf(pem, -1);
	X509 *x = bio ? PEM_read_bio_X509(bio, NULL, NULL, NULL) : NULL;
	int ok = key && x && SSL_CTX_use_certificate(ctx, x) == 1 &&
		 SSL_CTX_use_PrivateKey(ctx, key) == 1;

	BIO_free(bio);
	X509_free(x);
	EVP_PKEY_free(key);
	return ok ? 0 : -EINVAL;
}

static void drop_connection(struct skap_https *h)
{
	if (h->ssl) {
		SSL_shutdown(h->ssl);
		SSL_free(h->ssl);
		h->ssl = NULL;
	}
	if (h->fd >= 0)
		close(h->fd);
	h->fd = -1;
}

/* TCP, then TLS with H's context: 0, or a negative errno with MSG set. */
static int handshake(struct skap_https *h, char *msg, size_t msg_size)
{
	int fd = connect_to(h->host, h->port, h->timeout_s);

	if (fd < 0) {
		set_msg(msg, msg_size, strerror(-fd));
		return fd;
	}
	h->fd = fd;
	h->ssl = SSL_new(h->ctx);
	if (!h->ssl || !SSL_set_fd(h->ssl, fd) || !SSL_set1_host(h->ssl, h->host) ||
	    (!strchr(h->host, ':') && !SSL_set_tlsext_host_name(h->ssl, h->host))) {
		set_msg(msg, msg_size, "TLS setup failed");
		goto fail;
	}
	if (SSL_connect(h->ssl) != 1) {
		long v = SSL_get_verify_result(h->ssl);

		if (v != X509_V_OK) {
			if (msg && msg_size)
				snprintf(msg, msg_size, "the platform's certificate: %s",
					 X509_verify_cert_error_string(v));
			ERR_clear_error();
		} else {
			set_msg(msg, msg_size, "TLS handshake failed");
		}
		goto fail;
	}
	return 0;
fail:
	drop_connection(h);
	return -EPROTO;
}

int skap_https_open(const struct skap_https_opts *o, struct skap_https **out, char *msg,
		    size_t msg_size)
{
	struct skap_https *h;
	int err;

	*out = NULL;
	if (!o || !o->ca_file || !!o->cert_seed != !!o->cert_pem)
		return -EINVAL;
	h = calloc(1, sizeof(*h));
	if (!h)
		return -ENOMEM;
	h->fd = -1;
	h->timeout_s = o->timeout_s > 0 ? o->timeout_s : 10;
	if (split_url(o->url, h->host, sizeof(h->host), h->port, sizeof(h->port))) {
		set_msg(msg, msg_size, "the URL must be https://HOST:PORT");
		free(h);
		return -EINVAL;
	}
	h->ctx = SSL_CTX_new(TLS_client_method());
	if (!h->ctx || !SSL_CTX_set_min_proto_version(h->ctx, TLS1_2_VERSION) ||
	    SSL_CTX_load_verify_locations(h->ctx, o->ca_file, NULL) != 1) {
		set_msg(msg, msg_size, "cannot load the platform's CA file");
		err = -EINVAL;
		goto fail;
	}
	SSL_CTX_set_verify(h->ctx, SSL_VERIFY_PEER, NULL);
	/* A record in one read, not its header and then its body. */
	SSL_CTX_set_read_ahead(h->ctx, 1);
	if (o->cert_seed && use_device_cert(h->ctx, o->cert_seed, o->cert_pem)) {
		set_msg(msg, msg_size, "the device certificate does not load");
		err = -EINVAL;
		goto fail;
	}
	err = handshake(h, msg, msg_size);
	if (err)
		goto fail;
	*out = h;
	return 0;
fail:
	skap_https_close(h);
	return err;
}

int skap_https_reconnect(struct skap_https *h, char *msg, size_t msg_size)
{
	drop_connection(h);
	return handshake(h, msg, msg_size);
}

int skap_https_fd(const struct skap_https *h)
{
	return h->fd;
}

int skap_https_idle_check(struct skap_https *h)
{
	int n, flags, ssl_err;
	char c;

	if (!h->ssl)
		return -ENOTCONN;
	n = (int)recv(h->fd, &c, 1, MSG_PEEK | MSG_DONTWAIT);
	if (n == 0)
		return -ECONNRESET;
	if (n < 0)
		return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -errno;
	/*
	 * Records wait: TLS 1.3 session tickets after the handshake, or a
	 * close_notify. OpenSSL reads them, without blocking.
	 */
	flags = fcntl(h->fd, F_GETFL);
	if (flags < 0 || fcntl(h->fd, F_SETFL, flags | O_NONBLOCK))
		return -errno;
	n = SSL_read(h->ssl, h->buf, (int)sizeof(h->buf));
	ssl_err = SSL_get_error(h->ssl, n);
	fcntl(h->fd, F_SETFL, flags);
	ERR_clear_error();
	if (n > 0)
		return -EPROTO; /* the server never speaks unasked */
	return ssl_err == SSL_ERROR_WANT_READ ? 0 : -ECONNRESET;
}

void skap_https_close(struct skap_https *h)
{
	if (!h)
		return;
	drop_connection(h);
	SSL_CTX_free(h->ctx);
	skap_wipe(h->buf, sizeof(h->buf)); /* answers carry sealed secrets */
	free(h);
}

/* "HTTP/1.x NNN ..." at the start of LINE (LEN bytes): the status, or -1. */
static int status_code(const char *line, size_t len)
{
	if (len < 12 || memcmp(line, "HTTP/1.", 7) || line[7] < '0' || line[7] > '9' ||
	    line[8] != ' ' || line[9] < '1' || line[9] > '5' || line[10] < '0' ||
	    line[10] > '9' || line[11] < '0' || line[11] > '9' ||
	    (len > 12 && line[12] != ' ' && line[12] != '\r'))
		return -1;
	return (line[9] - '0') * 100 + (line[10] - '0') * 10 + (line[11] - '0');
}

int skap_https_answer_head(const char *buf, size_t len, int *status, size_t *head,
			   size_t *body_len)
{
	static const char cl[] = "content-length:";
	const char *end = memmem(buf, len, "\r\n\r\n", 4), *line, *eol;
	int have_cl = 0;

	if (!end)
		return len > SKAP_HTTPS_HEAD_MAX ? -EPROTO : -EAGAIN;
	*status = status_code(buf, (size_t)(end - buf));
	if (*status < 0)
		return -EPROTO;
	*head = (size_t)(end - buf) + 4;
	for (line = buf; line < end; line = eol + 2) {
		size_t n = 0;
		const char *v;

		eol = memmem(line, (size_t)(end - line) + 2, "\r\n", 2);
		if ((size_t)(eol - line) <= sizeof(cl) - 1 || strncasecmp(line, cl, sizeof(cl) - 1))
			continue;
		for (v = line + sizeof(cl) - 1; v < eol && (*v == ' ' || *v == '\t'); v++)
			;
		if (have_cl++ || v == eol)
			return -EPROTO;
		for (; v < eol && *v >= '0' && *v <= '9'; v++) {
			if (n > SKAP_HTTPS_BODY_MAX)
				return -EMSGSIZE;
			n = n * 10 + (size_t)(*v - '0');
		}
		for (; v < eol && (*v == ' ' || *v == '\t'); v++)
			;
		if (v != eol)
			return -EPROTO;
		*body_len = n;
	}
	if (!have_cl)
		return -EPROTO;
	return *body_len > SKAP_HTTPS_BODY_MAX ? -EMSGSIZE : 0;
}

/* Reads until the buffer holds a whole answer. */
static int read_answer(struct skap_https *h, int *status, const char **body, size_t *len)
{
	size_t head = 0, want = 0;
	int err = -EAGAIN;

	h->len = 0;
	for (;;) {
		int n;

		if (err == -EAGAIN) {
			err = skap_https_answer_head(h->buf, h->len, status, &head, &want);
			if (err && err != -EAGAIN)
				return err;
			if (!err && want > sizeof(h->buf) - head - 1)
				return -EMSGSIZE;
		}
		if (!err && h->len >= head + want) {
			h->buf[head + want] = '\0';
			*body = h->buf + head;
			*len = want;
			return 0;
		}
		if (h->len >= sizeof(h->buf) - 1)
			return -EMSGSIZE;
		n = SSL_read(h->ssl, h->buf + h->len, (int)(sizeof(h->buf) - 1 - h->len));
		if (n <= 0)
			return -ECONNRESET;
		h->len += (size_t)n;
	}
}

int skap_https_post(struct skap_https *h, const char *path, const char *body, int *status,
		    const char **answer, size_t *len)
{
	size_t blen = strlen(body), size = blen + 512;
	char *msg = malloc(size);
	int n, ok;

	if (!h->ssl) {
		free(msg);
		return -ENOTCONN;
	}
	if (!msg)
		return -ENOMEM;
	n = snprintf(msg, size,
		     "POST %s HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\n"
		     "Content-Length: %zu\r\n\r\n%s",
		     path, h->host, blen, body);
	/* One write, one TLS record: a request split in two waits for a delayed ACK. */
	ok = n > 0 && (size_t)n < size && SSL_write(h->ssl, msg, n) == n;
	skap_wipe(msg, size);
	free(msg);
	if (!ok)
		return -ECONNRESET;
	return read_answer(h, status, answer, len);
}

int skap_https_binding(struct skap_https *h, uint8_t out[SKAP_TLS_BINDING_LEN])
{
	if (!h->ssl)
		return -ENOTCONN;
	return SSL_export_keying_material(h->ssl, out, SKAP_TLS_BINDING_LEN, EXPORTER_LABEL,
					  strlen(EXPORTER_LABEL), NULL, 0, 0) == 1
		       ? 0
		       : -EPROTO;
}

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A small blocking HTTPS/1.1 client for the device side of the platform:
 * one keep-alive connection, POST of a JSON body, the answer's status and
 * body. The server's certificate is checked against a CA file and the
 * host name; a device certificate (Ed25519, from its tenant's CA) can be
 * presented for mutual TLS. Used by skapd, the load generator and tests.
 */
#ifndef SKAP_HTTPS_H
#define SKAP_HTTPS_H

#include <stddef.h>
#include <stdint.h>

#define SKAP_HTTPS_BODY_MAX  (256 * 1024)
#define SKAP_HTTPS_HEAD_MAX  (16 * 1024)
#define SKAP_TLS_BINDING_LEN 32

struct skap_https;

struct skap_https_opts {
	const char *url;	  /* https://HOST:PORT */
	const char *ca_file;	  /* PEM; required */
	const uint8_t *cert_seed; /* Ed25519 seed of the device, or NULL */
	const char *cert_pem;	  /* its certificate, or NULL */
	int timeout_s;		  /* connect, send and receive; 0: 10 s */
};

/*
 * Connects and completes the TLS handshake. 0; -EINVAL bad URL or options;
 * -ECONNREFUSED, -ETIMEDOUT, ... from the network; -EPROTO the TLS
 * handshake or the server's certificate failed (MSG tells which, when not
 * NULL, in MSG_SIZE bytes).
 */
int skap_https_open(const struct skap_https_opts *o, struct skap_https **out, char *msg,
		    size_t msg_size);
void skap_https_close(struct skap_https *h);
/*
 * Drops the connection and makes a new one with the same options (the
 * server closed an idle keep-alive connection, or a request failed). The
 * same errors as open; after a failure H stays usable for another try,
 * and a post on it fails with -ENOTCONN.
 */
int skap_https_reconnect(struct skap_https *h, char *msg, size_t msg_size);
/* The socket, for watching whether the server closed it (-1 when none). */
int skap_https_fd(const struct skap_https *h);
/*
 * For an idle connection whose socket became readable: reads what TLS
 * sent on its own (session tickets) without blocking. 0 when the
 * connection is still good; -ECONNRESET when the server closed it;
 * -EPROTO when it sent data nobody asked for.
 */
int skap_https_idle_check(struct skap_https *h);
/*
 * POSTs BODY (JSON) to PATH. 0 and *STATUS, *ANSWER (NUL-terminated, valid
 * until the next call), *LEN; negative errno when the connection failed
 * (the caller may reopen and retry).
 */
int skap_https_post(struct skap_https *h, const char *path, const char *body, int *status,
		    const char **answer, size_t *len);
/*
 * The head of an HTTP/1.1 answer at the start of BUF (LEN bytes, not
 * NUL-terminated), for clients that read it themselves: 0 with *STATUS,
 * *HEAD (its length, the blank line included) and *BODY_LEN (its one
 * Content-Length) once the head is whole; -EAGAIN while it is not; -EPROTO
 * for no status line, no or two Content-Length fields, a bad value, or no
 * end within SKAP_HTTPS_HEAD_MAX bytes; -EMSGSIZE for a body over
 * SKAP_HTTPS_BODY_MAX.
 */
int skap_https_answer_head(const char *buf, size_t len, int *status, size_t *head,
			   size_t *body_len);
/* The RFC 5705 exporter value of OTA_TLS's binding on this connection. */
int skap_https_binding(struct skap_https *h, uint8_t out[SKAP_TLS_BINDING_LEN]);

#endif /* SKAP_HTTPS_H */

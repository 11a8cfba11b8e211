/* SPDX-License-Identifier: GPL-2.0 */
/*
 * skapctl's HTTPS client for the platform's REST API: libevent's evhttp
 * client over bufferevent_openssl, one request at a time, the server's
 * certificate verified against a CA file (or the system store) and its
 * name or address checked.
 */
#ifndef SKAPCTL_CLIENT_H
#define SKAPCTL_CLIENT_H

#include <jansson.h>

struct ctl_conn {
	const char *server;	/* https://HOST:PORT */
	const char *ca;		/* CA file; NULL: the system's store */
	int insecure;		/* no certificate check (development only) */
	const char *token;	/* bearer token or NULL */
	int timeout_s;
};

/*
 * METHOD ("GET", ...) PATH (after /api/v1) with BODY (NULL: none). Returns
 * the HTTP status (>= 100) and *REPLY (parsed JSON or NULL when the answer
 * had no body), or a negative errno when the server could not be reached
 * (with a message on stderr).
 */
int ctl_request(const struct ctl_conn *c, const char *method, const char *path, json_t *body,
		json_t **reply);

#endif /* SKAPCTL_CLIENT_H */

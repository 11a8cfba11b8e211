// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: skap-server's request handlers (srv_api_dispatch,
 * srv_enroll_dispatch, srv_devices_dispatch) on a real store, with any
 * body. Once: a SQLite file in a temporary directory with a tenant, its
 * owner's session (srv_session_new), an auto-accept bootstrap key and a
 * pending device, so that authenticated endpoints and their store calls are
 * reached. Each input is one request without a connection (evhttp then frees
 * it when it is answered; one never answered is a leak, one answered twice
 * a use after free, both findings):
 *
 *   byte 0   the route (ROUTES; the device's own path included)
 *   byte 1   bits 0-1 the method, 2 the owner's token, 3 a Content-Type
 *            other than JSON, 4 a path suffix and 5 a query string, each
 *            taken from the input up to a newline, 6-7 the dispatcher
 *   rest     the body
 *
 * tests/fuzz/seeds/fuzz_server_requests holds a few well-formed requests.
 */

#include "../../userspace/server/server.h"

#include <skap/crypto.h>
#include <skap/log.h>
#include <skap/ratelimit.h>
#include <skap/store.h>

#include <event2/buffer.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *routes[] = {
	"/api/v1/login",
	"/api/v1/logout",
	"/api/v1/tenant",
	"/api/v1/users",
	"/api/v1/users/1",
	"/api/v1/users/2",
	"/api/v1/bootstrap-keys",
	"/api/v1/bootstrap-keys/1",
	"/api/v1/audit",
	"/api/v1/enroll/kem",
	"/api/v1/enroll",
	"/api/v1/device/status",
	"/api/v1/keys",
	"/api/v1/devices",
	"/api/v1/qkeys",
	"/api/v1/qkeys/q1",
	"/api/v1/networks",
	"/api/v1/networks/1",
	"/api/v1/groups",
	"/api/v1/groups/1",
	"/api/v1/groups/2",
	"/api/v1/peerings",
	"/api/v1/peerings/1",
	"/api/v1/nowhere",
	NULL, /* the pending device's path, set once it exists */
};
#define N_ROUTES (sizeof(routes) / sizeof(routes[0]))

static const enum evhttp_cmd_type methods[] = { EVHTTP_REQ_GET, EVHTTP_REQ_POST,
						EVHTTP_REQ_PATCH, EVHTTP_REQ_DELETE };

static struct {
	struct srv srv;
	struct skap_user owner;
	char token[2 * SRV_TOKEN_LEN + 1];
	char device_path[64];
	char dir[32];
} f;

static void cleanup(void)
{
	static const char *const files[] = { "skap.db", "skap.db-wal", "skap.db-shm" };
	char path[64];

	skap_store_close(f.srv.st);
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", f.dir, files[i]);
		unlink(path);
	}
	rmdir(f.dir);
}

/* A pending device, enrolled with the tenant's default (manual) key. */
static int make_device(int64_t tenant)
{
	struct skap_bkey *keys;
	struct skap_enroll_in in = { .method = "ota-quantum", .fingerprint = "SHA256:fuzz",
				     .report = "{\"hostname\":\"fuzz\"}", .source = "fuzz" };
	char key[SKAP_BKEY_STR_SIZE];
	uint8_t pub[32] = { 1, 2, 3 }, dmk[32];
	struct skap_device d;
	size_t n;
	int fresh, err;

	if (skap_bkey_list(f.srv.st, tenant, 0, 1, &keys, &n) || n != 1)
		return -1;
	err = skap_bkey_reveal(f.srv.st, "system", keys[0].id, key);
	free(keys);
	in.public_key = pub;
	in.bootstrap_key = key;
	if (!err)
		err = skap_device_enroll(f.srv.st, &in, NULL, &d, dmk, &fresh);
	skap_wipe(key, sizeof(key));
	skap_wipe(dmk, sizeof(dmk));
	if (err)
		return -1;
	snprintf(f.device_path, sizeof(f.device_path), "/api/v1/devices/%s", d.id);
	return 0;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static const struct skap_store_opts fast = { .argon2_t = 1, .argon2_m_kib = 64 };
	struct skap_bkey k = { .auto_accept = 1 };
	uint8_t master[SKAP_MASTER_KEY_LEN];
	char db[64], key[SKAP_BKEY_STR_SIZE];
	int64_t tenant, owner, expires;

	/* A line per refused request would drown libFuzzer's own output. */
	skap_log_init("fuzz", SKAP_LOG_ERROR);
	snprintf(f.dir, sizeof(f.dir), "/tmp/skap-fuzz-XXXXXX");
	if (!mkdtemp(f.dir) || skap_random(master, sizeof(master)))
		abort();
	snprintf(db, sizeof(db), "%s/skap.db", f.dir);
	if (skap_store_open(db, master, &fast, &f.srv.st) ||
	    skap_tenant_create(f.srv.st, "system", "acme", &tenant) ||
	    skap_user_create(f.srv.st, "system", tenant, "alice", SKAP_ROLE_OWNER,
			     "correct horse", &owner) ||
	    skap_user_get(f.srv.st, owner, &f.owner))
		abort();
	atexit(cleanup);
	k.tenant_id = tenant;
	snprintf(k.name, sizeof(k.name), "auto");
	f.srv.token_ttl = SRV_TOKEN_TTL_DEFAULT;
	f.srv.enroll_rate = 1000000; /* the handlers, not the rate limit */
	f.srv.login_src = skap_ratelimit_new(1000000, 1000000, 1024);
	f.srv.login_acct = skap_ratelimit_new(1000000, 1000000, 1024);
	if (skap_bkey_create(f.srv.st, "system", &k, NULL, key) || make_device(tenant) ||
	    !f.srv.login_src || !f.srv.login_acct || srv_enroll_init(&f.srv) ||
	    srv_session_new(&f.srv, &f.owner, "fuzz", f.token, &expires))
		abort();
	skap_wipe(key, sizeof(key));
	routes[N_ROUTES - 1] = f.device_path;
	return 0;
}

/* The owner's session again when a request ended it (a password change). */
static void keep_session(void)
{
	struct srv_session s;
	struct skap_user u;
	int64_t expires;

	if (!srv_session_find(&f.srv, f.token, &s) || skap_user_get(f.srv.st, f.owner.id, &u) ||
	    u.disabled || u.role != SKAP_ROLE_OWNER)
		return;
	srv_session_new(&f.srv, &u, "fuzz", f.token, &expires);
}

/* The input up to the next newline (consumed), into OUT. */
static void take_line(const uint8_t **p, size_t *left, char *out, size_t size)
{
	const uint8_t *nl = memchr(*p, '\n', *left);
	size_t n = nl ? (size_t)(nl - *p) : *left;

	snprintf(out, size, "%.*s", (int)(n < size ? n : size - 1), (const char *)*p);
	*p += n + (nl != NULL);
	*left -= n + (nl != NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct srv_req r = { .srv = &f.srv };
	struct evkeyvalq query = { 0 };
	char suffix[128] = "", q[256] = "", auth[16 + sizeof(f.token)];
	const uint8_t *p = data + 2;
	size_t left;
	uint8_t flags;

	if (size < 2)
		return 0;
	flags = data[1];
	left = size - 2;
	if (flags & 0x10)
		take_line(&p, &left, suffix, sizeof(suffix));
	if (flags & 0x20)
		take_line(&p, &left, q, sizeof(q));
	keep_session();
	r.req = evhttp_request_new(NULL, NULL);
	if (!r.req)
		return 0;
	r.method = (int)methods[flags & 3];
	r.query = &query;
	snprintf(r.peer, sizeof(r.peer), "192.0.2.%u", data[0]);
	snprintf(r.path, sizeof(r.path), "%s%s", routes[data[0] % N_ROUTES], suffix);
	if (flags & 4) {
		snprintf(auth, sizeof(auth), "Bearer %s", f.token);
		evhttp_add_header(evhttp_request_get_input_headers(r.req), "Authorization", auth);
	}
	evhttp_add_header(evhttp_request_get_input_headers(r.req), "Content-Type",
			  flags & 8 ? "text/plain" : "application/json");
	evbuffer_add(evhttp_request_get_input_buffer(r.req), p, left);
	if (q[0] && evhttp_parse_query_str(q, &query)) {
		srv_error(&r, 400, "bad_query", "the query string is malformed");
	} else {
		switch (flags >> 6) {
		case 1:
			if (!srv_enroll_dispatch(&r))
				srv_error(&r, 404, "not_found", "no such resource");
			break;
		case 2:
			if (!srv_devices_dispatch(&r))
				srv_error(&r, 404, "not_found", "no such resource");
			break;
		default:
			srv_api_dispatch(&r);
		}
	}
	evhttp_clear_headers(&query);
	return 0;
}

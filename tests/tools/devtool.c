// SPDX-License-Identifier: GPL-2.0
/*
 * devtool: one device's steps against a real skap-server, for the tests
 * (tests/net/server_enroll.sh), through libskap's platform client:
 *
 *   devtool -s URL --ca FILE enroll -m METHOD (-k KEY | -u USER -P PWFILE)
 *           [--qkey-id ID --qkey-file F] [--name N] [--mis-sign] [--reuse OLD] STATE
 *   devtool -s URL --ca FILE status STATE
 *   devtool -s URL --ca FILE key STATE PEER-ID [PEER-STATE]
 *   devtool -s URL --ca FILE key-again STATE PEER-ID GATE
 *   devtool -s URL --ca FILE reconnect STATE PEER-ID
 *   devtool -s URL --ca FILE key-replay STATE PEER-ID N
 *
 * STATE is a file this tool writes (id, seed, DMK, in hex; certificate
 * beside it in STATE.crt): test data, not a device's real state. Answers:
 * "device ID STATE" / "state S" (and "config JSON" when the platform sends
 * the group's configuration) / "kid HEX" and, with PEER-STATE, whether
 * the ticket opens with the peer's key (it must) and with the requester's
 * (it must not). A refusal prints "refused: HTTP N CODE: MESSAGE", exit 1.
 * key-again asks twice on one kept-alive connection, the second time once
 * the file GATE exists (a test changes the device in between). reconnect
 * checks skapd's kept connection: a key request, then "idle ok" when the
 * idle connection still reads as open (TLS 1.3 session tickets are not a
 * close); it waits for a line on stdin (the test restarts the server
 * meanwhile), prints "closed" when the idle check sees the server gone,
 * and "kid ..." after a reconnection on the same options. key-replay sends
 * one key request, then the very same body again on each of N new
 * connections (a server with several event loops gets them on different
 * loops), and prints "first HTTP S" then "replay I: HTTP S CODE" for each.
 */

#include <skap/b64.h>
#include <skap/devmsg.h>
#include <skap/file.h>
#include <skap/platform.h>
#include <skap/secret.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

struct dev {
	char id[SKAP_ID_MAX + 1];
	uint8_t seed[32], pub[32], dmk[32];
	char *cert;
};

static void hex(FILE *f, const char *name, const uint8_t *p, size_t n)
{
	fprintf(f, "%s ", name);
	for (size_t i = 0; i < n; i++)
		fprintf(f, "%02x", p[i]);
	fprintf(f, "\n");
}

static int unhex(const char *s, uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (sscanf(s + 2 * i, "%2hhx", &p[i]) != 1)
			return -1;
	return 0;
}

static int save(const char *path, const struct dev *d)
{
	FILE *f = fopen(path, "w");

	if (!f)
		return -1;
	fprintf(f, "id %s\n", d->id);
	hex(f, "seed", d->seed, 32);
	hex(f, "dmk", d->dmk, 32);
	return fclose(f);
}

static int load(const char *path, struct dev *d)
{
	char line[256], crt[4096 + 8];
	FILE *f = fopen(path, "r");
	int got = 0;

	memset(d, 0, sizeof(*d));
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		if (!strncmp(line, "id ", 3))
			got += snprintf(d->id, sizeof(d->id), "%s", line + 3) > 0;
		else if (!strncmp(line, "seed ", 5))
			got += !unhex(line + 5, d->seed, 32);
		else if (!strncmp(line, "dmk ", 4))
			got += !unhex(line + 4, d->dmk, 32);
	}
	fclose(f);
	skap_ed25519_public(d->seed, d->pub);
	snprintf(crt, sizeof(crt), "%s.crt", path);
	f = fopen(crt, "r");
	if (f) {
		d->cert = calloc(1, 8192);
		if (d->cert && !fread(d->cert, 1, 8191, f)) {
			free(d->cert);
			d->cert = NULL;
		}
		fclose(f);
	}
	return got == 3 ? 0 : -1;
}

static int refused(int ret, const struct skap_platform_error *e)
{
	if (ret == -EACCES)
		printf("refused: HTTP %d %s: %s\n", e->status, e->code, e->message);
	else
		printf("failed: %s\n", strerror(-ret));
	return 1;
}

static int read_line_file(const char *path, char *out, size_t size)
{
	FILE *f = fopen(path, "r");

	if (!f || !fgets(out, (int)size, f)) {
		if (f)
			fclose(f);
		return -1;
	}
	fclose(f);
	out[strcspn(out, "\n")] = '\0';
	return 0;
}

static int cmd_enroll(struct skap_https *h, int argc, char **argv)
{
	static const char *const macs[] = { "02:00:00:00:00:01" };
	static const char *const addrs[] = { "192.0.2.1" };
	struct skap_device_report rep = { .hostname = "devtool.example", .macs = macs,
					  .n_macs = 1, .addresses = addrs, .n_addresses = 1 };
	struct skap_enroll_params p = { .report = &rep };
	char pw[300] = "", qtext[64];
	uint8_t qkey[32], other_seed[32], other_pub[32];
	struct skap_ed25519_signer *signer;
	struct skap_platform_error e;
	struct skap_enroll_answer ans;
	const char *state = NULL;
	int mis_sign = 0, reuse = 0, ret;
	struct dev d = { 0 };

	for (int i = 1; i < argc; i++) {
		const char *o = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(o, "-m") && v && !skap_enroll_method_parse(v, &p.method))
			i++;
		else if (!strcmp(o, "-k") && v)
			p.cred.bootstrap_key = argv[++i];
		else if (!strcmp(o, "-u") && v)
			p.cred.user = argv[++i];
		else if (!strcmp(o, "-P") && v && !read_line_file(v, pw, sizeof(pw)) && ++i)
			p.cred.password = pw;
		else if (!strcmp(o, "--qkey-id") && v)
			p.qkey_id = argv[++i];
		else if (!strcmp(o, "--qkey-file") && v && !read_line_file(v, qtext, sizeof(qtext)) &&
			 !skap_b64_decode_exact(qtext, qkey, sizeof(qkey)) && ++i)
			p.qkey = qkey;
		else if (!strcmp(o, "--name") && v)
			rep.name = argv[++i];
		else if (!strcmp(o, "--mis-sign"))
			mis_sign = 1;
		else if (!strcmp(o, "--reuse") && v && !load(argv[++i], &d))
			reuse = 1;
		else if (!state && o[0] != '-')
			state = o;
		else
			return fprintf(stderr, "devtool enroll: bad argument %s\n", o), 2;
	}
	/* --reuse STATE: the identity of an enrolled device again (a clone). */
	free(d.cert);
	d.cert = NULL;
	if (!state || (!reuse && skap_ed25519_keygen(d.seed, d.pub)) ||
	    skap_ed25519_keygen(other_seed, other_pub))
		return 2;
	/* --mis-sign: the request carries one key and is signed by another. */
	if (skap_ed25519_signer_new(mis_sign ? other_seed : d.seed, NULL, &signer))
		return 2;
	ret = skap_platform_enroll(h, &p, signer, d.pub, &ans, &e);
	skap_ed25519_signer_free(signer);
	if (ret)
		return refused(ret, &e);
	snprintf(d.id, sizeof(d.id), "%s", ans.device_id);
	memcpy(d.dmk, ans.dmk, 32);
	printf("device %s %s%s\n", ans.device_id, ans.state,
	       ans.development ? " (development only)" : "");
	skap_wipe(&ans, sizeof(ans));
	return save(state, &d) ? 1 : 0;
}

static int cmd_status(struct skap_https *h, const char *state)
{
	struct skap_platform_error e;
	struct skap_status_answer st;
	char crt[4200];
	struct dev d;
	int ret;

	if (load(state, &d))
		return 2;
	ret = skap_platform_status(h, d.id, d.dmk, &st, &e);
	if (ret) {
		free(d.cert);
		return refused(ret, &e);
	}
	printf("state %s%s%s\ncertificate %s\n", st.state, st.reason[0] ? " " : "", st.reason,
	       st.certificate ? "yes" : "no");
	if (st.config)
		printf("config %s\n", st.config);
	if (st.certificate) {
		snprintf(crt, sizeof(crt), "%s.crt", state);
		skap_file_write_atomic(crt, st.certificate, strlen(st.certificate), 0644);
	}
	skap_status_answer_free(&st);
	free(d.cert);
	return 0;
}

static int cmd_key(const char *url, const char *ca, int argc, char **argv)
{
	uint8_t ticket[SKAP_TICKET_MAX_LEN], kt[32];
	struct skap_https_opts o = { .url = url, .ca_file = ca };
	struct skap_platform_error e;
	struct skap_pair_key pk;
	struct skap_ticket t;
	struct skap_https *h;
	struct dev a, b = { 0 };
	char msg[256];
	size_t tlen;
	int ret;

	if (argc < 3 || load(argv[1], &a))
		return 2;
	o.cert_seed = a.cert ? a.seed : NULL;
	o.cert_pem = a.cert;
	ret = skap_https_open(&o, &h, msg, sizeof(msg));
	if (ret) {
		free(a.cert);
		return printf("failed: %s\n", msg), 1;
	}
	ret = skap_platform_key(h, a.id, a.dmk, argv[2], &pk, ticket, &tlen, &e);
	skap_https_close(h);
	if (ret) {
		free(a.cert);
		return refused(ret, &e);
	}
	printf("kid ");
	for (int i = 0; i < SKAP_KID_LEN; i++)
		printf("%02x", pk.kid[i]);
	printf("\n");
	if (argc >= 4 && !load(argv[3], &b)) {
		skap_dmk_derive(b.dmk, SKAP_DMK_TICKET, b.id, kt);
		ret = skap_ticket_open(kt, b.id, ticket, tlen, (uint64_t)time(NULL), &t);
		printf("ticket %s with the peer's key\n",
		       !ret && !memcmp(t.key, pk.key, 32) && !strcmp(t.initiator, a.id) ? "opens" :
											    "does not open");
		skap_dmk_derive(a.dmk, SKAP_DMK_TICKET, b.id, kt);
		ret = skap_ticket_open(kt, b.id, ticket, tlen, (uint64_t)time(NULL), &t);
		printf("ticket %s with the requester's key\n", ret ? "does not open" : "opens");
	}
	skap_wipe(&pk, sizeof(pk));
	free(a.cert);
	free(b.cert);
	return 0;
}

/* One key request on H as A: "kid HEX" or the refusal. */
static int key_once(struct skap_https *h, const struct dev *a, const char *peer)
{
	uint8_t ticket[SKAP_TICKET_MAX_LEN];
	struct skap_platform_error e;
	struct skap_pair_key pk;
	size_t tlen;
	int ret = skap_platform_key(h, a->id, a->dmk, peer, &pk, ticket, &tlen, &e);

	if (ret)
		return refused(ret, &e);
	printf("kid ");
	for (int i = 0; i < SKAP_KID_LEN; i++)
		printf("%02x", pk.kid[i]);
	printf("\n");
	fflush(stdout);
	skap_wipe(&pk, sizeof(pk));
	return 0;
}

static int cmd_key_again(const char *url, const char *ca, int argc, char **argv)
{
	struct skap_https_opts o = { .url = url, .ca_file = ca };
	struct skap_https *h;
	struct dev a;
	char msg[256];
	int ret, i;

	if (argc != 4 || load(argv[1], &a))
		return 2;
	o.cert_seed = a.cert ? a.seed : NULL;
	o.cert_pem = a.cert;
	ret = skap_https_open(&o, &h, msg, sizeof(msg));
	if (ret) {
		free(a.cert);
		return printf("failed: %s\n", msg), 1;
	}
	ret = key_once(h, &a, argv[2]);
	for (i = 0; !ret && i < 600 && access(argv[3], F_OK); i++)
		usleep(50 * 1000);
	if (!ret)
		ret = key_once(h, &a, argv[2]);
	skap_https_close(h);
	free(a.cert);
	return ret;
}

static int cmd_reconnect(const char *url, const char *ca, int argc, char **argv)
{
	struct skap_https_opts o = { .url = url, .ca_file = ca };
	struct skap_https *h;
	struct dev a;
	char msg[256], line[16];
	int ret;

	if (argc < 3 || load(argv[1], &a) || !a.cert)
		return 2;
	o.cert_seed = a.seed;
	o.cert_pem = a.cert;
	ret = skap_https_open(&o, &h, msg, sizeof(msg));
	if (ret) {
		free(a.cert);
		return printf("failed: %s\n", msg), 1;
	}
	ret = key_once(h, &a, argv[2]);
	/* The tickets the server sent after the handshake have arrived by now. */
	usleep(200000);
	if (!ret)
		printf("idle %s\n", skap_https_idle_check(h) ? "closed too early" : "ok");
	fflush(stdout);
	if (!ret && fgets(line, sizeof(line), stdin)) {
		for (int i = 0; i < 50 && !(ret = skap_https_idle_check(h)); i++)
			usleep(100000);
		printf("%s\n", ret == -ECONNRESET ? "closed" : "not seen closed");
		ret = skap_https_reconnect(h, msg, sizeof(msg));
		if (ret)
			printf("failed: %s\n", msg);
		else
			ret = key_once(h, &a, argv[2]);
	}
	skap_https_close(h);
	free(a.cert);
	return ret ? 1 : 0;
}

/* BODY posted to /api/v1/keys on a new connection as A: the HTTP status, and the error code in
 * CODE. */
static int post_keys(struct skap_https_opts *o, const char *body, char *code, size_t size)
{
	struct skap_https *h;
	const char *answer, *c;
	char msg[256];
	size_t len;
	int status;

	snprintf(code, size, "-");
	if (skap_https_open(o, &h, msg, sizeof(msg)))
		return -1;
	if (skap_https_post(h, "/api/v1/keys", body, &status, &answer, &len))
		status = -1;
	c = status > 0 ? strstr(answer, "\"code\":\"") : NULL;
	if (c)
		snprintf(code, size, "%.*s", (int)strcspn(c + 8, "\""), c + 8);
	skap_https_close(h);
	return status;
}

static int cmd_key_replay(const char *url, const char *ca, int argc, char **argv)
{
	struct skap_https_opts o = {.url = url, .ca_file = ca};
	uint8_t kreq[32], nonce[SKAP_REQ_NONCE_LEN];
	char code[64], *body;
	int n, status;

	if (argc != 4 || (n = atoi(argv[3])) < 1)
		return 2;
	{
		struct dev a;

		if (load(argv[1], &a) || !a.cert)
			return 2;
		o.cert_seed = a.seed;
		o.cert_pem = a.cert;
		if (skap_dmk_derive(a.dmk, SKAP_DMK_REQUEST, a.id, kreq) ||
		    skap_random(nonce, sizeof(nonce)))
			return 1;
		body = skap_devmsg_key_request(kreq, a.id, argv[2], (uint64_t)time(NULL), nonce);
		skap_wipe(kreq, sizeof(kreq));
		if (!body)
			return 1;
		status = post_keys(&o, body, code, sizeof(code));
		printf("first HTTP %d\n", status);
		for (int i = 1; i <= n; i++) {
			status = post_keys(&o, body, code, sizeof(code));
			printf("replay %d: HTTP %d %s\n", i, status, code);
		}
		skap_devmsg_free(body);
		free(a.cert);
	}
	return 0;
}

int main(int argc, char **argv)
{
	const char *url = NULL, *ca = NULL;
	struct skap_https_opts o = { 0 };
	struct skap_https *h;
	char msg[256];
	int i, ret;

	for (i = 1; i + 1 < argc && argv[i][0] == '-'; i += 2) {
		if (!strcmp(argv[i], "-s"))
			url = argv[i + 1];
		else if (!strcmp(argv[i], "--ca"))
			ca = argv[i + 1];
		else
			break;
	}
	if (!url || !ca || i >= argc) {
		fprintf(stderr, "usage: devtool -s URL --ca FILE "
				"enroll|status|key|key-again|key-replay|reconnect ...\n");
		return 2;
	}
	if (!strcmp(argv[i], "key"))
		return cmd_key(url, ca, argc - i, argv + i);
	if (!strcmp(argv[i], "reconnect"))
		return cmd_reconnect(url, ca, argc - i, argv + i);
	if (!strcmp(argv[i], "key-replay"))
		return cmd_key_replay(url, ca, argc - i, argv + i);
	if (!strcmp(argv[i], "key-again"))
		return cmd_key_again(url, ca, argc - i, argv + i);
	o.url = url;
	o.ca_file = ca;
	ret = skap_https_open(&o, &h, msg, sizeof(msg));
	if (ret) {
		printf("failed: %s\n", msg);
		return 1;
	}
	if (!strcmp(argv[i], "enroll"))
		ret = cmd_enroll(h, argc - i, argv + i);
	else if (!strcmp(argv[i], "status") && i + 2 == argc)
		ret = cmd_status(h, argv[i + 1]);
	else
		ret = 2;
	skap_https_close(h);
	return ret;
}

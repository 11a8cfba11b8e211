// SPDX-License-Identifier: GPL-2.0
/*
 * ctlsock: what the VM tests need to probe skapd's control socket beyond
 * what skapctl sends, and to read JSON where there is no jq:
 *
 *   ctlsock send [--uid N] [--gid N] [--hold | --hang-up] SOCKET
 *       connects (after dropping to N's credentials: the daemon must refuse
 *       by SO_PEERCRED whatever the file's mode), sends stdin unchanged,
 *       then (unless --hold) ends its side; prints what the daemon answers
 *       until it closes, or (--hang-up) closes at once without reading.
 *       Exit 0 when connected, 3 when not (the errno on stderr).
 *   ctlsock json [STEP...]
 *       reads one JSON value on stdin (exit 1 if it is not one) and walks
 *       STEPs: a member name, an array index, KEY=VALUE (the first array
 *       element whose member KEY is the string VALUE) or '#' (an array's
 *       length). Prints a string bare, anything else as JSON; exit 1 when
 *       a step finds nothing.
 */

#include <errno.h>
#include <grp.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static int usage(void)
{
	fprintf(stderr, "usage: ctlsock send [--uid N] [--gid N] [--hold | --hang-up] SOCKET\n"
			"       ctlsock json [STEP...]\n");
	return 2;
}

static int drop_to(long uid, long gid)
{
	gid_t g = (gid_t)(gid >= 0 ? gid : uid);

	if (uid < 0)
		return 0;
	if (setgroups(0, NULL) || setgid(g) || setuid((uid_t)uid)) {
		perror("ctlsock: dropping privileges");
		return -1;
	}
	return 0;
}

static void copy_stdin(int fd)
{
	char buf[4096];
	ssize_t n;

	while ((n = read(STDIN_FILENO, buf, sizeof(buf))) > 0)
		if (send(fd, buf, (size_t)n, MSG_NOSIGNAL) != n)
			return;
}

static void print_answer(int fd)
{
	char buf[4096];
	ssize_t n;

	while ((n = read(fd, buf, sizeof(buf))) > 0)
		fwrite(buf, 1, (size_t)n, stdout);
}

static int cmd_send(int argc, char **argv)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	long uid = -1, gid = -1;
	int hold = 0, hang_up = 0, i, fd;

	for (i = 0; i < argc - 1; i++) {
		if (!strcmp(argv[i], "--uid") && i + 2 < argc)
			uid = strtol(argv[++i], NULL, 10);
		else if (!strcmp(argv[i], "--gid") && i + 2 < argc)
			gid = strtol(argv[++i], NULL, 10);
		else if (!strcmp(argv[i], "--hold"))
			hold = 1;
		else if (!strcmp(argv[i], "--hang-up"))
			hang_up = 1;
		else
			return usage();
	}
	if (i != argc - 1 || strlen(argv[i]) >= sizeof(sa.sun_path))
		return usage();
	strcpy(sa.sun_path, argv[i]);
	if (drop_to(uid, gid))
		return 1;
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		fprintf(stderr, "ctlsock: %s: %s\n", sa.sun_path, strerror(errno));
		return 3;
	}
	copy_stdin(fd);
	if (!hold)
		shutdown(fd, SHUT_WR);
	if (!hang_up)
		print_answer(fd);
	close(fd);
	return 0;
}

static json_t *find_in(json_t *a, const char *step)
{
	const char *eq = strchr(step, '=');
	size_t i, klen = eq ? (size_t)(eq - step) : 0;
	char key[128];
	json_t *e;

	if (!eq || klen >= sizeof(key))
		return NULL;
	memcpy(key, step, klen);
	key[klen] = 0;
	json_array_foreach(a, i, e)
	{
		const char *v = json_string_value(json_object_get(e, key));

		if (v && !strcmp(v, eq + 1))
			return e;
	}
	return NULL;
}

static json_t *step_into(json_t *v, const char *step, json_t **owned)
{
	char *end;
	long idx;

	if (json_is_object(v))
		return json_object_get(v, step);
	if (!json_is_array(v))
		return NULL;
	if (!strcmp(step, "#")) {
		*owned = json_integer((json_int_t)json_array_size(v));
		return *owned;
	}
	idx = strtol(step, &end, 10);
	if (*step && !*end)
		return idx >= 0 ? json_array_get(v, (size_t)idx) : NULL;
	return find_in(v, step);
}

static int cmd_json(int argc, char **argv)
{
	json_error_t e;
	json_t *root = json_loadf(stdin, JSON_DECODE_ANY, &e), *v = root, *owned = NULL;
	char *text;

	if (!root) {
		fprintf(stderr, "ctlsock: not JSON: %s (line %d)\n", e.text, e.line);
		return 1;
	}
	for (int i = 0; i < argc && v; i++)
		v = step_into(v, argv[i], &owned);
	if (!v) {
		fprintf(stderr, "ctlsock: nothing at that path\n");
		json_decref(root);
		return 1;
	}
	if (json_is_string(v)) {
		printf("%s\n", json_string_value(v));
	} else {
		text = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
		printf("%s\n", text ? text : "");
		free(text);
	}
	json_decref(owned);
	json_decref(root);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 2 && !strcmp(argv[1], "send"))
		return cmd_send(argc - 2, argv + 2);
	if (argc >= 2 && !strcmp(argv[1], "json"))
		return cmd_json(argc - 2, argv + 2);
	return usage();
}

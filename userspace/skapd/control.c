// SPDX-License-Identifier: GPL-2.0
/*
 * skapd's control socket (control.h): the socket, who may use it, and the
 * framing. What the answers say is view.c's and daemon.c's business.
 *
 * The file's mode keeps strangers out, and SO_PEERCRED keeps them out again
 * when an administrator loosened the mode: the socket tells state that is
 * for the gateway's administrators only (key ids, peers, addresses).
 */

#include "control.h"

#include <skap/config.h>
#include <skap/log.h>

#include <errno.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

/* Supplementary groups looked at for a client (SO_PEERGROUPS). */
#define PEER_GROUPS_MAX 64

struct client {
	struct skapd_control *c;
	struct bufferevent *bev;
	bool answered;
	struct client *prev, *next;
};

struct skapd_control {
	struct event_base *base;
	char path[SKAP_CONTROL_PATH_MAX + 1];
	int fd;
	gid_t group;
	struct event *ev;
	skapd_control_fn fn;
	void *arg;
	struct client *clients;
	unsigned int n_clients;
};

static json_t *error_answer(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static json_t *error_answer(const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return json_pack("{s:b,s:s}", "ok", 0, "error", msg);
}

/* One line of JSON (jansson escapes every newline inside strings). */
static char *encode(json_t *answer)
{
	char *text = answer ? json_dumps(answer, JSON_COMPACT) : NULL;
	char *line = text ? realloc(text, strlen(text) + 2) : NULL;

	json_decref(answer);
	if (!line) {
		free(text);
		return NULL;
	}
	strcat(line, "\n");
	return line;
}

/* ---- who may ask ---- */

static bool in_group(int fd, gid_t group)
{
	gid_t groups[PEER_GROUPS_MAX];
	socklen_t len = sizeof(groups);

	if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, groups, &len))
		return false;
	for (size_t i = 0; i < len / sizeof(groups[0]); i++)
		if (groups[i] == group)
			return true;
	return false;
}

static bool allowed(int fd, gid_t group, struct ucred *cr)
{
	socklen_t len = sizeof(*cr);

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, cr, &len))
		return false;
	return cr->uid == 0 || cr->gid == group || in_group(fd, group);
}

/* An answer to a client we do not serve: one try, never blocking the loop. */
static void refuse(int fd, json_t *answer)
{
	char *line = encode(answer);

	if (line && send(fd, line, strlen(line), MSG_DONTWAIT | MSG_NOSIGNAL) < 0)
		log_debug("control: answering a refused client: %s", strerror(errno));
	free(line);
	close(fd);
}

/* ---- one client ---- */

static void client_free(struct client *cl)
{
	struct skapd_control *c = cl->c;

	if (cl->prev)
		cl->prev->next = cl->next;
	else
		c->clients = cl->next;
	if (cl->next)
		cl->next->prev = cl->prev;
	c->n_clients--;
	bufferevent_free(cl->bev);
	free(cl);
}

static void on_written(struct bufferevent *bev, void *arg)
{
	(void)bev;
	client_free(arg);
}

static void on_event(struct bufferevent *bev, short what, void *arg);

static void answer(struct client *cl, json_t *ans)
{
	char *line = encode(ans);

	cl->answered = true;
	bufferevent_disable(cl->bev, EV_READ);
	if (!line || bufferevent_write(cl->bev, line, strlen(line))) {
		free(line);
		client_free(cl);
		return;
	}
	free(line);
	/* Once the answer has left the connection ends; on_event frees it on an error too. */
	bufferevent_setcb(cl->bev, NULL, on_written, on_event, cl);
}

static json_t *run(struct skapd_control *c, const char *line, size_t len)
{
	json_error_t e;
	json_t *req = json_loadb(line, len, JSON_REJECT_DUPLICATES, &e), *ans, *v;
	const char *key, *cmd;

	if (!req)
		return error_answer("the request is not JSON: %s (column %d)", e.text, e.column);
	if (!json_is_object(req)) {
		json_decref(req);
		return error_answer("the request is not a JSON object");
	}
	json_object_foreach(req, key, v)
	{
		if (strcmp(key, "command")) {
			ans = error_answer(
				"unknown member \"%.64s\" (a request has \"command\" only)", key);
			json_decref(req);
			return ans;
		}
	}
	cmd = json_string_value(json_object_get(req, "command"));
	if (!cmd) {
		json_decref(req);
		return error_answer("the request has no \"command\" string");
	}
	ans = c->fn(c->arg, cmd);
	if (!ans)
		ans = error_answer("unknown command \"%.64s\" (status, links, sas, keys, reload)",
				   cmd);
	else if (!json_object_get(ans, "ok"))
		json_object_set_new(ans, "ok", json_true());
	json_decref(req);
	return ans;
}

static void handle(struct client *cl, const char *line, size_t len)
{
	if (len && line[len - 1] == '\r')
		len--;
	answer(cl, run(cl->c, line, len));
}

static void on_read(struct bufferevent *bev, void *arg)
{
	struct client *cl = arg;
	struct evbuffer *in = bufferevent_get_input(bev);
	size_t len;
	char *line;

	if (cl->answered)
		return;
	line = evbuffer_readln(in, &len, EVBUFFER_EOL_LF);
	if (line) {
		if (len > SKAPD_CONTROL_REQUEST_MAX)
			answer(cl, error_answer("the request is longer than %d bytes",
						SKAPD_CONTROL_REQUEST_MAX));
		else
			handle(cl, line, len);
		free(line);
	} else if (evbuffer_get_length(in) > SKAPD_CONTROL_REQUEST_MAX) {
		answer(cl, error_answer("the request is longer than %d bytes",
					SKAPD_CONTROL_REQUEST_MAX));
	}
}

/* The end of the input ends the request too: "printf '{...}' | nc -U" works. */
static void on_event(struct bufferevent *bev, short what, void *arg)
{
	struct client *cl = arg;
	struct evbuffer *in = bufferevent_get_input(bev);
	size_t len = evbuffer_get_length(in);

	if (!cl->answered && (what & BEV_EVENT_EOF) && len && len <= SKAPD_CONTROL_REQUEST_MAX) {
		char *line = malloc(len);

		if (line && evbuffer_remove(in, line, len) == (int)len) {
			handle(cl, line, len);
			free(line);
			return;
		}
		free(line);
	}
	if (!cl->answered && (what & BEV_EVENT_TIMEOUT) && (what & BEV_EVENT_READING)) {
		answer(cl,
		       error_answer("no complete request within %d s", SKAPD_CONTROL_TIMEOUT_S));
		return;
	}
	client_free(cl);
}

static void serve(struct skapd_control *c, int fd)
{
	const struct timeval tv = {.tv_sec = SKAPD_CONTROL_TIMEOUT_S};
	struct client *cl = calloc(1, sizeof(*cl));

	if (!cl || !(cl->bev = bufferevent_socket_new(c->base, fd, BEV_OPT_CLOSE_ON_FREE))) {
		free(cl);
		close(fd);
		return;
	}
	cl->c = c;
	cl->next = c->clients;
	if (c->clients)
		c->clients->prev = cl;
	c->clients = cl;
	c->n_clients++;
	/* Read no more than a request can be: a flood stays in the kernel's buffer. */
	bufferevent_setwatermark(cl->bev, EV_READ, 0, SKAPD_CONTROL_REQUEST_MAX + 1);
	bufferevent_set_timeouts(cl->bev, &tv, &tv);
	bufferevent_setcb(cl->bev, on_read, NULL, on_event, cl);
	bufferevent_enable(cl->bev, EV_READ);
}

static void on_accept(evutil_socket_t lfd, short what, void *arg)
{
	struct skapd_control *c = arg;
	struct ucred cr = {0};
	int fd;

	(void)what;
	while ((fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
		if (!allowed(fd, c->group, &cr)) {
			log_warn("control: refused a client (pid %d, uid %u, gid %u): not root nor "
				 "in "
				 "group %u",
				 (int)cr.pid, (unsigned)cr.uid, (unsigned)cr.gid,
				 (unsigned)c->group);
			refuse(fd, error_answer("permission denied: only root or group %u may use "
						"skapd's control socket",
						(unsigned)c->group));
		} else if (c->n_clients >= SKAPD_CONTROL_CLIENTS) {
			refuse(fd, error_answer("busy: %d clients already; try again",
						SKAPD_CONTROL_CLIENTS));
		} else {
			serve(c, fd);
		}
	}
	if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
		log_warn("control: accept: %s", strerror(errno));
}

/* ---- the socket file ---- */

/*
 * The directory is made 0750 when missing. An existing one must be root's
 * and writable by root alone: whoever could write it could put a socket of
 * their own in our place.
 */
static int prepare_dir(const char *path, gid_t *group)
{
	char dir[SKAP_CONTROL_PATH_MAX + 1];
	char *slash;
	struct stat st;

	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (slash == dir)
		slash[1] = 0;
	else
		*slash = 0;
	if (mkdir(dir, 0750) && errno != EEXIST) {
		log_error("control: cannot create %s: %s", dir, strerror(errno));
		return -errno;
	}
	if (lstat(dir, &st) || !S_ISDIR(st.st_mode)) {
		log_error("control: %s is not a directory", dir);
		return -ENOTDIR;
	}
	if (st.st_uid != geteuid() || (st.st_mode & (S_IWGRP | S_IWOTH))) {
		log_error("control: %s must belong to uid %u and be writable by it alone (it is "
			  "uid %u, mode %03o)",
			  dir, (unsigned)geteuid(), (unsigned)st.st_uid,
			  (unsigned)(st.st_mode & 0777));
		return -EPERM;
	}
	*group = st.st_gid;
	return 0;
}

/* A socket left by a skapd that died is removed; a live one is not ours to take. */
static int clear_stale(const struct sockaddr_un *sa)
{
	struct stat st;
	int fd, ret;

	if (lstat(sa->sun_path, &st))
		return errno == ENOENT ? 0 : -errno;
	if (!S_ISSOCK(st.st_mode)) {
		log_error("control: %s exists and is not a socket; not touching it", sa->sun_path);
		return -EEXIST;
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	ret = connect(fd, (const struct sockaddr *)sa, sizeof(*sa));
	close(fd);
	if (!ret) {
		log_error("control: another process answers on %s (a second skapd?)", sa->sun_path);
		return -EADDRINUSE;
	}
	return unlink(sa->sun_path) ? -errno : 0;
}

static int bind_socket(struct skapd_control *c)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int ret;

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", c->path);
	ret = clear_stale(&sa);
	if (ret)
		return ret;
	c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (c->fd < 0)
		return -errno;
	if (bind(c->fd, (struct sockaddr *)&sa, sizeof(sa))) {
		ret = -errno;
		log_error("control: binding %s: %s", c->path, strerror(-ret));
		close(c->fd);
		c->fd = -1;
		return ret;
	}
	/* The directory is root's: nobody else reaches the file between bind and chmod. */
	if (chown(c->path, (uid_t)-1, c->group) || chmod(c->path, 0660) || listen(c->fd, 16)) {
		ret = -errno;
		log_error("control: %s: %s", c->path, strerror(-ret));
		unlink(c->path);
		close(c->fd);
		c->fd = -1;
		return ret;
	}
	return 0;
}

int skapd_control_open(struct skapd_control **out, struct event_base *base, const char *path,
		       skapd_control_fn fn, void *arg)
{
	struct skapd_control *c = calloc(1, sizeof(*c));
	int ret;

	*out = NULL;
	if (!c)
		return -ENOMEM;
	c->base = base;
	c->fd = -1;
	c->fn = fn;
	c->arg = arg;
	snprintf(c->path, sizeof(c->path), "%s", path);
	ret = prepare_dir(path, &c->group);
	if (!ret)
		ret = bind_socket(c);
	if (!ret) {
		c->ev = event_new(base, c->fd, EV_READ | EV_PERSIST, on_accept, c);
		ret = c->ev && !event_add(c->ev, NULL) ? 0 : -ENOMEM;
	}
	if (ret) {
		if (c->fd >= 0) {
			close(c->fd);
			unlink(c->path);
		}
		if (c->ev)
			event_free(c->ev);
		free(c);
		return ret;
	}
	log_info("control socket %s (root and group %u)", path, (unsigned)c->group);
	*out = c;
	return 0;
}

void skapd_control_close(struct skapd_control *c)
{
	if (!c)
		return;
	while (c->clients)
		client_free(c->clients);
	if (c->ev)
		event_free(c->ev);
	if (c->fd >= 0) {
		close(c->fd);
		unlink(c->path);
	}
	free(c);
}

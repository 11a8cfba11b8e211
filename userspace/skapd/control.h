/* SPDX-License-Identifier: GPL-2.0 */
/*
 * skapd's control socket: a unix stream socket served on the daemon's
 * event loop. One request per connection, one line of JSON each way:
 *
 *   -> {"command": "status"}
 *   <- {"ok": true, ...}          or   {"ok": false, "error": "..."}
 *
 * Only root or a member of the socket's group may use it (checked with
 * SO_PEERCRED, whatever the file's mode); a request is at most
 * SKAPD_CONTROL_REQUEST_MAX bytes and must arrive within
 * SKAPD_CONTROL_TIMEOUT_S; at most SKAPD_CONTROL_CLIENTS are served at once.
 */
#ifndef SKAPD_CONTROL_H
#define SKAPD_CONTROL_H

#include <jansson.h>

#define SKAPD_CONTROL_REQUEST_MAX 4096
#define SKAPD_CONTROL_TIMEOUT_S	  5
#define SKAPD_CONTROL_CLIENTS	  4

struct event_base;
struct skapd_control;

/*
 * Answers COMMAND with a new JSON object (an "ok" member is added when it
 * has none), or NULL when there is no such command.
 */
typedef json_t *(*skapd_control_fn)(void *arg, const char *command);

/*
 * Creates PATH's directory (0750, root's) when missing, binds PATH (0660,
 * the directory's group) and serves it on BASE. Refuses (-EADDRINUSE) when
 * another process answers on PATH, and never removes a file that is not a
 * socket. Errors are logged.
 */
int skapd_control_open(struct skapd_control **out, struct event_base *base, const char *path,
		       skapd_control_fn fn, void *arg);
/* Closes the clients and the socket, and removes PATH. */
void skapd_control_close(struct skapd_control *c);

#endif /* SKAPD_CONTROL_H */

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * skapd's connection to the platform for key requests: one mutual-TLS
 * keep-alive connection, made when negotiation starts and kept warm, so
 * that an acquire pays one HTTPS round trip and not a handshake.
 */
#ifndef SKAPD_PLATFORM_CONN_H
#define SKAPD_PLATFORM_CONN_H

#include "identity.h"

#include <skap/platform.h>

#include <stddef.h>

struct event_base;
struct skapd_platform;

/*
 * Connects to URL (checked against CA_FILE) with the identity's
 * certificate (IDN must outlive the connection). An unreachable platform is not an error here: the
 * connection is tried again in the background and at the next request.
 */
int skapd_platform_new(struct skapd_platform **out, struct event_base *base, const char *url,
		       const char *ca_file, const struct skapd_identity *idn);
/*
 * skap_platform_key over the kept connection; when it turns out closed
 * (the platform's idle timeout, a restart), one new connection and one
 * more try. MSG says why a connection failed.
 */
int skapd_platform_key(struct skapd_platform *p, const char *peer, struct skap_pair_key *pk,
		       uint8_t ticket[SKAP_TICKET_MAX_LEN], size_t *ticket_len,
		       struct skap_platform_error *err, char *msg, size_t msg_size);
void skapd_platform_free(struct skapd_platform *p);

#endif /* SKAPD_PLATFORM_CONN_H */

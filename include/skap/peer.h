/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The UDP side of SKAP (docs/protocol.md sections 4.4 and 5): one socket,
 * exchanges in flight with retransmission, and a responder that costs an
 * attacker's flood as little as possible (per-source token buckets, cookies
 * under load, answers to duplicates from a cache, a replay cache of
 * (KID, nonce)). Time is passed in, in milliseconds, so that the daemon's
 * event loop drives it and tests can run it against real sockets.
 *
 * What it does not do: fetch pair keys from the platform (the caller hands
 * them to skap_peer_initiate) and touch the kernel (finished exchanges go
 * to the INSTALL callback).
 */
#ifndef SKAP_PEER_H
#define SKAP_PEER_H

#include <skap/config.h>
#include <skap/exchange.h>

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

struct skap_peer;

enum skap_peer_role {
	SKAP_PEER_INITIATOR,
	SKAP_PEER_RESPONDER,
};

struct skap_peer_ops {
	/* A finished exchange for LINK: install its keys. Return 0 or -errno. */
	int (*install)(void *arg, const struct skap_link_config *link, enum skap_peer_role role,
		       const struct skap_sa_pair *keys);
	/* An exchange this side started gave up (no valid answer in time). */
	void (*failed)(void *arg, const struct skap_link_config *link, const char *why);
	/* A fresh inbound SPI for this side (unique in its namespace). */
	uint32_t (*new_spi)(void *arg);
	void *arg;
};

struct skap_peer_limits {
	unsigned int per_source_rate;  /* INITs per second per source address (20) */
	unsigned int per_source_burst; /* (40) */
	unsigned int busy_rate;	       /* INITs per second overall before cookies (200) */
};

/*
 * SELF: this device's id; K_TICKET: its K_ticket (copied); FD: a bound UDP
 * socket; CFG must outlive the peer (skap_peer_set_config on reload).
 */
struct skap_peer *skap_peer_new(const char *self, const uint8_t k_ticket[32], int fd,
				const struct skap_daemon_config *cfg,
				const struct skap_peer_limits *limits,
				const struct skap_peer_ops *ops);
void skap_peer_free(struct skap_peer *p);
void skap_peer_set_config(struct skap_peer *p, const struct skap_daemon_config *cfg);

/* Starts an exchange on LINK with the platform's pair key and ticket. */
int skap_peer_initiate(struct skap_peer *p, const struct skap_link_config *link,
		       const struct skap_pair_key *pk, const uint8_t *ticket, size_t ticket_len,
		       uint64_t now_ms);
/*
 * Makes, when nothing waits for them (at start, and after each exchange),
 * the next INIT's X-Wing key pair and the next RESP's encapsulation
 * randomness with its X25519 share, so that neither an acquire nor a
 * peer's INIT pays for them. Each serves one exchange; without one, an
 * exchange makes its own.
 */
int skap_peer_prepare(struct skap_peer *p);
/* Whether this side has an exchange for LINK in flight (no new key request needed). */
bool skap_peer_busy(const struct skap_peer *p, const struct skap_link_config *link);
/* Reads every datagram waiting on the socket (non-blocking) and acts on it. */
void skap_peer_receive(struct skap_peer *p, uint64_t now_ms);
/* Retransmissions and timeouts; returns when it next wants to be called (ms). */
uint64_t skap_peer_tick(struct skap_peer *p, uint64_t now_ms);

struct skap_peer_stats {
	unsigned long init_sent, init_retransmitted, resp_sent, resp_from_cache;
	unsigned long cookies_sent, rate_limited, refused, completed, failed;
};
void skap_peer_stats(const struct skap_peer *p, struct skap_peer_stats *st);

#endif /* SKAP_PEER_H */

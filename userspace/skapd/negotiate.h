/* SPDX-License-Identifier: GPL-2.0 */
#ifndef SKAPD_NEGOTIATE_H
#define SKAPD_NEGOTIATE_H

#include <skap/config.h>
#include <skap/kmod.h>
#include <skap/proto.h>

#include <linux/skap.h>

#include <stdbool.h>
#include <stdint.h>

struct event_base;
struct skapd_neg;

/*
 * Loads the device's identity from CFG's state directory and starts
 * negotiating on CFG's listen address. -EACCES when the device is not
 * enrolled and approved (the daemon runs on, its links closed).
 */
int skapd_neg_start(struct skapd_neg **out, struct event_base *base, struct skap_kmod *km,
		    const struct skap_daemon_config *cfg);
/* After a reload: CFG replaces the configuration (it must outlive N). */
void skapd_neg_set_config(struct skapd_neg *n, const struct skap_daemon_config *cfg);
/* The module's acquire for LINK: ask for a key and start an exchange. */
void skapd_neg_acquire(struct skapd_neg *n, const struct skap_link_config *l);
/* A soft (rekey) or hard expire of one of LINK's SAs. */
void skapd_neg_expire(struct skapd_neg *n, const struct skap_link_config *l, int hard,
		      int outbound);
void skapd_neg_free(struct skapd_neg *n);

/*
 * What negotiation recorded, read by the control socket (control.c). Times
 * are Unix time in milliseconds, 0 for never. Records live in memory only:
 * after a restart the SAs are read back from the module instead.
 */
struct skapd_link_record {
	bool negotiating;     /* a key request or an exchange of ours is in flight */
	uint64_t started_ms;  /* the last negotiation this side started */
	uint64_t finished_ms; /* the last SA pair installed, either role */
	int64_t duration_ms;  /* of that pair, when this side started it; -1 otherwise */
	uint64_t failed_at_ms;
	char last_error[256]; /* "" when none */
};

/* One installed SA pair: what joins an SA to the platform's key id. */
struct skapd_sa_record {
	char link[SKAP_CONFIG_NAME_MAX + 1];
	char peer[SKAP_PEER_MAX + 1];
	uint8_t kid[SKAP_KID_LEN];
	uint32_t spi_in, spi_out;
	int32_t serial_in, serial_out; /* keyring serials of the two keys */
	uint64_t negotiated_at_ms;
	uint64_t key_expiry; /* Unix seconds */
	bool initiator;
};

/* LINK's record; -ENOENT when N is NULL or LINK is not configured. */
int skapd_neg_link(const struct skapd_neg *n, const char *link, struct skapd_link_record *out);
/* The newest pair with SPI (either direction) or key SERIAL; NULL if none. */
const struct skapd_sa_record *skapd_neg_pair_by_spi(const struct skapd_neg *n, uint32_t spi);
const struct skapd_sa_record *skapd_neg_pair_by_serial(const struct skapd_neg *n, int32_t serial);
/* This device's id, NULL when N is (not enrolled and approved). */
const char *skapd_neg_device_id(const struct skapd_neg *n);

#endif /* SKAPD_NEGOTIATE_H */

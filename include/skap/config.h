/* SPDX-License-Identifier: GPL-2.0 */
/*
 * skapd.conf: the gateway daemon's configuration (docs/man/skapd.conf.5).
 *
 * The parser reads the whole file, reports every error it finds as
 * "FILE:LINE: message" and hands back either a complete, validated
 * configuration or nothing: a caller never sees half of a bad file.
 */
#ifndef SKAP_CONFIG_H
#define SKAP_CONFIG_H

#include <skap/addr.h>

#include <stddef.h>
#include <stdint.h>

#define SKAP_CONFIG_NAME_MAX	  64
#define SKAP_CONFIG_MAX_SELECTORS 16
#define SKAP_CONFIG_MAX_LINKS	  1024
#define SKAP_CONFIG_LINE_MAX	  1024
#define SKAP_CONFIG_FILE_MAX	  (1024 * 1024)
#define SKAP_DEFAULT_PORT	  7520
#define SKAP_DEFAULT_STATE_DIR	  "/var/lib/skap"
#define SKAP_DEFAULT_CONTROL	  "/run/skap/skapd.sock"
/* sun_path's size less its NUL: the control socket's path must fit. */
#define SKAP_CONTROL_PATH_MAX	  107
#define SKAP_MIN_LIFETIME_S	  2

enum skap_link_mode {
	SKAP_LINK_TUNNEL,
	SKAP_LINK_TRANSPORT,
};

enum skap_link_start {
	SKAP_START_ON_DEMAND,
	SKAP_START_IMMEDIATE,
};

enum skap_log_level {
	SKAP_LOG_ERROR,
	SKAP_LOG_WARNING,
	SKAP_LOG_INFO,
	SKAP_LOG_DEBUG,
};

struct skap_link_config {
	char name[SKAP_CONFIG_NAME_MAX + 1];
	char peer_id[SKAP_CONFIG_NAME_MAX + 1];
	struct skap_endpoint peer;  /* where the peer's skapd listens */
	struct skap_endpoint local; /* this gateway's address on the link */
	struct skap_prefix local_sel[SKAP_CONFIG_MAX_SELECTORS];
	size_t n_local_sel;
	struct skap_prefix remote_sel[SKAP_CONFIG_MAX_SELECTORS];
	size_t n_remote_sel;
	enum skap_link_mode mode;
	enum skap_link_start start;
	uint64_t lifetime_s;	     /* hard expiry of each SA */
	uint64_t rekey_after_s;	     /* soft expiry: negotiate the next keys */
	uint64_t lifetime_bytes;     /* 0: no byte limit */
	uint64_t rekey_after_bytes;  /* 0: no byte limit */
	unsigned int line;	     /* where the [link] section starts */
};

struct skap_daemon_config {
	char platform_url[256];
	char ca_file[4096];
	char state_dir[4096];
	char control_path[SKAP_CONTROL_PATH_MAX + 1]; /* skapd's unix control socket */
	struct skap_endpoint listen;
	enum skap_log_level log_level;
	struct skap_link_config *links;
	size_t n_links;
};

/* Every problem found, one "FILE:LINE: message" each. */
struct skap_config_diag {
	char **msgs;
	size_t n;
};

/*
 * Parses and validates TEXT (LEN bytes, need not be NUL-terminated); NAME is
 * the file name used in messages. Returns 0 and fills *CFG, or -EINVAL with
 * every error in *DIAG and *CFG untouched; -ENOMEM when memory runs out.
 */
int skap_config_parse(const char *name, const char *text, size_t len,
		      struct skap_daemon_config *cfg, struct skap_config_diag *diag);

/* Reads PATH (at most SKAP_CONFIG_FILE_MAX bytes) and parses it. */
int skap_config_load(const char *path, struct skap_daemon_config *cfg,
		     struct skap_config_diag *diag);

void skap_config_free(struct skap_daemon_config *cfg);
void skap_config_diag_free(struct skap_config_diag *diag);

/* Finds a link by name; NULL when there is none. */
const struct skap_link_config *skap_config_link(const struct skap_daemon_config *cfg,
						const char *name);

#endif /* SKAP_CONFIG_H */

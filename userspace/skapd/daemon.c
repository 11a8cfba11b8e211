// SPDX-License-Identifier: GPL-2.0
/*
 * skapd's event loop (libevent): the module's event socket, signals, and
 * the configuration's life cycle. A reload parses the new file completely
 * before anything changes: a broken file is reported line by line and the
 * running configuration stays.
 */

#include "daemon.h"
#include "negotiate.h"

#include <skap/config.h>
#include <skap/kmod.h>
#include <skap/log.h>
#include <skap/policy_sync.h>

#include <linux/skap.h>

#include <errno.h>
#include <event2/event.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

struct skapd {
	struct event_base *base;
	const char *config_path;
	struct skap_daemon_config cfg;
	struct skap_kmod *km;
	struct skap_kmod_events *events;
	struct skapd_neg *neg;	/* NULL until enrolled and approved */
	int exit_status;
};

static const struct skap_link_config *link_by_reqid(const struct skapd *d, uint32_t reqid)
{
	for (size_t i = 0; i < d->cfg.n_links; i++)
		if (skap_link_reqid(d->cfg.links[i].name) == reqid)
			return &d->cfg.links[i];
	return NULL;
}

static int load_config(const char *path, struct skap_daemon_config *cfg)
{
	struct skap_config_diag diag;
	int ret = skap_config_load(path, cfg, &diag);

	for (size_t i = 0; i < diag.n; i++)
		log_error("%s", diag.msgs[i]);
	skap_config_diag_free(&diag);
	return ret;
}

static int sync_policies(struct skapd *d)
{
	struct skap_sync_stats st;
	struct skap_kmod_error err;
	int ret = skap_policy_sync(d->km, &d->cfg, &st, &err);

	if (ret) {
		log_error("installing the links' policies failed: %s", err.msg[0] ? err.msg : strerror(-ret));
		return ret;
	}
	log_info("policies: %u kept, %u added, %u removed (%zu link%s)", st.kept, st.added,
		 st.removed, d->cfg.n_links, d->cfg.n_links == 1 ? "" : "s");
	if (st.replaced)
		log_info("%u polic%s replaced in place (same selectors, new template)", st.replaced,
			 st.replaced == 1 ? "y" : "ies");
	if (st.sas_removed)
		log_info("removed %u SA%s of links no longer configured", st.sas_removed,
			 st.sas_removed == 1 ? "" : "s");
	return 0;
}

static void on_event(const struct skap_event *e, void *arg)
{
	struct skapd *d = arg;
	const struct skap_link_config *l = link_by_reqid(d, e->reqid);

	switch (e->type) {
	case SKAP_EVENT_ACQUIRE:
		if (!l) {
			log_warn("acquire for reqid %u, which no configured link has", e->reqid);
			return;
		}
		log_info("link %s: traffic to peer %s waits for keys", l->name, l->peer_id);
		skapd_neg_acquire(d->neg, l);
		break;
	case SKAP_EVENT_EXPIRE:
		log_info("%s expire of SA spi 0x%08x (link %s)", e->hard ? "hard" : "soft", e->spi,
			 l ? l->name : "unknown");
		if (l)
			skapd_neg_expire(d->neg, l, e->hard, e->key_dir == SKAP_KEY_DIR_OUT);
		break;
	}
}

static void on_netlink(evutil_socket_t fd, short what, void *arg)
{
	struct skapd *d = arg;
	int ret = skap_kmod_events_read(d->events, on_event, d);

	(void)fd;
	(void)what;
	if (ret == -ENOBUFS) {
		/* Events were lost: start again from what the module holds. */
		log_warn("module events overflowed; resynchronising");
		sync_policies(d);
	} else if (ret < 0) {
		log_error("reading module events: %s", strerror(-ret));
	}
}

static void on_reload(evutil_socket_t sig, short what, void *arg)
{
	struct skapd *d = arg;
	struct skap_daemon_config next;

	(void)sig;
	(void)what;
	log_info("SIGHUP: reloading %s", d->config_path);
	if (load_config(d->config_path, &next)) {
		log_error("reload refused: %s has errors; the running configuration stays",
			  d->config_path);
		return;
	}
	skap_config_free(&d->cfg);
	d->cfg = next;
	skap_log_set_level(d->cfg.log_level);
	sync_policies(d);
	skapd_neg_set_config(d->neg, &d->cfg);
}

static void on_stop(evutil_socket_t sig, short what, void *arg)
{
	struct skapd *d = arg;

	(void)what;
	log_info("signal %d: stopping; SAs and policies stay in the module", (int)sig);
	event_base_loopbreak(d->base);
}

int skapd_run(const char *config_path)
{
	struct skapd d = { .config_path = config_path, .exit_status = 1 };
	struct skap_kmod_error err;
	struct event *ev_nl = NULL, *ev_hup = NULL, *ev_term = NULL, *ev_int = NULL;

	skap_log_init("skapd", SKAP_LOG_INFO);
	if (load_config(config_path, &d.cfg))
		return 1;
	skap_log_set_level(d.cfg.log_level);
	if (skap_kmod_open(&d.km, &err)) {
		log_error("%s", err.msg);
		goto out;
	}
	if (skap_kmod_events_open(&d.events, &err)) {
		log_error("%s", err.msg);
		goto out;
	}
	if (sync_policies(&d))
		goto out;
	d.base = event_base_new();
	if (!d.base) {
		log_error("cannot create the event loop");
		goto out;
	}
	ev_nl = event_new(d.base, skap_kmod_events_fd(d.events), EV_READ | EV_PERSIST, on_netlink, &d);
	ev_hup = evsignal_new(d.base, SIGHUP, on_reload, &d);
	ev_term = evsignal_new(d.base, SIGTERM, on_stop, &d);
	ev_int = evsignal_new(d.base, SIGINT, on_stop, &d);
	if (!ev_nl || !ev_hup || !ev_term || !ev_int || event_add(ev_nl, NULL) ||
	    event_add(ev_hup, NULL) || event_add(ev_term, NULL) || event_add(ev_int, NULL)) {
		log_error("cannot register events");
		goto out;
	}
	skapd_neg_start(&d.neg, d.base, d.km, &d.cfg);
	log_info("running with %zu link%s from %s", d.cfg.n_links, d.cfg.n_links == 1 ? "" : "s",
		 config_path);
	if (event_base_dispatch(d.base) < 0)
		log_error("event loop failed");
	else
		d.exit_status = 0;
out:
	skapd_neg_free(d.neg);
	if (ev_nl)
		event_free(ev_nl);
	if (ev_hup)
		event_free(ev_hup);
	if (ev_term)
		event_free(ev_term);
	if (ev_int)
		event_free(ev_int);
	if (d.base)
		event_base_free(d.base);
	skap_kmod_events_close(d.events);
	skap_kmod_close(d.km);
	skap_config_free(&d.cfg);
	return d.exit_status;
}

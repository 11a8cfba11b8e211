// SPDX-License-Identifier: GPL-2.0
/*
 * skapd's event loop (libevent): the module's event socket, signals, and
 * the configuration's life cycle. A reload parses the new file completely
 * before anything changes: a broken file is reported line by line and the
 * running configuration stays.
 */

#include "daemon.h"
#include "control.h"
#include "negotiate.h"
#include "view.h"

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
#include <time.h>

struct skapd {
	struct event_base *base;
	const char *config_path;
	struct skap_daemon_config cfg;
	struct skap_kmod *km;
	struct skap_kmod_events *events;
	struct skapd_neg *neg;	/* NULL until enrolled and approved */
	struct skapd_control *ctl; /* NULL when the socket could not be made */
	time_t started;
	int exit_status;
};

static const struct skap_link_config *link_by_reqid(const struct skapd *d, uint32_t reqid)
{
	for (size_t i = 0; i < d->cfg.n_links; i++)
		if (skap_link_reqid(d->cfg.links[i].name) == reqid)
			return &d->cfg.links[i];
	return NULL;
}

/* Parses PATH, logs every error; DIAG (when given) keeps them for the caller. */
static int load_config(const char *path, struct skap_daemon_config *cfg,
		       struct skap_config_diag *keep)
{
	struct skap_config_diag diag;
	int ret = skap_config_load(path, cfg, &diag);

	for (size_t i = 0; i < diag.n; i++)
		log_error("%s", diag.msgs[i]);
	if (keep)
		*keep = diag;
	else
		skap_config_diag_free(&diag);
	return ret;
}

static int sync_policies(struct skapd *d, struct skap_sync_stats *stats,
			 struct skap_kmod_error *error)
{
	struct skap_sync_stats st0;
	struct skap_kmod_error err0;
	struct skap_sync_stats *st = stats ? stats : &st0;
	struct skap_kmod_error *err = error ? error : &err0;
	int ret = skap_policy_sync(d->km, &d->cfg, st, err);

	if (ret) {
		log_error("installing the links' policies failed: %s",
			  err->msg[0] ? err->msg : strerror(-ret));
		return ret;
	}
	log_info("policies: %u kept, %u added, %u removed (%zu link%s)", st->kept, st->added,
		 st->removed, d->cfg.n_links, d->cfg.n_links == 1 ? "" : "s");
	if (st->replaced)
		log_info("%u polic%s replaced in place (same selectors, new template)",
			 st->replaced, st->replaced == 1 ? "y" : "ies");
	if (st->sas_removed)
		log_info("removed %u SA%s of links no longer configured", st->sas_removed,
			 st->sas_removed == 1 ? "" : "s");
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
		sync_policies(d, NULL, NULL);
	} else if (ret < 0) {
		log_error("reading module events: %s", strerror(-ret));
	}
}

/*
 * The new file replaces the running configuration only when it is valid
 * as a whole; links it keeps unchanged keep their policies and SAs
 * (skap_policy_sync touches only what differs).
 */
static int reload(struct skapd *d, struct skap_config_diag *diag, struct skap_sync_stats *st,
		  struct skap_kmod_error *err)
{
	struct skap_daemon_config next;
	int ret = load_config(d->config_path, &next, diag);

	if (ret) {
		log_error("reload refused: %s has errors; the running configuration stays",
			  d->config_path);
		return ret;
	}
	if (strcmp(next.control_path, d->cfg.control_path))
		log_warn("control: the new path %s takes effect at the next start",
			 next.control_path);
	skap_config_free(&d->cfg);
	d->cfg = next;
	skap_log_set_level(d->cfg.log_level);
	ret = sync_policies(d, st, err);
	skapd_neg_set_config(d->neg, &d->cfg);
	return ret ? 1 : 0;
}

static void on_reload(evutil_socket_t sig, short what, void *arg)
{
	struct skapd *d = arg;

	(void)sig;
	(void)what;
	log_info("SIGHUP: reloading %s", d->config_path);
	reload(d, NULL, NULL, NULL);
}

static json_t *reload_answer(struct skapd *d)
{
	struct skap_config_diag diag = {0};
	struct skap_sync_stats st = {0};
	struct skap_kmod_error err = {0};
	json_t *msgs, *ans;
	int ret;

	log_info("control: reloading %s", d->config_path);
	ret = reload(d, &diag, &st, &err);
	if (ret < 0) {
		msgs = json_array();
		for (size_t i = 0; i < diag.n; i++)
			json_array_append_new(msgs, json_string(diag.msgs[i]));
		skap_config_diag_free(&diag);
		return json_pack("{s:b,s:b,s:s,s:o}", "ok", 0, "accepted", 0, "error",
				 "the new configuration has errors; the running one stays",
				 "diagnostics", msgs);
	}
	ans = json_pack("{s:b,s:b,s:s,s:I,s:{s:i,s:i,s:i,s:i,s:i}}", "ok", ret == 0, "accepted", 1,
			"config", d->config_path, "links", (json_int_t)d->cfg.n_links, "policies",
			"kept", st.kept, "added", st.added, "replaced", st.replaced, "removed",
			st.removed, "sas_removed", st.sas_removed);
	if (ans && ret)
		json_object_set_new(
			ans, "error",
			json_string(err.msg[0] ? err.msg : "installing the policies failed"));
	return ans;
}

static json_t *on_control(void *arg, const char *command)
{
	struct skapd *d = arg;
	struct skapd_view v = {.cfg = &d->cfg,
			       .config_path = d->config_path,
			       .started = (uint64_t)d->started,
			       .km = d->km,
			       .neg = d->neg};

	if (!strcmp(command, "reload"))
		return reload_answer(d);
	return skapd_view_answer(&v, command);
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
	struct skapd d = {.config_path = config_path, .exit_status = 1, .started = time(NULL)};
	struct skap_kmod_error err;
	struct event *ev_nl = NULL, *ev_hup = NULL, *ev_term = NULL, *ev_int = NULL;

	skap_log_init("skapd", SKAP_LOG_INFO);
	if (load_config(config_path, &d.cfg, NULL))
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
	if (sync_policies(&d, NULL, NULL))
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
	/* Without it skapd still keeps the links; only the local view is missing. */
	skapd_control_open(&d.ctl, d.base, d.cfg.control_path, on_control, &d);
	log_info("running with %zu link%s from %s", d.cfg.n_links, d.cfg.n_links == 1 ? "" : "s",
		 config_path);
	if (event_base_dispatch(d.base) < 0)
		log_error("event loop failed");
	else
		d.exit_status = 0;
out:
	skapd_control_close(d.ctl);
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

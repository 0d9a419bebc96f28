// SPDX-License-Identifier: GPL-2.0-only
/*
 * The admission endpoint's resources:
 *   POST   /v1/admission   present a Bearer token, get admitted
 *   GET    /v1/admission   what the caller's address holds
 *   DELETE /v1/admission   leave: the caller's address is no longer admitted
 *   GET    /healthz        liveness
 * The caller is the TLS peer address; answers are JSON; refusals follow
 * RFC 6750 (WWW-Authenticate with error and error_description). A POST's
 * token is verified on a worker thread; the profile look-up, the install
 * and the answer happen back on the loop thread, which owns the kernel
 * socket and the maps' bookkeeping.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "admit.h"
#include "api.h"
#include "clock_step.h"
#include "user_addrs.h"
#include "clock.h"
#include "jsonw.h"
#include "log.h"
#include "mirror.h"
#include "names.h"
#include "snapshot.h"
#include "workers.h"

struct reply {
	int status;
	char headers[512];
	char *body;
	size_t len;
	FILE *f;
	struct jsonw w;
};

static void reply_start(struct reply *r, int status)
{
	memset(r, 0, sizeof(*r));
	r->status = status;
	r->f = open_memstream(&r->body, &r->len);
	if (r->f) {
		jsonw_init(&r->w, r->f, false);
		jsonw_start_object(&r->w, NULL);
	}
}

static void reply_send(struct reply *r, FILE *out, bool keep_alive)
{
	if (r->f) {
		jsonw_end_object(&r->w);
		fclose(r->f);
	}
	http_write_response(out, r->status, keep_alive, r->headers,
			    r->body ? r->body : "", r->body ? r->len : 0);
	free(r->body);
}

static void services_array(struct jsonw *w, const char *key, uint32_t bits)
{
	jsonw_start_array(w, key);
	for (uint32_t b = 1; b <= LMIG_SERVICES_ALL; b <<= 1)
		if (bits & b)
			jsonw_string(w, NULL, lmig_service_name(b));
	jsonw_end_array(w);
}

static void iso_time(int64_t t, char *buf, size_t len)
{
	time_t tt = t;
	struct tm tm;

	gmtime_r(&tt, &tm);
	strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* RFC 6750 section 3: the challenge, with error when there is one. */
static void challenge(struct reply *r, const char *error, const char *desc)
{
	if (error)
		snprintf(r->headers, sizeof(r->headers),
			 "WWW-Authenticate: Bearer realm=\"lmig\", "
			 "error=\"%s\", error_description=\"%s\"\r\n",
			 error, desc);
	else
		snprintf(r->headers, sizeof(r->headers),
			 "WWW-Authenticate: Bearer realm=\"lmig\"\r\n");
}

static void refusal(struct reply *r, int status, const char *error,
		    const char *reason, const char *message)
{
	reply_start(r, status);
	if (status == 401 || status == 403 || status == 400)
		challenge(r, error, message);
	jsonw_string(&r->w, "error", error ? error : "unauthorized");
	if (reason)
		jsonw_string(&r->w, "reason", reason);
	jsonw_string(&r->w, "message", message);
}

static int kernel_lookup(void *arg, const char *primary_id,
			 struct lmigd_profile *out)
{
	struct lmigd *d = arg;

	return lmigd_kernel_get_by_primary(d->kernel, primary_id, out);
}

/*
 * The per-user cap. With refuse, a user who already holds admissions for
 * max-addresses-per-user other addresses gets none for this one.
 */
static bool over_cap(struct lmigd *d, const struct lmig_addr *addr,
		     uint32_t user_id)
{
	struct lmig_addr oldest;

	return lmigd_user_addrs_live(d->addrs, d->fp, user_id, addr, &oldest) >=
	       d->cfg.max_addresses;
}

/*
 * With replace-oldest, once addr's admission is written: end the user's
 * other admissions, the one granted first each time, until the user is
 * within the cap again. Never before the write: a kill -9 between the two
 * would leave the user with neither the old admission nor the new one.
 * In this order it leaves the user one address over the cap at worst,
 * which the user's next grant corrects.
 */
static void evict_over_cap(struct lmigd *d, const struct lmig_addr *addr,
			   uint32_t user_id)
{
	struct lmig_addr oldest;
	char text[LMIG_ADDR_STRLEN];

	for (unsigned int i = 0; i <= LMIGD_MAX_ADDRESSES_LIMIT; i++) {
		if (lmigd_user_addrs_live(d->addrs, d->fp, user_id, addr,
					  &oldest) < d->cfg.max_addresses)
			return;
		lmig_addr_format(&oldest, text, sizeof(text));
		log_notice("user %u is over %u addresses: ending the "
			   "admission of %s",
			   user_id, d->cfg.max_addresses, text);
		/* Gone meanwhile is as good as ended. */
		lmig_fp_admission_del(d->fp, &oldest, NULL, 0);
	}
}

/* User state first (giving the user a slot), then the admission naming
 * that slot. */
int lmigd_api_install(struct lmigd *d, const struct lmig_addr *addr,
		      const struct lmigd_decision *dec)
{
	struct lmig_admission adm = {
		.granted_ns = lmig_clock_now_ns(),
		.user_id = dec->profile.user_id,
		.services = dec->services,
		.requested = dec->token.services & LMIG_SERVICES_ALL,
	};
	char msg[LMIG_FP_MSG_MAX];
	int err;

	/* Convert with the distance the fast path's expiries agree on. */
	lmigd_clock_follow(d);
	adm.expires_ns = lmig_clock_from_unix_at(dec->expires,
						 d->clock_anchor_ns);
	/* The event may still be on its way: the map must know the user. */
	err = lmigd_mirror_profile(d, &dec->profile);
	if (err)
		return err;
	err = lmig_fp_user_get(d->fp, adm.user_id, NULL, &adm.user_slot, msg,
			       sizeof(msg));
	if (!err && d->cfg.addr_policy == LMIGD_ADDR_REFUSE &&
	    over_cap(d, addr, adm.user_id))
		return -EDQUOT;
	if (!err)
		err = lmig_fp_admission_put(d->fp, addr, &adm, msg,
					    sizeof(msg));
	if (err) {
		log_err("cannot install admission: %s", msg);
		return err;
	}
	/* Unindexed, the address would escape the cap, not be lost. */
	if (lmigd_user_addrs_add(d->addrs, adm.user_id, addr, adm.granted_ns))
		log_warn("out of memory indexing an admission by user");
	if (d->cfg.addr_policy == LMIGD_ADDR_REPLACE_OLDEST)
		evict_over_cap(d, addr, adm.user_id);
	return 0;
}

/* The profile's part of the decision, the install, and the answer. */
static void conclude(struct lmigd *d, const struct lmig_addr *addr,
		     const char *who, int64_t now, uint64_t received_ns,
		     struct lmigd_decision *dec, bool token_ok, struct reply *r)
{
	struct lmigd_admit_policy policy = {
		.lookup = kernel_lookup,
		.lookup_arg = d,
		.max_admission = d->cfg.max_admission,
	};
	char services[32], until[32];

	if (token_ok)
		lmigd_admit_finish(&policy, now, dec);
	if (dec->verdict == LMIGD_ADMITTED) {
		int err = lmigd_api_install(d, addr, dec);

		if (!err)
			lmigd_latency_add(&d->admit_latency,
					  lmig_clock_precise_ns() -
						  received_ns);
		if (err == -EDQUOT) {
			dec->http_status = 403;
			dec->error = "insufficient_scope";
			dec->reason = dec->client_reason = "address_limit";
			dec->message = "the user holds admissions for as many "
				       "addresses as this partner allows";
			dec->detail = "max-addresses-per-user reached (refuse)";
		} else if (err) {
			dec->http_status = 500;
			dec->error = "server_error";
			dec->reason = dec->client_reason =
				"fast_path_unavailable";
			dec->message = "the admission could not be installed";
		}
	}
	if (dec->http_status != 200) {
		d->refused++;
		log_notice("refused %s: %s (%s)", who, dec->reason,
			   dec->detail);
		refusal(r, dec->http_status, dec->error, dec->client_reason,
			dec->message);
		return;
	}

	d->admitted++;
	lmig_services_format(dec->services, services, sizeof(services));
	iso_time(dec->expires, until, sizeof(until));
	log_info("admitted %s: user %u %s, services %s until %s "
		 "(issuer %s%s%s)",
		 who, dec->profile.user_id, dec->profile.partner_id, services,
		 until, dec->token.issuer, dec->token.jti[0] ? ", jti " : "",
		 dec->token.jti);
	reply_start(r, 200);
	jsonw_string(&r->w, "address", who);
	jsonw_uint(&r->w, "user_id", dec->profile.user_id);
	jsonw_string(&r->w, "partner_id", dec->profile.partner_id);
	services_array(&r->w, "services", dec->services);
	jsonw_string(&r->w, "expires_at", until);
	jsonw_int(&r->w, "expires_in", dec->expires - now);
}

/* A token on its way through a worker. */
struct admit_job {
	struct lmigd_job job;
	struct lmigd *d;
	struct lmigd_conn *conn;
	struct lmigd_snapshot *snap;
	struct lmig_addr addr;
	char who[LMIG_ADDR_STRLEN];
	bool keep_alive;
	bool token_ok;
	int64_t now;
	uint64_t received_ns; /* the request parsed, CLOCK_MONOTONIC */
	struct lmigd_decision dec;
	size_t token_len;
	char token[];
};

/* On a worker: the signature and claims, nothing the loop owns. */
static void admit_job_run(struct lmigd_job *job)
{
	struct admit_job *j = (struct admit_job *)job;
	struct lmigd_admit_policy policy = {
		.verifier = j->snap->verifier,
		.cache = j->snap->cache,
	};

	j->token_ok = lmigd_admit_verify(&policy, j->token, j->token_len,
					 j->now, &j->dec);
}

static void busy(struct reply *r, const char *message)
{
	reply_start(r, 503);
	snprintf(r->headers, sizeof(r->headers), "Retry-After: 1\r\n");
	jsonw_string(&r->w, "error", "temporarily_unavailable");
	jsonw_string(&r->w, "message", message);
}

/* Back on the loop thread. */
static void admit_job_done(struct lmigd_job *job, bool ran)
{
	struct admit_job *j = (struct admit_job *)job;
	char *buf = NULL;
	size_t len = 0;
	struct reply r;
	FILE *out;

	if (ran)
		conclude(j->d, &j->addr, j->who, j->now, j->received_ns,
			 &j->dec, j->token_ok, &r);
	else
		busy(&r, "the server is stopping");
	out = open_memstream(&buf, &len);
	if (out) {
		reply_send(&r, out, j->keep_alive);
		if (fclose(out)) {
			free(buf);
			buf = NULL;
		}
	} else {
		free(r.body);
	}
	/* Without a buffer (out of memory) the connection is closed. */
	lmigd_server_answer(j->conn, buf, buf ? len : 0, j->keep_alive);
	lmigd_snapshot_put(j->snap);
	free(j);
}

/* LMIGD_DEFERRED when a worker took the token, else answered in r. */
static int post_admission(struct lmigd *d, struct lmigd_conn *conn,
			  const struct http_request *req,
			  const struct lmig_addr *addr, const char *who,
			  bool keep_alive, struct reply *r)
{
	struct admit_job *j;

	if (req->auth == HTTP_AUTH_NONE) {
		refusal(r, 401, NULL, NULL, "an access token is required");
		return LMIGD_ANSWERED;
	}
	if (req->auth != HTTP_AUTH_BEARER) {
		refusal(r, 400, "invalid_request", "malformed_credentials",
			"the Authorization field must be 'Bearer <token>'");
		return LMIGD_ANSWERED;
	}
	j = malloc(sizeof(*j) + req->token_len);
	if (!j) {
		busy(r, "the server is out of memory");
		return LMIGD_ANSWERED;
	}
	memset(j, 0, sizeof(*j));
	j->job.run = admit_job_run;
	j->job.done = admit_job_done;
	j->d = d;
	j->conn = conn;
	j->addr = *addr;
	snprintf(j->who, sizeof(j->who), "%s", who);
	j->keep_alive = keep_alive;
	j->now = time(NULL);
	j->received_ns = lmig_clock_precise_ns();
	j->token_len = req->token_len;
	memcpy(j->token, req->token, req->token_len);
	j->snap = lmigd_snapshot_get(d->snap);
	if (lmigd_workers_submit(d->workers, &j->job)) {
		lmigd_snapshot_put(j->snap);
		free(j);
		d->busy++;
		busy(r, "too many admissions are being verified; retry");
		return LMIGD_ANSWERED;
	}
	return LMIGD_DEFERRED;
}

static void get_admission(struct lmigd *d, const struct lmig_addr *addr,
			  const char *who, struct reply *r)
{
	struct lmig_admission adm;
	uint64_t now = lmig_clock_now_ns();
	int64_t offset = lmig_clock_offset_ns();
	char until[32], since[32];

	if (lmig_fp_admission_get(d->fp, addr, &adm, NULL, 0) ||
	    adm.expires_ns <= now) {
		reply_start(r, 404);
		jsonw_string(&r->w, "error", "not_admitted");
		jsonw_string(&r->w, "message",
			     "this address holds no admission");
		return;
	}
	iso_time(lmig_clock_to_unix_at(adm.expires_ns, offset), until,
		 sizeof(until));
	iso_time(lmig_clock_to_unix_at(adm.granted_ns, offset), since,
		 sizeof(since));
	reply_start(r, 200);
	jsonw_string(&r->w, "address", who);
	jsonw_uint(&r->w, "user_id", adm.user_id);
	services_array(&r->w, "services", adm.services);
	jsonw_string(&r->w, "granted_at", since);
	jsonw_string(&r->w, "expires_at", until);
	jsonw_uint(&r->w, "expires_in",
		   (adm.expires_ns - now) / LMIG_NSEC_PER_SEC);
}

static void delete_admission(struct lmigd *d, const struct lmig_addr *addr,
			     const char *who, struct reply *r)
{
	if (lmig_fp_admission_del(d->fp, addr, NULL, 0)) {
		reply_start(r, 404);
		jsonw_string(&r->w, "error", "not_admitted");
		jsonw_string(&r->w, "message",
			     "this address holds no admission");
		return;
	}
	log_info("%s left", who);
	reply_start(r, 200);
	jsonw_string(&r->w, "address", who);
	jsonw_bool(&r->w, "admitted", false);
}

static void health(struct lmigd *d, struct reply *r)
{
	const struct lmigd_latency *l = &d->admit_latency;

	reply_start(r, 200);
	jsonw_string(&r->w, "status", "ok");
	jsonw_uint(&r->w, "admitted", d->admitted);
	jsonw_uint(&r->w, "refused", d->refused);
	jsonw_uint(&r->w, "busy", d->busy);
	jsonw_uint(&r->w, "workers", lmigd_workers_threads(d->workers));
	jsonw_uint(&r->w, "connections", lmigd_server_connections(d->server));
	jsonw_start_object(&r->w, "admission_latency_us");
	jsonw_uint(&r->w, "count", l->count);
	jsonw_uint(&r->w, "p50", (lmigd_latency_quantile(l, 500) + 999) / 1000);
	jsonw_uint(&r->w, "p99", (lmigd_latency_quantile(l, 990) + 999) / 1000);
	jsonw_uint(&r->w, "max", (l->max_ns + 999) / 1000);
	jsonw_end_object(&r->w);
}

static void method_not_allowed(struct reply *r, const char *allow)
{
	reply_start(r, 405);
	snprintf(r->headers, sizeof(r->headers), "Allow: %s\r\n", allow);
	jsonw_string(&r->w, "error", "method_not_allowed");
	jsonw_string(&r->w, "message", "method not allowed on this resource");
}

int lmigd_api_handle(void *arg, struct lmigd_conn *conn,
		     const struct http_request *req,
		     const struct sockaddr_storage *peer, FILE *out,
		     bool *keep_alive)
{
	struct lmigd *d = arg;
	struct lmig_addr addr;
	char who[LMIG_ADDR_STRLEN];
	struct reply r;

	if (lmig_addr_from_sockaddr((const struct sockaddr *)peer,
				    sizeof(*peer), &addr, NULL, 0)) {
		refusal(&r, 400, "invalid_request", NULL,
			"unsupported peer address");
		*keep_alive = false;
		reply_send(&r, out, false);
		return LMIGD_ANSWERED;
	}
	lmig_addr_format(&addr, who, sizeof(who));

	if (!strcmp(req->target, "/v1/admission")) {
		if (req->method == HTTP_POST) {
			if (post_admission(d, conn, req, &addr, who,
					   *keep_alive, &r) == LMIGD_DEFERRED)
				return LMIGD_DEFERRED;
		} else if (req->method == HTTP_GET)
			get_admission(d, &addr, who, &r);
		else if (req->method == HTTP_DELETE)
			delete_admission(d, &addr, who, &r);
		else
			method_not_allowed(&r, "POST, GET, DELETE");
	} else if (!strcmp(req->target, "/healthz")) {
		if (req->method == HTTP_GET)
			health(d, &r);
		else
			method_not_allowed(&r, "GET");
	} else {
		reply_start(&r, 404);
		jsonw_string(&r.w, "error", "not_found");
		jsonw_string(&r.w, "message", "no such resource");
	}
	reply_send(&r, out, *keep_alive);
	return LMIGD_ANSWERED;
}

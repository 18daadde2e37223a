#include "api/service.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "analyzer/analyzer.h"
#include "api/api.h"
#include "api/query.h"
#include "api/sts.h"
#include "lib/ids.h"
#include "lib/xalloc.h"
#include "model/resources.h"

#define EC2_NS "http://ec2.amazonaws.com/doc/2016-11-15/"
#define DEFAULT_ACCOUNT "000000000000"
#define DEFAULT_REGION "us-east-1"

int service_init(struct service *svc, struct model *model, struct store *store, bool dev)
{
    memset(svc, 0, sizeof *svc);
    svc->model = model;
    svc->store = store;
    svc->dev = dev;
    pthread_mutex_init(&svc->lock, NULL);
    svc->creds = xcalloc(1, sizeof *svc->creds);
    snprintf(svc->creds[0].access_key, sizeof svc->creds[0].access_key, "test");
    snprintf(svc->creds[0].secret, sizeof svc->creds[0].secret, "test");
    snprintf(svc->creds[0].account, sizeof svc->creds[0].account, DEFAULT_ACCOUNT);
    svc->n_creds = 1;
    return 0;
}

void service_set_hooks(struct service *svc, const struct service_hooks *h)
{
    pthread_mutex_lock(&svc->lock);
    svc->hooks = *h;
    if (svc->hooks.changed)
        svc->hooks.changed(svc->hooks.ctx, svc->model);
    pthread_mutex_unlock(&svc->lock);
}

static void notify_changed(struct service *svc)
{
    if (svc->hooks.changed)
        svc->hooks.changed(svc->hooks.ctx, svc->model);
}

void service_destroy(struct service *svc)
{
    analyzer_snapshot_release();
    model_free(svc->model);
    store_close(svc->store);
    free(svc->creds);
    pthread_mutex_destroy(&svc->lock);
}

static bool account_valid(const char *s)
{
    size_t n = 0;
    for (; s[n]; n++)
        if (s[n] < '0' || s[n] > '9')
            return false;
    return n == 12;
}

int service_load_credentials(struct service *svc, const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return -errno;
    char line[512];
    int lineno = 0, rc = 0;
    while (fgets(line, sizeof line, f)) {
        lineno++;
        char *p = line + strspn(line, " \t");
        if (*p == '#' || *p == '\n' || *p == '\0')
            continue;
        struct credential c;
        memset(&c, 0, sizeof c);
        if (sscanf(p, "%128s %128s %12s", c.access_key, c.secret, c.account) != 3 ||
            !account_valid(c.account)) {
            fprintf(stderr, "vpcd: %s:%d: expected ACCESS_KEY_ID SECRET_ACCESS_KEY ACCOUNT_ID\n",
                    path, lineno);
            rc = -EINVAL;
            break;
        }
        svc->creds = xrealloc(svc->creds, (svc->n_creds + 1) * sizeof *svc->creds);
        svc->creds[svc->n_creds++] = c;
    }
    fclose(f);
    return rc;
}

static const struct credential *find_cred(const struct service *svc, const char *key)
{
    /* Later lines override the built-in default key. */
    for (size_t i = svc->n_creds; i-- > 0;)
        if (strcmp(svc->creds[i].access_key, key) == 0)
            return &svc->creds[i];
    return NULL;
}

static const char *secret_lookup(const char *key, void *ctx)
{
    const struct credential *c = find_cred(ctx, key);
    return c ? c->secret : NULL;
}

void service_response_destroy(struct service_response *resp)
{
    strbuf_destroy(&resp->body);
}

static void ec2_error(struct service_response *resp, int status, const char *code,
                      const char *message, const char *request_id)
{
    resp->status = status;
    resp->content_type = "text/xml;charset=UTF-8";
    strbuf_reset(&resp->body);
    strbuf_puts(&resp->body, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Response><Errors><Error>");
    xml_str(&resp->body, "Code", code);
    xml_str(&resp->body, "Message", message);
    strbuf_puts(&resp->body, "</Error></Errors>");
    xml_str(&resp->body, "RequestID", request_id);
    strbuf_puts(&resp->body, "</Response>");
}

static int status_for(const char *code)
{
    if (strcmp(code, "AuthFailure") == 0 || strcmp(code, "MissingAuthenticationToken") == 0)
        return 401;
    if (strcmp(code, "SignatureDoesNotMatch") == 0 || strcmp(code, "IncompleteSignature") == 0 ||
        strcmp(code, "UnauthorizedOperation") == 0)
        return 403;
    if (strcmp(code, "DryRunOperation") == 0)
        return 412;
    if (strcmp(code, "InternalError") == 0)
        return 500;
    return 400;
}

static const struct sigv4_header *find_header(const struct service_request *req,
                                              const char *name)
{
    for (size_t i = 0; i < req->n_headers; i++)
        if (strcasecmp(req->headers[i].name, name) == 0)
            return &req->headers[i];
    return NULL;
}

static bool is_form_body(const struct service_request *req)
{
    const struct sigv4_header *ct = find_header(req, "Content-Type");
    return !ct || strncasecmp(ct->value, "application/x-www-form-urlencoded", 33) == 0;
}

/* Throws away in-memory changes that were not committed, by reloading the store. Only a
 * failed commit or a model bug gets here; both must not leave half a mutation behind. Called
 * with svc->lock held. Other requests' staged changes are made durable first (or, after a
 * failed commit, dropped with it), so the reload sees every change that was acknowledged. */
static void service_rollback(struct service *svc)
{
    fprintf(stderr, "vpcd: rolling back uncommitted model changes\n");
    model_clear_dirty(svc->model);
    if (store_wait(svc->store, store_stage(svc->store, svc->model)) != 0)
        store_recover(svc->store);
    struct model *fresh = model_new(&svc->model->cfg);
    fresh->clock = svc->model->clock;
    fresh->clock_ctx = svc->model->clock_ctx;
    fresh->clock_offset = svc->model->clock_offset;
    if (store_load(svc->store, fresh) != 0) {
        model_free(fresh);
        return;
    }
    model_free(svc->model);
    svc->model = fresh;
}

/* Runs the action and builds its reply; the reply may go out only once p->ticket is durable
 * (service_finish). */
static void run_ec2_action(struct service *svc, const struct api_action *act, const char *account,
                           const char *region, const struct query *q, struct service_pending *p,
                           struct service_response *resp)
{
    struct strbuf members;
    strbuf_init(&members);
    struct api_ctx c;
    memset(&c, 0, sizeof c);
    c.q = q;
    c.action = act->name;
    c.out = &members;

    pthread_mutex_lock(&svc->lock);
    c.model = svc->model;
    c.scope = model_scope(svc->model, account, region);
    /* A first use of (account, region) built its default VPC: that is staged on its own, so a
     * failing handler below cannot take it with it. */
    store_stage(svc->store, svc->model);
    int rc = act->handler(&c);
    if (rc != 0 && model_has_changes(svc->model))
        service_rollback(svc);
    notify_changed(svc);
    /* Mutations and reads alike wait until what they saw is durable: a reply never shows
     * state that a crash could take back. The wait runs without the lock, so requests that
     * arrive meanwhile join the same group commit. */
    p->ticket = store_stage(svc->store, svc->model);
    pthread_mutex_unlock(&svc->lock);
    p->succeeded = rc == 0;

    if (rc != 0) {
        if (!c.err.code)
            merr_set(&c.err, "InternalError", "The action failed without a reason.");
        ec2_error(resp, status_for(c.err.code), c.err.code, c.err.message, p->request_id);
    } else {
        resp->status = 200;
        resp->content_type = "text/xml;charset=UTF-8";
        strbuf_puts(&resp->body, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<");
        strbuf_puts(&resp->body, act->name);
        strbuf_puts(&resp->body, "Response xmlns=\"" EC2_NS "\"><requestId>");
        strbuf_puts(&resp->body, p->request_id);
        strbuf_puts(&resp->body, "</requestId>");
        strbuf_append(&resp->body, members.data ? members.data : "", members.len);
        strbuf_puts(&resp->body, "</");
        strbuf_puts(&resp->body, act->name);
        strbuf_puts(&resp->body, "Response>");
    }
    api_ctx_release(&c);
    strbuf_destroy(&members);
}

void service_finish(struct service *svc, const struct service_pending *p,
                    struct service_response *resp)
{
    if (store_wait(svc->store, p->ticket) == 0)
        return;
    pthread_mutex_lock(&svc->lock);
    service_rollback(svc);
    notify_changed(svc);
    pthread_mutex_unlock(&svc->lock);
    /* A failed action already says why; a successful one must not claim a lost change. */
    if (p->succeeded)
        ec2_error(resp, 500, "InternalError", "The state store could not commit the change.",
                  p->request_id);
}

static void handle_reset(struct service *svc, struct service_response *resp)
{
    pthread_mutex_lock(&svc->lock);
    /* Staged changes of earlier requests land first, or they would outlive the wipe. */
    if (store_wait(svc->store, store_stage(svc->store, svc->model)) != 0)
        store_recover(svc->store);
    int rc = store_wipe(svc->store);
    if (rc == 0) {
        struct model *fresh = model_new(&svc->model->cfg);
        fresh->clock = svc->model->clock;
        fresh->clock_ctx = svc->model->clock_ctx;
        fresh->clock_offset = svc->model->clock_offset;
        model_free(svc->model);
        svc->model = fresh;
    }
    notify_changed(svc);
    pthread_mutex_unlock(&svc->lock);
    resp->status = rc == 0 ? 200 : 500;
    resp->content_type = "text/plain";
    strbuf_puts(&resp->body, rc == 0 ? "reset\n" : "reset failed\n");
}

/* Dev mode only: moves vpcd's clock forward by "advance=SECONDS" so tests can watch timed
 * transitions (a pending peering expiring after 7 days). Replies with the clock's new value. */
static void handle_clock(struct service *svc, const struct service_request *req,
                         struct service_response *resp)
{
    long long advance = 0;
    const char *p = req->query ? strstr(req->query, "advance=") : NULL;
    char *end = NULL;
    if (p)
        advance = strtoll(p + 8, &end, 10);
    resp->content_type = "text/plain";
    if (!p || end == p + 8 || (*end && *end != '&') || advance < 0) {
        resp->status = 400;
        strbuf_puts(&resp->body, "expected ?advance=SECONDS (a non-negative integer)\n");
        return;
    }
    pthread_mutex_lock(&svc->lock);
    svc->model->clock_offset += (time_t)advance;
    long long now = (long long)model_now(svc->model);
    pthread_mutex_unlock(&svc->lock);
    resp->status = 200;
    strbuf_printf(&resp->body, "%lld\n", now);
}

bool service_start(struct service *svc, const struct service_request *req,
                   struct service_response *resp, struct service_pending *p)
{
    memset(p, 0, sizeof *p);
    char *request_id = p->request_id;
    id_request(request_id);
    strbuf_init(&resp->body);
    __atomic_add_fetch(&svc->n_requests, 1, __ATOMIC_RELAXED);

    if (strncmp(req->path, "/_vpcd/", 7) == 0) {
        if (strcmp(req->path, "/_vpcd/health") == 0) {
            resp->status = 200;
            resp->content_type = "text/plain";
            strbuf_puts(&resp->body, "ok\n");
        } else if (strcmp(req->path, "/_vpcd/metrics") == 0 && strcmp(req->method, "GET") == 0) {
            resp->status = 200;
            resp->content_type = "text/plain; version=0.0.4";
            strbuf_printf(&resp->body,
                          "# HELP vpcd_api_requests_total API requests served.\n"
                          "# TYPE vpcd_api_requests_total counter\nvpcd_api_requests_total %lu\n",
                          __atomic_load_n(&svc->n_requests, __ATOMIC_RELAXED));
            pthread_mutex_lock(&svc->lock);
            if (svc->hooks.metrics)
                svc->hooks.metrics(svc->hooks.ctx, &resp->body);
            pthread_mutex_unlock(&svc->lock);
        } else if (strcmp(req->path, "/_vpcd/reset") == 0 && svc->dev &&
                   strcmp(req->method, "POST") == 0) {
            handle_reset(svc, resp);
        } else if (strcmp(req->path, "/_vpcd/clock") == 0 && svc->dev &&
                   strcmp(req->method, "POST") == 0) {
            handle_clock(svc, req, resp);
        } else {
            resp->status = 404;
            resp->content_type = "text/plain";
            strbuf_puts(&resp->body, "not found\n");
        }
        return true;
    }

    struct sigv4_request sreq = {
        .method = req->method,
        .path = req->path,
        .query = req->query,
        .headers = req->headers,
        .n_headers = req->n_headers,
        .body = req->body,
        .body_len = req->body_len,
    };
    struct sigv4_result auth;
    char account[13] = DEFAULT_ACCOUNT, region[64] = DEFAULT_REGION, service[64] = "ec2";
    if (svc->dev) {
        /* --dev trusts the caller: a 12-digit key id names the account. */
        if (sigv4_parse_credential(&sreq, &auth) == 0) {
            if (account_valid(auth.cred.access_key))
                snprintf(account, sizeof account, "%.12s", auth.cred.access_key);
            else if (find_cred(svc, auth.cred.access_key))
                snprintf(account, sizeof account, "%s", find_cred(svc, auth.cred.access_key)->account);
            snprintf(region, sizeof region, "%s", auth.cred.region);
            snprintf(service, sizeof service, "%s", auth.cred.service);
        }
    } else {
        if (sigv4_verify(&sreq, time(NULL), secret_lookup, svc, &auth) != 0) {
            ec2_error(resp, auth.http_status ? auth.http_status : status_for(auth.error_code),
                      auth.error_code, auth.message, request_id);
            return true;
        }
        str_copy(account, sizeof account, find_cred(svc, auth.cred.access_key)->account);
        str_copy(region, sizeof region, auth.cred.region);
        str_copy(service, sizeof service, auth.cred.service);
    }
    if (!region_valid(region)) {
        char msg[160];
        snprintf(msg, sizeof msg, "Credential should be scoped to a valid region, not '%s'.",
                 region);
        ec2_error(resp, 403, "SignatureDoesNotMatch", msg, request_id);
        return true;
    }

    struct query q;
    query_init(&q);
    int prc = 0;
    if (req->query && *req->query)
        prc = query_parse(&q, req->query, strlen(req->query));
    if (prc == 0 && req->body_len && is_form_body(req))
        prc = query_parse(&q, (const char *)req->body, req->body_len);
    query_finish(&q);
    if (prc != 0) {
        ec2_error(resp, 400, "MalformedQueryString",
                  "The query string is malformed: a percent escape is invalid or a key is empty.",
                  request_id);
        query_destroy(&q);
        return true;
    }

    if (strcmp(service, "sts") == 0) {
        sts_handle(account, &q, request_id, resp);
        query_destroy(&q);
        return true;
    }
    if (strcmp(service, "ec2") != 0) {
        char msg[160];
        snprintf(msg, sizeof msg, "vpcd does not serve the service '%s'.", service);
        ec2_error(resp, 400, "InvalidAction", msg, request_id);
        query_destroy(&q);
        return true;
    }

    const char *action = query_get(&q, "Action");
    if (!action || !*action) {
        ec2_error(resp, 400, "MissingAction", "The request must contain the parameter Action",
                  request_id);
        query_destroy(&q);
        return true;
    }
    const struct api_action *act = api_find_action(action);
    if (!act) {
        char msg[256];
        snprintf(msg, sizeof msg, "The action %.128s is not valid for this web service.", action);
        ec2_error(resp, 400, "InvalidAction", msg, request_id);
        query_destroy(&q);
        return true;
    }
    const char *dry = query_get(&q, "DryRun");
    if (dry && strcasecmp(dry, "true") == 0) {
        ec2_error(resp, 412, "DryRunOperation",
                  "Request would have succeeded, but DryRun flag is set.", request_id);
        query_destroy(&q);
        return true;
    }
    run_ec2_action(svc, act, account, region, &q, p, resp);
    query_destroy(&q);
    return store_durable(svc->store, p->ticket);
}

void service_handle(struct service *svc, const struct service_request *req,
                    struct service_response *resp)
{
    struct service_pending p;
    if (!service_start(svc, req, resp, &p))
        service_finish(svc, &p, resp);
}

static const struct api_action *const action_tables[] = {
    vpc_actions, subnet_actions, rtb_actions, sg_actions,     nacl_actions,
    igw_actions, pl_actions,     tag_actions, region_actions, peering_actions,
    tgw_actions, eip_actions,    nat_actions, instance_actions, eni_actions,
    insights_actions, flowlog_actions,
};

const struct api_action *api_find_action(const char *name)
{
    for (size_t t = 0; t < sizeof action_tables / sizeof action_tables[0]; t++)
        for (const struct api_action *a = action_tables[t]; a->name; a++)
            if (strcmp(a->name, name) == 0)
                return a;
    return NULL;
}

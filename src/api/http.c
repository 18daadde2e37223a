#include "api/http.h"

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/strbuf.h"
#include "lib/xalloc.h"
#include "store/store.h"

#define HTTP_MAX_BODY (16u << 20)
#define HTTP_MAX_HEADERS 64

/* One in-flight request; created by the URI callback, freed on completion. */
struct http_request {
    char *uri; /* raw, with the query string */
    struct strbuf body;
    bool started;
    bool too_large;
    /* A reply waiting for its group commit: the connection is suspended meanwhile. */
    struct MHD_Connection *con;
    struct service_response resp;
    struct service_pending pending;
    bool waiting;  /* resp is built; send it when resumed */
    struct http_request *next_waiting;
};

/* With fsync, replies wait for their group commit without holding a thread: the request's
 * connection is suspended, and the committer thread makes everything staged durable (one
 * journal record, one sync) and resumes the connections it covered. So the few polling
 * threads keep serving other connections meanwhile, and every client's change can join the
 * next group. Without fsync a commit is a write() and the polling thread waits for it. */
struct http_server {
    struct MHD_Daemon *daemon;
    struct service *svc;
    pthread_t committer;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    struct http_request *waiting; /* suspended, not yet covered by a commit */
    bool stopping;
};

static void *uri_cb(void *cls, const char *uri, struct MHD_Connection *con)
{
    (void)cls;
    (void)con;
    struct http_request *r = xcalloc(1, sizeof *r);
    r->uri = xstrdup(uri ? uri : "/");
    strbuf_init(&r->body);
    return r;
}

static void completed_cb(void *cls, struct MHD_Connection *con, void **req_cls,
                         enum MHD_RequestTerminationCode toe)
{
    (void)cls;
    (void)con;
    (void)toe;
    struct http_request *r = *req_cls;
    if (!r)
        return;
    if (r->waiting)
        service_response_destroy(&r->resp);
    free(r->uri);
    strbuf_destroy(&r->body);
    free(r);
    *req_cls = NULL;
}

struct header_list {
    struct sigv4_header items[HTTP_MAX_HEADERS];
    size_t n;
};

static enum MHD_Result header_cb(void *cls, enum MHD_ValueKind kind, const char *key,
                                 const char *value)
{
    (void)kind;
    struct header_list *h = cls;
    if (h->n < HTTP_MAX_HEADERS) {
        h->items[h->n].name = key;
        h->items[h->n].value = value ? value : "";
        h->n++;
    }
    return MHD_YES;
}

static enum MHD_Result reply(struct MHD_Connection *con, int status, const char *type,
                             char *body, size_t len)
{
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
    MHD_add_response_header(resp, "Content-Type", type);
    enum MHD_Result rc = MHD_queue_response(con, (unsigned)status, resp);
    MHD_destroy_response(resp);
    return rc;
}

static enum MHD_Result send_waiting_reply(struct http_server *srv, struct http_request *r,
                                         struct MHD_Connection *con)
{
    r->waiting = false;
    service_finish(srv->svc, &r->pending, &r->resp);
    size_t len = r->resp.body.len;
    return reply(con, r->resp.status, r->resp.content_type, strbuf_steal(&r->resp.body), len);
}

static enum MHD_Result suspend(struct http_server *srv, struct http_request *r,
                               struct MHD_Connection *con)
{
    r->waiting = true;
    pthread_mutex_lock(&srv->lock);
    if (srv->stopping) {
        /* The committer is gone or going: wait here instead. */
        pthread_mutex_unlock(&srv->lock);
        return send_waiting_reply(srv, r, con);
    }
    r->con = con;
    MHD_suspend_connection(con);
    r->next_waiting = srv->waiting;
    srv->waiting = r;
    pthread_cond_signal(&srv->wake);
    pthread_mutex_unlock(&srv->lock);
    return MHD_YES;
}

static enum MHD_Result access_cb(void *cls, struct MHD_Connection *con, const char *url,
                                 const char *method, const char *version,
                                 const char *upload_data, size_t *upload_data_size,
                                 void **req_cls)
{
    (void)url;
    (void)version;
    struct http_server *srv = cls;
    struct http_request *r = *req_cls;
    if (!r)
        return MHD_NO;
    if (r->waiting)
        return send_waiting_reply(srv, r, con);
    if (!r->started) {
        r->started = true;
        return MHD_YES;
    }
    if (*upload_data_size) {
        if (r->body.len + *upload_data_size > HTTP_MAX_BODY)
            r->too_large = true;
        else
            strbuf_append(&r->body, upload_data, *upload_data_size);
        *upload_data_size = 0;
        return MHD_YES;
    }
    if (r->too_large) {
        static const char msg[] = "request body too large\n";
        return reply(con, 413, "text/plain", xstrdup(msg), sizeof msg - 1);
    }

    struct header_list headers = {.n = 0};
    MHD_get_connection_values(con, MHD_HEADER_KIND, header_cb, &headers);
    char *query = strchr(r->uri, '?');
    if (query)
        *query++ = '\0';
    struct service_request sreq = {
        .method = method,
        .path = r->uri,
        .query = query ? query : "",
        .headers = headers.items,
        .n_headers = headers.n,
        .body = (const unsigned char *)(r->body.data ? r->body.data : ""),
        .body_len = r->body.len,
    };
    if (!service_start(srv->svc, &sreq, &r->resp, &r->pending)) {
        /* Without fsync a commit is one write() into the page cache: waiting for it here
         * costs less than suspending the connection and waking the committer and then this
         * thread again. A sync takes a disk round trip, which other requests should not
         * wait behind. */
        if (!store_syncs(srv->svc->store))
            return send_waiting_reply(srv, r, con);
        return suspend(srv, r, con);
    }
    size_t len = r->resp.body.len;
    return reply(con, r->resp.status, r->resp.content_type, strbuf_steal(&r->resp.body), len);
}

/* The committer: takes every waiting request, waits for the newest ticket among them (which
 * writes every group staged up to it), and resumes them. On stop it empties the list first. */
static void *committer_main(void *arg)
{
    struct http_server *srv = arg;
    pthread_mutex_lock(&srv->lock);
    for (;;) {
        while (!srv->waiting && !srv->stopping)
            pthread_cond_wait(&srv->wake, &srv->lock);
        if (!srv->waiting)
            break;
        struct http_request *batch = srv->waiting;
        srv->waiting = NULL;
        pthread_mutex_unlock(&srv->lock);
        uint64_t upto = 0;
        for (struct http_request *r = batch; r; r = r->next_waiting)
            if (r->pending.ticket > upto)
                upto = r->pending.ticket;
        store_wait(srv->svc->store, upto);
        while (batch) {
            struct http_request *r = batch;
            batch = r->next_waiting;
            MHD_resume_connection(r->con);
        }
        pthread_mutex_lock(&srv->lock);
    }
    pthread_mutex_unlock(&srv->lock);
    return NULL;
}

static void stop_committer(struct http_server *srv)
{
    pthread_mutex_lock(&srv->lock);
    srv->stopping = true;
    pthread_cond_signal(&srv->wake);
    pthread_mutex_unlock(&srv->lock);
    pthread_join(srv->committer, NULL);
}

static void server_free(struct http_server *srv)
{
    pthread_cond_destroy(&srv->wake);
    pthread_mutex_destroy(&srv->lock);
    free(srv);
}

int http_start(struct service *svc, const char *listen, unsigned threads,
               struct http_server **out)
{
    *out = NULL;
    char host[64];
    const char *colon = strrchr(listen, ':');
    if (!colon || (size_t)(colon - listen) >= sizeof host)
        return -EINVAL;
    memcpy(host, listen, (size_t)(colon - listen));
    host[colon - listen] = '\0';
    long port = strtol(colon + 1, NULL, 10);
    if (port <= 0 || port > 65535)
        return -EINVAL;
    struct sockaddr_in addr;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_port = htons((uint16_t)port);
    if (inet_pton(AF_INET, host, &addr.sin_addr) != 1)
        return -EINVAL;

    struct http_server *srv = xcalloc(1, sizeof *srv);
    srv->svc = svc;
    pthread_mutex_init(&srv->lock, NULL);
    pthread_cond_init(&srv->wake, NULL);
    if (pthread_create(&srv->committer, NULL, committer_main, srv) != 0) {
        pthread_cond_destroy(&srv->wake);
        pthread_mutex_destroy(&srv->lock);
        free(srv);
        return -EAGAIN;
    }
    /* Polling threads, each with its own epoll set of connections, one per two CPUs unless
     * told: every action runs under the service lock, so more threads only parallelize
     * HTTP and SigV4, and on 2 CPUs shared with a client one thread served the bench/api mix
     * faster (22.7-27.8k against 20.2-24.2k req/s) and with a shorter tail (p99 1.2-1.5
     * against 1.5-3.7 ms) than two, which contended for the lock and the CPUs. */
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    unsigned pool = threads ? threads : cpus < 4 ? 1u : cpus > 16 ? 8u : (unsigned)(cpus / 2);
    /* One polling thread is libmicrohttpd's internal thread without a pool: the option is
     * left out, since a pool size of 1 (or 0) is ignored with a warning. */
    struct MHD_OptionItem pool_option[] = {
        {pool > 1 ? MHD_OPTION_THREAD_POOL_SIZE : MHD_OPTION_END, (intptr_t)pool, NULL},
        {MHD_OPTION_END, 0, NULL},
    };
    srv->daemon = MHD_start_daemon(
        MHD_USE_EPOLL_INTERNAL_THREAD | MHD_ALLOW_SUSPEND_RESUME | MHD_USE_TURBO |
            MHD_USE_ERROR_LOG,
        (uint16_t)port, NULL, NULL, access_cb, srv, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
        MHD_OPTION_ARRAY, pool_option, MHD_OPTION_URI_LOG_CALLBACK, uri_cb, NULL,
        MHD_OPTION_NOTIFY_COMPLETED, completed_cb, NULL, MHD_OPTION_CONNECTION_TIMEOUT, 60u,
        MHD_OPTION_LISTENING_ADDRESS_REUSE, 1u, MHD_OPTION_END);
    if (!srv->daemon) {
        stop_committer(srv);
        server_free(srv);
        return -EADDRINUSE;
    }
    *out = srv;
    return 0;
}

void http_stop(struct http_server *srv)
{
    if (!srv)
        return;
    /* Resume every suspended connection before the daemon goes: a request that suspends
     * after this waits on its own thread. */
    stop_committer(srv);
    MHD_stop_daemon(srv->daemon);
    server_free(srv);
}

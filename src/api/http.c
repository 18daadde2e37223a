#include "api/http.h"

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/strbuf.h"
#include "lib/xalloc.h"

#define HTTP_MAX_BODY (16u << 20)
#define HTTP_MAX_HEADERS 64

struct http_server {
    struct MHD_Daemon *daemon;
    struct service *svc;
};

/* One in-flight request; created by the URI callback, freed on completion. */
struct http_request {
    char *uri; /* raw, with the query string */
    struct strbuf body;
    bool started;
    bool too_large;
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
    struct service_response resp;
    service_handle(srv->svc, &sreq, &resp);
    size_t len = resp.body.len;
    return reply(con, resp.status, resp.content_type, strbuf_steal(&resp.body), len);
}

int http_start(struct service *svc, const char *listen, struct http_server **out)
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
    /* One thread per connection: a request blocks its thread until the group commit holding
     * its change is durable, so a fixed pool of N threads would let at most N requests share
     * a sync (and one slow client would stall the others on its thread). With a thread per
     * keep-alive connection every client's request can join the next group. */
    srv->daemon = MHD_start_daemon(
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION | MHD_USE_POLL |
            MHD_USE_TURBO | MHD_USE_ERROR_LOG,
        (uint16_t)port, NULL, NULL, access_cb, srv, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
        MHD_OPTION_URI_LOG_CALLBACK, uri_cb, NULL, MHD_OPTION_NOTIFY_COMPLETED, completed_cb, NULL,
        MHD_OPTION_CONNECTION_TIMEOUT, 60u, MHD_OPTION_LISTENING_ADDRESS_REUSE, 1u, MHD_OPTION_END);
    if (!srv->daemon) {
        free(srv);
        return -EADDRINUSE;
    }
    *out = srv;
    return 0;
}

void http_stop(struct http_server *srv)
{
    if (!srv)
        return;
    MHD_stop_daemon(srv->daemon);
    free(srv);
}

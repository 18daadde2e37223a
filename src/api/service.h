/* The API service: authenticates a request, routes it by the credential scope's service
 * (ec2 or sts), runs the action against the model under one lock, makes the change durable,
 * and builds the reply. Transport-neutral so tests and benchmarks can call it directly. */
#ifndef VPCD_API_SERVICE_H
#define VPCD_API_SERVICE_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "api/sigv4.h"
#include "lib/strbuf.h"
#include "model/model.h"
#include "store/store.h"

struct credential {
    char access_key[129];
    char secret[129];
    char account[13];
};

/* What the rest of vpcd (the data plane) wants to hear from the service. Both callbacks run
 * with the service lock held, so the model they see is consistent and not changing. */
struct service_hooks {
    void *ctx;
    /* After every request that may have changed the model (and after a reset or reload). */
    void (*changed)(void *ctx, const struct model *m);
    /* GET /_vpcd/metrics: appends Prometheus text. */
    void (*metrics)(void *ctx, struct strbuf *out);
};

struct service {
    struct model *model; /* owned */
    struct service_hooks hooks;
    struct store *store; /* owned */
    pthread_mutex_t lock; /* serialises model mutations and their commits */
    bool dev;             /* --dev: no signature checks; reset endpoint */
    struct credential *creds;
    size_t n_creds;
    unsigned long n_requests;
};

struct service_request {
    const char *method;
    const char *path;
    const char *query; /* raw query string, "" if none */
    const struct sigv4_header *headers;
    size_t n_headers;
    const unsigned char *body;
    size_t body_len;
};

struct service_response {
    int status;
    const char *content_type; /* static */
    struct strbuf body;       /* owned by the response; service_response_destroy() frees it */
};

/* Takes ownership of model and store. Returns 0 or a negative errno. */
int service_init(struct service *svc, struct model *model, struct store *store, bool dev);
void service_destroy(struct service *svc);
/* Installs the hooks (copied) and calls `changed` once for the current model. */
void service_set_hooks(struct service *svc, const struct service_hooks *h);
/* Reads "ACCESS_KEY SECRET ACCOUNT" lines ('#' comments). Returns 0 or a negative errno. */
int service_load_credentials(struct service *svc, const char *path);
/* Handles a request and fills resp, blocking until the change it made (or the state it
 * read) is durable. */
void service_handle(struct service *svc, const struct service_request *req,
                    struct service_response *resp);

/* The same in two steps, for a front end that serves other requests while a reply waits for
 * its group commit. service_start() runs the request and fills resp; it returns true when
 * resp can be sent now, false when it must wait until p->ticket is durable (store_wait() or
 * store_durable()), after which service_finish() settles it (and replaces resp if the commit
 * failed). */
struct service_pending {
    uint64_t ticket;       /* the store's group holding what the reply shows */
    bool succeeded;        /* the action itself succeeded */
    char request_id[37];
};
bool service_start(struct service *svc, const struct service_request *req,
                   struct service_response *resp, struct service_pending *p);
void service_finish(struct service *svc, const struct service_pending *p,
                    struct service_response *resp);
void service_response_destroy(struct service_response *resp);

#endif

/* The HTTP front end on libmicrohttpd: collects a request (raw URI, headers, body) and hands
 * it to the service. Keep-alive and the polling threads (epoll) come from libmicrohttpd; a
 * reply that waits for a synced group commit suspends its connection rather than a thread. */
#ifndef VPCD_API_HTTP_H
#define VPCD_API_HTTP_H

#include "api/service.h"

struct http_server;

/* listen is "ADDR:PORT"; threads is the number of polling threads, 0 for one per two CPUs. svc is
 * borrowed for the server's lifetime. *out is caller-owned and released with http_stop().
 * Returns 0 or a negative errno. */
int http_start(struct service *svc, const char *listen, unsigned threads,
               struct http_server **out);
void http_stop(struct http_server *srv);

#endif

/* The HTTP front end on libmicrohttpd: collects a request (raw URI, headers, body) and hands
 * it to the service. Keep-alive and a thread per connection come from libmicrohttpd. */
#ifndef VPCD_API_HTTP_H
#define VPCD_API_HTTP_H

#include "api/service.h"

struct http_server;

/* listen is "ADDR:PORT". svc is borrowed for the server's lifetime. *out is caller-owned and
 * released with http_stop(). Returns 0 or a negative errno. */
int http_start(struct service *svc, const char *listen, struct http_server **out);
void http_stop(struct http_server *srv);

#endif

/* EC2 Query protocol parameters: a decoded application/x-www-form-urlencoded set of
 * key/value pairs, with helpers for the protocol's flattened lists ("Filter.1.Value.2"). */
#ifndef VPCD_API_QUERY_H
#define VPCD_API_QUERY_H

#include <stdbool.h>
#include <stddef.h>

struct query_param {
    char *key;   /* owned by the query */
    char *value; /* owned by the query */
};

struct query {
    struct query_param *params; /* sorted by key after query_finish() */
    size_t n;
    size_t cap;
};

void query_init(struct query *q);
void query_destroy(struct query *q);
/* Decodes "a=1&b=2" (percent-escapes and '+') and adds the pairs. Returns 0, or -EINVAL on
 * a malformed escape or an empty key (the caller answers MalformedQueryString). */
int query_parse(struct query *q, const char *data, size_t len);
/* Sorts the pairs so lookups work; a repeated key keeps its first value. */
void query_finish(struct query *q);
/* Borrowed until query_destroy(). NULL if absent. */
const char *query_get(const struct query *q, const char *key);
const char *query_getf(const struct query *q, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* True if some key equals prefix or starts with prefix + ".". */
bool query_has_prefix(const struct query *q, const char *prefix);
/* Number of list members "<prefix>.1", "<prefix>.2" ... counting from 1 until the first gap. */
size_t query_list_len(const struct query *q, const char *prefix);
/* Percent-decodes in place-free fashion into out (len+1 bytes). Returns decoded length or -1. */
long query_decode_component(const char *in, size_t len, char *out);

#endif

/* Compact JSON text written straight into a buffer: the store's fast path for encoding
 * resources (struct res_class.encode_text), which skips building a jansson tree for every
 * object on every mutation. What it writes must read back (json_loads) to exactly what the
 * class's encode() builds; tests/unit/test_store.c checks that for every class that has one.
 *
 * Ownership: struct res_text and its buffer belong to the caller (the store); the writer
 * functions only append. */
#ifndef VPCD_MODEL_JSONTEXT_H
#define VPCD_MODEL_JSONTEXT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "lib/strbuf.h"

struct res_text {
    struct strbuf sb; /* the text written so far */
    /* Called after each element of split field `field` (an index into the class's split[])
     * was written into sb as one JSON value; it takes the text and empties sb. */
    void (*elem_done)(struct res_text *t, int field);
    /* Optional (see res_text_unchanged): whether the element about to be written at the next
     * index of `field` is known to be the one stored there. */
    bool (*elem_unchanged)(struct res_text *t, int field, const void *raw, size_t len);
    void *ctx;
    bool bad; /* a string was not valid UTF-8: the caller must use encode() instead */
};

/* One JSON object being written: jt_begin() ... members ... jt_end(). */
struct jt {
    struct res_text *t;
    bool first;
};

void jt_begin(struct jt *o, struct res_text *t);
void jt_end(struct jt *o);
void jt_str(struct jt *o, const char *key, const char *value);
void jt_int(struct jt *o, const char *key, long long value);
void jt_bool(struct jt *o, const char *key, bool value);
/* Any jansson value (takes ownership: it is freed), for members not worth a text encoder. */
void jt_json(struct jt *o, const char *key, json_t *value);
/* An array of strings: jt_array_begin(), jt_array_str() for index 0, 1 ..., jt_array_end(). */
void jt_array_begin(struct jt *o, const char *key);
void jt_array_str(struct res_text *t, size_t index, const char *value);
void jt_array_end(struct res_text *t);
/* Ends one split element: hands the text to the caller. */
void res_text_elem(struct res_text *t, int field);
/* Before writing the next element of split field `field`, for an element whose text is a
 * function of the len bytes at raw alone (a struct without pointers, zeroed when made): true
 * when the caller already holds this element at this index, unchanged; the encoder then
 * skips it (it still counts as written). Saves re-encoding a 200-subnet ACL's associations
 * to add one. False when the caller does not track elements. */
bool res_text_unchanged(struct res_text *t, int field, const void *raw, size_t len);

struct tag_list;
/* Tags as tags_encode() builds them: {"key":"value",...}. */
void jt_tags(struct res_text *t, const struct tag_list *tags);
void jt_member_tags(struct jt *o, const char *key, const struct tag_list *tags);

/* A JSON string literal for s (with quotes), or t->bad set when s is not valid UTF-8. */
void jt_string(struct res_text *t, const char *s);
/* Any jansson value as compact text (the store's fallback path uses it too). */
void jt_value(struct res_text *t, const json_t *v);

#endif

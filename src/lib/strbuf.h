/* Growable byte buffer. The strbuf owns its bytes; strbuf_destroy() frees them. */
#ifndef VPCD_LIB_STRBUF_H
#define VPCD_LIB_STRBUF_H

#include <stdarg.h>
#include <stddef.h>

struct strbuf {
    char *data; /* always NUL-terminated once anything was appended */
    size_t len;
    size_t cap;
};

void strbuf_init(struct strbuf *sb);
void strbuf_destroy(struct strbuf *sb);
void strbuf_reset(struct strbuf *sb);
void strbuf_append(struct strbuf *sb, const char *s, size_t n);
void strbuf_puts(struct strbuf *sb, const char *s);
void strbuf_printf(struct strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void strbuf_vprintf(struct strbuf *sb, const char *fmt, va_list ap);
/* Appends s with the five XML special characters escaped. */
void strbuf_xml_escaped(struct strbuf *sb, const char *s);
/* Hands the bytes to the caller (who frees them) and leaves sb empty. */
char *strbuf_steal(struct strbuf *sb);

/* Copies src into dst[size], cut to fit, always NUL-terminated (size > 0). For the fixed
 * fields (ids, accounts, regions) filled on every request, where snprintf("%s") cost tenfold. */
void str_copy(char *dst, size_t size, const char *src);

#endif

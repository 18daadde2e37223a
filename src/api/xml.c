#include <stdio.h>
#include <string.h>

#include "api/api.h"

/* Every reply is built from these, one element at a time, so they append directly instead of
 * going through strbuf_printf() (which formats each element twice: to measure, then to write). */

static void xml_tag(struct strbuf *sb, const char *open, const char *tag, const char *close)
{
    strbuf_puts(sb, open);
    strbuf_puts(sb, tag);
    strbuf_append(sb, close, strlen(close));
}

void xml_open(struct strbuf *sb, const char *tag)
{
    xml_tag(sb, "<", tag, ">");
}

void xml_close(struct strbuf *sb, const char *tag)
{
    xml_tag(sb, "</", tag, ">");
}

void xml_str(struct strbuf *sb, const char *tag, const char *value)
{
    if (!value)
        return;
    xml_open(sb, tag);
    strbuf_xml_escaped(sb, value);
    xml_close(sb, tag);
}

void xml_bool(struct strbuf *sb, const char *tag, bool value)
{
    xml_open(sb, tag);
    strbuf_puts(sb, value ? "true" : "false");
    xml_close(sb, tag);
}

void xml_int(struct strbuf *sb, const char *tag, long long value)
{
    char num[24];
    int n = snprintf(num, sizeof num, "%lld", value);
    xml_open(sb, tag);
    strbuf_append(sb, num, (size_t)n);
    xml_close(sb, tag);
}

void xml_empty(struct strbuf *sb, const char *tag)
{
    xml_tag(sb, "<", tag, "/>");
}

void xml_tags(struct strbuf *sb, const struct tag_list *tags)
{
    xml_open(sb, "tagSet");
    for (size_t i = 0; i < tags->n; i++) {
        xml_open(sb, "item");
        xml_str(sb, "key", tags->items[i].key);
        xml_str(sb, "value", tags->items[i].value);
        xml_close(sb, "item");
    }
    xml_close(sb, "tagSet");
}

void xml_return_true(struct strbuf *sb)
{
    xml_bool(sb, "return", true);
}

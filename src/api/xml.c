#include <stdio.h>
#include <string.h>

#include "api/api.h"

void xml_open(struct strbuf *sb, const char *tag)
{
    strbuf_printf(sb, "<%s>", tag);
}

void xml_close(struct strbuf *sb, const char *tag)
{
    strbuf_printf(sb, "</%s>", tag);
}

void xml_str(struct strbuf *sb, const char *tag, const char *value)
{
    if (!value)
        return;
    strbuf_printf(sb, "<%s>", tag);
    strbuf_xml_escaped(sb, value);
    strbuf_printf(sb, "</%s>", tag);
}

void xml_bool(struct strbuf *sb, const char *tag, bool value)
{
    strbuf_printf(sb, "<%s>%s</%s>", tag, value ? "true" : "false", tag);
}

void xml_int(struct strbuf *sb, const char *tag, long long value)
{
    strbuf_printf(sb, "<%s>%lld</%s>", tag, value, tag);
}

void xml_empty(struct strbuf *sb, const char *tag)
{
    strbuf_printf(sb, "<%s/>", tag);
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

/* libxml2 DOM -> the owned element tree of ctl_xml.h. */
#include "ctl/ctl_xml.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "lib/strbuf.h"
#include "lib/xalloc.h"

static size_t ctl_xml_count_elements(const xmlNode *first)
{
    size_t n = 0;
    for (const xmlNode *c = first; c; c = c->next)
        n += c->type == XML_ELEMENT_NODE;
    return n;
}

static char *ctl_xml_trimmed(const char *s, size_t n)
{
    while (n > 0 && isspace((unsigned char)*s)) {
        s++;
        n--;
    }
    while (n > 0 && isspace((unsigned char)s[n - 1]))
        n--;
    return xstrndup(s, n);
}

/* libxml2 bounds the depth of what it parses (256 levels), so this recursion is bounded. */
static void ctl_xml_convert(const xmlNode *src, struct ctl_xml_node *dst)
{
    dst->name = xstrdup(src->name ? (const char *)src->name : "");
    struct strbuf text;
    strbuf_init(&text);
    for (const xmlNode *c = src->children; c; c = c->next)
        if ((c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) && c->content)
            strbuf_puts(&text, (const char *)c->content);
    dst->text = ctl_xml_trimmed(text.data ? text.data : "", text.len);
    strbuf_destroy(&text);
    dst->n_kids = ctl_xml_count_elements(src->children);
    dst->kids = dst->n_kids ? xcalloc(dst->n_kids, sizeof *dst->kids) : NULL;
    size_t i = 0;
    for (const xmlNode *c = src->children; c; c = c->next)
        if (c->type == XML_ELEMENT_NODE)
            ctl_xml_convert(c, &dst->kids[i++]);
}

struct ctl_xml_node *ctl_xml_parse(const char *buf, size_t len)
{
    if (buf == NULL || len == 0 || len > INT_MAX)
        return NULL;
    /* No NOENT (entities stay unexpanded), no DTD loading, no network. */
    xmlDoc *doc = xmlReadMemory(buf, (int)len, "reply.xml", NULL,
                                XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    if (doc == NULL)
        return NULL;
    const xmlNode *root = xmlDocGetRootElement(doc);
    struct ctl_xml_node *out = NULL;
    if (root != NULL) {
        out = xcalloc(1, sizeof *out);
        ctl_xml_convert(root, out);
    }
    xmlFreeDoc(doc);
    return out;
}

static void ctl_xml_destroy(struct ctl_xml_node *n)
{
    for (size_t i = 0; i < n->n_kids; i++)
        ctl_xml_destroy(&n->kids[i]);
    free(n->kids);
    free(n->name);
    free(n->text);
}

void ctl_xml_free(struct ctl_xml_node *root)
{
    if (root == NULL)
        return;
    ctl_xml_destroy(root);
    free(root);
}

const struct ctl_xml_node *ctl_xml_child(const struct ctl_xml_node *n, const char *name)
{
    if (n == NULL || name == NULL)
        return NULL;
    for (size_t i = 0; i < n->n_kids; i++)
        if (strcmp(n->kids[i].name, name) == 0)
            return &n->kids[i];
    return NULL;
}

const struct ctl_xml_node *ctl_xml_path(const struct ctl_xml_node *n, const char *path)
{
    if (path == NULL)
        return NULL;
    char name[128];
    while (n != NULL && *path) {
        const char *slash = strchr(path, '/');
        size_t len = slash ? (size_t)(slash - path) : strlen(path);
        if (len >= sizeof name)
            return NULL;
        memcpy(name, path, len);
        name[len] = '\0';
        n = ctl_xml_child(n, name);
        path += len + (slash != NULL);
    }
    return n;
}

const char *ctl_xml_text(const struct ctl_xml_node *n, const char *path)
{
    const struct ctl_xml_node *t = ctl_xml_path(n, path);
    return t && t->text[0] ? t->text : NULL;
}

bool ctl_xml_int(const struct ctl_xml_node *n, const char *path, int *out)
{
    const char *s = ctl_xml_text(n, path);
    if (s == NULL)
        return false;
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno != 0 || *end != '\0' || end == s || v < INT_MIN || v > INT_MAX)
        return false;
    *out = (int)v;
    return true;
}

bool ctl_xml_bool(const struct ctl_xml_node *n, const char *path, bool *out)
{
    const char *s = ctl_xml_text(n, path);
    if (s != NULL && strcmp(s, "true") == 0) {
        *out = true;
        return true;
    }
    if (s != NULL && strcmp(s, "false") == 0) {
        *out = false;
        return true;
    }
    return false;
}

const struct ctl_xml_node *ctl_xml_item(const struct ctl_xml_node *n, size_t i)
{
    if (n == NULL)
        return NULL;
    for (size_t k = 0; k < n->n_kids; k++)
        if (strcmp(n->kids[k].name, "item") == 0 && i-- == 0)
            return &n->kids[k];
    return NULL;
}

size_t ctl_xml_n_items(const struct ctl_xml_node *n)
{
    size_t count = 0;
    if (n != NULL)
        for (size_t k = 0; k < n->n_kids; k++)
            count += strcmp(n->kids[k].name, "item") == 0;
    return count;
}

bool ctl_xml_error(const struct ctl_xml_node *root, const char **code, const char **message)
{
    if (root == NULL || strcmp(root->name, "Response") != 0)
        return false;
    const struct ctl_xml_node *e = ctl_xml_path(root, "Errors/Error");
    if (e == NULL)
        return false;
    *code = ctl_xml_text(e, "Code");
    *message = ctl_xml_text(e, "Message");
    return true;
}

void ctl_xml_global_cleanup(void)
{
    xmlCleanupParser();
}

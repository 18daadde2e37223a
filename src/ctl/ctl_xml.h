/* vpcctl's view of an EC2 Query reply: libxml2 parses it into a small owned tree of elements
 * (local names, namespaces dropped), and the accessors below read it. Every accessor accepts
 * NULL and answers NULL for what is missing, so a reply of any shape can be walked without
 * checks at each step: a hostile or broken server cannot crash vpcctl.
 *
 * Ownership: ctl_xml_parse() returns a tree the caller owns (ctl_xml_free, NULL-safe). Nodes
 * and strings the accessors return are borrowed from that tree until it is freed. */
#ifndef VPCD_CTL_XML_H
#define VPCD_CTL_XML_H

#include <stdbool.h>
#include <stddef.h>

struct ctl_xml_node {
    char *name; /* local element name */
    char *text; /* the element's own text, surrounding whitespace trimmed; "" when none */
    struct ctl_xml_node *kids;
    size_t n_kids;
};

/* Parses len bytes. Returns the root element, or NULL when the bytes are not well-formed XML
 * (no network access, no external entities). */
struct ctl_xml_node *ctl_xml_parse(const char *buf, size_t len);
void ctl_xml_free(struct ctl_xml_node *root);

/* The first child named name. */
const struct ctl_xml_node *ctl_xml_child(const struct ctl_xml_node *n, const char *name);
/* Follows a '/'-separated path of child names ("aclRule/ruleNumber"). */
const struct ctl_xml_node *ctl_xml_path(const struct ctl_xml_node *n, const char *path);
/* The text at path, or NULL when the element is missing or its text is empty. */
const char *ctl_xml_text(const struct ctl_xml_node *n, const char *path);
/* The integer at path into *out; false when missing or not a decimal integer in int range. */
bool ctl_xml_int(const struct ctl_xml_node *n, const char *path, int *out);
/* The boolean at path ("true"/"false") into *out; false when missing or something else. */
bool ctl_xml_bool(const struct ctl_xml_node *n, const char *path, bool *out);
/* The i-th <item> child of n (counting only items), or NULL. */
const struct ctl_xml_node *ctl_xml_item(const struct ctl_xml_node *n, size_t i);
size_t ctl_xml_n_items(const struct ctl_xml_node *n);

/* The EC2 error envelope: when root is <Response><Errors><Error>, *code and *message (either
 * may be NULL in the reply: then NULL) and true. Borrowed from root. */
bool ctl_xml_error(const struct ctl_xml_node *root, const char **code, const char **message);

/* Releases libxml2's global state at exit (keeps valgrind's report clean). */
void ctl_xml_global_cleanup(void);

#endif

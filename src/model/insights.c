/* Network Insights paths and analyses: the stored questions and answers of the Reachability
 * Analyzer. The answers are computed by src/analyzer/ (through the API layer), never here. */
#include "model/insights.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "model/classes.h"

/* ---- paths ---- */

void nip_resource_id(const char *id_or_arn, char out[ID_MAX])
{
    const char *id = id_or_arn ? id_or_arn : "";
    if (strncmp(id, "arn:", 4) == 0) {
        const char *slash = strrchr(id, '/');
        id = slash ? slash + 1 : "";
    }
    snprintf(out, ID_MAX, "%s", id);
}

int nip_protocol_number(const char *protocol)
{
    if (!protocol)
        return -1;
    if (strcmp(protocol, "tcp") == 0)
        return 6;
    if (strcmp(protocol, "udp") == 0)
        return 17;
    if (strcmp(protocol, "icmp") == 0) /* not in AWS's enum: vpcd answers ping questions too */
        return 1;
    return -1;
}

static bool given(const char *s)
{
    return s && *s;
}

static int check_port(int port, const char *name, struct merr *err)
{
    if (port != NIP_PORT_NONE && (port < 0 || port > 65535))
        return merr_set(err, "InvalidParameterValue",
                        "Value (%d) for parameter %s is invalid. Expecting a port between 0 and "
                        "65535.",
                        port, name);
    return 0;
}

static int check_ip(const char *ip, const char *name, struct merr *err)
{
    uint32_t addr;
    if (given(ip) && ip4_parse(ip, &addr) != 0)
        return merr_set(err, "InvalidParameterValue",
                        "Value (%s) for parameter %s is invalid. Expecting an IPv4 address.", ip,
                        name);
    return 0;
}

static int check_range(const struct nip_port_range *r, const char *name, struct merr *err)
{
    if (r->from == NIP_PORT_NONE && r->to == NIP_PORT_NONE)
        return 0;
    if (check_port(r->from, name, err) || check_port(r->to, name, err))
        return -1;
    if (r->from > r->to)
        return merr_set(err, "InvalidParameterValue",
                        "The %s FromPort (%d) must not be greater than its ToPort (%d).", name,
                        r->from, r->to);
    return 0;
}

static int check_filter(const struct nip_filter *f, const char *name, struct merr *err)
{
    if (!f->set)
        return 0;
    char what[96];
    snprintf(what, sizeof what, "%s.SourceAddress", name);
    if (check_ip(f->source_address, what, err))
        return -1;
    snprintf(what, sizeof what, "%s.DestinationAddress", name);
    if (check_ip(f->destination_address, what, err))
        return -1;
    snprintf(what, sizeof what, "%s.SourcePortRange", name);
    if (check_range(&f->source_ports, what, err))
        return -1;
    snprintf(what, sizeof what, "%s.DestinationPortRange", name);
    return check_range(&f->destination_ports, what, err);
}

static bool filter_has_ports(const struct nip_filter *f)
{
    return f->set &&
           (f->source_ports.from != NIP_PORT_NONE || f->destination_ports.from != NIP_PORT_NONE);
}

static int nip_validate(const struct nip_create_args *a, struct merr *err)
{
    if (!given(a->source))
        return merr_set(err, "MissingParameter", "The request must contain the parameter Source");
    if (!given(a->protocol))
        return merr_set(err, "MissingParameter", "The request must contain the parameter Protocol");
    int proto = nip_protocol_number(a->protocol);
    if (proto < 0)
        return merr_set(err, "InvalidParameterValue",
                        "Value (%s) for parameter protocol is invalid. Valid values: tcp, udp "
                        "(and icmp in vpcd).",
                        a->protocol);
    if (!given(a->destination) && !given(a->destination_ip) &&
        !(a->at_destination.set && given(a->at_destination.destination_address)) &&
        !(a->at_source.set && given(a->at_source.destination_address)))
        return merr_set(err, "MissingParameter",
                        "The request must contain the parameter Destination (or a destination "
                        "address)");
    /* AWS: FilterAtSource excludes SourceIp and DestinationPort; FilterAtDestination excludes
     * DestinationIp (CreateNetworkInsightsPath parameter documentation). */
    if (a->at_source.set && (given(a->source_ip) || a->destination_port != NIP_PORT_NONE))
        return merr_set(err, "InvalidParameterCombination",
                        "FilterAtSource cannot be combined with SourceIp or DestinationPort.");
    if (a->at_destination.set && given(a->destination_ip))
        return merr_set(err, "InvalidParameterCombination",
                        "FilterAtDestination cannot be combined with DestinationIp.");
    if (check_ip(a->source_ip, "sourceIp", err) ||
        check_ip(a->destination_ip, "destinationIp", err))
        return -1;
    if (check_port(a->destination_port, "destinationPort", err))
        return -1;
    if (check_filter(&a->at_source, "FilterAtSource", err) ||
        check_filter(&a->at_destination, "FilterAtDestination", err))
        return -1;
    /* ICMP has no ports: a port in the question would be silently meaningless. */
    if (proto == 1 && (a->destination_port != NIP_PORT_NONE || filter_has_ports(&a->at_source) ||
                       filter_has_ports(&a->at_destination)))
        return merr_set(err, "InvalidParameterCombination",
                        "Ports cannot be given with protocol icmp.");
    if (given(a->client_token) && strlen(a->client_token) > 64)
        return merr_set(err, "InvalidParameterValue",
                        "Value (%s) for parameter clientToken is invalid. The client token must "
                        "be at most 64 characters.",
                        a->client_token);
    return tags_validate(NULL, a->tags, err);
}

static bool str_same(const char *stored, const char *given_value)
{
    return strcmp(stored, given_value ? given_value : "") == 0;
}

static bool range_same(const struct nip_port_range *x, const struct nip_port_range *y)
{
    return x->from == y->from && x->to == y->to;
}

static bool filter_same(const struct nip_filter *x, const struct nip_filter *y)
{
    if (x->set != y->set)
        return false;
    return !x->set || (strcmp(x->source_address, y->source_address) == 0 &&
                       strcmp(x->destination_address, y->destination_address) == 0 &&
                       range_same(&x->source_ports, &y->source_ports) &&
                       range_same(&x->destination_ports, &y->destination_ports));
}

static bool nip_same_request(const struct nip *p, const struct nip_create_args *a)
{
    char src[ID_MAX], dst[ID_MAX];
    nip_resource_id(a->source, src);
    nip_resource_id(a->destination, dst);
    return strcmp(p->source, src) == 0 && strcmp(p->destination, dst) == 0 &&
           str_same(p->source_ip, a->source_ip) && str_same(p->destination_ip, a->destination_ip) &&
           str_same(p->protocol, a->protocol) && p->destination_port == a->destination_port &&
           filter_same(&p->at_source, &a->at_source) &&
           filter_same(&p->at_destination, &a->at_destination);
}

int nip_prepare(const struct model *m, const struct scope *s, const struct nip_create_args *a,
                struct nip **existing, struct merr *err)
{
    (void)m;
    *existing = NULL;
    if (nip_validate(a, err))
        return -1;
    if (!given(a->client_token))
        return 0;
    struct nip *p;
    SCOPE_FOREACH(p, s, RES_NIP)
    {
        if (strcmp(p->client_token, a->client_token) != 0)
            continue;
        if (!nip_same_request(p, a))
            return merr_set(err, "IdempotentParameterMismatch",
                            "The client token '%s' was already used with different parameters.",
                            a->client_token);
        *existing = p;
        return 0;
    }
    return 0;
}

static void copy_filter(struct nip_filter *dst, const struct nip_filter *src)
{
    *dst = *src;
    if (!src->set) { /* store an absent filter in one canonical form */
        memset(dst, 0, sizeof *dst);
        dst->source_ports.from = dst->source_ports.to = NIP_PORT_NONE;
        dst->destination_ports.from = dst->destination_ports.to = NIP_PORT_NONE;
    }
}

int nip_create(struct model *m, struct scope *s, const struct nip_create_args *a, struct nip **out,
               struct merr *err)
{
    if (nip_validate(a, err))
        return -1;
    struct nip *p = (struct nip *)res_new(m, s, RES_NIP);
    nip_resource_id(a->source, p->source);
    nip_resource_id(a->destination, p->destination);
    snprintf(p->source_ip, sizeof p->source_ip, "%s", a->source_ip ? a->source_ip : "");
    snprintf(p->destination_ip, sizeof p->destination_ip, "%s",
             a->destination_ip ? a->destination_ip : "");
    snprintf(p->protocol, sizeof p->protocol, "%s", a->protocol);
    p->destination_port = a->destination_port;
    copy_filter(&p->at_source, &a->at_source);
    copy_filter(&p->at_destination, &a->at_destination);
    p->created = model_now(m);
    snprintf(p->client_token, sizeof p->client_token, "%s", a->client_token ? a->client_token : "");
    tags_copy(&p->hdr.tags, a->tags);
    *out = p;
    return 0;
}

int nip_delete(struct model *m, struct scope *s, const char *nip_id, struct merr *err)
{
    struct nip *p = (struct nip *)res_lookup(m, s, RES_NIP, nip_id, err);
    if (!p)
        return -1;
    /* AWS refuses with this code and wording (observed: terraform-provider-aws issue 28330),
     * not with DependencyViolation. */
    const struct nia *a;
    SCOPE_FOREACH(a, s, RES_NIA)
    if (strcmp(a->path_id, p->hdr.id) == 0)
        return merr_set(err, "AnalysisExistsForNetworkInsightsPath",
                        "At least one analysis [%s] exists for path %s. Delete all the analyses "
                        "before deleting this network path.",
                        a->hdr.id, p->hdr.id);
    res_delete(m, &p->hdr);
    return 0;
}

/* ---- analyses ---- */

const char *nia_status_name(enum nia_status st)
{
    switch (st) {
    case NIA_RUNNING:
        return "running";
    case NIA_SUCCEEDED:
        return "succeeded";
    case NIA_FAILED:
        break;
    }
    return "failed";
}

static json_t *string_array(const char **items, size_t n)
{
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(arr, json_string(items[i]));
    return arr;
}

static bool strings_equal(const json_t *arr, const char **items, size_t n)
{
    if (json_array_size(arr) != n)
        return false;
    for (size_t i = 0; i < n; i++) {
        const char *v = json_string_value(json_array_get(arr, i));
        if (!v || strcmp(v, items[i]) != 0)
            return false;
    }
    return true;
}

int nia_prepare(const struct model *m, const struct scope *s, const struct nia_start_args *a,
                struct nip **path, struct nia **existing, struct merr *err)
{
    *path = NULL;
    *existing = NULL;
    if (!given(a->path_id))
        return merr_set(err, "MissingParameter",
                        "The request must contain the parameter NetworkInsightsPathId");
    if (given(a->client_token) && strlen(a->client_token) > 64)
        return merr_set(err, "InvalidParameterValue",
                        "Value (%s) for parameter clientToken is invalid. The client token must "
                        "be at most 64 characters.",
                        a->client_token);
    struct nip *p = (struct nip *)res_lookup(m, s, RES_NIP, a->path_id, err);
    if (!p)
        return -1;
    for (size_t i = 0; i < a->n_filter_in_arns; i++)
        if (strncmp(a->filter_in_arns[i], "arn:", 4) != 0)
            return merr_set(err, "InvalidParameterValue",
                            "Value (%s) for parameter filterInArns is invalid. Expecting an ARN.",
                            a->filter_in_arns[i]);
    for (size_t i = 0; i < a->n_additional_accounts; i++) {
        const char *acct = a->additional_accounts[i];
        bool ok = strlen(acct) == 12;
        for (const char *c = acct; ok && *c; c++)
            ok = *c >= '0' && *c <= '9';
        if (!ok)
            return merr_set(err, "InvalidParameterValue",
                            "Value (%s) for parameter additionalAccounts is invalid. Expecting a "
                            "12-digit account ID.",
                            acct);
    }
    if (tags_validate(NULL, a->tags, err))
        return -1;
    *path = p;
    if (!given(a->client_token))
        return 0;
    struct nia *n;
    SCOPE_FOREACH(n, s, RES_NIA)
    {
        if (strcmp(n->client_token, a->client_token) != 0)
            continue;
        if (strcmp(n->path_id, p->hdr.id) != 0 ||
            !strings_equal(n->filter_in_arns, a->filter_in_arns, a->n_filter_in_arns) ||
            !strings_equal(n->additional_accounts, a->additional_accounts,
                           a->n_additional_accounts))
            return merr_set(err, "IdempotentParameterMismatch",
                            "The client token '%s' was already used with different parameters.",
                            a->client_token);
        *existing = n;
        return 0;
    }
    return 0;
}

struct nia *nia_create(struct model *m, struct scope *s, const struct nia_start_args *a,
                       struct nia_outcome *o)
{
    struct nia *n = (struct nia *)res_new(m, s, RES_NIA);
    snprintf(n->path_id, sizeof n->path_id, "%s", a->path_id);
    /* The analyzer answers within the request, so the analysis has ended when it is stored. */
    n->start = n->end = model_now(m);
    n->status = o->failed ? NIA_FAILED : NIA_SUCCEEDED;
    if (o->failed)
        snprintf(n->status_message, sizeof n->status_message, "%s",
                 o->status_message ? o->status_message : "");
    n->path_found = !o->failed && o->path_found;
    n->forward = o->forward;
    n->ret = o->ret;
    n->explanations = o->explanations;
    o->forward = o->ret = o->explanations = NULL;
    n->filter_in_arns = string_array(a->filter_in_arns, a->n_filter_in_arns);
    n->additional_accounts = string_array(a->additional_accounts, a->n_additional_accounts);
    snprintf(n->client_token, sizeof n->client_token, "%s", a->client_token ? a->client_token : "");
    tags_copy(&n->hdr.tags, a->tags);
    return n;
}

int nia_delete(struct model *m, struct scope *s, const char *nia_id, struct merr *err)
{
    struct nia *n = (struct nia *)res_lookup(m, s, RES_NIA, nia_id, err);
    if (!n)
        return -1;
    res_delete(m, &n->hdr);
    return 0;
}

/* ---- classes ---- */

static json_t *range_encode(const struct nip_port_range *r)
{
    return json_pack("[i,i]", r->from, r->to);
}

static void range_decode(struct nip_port_range *r, json_t *v)
{
    r->from = r->to = NIP_PORT_NONE;
    if (json_is_array(v) && json_array_size(v) == 2) {
        r->from = (int)json_integer_value(json_array_get(v, 0));
        r->to = (int)json_integer_value(json_array_get(v, 1));
    }
}

static json_t *filter_encode(const struct nip_filter *f)
{
    if (!f->set)
        return json_null();
    return json_pack("{s:s,s:s,s:o,s:o}", "src", f->source_address, "dst", f->destination_address,
                     "sports", range_encode(&f->source_ports), "dports",
                     range_encode(&f->destination_ports));
}

static void filter_decode(struct nip_filter *f, json_t *v)
{
    memset(f, 0, sizeof *f);
    f->set = json_is_object(v);
    json_copy_str(f->source_address, sizeof f->source_address, v, "src");
    json_copy_str(f->destination_address, sizeof f->destination_address, v, "dst");
    range_decode(&f->source_ports, json_object_get(v, "sports"));
    range_decode(&f->destination_ports, json_object_get(v, "dports"));
}

static json_t *nip_encode(const struct res *r)
{
    const struct nip *p = (const struct nip *)r;
    return json_pack("{s:s,s:s,s:s,s:s,s:s,s:i,s:o,s:o,s:I,s:s}", "src", p->source, "dst",
                     p->destination, "src_ip", p->source_ip, "dst_ip", p->destination_ip, "proto",
                     p->protocol, "port", p->destination_port, "fas", filter_encode(&p->at_source),
                     "fad", filter_encode(&p->at_destination), "created", (json_int_t)p->created,
                     "token", p->client_token);
}

static int nip_decode(struct res *r, json_t *b)
{
    struct nip *p = (struct nip *)r;
    json_copy_str(p->source, sizeof p->source, b, "src");
    json_copy_str(p->destination, sizeof p->destination, b, "dst");
    json_copy_str(p->source_ip, sizeof p->source_ip, b, "src_ip");
    json_copy_str(p->destination_ip, sizeof p->destination_ip, b, "dst_ip");
    json_copy_str(p->protocol, sizeof p->protocol, b, "proto");
    json_copy_str(p->client_token, sizeof p->client_token, b, "token");
    json_t *port = json_object_get(b, "port");
    p->destination_port = json_is_integer(port) ? (int)json_integer_value(port) : NIP_PORT_NONE;
    filter_decode(&p->at_source, json_object_get(b, "fas"));
    filter_decode(&p->at_destination, json_object_get(b, "fad"));
    p->created = (time_t)json_integer_value(json_object_get(b, "created"));
    return p->source[0] && nip_protocol_number(p->protocol) > 0 ? 0 : -EINVAL;
}

static void range_values(struct fvals *out, const struct nip_filter *f,
                         const struct nip_port_range *r)
{
    if (!f->set || r->from == NIP_PORT_NONE)
        return;
    fv_addf(out, "%d-%d", r->from, r->to);
    if (r->from == r->to)
        fv_addf(out, "%d", r->from);
}

static void address_value(struct fvals *out, const struct nip_filter *f, const char *addr)
{
    if (f->set && addr[0])
        fv_add(out, addr);
}

/* The filter-at-source.* / filter-at-destination.* members; -ENOENT for other names. */
static int filter_member(struct fvals *out, const struct nip_filter *f, const char *member)
{
    if (strcmp(member, "source-address") == 0)
        address_value(out, f, f->source_address);
    else if (strcmp(member, "destination-address") == 0)
        address_value(out, f, f->destination_address);
    else if (strcmp(member, "source-port-range") == 0)
        range_values(out, f, &f->source_ports);
    else if (strcmp(member, "destination-port-range") == 0)
        range_values(out, f, &f->destination_ports);
    else
        return -ENOENT;
    return 0;
}

static int nip_filter_values(const struct model *m, const struct res *r, const char *name,
                             struct fvals *out)
{
    (void)m;
    const struct nip *p = (const struct nip *)r;
    if (strcmp(name, "source") == 0) {
        fv_add(out, p->source);
    } else if (strcmp(name, "destination") == 0) {
        if (p->destination[0])
            fv_add(out, p->destination);
    } else if (strcmp(name, "destination-port") == 0) {
        if (p->destination_port != NIP_PORT_NONE)
            fv_addf(out, "%d", p->destination_port);
    } else if (strcmp(name, "protocol") == 0) {
        fv_add(out, p->protocol);
    } else if (strncmp(name, "filter-at-source.", 17) == 0) {
        return filter_member(out, &p->at_source, name + 17);
    } else if (strncmp(name, "filter-at-destination.", 22) == 0) {
        return filter_member(out, &p->at_destination, name + 22);
    } else {
        return -ENOENT;
    }
    return 0;
}

const struct res_class nip_class = {
    .name = "network insights path",
    .id_prefix = "nip",
    .size = sizeof(struct nip),
    .not_found_code = "InvalidNetworkInsightsPathId.NotFound",
    .malformed_code = "InvalidNetworkInsightsPathId.Malformed",
    .tag_resource_type = "network-insights-path",
    .encode = nip_encode,
    .decode = nip_decode,
    .filter = nip_filter_values,
};

static void nia_destroy(struct res *r)
{
    struct nia *n = (struct nia *)r;
    json_decref(n->forward);
    json_decref(n->ret);
    json_decref(n->explanations);
    json_decref(n->filter_in_arns);
    json_decref(n->additional_accounts);
}

static json_t *or_null(json_t *v)
{
    return v ? json_incref(v) : json_null();
}

static json_t *nia_encode(const struct res *r)
{
    const struct nia *n = (const struct nia *)r;
    return json_pack("{s:s,s:i,s:s,s:I,s:I,s:b,s:o,s:o,s:o,s:O,s:O,s:s}", "path", n->path_id,
                     "status", (int)n->status, "msg", n->status_message, "start",
                     (json_int_t)n->start, "end", (json_int_t)n->end, "found", n->path_found, "fwd",
                     or_null(n->forward), "ret", or_null(n->ret), "expl", or_null(n->explanations),
                     "fin", n->filter_in_arns, "accts", n->additional_accounts, "token",
                     n->client_token);
}

static json_t *array_or_null(json_t *b, const char *key)
{
    json_t *v = json_object_get(b, key);
    return json_is_array(v) ? json_incref(v) : NULL;
}

static int nia_decode(struct res *r, json_t *b)
{
    struct nia *n = (struct nia *)r;
    json_copy_str(n->path_id, sizeof n->path_id, b, "path");
    json_copy_str(n->status_message, sizeof n->status_message, b, "msg");
    json_copy_str(n->client_token, sizeof n->client_token, b, "token");
    n->status = (enum nia_status)json_integer_value(json_object_get(b, "status"));
    n->start = (time_t)json_integer_value(json_object_get(b, "start"));
    n->end = (time_t)json_integer_value(json_object_get(b, "end"));
    n->path_found = json_is_true(json_object_get(b, "found"));
    n->forward = array_or_null(b, "fwd");
    n->ret = array_or_null(b, "ret");
    n->explanations = array_or_null(b, "expl");
    n->filter_in_arns = array_or_null(b, "fin");
    n->additional_accounts = array_or_null(b, "accts");
    if (!n->filter_in_arns)
        n->filter_in_arns = json_array();
    if (!n->additional_accounts)
        n->additional_accounts = json_array();
    return n->path_id[0] && n->status <= NIA_FAILED ? 0 : -EINVAL;
}

static int nia_filter_values(const struct model *m, const struct res *r, const char *name,
                             struct fvals *out)
{
    (void)m;
    const struct nia *n = (const struct nia *)r;
    if (strcmp(name, "path-found") == 0) {
        /* A failed analysis has no verdict to match. */
        if (n->status == NIA_SUCCEEDED)
            fv_bool(out, n->path_found);
    } else if (strcmp(name, "status") == 0) {
        fv_add(out, nia_status_name(n->status));
    } else {
        return -ENOENT;
    }
    return 0;
}

const struct res_class nia_class = {
    .name = "network insights analysis",
    .id_prefix = "nia",
    .size = sizeof(struct nia),
    .not_found_code = "InvalidNetworkInsightsAnalysisId.NotFound",
    .malformed_code = "InvalidNetworkInsightsAnalysisId.Malformed",
    .tag_resource_type = "network-insights-analysis",
    .destroy = nia_destroy,
    .encode = nia_encode,
    .decode = nia_decode,
    .filter = nia_filter_values,
};

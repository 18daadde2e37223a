/* The VPC resolver's policy over the snapshot: see resolver.h.
 *
 * Whose flags count: the querier's VPC needs enableDnsSupport for the resolver to answer at
 * all; an Amazon-provided name exists only while the VPC owning its address has both
 * enableDnsSupport and enableDnsHostnames ("either false => neither", reference 2.3). A peer's
 * names are visible through an active peering only where the peer's side allows DNS
 * resolution from the remote VPC; that works across regions too, so a peer's private name
 * carries the peer's region. */
#include "dns/resolver.h"

#include <stdbool.h>
#include <string.h>

#include "fib/snapshot.h"
#include "lib/dns.h"

/* Four decimal octets 0..255 without leading zeros, separated by sep, filling exactly n
 * characters; reversed for in-addr.arpa order. */
static bool parse_octets(const char *p, size_t n, char sep, bool reversed, uint32_t *out)
{
    uint32_t o[4];
    size_t i = 0;
    for (int k = 0; k < 4; k++) {
        if (k > 0) {
            if (i >= n || p[i] != sep)
                return false;
            i++;
        }
        size_t start = i;
        unsigned v = 0;
        while (i < n && p[i] >= '0' && p[i] <= '9' && i - start < 3)
            v = v * 10 + (unsigned)(p[i++] - '0');
        if (i == start || v > 255 || (p[start] == '0' && i - start > 1))
            return false;
        o[k] = v;
    }
    if (i != n)
        return false;
    *out = reversed ? o[3] << 24 | o[2] << 16 | o[1] << 8 | o[0]
                    : o[0] << 24 | o[1] << 16 | o[2] << 8 | o[3];
    return true;
}

static bool vpc_names_on(const struct fib_snapshot *s, uint32_t v)
{
    return v < s->n_vpcs && s->vpcs[v].dns_support && s->vpcs[v].dns_hostnames;
}

/* True if an active peering joins q to t and t's side lets q resolve t's names. */
static bool peer_allows(const struct fib_snapshot *s, uint32_t q, uint32_t t)
{
    for (size_t i = 0; i < s->n_pcxs; i++) {
        const struct fib_pcx *p = &s->pcxs[i];
        if (!p->active)
            continue;
        for (int side = 0; side < 2; side++)
            if (p->vpc[side] == t && p->vpc[1 - side] == q && p->allow_dns[side])
                return true;
    }
    return false;
}

/* What a name resolves to: the ENI it names and the IPv4 answer. */
struct dns_target {
    uint32_t eni;
    uint32_t addr4; /* host order */
};

/* True if VPC v holds ip on an ENI, and (when name is not NULL) v names it `name`. */
static bool holds(const struct fib_snapshot *s, uint32_t v, uint32_t ip, const char *name,
                  uint32_t *eni)
{
    uint32_t e = fib_eni_by_addr(s, v, ip);
    if (e == FIB_NONE)
        return false;
    if (name) {
        char want[DNS_TEXT_MAX];
        dns_private_name(s->vpcs[v].region, ip, want, sizeof want);
        if (strcmp(want, name) != 0)
            return false;
    }
    *eni = e;
    return true;
}

/* A private address that querier VPC q can resolve: held by an ENI of q, or of a peer whose
 * side allows it (peers may overlap each other, so the name, when given, picks among them).
 * *owner is the VPC holding it. */
static bool find_private(const struct fib_snapshot *s, uint32_t q, uint32_t ip, const char *name,
                         uint32_t *eni, uint32_t *owner)
{
    if (vpc_names_on(s, q) && holds(s, q, ip, name, eni)) {
        *owner = q;
        return true;
    }
    for (size_t i = 0; i < s->n_pcxs; i++) {
        const struct fib_pcx *p = &s->pcxs[i];
        if (!p->active)
            continue;
        for (int side = 0; side < 2; side++) {
            uint32_t t = p->vpc[side];
            if (p->vpc[1 - side] != q || t == q || !p->allow_dns[side] || !vpc_names_on(s, t))
                continue;
            if (holds(s, t, ip, name, eni)) {
                *owner = t;
                return true;
            }
        }
    }
    return false;
}

/* A public address whose owner VPC gives it a public name; *private_ip is its private one. */
static bool find_public(const struct fib_snapshot *s, uint32_t ip, uint32_t *eni,
                        uint32_t *private_ip)
{
    uint32_t e = fib_eni_by_public(s, ip, private_ip);
    if (e == FIB_NONE || e >= s->n_enis || !vpc_names_on(s, s->enis[e].vpc))
        return false;
    *eni = e;
    return true;
}

/* Forward names (text is lower case, without the trailing dot). */
static bool resolve_forward(const struct fib_snapshot *s, uint32_t q, const char *text,
                            struct dns_target *t)
{
    const char *dot = strchr(text, '.');
    if (!dot)
        return false;
    uint32_t ip, eni, owner, priv;
    if (strncmp(text, "ip-", 3) == 0 &&
        parse_octets(text + 3, (size_t)(dot - text - 3), '-', false, &ip) &&
        find_private(s, q, ip, text, &eni, &owner)) {
        t->eni = eni;
        t->addr4 = ip;
        return true;
    }
    if (strncmp(text, "ec2-", 4) == 0 &&
        parse_octets(text + 4, (size_t)(dot - text - 4), '-', false, &ip) &&
        find_public(s, ip, &eni, &priv)) {
        owner = s->enis[eni].vpc;
        char want[DNS_TEXT_MAX];
        dns_public_name(s->vpcs[owner].region, ip, want, sizeof want);
        if (strcmp(want, text) != 0)
            return false;
        t->eni = eni;
        /* Inside the owner's VPC, or from a peer it allows, the public name leads to the
         * private address, so the traffic stays off the internet gateway. */
        t->addr4 = owner == q || peer_allows(s, q, owner) ? priv : ip;
        return true;
    }
    return false;
}

/* Reverse names: "d.c.b.a.in-addr.arpa" -> the address's Amazon-provided name. */
static bool resolve_reverse(const struct fib_snapshot *s, uint32_t q, const char *text, char *name,
                            size_t size)
{
    static const char suffix[] = ".in-addr.arpa";
    size_t len = strlen(text), sl = sizeof suffix - 1;
    uint32_t ip, eni, owner, priv;
    if (len <= sl || strcmp(text + len - sl, suffix) != 0 ||
        !parse_octets(text, len - sl, '.', true, &ip))
        return false;
    if (find_private(s, q, ip, NULL, &eni, &owner)) {
        dns_private_name(s->vpcs[owner].region, ip, name, size);
        return true;
    }
    if (find_public(s, ip, &eni, &priv)) {
        dns_public_name(s->vpcs[s->enis[eni].vpc].region, ip, name, size);
        return true;
    }
    return false;
}

static int respond(uint8_t *out, size_t cap, const struct dns_header *h,
                   const struct dns_question *qn, enum dns_rcode rcode, const struct dns_answer *an,
                   size_t n_an)
{
    int len = dns_build_response(out, cap, h, qn, rcode, an, n_an);
    return len < 0 ? -1 : len;
}

int dns_resolve(const struct fib_snapshot *s, uint32_t from_eni, const uint8_t *q, size_t n,
                uint8_t *out, size_t cap)
{
    if (!s || from_eni >= s->n_enis)
        return -1;
    uint32_t qv = s->enis[from_eni].vpc;
    if (qv >= s->n_vpcs || !s->vpcs[qv].dns_support)
        return -1;
    struct dns_header h;
    if (dns_parse_header(q, n, &h) != 0 || (h.flags & DNS_FLAG_QR))
        return -1;
    /* Other opcodes (NOTIFY, UPDATE...) give their sections other meanings: refuse them
     * before reading any. */
    if (DNS_OPCODE(h.flags) != DNS_OPCODE_QUERY)
        return respond(out, cap, &h, NULL, DNS_RCODE_NOTIMP, NULL, 0);
    struct dns_query dq;
    if (dns_parse_query(q, n, &dq) != 0 || h.qdcount != 1)
        return respond(out, cap, &h, NULL, DNS_RCODE_FORMERR, NULL, 0);
    const struct dns_question *qn = &dq.q;
    if (qn->qclass != DNS_CLASS_IN && qn->qclass != DNS_TYPE_ANY)
        return respond(out, cap, &h, qn, DNS_RCODE_REFUSED, NULL, 0);

    char text[DNS_TEXT_MAX];
    if (dns_name_to_text(qn->name, qn->name_len, text, sizeof text) < 0)
        return respond(out, cap, &h, qn, DNS_RCODE_NXDOMAIN, NULL, 0);

    struct dns_answer an[2];
    size_t n_an = 0;
    char ptr[DNS_TEXT_MAX];
    if (resolve_reverse(s, qv, text, ptr, sizeof ptr)) {
        if (qn->qtype == DNS_TYPE_PTR || qn->qtype == DNS_TYPE_ANY)
            an[n_an++] =
                (struct dns_answer){.type = DNS_TYPE_PTR, .ttl = DNS_RESOLVER_TTL, .ptr = ptr};
        return respond(out, cap, &h, qn, DNS_RCODE_NOERROR, an, n_an);
    }
    struct dns_target t;
    if (!resolve_forward(s, qv, text, &t))
        return respond(out, cap, &h, qn, DNS_RCODE_NXDOMAIN, NULL, 0);
    if (qn->qtype == DNS_TYPE_A || qn->qtype == DNS_TYPE_ANY) {
        struct dns_answer *a = &an[n_an++];
        *a = (struct dns_answer){.type = DNS_TYPE_A, .ttl = DNS_RESOLVER_TTL};
        a->addr[0] = (uint8_t)(t.addr4 >> 24);
        a->addr[1] = (uint8_t)(t.addr4 >> 16);
        a->addr[2] = (uint8_t)(t.addr4 >> 8);
        a->addr[3] = (uint8_t)t.addr4;
    }
    const struct fib_eni *e = &s->enis[t.eni];
    if ((qn->qtype == DNS_TYPE_AAAA || qn->qtype == DNS_TYPE_ANY) && e->n_ips6) {
        struct dns_answer *a = &an[n_an++];
        *a = (struct dns_answer){.type = DNS_TYPE_AAAA, .ttl = DNS_RESOLVER_TTL};
        memcpy(a->addr, e->ips6[0], 16);
    }
    /* Any other type for a name that exists: NOERROR without answers (NODATA). */
    return respond(out, cap, &h, qn, DNS_RCODE_NOERROR, an, n_an);
}

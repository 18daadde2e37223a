/* DNS wire format (RFC 1035 sections 3 and 4): see dns.h. */
#include "lib/dns.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static uint16_t rd16(const uint8_t *p)
{
    return (uint16_t)((unsigned)p[0] << 8 | p[1]);
}

static uint32_t rd32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void wr16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static void wr32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

int dns_parse_header(const uint8_t *msg, size_t n, struct dns_header *h)
{
    if (n < DNS_HEADER_SIZE)
        return -EMSGSIZE;
    h->id = rd16(msg);
    h->flags = rd16(msg + 2);
    h->qdcount = rd16(msg + 4);
    h->ancount = rd16(msg + 6);
    h->nscount = rd16(msg + 8);
    h->arcount = rd16(msg + 10);
    return 0;
}

int dns_read_name(const uint8_t *msg, size_t n, size_t *off, uint8_t out[DNS_NAME_MAX],
                  size_t *out_len)
{
    size_t pos = *off, len = 0, end = 0;
    /* Where the current run of labels started: a pointer must land before it. Pointing
     * anywhere at or after it would come back to the same pointer, so this rule alone rules
     * out every loop. */
    size_t run_start = pos;
    bool jumped = false;
    int hops = 0;
    for (;;) {
        if (pos >= n)
            return -EBADMSG;
        uint8_t c = msg[pos];
        if ((c & 0xc0) == 0xc0) {
            if (pos + 1 >= n)
                return -EBADMSG;
            size_t target = (size_t)(c & 0x3f) << 8 | msg[pos + 1];
            if (target >= run_start || ++hops > DNS_PTR_HOPS_MAX)
                return -EBADMSG;
            if (!jumped)
                end = pos + 2;
            jumped = true;
            pos = run_start = target;
            continue;
        }
        if (c & 0xc0) /* 0x40 extended and 0x80 reserved label types (RFC 6891 dropped 0x41) */
            return -EBADMSG;
        if (len + 1 + c > DNS_NAME_MAX)
            return -EBADMSG;
        if (c == 0) {
            out[len++] = 0;
            if (!jumped)
                end = pos + 1;
            break;
        }
        if (pos + 1 + c > n)
            return -EBADMSG;
        memcpy(out + len, msg + pos, (size_t)c + 1);
        len += (size_t)c + 1;
        pos += (size_t)c + 1;
    }
    *out_len = len;
    *off = end;
    return 0;
}

int dns_read_question(const uint8_t *msg, size_t n, size_t *off, struct dns_question *q)
{
    size_t pos = *off;
    if (dns_read_name(msg, n, &pos, q->name, &q->name_len) != 0)
        return -EBADMSG;
    if (n - pos < 4)
        return -EBADMSG;
    q->qtype = rd16(msg + pos);
    q->qclass = rd16(msg + pos + 2);
    *off = pos + 4;
    return 0;
}

int dns_read_rr(const uint8_t *msg, size_t n, size_t *off, struct dns_rr *rr)
{
    size_t pos = *off;
    if (dns_read_name(msg, n, &pos, rr->name, &rr->name_len) != 0)
        return -EBADMSG;
    if (n - pos < 10)
        return -EBADMSG;
    rr->type = rd16(msg + pos);
    rr->rclass = rd16(msg + pos + 2);
    rr->ttl = rd32(msg + pos + 4);
    rr->rdata_len = rd16(msg + pos + 8);
    pos += 10;
    if (n - pos < rr->rdata_len)
        return -EBADMSG;
    rr->rdata_off = pos;
    *off = pos + rr->rdata_len;
    return 0;
}

int dns_parse_query(const uint8_t *msg, size_t n, struct dns_query *q)
{
    struct dns_header h;
    if (dns_parse_header(msg, n, &h) != 0)
        return -EMSGSIZE;
    memset(q, 0, sizeof *q);
    q->hdr = h;
    size_t off = DNS_HEADER_SIZE;
    for (unsigned i = 0; i < h.qdcount; i++) {
        struct dns_question extra;
        if (dns_read_question(msg, n, &off, i == 0 ? &q->q : &extra) != 0)
            return -EBADMSG;
        if (i == 0)
            q->has_question = true;
    }
    unsigned n_rrs = (unsigned)h.ancount + h.nscount + h.arcount;
    for (unsigned i = 0; i < n_rrs; i++) {
        struct dns_rr rr;
        if (dns_read_rr(msg, n, &off, &rr) != 0)
            return -EBADMSG;
        if (rr.type != DNS_TYPE_OPT)
            continue;
        /* RFC 6891 6.1.1: one OPT, in the additional section, owned by the root. */
        bool additional = i >= (unsigned)h.ancount + h.nscount;
        if (!additional || q->has_opt || rr.name_len != 1)
            return -EBADMSG;
        q->has_opt = true;
        q->opt_udp_size = rr.rclass;
    }
    if (off != n)
        return -EBADMSG;
    return 0;
}

static bool host_char(uint8_t c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_';
}

static uint8_t lower(uint8_t c)
{
    return c >= 'A' && c <= 'Z' ? (uint8_t)(c + 32) : c;
}

int dns_name_from_text(const char *text, uint8_t out[DNS_NAME_MAX])
{
    size_t len = 0;
    const char *p = text;
    if (p[0] == '.' && p[1] == '\0')
        p++;
    while (*p) {
        const char *dot = strchr(p, '.');
        size_t l = dot ? (size_t)(dot - p) : strlen(p);
        if (l == 0 || l > DNS_LABEL_MAX || len + 1 + l + 1 > DNS_NAME_MAX)
            return -EINVAL;
        for (size_t i = 0; i < l; i++)
            if (!host_char((uint8_t)p[i]))
                return -EINVAL;
        out[len] = (uint8_t)l;
        memcpy(out + len + 1, p, l);
        len += 1 + l;
        p += l;
        if (*p == '.')
            p++;
    }
    out[len++] = 0;
    return (int)len;
}

int dns_name_to_text(const uint8_t *name, size_t name_len, char *buf, size_t size)
{
    size_t pos = 0, out = 0;
    while (pos < name_len && name[pos]) {
        size_t l = name[pos];
        if (pos + 1 + l > name_len)
            return -EINVAL;
        if (out && out + 1 >= size)
            return -EINVAL;
        if (out)
            buf[out++] = '.';
        if (out + l >= size)
            return -EINVAL;
        for (size_t i = 0; i < l; i++) {
            uint8_t c = name[pos + 1 + i];
            if (!host_char(c))
                return -EINVAL;
            buf[out++] = (char)lower(c);
        }
        pos += 1 + l;
    }
    if (size == 0)
        return -EINVAL;
    buf[out] = '\0';
    return (int)out;
}

bool dns_name_equal(const uint8_t *a, size_t a_len, const uint8_t *b, size_t b_len)
{
    if (a_len != b_len)
        return false;
    /* Length bytes are at most 63, below 'A', so lower-casing them changes nothing. */
    for (size_t i = 0; i < a_len; i++)
        if (lower(a[i]) != lower(b[i]))
            return false;
    return true;
}

int dns_build_response(uint8_t *out, size_t cap, const struct dns_header *qh,
                       const struct dns_question *q, enum dns_rcode rcode,
                       const struct dns_answer *answers, size_t n_answers)
{
    if ((n_answers && !q) || n_answers > UINT16_MAX)
        return -EINVAL;
    if (cap < DNS_HEADER_SIZE)
        return -ENOSPC;
    uint16_t flags = (uint16_t)(DNS_FLAG_QR | (qh->flags & (0xfu << 11)) |
                                (qh->flags & (DNS_FLAG_RD | DNS_FLAG_CD)) | DNS_FLAG_RA |
                                ((unsigned)rcode & 0xfu));
    wr16(out, qh->id);
    wr16(out + 2, flags);
    wr16(out + 4, q ? 1 : 0);
    wr16(out + 6, (uint16_t)n_answers);
    wr16(out + 8, 0);
    wr16(out + 10, 0);
    size_t len = DNS_HEADER_SIZE;
    if (q) {
        if (q->name_len == 0 || q->name_len > DNS_NAME_MAX || cap - len < q->name_len + 4)
            return q->name_len == 0 || q->name_len > DNS_NAME_MAX ? -EINVAL : -ENOSPC;
        memcpy(out + len, q->name, q->name_len);
        len += q->name_len;
        wr16(out + len, q->qtype);
        wr16(out + len + 2, q->qclass);
        len += 4;
    }
    for (size_t i = 0; i < n_answers; i++) {
        const struct dns_answer *a = &answers[i];
        uint8_t target[DNS_NAME_MAX];
        size_t rdlen;
        switch (a->type) {
        case DNS_TYPE_A:
            rdlen = 4;
            break;
        case DNS_TYPE_AAAA:
            rdlen = 16;
            break;
        case DNS_TYPE_PTR: {
            int tl = a->ptr ? dns_name_from_text(a->ptr, target) : -EINVAL;
            if (tl < 0)
                return -EINVAL;
            rdlen = (size_t)tl;
            break;
        }
        default:
            return -EINVAL;
        }
        if (cap - len < 12 + rdlen)
            return -ENOSPC;
        /* The owner is the question's name, which always sits right after the header. */
        wr16(out + len, 0xc000 | DNS_HEADER_SIZE);
        wr16(out + len + 2, a->type);
        wr16(out + len + 4, DNS_CLASS_IN);
        wr32(out + len + 6, a->ttl);
        wr16(out + len + 10, (uint16_t)rdlen);
        memcpy(out + len + 12, a->type == DNS_TYPE_PTR ? target : a->addr, rdlen);
        len += 12 + rdlen;
    }
    return (int)len;
}

static void dashed_ip(uint32_t ip, char buf[16])
{
    snprintf(buf, 16, "%u-%u-%u-%u", (unsigned)(ip >> 24), (unsigned)(ip >> 16 & 0xff),
             (unsigned)(ip >> 8 & 0xff), (unsigned)(ip & 0xff));
}

void dns_private_name(const char *region, uint32_t ip_host_order, char *buf, size_t size)
{
    char ip[16];
    dashed_ip(ip_host_order, ip);
    if (strcmp(region, "us-east-1") == 0)
        snprintf(buf, size, "ip-%s.ec2.internal", ip);
    else
        snprintf(buf, size, "ip-%s.%s.compute.internal", ip, region);
}

void dns_public_name(const char *region, uint32_t ip_host_order, char *buf, size_t size)
{
    char ip[16];
    dashed_ip(ip_host_order, ip);
    if (strcmp(region, "us-east-1") == 0)
        snprintf(buf, size, "ec2-%s.compute-1.amazonaws.com", ip);
    else
        snprintf(buf, size, "ec2-%s.%s.compute.amazonaws.com", ip, region);
}

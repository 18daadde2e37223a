/* DNS messages on the wire (RFC 1035): reading a query's header, question and records, and
 * building a response with A, AAAA and PTR answers; and the Amazon-provided host names, shared by
 * the resolver (dns/), the model and the API. OS-free and allocation-free: every function
 * works on caller buffers and reads a message only within the n bytes it is given, so it can
 * run on the packet path and under a fuzzer.
 *
 * Names are kept in uncompressed wire form (length-prefixed labels ending with the root label,
 * at most DNS_NAME_MAX bytes). A compression pointer is followed only if it lands before the
 * start of the run of labels it ends: each hop then goes strictly backward, so loops are
 * impossible and hops are bounded; DNS_PTR_HOPS_MAX and the name length bound them further. */
#ifndef VPCD_LIB_DNS_H
#define VPCD_LIB_DNS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DNS_HEADER_SIZE 12
#define DNS_NAME_MAX 255 /* wire form, root label included (RFC 1035 2.3.4) */
#define DNS_LABEL_MAX 63
#define DNS_TEXT_MAX 254 /* text form without the trailing dot, plus NUL */
#define DNS_UDP_MAX 512  /* a response to a query without EDNS must fit */
#define DNS_PTR_HOPS_MAX 64

/* Header flag bits (RFC 1035 4.1.1, RFC 4035 for AD/CD). */
#define DNS_FLAG_QR 0x8000u
#define DNS_FLAG_AA 0x0400u
#define DNS_FLAG_TC 0x0200u
#define DNS_FLAG_RD 0x0100u
#define DNS_FLAG_RA 0x0080u
#define DNS_FLAG_AD 0x0020u
#define DNS_FLAG_CD 0x0010u
#define DNS_OPCODE(flags) (((flags) >> 11) & 0xfu)
#define DNS_RCODE(flags) ((flags)&0xfu)

enum dns_opcode { DNS_OPCODE_QUERY = 0 };

enum dns_rcode {
    DNS_RCODE_NOERROR = 0,
    DNS_RCODE_FORMERR = 1,
    DNS_RCODE_SERVFAIL = 2,
    DNS_RCODE_NXDOMAIN = 3,
    DNS_RCODE_NOTIMP = 4,
    DNS_RCODE_REFUSED = 5,
};

enum dns_type {
    DNS_TYPE_A = 1,
    DNS_TYPE_PTR = 12,
    DNS_TYPE_MX = 15,
    DNS_TYPE_TXT = 16,
    DNS_TYPE_AAAA = 28,
    DNS_TYPE_OPT = 41,
    DNS_TYPE_ANY = 255,
};

#define DNS_CLASS_IN 1

struct dns_header {
    uint16_t id;
    uint16_t flags;
    uint16_t qdcount, ancount, nscount, arcount;
};

struct dns_question {
    uint8_t name[DNS_NAME_MAX]; /* uncompressed wire form, letters as received */
    size_t name_len;            /* bytes of name, root label included */
    uint16_t qtype, qclass;
};

/* One resource record as read from a message. The rdata stays in the message: rdata_off and
 * rdata_len locate it (a PTR's target may hold pointers, read it with dns_read_name). */
struct dns_rr {
    uint8_t name[DNS_NAME_MAX];
    size_t name_len;
    uint16_t type, rclass;
    uint32_t ttl;
    size_t rdata_off;
    uint16_t rdata_len;
};

/* A query as dns_parse_query reads it. */
struct dns_query {
    struct dns_header hdr;
    bool has_question;     /* the first question was read (qdcount >= 1) */
    struct dns_question q; /* valid when has_question */
    bool has_opt;          /* an EDNS OPT record was in the additional section */
    uint16_t opt_udp_size; /* its requester payload size */
};

/* Reads the 12-byte header. 0, or -EMSGSIZE when n < 12. */
int dns_parse_header(const uint8_t *msg, size_t n, struct dns_header *h);

/* Reads the name at *off, following compression pointers, into out (DNS_NAME_MAX bytes) and
 * sets *out_len; advances *off past the name where it sits (past its first pointer, if any).
 * 0, or -EBADMSG for a truncated name, a pointer that is not strictly backward, a reserved
 * label type or a name longer than DNS_NAME_MAX. */
int dns_read_name(const uint8_t *msg, size_t n, size_t *off, uint8_t out[DNS_NAME_MAX],
                  size_t *out_len);

/* Reads one question / resource record at *off and advances past it. 0 or -EBADMSG. */
int dns_read_question(const uint8_t *msg, size_t n, size_t *off, struct dns_question *q);
int dns_read_rr(const uint8_t *msg, size_t n, size_t *off, struct dns_rr *rr);

/* Reads a whole query: header, questions, and every record of the three other sections
 * (checked, skipped; an OPT record is noted), with nothing left after them. Returns 0;
 * -EMSGSIZE when the header is unreadable (q untouched); -EBADMSG when something after the
 * header is truncated or malformed (q->hdr is valid, and q->has_question says whether the
 * first question could be read). */
int dns_parse_query(const uint8_t *msg, size_t n, struct dns_query *q);

/* Wire form <-> text form (host names: letters, digits, '-' and '_' only; no escapes).
 * dns_name_from_text accepts an optional trailing dot; "" and "." are the root. It returns the
 * wire length or -EINVAL (empty or over-long label, name too long, other characters).
 * dns_name_to_text writes lower-case text without the trailing dot ("" for the root) and
 * returns its length, or -EINVAL for other characters or a buffer that is too small. */
int dns_name_from_text(const char *text, uint8_t out[DNS_NAME_MAX]);
int dns_name_to_text(const uint8_t *name, size_t name_len, char *buf, size_t size);
/* Case-insensitive equality of two wire names (RFC 4343: ASCII letters only). */
bool dns_name_equal(const uint8_t *a, size_t a_len, const uint8_t *b, size_t b_len);

/* One answer for dns_build_response. Its owner name is the question's name. */
struct dns_answer {
    uint16_t type; /* DNS_TYPE_A, DNS_TYPE_AAAA or DNS_TYPE_PTR */
    uint32_t ttl;
    uint8_t addr[16]; /* A: 4 bytes, AAAA: 16 bytes, network order */
    const char *ptr;  /* PTR: the target in text form (borrowed) */
};

/* Builds the response to query header qh into out (cap bytes): same id and opcode, QR=1,
 * RD and CD copied, RA=1, AA=0, the given rcode, question echoed when q is not NULL, then the
 * answers, whose owner names point at the question. Returns the length, -ENOSPC when cap is
 * too small, -EINVAL for answers without a question or an unknown answer type or bad PTR. */
int dns_build_response(uint8_t *out, size_t cap, const struct dns_header *qh,
                       const struct dns_question *q, enum dns_rcode rcode,
                       const struct dns_answer *answers, size_t n_answers);

/* The Amazon-provided host names of an address (host order) in a region, as EC2 shows them in
 * PrivateDnsName and PublicDnsName: "ip-10-0-1-5.ec2.internal" in us-east-1, else
 * "ip-10-0-1-5.<region>.compute.internal"; "ec2-203-0-113-5.compute-1.amazonaws.com" in
 * us-east-1, else "ec2-203-0-113-5.<region>.compute.amazonaws.com". Truncated to size. */
void dns_private_name(const char *region, uint32_t ip_host_order, char *buf, size_t size);
void dns_public_name(const char *region, uint32_t ip_host_order, char *buf, size_t size);

#endif

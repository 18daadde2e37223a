#include "flowlog/flowlog.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "lib/xalloc.h"

#define FLOWLOG_FIELD_INFO(name_, text_, version_) {text_, sizeof(text_) - 1, version_},
static const struct {
    const char *name;
    size_t len;
    int version;
} flowlog_field_info[FLOWLOG_F__COUNT] = {FLOWLOG_FIELDS(FLOWLOG_FIELD_INFO)};
#undef FLOWLOG_FIELD_INFO

/* The default VPC format is the version-2 fields, which the table lists first. */
#define FLOWLOG_N_DEFAULT 14

/* The fields of AWS's transit gateway list, in AWS's order: both the fields a TGW format may
 * use and its default. Not a table column, because the order is not the enum's. */
static const enum flowlog_field flowlog_tgw_fields[] = {
    FLOWLOG_F_VERSION,
    FLOWLOG_F_RESOURCE_TYPE,
    FLOWLOG_F_ACCOUNT_ID,
    FLOWLOG_F_TGW_ID,
    FLOWLOG_F_TGW_ATTACHMENT_ID,
    FLOWLOG_F_TGW_SRC_VPC_ACCOUNT_ID,
    FLOWLOG_F_TGW_DST_VPC_ACCOUNT_ID,
    FLOWLOG_F_TGW_SRC_VPC_ID,
    FLOWLOG_F_TGW_DST_VPC_ID,
    FLOWLOG_F_TGW_SRC_SUBNET_ID,
    FLOWLOG_F_TGW_DST_SUBNET_ID,
    FLOWLOG_F_TGW_SRC_ENI,
    FLOWLOG_F_TGW_DST_ENI,
    FLOWLOG_F_TGW_SRC_AZ_ID,
    FLOWLOG_F_TGW_DST_AZ_ID,
    FLOWLOG_F_TGW_PAIR_ATTACHMENT_ID,
    FLOWLOG_F_SRCADDR,
    FLOWLOG_F_DSTADDR,
    FLOWLOG_F_SRCPORT,
    FLOWLOG_F_DSTPORT,
    FLOWLOG_F_PROTOCOL,
    FLOWLOG_F_PACKETS,
    FLOWLOG_F_BYTES,
    FLOWLOG_F_START,
    FLOWLOG_F_END,
    FLOWLOG_F_LOG_STATUS,
    FLOWLOG_F_TYPE,
    FLOWLOG_F_PACKETS_LOST_NO_ROUTE,
    FLOWLOG_F_PACKETS_LOST_BLACKHOLE,
    FLOWLOG_F_PACKETS_LOST_MTU_EXCEEDED,
    FLOWLOG_F_PACKETS_LOST_TTL_EXPIRED,
    FLOWLOG_F_TCP_FLAGS,
    FLOWLOG_F_REGION,
    FLOWLOG_F_FLOW_DIRECTION,
    FLOWLOG_F_PKT_SRC_AWS_SERVICE,
    FLOWLOG_F_PKT_DST_AWS_SERVICE,
};
#define FLOWLOG_N_TGW (sizeof(flowlog_tgw_fields) / sizeof(flowlog_tgw_fields[0]))
_Static_assert(FLOWLOG_N_TGW <= FLOWLOG_MAX_FIELDS, "the TGW default must fit a format");

/* The highest version of the VPC fields; the ones above it are transit gateway only. */
#define FLOWLOG_VPC_VERSION_MAX 5

/* An S3 key may repeat; a bounded number of retries keeps a broken filesystem from looping. */
#define FLOWLOG_NAME_ATTEMPTS 16

/* Longest piece of user text quoted back in an error message. */
#define FLOWLOG_QUOTE_MAX 48

/* ---- format ---- */

/* Quotes n bytes of s for an error message: bounded, and with bytes that would not survive an
 * XML error body shown as '?'. */
static void flowlog_quote(char *dst, size_t dst_size, const char *s, size_t n)
{
    size_t o = 0;
    bool cut = n > FLOWLOG_QUOTE_MAX;

    if (cut)
        n = FLOWLOG_QUOTE_MAX;
    for (size_t i = 0; i < n && o + 1 < dst_size; i++) {
        unsigned char c = (unsigned char)s[i];
        dst[o++] = (c >= 0x20 && c < 0x7f) ? (char)c : '?';
    }
    if (cut)
        for (int i = 0; i < 3 && o + 1 < dst_size; i++)
            dst[o++] = '.';
    if (dst_size)
        dst[o] = '\0';
}

/* The message is before + the quoted token + after: split so that no format string is built at
 * run time. */
static int flowlog_fail(char *err, size_t err_size, const char *before, const char *tok, size_t n,
                        const char *after)
{
    if (err && err_size) {
        char q[FLOWLOG_QUOTE_MAX + 4];
        flowlog_quote(q, sizeof(q), tok, n);
        snprintf(err, err_size, "%s%s%s", before, q, after);
    }
    return -1;
}

static int flowlog_field_lookup(const char *name, size_t len)
{
    for (int i = 0; i < FLOWLOG_F__COUNT; i++)
        if (flowlog_field_info[i].len == len && memcmp(flowlog_field_info[i].name, name, len) == 0)
            return i;
    return -1;
}

static bool flowlog_in_tgw(enum flowlog_field field)
{
    for (size_t i = 0; i < FLOWLOG_N_TGW; i++)
        if (flowlog_tgw_fields[i] == field)
            return true;
    return false;
}

static bool flowlog_allowed(enum flowlog_scope scope, enum flowlog_field field)
{
    if (scope == FLOWLOG_SCOPE_TGW)
        return flowlog_in_tgw(field);
    return flowlog_field_info[field].version <= FLOWLOG_VPC_VERSION_MAX;
}

int flowlog_format_parse_for(const char *text, enum flowlog_scope scope, struct flowlog_format *out,
                             char *err, size_t err_size)
{
    struct flowlog_format f = {.n_fields = 0, .version = 0};
    bool seen[FLOWLOG_F__COUNT] = {false};
    size_t n_tokens = 1;
    const char *p = text;
    const char *prev = NULL;
    size_t prev_len = 0;

    if (scope != FLOWLOG_SCOPE_TGW)
        scope = FLOWLOG_SCOPE_VPC;
    if ((!text || !*text) && scope == FLOWLOG_SCOPE_TGW) {
        for (size_t i = 0; i < FLOWLOG_N_TGW; i++) {
            f.fields[i] = flowlog_tgw_fields[i];
            if (flowlog_field_info[f.fields[i]].version > f.version)
                f.version = flowlog_field_info[f.fields[i]].version;
        }
        f.n_fields = FLOWLOG_N_TGW;
        *out = f;
        return 0;
    }
    if (!text || !*text) {
        for (int i = 0; i < FLOWLOG_N_DEFAULT; i++)
            f.fields[i] = (enum flowlog_field)i;
        f.n_fields = FLOWLOG_N_DEFAULT;
        f.version = 2;
        *out = f;
        return 0;
    }
    /* Counted before parsing so an over-long format fails on its length, whatever else is
     * wrong with it (with duplicates refused, only this check can see a 65th field). */
    for (const char *q = text; *q; q++)
        n_tokens += *q == ' ';
    if (n_tokens > FLOWLOG_MAX_FIELDS) {
        if (err && err_size)
            snprintf(err, err_size, "LogFormat has %zu fields; at most %d are allowed", n_tokens,
                     FLOWLOG_MAX_FIELDS);
        return -1;
    }
    for (;;) {
        if (*p == ' ') {
            size_t skip = strspn(p, " ");
            const char *next = p + skip;
            size_t next_len = strcspn(next, " ");
            if (!prev && !*next)
                return flowlog_fail(err, err_size, "LogFormat has an invalid format: \"", text,
                                    strlen(text), "\" has no fields");
            if (!prev)
                return flowlog_fail(err, err_size,
                                    "LogFormat has an invalid format: leading space before \"",
                                    next, next_len, "\"");
            if (!*next)
                return flowlog_fail(err, err_size,
                                    "LogFormat has an invalid format: trailing space after \"",
                                    prev, prev_len, "\"");
            return flowlog_fail(err, err_size,
                                "LogFormat has an invalid format: more than one space before \"",
                                next, next_len, "\"");
        }
        const char *tok = p;
        size_t len = strcspn(p, " ");
        if (len < 3 || tok[0] != '$' || tok[1] != '{' || tok[len - 1] != '}' ||
            memchr(tok + 2, '}', len - 3) || memchr(tok + 2, '$', len - 3))
            return flowlog_fail(err, err_size, "LogFormat has an invalid format: \"", tok, len,
                                "\" is not a ${field-id}");
        if (len == 3)
            return flowlog_fail(err, err_size, "LogFormat has an invalid format: empty field \"",
                                tok, len, "\"");
        int id = flowlog_field_lookup(tok + 2, len - 3);
        if (id < 0)
            return flowlog_fail(err, err_size, "LogFormat has an unknown field: ", tok, len, "");
        if (!flowlog_allowed(scope, (enum flowlog_field)id))
            return flowlog_fail(err, err_size, "LogFormat has the field ", tok, len,
                                scope == FLOWLOG_SCOPE_TGW
                                    ? ", which transit gateway flow logs do not have"
                                    : ", which only transit gateway flow logs (ResourceType "
                                      "TransitGateway or TransitGatewayAttachment) have");
        if (seen[id])
            return flowlog_fail(err, err_size, "LogFormat has a duplicate field: ", tok, len, "");
        seen[id] = true;
        f.fields[f.n_fields++] = (enum flowlog_field)id;
        if (flowlog_field_info[id].version > f.version)
            f.version = flowlog_field_info[id].version;
        prev = tok;
        prev_len = len;
        p += len;
        if (*p == '\0')
            break;
        p++; /* the one space */
        if (*p == '\0')
            return flowlog_fail(err, err_size,
                                "LogFormat has an invalid format: trailing space after \"", prev,
                                prev_len, "\"");
    }
    *out = f;
    return 0;
}

int flowlog_format_parse(const char *text, struct flowlog_format *out, char *err, size_t err_size)
{
    return flowlog_format_parse_for(text, FLOWLOG_SCOPE_VPC, out, err, err_size);
}

void flowlog_format_text(const struct flowlog_format *f, struct strbuf *out)
{
    for (size_t i = 0; i < f->n_fields; i++)
        strbuf_printf(out, "%s${%s}", i ? " " : "", flowlog_field_info[f->fields[i]].name);
}

/* The header line of an S3 file: the field names without ${}. */
static void flowlog_format_names(const struct flowlog_format *f, struct strbuf *out)
{
    for (size_t i = 0; i < f->n_fields; i++)
        strbuf_printf(out, "%s%s", i ? " " : "", flowlog_field_info[f->fields[i]].name);
}

/* ---- records ---- */

/* Appends a fixed-size string field, "-" when empty. Bytes that would split the record into
 * more fields or lines become '?': a reader splits on spaces and newlines. */
static void flowlog_put_str(struct strbuf *out, const char *s, size_t size)
{
    size_t n = strnlen(s, size);
    char buf[512];

    if (n == 0) {
        strbuf_puts(out, "-");
        return;
    }
    if (n > sizeof(buf))
        n = sizeof(buf);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        buf[i] = (c > 0x20 && c != 0x7f) ? (char)c : '?';
    }
    strbuf_append(out, buf, n);
}

static void flowlog_put_addr(struct strbuf *out, uint8_t family, const uint8_t addr[16])
{
    char buf[INET6_ADDRSTRLEN];
    int af = family == 4 ? AF_INET : family == 6 ? AF_INET6 : AF_UNSPEC;

    /* glibc's inet_ntop writes IPv6 as RFC 5952 wants: lower case, the longest run of two or
     * more zero groups compressed, the first such run on a tie. */
    if (af == AF_UNSPEC || !inet_ntop(af, addr, buf, sizeof(buf))) {
        strbuf_puts(out, "-");
        return;
    }
    strbuf_puts(out, buf);
}

static void flowlog_put_field(enum flowlog_field field, const struct flowlog_format *f,
                              const struct flowlog_record *r, struct strbuf *out)
{
    /* NODATA and SKIPDATA describe an interface with no flow: everything taken from packets is
     * "-", what describes the interface and the window stays. */
    bool flow = r->status == FLOWLOG_OK;

    switch (field) {
    case FLOWLOG_F_VERSION:
        strbuf_printf(out, "%d", f->version);
        return;
    case FLOWLOG_F_ACCOUNT_ID:
        flowlog_put_str(out, r->account, sizeof(r->account));
        return;
    case FLOWLOG_F_INTERFACE_ID:
        flowlog_put_str(out, r->interface_id, sizeof(r->interface_id));
        return;
    case FLOWLOG_F_SRCADDR:
    case FLOWLOG_F_DSTADDR:
    case FLOWLOG_F_PKT_SRCADDR:
    case FLOWLOG_F_PKT_DSTADDR:
        if (!flow) {
            strbuf_puts(out, "-");
            return;
        }
        flowlog_put_addr(out, r->family,
                         field == FLOWLOG_F_SRCADDR       ? r->srcaddr
                         : field == FLOWLOG_F_DSTADDR     ? r->dstaddr
                         : field == FLOWLOG_F_PKT_SRCADDR ? r->pkt_srcaddr
                                                          : r->pkt_dstaddr);
        return;
    case FLOWLOG_F_SRCPORT:
    case FLOWLOG_F_DSTPORT:
        /* AWS prints 0 for protocols without ports (its ICMP examples read "0 0"). */
        if (!flow)
            strbuf_puts(out, "-");
        else
            strbuf_printf(out, "%u", (unsigned)(field == FLOWLOG_F_SRCPORT ? r->sport : r->dport));
        return;
    case FLOWLOG_F_PROTOCOL:
        if (!flow)
            strbuf_puts(out, "-");
        else
            strbuf_printf(out, "%u", (unsigned)r->proto);
        return;
    case FLOWLOG_F_PACKETS:
    case FLOWLOG_F_BYTES:
        if (!flow)
            strbuf_puts(out, "-");
        else
            strbuf_printf(out, "%llu",
                          (unsigned long long)(field == FLOWLOG_F_PACKETS ? r->packets : r->bytes));
        return;
    case FLOWLOG_F_START:
        strbuf_printf(out, "%lld", (long long)r->start);
        return;
    case FLOWLOG_F_END:
        strbuf_printf(out, "%lld", (long long)r->end);
        return;
    case FLOWLOG_F_ACTION:
        strbuf_puts(out, !flow ? "-" : r->accept ? "ACCEPT" : "REJECT");
        return;
    case FLOWLOG_F_LOG_STATUS:
        strbuf_puts(out, r->status == FLOWLOG_NODATA     ? "NODATA"
                         : r->status == FLOWLOG_SKIPDATA ? "SKIPDATA"
                                                         : "OK");
        return;
    case FLOWLOG_F_VPC_ID:
        flowlog_put_str(out, r->vpc_id, sizeof(r->vpc_id));
        return;
    case FLOWLOG_F_SUBNET_ID:
        flowlog_put_str(out, r->subnet_id, sizeof(r->subnet_id));
        return;
    case FLOWLOG_F_INSTANCE_ID:
        flowlog_put_str(out, r->instance_id, sizeof(r->instance_id));
        return;
    case FLOWLOG_F_TCP_FLAGS:
        /* Only the bits AWS counts (see flowlog_tcp_flags()); 0 for non-TCP flows, as AWS's
         * examples show for UDP and ICMP. */
        if (!flow)
            strbuf_puts(out, "-");
        else
            strbuf_printf(out, "%u", (unsigned)(r->tcp_flags & 0x17));
        return;
    case FLOWLOG_F_TYPE:
        strbuf_puts(out, !flow ? "-" : r->family == 4 ? "IPv4" : r->family == 6 ? "IPv6" : "-");
        return;
    case FLOWLOG_F_REGION:
        flowlog_put_str(out, r->region, sizeof(r->region));
        return;
    case FLOWLOG_F_AZ_ID:
        flowlog_put_str(out, r->az_id, sizeof(r->az_id));
        return;
    case FLOWLOG_F_SUBLOCATION_TYPE:
    case FLOWLOG_F_SUBLOCATION_ID:
    case FLOWLOG_F_PKT_SRC_AWS_SERVICE:
    case FLOWLOG_F_PKT_DST_AWS_SERVICE:
        /* No Wavelength/Outposts/Local Zones and no AWS service ranges in vpcd. */
        strbuf_puts(out, "-");
        return;
    case FLOWLOG_F_FLOW_DIRECTION:
        strbuf_puts(out, !flow ? "-" : r->egress ? "egress" : "ingress");
        return;
    case FLOWLOG_F_RESOURCE_TYPE:
        flowlog_put_str(out, r->resource_type, sizeof(r->resource_type));
        return;
    case FLOWLOG_F_TGW_ID:
        flowlog_put_str(out, r->tgw_id, sizeof(r->tgw_id));
        return;
    case FLOWLOG_F_TGW_ATTACHMENT_ID:
        flowlog_put_str(out, r->tgw_attachment_id, sizeof(r->tgw_attachment_id));
        return;
    case FLOWLOG_F_TGW_SRC_VPC_ACCOUNT_ID:
        flowlog_put_str(out, r->tgw_src_vpc_account_id, sizeof(r->tgw_src_vpc_account_id));
        return;
    case FLOWLOG_F_TGW_DST_VPC_ACCOUNT_ID:
        flowlog_put_str(out, r->tgw_dst_vpc_account_id, sizeof(r->tgw_dst_vpc_account_id));
        return;
    case FLOWLOG_F_TGW_SRC_VPC_ID:
        flowlog_put_str(out, r->tgw_src_vpc_id, sizeof(r->tgw_src_vpc_id));
        return;
    case FLOWLOG_F_TGW_DST_VPC_ID:
        flowlog_put_str(out, r->tgw_dst_vpc_id, sizeof(r->tgw_dst_vpc_id));
        return;
    case FLOWLOG_F_TGW_SRC_SUBNET_ID:
        flowlog_put_str(out, r->tgw_src_subnet_id, sizeof(r->tgw_src_subnet_id));
        return;
    case FLOWLOG_F_TGW_DST_SUBNET_ID:
        flowlog_put_str(out, r->tgw_dst_subnet_id, sizeof(r->tgw_dst_subnet_id));
        return;
    case FLOWLOG_F_TGW_SRC_ENI:
        flowlog_put_str(out, r->tgw_src_eni, sizeof(r->tgw_src_eni));
        return;
    case FLOWLOG_F_TGW_DST_ENI:
        flowlog_put_str(out, r->tgw_dst_eni, sizeof(r->tgw_dst_eni));
        return;
    case FLOWLOG_F_TGW_SRC_AZ_ID:
        flowlog_put_str(out, r->tgw_src_az_id, sizeof(r->tgw_src_az_id));
        return;
    case FLOWLOG_F_TGW_DST_AZ_ID:
        flowlog_put_str(out, r->tgw_dst_az_id, sizeof(r->tgw_dst_az_id));
        return;
    case FLOWLOG_F_TGW_PAIR_ATTACHMENT_ID:
        flowlog_put_str(out, r->tgw_pair_attachment_id, sizeof(r->tgw_pair_attachment_id));
        return;
    case FLOWLOG_F_PACKETS_LOST_NO_ROUTE:
    case FLOWLOG_F_PACKETS_LOST_BLACKHOLE:
    case FLOWLOG_F_PACKETS_LOST_MTU_EXCEEDED:
    case FLOWLOG_F_PACKETS_LOST_TTL_EXPIRED:
        /* Counted from packets, like packets and bytes: "-" without a flow. */
        if (!flow)
            strbuf_puts(out, "-");
        else
            strbuf_printf(out, "%llu",
                          (unsigned long long)(field == FLOWLOG_F_PACKETS_LOST_NO_ROUTE
                                                   ? r->packets_lost_no_route
                                               : field == FLOWLOG_F_PACKETS_LOST_BLACKHOLE
                                                   ? r->packets_lost_blackhole
                                               : field == FLOWLOG_F_PACKETS_LOST_MTU_EXCEEDED
                                                   ? r->packets_lost_mtu_exceeded
                                                   : r->packets_lost_ttl_expired));
        return;
    case FLOWLOG_F_TRAFFIC_PATH:
        /* AWS reports a path for egress traffic only. */
        if (flow && r->egress && r->traffic_path >= 1 && r->traffic_path <= 8)
            strbuf_printf(out, "%d", r->traffic_path);
        else
            strbuf_puts(out, "-");
        return;
    case FLOWLOG_F__COUNT:
        break;
    }
    strbuf_puts(out, "-");
}

void flowlog_format_record(const struct flowlog_format *f, const struct flowlog_record *r,
                           struct strbuf *out)
{
    for (size_t i = 0; i < f->n_fields; i++) {
        if (i)
            strbuf_append(out, " ", 1);
        flowlog_put_field(f->fields[i], f, r, out);
    }
}

/* ---- files ---- */

/* One path component that cannot climb out of, or alias, the directory it names. */
static bool flowlog_component_ok(const char *s, size_t n)
{
    if (n == 0 || memchr(s, '/', n))
        return false;
    if ((n == 1 && s[0] == '.') || (n == 2 && s[0] == '.' && s[1] == '.'))
        return false;
    return true;
}

/* A NUL-terminated string within size bytes that is one safe component. */
static bool flowlog_name_ok(const char *s, size_t size)
{
    size_t n = strnlen(s, size);
    return n < size && flowlog_component_ok(s, n);
}

/* A '/'-separated relative path of safe components (no empty ones: "a//b" would alias "a/b"). */
static bool flowlog_relpath_ok(const char *s, size_t size)
{
    size_t n = strnlen(s, size);

    if (n == size || n == 0)
        return false;
    for (const char *p = s, *end = s + n;;) {
        const char *slash = memchr(p, '/', (size_t)(end - p));
        const char *stop = slash ? slash : end;
        if (!flowlog_component_ok(p, (size_t)(stop - p)))
            return false;
        if (!slash)
            return true;
        p = slash + 1;
    }
}

/* mkdir -p: every missing directory of path, mode 0755. */
static int flowlog_mkdirs(const char *path)
{
    char *copy = xstrdup(path);
    int rc = 0;

    for (char *p = copy + 1;; p++) {
        if (*p != '/' && *p != '\0')
            continue;
        char saved = *p;
        *p = '\0';
        if (mkdir(copy, 0755) != 0 && errno != EEXIST) {
            rc = -errno;
            break;
        }
        *p = saved;
        if (saved == '\0')
            break;
    }
    if (rc == 0) {
        struct stat st;
        if (stat(copy, &st) != 0)
            rc = -errno;
        else if (!S_ISDIR(st.st_mode))
            rc = -ENOTDIR;
    }
    free(copy);
    return rc;
}

static int flowlog_write_all(int fd, const char *data, size_t len)
{
    while (len > 0) {
        ssize_t w = write(fd, data, len);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return -errno;
        }
        data += w;
        len -= (size_t)w;
    }
    return 0;
}

/* gzip (RFC 1952) of in into *out (caller frees). */
static int flowlog_gzip(const char *in, size_t in_len, unsigned char **out, size_t *out_len)
{
    z_stream zs;
    memset(&zs, 0, sizeof(zs));

    if (in_len > UINT_MAX / 2) /* deflateBound() of it must fit a uInt as well */
        return -EFBIG;
    /* windowBits 15 + 16 asks zlib for the gzip wrapper instead of the zlib one. */
    if (deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) !=
        Z_OK)
        return -ENOMEM;
    uLong bound = deflateBound(&zs, (uLong)in_len);
    unsigned char *buf = xmalloc(bound);
    zs.next_in = (Bytef *)(uintptr_t)in;
    zs.avail_in = (uInt)in_len;
    zs.next_out = buf;
    zs.avail_out = (uInt)bound;
    int zrc = deflate(&zs, Z_FINISH);
    size_t produced = zs.total_out;
    deflateEnd(&zs);
    if (zrc != Z_STREAM_END) {
        free(buf);
        return -EIO;
    }
    *out = buf;
    *out_len = produced;
    return 0;
}

static uint64_t flowlog_fnv1a(uint64_t h, const void *data, size_t n)
{
    const unsigned char *p = data;
    for (size_t i = 0; i < n; i++) {
        h ^= p[i];
        h *= 0x100000001b3ULL;
    }
    return h;
}

static int flowlog_fsync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    int rc = 0;

    if (fd < 0)
        return -errno;
    if (fsync(fd) != 0 && errno != EINVAL)
        rc = -errno;
    close(fd);
    return rc;
}

static int flowlog_deliver_s3(const char *root, const struct flowlog_dest *d,
                              const struct flowlog_format *f, const struct flowlog_record *recs,
                              size_t n, time_t when)
{
    struct tm tm;
    struct strbuf dir, content, tmp, final;
    unsigned char *gz = NULL;
    size_t gz_len = 0;
    int fd = -1;
    int rc;

    if (!flowlog_name_ok(d->bucket, sizeof(d->bucket)) ||
        !flowlog_name_ok(d->account, sizeof(d->account)) ||
        !flowlog_name_ok(d->region, sizeof(d->region)) ||
        !flowlog_name_ok(d->flow_log_id, sizeof(d->flow_log_id)) ||
        (d->prefix[0] && !flowlog_relpath_ok(d->prefix, sizeof(d->prefix))))
        return -EINVAL;
    if (!gmtime_r(&when, &tm))
        return -EOVERFLOW;

    strbuf_init(&dir);
    strbuf_init(&content);
    strbuf_init(&tmp);
    strbuf_init(&final);
    strbuf_printf(&dir, "%s/s3/%s", root, d->bucket);
    if (d->prefix[0])
        strbuf_printf(&dir, "/%s", d->prefix);
    strbuf_printf(&dir, "/AWSLogs/%s/vpcflowlogs/%s/%04d/%02d/%02d", d->account, d->region,
                  tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);

    flowlog_format_names(f, &content);
    strbuf_append(&content, "\n", 1);
    for (size_t i = 0; i < n; i++) {
        flowlog_format_record(f, &recs[i], &content);
        strbuf_append(&content, "\n", 1);
    }
    rc = flowlog_gzip(content.data, content.len, &gz, &gz_len);
    if (rc)
        goto out;
    rc = flowlog_mkdirs(dir.data);
    if (rc)
        goto out;

    /* Written under a dot-name, then linked to its real name: a reader either sees the whole
     * file or none, and link() (unlike rename()) fails instead of replacing a file that got
     * the same name. */
    strbuf_printf(&tmp, "%s/.flowlog-XXXXXX", dir.data);
    fd = mkostemp(tmp.data, O_CLOEXEC);
    if (fd < 0) {
        rc = -errno;
        strbuf_reset(&tmp);
        goto out;
    }
    if (fchmod(fd, 0644) != 0 || (rc = flowlog_write_all(fd, (const char *)gz, gz_len)) != 0 ||
        fsync(fd) != 0) {
        rc = rc ? rc : -errno;
        goto out;
    }
    if (close(fd) != 0) {
        fd = -1;
        rc = -errno;
        goto out;
    }
    fd = -1;

    uint64_t base = 0xcbf29ce484222325ULL;
    int64_t when64 = (int64_t)when;
    base = flowlog_fnv1a(base, content.data, content.len);
    base = flowlog_fnv1a(base, &when64, sizeof(when64));
    base = flowlog_fnv1a(base, d->flow_log_id, strnlen(d->flow_log_id, sizeof(d->flow_log_id)));
    rc = -EEXIST;
    for (uint32_t attempt = 0; attempt < FLOWLOG_NAME_ATTEMPTS; attempt++) {
        uint64_t h = attempt ? flowlog_fnv1a(base, &attempt, sizeof(attempt)) : base;
        strbuf_reset(&final);
        strbuf_printf(&final, "%s/%s_vpcflowlogs_%s_%s_%04d%02d%02dT%02d%02dZ_%08x.log.gz",
                      dir.data, d->account, d->region, d->flow_log_id, tm.tm_year + 1900,
                      tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
                      (unsigned)(uint32_t)(h ^ (h >> 32)));
        if (link(tmp.data, final.data) == 0) {
            rc = 0;
            break;
        }
        if (errno != EEXIST) {
            rc = -errno;
            break;
        }
    }
    if (rc == 0)
        rc = flowlog_fsync_dir(dir.data);

out:
    if (fd >= 0)
        close(fd);
    if (tmp.len)
        unlink(tmp.data);
    free(gz);
    strbuf_destroy(&dir);
    strbuf_destroy(&content);
    strbuf_destroy(&tmp);
    strbuf_destroy(&final);
    return rc;
}

static int flowlog_append(const char *path, const struct strbuf *lines)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    int rc;

    if (fd < 0)
        return -errno;
    /* One write() per stream: O_APPEND keeps a concurrent reader from seeing lines of two
     * batches interleaved. */
    rc = flowlog_write_all(fd, lines->data, lines->len);
    if (close(fd) != 0 && rc == 0)
        rc = -errno;
    return rc;
}

/* The CloudWatch Logs stream of a record: its interface, or for a transit gateway record (which
 * has none) its transit gateway, as AWS documents one stream per transit gateway. Both arrays
 * are ID_MAX bytes. */
_Static_assert(sizeof(((struct flowlog_record *)0)->interface_id) == ID_MAX &&
                   sizeof(((struct flowlog_record *)0)->tgw_id) == ID_MAX,
               "a stream name is ID_MAX bytes at most");
static const char *flowlog_stream(const struct flowlog_record *r)
{
    return r->interface_id[0] != '\0' ? r->interface_id : r->tgw_id;
}

static int flowlog_deliver_cwl(const char *root, const struct flowlog_dest *d,
                               const struct flowlog_format *f, const struct flowlog_record *recs,
                               size_t n)
{
    const char *group = d->group;
    size_t group_size = sizeof(d->group);
    struct strbuf dir, path, lines;
    bool *done;
    int rc = 0;

    /* Log group names like "/vpc/flow" are common; the leading slashes name no directory. */
    while (group_size > 1 && *group == '/') {
        group++;
        group_size--;
    }
    if (!flowlog_relpath_ok(group, group_size))
        return -EINVAL;
    /* Checked up front so a bad record cannot leave half a batch delivered. */
    for (size_t i = 0; i < n; i++)
        if (!flowlog_name_ok(flowlog_stream(&recs[i]), ID_MAX))
            return -EINVAL;

    strbuf_init(&dir);
    strbuf_init(&path);
    strbuf_init(&lines);
    strbuf_printf(&dir, "%s/logs/%s", root, group);
    rc = flowlog_mkdirs(dir.data);
    if (rc)
        goto out;
    done = xcalloc(n, sizeof(*done));
    for (size_t i = 0; i < n && rc == 0; i++) {
        if (done[i])
            continue;
        strbuf_reset(&lines);
        for (size_t j = i; j < n; j++) {
            if (done[j] || strcmp(flowlog_stream(&recs[j]), flowlog_stream(&recs[i])) != 0)
                continue;
            done[j] = true;
            flowlog_format_record(f, &recs[j], &lines);
            strbuf_append(&lines, "\n", 1);
        }
        strbuf_reset(&path);
        strbuf_printf(&path, "%s/%s", dir.data, flowlog_stream(&recs[i]));
        rc = flowlog_append(path.data, &lines);
    }
    free(done);
out:
    strbuf_destroy(&dir);
    strbuf_destroy(&path);
    strbuf_destroy(&lines);
    return rc;
}

int flowlog_deliver(const char *root, const struct flowlog_dest *dest,
                    const struct flowlog_format *f, const struct flowlog_record *recs, size_t n,
                    time_t when)
{
    if (!root || !*root || !dest || !f)
        return -EINVAL;
    if (n == 0)
        return 0;
    if (!recs)
        return -EINVAL;
    switch (dest->type) {
    case FLOWLOG_DEST_S3:
        return flowlog_deliver_s3(root, dest, f, recs, n, when);
    case FLOWLOG_DEST_CWL:
        return flowlog_deliver_cwl(root, dest, f, recs, n);
    }
    return -EINVAL;
}

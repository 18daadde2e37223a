/* VPC and transit gateway flow log records: the format (AWS's ${field} syntax), one record's
 * text, and the files the two destinations get. This module knows nothing of packets or the
 * model: the data plane aggregates what it saw into struct flowlog_record and hands batches
 * here; the API validates a LogFormat with flowlog_format_parse_for(), in the scope of the flow
 * log's resource type (VPC, subnet and ENI flow logs have one set of fields, transit gateway
 * and attachment flow logs another).
 *
 * Layout on disk (relative to a root the caller gives, "./var" in vpcd):
 *   s3: <root>/s3/<bucket>/<prefix>/AWSLogs/<account>/vpcflowlogs/<region>/YYYY/MM/DD/
 *                     <account>_vpcflowlogs_<region>_<fl-id>_<YYYYMMDDTHHmmZ>_<hash8>.log.gz
 *                     (gzip; first line is the field names, space-separated, as AWS writes them;
 *                     transit gateway flow logs use the same layout, as on AWS)
 *   cloud-watch-logs: <root>/logs/<group>/<stream>, one line per record appended, where the stream
 *                     is the interface id (eni-...), as AWS names the streams; a transit gateway
 *                     record (no interface id) goes to its transit gateway's stream (tgw-...):
 *                     AWS documents one stream per transit gateway. */
#ifndef VPCD_FLOWLOG_FLOWLOG_H
#define VPCD_FLOWLOG_FLOWLOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "lib/ids.h"
#include "lib/strbuf.h"

/* Every field of the custom format: the VPC fields in AWS's documented order (versions 2 to 5),
 * then the transit-gateway-only ones (version 6). Appended, never reordered: the enum values are
 * the parsed form that callers compare. */
#define FLOWLOG_FIELDS(X)                                                                          \
    X(VERSION, "version", 2)                                                                       \
    X(ACCOUNT_ID, "account-id", 2)                                                                 \
    X(INTERFACE_ID, "interface-id", 2)                                                             \
    X(SRCADDR, "srcaddr", 2)                                                                       \
    X(DSTADDR, "dstaddr", 2)                                                                       \
    X(SRCPORT, "srcport", 2)                                                                       \
    X(DSTPORT, "dstport", 2)                                                                       \
    X(PROTOCOL, "protocol", 2)                                                                     \
    X(PACKETS, "packets", 2)                                                                       \
    X(BYTES, "bytes", 2)                                                                           \
    X(START, "start", 2)                                                                           \
    X(END, "end", 2)                                                                               \
    X(ACTION, "action", 2)                                                                         \
    X(LOG_STATUS, "log-status", 2)                                                                 \
    X(VPC_ID, "vpc-id", 3)                                                                         \
    X(SUBNET_ID, "subnet-id", 3)                                                                   \
    X(INSTANCE_ID, "instance-id", 3)                                                               \
    X(TCP_FLAGS, "tcp-flags", 3)                                                                   \
    X(TYPE, "type", 3)                                                                             \
    X(PKT_SRCADDR, "pkt-srcaddr", 3)                                                               \
    X(PKT_DSTADDR, "pkt-dstaddr", 3)                                                               \
    X(REGION, "region", 4)                                                                         \
    X(AZ_ID, "az-id", 4)                                                                           \
    X(SUBLOCATION_TYPE, "sublocation-type", 4)                                                     \
    X(SUBLOCATION_ID, "sublocation-id", 4)                                                         \
    X(PKT_SRC_AWS_SERVICE, "pkt-src-aws-service", 5)                                               \
    X(PKT_DST_AWS_SERVICE, "pkt-dst-aws-service", 5)                                               \
    X(FLOW_DIRECTION, "flow-direction", 5)                                                         \
    X(TRAFFIC_PATH, "traffic-path", 5)                                                             \
    X(RESOURCE_TYPE, "resource-type", 6)                                                           \
    X(TGW_ID, "tgw-id", 6)                                                                         \
    X(TGW_ATTACHMENT_ID, "tgw-attachment-id", 6)                                                   \
    X(TGW_SRC_VPC_ACCOUNT_ID, "tgw-src-vpc-account-id", 6)                                         \
    X(TGW_DST_VPC_ACCOUNT_ID, "tgw-dst-vpc-account-id", 6)                                         \
    X(TGW_SRC_VPC_ID, "tgw-src-vpc-id", 6)                                                         \
    X(TGW_DST_VPC_ID, "tgw-dst-vpc-id", 6)                                                         \
    X(TGW_SRC_SUBNET_ID, "tgw-src-subnet-id", 6)                                                   \
    X(TGW_DST_SUBNET_ID, "tgw-dst-subnet-id", 6)                                                   \
    X(TGW_SRC_ENI, "tgw-src-eni", 6)                                                               \
    X(TGW_DST_ENI, "tgw-dst-eni", 6)                                                               \
    X(TGW_SRC_AZ_ID, "tgw-src-az-id", 6)                                                           \
    X(TGW_DST_AZ_ID, "tgw-dst-az-id", 6)                                                           \
    X(TGW_PAIR_ATTACHMENT_ID, "tgw-pair-attachment-id", 6)                                         \
    X(PACKETS_LOST_NO_ROUTE, "packets-lost-no-route", 6)                                           \
    X(PACKETS_LOST_BLACKHOLE, "packets-lost-blackhole", 6)                                         \
    X(PACKETS_LOST_MTU_EXCEEDED, "packets-lost-mtu-exceeded", 6)                                   \
    X(PACKETS_LOST_TTL_EXPIRED, "packets-lost-ttl-expired", 6)

#define FLOWLOG_FIELD_ENUM(name_, text_, version_) FLOWLOG_F_##name_,
enum flowlog_field { FLOWLOG_FIELDS(FLOWLOG_FIELD_ENUM) FLOWLOG_F__COUNT };
#undef FLOWLOG_FIELD_ENUM

#define FLOWLOG_MAX_FIELDS 64

struct flowlog_format {
    enum flowlog_field fields[FLOWLOG_MAX_FIELDS];
    size_t n_fields;
    int version; /* the highest version among the fields (what ${version} prints) */
};

/* Which resource types a format is for: the fields differ (AWS's lists for VPC flow logs and for
 * transit gateway flow logs share only some), and so does the default. */
enum flowlog_scope { FLOWLOG_SCOPE_VPC, FLOWLOG_SCOPE_TGW };

/* Parses a LogFormat ("${version} ${srcaddr} ..."; fields separated by single spaces) for a flow
 * log of the given scope. NULL or "" is the scope's default format: for VPC the 14 version-2
 * fields; for TGW every transit gateway field (36, version 6), in AWS's order. VPC scope allows
 * the version 2-5 fields, TGW scope only the fields of AWS's transit gateway list (no
 * interface-id, action, vpc-id...); any other scope value is taken as VPC. 0, or -1 with a
 * message for the API's InvalidParameter error (unknown field, field of the other scope, bad
 * syntax, duplicate field); *out is untouched on failure. */
int flowlog_format_parse_for(const char *text, enum flowlog_scope scope, struct flowlog_format *out,
                             char *err, size_t err_size);

/* flowlog_format_parse_for() in VPC scope. */
int flowlog_format_parse(const char *text, struct flowlog_format *out, char *err, size_t err_size);

/* The LogFormat text of a parsed format, as DescribeFlowLogs shows it. */
void flowlog_format_text(const struct flowlog_format *f, struct strbuf *out);

enum flowlog_status { FLOWLOG_OK, FLOWLOG_NODATA, FLOWLOG_SKIPDATA };

/* One aggregated flow at one interface (VPC flow logs) or one transit gateway attachment (TGW
 * flow logs) over one capture window. Strings are NUL-terminated or fill their array; an empty
 * one prints "-". */
struct flowlog_record {
    char account[13];
    char region[32];
    char interface_id[ID_MAX];
    char vpc_id[ID_MAX];
    char subnet_id[ID_MAX];
    char instance_id[ID_MAX];                 /* empty: "-" */
    char az_id[16];                           /* empty: "-" */
    uint8_t family;                           /* 4 or 6 */
    uint8_t proto;                            /* IANA number */
    uint16_t sport, dport;                    /* 0 for protocols without ports */
    uint8_t srcaddr[16], dstaddr[16];         /* network order; IPv4 in the first 4 */
    uint8_t pkt_srcaddr[16], pkt_dstaddr[16]; /* the packet's own addresses */
    uint64_t packets, bytes;
    int64_t start, end; /* unix seconds */
    bool accept;
    uint8_t tcp_flags; /* OR of flowlog_tcp_flags() over the flow's packets */
    bool egress;       /* flow-direction */
    int traffic_path;  /* 1..8 for egress, 0 = "-" */
    enum flowlog_status status;
    /* Transit gateway flow logs only (the version 6 fields). */
    char resource_type[32]; /* "TransitGateway" or "TransitGatewayAttachment" */
    char tgw_id[ID_MAX];
    char tgw_attachment_id[ID_MAX];
    char tgw_src_vpc_account_id[13];
    char tgw_dst_vpc_account_id[13];
    char tgw_src_vpc_id[ID_MAX];
    char tgw_dst_vpc_id[ID_MAX];
    char tgw_src_subnet_id[ID_MAX];
    char tgw_dst_subnet_id[ID_MAX];
    char tgw_src_eni[ID_MAX];
    char tgw_dst_eni[ID_MAX];
    char tgw_src_az_id[16];
    char tgw_dst_az_id[16];
    char tgw_pair_attachment_id[ID_MAX];
    uint64_t packets_lost_no_route, packets_lost_blackhole, packets_lost_mtu_exceeded,
        packets_lost_ttl_expired;
};

/* The part of one TCP header's flag byte that tcp-flags counts. AWS logs FIN 1, SYN 2 and RST 4,
 * and ACK 16 only as part of SYN-ACK (18): ACK or PSH alone leave the field 0. Inline because the
 * data plane calls it per packet. */
static inline uint8_t flowlog_tcp_flags(uint8_t th_flags)
{
    uint8_t f = th_flags & 0x07;
    if ((th_flags & 0x12) == 0x12)
        f |= 0x10;
    return f;
}

/* Appends one record's line (no newline) in format f. */
void flowlog_format_record(const struct flowlog_format *f, const struct flowlog_record *r,
                           struct strbuf *out);

enum flowlog_dest_type { FLOWLOG_DEST_S3, FLOWLOG_DEST_CWL };

/* Where one flow log delivers. */
struct flowlog_dest {
    enum flowlog_dest_type type;
    char flow_log_id[ID_MAX];
    char account[13];
    char region[32];
    char bucket[64];  /* s3 */
    char prefix[256]; /* s3: may be empty; no leading or trailing slash */
    char group[512];  /* cloud-watch-logs: the log group name */
};

/* Delivers n records (all from one capture window ending at `when`) to dest under root.
 * s3: one new gzip file (header line, then one line per record); cloud-watch-logs: lines
 * appended to each record's stream (interface_id, or tgw_id when interface_id is empty; a record
 * with neither refuses the batch with -EINVAL before anything is written). Directories are created
 * as needed. 0 or a negative errno. n == 0 writes nothing. */
int flowlog_deliver(const char *root, const struct flowlog_dest *dest,
                    const struct flowlog_format *f, const struct flowlog_record *recs, size_t n,
                    time_t when);

#endif

/* The forwarding snapshot: every account's and region's network compiled into flat, immutable
 * tables that the pipeline reads. Objects refer to each other by u32 index into the snapshot's
 * arrays (FIB_NONE for "none"), never by id or pointer, so a lookup on the packet path is an
 * array access. A snapshot never changes after fib_snapshot_build() returns; a model change
 * builds a new one, which the owner publishes with one pointer swap (fib_snapshot_ref/unref
 * keep an old one alive while a reader still holds it).
 *
 * Ownership: the snapshot owns every array and string in it; fib_snapshot_unref() frees it all
 * when the last reference goes. Ids are copies, so a snapshot outlives model changes. */
#ifndef VPCD_FIB_SNAPSHOT_H
#define VPCD_FIB_SNAPSHOT_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fib/fib.h"
#include "lib/hmap.h"
#include "flowlog/flowlog.h"
#include "model/resources.h"

#define FIB_NONE UINT32_MAX

struct fib_vpc {
    char id[ID_MAX];
    char account[13];
    char region[32];
    struct prefix4 *cidrs4; /* owned */
    size_t n_cidrs4;
    struct prefix6 *cidrs6; /* owned */
    size_t n_cidrs6;
    uint32_t igw;                    /* attached internet gateway, or FIB_NONE */
    uint32_t eigw;                   /* egress-only internet gateway, or FIB_NONE */
    struct lpm *subnets4, *subnets6; /* owned; subnet blocks -> subnets[] index */
    uint32_t *tgw_attaches;          /* owned; its VPC attachments (tgw_attaches[] indices) */
    size_t n_tgw_attaches;
    bool dns_support;   /* enableDnsSupport: the resolver answers */
    bool dns_hostnames; /* enableDnsHostnames */
};

struct fib_subnet {
    char id[ID_MAX];
    uint32_t vpc;
    char az[40];
    char az_id[40]; /* e.g. use1-az1 */
    bool has_ipv4;
    struct prefix4 cidr;
    struct prefix6 *cidrs6; /* owned */
    size_t n_cidrs6;
    uint32_t rtb; /* the route table it uses (explicit association or the VPC's main table) */
    uint32_t acl;
};

enum fib_eni_kind {
    FIB_ENI_INSTANCE, /* an instance's interface (or a detached user interface) */
    FIB_ENI_NAT,      /* a NAT gateway's interface: owner is the fib_nat index */
    FIB_ENI_TGW,      /* a TGW attachment's interface: owner is the fib_tgw_attach index */
};

/* AWS allows 2 flow logs per ENI, subnet and VPC: at most 6 watch one interface. */
#define FIB_ENI_FLOW_LOGS 6

struct fib_eni {
    char id[ID_MAX];
    char instance_id[ID_MAX]; /* empty unless attached to an instance */
    enum fib_eni_kind kind;
    uint32_t owner;
    uint32_t subnet, vpc;
    uint32_t *ips4; /* owned, host order; [0] is the primary address */
    size_t n_ips4;
    uint8_t (*ips6)[16]; /* owned, network order */
    size_t n_ips6;
    uint32_t *sgs; /* owned; indices into sgs[] */
    size_t n_sgs;
    bool source_dest_check;
    bool up; /* can send and receive: attached to a running instance, or service-managed */
    uint8_t mac[6];
    int device_index; /* eth<N> inside the instance; -1 when not attached to one */
    uint64_t key;     /* a hash of the id: its name in state kept across snapshots */
    /* The flow logs watching it (its own, its subnet's, its VPC's): flow_logs[] indices. */
    uint32_t flow_logs[FIB_ENI_FLOW_LOGS];
    uint8_t n_flow_logs;
};

enum fib_sg_peer { FIB_SG_PEER_CIDR, FIB_SG_PEER_GROUP };

struct fib_sg_rule {
    char id[ID_MAX];        /* sgr-... */
    int proto;              /* -1: all, else an IANA number */
    int from_port, to_port; /* -1/-1 when the rule has no ports (all ports, any ICMP) */
    enum fib_sg_peer peer;
    int family;      /* CIDR peers: 4 or 6 */
    uint8_t net[16]; /* CIDR peers, network order */
    uint8_t len;
    uint32_t group;     /* GROUP peers: the referenced sgs[] index (FIB_NONE if it is gone) */
    char peer_text[64]; /* the CIDR, pl-... or sg-... as the rule names it */
};

struct fib_sg {
    char id[ID_MAX];
    char name[256];
    uint32_t vpc;
    struct fib_sg_rule *rules[2]; /* [0] ingress, [1] egress; prefix-list rules expanded */
    size_t n_rules[2];
};

struct fib_pcx {
    char id[ID_MAX];
    bool active;
    uint32_t vpc[2]; /* requester, accepter (FIB_NONE if the VPC is gone) */
    /* AllowDnsResolutionFromRemoteVpc of each side: allow_dns[i] lets instances of the other
     * side resolve side i's instance names to private addresses. */
    bool allow_dns[2];
};

/* Flow logs per transit gateway or attachment (AWS: 2 per resource). */
#define FIB_TGW_FLOW_LOGS 2

struct fib_tgw {
    char id[ID_MAX];
    char account[13];
    char region[32];
    uint32_t flow_logs[FIB_TGW_FLOW_LOGS]; /* flow_logs[] indices */
    uint8_t n_flow_logs;
};

struct fib_tgw_attach {
    char id[ID_MAX];
    enum tgw_attach_kind kind;
    uint32_t tgw;
    uint32_t rtb; /* associated TGW route table, or FIB_NONE */
    bool available;
    /* VPC attachments: one subnet and one TGW interface per zone */
    uint32_t vpc;
    uint32_t *subnets; /* owned */
    uint32_t *enis;    /* owned; enis[i] lives in subnets[i] */
    size_t n_subnets;
    bool appliance_mode;
    uint64_t key; /* a hash of the id (flow log aggregation) */
    uint32_t flow_logs[FIB_TGW_FLOW_LOGS];
    uint8_t n_flow_logs;
    /* Peering attachments: the other side's object */
    uint32_t peer;
};

struct fib_tgw_route {
    int family;
    uint8_t dst[16];
    uint8_t len;
    char dst_text[PREFIX6_STRLEN];
    bool propagated;
    bool blackhole;         /* a blackhole route, or its attachment is not available */
    char attach_id[ID_MAX]; /* empty for a blackhole route */
};

/* A compiled TGW route table: no snapshot indices inside, so it can be shared by snapshots. */
struct fib_tgw_rtb {
    char id[ID_MAX];
    struct lpm *lpm4, *lpm6;      /* values index routes[] */
    struct fib_tgw_route *routes; /* owned */
    size_t n_routes;
};

/* A compiled table shared by every snapshot built while its inputs stay the same: what a
 * change does not touch is not compiled again (fib_snapshot_build_from). Owned by its
 * references; the last snapshot that drops it frees it. */
struct fib_shared;

/* The tables of a snapshot: the shared compiled part, and the snapshot's own resolution of
 * the ids inside it to indices (indices differ from one snapshot to the next). */
struct fib_rtb_ref {
    const struct fib_rtb *t;
    uint32_t *targets; /* owned; targets[i]: t->routes[i]'s target in its kind's array, or
                        * FIB_NONE (pcxs[], tgws[], igws[], eigws[], nats[], enis[]) */
    struct fib_shared *shared;
    uint64_t assoc_sig; /* digest of the table's associations and propagations */
};

struct fib_acl_ref {
    const struct fib_acl *t;
    struct fib_shared *shared;
};

struct fib_tgw_rtb_ref {
    const struct fib_tgw_rtb *t;
    uint32_t tgw;
    uint32_t *attach; /* owned; attach[i]: t->routes[i]'s attachment, or FIB_NONE */
    struct fib_shared *shared;
};

struct fib_nat {
    char id[ID_MAX];
    uint64_t key; /* the gateway's name for state kept across snapshots (NAT bindings) */
    uint32_t subnet, vpc, eni;
    bool is_private;
    bool available;
    uint32_t private_ip, public_ip; /* host order; public_ip 0 for a private gateway */
};

struct fib_igw {
    char id[ID_MAX];
    uint32_t vpc; /* FIB_NONE when detached */
};

/* Conntrack names of egress-only gateways have this bit set; ports' names never do. */
#define FIB_EIGW_CT_KEY_BIT 0x80000000u

struct fib_eigw {
    char id[ID_MAX];
    uint32_t ct_key; /* the gateway's name in conntrack: FIB_EIGW_CT_KEY_BIT | hash of id */
    uint32_t vpc;
};

/* One address of an ENI, for (VPC, address) -> ENI and public -> private lookups. */
struct fib_addr {
    uint32_t key;  /* VPC index (by_addr) or public address (by_public) */
    uint32_t addr; /* private address, host order */
    uint32_t eni;
    uint32_t public_ip; /* by_addr: the public address mapped to it, or 0 */
};

/* One IPv6 address of an ENI, for (VPC, address) -> ENI. */
struct fib_addr6 {
    uint32_t vpc;
    uint8_t addr[16];
    uint32_t eni;
};

enum fib_obj {
    FIB_OBJ_VPC,
    FIB_OBJ_SUBNET,
    FIB_OBJ_RTB,
    FIB_OBJ_ACL,
    FIB_OBJ_SG,
    FIB_OBJ_ENI,
    FIB_OBJ_PCX,
    FIB_OBJ_TGW,
    FIB_OBJ_TGW_ATTACH,
    FIB_OBJ_TGW_RTB,
    FIB_OBJ_NAT,
    FIB_OBJ_IGW,
    FIB_OBJ_EIGW,
    FIB_OBJ_INSTANCE, /* index is the instance's primary ENI */
    FIB_OBJ__COUNT
};

/* A flow log as the data plane delivers it. */
struct fib_flow_log {
    char id[ID_MAX];
    bool tgw; /* a TransitGateway(Attachment) flow log: TGW records, not interfaces' */
    char resource_type[32]; /* its records' resource-type: TransitGateway... */
    enum flow_log_traffic traffic;
    struct flowlog_format format;
    struct flowlog_dest dest;
};

struct fib_snapshot {
    atomic_uint refs;
    uint64_t generation; /* the model generation it was built from */
    struct fib_vpc *vpcs;
    size_t n_vpcs;
    struct fib_subnet *subnets;
    size_t n_subnets;
    struct fib_rtb_ref *rtbs;
    size_t n_rtbs;
    struct fib_acl_ref *acls;
    size_t n_acls;
    struct fib_sg *sgs;
    size_t n_sgs;
    struct fib_eni *enis;
    size_t n_enis;
    struct fib_pcx *pcxs;
    size_t n_pcxs;
    struct fib_tgw *tgws;
    size_t n_tgws;
    struct fib_tgw_attach *tgw_attaches;
    size_t n_tgw_attaches;
    struct fib_tgw_rtb_ref *tgw_rtbs;
    size_t n_tgw_rtbs;
    struct fib_nat *nats;
    size_t n_nats;
    struct fib_igw *igws;
    size_t n_igws;
    struct fib_eigw *eigws;
    size_t n_eigws;
    struct fib_flow_log *flow_logs;
    size_t n_flow_logs;
    struct fib_addr *by_addr; /* sorted by (key = vpc, addr) */
    size_t n_by_addr;
    struct fib_addr *by_public; /* sorted by (key = public address) */
    size_t n_by_public;
    struct fib_addr6 *by_addr6; /* sorted by (vpc, addr) */
    size_t n_by_addr6;
    struct hmap ids; /* id -> struct fib_ref (owned array refs) */
    struct fib_ref *refs_arr;
    size_t n_refs;
    /* Tables compiled for this snapshot and tables taken over from the previous one. */
    size_t n_compiled, n_reused;
    uint64_t type_generation[RES__COUNT]; /* the model's, when this was built */
    /* A snapshot made when only routes changed shares everything but rtbs[] with base (one
     * reference held), and owns the rtbs[] entries listed in owned_rtbs (their targets and a
     * reference to their table); the other entries are base's. NULL: it owns everything. */
    struct fib_snapshot *base;
    uint32_t *owned_rtbs;
    size_t n_owned_rtbs;
};

struct fib_ref {
    char id[ID_MAX];
    enum fib_obj type;
    uint32_t index;
};

/* Compiles the whole model. The caller owns the result (one reference). */
struct fib_snapshot *fib_snapshot_build(const struct model *m);
/* The same, taking over from prev (borrowed; may be NULL) every compiled route table, NACL and
 * TGW route table whose inputs did not change since prev was built. The result is identical
 * to fib_snapshot_build(m); only the work differs. When nothing but the routes of a few route
 * tables changed since prev, the result shares all of prev's other arrays and indices (see
 * base), so the work is those tables' and not the network's. */
struct fib_snapshot *fib_snapshot_build_from(const struct model *m,
                                             const struct fib_snapshot *prev);
struct fib_snapshot *fib_snapshot_ref(struct fib_snapshot *s);
/* Drops a reference; frees the snapshot with the last one. Accepts NULL. */
void fib_snapshot_unref(struct fib_snapshot *s);

/* The printable form: every compiled table and object in a canonical text (ids, never
 * indices), so tests can diff two snapshots, or a snapshot against golden text. */
struct strbuf;
void fib_snapshot_print(const struct fib_snapshot *s, struct strbuf *out);

/* The index of object `id` of `type`, or FIB_NONE. */
uint32_t fib_find(const struct fib_snapshot *s, enum fib_obj type, const char *id);
/* The ENI holding private IPv4 address addr (host order) in VPC vpc, or FIB_NONE. */
uint32_t fib_eni_by_addr(const struct fib_snapshot *s, uint32_t vpc, uint32_t addr);
/* The ENI holding IPv6 address addr (16 network-order bytes) in VPC vpc, or FIB_NONE. */
uint32_t fib_eni_by_addr6(const struct fib_snapshot *s, uint32_t vpc, const uint8_t *addr);
/* Either family: addr is 4 or 16 network-order bytes. */
uint32_t fib_eni_at(const struct fib_snapshot *s, uint32_t vpc, int family, const uint8_t *addr);
/* The public IPv4 address mapped to (eni, private address), or 0. */
uint32_t fib_public_of(const struct fib_snapshot *s, uint32_t eni, uint32_t addr);
/* The ENI a public IPv4 address maps to (and its private address), or FIB_NONE. */
uint32_t fib_eni_by_public(const struct fib_snapshot *s, uint32_t public_ip, uint32_t *private_ip);
/* The subnet of vpc whose block holds the address (4 or 16 network-order bytes), or FIB_NONE. */
uint32_t fib_subnet_for_addr(const struct fib_snapshot *s, uint32_t vpc, int family,
                             const uint8_t *addr);
/* True if the address lies in one of the VPC's blocks of that family. */
bool fib_vpc_has_addr(const struct fib_snapshot *s, uint32_t vpc, int family, const uint8_t *addr);
/* True if the ENI owns the address (4 or 16 network-order bytes). */
bool fib_eni_has_addr(const struct fib_eni *e, int family, const uint8_t *addr);

#endif

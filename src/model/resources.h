/* The VPC resources and the model calls that change them. Objects refer to each other by
 * id (looked up through the model), never by pointer, so deleting one object can never leave
 * another dangling. Every function that takes a struct merr returns 0, or -1 with the AWS
 * error and nothing changed. */
#ifndef VPCD_MODEL_RESOURCES_H
#define VPCD_MODEL_RESOURCES_H

#include "flowlog/flowlog.h"
#include "lib/addr.h"
#include "model/model.h"

/* ---- VPC ---- */

struct vpc_cidr {
    char assoc_id[ID_MAX]; /* vpc-cidr-assoc-... */
    struct prefix4 cidr;
};

struct vpc_ipv6_cidr {
    char assoc_id[ID_MAX];
    struct prefix6 cidr;
};

struct vpc {
    struct res hdr;
    struct vpc_cidr *cidrs; /* [0] is the primary block, never removed */
    size_t n_cidrs, cap_cidrs;
    struct vpc_ipv6_cidr *ipv6;
    size_t n_ipv6, cap_ipv6;
    bool is_default;
    char tenancy[16];
    bool dns_support;
    bool dns_hostnames;
    bool nau_metrics;
    char main_rtb_id[ID_MAX];
    char default_acl_id[ID_MAX];
    char default_sg_id[ID_MAX];
    /* Its subnets, security groups and route tables (borrowed, seq order): CreateSubnet's
     * overlap and quota checks, the group-name lookups and the route-table quota look here
     * instead of walking every object of the region. Kept by subnet.c, sg.c and
     * route_table.c. */
    struct res_list subnets;
    struct res_list groups;
    struct res_list route_tables;
};

struct vpc_create_args {
    const char *cidr; /* required unless is_default */
    bool amazon_ipv6;
    const char *tenancy;         /* NULL: "default" */
    const struct tag_list *tags; /* borrowed, may be NULL */
};

int vpc_create(struct model *m, struct scope *s, const struct vpc_create_args *a, struct vpc **out,
               struct merr *err);
int vpc_create_default(struct model *m, struct scope *s, struct vpc **out, struct merr *err);
int vpc_delete(struct model *m, struct scope *s, const char *vpc_id, struct merr *err);
struct vpc *vpc_find(const struct model *m, const struct scope *s, const char *id);
bool vpc_has_ipv6(const struct vpc *v);
/* The /56 blocks are drawn from here, like Amazon's 2600:1f00::/24 pool. */
int vpc_associate_cidr(struct model *m, struct scope *s, const char *vpc_id, const char *cidr,
                       bool amazon_ipv6, const char **assoc_id_out, struct merr *err);
int vpc_disassociate_cidr(struct model *m, struct scope *s, const char *assoc_id,
                          struct vpc **vpc_out, struct merr *err);
/* attribute: enableDnsSupport | enableDnsHostnames | enableNetworkAddressUsageMetrics */
int vpc_set_attribute(struct model *m, struct scope *s, const char *vpc_id, const char *attribute,
                      bool value, struct merr *err);

/* ---- Subnet ---- */

struct subnet_ipv6_cidr {
    char assoc_id[ID_MAX]; /* subnet-cidr-assoc-... */
    struct prefix6 cidr;
};

struct subnet {
    struct res hdr;
    char vpc_id[ID_MAX];
    bool has_ipv4; /* false for IPv6-only subnets */
    struct prefix4 cidr;
    struct subnet_ipv6_cidr *ipv6;
    size_t n_ipv6, cap_ipv6;
    char az[40];
    bool default_for_az;
    bool map_public_ip;
    bool assign_ipv6;
    bool ipv6_native;
    bool enable_dns64;
    bool rn_dns_a;
    bool rn_dns_aaaa;
    char hostname_type[16]; /* ip-name | resource-name */
    unsigned used_ipv4;     /* addresses taken by interfaces (besides the 5 reserved) */
    int lni_device_index;   /* EnableLniAtDeviceIndex; 0 when unset */
    bool map_coip;          /* MapCustomerOwnedIpOnLaunch */
    char coip_pool[64];     /* CustomerOwnedIpv4Pool, empty when unset */
};

struct subnet_create_args {
    const char *vpc_id;
    const char *cidr;      /* may be NULL for IPv6-only */
    const char *ipv6_cidr; /* may be NULL */
    const char *az;        /* NULL: first zone of the region */
    const char *az_id;     /* alternative to az */
    bool ipv6_native;
    const struct tag_list *tags;
};

int subnet_create(struct model *m, struct scope *s, const struct subnet_create_args *a,
                  struct subnet **out, struct merr *err);
int subnet_delete(struct model *m, struct scope *s, const char *subnet_id, struct merr *err);
struct subnet *subnet_find(const struct model *m, const struct scope *s, const char *id);
uint64_t subnet_available_count(const struct subnet *sn);
/* "arn:aws:ec2:<region>:<account>:subnet/<id>" (aws-cn / aws-us-gov partitions as AWS). */
void subnet_arn_format(const struct subnet *sn, char buf[256]);
/* AssociateSubnetCidrBlock: one /64 from the VPC's IPv6 blocks; *out is the new association. */
int subnet_associate_ipv6(struct model *m, struct scope *s, const char *subnet_id,
                          const char *ipv6_cidr, const struct subnet_ipv6_cidr **out,
                          struct merr *err);
/* DisassociateSubnetCidrBlock: *gone receives a copy of the removed association. */
int subnet_disassociate_ipv6(struct model *m, struct scope *s, const char *assoc_id,
                             struct subnet **sn_out, struct subnet_ipv6_cidr *gone,
                             struct merr *err);
/* CreateDefaultSubnet: the next free /20 of the default VPC in zone `az` (name or id). */
int subnet_create_default(struct model *m, struct scope *s, const char *az, bool ipv6_native,
                          struct subnet **out, struct merr *err);

/* ModifySubnetAttribute sets exactly one of these per call. */
enum subnet_attr {
    SUBNET_ATTR_MAP_PUBLIC_IP,
    SUBNET_ATTR_ASSIGN_IPV6,
    SUBNET_ATTR_DNS64,
    SUBNET_ATTR_HOSTNAME_TYPE,
    SUBNET_ATTR_RN_DNS_A,
    SUBNET_ATTR_RN_DNS_AAAA,
    SUBNET_ATTR_LNI_INDEX,
    SUBNET_ATTR_DISABLE_LNI,
    SUBNET_ATTR_MAP_COIP,
};

struct subnet_attr_value {
    bool flag;        /* the boolean attributes */
    long number;      /* SUBNET_ATTR_LNI_INDEX */
    const char *text; /* hostname type, or the pool for SUBNET_ATTR_MAP_COIP */
};

int subnet_set_attribute(struct model *m, struct scope *s, const char *subnet_id,
                         enum subnet_attr attr, const struct subnet_attr_value *v,
                         struct merr *err);

/* ---- Route tables ---- */

enum route_target {
    RT_LOCAL,
    RT_GATEWAY, /* igw-... or vgw-... */
    RT_EIGW,
    RT_NAT,
    RT_INSTANCE,
    RT_ENI,
    RT_PCX,
    RT_TGW,
    RT_VPCE,
    RT_LGW,
    RT_CARRIER,
    RT_CORE_NETWORK,
};

struct route {
    int family; /* 4, 6, or 0 for a prefix-list destination */
    struct prefix4 dst4;
    struct prefix6 dst6;
    char dst_pl[ID_MAX];
    enum route_target kind;
    char target[256]; /* the target's id, or an ARN for core networks; "local" for local */
    char origin[32];  /* CreateRouteTable | CreateRoute | EnableVgwRoutePropagation */
};

struct rtb_assoc {
    char id[ID_MAX]; /* rtbassoc-... */
    bool main;
    char subnet_id[ID_MAX];
    char gateway_id[ID_MAX];
};

struct route_table {
    struct res hdr;
    char vpc_id[ID_MAX];
    struct route *routes;
    size_t n_routes, cap_routes;
    struct rtb_assoc *assocs;
    size_t n_assocs, cap_assocs;
    char (*vgws)[ID_MAX]; /* propagating VGWs */
    size_t n_vgws, cap_vgws;
    char client_token[65]; /* CreateRouteTable's ClientToken, for idempotent retries */
};

struct route_target_args {
    const char *gateway_id, *eigw_id, *nat_id, *instance_id, *eni_id, *pcx_id, *tgw_id, *vpce_id,
        *lgw_id, *carrier_id, *core_network_arn;
    bool local_target; /* ReplaceRoute LocalTarget=true */
};

struct route_dest_args {
    const char *cidr, *ipv6_cidr, *prefix_list_id;
};

int rtb_create(struct model *m, struct scope *s, const char *vpc_id, const struct tag_list *tags,
               struct route_table **out, struct merr *err);
int rtb_delete(struct model *m, struct scope *s, const char *rtb_id, struct merr *err);
struct route_table *rtb_find(const struct model *m, const struct scope *s, const char *id);
int route_create(struct model *m, struct scope *s, const char *rtb_id,
                 const struct route_dest_args *d, const struct route_target_args *t,
                 struct merr *err);
int route_replace(struct model *m, struct scope *s, const char *rtb_id,
                  const struct route_dest_args *d, const struct route_target_args *t,
                  struct merr *err);
int route_delete(struct model *m, struct scope *s, const char *rtb_id,
                 const struct route_dest_args *d, struct merr *err);
/* "active" or "blackhole", derived from the target's existence and state. */
const char *route_state(const struct model *m, const struct scope *s, const struct route *r);
int rtb_associate(struct model *m, struct scope *s, const char *rtb_id, const char *subnet_id,
                  const char *gateway_id, const char **assoc_id_out, struct merr *err);
int rtb_disassociate(struct model *m, struct scope *s, const char *assoc_id, struct merr *err);
int rtb_replace_association(struct model *m, struct scope *s, const char *assoc_id,
                            const char *rtb_id, const char **new_assoc_id_out, struct merr *err);
/* The table a subnet uses: its explicit association, else the VPC's main table. */
struct route_table *rtb_for_subnet(const struct model *m, const struct scope *s,
                                   const struct subnet *sn);
/* Creates the VPC's main table (local routes only) and its main association. */
int rtb_create_main(struct model *m, struct scope *s, struct vpc *v, struct merr *err);
/* Drops a deleted subnet's explicit association, if any. */
void rtb_forget_subnet(struct model *m, struct scope *s, const char *subnet_id);
/* Called when a VPC gains or loses a CIDR: keeps each table's local routes in step. */
void rtb_sync_local_routes(struct model *m, struct scope *s, const struct vpc *v);
/* route_state for a route of a known table (route_state has to search for the table). */
const char *rtb_route_state(const struct model *m, const struct route_table *rt,
                            const struct route *r);

/* ---- Security groups ---- */

enum sg_peer { SG_PEER_CIDR4, SG_PEER_CIDR6, SG_PEER_PL, SG_PEER_GROUP };

struct sg_rule {
    char id[ID_MAX]; /* sgr-... */
    bool egress;
    char protocol[8]; /* tcp | udp | icmp | icmpv6 | -1 | a protocol number */
    int from_port;    /* -1 when the protocol has no ports */
    int to_port;
    enum sg_peer peer_kind;
    char peer[64];       /* canonical CIDR, pl-..., or sg-... */
    char peer_owner[13]; /* account of a referenced group */
    char description[256];
    struct tag_list tags; /* rules are taggable (resource type security-group-rule) */
};

struct security_group {
    struct res hdr;
    char vpc_id[ID_MAX];
    char name[256];
    char description[256];
    struct sg_rule *rules;
    size_t n_rules, cap_rules;
};

/* A port the request did not give (FromPort/ToPort absent). */
#define SG_PORT_ABSENT (-2147483647 - 1)

struct sg_rule_spec {
    char protocol[8];
    int from_port, to_port; /* SG_PORT_ABSENT when not given */
    enum sg_peer peer_kind;
    char peer[64];
    char peer_owner[13]; /* empty: the caller's account */
    char description[256];
    const struct tag_list *tags; /* tags for a new rule (sg_authorize); borrowed, may be NULL */
};

int sg_create(struct model *m, struct scope *s, const char *vpc_id, const char *name,
              const char *description, const struct tag_list *tags, struct security_group **out,
              struct merr *err);
/* The VPC's "default" group: all traffic from itself in, all traffic out. */
int sg_create_default(struct model *m, struct scope *s, struct vpc *v, struct merr *err);
int sg_delete(struct model *m, struct scope *s, const char *sg_id, struct merr *err);
struct security_group *sg_find(const struct model *m, const struct scope *s, const char *id);
/* Adds all rules or none. New rule ids are appended to ids_out (caller-provided, n specs). */
int sg_authorize(struct model *m, struct scope *s, const char *sg_id, bool egress,
                 const struct sg_rule_spec *specs, size_t n, char (*ids_out)[ID_MAX],
                 struct merr *err);
/* Removes the rules matching specs, or the rules with the given ids; all or nothing. */
int sg_revoke(struct model *m, struct scope *s, const char *sg_id, bool egress,
              const struct sg_rule_spec *specs, size_t n, const char **rule_ids, size_t n_ids,
              struct merr *err);
/* Normalises and validates one rule spec (protocol name, ports, CIDR). */
int sg_rule_spec_check(struct sg_rule_spec *spec, bool egress, struct merr *err);
/* The rule `rule_id` of any group of the scope, or NULL; *sg_out (may be NULL) gets its group. */
struct sg_rule *sg_rule_find(const struct model *m, const struct scope *s, const char *rule_id,
                             struct security_group **sg_out);
/* The rule `rule_id` of group g, or NULL: what a caller that knows the group asks, without
 * walking every group of the scope. */
const struct sg_rule *sg_rule_of(const struct security_group *g, const char *rule_id);
/* The group called `name` in vpc_id, or NULL. */
struct security_group *sg_find_by_name(const struct model *m, const struct scope *s,
                                       const char *vpc_id, const char *name);
/* Replaces rule rule_ids[i] of the group by specs[i], keeping its id and tags; all or nothing. */
int sg_modify_rules(struct model *m, struct scope *s, const char *sg_id, const char **rule_ids,
                    const struct sg_rule_spec *specs, size_t n, struct merr *err);
/* Sets the description of the rules matching specs (to the spec's description) and of the
 * rules rule_ids[i] (to descs[i]); all or nothing. */
int sg_update_descriptions(struct model *m, struct scope *s, const char *sg_id, bool egress,
                           const struct sg_rule_spec *specs, size_t n, const char **rule_ids,
                           const char **descs, size_t n_ids, struct merr *err);
/* True if a rule of some group of the scope refers to the prefix list. */
bool sg_references_pl(const struct scope *s, const char *pl_id);

/* ---- Network ACLs ---- */

struct nacl_entry {
    int rule_number;
    bool egress;
    int protocol; /* -1 or an IANA number */
    bool allow;
    bool ipv6;
    struct prefix4 cidr4;
    struct prefix6 cidr6;
    bool has_ports;
    int port_from, port_to;
    bool has_icmp;
    int icmp_type, icmp_code;
};

struct nacl_assoc {
    char id[ID_MAX]; /* aclassoc-... */
    char subnet_id[ID_MAX];
};

struct network_acl {
    struct res hdr;
    char vpc_id[ID_MAX];
    bool is_default;
    struct nacl_entry *entries; /* egress first, then by rule_number; "*" rules are implicit */
    size_t n_entries, cap_entries;
    struct nacl_assoc *assocs;
    size_t n_assocs, cap_assocs;
    char client_token[65]; /* CreateNetworkAcl's ClientToken, for idempotent retries */
};

int nacl_create(struct model *m, struct scope *s, const char *vpc_id, bool is_default,
                const struct tag_list *tags, struct network_acl **out, struct merr *err);
int nacl_delete(struct model *m, struct scope *s, const char *acl_id, struct merr *err);
struct network_acl *nacl_find(const struct model *m, const struct scope *s, const char *id);
int nacl_entry_put(struct model *m, struct scope *s, const char *acl_id, const struct nacl_entry *e,
                   bool replace, struct merr *err);
int nacl_entry_delete(struct model *m, struct scope *s, const char *acl_id, int rule_number,
                      bool egress, struct merr *err);
int nacl_replace_association(struct model *m, struct scope *s, const char *assoc_id,
                             const char *acl_id, const char **new_assoc_id_out, struct merr *err);
/* The NACL a subnet is associated with (every subnet has exactly one). */
struct network_acl *nacl_for_subnet(const struct model *m, const struct scope *s,
                                    const char *subnet_id);
/* Gives a new subnet its association with the VPC's default NACL. */
void nacl_associate_default(struct model *m, struct scope *s, const struct subnet *sn);
/* Drops a deleted subnet's association. */
void nacl_forget_subnet(struct model *m, struct scope *s, const char *subnet_id);
/* The entries as DescribeNetworkAcls lists them: egress first, each direction by rule number
 * and ending with its implicit "*" denies (32767 IPv4, then 32768 IPv6 when the VPC has an IPv6
 * block). Returns the count; the caller frees *out. */
size_t nacl_entries_listed(const struct model *m, const struct network_acl *a,
                           struct nacl_entry **out);
/* Called when a VPC gets its first IPv6 block: the default NACL gains "101 allow ::/0" in each
 * direction whose rules the user has not edited, as AWS does. */
void nacl_vpc_ipv6_added(struct model *m, struct scope *s, const struct vpc *v);

/* ---- Internet and egress-only internet gateways ---- */

struct igw {
    struct res hdr;
    char vpc_id[ID_MAX]; /* empty when detached */
};

struct eigw {
    struct res hdr;
    char vpc_id[ID_MAX];
    char client_token[72]; /* ClientToken of the creating call, for idempotent retries */
};

int igw_create(struct model *m, struct scope *s, const struct tag_list *tags, struct igw **out,
               struct merr *err);
int igw_delete(struct model *m, struct scope *s, const char *igw_id, struct merr *err);
int igw_attach(struct model *m, struct scope *s, const char *igw_id, const char *vpc_id,
               struct merr *err);
int igw_detach(struct model *m, struct scope *s, const char *igw_id, const char *vpc_id,
               struct merr *err);
int eigw_create(struct model *m, struct scope *s, const char *vpc_id, const struct tag_list *tags,
                struct eigw **out, struct merr *err);
/* eigw_create with a ClientToken: a retry with the same token and VPC returns the gateway
 * that call created (*created false); another VPC is IdempotentParameterMismatch. */
int eigw_create_idempotent(struct model *m, struct scope *s, const char *vpc_id,
                           const char *client_token, const struct tag_list *tags, struct eigw **out,
                           bool *created, struct merr *err);
int eigw_delete(struct model *m, struct scope *s, const char *eigw_id, struct merr *err);

/* ---- Managed prefix lists ---- */

struct pl_entry {
    char cidr[PREFIX6_STRLEN];
    char description[256];
};

/* One entry as it lived across versions: present in versions [from, to), to 0 = current. */
struct pl_hist_entry {
    struct pl_entry e;
    unsigned from, to;
};

struct prefix_list {
    struct res hdr;
    char name[256];
    char family[8]; /* IPv4 | IPv6 */
    unsigned max_entries;
    unsigned version;
    struct pl_entry *entries; /* the current version's entries (canonical CIDRs) */
    size_t n_entries, cap_entries;
    char state[24]; /* create-complete | modify-complete | restore-complete */
    /* Every entry of the retained versions (AWS keeps the last 1,000), in insertion order. */
    struct pl_hist_entry *hist;
    size_t n_hist, cap_hist;
};

/* Most entries a list may hold, and oldest versions AWS keeps. */
#define PL_MAX_ENTRIES 1000
#define PL_MAX_VERSIONS 1000

int pl_create(struct model *m, struct scope *s, const char *name, const char *family,
              unsigned max_entries, const struct pl_entry *entries, size_t n,
              const struct tag_list *tags, struct prefix_list **out, struct merr *err);
/* current_version < 0 or max_entries < 0: not given; new_name NULL: unchanged. Only entry
 * changes make a new version; entries and max_entries cannot change together (as on AWS). */
int pl_modify(struct model *m, struct scope *s, const char *pl_id, long current_version,
              const char *new_name, const struct pl_entry *add, size_t n_add, const char **remove,
              size_t n_remove, long max_entries, struct merr *err);
int pl_delete(struct model *m, struct scope *s, const char *pl_id, struct merr *err);
struct prefix_list *pl_find(const struct model *m, const struct scope *s, const char *id);
/* Oldest version still retained (versions before it were dropped by the 1,000-version cap). */
unsigned pl_oldest_version(const struct prefix_list *pl);
/* Entries of `version` (pl_oldest_version..pl->version) as a malloc'd array (NULL when
 * empty); -1 with InvalidParameterValue for a version that is not retained. */
int pl_entries_at(const struct prefix_list *pl, long version, struct pl_entry **out, size_t *n,
                  struct merr *err);
/* RestoreManagedPrefixListVersion: the entries of previous_version become a new version. */
int pl_restore(struct model *m, struct scope *s, const char *pl_id, long previous_version,
               long current_version, struct merr *err);
/* True if a security-group rule or a route of the scope refers to the list. */
bool pl_in_use(const struct scope *s, const char *pl_id);

/* ---- Tags (CreateTags / DeleteTags / DescribeTags across every resource type) ---- */

/* The resource `id` of any type in scope, for the tagging actions: an unknown or malformed
 * id is InvalidID, a well-formed id that is not in the scope is the class's NotFound. */
struct res *tag_target_lookup(const struct model *m, const struct scope *s, const char *id,
                              struct merr *err);
/* Adds or overwrites `tags` on every resource; all or nothing. */
int tags_create(struct model *m, struct scope *s, const char *const *ids, size_t n_ids,
                const struct tag_list *tags, struct merr *err);
/* Removes keys[i] (only where the value equals values[i], unless values[i] is NULL) from
 * every resource; n_keys 0 removes every tag. All or nothing. */
int tags_delete(struct model *m, struct scope *s, const char *const *ids, size_t n_ids,
                const char *const *keys, const char *const *values, size_t n_keys,
                struct merr *err);

struct tag_desc {
    const struct res *r;   /* borrowed */
    const struct tag *tag; /* borrowed */
};

/* DescribeTags: filters key, value, resource-id, resource-type, tag:<key>; max_results 0 or
 * 5..1000. *out is malloc'd (caller frees); next_token empty on the last page. */
int tags_describe(const struct model *m, const struct scope *s, const struct filter *f,
                  size_t n_filters, long max_results, const char *next_token, struct tag_desc **out,
                  size_t *n_out, char next_token_out[32], struct merr *err);

/* ---- Regions and zones ---- */

/* ---- VPC peering connections (owned by model/peering.c) ---- */

/* One object, two views: the connection belongs to the requester's scope and is shared
 * (res_share) with the accepter's scope when that is another account or region. */
enum pcx_state {
    PCX_INITIATING, /* initiating-request */
    PCX_PENDING,    /* pending-acceptance */
    PCX_PROVISIONING,
    PCX_ACTIVE,
    PCX_FAILED,
    PCX_EXPIRED,
    PCX_REJECTED,
    PCX_DELETING,
    PCX_DELETED,
};

struct pcx_side {
    char vpc_id[ID_MAX];
    char account[13];
    char region[32];
    bool allow_dns; /* AllowDnsResolutionFromRemoteVpc */
    /* The VPC's blocks as last seen: Describe shows these once the VPC is gone. */
    struct prefix4 *cidrs;
    size_t n_cidrs;
    struct prefix6 *ipv6;
    size_t n_ipv6;
};

struct pcx {
    struct res hdr;
    enum pcx_state state; /* as stored; pcx_state_now() applies the 7-day expiry */
    struct pcx_side req, acc;
    bool accepted; /* went active once: accepter CIDRs and options are shown */
    time_t created;
    time_t expires;    /* created + 7 days */
    time_t ended;      /* when it reached a terminal state */
    char ended_by[13]; /* account that rejected or deleted it */
};

struct pcx_create_args {
    const char *vpc_id;
    const char *peer_vpc_id;
    const char *peer_owner_id; /* NULL: the caller's account */
    const char *peer_region;   /* NULL: the caller's region */
    const struct tag_list *tags;
};

int pcx_create(struct model *m, struct scope *s, const struct pcx_create_args *a, struct pcx **out,
               struct merr *err);
/* Accept/reject: only the accepter account, in the accepter's region. */
int pcx_accept(struct model *m, struct scope *s, const char *pcx_id, struct pcx **out,
               struct merr *err);
int pcx_reject(struct model *m, struct scope *s, const char *pcx_id, struct merr *err);
int pcx_delete(struct model *m, struct scope *s, const char *pcx_id, struct merr *err);
/* NULL: that side is not modified. Each side may only be changed from its own scope. */
int pcx_modify_options(struct model *m, struct scope *s, const char *pcx_id,
                       const bool *requester_dns, const bool *accepter_dns, struct pcx **out,
                       struct merr *err);
/* The visible connection `id` of scope s, or NULL with AWS's Malformed / NotFound error. */
struct pcx *pcx_lookup(const struct model *m, const struct scope *s, const char *id,
                       struct merr *err);
/* Effective state at model_now(): a pending request past its expiry reads as expired. */
enum pcx_state pcx_state_now(const struct model *m, const struct pcx *p);
const char *pcx_state_name(enum pcx_state st);
/* AWS's status message for the state (e.g. "Pending Acceptance by 111111111111"). */
void pcx_status_message(const struct model *m, const struct pcx *p, char buf[160]);
/* Ended connections stay describable for a while (AWS: 2 hours or 2 days by side). */
bool pcx_visible(const struct model *m, const struct pcx *p, const struct scope *s);
/* Persists expiries and drops connections whose describable window has passed. Called after
 * a successful peering action so a failing one never leaves changes behind. */
void pcx_sweep(struct model *m);
/* One side's blocks: the live VPC's while it exists, else the snapshot (caller frees). */
void pcx_side_cidrs(const struct model *m, const struct pcx_side *side, struct prefix4 **c4,
                    size_t *n4, struct prefix6 **c6, size_t *n6);
/* Hooks for other families. */
int pcx_route_check(const struct model *m, const struct scope *s, const char *rtb_id,
                    const char *vpc_id, const char *pcx_id, struct merr *err);
const char *pcx_route_state(const struct model *m, const struct scope *s, const char *vpc_id,
                            const char *pcx_id);
/* A group of another VPC peered (active, same region) with vpc_id may be referenced. */
bool pcx_peer_group_ok(const struct model *m, const struct scope *s, const char *vpc_id,
                       const char *sg_id, const char *owner);
/* DeleteVpc: refused while another account's request to v is pending; else it ends v's
 * connections (pcx_vpc_deleted, called once every check passed). */
bool pcx_vpc_blocks_delete(const struct model *m, const struct vpc *v);
void pcx_vpc_deleted(struct model *m, const struct vpc *v);
/* AssociateVpcCidrBlock: p is the new IPv4 block, NULL for IPv6. */
int pcx_vpc_cidr_check(const struct model *m, const struct vpc *v, const struct prefix4 *p,
                       struct merr *err);
/* After a block was added: pending requests where v is the accepter and now overlaps fail. */
void pcx_vpc_cidrs_changed(struct model *m, const struct vpc *v);
/* ISO 8601 UTC with milliseconds, as EC2 writes timestamps. */
void pcx_format_time(time_t t, char buf[32]);

/* ---- Transit gateways (owned by model/tgw.c) ----
 * A TGW lives in its owner's scope. Deleted TGWs and attachments stay describable in state
 * "deleted" for TGW_DELETED_TTL seconds (AWS keeps them about two hours); tgw_gc() drops them
 * after that. Lookups for actions skip deleted objects. */

#define TGW_DELETED_TTL 7200
#define TGW_MAX_CIDRS 5

struct tgw {
    struct res hdr;
    char description[256];
    char state[16]; /* available | deleted (Create answers "pending") */
    time_t created, deleted_at;
    long long asn;
    bool auto_accept, default_assoc, default_prop, vpn_ecmp, dns, multicast, sg_ref;
    char assoc_rtb[ID_MAX]; /* associationDefaultRouteTableId, empty when none */
    char prop_rtb[ID_MAX];  /* propagationDefaultRouteTableId */
    char cidrs[TGW_MAX_CIDRS][PREFIX6_STRLEN];
    size_t n_cidrs;
};

/* Options of Create/ModifyTransitGateway: -1 = not given, else 0/1 (disable/enable). */
struct tgw_opts {
    int auto_accept, default_assoc, default_prop, vpn_ecmp, dns, multicast, sg_ref;
    long long asn;                    /* 0: not given */
    const char *assoc_rtb, *prop_rtb; /* Modify only; NULL: not given */
    const char **cidrs;               /* Create: TransitGatewayCidrBlocks; Modify: add */
    size_t n_cidrs;
    const char **remove_cidrs; /* Modify only */
    size_t n_remove_cidrs;
};

int tgw_create(struct model *m, struct scope *s, const char *description, const struct tgw_opts *o,
               const struct tag_list *tags, struct tgw **out, struct merr *err);
int tgw_modify(struct model *m, struct scope *s, const char *tgw_id, const char *description,
               const struct tgw_opts *o, struct tgw **out, struct merr *err);
/* Refused (IncorrectState) while live attachments exist; deletes its route tables. */
int tgw_delete(struct model *m, struct scope *s, const char *tgw_id, struct tgw **out,
               struct merr *err);
/* A live (not deleted) TGW of the scope, or NotFound. */
struct tgw *tgw_lookup(const struct model *m, const struct scope *s, const char *tgw_id,
                       struct merr *err);
/* The TGW of an attachment or route table, wherever its owner's scope is (NULL if gone). */
struct tgw *tgw_by_id(const struct model *m, const char *tgw_id);
/* Drops deleted TGWs and attachments of the scope older than TGW_DELETED_TTL. */
void tgw_gc(struct model *m, struct scope *s);
/* "arn:aws:ec2:<region>:<account>:transit-gateway/<id>" */
void tgw_arn_format(const struct tgw *t, char buf[256]);
/* Hooks for VPC route tables (route_table.c): a route to a TGW needs a live attachment of the
 * table's VPC on that TGW; it is active while that attachment is available. */
int tgw_vpc_route_check(const struct model *m, const struct scope *s, const struct route_table *rt,
                        const char *tgw_id, struct merr *err);
const char *tgw_vpc_route_state(const struct model *m, const struct route_table *rt,
                                const char *tgw_id);

/* ---- Transit gateway attachments (owned by model/tgw_attach.c) ----
 * A VPC attachment belongs to the VPC owner's scope and is shared (res_share) with the TGW
 * owner's scope when they differ (vpcd has no RAM: a TGW of another account in the same region
 * is attachable by id). A peering is two objects, one per side (as AWS does today), each in its
 * own TGW's scope and naming the other in peer_attach_id. */

enum tgw_attach_kind { TGW_ATTACH_VPC, TGW_ATTACH_PEERING };

struct tgw_attach {
    struct res hdr;
    enum tgw_attach_kind kind;
    char tgw_id[ID_MAX];
    char tgw_owner[13]; /* account of the TGW; its scope is (tgw_owner, hdr.scope->region) */
    char state[24];
    time_t created, state_time; /* state_time: when it became deleted/rejected */
    char assoc_rtb[ID_MAX];     /* the one associated TGW route table, empty when none */
    /* VPC attachments */
    char vpc_id[ID_MAX];
    char (*subnets)[ID_MAX]; /* owned */
    char (*enis)[ID_MAX];    /* owned; enis[i] is the TGW's interface in subnets[i] */
    size_t n_subnets;
    bool dns_support, ipv6_support, appliance_mode, sg_ref;
    /* Peering attachments */
    bool requester;              /* this side created the peering */
    char peer_attach_id[ID_MAX]; /* the other side's object */
    char req_tgw[ID_MAX], req_owner[13], req_region[32];
    char acc_tgw[ID_MAX], acc_owner[13], acc_region[32];
    bool dynamic_routing;
};

struct tgw_vpc_attach_args {
    const char *tgw_id, *vpc_id;
    const char **subnet_ids;
    size_t n_subnets;
    int dns_support, ipv6_support, appliance_mode, sg_ref; /* -1: default */
    const struct tag_list *tags;
};

int tgw_vpc_attach_create(struct model *m, struct scope *s, const struct tgw_vpc_attach_args *a,
                          struct tgw_attach **out, struct merr *err);
/* add/remove subnets and options (-1: unchanged) */
int tgw_vpc_attach_modify(struct model *m, struct scope *s, const char *attach_id, const char **add,
                          size_t n_add, const char **remove, size_t n_remove, int dns_support,
                          int ipv6_support, int appliance_mode, int sg_ref, struct tgw_attach **out,
                          struct merr *err);
/* Delete (VPC or peering, by kind); the object stays as "deleted". */
int tgw_attach_delete(struct model *m, struct scope *s, const char *attach_id,
                      enum tgw_attach_kind kind, struct tgw_attach **out, struct merr *err);
/* Accept / reject a pendingAcceptance attachment: only the TGW owner (VPC) or the accepter
 * side (peering) may. */
int tgw_attach_accept(struct model *m, struct scope *s, const char *attach_id,
                      enum tgw_attach_kind kind, bool accept, struct tgw_attach **out,
                      struct merr *err);
int tgw_peering_create(struct model *m, struct scope *s, const char *tgw_id,
                       const char *peer_tgw_id, const char *peer_account, const char *peer_region,
                       int dynamic_routing, const struct tag_list *tags, struct tgw_attach **out,
                       struct merr *err);
/* An attachment visible in the scope, of `kind` (or any kind when kind < 0), or NotFound. */
struct tgw_attach *tgw_attach_lookup(const struct model *m, const struct scope *s,
                                     const char *attach_id, int kind, struct merr *err);
bool tgw_attach_live(const struct tgw_attach *a); /* not deleted/rejected/failed */
/* The attached resource: the VPC, or for a peering the other side's TGW. */
const char *tgw_attach_resource_id(const struct tgw_attach *a);
const char *tgw_attach_resource_type(const struct tgw_attach *a);
const char *tgw_attach_resource_owner(const struct tgw_attach *a);
/* What the attachment shows: stored state, except "available" for a peering only once both
 * sides agree. */
const char *tgw_attach_state(const struct tgw_attach *a);

/* ---- Transit gateway route tables (owned by model/tgw_route_table.c) ---- */

struct tgw_route {
    int family; /* 4 or 6 */
    struct prefix4 dst4;
    struct prefix6 dst6;
    bool blackhole;
    char attach_id[ID_MAX]; /* empty for a blackhole route */
};

struct tgw_rtb {
    struct res hdr;
    char tgw_id[ID_MAX];
    time_t created;
    struct tgw_route *routes; /* static routes, owned */
    size_t n_routes, cap_routes;
    char (*props)[ID_MAX]; /* propagating attachments in the order they were enabled; owned */
    size_t n_props, cap_props;
};

/* A route as the table shows it (static or computed from a propagation). */
struct tgw_route_view {
    struct tgw_route r;
    bool propagated;
    const char *state; /* active | blackhole */
};

int tgw_rtb_create(struct model *m, struct scope *s, const char *tgw_id,
                   const struct tag_list *tags, struct tgw_rtb **out, struct merr *err);
/* The route table a TGW makes for itself (default association / propagation). */
struct tgw_rtb *tgw_rtb_new_default(struct model *m, struct scope *s, const struct tgw *t);
/* Refused while it is a default table or has associations; frees the table. */
int tgw_rtb_delete(struct model *m, struct scope *s, const char *rtb_id, struct merr *err);
struct tgw_rtb *tgw_rtb_lookup(const struct model *m, const struct scope *s, const char *rtb_id,
                               struct merr *err);
/* AssociateTransitGatewayRouteTable / Disassociate. */
int tgw_rtb_associate(struct model *m, struct scope *s, const char *rtb_id, const char *attach_id,
                      bool associate, struct tgw_attach **att_out, struct merr *err);
int tgw_rtb_propagation(struct model *m, struct scope *s, const char *rtb_id, const char *attach_id,
                        bool enable, struct tgw_attach **att_out, struct merr *err);
/* Create (replace=false) or replace a static route; attach_id NULL with blackhole. */
int tgw_route_put(struct model *m, struct scope *s, const char *rtb_id, const char *cidr,
                  const char *attach_id, bool blackhole, bool replace, struct tgw_route_view *out,
                  struct merr *err);
int tgw_route_delete(struct model *m, struct scope *s, const char *rtb_id, const char *cidr,
                     struct tgw_route_view *out, struct merr *err);
/* Every route the table shows, static and propagated, sorted by destination; caller frees. */
size_t tgw_rtb_routes(const struct model *m, const struct tgw_rtb *rt, struct tgw_route_view **out);
/* SearchTransitGatewayRoutes: filters are required; *more is additionalRoutesAvailable. */
int tgw_routes_search(const struct model *m, const struct tgw_rtb *rt, const struct filter *f,
                      size_t n_filters, long max_results, struct tgw_route_view **out,
                      size_t *n_out, bool *more, struct merr *err);
/* Forget an attachment that is going away: its propagations everywhere (its association is
 * cleared by the caller). Static routes keep naming it and turn blackhole. */
void tgw_rtb_forget_attachment(struct model *m, struct scope *tgw_scope, const char *attach_id);
bool tgw_rtb_propagates(const struct tgw_rtb *rt, const char *attach_id);
/* True if rt is its TGW's default association / propagation table. */
bool tgw_rtb_is_default_assoc(const struct model *m, const struct tgw_rtb *rt);
bool tgw_rtb_is_default_prop(const struct model *m, const struct tgw_rtb *rt);
/* Applies the TGW's default association and propagation to a newly available attachment. */
void tgw_attach_apply_defaults(struct model *m, struct tgw_attach *a);

/* ---- Elastic IP addresses (owned by model/eip.c) ---- */

/* An address of the --eip-pool, unique across every account and region of this vpcd. An
 * association maps it to one private address of one ENI; the instance (if any) is read from
 * the ENI's attachment, so it never goes stale. */
struct eni;

struct eip {
    struct res hdr;
    uint32_t public_ip;    /* host order */
    char assoc_id[ID_MAX]; /* eipassoc-..., empty when not associated */
    char eni_id[ID_MAX];   /* set while associated */
    uint32_t private_ip;   /* set while associated */
};

struct eip_assoc_args {
    const char *allocation_id; /* or public_ip */
    const char *public_ip;
    const char *instance_id; /* one of instance_id / eni_id */
    const char *eni_id;
    const char *private_ip; /* NULL: the ENI's primary address */
    bool allow_reassociation;
};

int eip_allocate(struct model *m, struct scope *s, const char *domain, const struct tag_list *tags,
                 struct eip **out, struct merr *err);
int eip_associate(struct model *m, struct scope *s, const struct eip_assoc_args *a,
                  struct eip **out, struct merr *err);
/* DisassociateAddress by association id (or public IP). */
int eip_disassociate(struct model *m, struct scope *s, const char *assoc_id, const char *public_ip,
                     struct merr *err);
/* ReleaseAddress by allocation id (or public IP); refused while associated. */
int eip_release(struct model *m, struct scope *s, const char *alloc_id, const char *public_ip,
                struct merr *err);
struct eip *eip_by_public_ip(const struct scope *s, uint32_t ip);
/* The EIP associated with (eni_id, private_ip), private_ip 0 meaning any address; or NULL. */
struct eip *eip_for_eni(const struct scope *s, const char *eni_id, uint32_t private_ip);
/* Maps e to (eni, private_ip) without the user-facing checks (NAT gateways use it). */
void eip_bind(struct model *m, struct eip *e, const struct eni *eni, uint32_t private_ip);
void eip_unbind(struct model *m, struct eip *e);
/* An ENI is going away: its EIPs stay allocated but lose their association. */
void eip_eni_released(struct model *m, struct scope *s, const char *eni_id);
/* True while some EIP is associated with an interface of the VPC (DetachInternetGateway). */
bool eip_vpc_has_mapped(const struct model *m, const struct scope *s, const char *vpc_id);

/* ---- NAT gateways (owned by model/nat.c) ---- */

enum nat_state { NAT_PENDING, NAT_FAILED, NAT_AVAILABLE, NAT_DELETING, NAT_DELETED };

/* A NAT gateway holds one requester-managed ENI (its private address) and, when public, the
 * association of its EIP with that ENI. States move lazily: a gateway created or deleted by
 * one request shows pending/deleting in that reply and available/deleted (or failed) to any
 * later request; deleted and failed gateways stay describable for an hour. */
struct nat {
    struct res hdr;
    char subnet_id[ID_MAX];
    char vpc_id[ID_MAX];
    bool is_private;
    enum nat_state state;
    char allocation_id[ID_MAX]; /* public: its EIP */
    char eni_id[ID_MAX];        /* kept after deletion (AWS still shows it) */
    uint32_t private_ip;
    uint32_t public_ip;
    char assoc_id[ID_MAX]; /* the EIP association made at creation */
    time_t create_time;
    time_t delete_time;    /* deletion, or the moment it failed */
    char failure_code[64]; /* set at creation when the gateway will fail */
    char failure_message[256];
    char client_token[72];
};

struct nat_create_args {
    const char *subnet_id;
    const char *allocation_id;
    const char *connectivity; /* NULL: "public" */
    const char *private_ip;
    const char *client_token;
    const struct tag_list *tags;
};

/* *created is false when a retry with the same ClientToken returned the earlier gateway. */
int nat_create(struct model *m, struct scope *s, const struct nat_create_args *a, struct nat **out,
               bool *created, struct merr *err);
int nat_delete(struct model *m, struct scope *s, const char *nat_id, struct merr *err);
/* Applies the lazy state transitions of the scope's gateways (start of a request). */
void nat_settle(struct model *m, struct scope *s);
const char *nat_state_name(enum nat_state st);
/* Route support: CreateRoute's target check, and a route's state. */
int nat_route_check(const struct model *m, const struct scope *s, const char *vpc_id,
                    const char *nat_id, struct merr *err);
bool nat_route_active(const struct model *m, const struct scope *s, const char *nat_id);

/* ---- Instances (owned by model/instance.c) ---- */

/* Codes are AWS's InstanceState codes. */
enum inst_state {
    INST_PENDING = 0,
    INST_RUNNING = 16,
    INST_SHUTTING_DOWN = 32,
    INST_TERMINATED = 48,
    INST_STOPPING = 64,
    INST_STOPPED = 80,
};

/* An instance owns its primary ENI (device index 0); further ENIs refer to it through their
 * attachment. Transitions (pending->running, stopping->stopped, shutting-down->terminated)
 * happen at the next request; terminated instances stay describable for an hour. */
struct instance {
    struct res hdr;
    char reservation_id[ID_MAX];
    char image_id[ID_MAX];
    char instance_type[32];
    char key_name[64];
    char subnet_id[ID_MAX];
    char vpc_id[ID_MAX];
    char az[40];
    char client_token[72];
    char eni_id[ID_MAX]; /* primary interface; empty once terminated */
    uint32_t private_ip;
    enum inst_state state;
    int launch_index;
    time_t launch_time;
    time_t state_time; /* last user-initiated stop/terminate */
};

/* The IPv6 addresses asked for one interface (RunInstances, CreateNetworkInterface,
 * AssignIpv6Addresses): explicit addresses in any RFC 4291 text form, or a count of addresses
 * the subnet picks, never both. All zero means "not asked": a new interface then gets one
 * address if its subnet has AssignIpv6AddressOnCreation. Strings are borrowed. */
struct eni_ipv6_request {
    const char *const *addrs;
    size_t n_addrs;
    bool has_count; /* count was given, 0 included (0 overrides the subnet attribute) */
    long count;
};

/* The secondary private IPv4 addresses asked for one interface (RunInstances
 * NetworkInterface.N, CreateNetworkInterface, AssignPrivateIpAddresses): explicit addresses or
 * a count of addresses the subnet picks (lowest free first), never both. All zero means none.
 * The primary address is asked for separately. Strings are borrowed. */
struct eni_ipv4_request {
    const char *const *addrs;
    size_t n_addrs;
    bool has_count; /* SecondaryPrivateIpAddressCount was given */
    long count;
};

/* Private IPv4 addresses one interface may hold, the primary included. AWS's quota depends on
 * the instance type (50 on the largest types); vpcd has no per-type table, so every interface
 * gets the largest. */
#define ENI_IPV4_MAX 50

struct inst_eni_spec {
    int device_index;
    const char *eni_id; /* attach this existing interface, or create one: */
    const char *subnet_id;
    const char *private_ip;
    const char **group_ids;
    size_t n_group_ids;
    const char *description;
    bool delete_on_termination;
    struct eni_ipv6_request ipv6;      /* must stay unset with eni_id */
    struct eni_ipv4_request secondary; /* likewise; refused when launching more than one */
};

struct inst_run_args {
    const char *image_id;
    const char *instance_type; /* NULL: m1.small */
    const char *key_name;
    const char *subnet_id; /* NULL: the default subnet of the default VPC */
    const char *az;        /* Placement.AvailabilityZone */
    const char *private_ip;
    const char **group_ids;
    size_t n_group_ids;
    const char **group_names; /* SecurityGroup.N, looked up in the subnet's VPC */
    size_t n_group_names;
    struct eni_ipv6_request ipv6;     /* Ipv6AddressCount / Ipv6Address.N of the primary */
    const struct inst_eni_spec *enis; /* NetworkInterface.N; excludes subnet_id/private_ip/ipv6 */
    size_t n_enis;
    long min_count, max_count;
    const char *client_token;
    const struct tag_list *tags;     /* instance tags */
    const struct tag_list *eni_tags; /* network-interface tags */
};

/* Launches max_count instances if the subnet has room, at least min_count, as one
 * reservation. *out (malloc'd, caller frees) lists them in launch order. */
int instance_run(struct model *m, struct scope *s, const struct inst_run_args *a,
                 struct instance ***out, size_t *n_out, struct merr *err);

struct inst_change {
    struct instance *inst;
    enum inst_state previous, current;
};

/* Terminate / stop / start every instance of ids; all or nothing. *out is malloc'd. */
int instance_terminate(struct model *m, struct scope *s, const char *const *ids, size_t n,
                       struct inst_change **out, struct merr *err);
int instance_stop(struct model *m, struct scope *s, const char *const *ids, size_t n,
                  struct inst_change **out, struct merr *err);
int instance_start(struct model *m, struct scope *s, const char *const *ids, size_t n,
                   struct inst_change **out, struct merr *err);
void instance_settle(struct model *m, struct scope *s);
const char *instance_state_name(enum inst_state st);
struct instance *instance_find(const struct model *m, const struct scope *s, const char *id);
/* "ip-10-0-1-5.ec2.internal" (us-east-1) or "ip-10-0-1-5.<region>.compute.internal". */
void instance_private_dns(const struct scope *s, uint32_t ip, char buf[96]);
/* The public DNS name of public_ip ("" unless the VPC has DNS support and hostnames on, as
 * AWS gives public names only then). */
void instance_public_dns(const struct model *m, const struct scope *s, const char *vpc_id,
                         uint32_t public_ip, char buf[96]);
int instance_route_check(const struct model *m, const struct scope *s, const char *vpc_id,
                         const char *instance_id, struct merr *err);
bool instance_route_active(const struct model *m, const struct scope *s, const char *instance_id);

/* ---- Network interfaces ----
 * Every private IPv4 address in a subnet belongs to exactly one ENI: instances, NAT gateways
 * and transit gateway attachments all take theirs through eni_create(), so "never a reserved
 * address, never twice" is decided here and nowhere else. The same holds for the IPv6
 * addresses taken from a subnet's IPv6 blocks (eni_create, eni_assign_ipv6). */

struct eni_attachment {
    char id[ID_MAX];          /* eni-attach-... */
    char instance_id[ID_MAX]; /* empty for service-managed attachments */
    int device_index;
    bool delete_on_termination;
    time_t attach_time;
};

struct eni {
    struct res hdr;
    char subnet_id[ID_MAX];
    char vpc_id[ID_MAX];
    char az[40];
    char description[256];
    char interface_type[32]; /* interface | nat_gateway | transit_gateway */
    bool requester_managed;
    char requester_id[32]; /* "amazon-elb"-style owner of a managed ENI; empty otherwise */
    uint8_t mac[6];
    uint32_t *private_ips; /* owned; host order; [0] is the primary address */
    size_t n_private_ips;
    uint8_t (*ipv6_addrs)[16]; /* owned; network order; from the subnet's IPv6 blocks */
    size_t n_ipv6_addrs;
    char (*groups)[ID_MAX]; /* owned; security group ids */
    size_t n_groups;
    bool source_dest_check;
    bool attached;
    struct eni_attachment att;
};

struct eni_create_args {
    const char *subnet_id;
    const char *private_ip;       /* NULL: the lowest free address */
    const char *const *group_ids; /* NULL/0: the VPC's default security group */
    size_t n_group_ids;
    const char *description;    /* NULL: "" */
    const char *interface_type; /* NULL: "interface" */
    bool requester_managed;     /* NAT and TGW ENIs: no groups, not deletable by the user */
    const char *requester_id;
    const struct tag_list *tags;
    /* Unset: one address when the subnet has AssignIpv6AddressOnCreation, except for
     * requester-managed interfaces (their owner decides). */
    struct eni_ipv6_request ipv6;
    struct eni_ipv4_request secondary; /* unset: the primary address only */
};

int eni_create(struct model *m, struct scope *s, const struct eni_create_args *a, struct eni **out,
               struct merr *err);
/* DeleteNetworkInterface: refuses attached and requester-managed interfaces. */
int eni_delete(struct model *m, struct scope *s, const char *eni_id, struct merr *err);
/* Deletes an ENI with no checks, giving its addresses back: the owner of a managed ENI (NAT
 * gateway, TGW attachment, instance termination) calls this. */
void eni_release(struct model *m, struct eni *e);
struct eni *eni_find(const struct model *m, const struct scope *s, const char *id);
/* "in-use" or "available", as DescribeNetworkInterfaces shows it. */
const char *eni_status(const struct eni *e);
/* The ENI holding private address `addr` in the VPC, or NULL. */
struct eni *eni_by_private_ip(const struct scope *s, const char *vpc_id, uint32_t addr);
/* Checks that `addr` can be given out in sn: inside its CIDR, not one of the five reserved
 * addresses, not in use. Fails with AWS's codes. */
int eni_check_address(const struct scope *s, const struct subnet *sn, uint32_t addr,
                      struct merr *err);
/* The ENI holding IPv6 address `addr` (network order) in the VPC, or NULL. */
struct eni *eni_by_ipv6(const struct scope *s, const char *vpc_id, const uint8_t addr[16]);
/* Checks that IPv6 `addr` can be given out in sn: inside one of its IPv6 blocks, not one of
 * the five reserved addresses of the block (the first four and the last), not in use in the
 * VPC. Fails with AWS's codes. */
int eni_check_ipv6(const struct scope *s, const struct subnet *sn, const uint8_t addr[16],
                   struct merr *err);
/* Checks an IPv6 request for a new interface in sn without changing anything: RunInstances
 * checks every interface of a launch before it creates the first. */
int eni_check_ipv6_request(const struct scope *s, const struct subnet *sn,
                           const struct eni_ipv6_request *r, struct merr *err);
/* True if some ENI of the VPC holds an address inside p (DisassociateSubnetCidrBlock). */
bool eni_holds_ipv6_in(const struct scope *s, const char *vpc_id, const struct prefix6 *p);
/* AssignIpv6Addresses: explicit addresses or a count (at least 1) of the lowest free ones.
 * On success the new addresses are (*out)->ipv6_addrs[*first_new ..]. An interface holds at
 * most 50 IPv6 addresses (AWS's largest per-interface quota). */
int eni_assign_ipv6(struct model *m, struct scope *s, const char *eni_id,
                    const struct eni_ipv6_request *r, struct eni **out, size_t *first_new,
                    struct merr *err);
/* UnassignIpv6Addresses: every address must be on the interface (all or nothing). */
int eni_unassign_ipv6(struct model *m, struct scope *s, const char *eni_id,
                      const char *const *addrs, size_t n, struct eni **out, struct merr *err);
/* Checks the secondary IPv4 request of a new interface in sn whose primary is `primary`
 * (0: picked by the subnet) without changing anything: RunInstances checks every interface of
 * a launch before it creates the first. */
int eni_check_ipv4_request(const struct scope *s, const struct subnet *sn, uint32_t primary,
                           const struct eni_ipv4_request *r, struct merr *err);
/* AssignPrivateIpAddresses: explicit addresses or a count (at least 1) of the lowest free
 * ones. With allow_reassignment an explicit address held as a secondary by another interface
 * of the subnet moves here, with its Elastic IP association. On success the new addresses are
 * (*out)->private_ips[*first_new ..]. At most ENI_IPV4_MAX addresses per interface. */
int eni_assign_ipv4(struct model *m, struct scope *s, const char *eni_id,
                    const struct eni_ipv4_request *r, bool allow_reassignment, struct eni **out,
                    size_t *first_new, struct merr *err);
/* UnassignPrivateIpAddresses: every address must be a secondary address of the interface (all
 * or nothing); an Elastic IP associated with one of them is disassociated, as on AWS. */
int eni_unassign_ipv4(struct model *m, struct scope *s, const char *eni_id,
                      const char *const *addrs, size_t n, struct eni **out, struct merr *err);
/* True if some interface of the scope is in security group sg_id (DeleteSecurityGroup). */
bool eni_uses_group(const struct scope *s, const char *sg_id);
/* ENIs attached to instance_id, by device index (caller frees *out). */
size_t eni_of_instance(const struct scope *s, const char *instance_id, struct eni ***out);
/* The ENI whose attachment is attach_id, or NULL. */
struct eni *eni_by_attachment(const struct scope *s, const char *attach_id);
/* AttachNetworkInterface: same VPC and zone, free device index, instance not terminated. */
int eni_attach(struct model *m, struct scope *s, const char *eni_id, const char *instance_id,
               long device_index, const char **attach_id_out, struct merr *err);
/* Marks e attached to inst at device_index without checks (launch). */
void eni_attach_raw(struct model *m, struct eni *e, const char *instance_id, int device_index,
                    bool delete_on_termination);
/* DetachNetworkInterface: the primary interface (device index 0) stays. */
int eni_detach(struct model *m, struct scope *s, const char *attach_id, struct merr *err);
/* ModifyNetworkInterfaceAttribute; set exactly one of the fields (NULL / has_ false: unchanged). */
struct eni_modify_args {
    const char *description;
    bool has_sdc, sdc;
    const char **group_ids;
    size_t n_group_ids;
    bool has_groups;
    const char *attachment_id;
    bool has_dot, dot;
};
int eni_modify(struct model *m, struct scope *s, const char *eni_id,
               const struct eni_modify_args *a, struct merr *err);
/* Route support: an ENI target must be in the table's VPC; active while attached. */
int eni_route_check(const struct model *m, const struct scope *s, const char *vpc_id,
                    const char *eni_id, struct merr *err);
bool eni_route_active(const struct model *m, const struct scope *s, const char *eni_id);

/* Every region name AWS has today. NULL-terminated. */
extern const char *const region_names[];
bool region_valid(const char *name);
/* Zone i (0..2) of a region: "<region>a".."c"; az_id like "use1-az1". */
void region_zone_name(const char *region, int i, char buf[40]);
void region_zone_id(const char *region, int i, char buf[40]);
/* Index of a zone name or id in region, or -1. */
int region_zone_index(const char *region, const char *zone_or_id);

/* ---- VPC flow logs (owned by model/flow_log.c) ----
 * A flow log names the resource it watches by id and type; it never points at it. Its
 * configuration is immutable after creation, as on AWS: the data plane may read any field
 * below for as long as it holds the model (they change only by deletion). AWS removes the flow
 * logs of deleted resources "eventually" (DeleteVpc's documentation); vpcd does it in
 * flow_log_sweep(), which every flow log action runs before it answers, so the other families'
 * delete paths need no hook and DescribeFlowLogs never lists such a flow log.
 *
 * Contract for the data plane: an ENI's traffic is logged by every flow log whose resource is
 * that ENI, its subnet or its VPC (flow_logs_of_eni), each keeping the records flow_log_wants()
 * accepts, formatted with `format` and delivered to flow_log_dest() every
 * max_aggregation_interval seconds at most. */

enum flow_log_resource {
    FLOW_LOG_RES_VPC,
    FLOW_LOG_RES_SUBNET,
    FLOW_LOG_RES_ENI,        /* "NetworkInterface" */
    FLOW_LOG_RES_TGW,        /* "TransitGateway" */
    FLOW_LOG_RES_TGW_ATTACH, /* "TransitGatewayAttachment" */
};

enum flow_log_traffic { FLOW_LOG_ACCEPT, FLOW_LOG_REJECT, FLOW_LOG_ALL };

/* AWS: 2 flow logs per network interface, subnet or VPC (not adjustable); vpcd applies the same
 * quota to transit gateways and their attachments. */
#define FLOW_LOGS_PER_RESOURCE 2

struct flow_log {
    struct res hdr;
    char resource_id[ID_MAX];
    enum flow_log_resource resource_type;
    enum flow_log_traffic traffic; /* TGW resources log everything: always FLOW_LOG_ALL */
    enum flowlog_dest_type dest_type;
    char bucket[64];  /* s3: the bucket of log_destination */
    char prefix[256]; /* s3: its folder, "" or "a/b" (no leading or trailing slash) */
    char group[512];  /* cloud-watch-logs: the log group name */
    /* The LogDestination ARN as given; "" for cloud-watch-logs created with LogGroupName. */
    char log_destination[600];
    char deliver_logs_permission_arn[256]; /* cloud-watch-logs only */
    /* flowlog_format_text() of `format`: the LogFormat as DescribeFlowLogs shows it. */
    char log_format[1024];
    /* parsed (default: the 14 version-2 fields; for TGW resources all 36 TGW fields) */
    struct flowlog_format format;
    int max_aggregation_interval; /* 60 or 600 seconds */
    time_t created;
    char client_token[72]; /* ClientToken of the creating call, "" when none */
};

struct flow_log_create_args {
    const char *const *resource_ids; /* ResourceId.N */
    size_t n_resource_ids;
    const char *resource_type;   /* VPC | Subnet | NetworkInterface | TransitGateway | ... */
    const char *traffic_type;    /* ACCEPT | REJECT | ALL; NULL for TGW resource types */
    const char *dest_type;       /* NULL: cloud-watch-logs */
    const char *log_destination; /* s3: arn:aws:s3:::bucket[/prefix]; cwl: log group ARN */
    const char *log_group_name;  /* cwl, instead of log_destination */
    const char *deliver_logs_permission_arn;
    const char *log_format;            /* NULL: the default format */
    bool has_max_aggregation_interval; /* not given: 600, or 60 for TGW resource types */
    long max_aggregation_interval;
    const char *file_format;                 /* DestinationOptions.FileFormat, NULL: not given */
    int hive_partitions, per_hour_partition; /* DestinationOptions flags: -1 not given, 0/1 */
    const char *client_token;
    const struct tag_list *tags;
};

/* One resource CreateFlowLogs could not log (its "unsuccessful" item). */
struct flow_log_failure {
    const char *resource_id; /* borrowed from the args */
    const char *code;        /* static AWS error code */
    char message[512];
};

/* CreateFlowLogs. A request-level problem (a bad parameter, a bad destination) is -1 with err
 * and nothing created. Otherwise 0: one flow log per resource that passed, appended to *out in
 * request order, and one failure per resource that did not (unknown resource,
 * FlowLogAlreadyExists, FlowLogsLimitExceeded), as AWS reports them. Both arrays are malloc'd
 * (caller frees; NULL when empty). A retry with the same ClientToken returns the flow logs the
 * first call created and creates nothing. Once the request-level checks passed it runs
 * flow_log_sweep(), so the duplicate and quota checks ignore flow logs of deleted resources. */
int flow_log_create(struct model *m, struct scope *s, const struct flow_log_create_args *a,
                    struct flow_log ***out, size_t *n_out, struct flow_log_failure **failed,
                    size_t *n_failed, struct merr *err);
/* Deletes one flow log; -1 with InvalidFlowLogId.NotFound when it is not in the scope. */
int flow_log_delete(struct model *m, struct scope *s, const char *flow_log_id, struct merr *err);
/* Deletes the scope's flow logs whose resource no longer exists (or is a deleted TGW or
 * attachment). Callers run it only once nothing else can fail the request. */
void flow_log_sweep(struct model *m, struct scope *s);
struct flow_log *flow_log_find(const struct model *m, const struct scope *s, const char *id);
/* AWS's names: "VPC" ..., "ACCEPT" ..., "s3" | "cloud-watch-logs". */
const char *flow_log_resource_name(enum flow_log_resource t);
const char *flow_log_traffic_name(enum flow_log_traffic t);
const char *flow_log_dest_type_name(enum flowlog_dest_type t);
/* True if a flow log of this traffic type keeps a record whose action is accept / reject. */
bool flow_log_wants(const struct flow_log *fl, bool accepted);
/* The flow logs that watch ENI e (its own, its subnet's, its VPC's), in creation order, at
 * most max of them (borrowed until the next mutation); returns how many there are. */
size_t flow_logs_of_eni(const struct scope *s, const struct eni *e, const struct flow_log **out,
                        size_t max);
/* Where fl delivers, for flowlog_deliver(). */
void flow_log_dest(const struct flow_log *fl, struct flowlog_dest *out);

#endif

/* The store: after every mutation, what a fresh model loads from disk equals the live model.
 * This exercises the incremental writes (split list rows, rows skipped when unchanged, list
 * elements removed from the middle) and loading rows written before lists were split. */
#include <errno.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "unit.h"

#include "api/service.h"
#include "model/jsontext.h"
#include "model/model.h"
#include "model/resources.h"
#include "store/store.h"

struct fixture {
    char dir[64];
    struct service svc;
};

/* Serves the state directory from a fresh model (cfg NULL: AWS's defaults). */
static void fixture_serve(struct fixture *f, const struct model_config *cfg)
{
    struct model_config defaults;
    model_config_defaults(&defaults);
    struct store *st;
    assert_int_equal(store_open(f->dir, false, &st), 0);
    struct model *m = model_new(cfg ? cfg : &defaults);
    assert_int_equal(store_load(st, m), 0);
    assert_int_equal(service_init(&f->svc, m, st, true), 0);
}

static void fixture_open(struct fixture *f)
{
    snprintf(f->dir, sizeof f->dir, "/tmp/vpcd-test-store.XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    fixture_serve(f, NULL);
}

static void fixture_close(struct fixture *f)
{
    service_destroy(&f->svc);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", f->dir);
    assert_int_equal(system(cmd), 0);
}

/* Runs one dev-mode request; returns the value of <tag> (static buffer) or "" if no tag. */
static const char *call(struct fixture *f, const char *body, const char *tag)
{
    static char value[128];
    struct service_request req = {
        .method = "POST",
        .path = "/",
        .query = "",
        .headers = NULL,
        .n_headers = 0,
        .body = (const unsigned char *)body,
        .body_len = strlen(body),
    };
    struct service_response resp;
    service_handle(&f->svc, &req, &resp);
    if (resp.status != 200)
        fprintf(stderr, "%s -> %d %s\n", body, resp.status, resp.body.data);
    assert_int_equal(resp.status, 200);
    value[0] = '\0';
    if (tag) {
        char open[64];
        snprintf(open, sizeof open, "<%s>", tag);
        const char *p = strstr(resp.body.data, open);
        assert_non_null(p);
        p += strlen(open);
        const char *e = strchr(p, '<');
        assert_non_null(e);
        snprintf(value, sizeof value, "%.*s", (int)(e - p), p);
    }
    service_response_destroy(&resp);
    return value;
}

/* Runs one dev-mode request that must fail with the AWS error `code`. */
static void call_fails(struct fixture *f, const char *body, const char *code)
{
    struct service_request req = {
        .method = "POST",
        .path = "/",
        .query = "",
        .body = (const unsigned char *)body,
        .body_len = strlen(body),
    };
    struct service_response resp;
    service_handle(&f->svc, &req, &resp);
    char want[128];
    snprintf(want, sizeof want, "<Code>%s</Code>", code);
    if (resp.status != 400 || !strstr(resp.body.data, want))
        fprintf(stderr, "%s -> %d %s (wanted %s)\n", body, resp.status, resp.body.data, code);
    assert_int_equal(resp.status, 400);
    assert_non_null(strstr(resp.body.data, want));
    service_response_destroy(&resp);
}

/* Closes the service and serves the same state directory again from a fresh model. */
static void fixture_reopen(struct fixture *f)
{
    struct model_config cfg = f->svc.model->cfg;
    service_destroy(&f->svc);
    fixture_serve(f, &cfg);
}

static json_t *whole(const struct res *r)
{
    const struct res_class *c = res_class_of(r->type);
    json_t *o = json_object();
    json_object_set_new(o, "body", c->encode ? c->encode(r) : json_object());
    json_object_set_new(o, "tags", tags_encode(&r->tags));
    json_object_set_new(o, "seq", json_integer((json_int_t)r->seq));
    json_object_set_new(o, "scope", json_string(r->scope->hdr.id));
    json_object_set_new(o, "peer", json_string(r->peer_scope ? r->peer_scope->hdr.id : ""));
    return o;
}

/* Every resource of a, encoded with its tags and header, keyed by id. */
static json_t *dump(const struct model *m)
{
    json_t *all = json_object();
    for (size_t b = 0; b < m->by_id.n_buckets; b++)
        for (struct hmap_node *n = m->by_id.buckets[b]; n; n = n->next)
            json_object_set_new(all, n->key, whole(n->value));
    return all;
}

/* The text encoder's output, reassembled: its split elements put back as arrays. */
struct collected {
    json_t *fields[2];
};

static void collect_elem(struct res_text *t, int field)
{
    struct collected *c = t->ctx;
    json_error_t jerr;
    json_t *v = json_loads(t->sb.data, 0, &jerr);
    if (!v)
        fprintf(stderr, "element text does not parse: %s\n", t->sb.data);
    assert_non_null(v);
    json_array_append_new(c->fields[field], v);
    strbuf_reset(&t->sb);
}

static size_t n_text_checked;

/* For every resource whose class has encode_text: it reads back to exactly encode(). */
static void assert_text_matches_tree(const struct model *m)
{
    for (size_t b = 0; b < m->by_id.n_buckets; b++)
        for (struct hmap_node *n = m->by_id.buckets[b]; n; n = n->next) {
            const struct res *r = n->value;
            const struct res_class *c = res_class_of(r->type);
            if (!c->encode_text)
                continue;
            struct collected col = {{json_array(), json_array()}};
            struct res_text t = {.elem_done = collect_elem, .ctx = &col};
            strbuf_init(&t.sb);
            c->encode_text(r, &t);
            assert_false(t.bad);
            json_error_t jerr;
            json_t *text = json_loads(t.sb.data, 0, &jerr);
            assert_non_null(text);
            for (int f = 0; f < 2; f++) {
                if (c->split[f])
                    json_object_set(text, c->split[f], col.fields[f]);
                else
                    assert_int_equal(json_array_size(col.fields[f]), 0);
                json_decref(col.fields[f]);
            }
            json_t *tree = c->encode(r);
            if (!json_equal(text, tree)) {
                char *a = json_dumps(text, JSON_SORT_KEYS), *bb = json_dumps(tree, JSON_SORT_KEYS);
                fprintf(stderr, "%s\ntext: %s\ntree: %s\n", r->id, a, bb);
                free(a);
                free(bb);
            }
            assert_true(json_equal(text, tree));
            json_decref(text);
            json_decref(tree);
            strbuf_destroy(&t.sb);
            n_text_checked++;
        }
}

/* Loads the state directory into a second model through a second connection and compares.
 * The second store reads the database file, so the live one folds its journal into it first
 * (and leaves the journal empty, which the second store then finds). */
static void assert_reloads_equal(struct fixture *f)
{
    assert_int_equal(store_flush(f->svc.store), 0);
    struct store *st;
    assert_int_equal(store_open(f->dir, false, &st), 0);
    struct model *m = model_new(&f->svc.model->cfg);
    assert_int_equal(store_load(st, m), 0);
    json_t *live = dump(f->svc.model), *loaded = dump(m);
    if (!json_equal(live, loaded)) {
        char *a = json_dumps(live, JSON_SORT_KEYS), *b = json_dumps(loaded, JSON_SORT_KEYS);
        fprintf(stderr, "live:   %s\nloaded: %s\n", a, b);
        free(a);
        free(b);
    }
    assert_true(json_equal(live, loaded));
    assert_true(json_object_size(live) > 0);
    assert_text_matches_tree(f->svc.model);
    json_decref(live);
    json_decref(loaded);
    model_free(m);
    store_close(st);
}

static void test_reload_after_each_change(void **state)
{
    (void)state;
    struct fixture f;
    fixture_open(&f);
    char vpc[32], rtb[32], sg[32], igw[32], subnets[4][32];
    snprintf(vpc, sizeof vpc, "%s", call(&f, "Action=CreateVpc&CidrBlock=10.1.0.0/16", "vpcId"));
    assert_reloads_equal(&f);
    char body[512];
    for (int i = 0; i < 4; i++) {
        snprintf(body, sizeof body, "Action=CreateSubnet&VpcId=%s&CidrBlock=10.1.%d.0/24", vpc, i);
        snprintf(subnets[i], sizeof subnets[i], "%s", call(&f, body, "subnetId"));
        assert_reloads_equal(&f);
    }
    /* The default ACL's association list loses an element in the middle. */
    snprintf(body, sizeof body, "Action=DeleteSubnet&SubnetId=%s", subnets[1]);
    call(&f, body, NULL);
    assert_reloads_equal(&f);

    snprintf(igw, sizeof igw, "%s", call(&f, "Action=CreateInternetGateway", "internetGatewayId"));
    snprintf(body, sizeof body, "Action=AttachInternetGateway&InternetGatewayId=%s&VpcId=%s", igw,
             vpc);
    call(&f, body, NULL);
    snprintf(body, sizeof body, "Action=CreateRouteTable&VpcId=%s", vpc);
    snprintf(rtb, sizeof rtb, "%s", call(&f, body, "routeTableId"));
    for (int i = 0; i < 5; i++) {
        snprintf(
            body, sizeof body,
            "Action=CreateRoute&RouteTableId=%s&GatewayId=%s&DestinationCidrBlock=20.0.%d.0/24",
            rtb, igw, i);
        call(&f, body, NULL);
        assert_reloads_equal(&f);
    }
    snprintf(body, sizeof body,
             "Action=DeleteRoute&RouteTableId=%s&DestinationCidrBlock=20.0.1.0/24", rtb);
    call(&f, body, NULL);
    assert_reloads_equal(&f);
    snprintf(body, sizeof body, "Action=AssociateRouteTable&RouteTableId=%s&SubnetId=%s", rtb,
             subnets[2]);
    call(&f, body, NULL);
    assert_reloads_equal(&f);

    snprintf(body, sizeof body,
             "Action=CreateSecurityGroup&VpcId=%s&GroupName=g&GroupDescription=d", vpc);
    snprintf(sg, sizeof sg, "%s", call(&f, body, "groupId"));
    for (int port = 1; port <= 3; port++) {
        snprintf(body, sizeof body,
                 "Action=AuthorizeSecurityGroupIngress&GroupId=%s&IpPermissions.1.IpProtocol=tcp"
                 "&IpPermissions.1.FromPort=%d&IpPermissions.1.ToPort=%d"
                 "&IpPermissions.1.IpRanges.1.CidrIp=10.0.0.0/8"
                 "&IpPermissions.1.IpRanges.1.Description=rule+%d",
                 sg, port, port, port);
        call(&f, body, NULL);
        assert_reloads_equal(&f);
    }
    snprintf(body, sizeof body,
             "Action=RevokeSecurityGroupIngress&GroupId=%s&IpPermissions.1.IpProtocol=tcp"
             "&IpPermissions.1.FromPort=2&IpPermissions.1.ToPort=2"
             "&IpPermissions.1.IpRanges.1.CidrIp=10.0.0.0/8",
             sg);
    call(&f, body, NULL);
    assert_reloads_equal(&f);
    /* A change to the row alone, with text that needs JSON escapes. */
    snprintf(
        body, sizeof body,
        "Action=CreateTags&ResourceId.1=%s&Tag.1.Key=k&Tag.1.Value=q%%22b%%5Cc%%01n%%0A%%C3%%A9",
        sg);
    call(&f, body, NULL);
    assert_reloads_equal(&f);
    snprintf(body, sizeof body, "Action=DeleteSecurityGroup&GroupId=%s", sg);
    call(&f, body, NULL);
    assert_reloads_equal(&f);
    snprintf(body, sizeof body, "Action=DeleteSubnet&SubnetId=%s", subnets[2]);
    call(&f, body, NULL);
    assert_reloads_equal(&f);
    snprintf(body, sizeof body, "Action=DeleteRouteTable&RouteTableId=%s", rtb);
    call(&f, body, "return");
    assert_reloads_equal(&f);
    /* The default VPC of the scope and this one: VPCs, subnets, route tables, ACLs and
     * groups all went through the comparison, many times over. */
    assert_true(n_text_checked > 100);
    fixture_close(&f);
}

/* List elements changed in place (a route's target, a rule's ports, description and tags, an
 * association moved to another table or ACL) reach the disk: the store skips re-encoding an
 * element only while its bytes are the ones it last wrote. */
static void test_elements_changed_in_place_reload(void **state)
{
    (void)state;
    struct fixture f;
    fixture_open(&f);
    char vpc[32], sub[32], other_sub[32], igw[32], eni[32], rtb[32], rtb2[32], acl[32];
    char sg[32], rule[32], assoc[40], body[768];
    snprintf(vpc, sizeof vpc, "%s", call(&f, "Action=CreateVpc&CidrBlock=10.3.0.0/16", "vpcId"));
    snprintf(body, sizeof body, "Action=CreateSubnet&VpcId=%s&CidrBlock=10.3.1.0/24", vpc);
    snprintf(sub, sizeof sub, "%s", call(&f, body, "subnetId"));
    snprintf(body, sizeof body, "Action=CreateSubnet&VpcId=%s&CidrBlock=10.3.2.0/24", vpc);
    snprintf(other_sub, sizeof other_sub, "%s", call(&f, body, "subnetId"));
    snprintf(igw, sizeof igw, "%s", call(&f, "Action=CreateInternetGateway", "internetGatewayId"));
    snprintf(body, sizeof body, "Action=AttachInternetGateway&InternetGatewayId=%s&VpcId=%s", igw,
             vpc);
    call(&f, body, NULL);
    snprintf(body, sizeof body, "Action=CreateNetworkInterface&SubnetId=%s", sub);
    snprintf(eni, sizeof eni, "%s", call(&f, body, "networkInterfaceId"));
    snprintf(body, sizeof body, "Action=CreateRouteTable&VpcId=%s", vpc);
    snprintf(rtb, sizeof rtb, "%s", call(&f, body, "routeTableId"));
    snprintf(rtb2, sizeof rtb2, "%s", call(&f, body, "routeTableId"));
    for (int i = 0; i < 3; i++) {
        snprintf(body, sizeof body,
                 "Action=CreateRoute&RouteTableId=%s&GatewayId=%s&DestinationCidrBlock=30.0.%d.0/24",
                 rtb, igw, i);
        call(&f, body, NULL);
    }
    assert_reloads_equal(&f);

    /* The middle route changes its target, then back. */
    snprintf(body, sizeof body,
             "Action=ReplaceRoute&RouteTableId=%s&NetworkInterfaceId=%s&DestinationCidrBlock=30.0.1.0/24",
             rtb, eni);
    call(&f, body, NULL);
    assert_reloads_equal(&f);
    snprintf(body, sizeof body,
             "Action=ReplaceRoute&RouteTableId=%s&GatewayId=%s&DestinationCidrBlock=30.0.1.0/24",
             rtb, igw);
    call(&f, body, NULL);
    assert_reloads_equal(&f);

    /* A subnet's association moves from one table to another. */
    snprintf(body, sizeof body, "Action=AssociateRouteTable&RouteTableId=%s&SubnetId=%s", rtb, sub);
    snprintf(assoc, sizeof assoc, "%s", call(&f, body, "associationId"));
    snprintf(body, sizeof body, "Action=AssociateRouteTable&RouteTableId=%s&SubnetId=%s", rtb,
             other_sub);
    call(&f, body, NULL);
    assert_reloads_equal(&f);
    snprintf(body, sizeof body,
             "Action=ReplaceRouteTableAssociation&AssociationId=%s&RouteTableId=%s", assoc, rtb2);
    call(&f, body, NULL);
    assert_reloads_equal(&f);

    /* A subnet's ACL association moves to a new ACL. */
    snprintf(body, sizeof body, "Action=CreateNetworkAcl&VpcId=%s", vpc);
    snprintf(acl, sizeof acl, "%s", call(&f, body, "networkAclId"));
    snprintf(body, sizeof body,
             "Action=DescribeNetworkAcls&Filter.1.Name=association.subnet-id&Filter.1.Value.1=%s",
             sub);
    snprintf(assoc, sizeof assoc, "%s", call(&f, body, "networkAclAssociationId"));
    assert_true(strncmp(assoc, "aclassoc-", 9) == 0);
    snprintf(body, sizeof body,
             "Action=ReplaceNetworkAclAssociation&AssociationId=%s&NetworkAclId=%s", assoc, acl);
    call(&f, body, NULL);
    assert_reloads_equal(&f);

    /* A rule changes its ports and description in place, gains tags and loses them. */
    snprintf(body, sizeof body,
             "Action=CreateSecurityGroup&VpcId=%s&GroupName=inplace&GroupDescription=d", vpc);
    snprintf(sg, sizeof sg, "%s", call(&f, body, "groupId"));
    for (int port = 1; port <= 3; port++) {
        snprintf(body, sizeof body,
                 "Action=AuthorizeSecurityGroupIngress&GroupId=%s&IpPermissions.1.IpProtocol=tcp"
                 "&IpPermissions.1.FromPort=%d&IpPermissions.1.ToPort=%d"
                 "&IpPermissions.1.IpRanges.1.CidrIp=10.0.0.0/8",
                 sg, port, port);
        const char *id = call(&f, body, "securityGroupRuleId");
        if (port == 2)
            snprintf(rule, sizeof rule, "%s", id);
    }
    assert_true(strncmp(rule, "sgr-", 4) == 0);
    assert_reloads_equal(&f);
    snprintf(body, sizeof body,
             "Action=ModifySecurityGroupRules&GroupId=%s"
             "&SecurityGroupRule.1.SecurityGroupRuleId=%s"
             "&SecurityGroupRule.1.SecurityGroupRule.IpProtocol=tcp"
             "&SecurityGroupRule.1.SecurityGroupRule.FromPort=8080"
             "&SecurityGroupRule.1.SecurityGroupRule.ToPort=8081"
             "&SecurityGroupRule.1.SecurityGroupRule.CidrIpv4=192.0.2.0/24"
             "&SecurityGroupRule.1.SecurityGroupRule.Description=changed",
             sg, rule);
    call(&f, body, NULL);
    assert_reloads_equal(&f);
    /* A tagged rule after it; then the first rule goes, and every later rule moves up. */
    snprintf(body, sizeof body,
             "Action=AuthorizeSecurityGroupIngress&GroupId=%s&IpPermissions.1.IpProtocol=udp"
             "&IpPermissions.1.FromPort=53&IpPermissions.1.ToPort=53"
             "&IpPermissions.1.IpRanges.1.CidrIp=10.0.0.0/8"
             "&TagSpecification.1.ResourceType=security-group-rule"
             "&TagSpecification.1.Tag.1.Key=k&TagSpecification.1.Tag.1.Value=v",
             sg);
    call(&f, body, NULL);
    assert_reloads_equal(&f);
    snprintf(body, sizeof body,
             "Action=RevokeSecurityGroupIngress&GroupId=%s&IpPermissions.1.IpProtocol=tcp"
             "&IpPermissions.1.FromPort=1&IpPermissions.1.ToPort=1"
             "&IpPermissions.1.IpRanges.1.CidrIp=10.0.0.0/8",
             sg);
    call(&f, body, NULL);
    assert_reloads_equal(&f);
    /* The live group, which the reload equalled, is the changed one. */
    const struct security_group *g = hmap_get(&f.svc.model->by_id, sg);
    assert_non_null(g);
    assert_int_equal(g->n_rules, 4); /* with the default egress rule */
    bool modified = false, tagged = false;
    for (size_t i = 0; i < g->n_rules; i++) {
        if (strcmp(g->rules[i].id, rule) == 0)
            modified = g->rules[i].from_port == 8080 &&
                       strcmp(g->rules[i].description, "changed") == 0;
        if (g->rules[i].from_port == 53)
            tagged = g->rules[i].tags.n == 1;
    }
    assert_true(modified && tagged);
    fixture_close(&f);
}

/* Nothing of a deleted object stays behind: its list rows go with it. */
static void test_delete_removes_parts(void **state)
{
    (void)state;
    struct fixture f;
    fixture_open(&f);
    char vpc[32], sg[32], body[512];
    snprintf(vpc, sizeof vpc, "%s", call(&f, "Action=CreateVpc&CidrBlock=10.2.0.0/16", "vpcId"));
    snprintf(body, sizeof body,
             "Action=CreateSecurityGroup&VpcId=%s&GroupName=g&GroupDescription=d", vpc);
    snprintf(sg, sizeof sg, "%s", call(&f, body, "groupId"));
    uint64_t sg_seq = ((struct res *)hmap_get(&f.svc.model->by_id, sg))->seq;
    snprintf(body, sizeof body, "Action=DeleteSecurityGroup&GroupId=%s", sg);
    call(&f, body, NULL);
    assert_int_equal(store_flush(f.svc.store), 0);
    char path[128];
    snprintf(path, sizeof path, "%s/vpcd.db", f.dir);
    sqlite3 *db;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    sqlite3_stmt *q;
    assert_int_equal(
        sqlite3_prepare_v2(db, "SELECT count(*) FROM parts WHERE owner=?", -1, &q, NULL),
        SQLITE_OK);
    sqlite3_bind_int64(q, 1, (sqlite3_int64)sg_seq);
    assert_int_equal(sqlite3_step(q), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(q, 0), 0);
    sqlite3_finalize(q);
    /* The VPC's default group keeps its egress rule as a row of its own. */
    assert_int_equal(sqlite3_prepare_v2(db,
                                        "SELECT count(*) FROM parts p JOIN objects o ON "
                                        "o.seq=p.owner WHERE o.type='security group'",
                                        -1, &q, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(q), SQLITE_ROW);
    assert_true(sqlite3_column_int(q, 0) >= 1);
    sqlite3_finalize(q);
    sqlite3_close(db);
    assert_reloads_equal(&f);
    fixture_close(&f);
}

/* A row written before lists had rows of their own (the list inline in the body) loads, and
 * its next change moves the list out without losing or duplicating an element. */
static void test_inline_lists_still_load(void **state)
{
    (void)state;
    struct fixture f;
    fixture_open(&f);
    char vpc[32], rtb[32], body[512];
    snprintf(vpc, sizeof vpc, "%s", call(&f, "Action=CreateVpc&CidrBlock=10.3.0.0/16", "vpcId"));
    snprintf(body, sizeof body, "Action=CreateRouteTable&VpcId=%s", vpc);
    snprintf(rtb, sizeof rtb, "%s", call(&f, body, "routeTableId"));
    json_t *before = whole(hmap_get(&f.svc.model->by_id, rtb));
    service_destroy(&f.svc);

    /* Rewrite the route table the old way: the whole body in its row, no part rows. */
    char path[128];
    snprintf(path, sizeof path, "%s/vpcd.db", f.dir);
    sqlite3 *db;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    char *text = json_dumps(json_object_get(before, "body"), JSON_COMPACT);
    sqlite3_stmt *q;
    assert_int_equal(sqlite3_prepare_v2(db, "UPDATE objects SET body=? WHERE id=?", -1, &q, NULL),
                     SQLITE_OK);
    sqlite3_bind_text(q, 1, text, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 2, rtb, -1, SQLITE_STATIC);
    assert_int_equal(sqlite3_step(q), SQLITE_DONE);
    sqlite3_finalize(q);
    assert_int_equal(sqlite3_prepare_v2(db,
                                        "DELETE FROM parts WHERE owner="
                                        "(SELECT seq FROM objects WHERE id=?)",
                                        -1, &q, NULL),
                     SQLITE_OK);
    sqlite3_bind_text(q, 1, rtb, -1, SQLITE_STATIC);
    assert_int_equal(sqlite3_step(q), SQLITE_DONE);
    sqlite3_finalize(q);
    sqlite3_close(db);
    free(text);

    fixture_serve(&f, NULL);
    json_t *after = whole(hmap_get(&f.svc.model->by_id, rtb));
    assert_true(json_equal(before, after));
    json_decref(before);
    json_decref(after);
    /* A tag change rewrites the row, now without the inline lists. */
    snprintf(body, sizeof body, "Action=CreateTags&ResourceId.1=%s&Tag.1.Key=k&Tag.1.Value=v", rtb);
    call(&f, body, NULL);
    assert_reloads_equal(&f);
    fixture_close(&f);
}

/* A state directory written with the earlier layout (objects keyed by id, parts by the
 * owner's id) is moved to seq-keyed rows when opened, and loads to exactly the same model. */
static void test_id_keyed_layout_moves_over(void **state)
{
    (void)state;
    struct fixture f;
    fixture_open(&f);
    char vpc[32], rtb[32], body[512];
    snprintf(vpc, sizeof vpc, "%s", call(&f, "Action=CreateVpc&CidrBlock=10.4.0.0/16", "vpcId"));
    snprintf(body, sizeof body, "Action=CreateSubnet&VpcId=%s&CidrBlock=10.4.1.0/24", vpc);
    call(&f, body, NULL);
    snprintf(body, sizeof body, "Action=CreateRouteTable&VpcId=%s", vpc);
    snprintf(rtb, sizeof rtb, "%s", call(&f, body, "routeTableId"));
    snprintf(body, sizeof body,
             "Action=CreateTags&ResourceId.1=%s&Tag.1.Key=Name&Tag.1.Value=moved", rtb);
    call(&f, body, NULL);
    json_t *before = dump(f.svc.model);
    service_destroy(&f.svc);

    char path[128];
    snprintf(path, sizeof path, "%s/vpcd.db", f.dir);
    sqlite3 *db;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(
        sqlite3_exec(db,
                     "BEGIN;"
                     "CREATE TABLE old_objects(id TEXT PRIMARY KEY, type TEXT NOT NULL,"
                     "account TEXT NOT NULL, region TEXT NOT NULL, seq INTEGER NOT NULL,"
                     "tags TEXT NOT NULL, body TEXT NOT NULL, peer_account TEXT NOT NULL "
                     "DEFAULT '', peer_region TEXT NOT NULL DEFAULT '');"
                     "INSERT INTO old_objects SELECT id,type,account,region,seq,tags,body,"
                     "peer_account,peer_region FROM objects;"
                     "CREATE TABLE old_parts(owner TEXT NOT NULL, field TEXT NOT NULL,"
                     "idx INTEGER NOT NULL, body TEXT NOT NULL, PRIMARY KEY(owner, field, idx))"
                     " WITHOUT ROWID;"
                     "INSERT INTO old_parts SELECT o.id,p.field,p.idx,p.body FROM parts p "
                     "JOIN objects o ON o.seq=p.owner;"
                     "DROP TABLE objects; DROP TABLE parts;"
                     "ALTER TABLE old_objects RENAME TO objects;"
                     "ALTER TABLE old_parts RENAME TO parts; COMMIT",
                     NULL, NULL, NULL),
        SQLITE_OK);
    sqlite3_close(db);

    fixture_serve(&f, NULL);
    json_t *after = dump(f.svc.model);
    assert_true(json_object_size(before) > 10);
    assert_true(json_equal(before, after));
    json_decref(before);
    json_decref(after);

    /* Only the new tables are left, keyed by seq. */
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    sqlite3_stmt *q;
    assert_int_equal(sqlite3_prepare_v2(db,
                                        "SELECT count(*) FROM sqlite_master WHERE type='table'"
                                        " AND name NOT IN ('objects','parts')",
                                        -1, &q, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(q), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(q, 0), 0);
    sqlite3_finalize(q);
    assert_int_equal(
        sqlite3_prepare_v2(db, "SELECT pk FROM pragma_table_info('objects') WHERE name='seq'", -1,
                           &q, NULL),
        SQLITE_OK);
    assert_int_equal(sqlite3_step(q), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(q, 0), 1);
    sqlite3_finalize(q);
    sqlite3_close(db);

    /* And the moved state takes further changes. */
    snprintf(body, sizeof body, "Action=CreateSubnet&VpcId=%s&CidrBlock=10.4.2.0/24", vpc);
    call(&f, body, NULL);
    snprintf(body, sizeof body, "Action=DeleteRouteTable&RouteTableId=%s", rtb);
    call(&f, body, NULL);
    assert_reloads_equal(&f);
    fixture_close(&f);
}

/* Under steady commits the WAL still starts over: the checkpointer copies most of it and the
 * writer the last frames, so the file stays near its threshold instead of growing with every
 * commit; the journal starts over near its limit; and what was copied reloads exactly. */
static void test_wal_starts_over_under_steady_commits(void **state)
{
    (void)state;
    struct fixture f;
    fixture_open(&f);
    store_set_checkpoint_pages(f.svc.store, 64);
    store_set_journal_limit(f.svc.store, 32768);
    f.svc.model->cfg.subnets_per_vpc = 100000;
    char vpc[32], body[512];
    snprintf(vpc, sizeof vpc, "%s", call(&f, "Action=CreateVpc&CidrBlock=10.5.0.0/16", "vpcId"));
    char path[160];
    snprintf(path, sizeof path, "%s/vpcd.db-wal", f.dir);
    off_t largest = 0;
    for (int i = 0; i < 1200; i++) {
        snprintf(body, sizeof body, "Action=CreateSubnet&VpcId=%s&CidrBlock=10.5.%d.%d/28", vpc,
                 i / 16, (i % 16) * 16);
        call(&f, body, NULL);
        struct stat sb;
        if (stat(path, &sb) == 0 && sb.st_size > largest)
            largest = sb.st_size;
    }
    /* 1,200 commits of at least two pages each (the subnet's row, the ACL's association)
     * make a WAL of over 9.8 MiB if it never starts over; starting over near 64 pages (plus
     * what commits add while a checkpoint round syncs) keeps it at a few MiB. */
    assert_true(largest > 0);
    assert_true(largest < 8 * 1024 * 1024);
    /* The journal starts over too, near its limit: commits wait for a folder that is a
     * whole limit behind, so it stays under twice the limit and a record, where 1,200
     * records of a subnet and an ACL association are ~1 MiB. */
    char journal[160];
    snprintf(journal, sizeof journal, "%s/vpcd.journal", f.dir);
    struct stat sb;
    assert_int_equal(stat(journal, &sb), 0);
    assert_true(sb.st_size > 0);
    assert_true(sb.st_size < 3 * 32768);
    assert_reloads_equal(&f);
    fixture_close(&f);
}

/* A VPC's own lists of subnets, groups and route tables (what the quota, overlap and
 * group-name checks read) follow creates and deletes, and are rebuilt when the state is
 * loaded again. */
static void test_vpc_lists_follow_changes_and_reload(void **state)
{
    (void)state;
    struct fixture f;
    fixture_open(&f);
    f.svc.model->cfg.subnets_per_vpc = 2;
    f.svc.model->cfg.rtbs_per_vpc = 2; /* the main table and one more */
    char vpc[32], other[32], sub[32], rtb[32], body[512];
    snprintf(vpc, sizeof vpc, "%s", call(&f, "Action=CreateVpc&CidrBlock=10.6.0.0/16", "vpcId"));
    snprintf(other, sizeof other, "%s",
             call(&f, "Action=CreateVpc&CidrBlock=10.6.0.0/16", "vpcId"));
    snprintf(body, sizeof body, "Action=CreateSubnet&VpcId=%s&CidrBlock=10.6.1.0/24", vpc);
    snprintf(sub, sizeof sub, "%s", call(&f, body, "subnetId"));
    /* Another VPC's subnets neither overlap nor count. */
    snprintf(body, sizeof body, "Action=CreateSubnet&VpcId=%s&CidrBlock=10.6.1.0/24", other);
    call(&f, body, NULL);
    snprintf(body, sizeof body, "Action=CreateSubnet&VpcId=%s&CidrBlock=10.6.1.128/25", vpc);
    call_fails(&f, body, "InvalidSubnet.Conflict");
    snprintf(body, sizeof body, "Action=CreateSubnet&VpcId=%s&CidrBlock=10.6.2.0/24", vpc);
    call(&f, body, NULL);
    snprintf(body, sizeof body, "Action=CreateSubnet&VpcId=%s&CidrBlock=10.6.3.0/24", vpc);
    call_fails(&f, body, "SubnetLimitExceeded");
    snprintf(body, sizeof body, "Action=CreateRouteTable&VpcId=%s", vpc);
    snprintf(rtb, sizeof rtb, "%s", call(&f, body, "routeTableId"));
    call_fails(&f, body, "RouteTableLimitExceeded");
    snprintf(body, sizeof body,
             "Action=CreateSecurityGroup&VpcId=%s&GroupName=web&GroupDescription=d", vpc);
    call(&f, body, NULL);
    call_fails(&f, body, "InvalidGroup.Duplicate");

    fixture_reopen(&f);
    snprintf(body, sizeof body, "Action=CreateSubnet&VpcId=%s&CidrBlock=10.6.3.0/24", vpc);
    call_fails(&f, body, "SubnetLimitExceeded");
    snprintf(body, sizeof body, "Action=CreateSubnet&VpcId=%s&CidrBlock=10.6.1.0/26", vpc);
    call_fails(&f, body, "InvalidSubnet.Conflict");
    snprintf(body, sizeof body, "Action=CreateRouteTable&VpcId=%s", vpc);
    call_fails(&f, body, "RouteTableLimitExceeded");
    snprintf(body, sizeof body,
             "Action=CreateSecurityGroup&VpcId=%s&GroupName=web&GroupDescription=d", vpc);
    call_fails(&f, body, "InvalidGroup.Duplicate");
    /* The same name in the other VPC is another group. */
    snprintf(body, sizeof body,
             "Action=CreateSecurityGroup&VpcId=%s&GroupName=web&GroupDescription=d", other);
    call(&f, body, NULL);

    /* Deletes make room again. */
    snprintf(body, sizeof body, "Action=DeleteSubnet&SubnetId=%s", sub);
    call(&f, body, NULL);
    snprintf(body, sizeof body, "Action=CreateSubnet&VpcId=%s&CidrBlock=10.6.1.0/26", vpc);
    call(&f, body, NULL);
    snprintf(body, sizeof body, "Action=DeleteRouteTable&RouteTableId=%s", rtb);
    call(&f, body, NULL);
    snprintf(body, sizeof body, "Action=CreateRouteTable&VpcId=%s", vpc);
    call(&f, body, NULL);
    assert_reloads_equal(&f);
    fixture_close(&f);
}

/* A commit that cannot reach the disk (the journal write fails, as on a full disk) is
 * answered with InternalError and rolled back, not acknowledged; once writes work again the
 * service goes on from exactly what is durable. */
static void test_failed_commit_is_not_acknowledged(void **state)
{
    (void)state;
    struct fixture f;
    fixture_open(&f);
    call(&f, "Action=CreateVpc&CidrBlock=10.7.0.0/16", "vpcId");
    assert_int_equal(f.svc.model->scopes.n, 1);
    size_t vpcs = ((struct scope *)f.svc.model->scopes.items[0])->lists[RES_VPC].n;
    store_fail_writes(f.svc.store, 1);
    struct service_request req = {
        .method = "POST",
        .path = "/",
        .query = "",
        .body = (const unsigned char *)"Action=CreateVpc&CidrBlock=10.8.0.0/16",
        .body_len = strlen("Action=CreateVpc&CidrBlock=10.8.0.0/16"),
    };
    struct service_response resp;
    service_handle(&f.svc, &req, &resp);
    assert_int_equal(resp.status, 500);
    assert_non_null(strstr(resp.body.data, "<Code>InternalError</Code>"));
    service_response_destroy(&resp);
    /* The model went back to what is durable: the refused VPC is not there. */
    assert_int_equal(((struct scope *)f.svc.model->scopes.items[0])->lists[RES_VPC].n, vpcs);
    call(&f, "Action=CreateVpc&CidrBlock=10.9.0.0/16", "vpcId");
    assert_reloads_equal(&f);
    fixture_close(&f);
}

/* A process killed without closing its store (SIGKILL, so nothing is folded or flushed on
 * the way out) leaves every acknowledged change behind: the next open replays the journal
 * into SQLite, including groups the folder had not applied yet and groups it had. The child
 * keeps the journal small, so it starts over many times and what the kill leaves behind is
 * a new pass written over older ones. */
static void test_acknowledged_changes_survive_a_kill(void **state)
{
    (void)state;
    struct fixture f;
    fixture_open(&f);
    char expect[160];
    snprintf(expect, sizeof expect, "%s/expected.json", f.dir);
    struct model_config cfg = f.svc.model->cfg;
    cfg.subnets_per_vpc = 100000;
    for (int round = 0; round < 3; round++) {
        /* One process owns a state directory at a time: the child serves it, then dies. */
        service_destroy(&f.svc);
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
            /* The child: no cmocka here, its exit status is the verdict. */
            fixture_serve(&f, &cfg);
            store_set_journal_limit(f.svc.store, 16384);
            char vpc[32], body[256];
            snprintf(body, sizeof body, "Action=CreateVpc&CidrBlock=10.%d.0.0/16", 20 + round);
            snprintf(vpc, sizeof vpc, "%s", call(&f, body, "vpcId"));
            if (!vpc[0])
                _exit(2);
            for (int i = 0; i < 150 + 50 * round; i++) {
                snprintf(body, sizeof body, "Action=CreateSubnet&VpcId=%s&CidrBlock=10.%d.%d.%d/28",
                         vpc, 20 + round, i / 16, (i % 16) * 16);
                call(&f, body, NULL);
            }
            /* Every reply above was acknowledged: that is the state a restart must find. */
            json_t *all = dump(f.svc.model);
            if (json_dump_file(all, expect, JSON_SORT_KEYS) != 0)
                _exit(3);
            raise(SIGKILL);
            _exit(4);
        }
        int status;
        assert_int_equal(waitpid(pid, &status, 0), pid);
        assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
        /* The kill left groups in the journal (the folder empties it only when it is large). */
        char journal[160];
        snprintf(journal, sizeof journal, "%s/vpcd.journal", f.dir);
        struct stat sb;
        assert_int_equal(stat(journal, &sb), 0);
        assert_true(sb.st_size > 0);
        fixture_serve(&f, &cfg);
        json_error_t jerr;
        json_t *want = json_load_file(expect, 0, &jerr);
        assert_non_null(want);
        json_t *got = dump(f.svc.model);
        assert_true(json_object_size(want) > 150);
        assert_true(json_equal(want, got));
        json_decref(want);
        json_decref(got);
    }
    unlink(expect);
    fixture_close(&f);
}

/* jt_string() against jansson on random byte strings: it refuses exactly what json_string()
 * refuses, and what it writes reads back to the same string. */
static void test_string_text_matches_jansson(void **state)
{
    (void)state;
    srand(7);
    size_t n_valid = 0, n_invalid = 0;
    for (int k = 0; k < 200000; k++) {
        unsigned char s[8];
        size_t n = 1 + (size_t)(rand() % 6);
        for (size_t i = 0; i < n; i++) {
            /* Mostly bytes that matter to UTF-8 and JSON escaping. */
            int pick = rand() % 4;
            s[i] = pick == 0   ? (unsigned char)(rand() % 0x40)
                   : pick == 1 ? (unsigned char)(0x80 + rand() % 0x40)
                               : (unsigned char)(0xc0 + rand() % 0x40);
            if (s[i] == 0)
                s[i] = '"';
        }
        s[n] = '\0';
        struct res_text t = {0};
        strbuf_init(&t.sb);
        jt_string(&t, (const char *)s);
        json_t *ref = json_string((const char *)s);
        assert_int_equal(t.bad, ref == NULL);
        if (ref) {
            json_error_t jerr;
            json_t *back = json_loads(t.sb.data, JSON_DECODE_ANY, &jerr);
            assert_non_null(back);
            assert_true(json_equal(back, ref));
            json_decref(back);
            n_valid++;
        } else {
            n_invalid++;
        }
        json_decref(ref);
        strbuf_destroy(&t.sb);
    }
    assert_true(n_valid > 10000 && n_invalid > 10000);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_string_text_matches_jansson),
    cmocka_unit_test(test_reload_after_each_change),
    cmocka_unit_test(test_elements_changed_in_place_reload),
    cmocka_unit_test(test_delete_removes_parts),
    cmocka_unit_test(test_inline_lists_still_load),
    cmocka_unit_test(test_id_keyed_layout_moves_over),
    cmocka_unit_test(test_wal_starts_over_under_steady_commits),
    cmocka_unit_test(test_vpc_lists_follow_changes_and_reload),
    cmocka_unit_test(test_failed_commit_is_not_acknowledged),
    cmocka_unit_test(test_acknowledged_changes_survive_a_kill),
};

UNIT_MAIN(tests)

/* svcbench: apibench's request mix driven into the API service in-process, without HTTP.
 *
 * One thread, one client's container (a VPC with an attached internet gateway, a route table
 * and a security group, rotated at the same sizes as apibench), N requests in apibench's
 * round-robin order, each through service_handle() with a real SigV4 signature and the store
 * committing (and by default fsyncing) before the call returns. It exists for profiling:
 * under `valgrind --tool=callgrind` its instruction counts per request are repeatable where
 * wall-clock figures on this shared machine are not, and they leave out the HTTP layer and
 * the load generator's own CPU.
 *
 *   build/bench/svcbench STATE_DIR N [--no-fsync]
 *
 * The last line is machine readable:
 *   RESULT requests=N seconds=S us_per_request=U
 */
#include <errno.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/service.h"
#include "model/model.h"
#include "store/store.h"

struct sb_client {
    struct service *svc;
    char vpc[32], igw[32], rtb[32], sg[32];
    unsigned vpc_serial, subnets, routes, rules;
    unsigned long route_serial, port_serial, vpc_created;
    unsigned long failures;
};

static void hex(const unsigned char *in, size_t n, char *out)
{
    static const char d[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = d[in[i] >> 4];
        out[2 * i + 1] = d[in[i] & 15];
    }
    out[2 * n] = '\0';
}

static void sha256_hex(const char *s, size_t n, char out[65])
{
    unsigned char md[SHA256_DIGEST_LENGTH];
    SHA256((const unsigned char *)s, n, md);
    hex(md, sizeof md, out);
}

static void hmac(const unsigned char *key, size_t key_len, const char *msg, unsigned char out[32])
{
    unsigned int len = 32;
    HMAC(EVP_sha256(), key, (int)key_len, (const unsigned char *)msg, strlen(msg), out, &len);
}

/* Sends one signed POST and returns the HTTP status; copies <tag>value</tag> into out. */
static int sb_call(struct sb_client *c, const char *body, const char *tag, char *out, size_t cap)
{
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    char amz_date[17], date[9];
    strftime(amz_date, sizeof amz_date, "%Y%m%dT%H%M%SZ", &tm);
    strftime(date, sizeof date, "%Y%m%d", &tm);
    char body_hash[65], canon[1024], canon_hash[65], to_sign[512], sig[65], auth[512];
    sha256_hex(body, strlen(body), body_hash);
    snprintf(canon, sizeof canon,
             "POST\n/\n\ncontent-type:application/x-www-form-urlencoded; charset=utf-8\n"
             "host:127.0.0.1\nx-amz-date:%s\n\ncontent-type;host;x-amz-date\n%s",
             amz_date, body_hash);
    sha256_hex(canon, strlen(canon), canon_hash);
    snprintf(to_sign, sizeof to_sign, "AWS4-HMAC-SHA256\n%s\n%s/us-east-1/ec2/aws4_request\n%s",
             amz_date, date, canon_hash);
    unsigned char k1[32], k2[32], k3[32], k4[32], s[32];
    hmac((const unsigned char *)"AWS4test", 8, date, k1);
    hmac(k1, 32, "us-east-1", k2);
    hmac(k2, 32, "ec2", k3);
    hmac(k3, 32, "aws4_request", k4);
    hmac(k4, 32, to_sign, s);
    hex(s, 32, sig);
    snprintf(auth, sizeof auth,
             "AWS4-HMAC-SHA256 Credential=test/%s/us-east-1/ec2/aws4_request, "
             "SignedHeaders=content-type;host;x-amz-date, Signature=%s",
             date, sig);
    struct sigv4_header headers[] = {
        {"Host", "127.0.0.1"},
        {"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"},
        {"X-Amz-Date", amz_date},
        {"Authorization", auth},
    };
    struct service_request req = {
        .method = "POST",
        .path = "/",
        .query = "",
        .headers = headers,
        .n_headers = sizeof headers / sizeof headers[0],
        .body = (const unsigned char *)body,
        .body_len = strlen(body),
    };
    struct service_response resp;
    service_handle(c->svc, &req, &resp);
    int status = resp.status;
    if (status != 200) {
        if (c->failures++ < 3)
            fprintf(stderr, "svcbench: %d for %s: %s\n", status, body,
                    resp.body.data ? resp.body.data : "");
    } else if (tag) {
        char open[64];
        snprintf(open, sizeof open, "<%s>", tag);
        const char *p = resp.body.data ? strstr(resp.body.data, open) : NULL;
        const char *e = p ? strchr(p + strlen(open), '<') : NULL;
        if (!e || (size_t)(e - p - strlen(open)) >= cap)
            status = -1;
        else
            snprintf(out, cap, "%.*s", (int)(e - p - strlen(open)), p + strlen(open));
    }
    service_response_destroy(&resp);
    return status;
}

static void sb_new_route_table(struct sb_client *c)
{
    char body[256];
    snprintf(body, sizeof body, "Action=CreateRouteTable&Version=2016-11-15&VpcId=%s", c->vpc);
    c->routes = 0;
    sb_call(c, body, "routeTableId", c->rtb, sizeof c->rtb);
}

static void sb_new_security_group(struct sb_client *c)
{
    char body[256];
    snprintf(body, sizeof body,
             "Action=CreateSecurityGroup&Version=2016-11-15&VpcId=%s&GroupName=bench-%lu"
             "&GroupDescription=svcbench",
             c->vpc, c->port_serial);
    c->rules = 0;
    sb_call(c, body, "groupId", c->sg, sizeof c->sg);
}

static void sb_new_container(struct sb_client *c)
{
    char body[256];
    c->vpc_serial++;
    snprintf(body, sizeof body, "Action=CreateVpc&Version=2016-11-15&CidrBlock=10.%u.0.0/16",
             c->vpc_serial % 256);
    sb_call(c, body, "vpcId", c->vpc, sizeof c->vpc);
    c->subnets = 0;
    sb_call(c, "Action=CreateInternetGateway&Version=2016-11-15", "internetGatewayId", c->igw,
            sizeof c->igw);
    snprintf(body, sizeof body,
             "Action=AttachInternetGateway&Version=2016-11-15&InternetGatewayId=%s&VpcId=%s",
             c->igw, c->vpc);
    sb_call(c, body, NULL, NULL, 0);
    sb_new_route_table(c);
    sb_new_security_group(c);
}

static void sb_request(struct sb_client *c, unsigned op)
{
    char body[512];
    switch (op) {
    case 0:
        snprintf(body, sizeof body, "Action=CreateVpc&Version=2016-11-15&CidrBlock=10.%lu.0.0/16",
                 c->vpc_created++ % 256);
        break;
    case 1:
        snprintf(body, sizeof body, "Action=DescribeVpcs&Version=2016-11-15&VpcId.1=%s", c->vpc);
        break;
    case 2: {
        if (c->subnets >= 200)
            sb_new_container(c);
        unsigned k = c->subnets++;
        snprintf(body, sizeof body,
                 "Action=CreateSubnet&Version=2016-11-15&VpcId=%s&CidrBlock=10.%u.%u.%u/28", c->vpc,
                 c->vpc_serial % 256, k / 16, (k % 16) * 16);
        break;
    }
    case 3: {
        if (c->routes >= 50)
            sb_new_route_table(c);
        unsigned long k = c->route_serial++;
        c->routes++;
        snprintf(body, sizeof body,
                 "Action=CreateRoute&Version=2016-11-15&RouteTableId=%s&GatewayId=%s"
                 "&DestinationCidrBlock=20.%lu.%lu.%lu/32",
                 c->rtb, c->igw, (k >> 16) & 255, (k >> 8) & 255, k & 255);
        break;
    }
    default: {
        if (c->rules >= 50)
            sb_new_security_group(c);
        unsigned long port = 1 + c->rules++;
        c->port_serial++;
        snprintf(body, sizeof body,
                 "Action=AuthorizeSecurityGroupIngress&Version=2016-11-15&GroupId=%s"
                 "&IpPermissions.1.IpProtocol=tcp&IpPermissions.1.FromPort=%lu"
                 "&IpPermissions.1.ToPort=%lu&IpPermissions.1.IpRanges.1.CidrIp=10.0.0.0/8",
                 c->sg, port, port);
        break;
    }
    }
    sb_call(c, body, NULL, NULL, 0);
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: svcbench STATE_DIR N [--no-fsync]\n");
        return 2;
    }
    long n = strtol(argv[2], NULL, 10);
    bool fsync_commits = !(argc > 3 && strcmp(argv[3], "--no-fsync") == 0);
    struct model_config cfg;
    model_config_defaults(&cfg);
    cfg.vpcs_per_region = cfg.subnets_per_vpc = cfg.routes_per_rtb = cfg.rules_per_sg = 1000000;
    cfg.igws_per_region = cfg.sgs_per_region = cfg.rtbs_per_vpc = 1000000;
    struct store *st;
    int rc = store_open(argv[1], fsync_commits, &st);
    if (rc != 0) {
        fprintf(stderr, "svcbench: cannot open the store in %s: %s\n", argv[1], strerror(-rc));
        return 1;
    }
    struct model *m = model_new(&cfg);
    if (store_load(st, m) != 0) {
        fprintf(stderr, "svcbench: cannot load the store\n");
        return 1;
    }
    struct service svc;
    service_init(&svc, m, st, false);
    struct sb_client c = {.svc = &svc};
    sb_new_container(&c);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (long i = 0; i < n; i++)
        sb_request(&c, (unsigned)(i % 5));
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    service_destroy(&svc);
    printf("RESULT requests=%ld seconds=%.3f us_per_request=%.1f failures=%lu\n", n, secs,
           n ? secs * 1e6 / (double)n : 0.0, c.failures);
    return c.failures ? 1 : 0;
}

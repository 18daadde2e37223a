/* apibench: EC2 Query API load generator for vpcd.
 *
 * N clients, each on its own keep-alive HTTP/1.1 connection, send SigV4-signed POSTs in a
 * fixed round-robin mix of CreateVpc, DescribeVpcs, CreateSubnet, CreateRoute and
 * AuthorizeSecurityGroupIngress, one request in flight per client, and time every request
 * with CLOCK_MONOTONIC. The clients are driven by --threads event loops (epoll; default 1),
 * not a thread each: on a 2-CPU machine shared with vpcd, a thread per client spent more of
 * the CPUs waking threads than building requests. Each client first creates a "container" (a VPC with an attached
 * internet gateway, a route table and a security group) that receives its subnets, routes
 * and rules; every value is unique so no request collides with another.
 *
 * Containers are kept to AWS's default quota sizes, so that the figures depend less on how
 * long the run is (vpcd re-encodes a whole object on every change to find what changed, so a
 * route table with 10,000 routes costs more per CreateRoute than one with 50; the number of
 * VPCs still grows with the run): after --per-container routes (rules)
 * the client makes a new route table (security group), and after --subnets-per-vpc /28 subnets
 * a new container VPC. Those
 * bookkeeping requests are not part of the mix: they are counted as "aux" and left out of
 * the latency figures, but the time they take stays in the wall clock (so requests/s is
 * slightly understated, never overstated).
 *
 * The last line is machine readable:
 *   RESULT clients=N requests=N seconds=S rps=R p50_ms=X p99_ms=Y errors=E aux=A
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/evp.h>
#include <openssl/sha.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

enum op { OP_CREATE_VPC, OP_DESCRIBE_VPCS, OP_CREATE_SUBNET, OP_CREATE_ROUTE, OP_AUTHORIZE, OP__N };

/* Setup and rotation requests, in the order a container is built. */
enum step { STEP_VPC, STEP_IGW, STEP_ATTACH, STEP_RTB, STEP_SG };

static const char *const op_names[OP__N] = {"CreateVpc", "DescribeVpcs", "CreateSubnet",
                                            "CreateRoute", "AuthorizeSecurityGroupIngress"};

struct config {
    const char *host;
    int port;
    int clients;
    int threads; /* event loops the clients are spread over */
    double seconds;
    double warmup;
    const char *region;
    const char *key;
    const char *secret;
    int per_container;
    int subnets_per_vpc;
    enum op mix[OP__N]; /* the actions sent, in round-robin order */
    int n_mix;
};

struct sample {
    uint32_t ns_lo; /* latency in ns, split so a sample stays 8 bytes */
    uint16_t ns_hi;
    uint16_t op;
};

struct client {
    const struct config *cfg;
    int index;
    int fd;
    int epfd; /* its loop's */
    char hostport[64];
    /* SigV4 key for the current UTC day. */
    char key_date[9];
    unsigned char signing_key[32];
    /* The container. */
    char vpc[32], igw[32], rtb[32], sg[32];
    unsigned vpc_serial; /* picks the container VPC's /16 */
    unsigned subnets;    /* /28s used in the container VPC */
    unsigned routes, rules;
    unsigned long route_serial, port_serial, vpc_created;
    /* Results. */
    struct sample *samples;
    size_t n_samples, cap_samples;
    unsigned long errors[OP__N];
    unsigned long ok[OP__N];
    unsigned long aux, aux_errors, reconnects;
    bool setup_failed;
    char first_error[512];
    /* The exchange in flight. */
    enum step steps[8]; /* container steps still to send before the mix goes on */
    int n_steps, step_pos;
    bool setup_done;
    unsigned next_op; /* index into the mix */
    bool in_flight, cur_aux;
    enum op cur_op;
    int ph_sent; /* the phase when it was sent */
    int attempts;
    uint64_t t_sent;
    /* I/O buffers. */
    char *req;
    size_t req_cap, req_len;
    char *resp;
    size_t resp_cap, resp_len, body_off, body_len;
};

static atomic_int phase; /* 0 warmup, 1 recording, 2 stop */
static pthread_barrier_t ready;

static void die(const char *msg)
{
    fprintf(stderr, "apibench: %s\n", msg);
    exit(2);
}

static void *xrealloc(void *p, size_t n)
{
    p = realloc(p, n);
    if (!p)
        die("out of memory");
    return p;
}

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* ---- SigV4 ---- */

static void hex(const unsigned char *in, size_t n, char *out)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[in[i] >> 4];
        out[2 * i + 1] = digits[in[i] & 15];
    }
    out[2 * n] = '\0';
}

/* SHA-256 through one fetched algorithm and a reused context: OpenSSL 3's one-shot SHA256()
 * and HMAC() fetch the algorithm and allocate a context on every call, which made signing
 * the larger part of the load generator's own CPU. One context per event loop thread. */
static EVP_MD *sha256_md;
static _Thread_local EVP_MD_CTX *sha_ctx;

static void sha256(const void *a, size_t na, const void *b, size_t nb, unsigned char out[32])
{
    if (!sha_ctx && !(sha_ctx = EVP_MD_CTX_new()))
        die("EVP_MD_CTX_new failed");
    unsigned int len = 32;
    if (!EVP_DigestInit_ex2(sha_ctx, sha256_md, NULL) || !EVP_DigestUpdate(sha_ctx, a, na) ||
        (nb && !EVP_DigestUpdate(sha_ctx, b, nb)) || !EVP_DigestFinal_ex(sha_ctx, out, &len))
        die("SHA-256 failed");
}

static void sha256_hex(const void *data, size_t n, char out[65])
{
    unsigned char md[SHA256_DIGEST_LENGTH];
    sha256(data, n, NULL, 0, md);
    hex(md, sizeof md, out);
}

/* HMAC-SHA256 (RFC 2104) over the reused context; keys here are at most 64 bytes. */
static void hmac(const unsigned char *key, size_t key_len, const char *msg, unsigned char out[32])
{
    unsigned char ipad[64], opad[64], inner[32];
    if (key_len > 64)
        die("HMAC key too long");
    memset(ipad, 0x36, sizeof ipad);
    memset(opad, 0x5c, sizeof opad);
    for (size_t i = 0; i < key_len; i++) {
        ipad[i] ^= key[i];
        opad[i] ^= key[i];
    }
    sha256(ipad, 64, msg, strlen(msg), inner);
    sha256(opad, 64, inner, 32, out);
}

static void signing_key(struct client *c, const char *date)
{
    if (strcmp(c->key_date, date) == 0)
        return;
    char k0[160];
    unsigned char k1[32], k2[32], k3[32];
    snprintf(k0, sizeof k0, "AWS4%s", c->cfg->secret);
    hmac((const unsigned char *)k0, strlen(k0), date, k1);
    hmac(k1, 32, c->cfg->region, k2);
    hmac(k2, 32, "ec2", k3);
    hmac(k3, 32, "aws4_request", c->signing_key);
    snprintf(c->key_date, sizeof c->key_date, "%s", date);
}

#define CONTENT_TYPE "application/x-www-form-urlencoded; charset=utf-8"

/* Builds the full HTTP request for body into c->req; returns its length. */
static size_t build_request(struct client *c, const char *body)
{
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    char amz_date[17], date[9];
    strftime(amz_date, sizeof amz_date, "%Y%m%dT%H%M%SZ", &tm);
    strftime(date, sizeof date, "%Y%m%d", &tm);
    signing_key(c, date);

    size_t body_len = strlen(body);
    char body_hash[65], canon_hash[65], canon[1024], to_sign[512], sig_hex[65];
    unsigned char sig[32];
    sha256_hex(body, body_len, body_hash);
    int n = snprintf(canon, sizeof canon,
                     "POST\n/\n\ncontent-type:" CONTENT_TYPE "\nhost:%s\nx-amz-date:%s\n\n"
                     "content-type;host;x-amz-date\n%s",
                     c->hostport, amz_date, body_hash);
    sha256_hex(canon, (size_t)n, canon_hash);
    snprintf(to_sign, sizeof to_sign, "AWS4-HMAC-SHA256\n%s\n%s/%s/ec2/aws4_request\n%s", amz_date,
             date, c->cfg->region, canon_hash);
    hmac(c->signing_key, 32, to_sign, sig);
    hex(sig, 32, sig_hex);

    size_t need = body_len + 1024;
    if (c->req_cap < need) {
        c->req_cap = need;
        c->req = xrealloc(c->req, need);
    }
    n = snprintf(c->req, c->req_cap,
                 "POST / HTTP/1.1\r\nHost: %s\r\nContent-Type: " CONTENT_TYPE "\r\n"
                 "X-Amz-Date: %s\r\nAuthorization: AWS4-HMAC-SHA256 Credential=%s/%s/%s/ec2/"
                 "aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=%s\r\n"
                 "Content-Length: %zu\r\n\r\n%s",
                 c->hostport, amz_date, c->cfg->key, date, c->cfg->region, sig_hex, body_len, body);
    return (size_t)n;
}

/* ---- HTTP over one keep-alive connection ---- */

static int connect_to(struct client *c)
{
    if (c->fd >= 0)
        close(c->fd);
    c->fd = socket(AF_INET, SOCK_STREAM, 0);
    if (c->fd < 0)
        return -1;
    int one = 1;
    setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons((uint16_t)c->cfg->port);
    if (inet_pton(AF_INET, c->cfg->host, &a.sin_addr) != 1 ||
        connect(c->fd, (struct sockaddr *)&a, sizeof a) != 0) {
        close(c->fd);
        c->fd = -1;
        return -1;
    }
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = c};
    if (epoll_ctl(c->epfd, EPOLL_CTL_ADD, c->fd, &ev) != 0) {
        close(c->fd);
        c->fd = -1;
        return -1;
    }
    return 0;
}

static int send_all(int fd, const char *p, size_t n)
{
    while (n) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* Parses what has arrived of the response. Returns 1 when it is complete (status, body and
 * close_after set), 0 when more is needed, -1 when it cannot be parsed. */
static int parse_response(struct client *c, int *status, bool *close_after)
{
    c->resp[c->resp_len] = '\0';
    char *end = strstr(c->resp, "\r\n\r\n");
    if (!end)
        return 0;
    if (sscanf(c->resp, "HTTP/1.%*d %d", status) != 1)
        return -1;
    size_t hdr_len = (size_t)(end - c->resp) + 4;
    long content_length = -1;
    *close_after = false;
    for (char *line = strstr(c->resp, "\r\n") + 2; line < end;) {
        char *eol = strstr(line, "\r\n");
        if (strncasecmp(line, "Content-Length:", 15) == 0)
            content_length = strtol(line + 15, NULL, 10);
        else if (strncasecmp(line, "Connection:", 11) == 0 && strstr(line, "close") &&
                 strstr(line, "close") < eol)
            *close_after = true;
        line = eol + 2;
    }
    if (content_length < 0)
        return -1; /* vpcd always sends a length */
    if (c->resp_len < hdr_len + (size_t)content_length)
        return 0;
    c->resp[hdr_len + (size_t)content_length] = '\0';
    c->body_off = hdr_len;
    c->body_len = (size_t)content_length;
    return 1;
}

static const char *body_of(const struct client *c)
{
    return c->resp + c->body_off;
}

/* Copies the text of the first <tag>...</tag> of the reply body into out. */
static int xml_field(const struct client *c, const char *tag, char *out, size_t cap)
{
    char open[64];
    snprintf(open, sizeof open, "<%s>", tag);
    const char *p = strstr(body_of(c), open);
    if (!p)
        return -1;
    p += strlen(open);
    const char *e = strchr(p, '<');
    if (!e || (size_t)(e - p) >= cap)
        return -1;
    memcpy(out, p, (size_t)(e - p));
    out[e - p] = '\0';
    return 0;
}

static void note_error(struct client *c, const char *what, int status)
{
    if (c->first_error[0])
        return;
    const char *code = status > 0 ? strstr(body_of(c), "<Code>") : NULL;
    snprintf(c->first_error, sizeof c->first_error, "%s: HTTP %d %.200s", what, status,
             code ? code : (status > 0 ? body_of(c) : "(no reply)"));
}

/* ---- the container (setup and rotation; "aux" requests) ---- */

static void push_steps(struct client *c, const enum step *steps, int n)
{
    c->n_steps = 0;
    for (int i = 0; i < n; i++)
        c->steps[c->n_steps++] = steps[i];
    c->step_pos = 0;
}

static void push_container(struct client *c)
{
    static const enum step all[] = {STEP_VPC, STEP_IGW, STEP_ATTACH, STEP_RTB, STEP_SG};
    push_steps(c, all, 5);
}

/* The body of the next setup/rotation step. */
static void aux_body(struct client *c, enum step st, char *body, size_t cap)
{
    switch (st) {
    case STEP_VPC:
        c->vpc_serial++;
        c->subnets = 0;
        snprintf(body, cap, "Action=CreateVpc&Version=2016-11-15&CidrBlock=10.%u.0.0/16",
                 (c->index * 37 + c->vpc_serial) % 256);
        break;
    case STEP_IGW:
        snprintf(body, cap, "Action=CreateInternetGateway&Version=2016-11-15");
        break;
    case STEP_ATTACH:
        snprintf(body, cap,
                 "Action=AttachInternetGateway&Version=2016-11-15&InternetGatewayId=%s&VpcId=%s",
                 c->igw, c->vpc);
        break;
    case STEP_RTB:
        c->routes = 0;
        snprintf(body, cap, "Action=CreateRouteTable&Version=2016-11-15&VpcId=%s", c->vpc);
        break;
    case STEP_SG:
        c->rules = 0;
        snprintf(body, cap,
                 "Action=CreateSecurityGroup&Version=2016-11-15&VpcId=%s&GroupName=bench-%d-%lu"
                 "&GroupDescription=apibench",
                 c->vpc, c->index, c->port_serial);
        break;
    }
}

/* Takes what the step's reply names (the new object's id); false if the step failed. */
static bool aux_done(struct client *c, enum step st, int status)
{
    bool ok = status == 200;
    switch (st) {
    case STEP_VPC:
        ok = ok && xml_field(c, "vpcId", c->vpc, sizeof c->vpc) == 0;
        break;
    case STEP_IGW:
        ok = ok && xml_field(c, "internetGatewayId", c->igw, sizeof c->igw) == 0;
        break;
    case STEP_RTB:
        ok = ok && xml_field(c, "routeTableId", c->rtb, sizeof c->rtb) == 0;
        break;
    case STEP_SG:
        ok = ok && xml_field(c, "groupId", c->sg, sizeof c->sg) == 0;
        break;
    case STEP_ATTACH:
        break;
    }
    return ok;
}

/* ---- the mix ---- */

static void make_body(struct client *c, enum op op, char *body, size_t cap)
{
    switch (op) {
    case OP_CREATE_VPC:
        snprintf(body, cap, "Action=CreateVpc&Version=2016-11-15&CidrBlock=10.%lu.0.0/16",
                 c->vpc_created++ % 256);
        break;
    case OP_DESCRIBE_VPCS:
        snprintf(body, cap, "Action=DescribeVpcs&Version=2016-11-15&VpcId.1=%s", c->vpc);
        break;
    case OP_CREATE_SUBNET: {
        unsigned base = (c->index * 37 + c->vpc_serial) % 256, k = c->subnets++;
        snprintf(body, cap,
                 "Action=CreateSubnet&Version=2016-11-15&VpcId=%s&CidrBlock=10.%u.%u.%u/28", c->vpc,
                 base, k / 16, (k % 16) * 16);
        break;
    }
    case OP_CREATE_ROUTE: {
        /* Distinct public /32s: client i owns 20+i.x.y.z. */
        unsigned long k = c->route_serial++;
        c->routes++;
        snprintf(body, cap,
                 "Action=CreateRoute&Version=2016-11-15&RouteTableId=%s&GatewayId=%s"
                 "&DestinationCidrBlock=%d.%lu.%lu.%lu/32",
                 c->rtb, c->igw, 20 + c->index, (k >> 16) & 255, (k >> 8) & 255, k & 255);
        break;
    }
    case OP_AUTHORIZE: {
        unsigned long port = 1 + c->rules++;
        c->port_serial++;
        snprintf(body, cap,
                 "Action=AuthorizeSecurityGroupIngress&Version=2016-11-15&GroupId=%s"
                 "&IpPermissions.1.IpProtocol=tcp&IpPermissions.1.FromPort=%lu"
                 "&IpPermissions.1.ToPort=%lu&IpPermissions.1.IpRanges.1.CidrIp=10.0.0.0/8",
                 c->sg, port, port);
        break;
    }
    default:
        body[0] = '\0';
    }
}

/* Queues the container steps op needs first to stay within the container's sizes. */
static void rotate(struct client *c, enum op op)
{
    unsigned limit = (unsigned)c->cfg->per_container;
    static const enum step rtb[] = {STEP_RTB}, sg[] = {STEP_SG};
    if (op == OP_CREATE_SUBNET && c->subnets >= (unsigned)c->cfg->subnets_per_vpc)
        push_container(c);
    else if (op == OP_CREATE_ROUTE && limit && c->routes >= limit)
        push_steps(c, rtb, 1);
    else if (op == OP_AUTHORIZE && (c->rules >= (limit ? limit : 65535u)))
        push_steps(c, sg, 1);
}

static void record(struct client *c, enum op op, uint64_t ns)
{
    if (c->n_samples == c->cap_samples) {
        c->cap_samples = c->cap_samples ? c->cap_samples * 2 : 65536;
        c->samples = xrealloc(c->samples, c->cap_samples * sizeof *c->samples);
    }
    if (ns > 0xffffffffffffull)
        ns = 0xffffffffffffull;
    c->samples[c->n_samples++] =
        (struct sample){.ns_lo = (uint32_t)ns, .ns_hi = (uint16_t)(ns >> 32), .op = (uint16_t)op};
}

static void book(struct client *c, int status);

/* Sends c->req (built by the caller), connecting first if needed. */
static int transmit(struct client *c)
{
    if (c->fd < 0 && connect_to(c) != 0)
        return -1;
    c->resp_len = 0;
    if (c->resp_cap < 65536) {
        c->resp_cap = 65536;
        c->resp = xrealloc(c->resp, c->resp_cap);
    }
    c->t_sent = now_ns();
    c->in_flight = true;
    return send_all(c->fd, c->req, c->req_len);
}

/* Starts the client's next request: a pending container step, else the next action of the
 * mix. Returns false when there is nothing to send (setup finished and waiting for the
 * start, or the run is over). */
static bool send_next(struct client *c)
{
    char body[512];
    for (;;) {
        c->ph_sent = atomic_load_explicit(&phase, memory_order_relaxed);
        if (c->step_pos < c->n_steps) {
            c->cur_aux = true;
            aux_body(c, c->steps[c->step_pos], body, sizeof body);
        } else if (!c->setup_done) {
            c->setup_done = true;
            return false;
        } else if (c->ph_sent == 2) {
            return false;
        } else {
            enum op op = c->cfg->mix[c->next_op % (unsigned)c->cfg->n_mix];
            rotate(c, op);
            if (c->step_pos < c->n_steps)
                continue;
            c->cur_aux = false;
            c->cur_op = op;
            c->next_op++;
            make_body(c, op, body, sizeof body);
        }
        c->req_len = build_request(c, body);
        c->attempts = 0;
        if (transmit(c) == 0)
            return true;
        /* Could not even send: counts as a failed exchange; go on with the next one. */
        if (c->fd >= 0)
            close(c->fd);
        c->fd = -1;
        c->resp_len = 0;
        c->resp[0] = '\0';
        book(c, -1);
    }
}

/* Accounts for the reply to the request in flight (status, or -1 for a failed connection). */
static void book(struct client *c, int status)
{
    uint64_t t1 = now_ns();
    c->in_flight = false;
    if (c->cur_aux) {
        enum step st = c->steps[c->step_pos];
        c->aux++;
        if (aux_done(c, st, status)) {
            c->step_pos++;
        } else {
            c->aux_errors++;
            note_error(c, "setup/rotation", status);
            if (!c->setup_done)
                c->setup_failed = true;
            c->n_steps = c->step_pos = 0; /* the rest of the chain needs this step's id */
        }
    } else if (c->ph_sent == 1) {
        /* A request that straddles the end still counts toward the phase it started in. */
        if (status == 200) {
            c->ok[c->cur_op]++;
            record(c, c->cur_op, t1 - c->t_sent);
        } else {
            c->errors[c->cur_op]++;
            note_error(c, op_names[c->cur_op], status);
        }
    }
}

/* Books the reply and sends the next request; returns whether one is in flight. */
static bool finish(struct client *c, int status)
{
    book(c, status);
    return send_next(c);
}

/* The connection is readable: reads and, once the response is whole, finishes it. */
static void on_readable(struct client *c)
{
    if (!c->in_flight) {
        /* The server closed an idle kept-alive connection. */
        close(c->fd);
        c->fd = -1;
        return;
    }
    for (;;) {
        if (c->resp_cap - c->resp_len < 4096) {
            c->resp_cap *= 2;
            c->resp = xrealloc(c->resp, c->resp_cap);
        }
        ssize_t r = recv(c->fd, c->resp + c->resp_len, c->resp_cap - c->resp_len - 1,
                         MSG_DONTWAIT);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return;
        if (r <= 0) {
            /* The kept-alive connection was closed: send the same request once more. */
            close(c->fd);
            c->fd = -1;
            c->reconnects++;
            if (c->attempts++ == 0 && transmit(c) == 0)
                return;
            c->resp_len = 0;
            c->resp[0] = '\0';
            finish(c, -1);
            return;
        }
        c->resp_len += (size_t)r;
        int status;
        bool close_after;
        int done = parse_response(c, &status, &close_after);
        if (done == 0)
            continue;
        if (done < 0 || close_after) {
            close(c->fd);
            c->fd = -1;
        }
        finish(c, done < 0 ? -1 : status);
        return;
    }
}

/* One event loop driving a share of the clients (client i belongs to loop i % threads), so
 * the load generator spends its CPU on requests rather than on waking a thread per reply. */
struct loop {
    const struct config *cfg;
    struct client **clients;
    int n;
    int epfd;
    pthread_t thread;
};

static void run_until_idle(struct loop *lp, bool (*keep_going)(struct loop *))
{
    struct epoll_event evs[64];
    while (keep_going(lp)) {
        int n = epoll_wait(lp->epfd, evs, 64, 10);
        for (int i = 0; i < n; i++)
            on_readable(evs[i].data.ptr);
    }
}

static bool any_in_flight(struct loop *lp)
{
    for (int i = 0; i < lp->n; i++)
        if (lp->clients[i]->in_flight)
            return true;
    return false;
}

static void *loop_main(void *arg)
{
    struct loop *lp = arg;
    for (int i = 0; i < lp->n; i++) {
        struct client *c = lp->clients[i];
        c->fd = -1;
        c->epfd = lp->epfd;
        c->next_op = (unsigned)c->index;
        snprintf(c->hostport, sizeof c->hostport, "%s:%d", c->cfg->host, c->cfg->port);
        push_container(c);
        send_next(c);
    }
    run_until_idle(lp, any_in_flight); /* every container is set up */
    pthread_barrier_wait(&ready);
    for (int i = 0; i < lp->n; i++)
        send_next(lp->clients[i]);
    run_until_idle(lp, any_in_flight); /* until the run ends and the last replies are in */
    for (int i = 0; i < lp->n; i++)
        if (lp->clients[i]->fd >= 0)
            close(lp->clients[i]->fd);
    EVP_MD_CTX_free(sha_ctx);
    sha_ctx = NULL;
    return NULL;
}

/* ---- report ---- */

static uint64_t sample_ns(const struct sample *s)
{
    return ((uint64_t)s->ns_hi << 32) | s->ns_lo;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* Nearest-rank percentile of sorted values. */
static double pct_ms(const uint64_t *v, size_t n, double p)
{
    if (!n)
        return 0;
    size_t rank = (size_t)(p / 100.0 * (double)n + 0.999999);
    if (rank < 1)
        rank = 1;
    if (rank > n)
        rank = n;
    return (double)v[rank - 1] / 1e6;
}

/* --actions CreateVpc,DescribeVpcs,...: a subset of the mix (for finding ceilings). */
static int parse_mix(struct config *cfg, const char *list)
{
    char copy[512], *save = NULL;
    snprintf(copy, sizeof copy, "%s", list);
    cfg->n_mix = 0;
    for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        int o = 0;
        while (o < OP__N && strcmp(op_names[o], tok) != 0)
            o++;
        if (o == OP__N || cfg->n_mix == OP__N)
            return -1;
        cfg->mix[cfg->n_mix++] = (enum op)o;
    }
    return cfg->n_mix ? 0 : -1;
}

static void usage(void)
{
    fprintf(
        stderr,
        "usage: apibench --port P [--host 127.0.0.1] [--clients N] [--threads T] [--seconds S]\n"
        "                [--warmup S] [--region R] [--key K] [--secret S]\n"
        "                [--per-container N]    routes per table, rules per group (default 50;\n"
        "                                       0: one table and group for the whole run)\n"
        "                [--subnets-per-vpc N]  /28 subnets per container VPC (default 200,"
        " max 4096)\n");
    exit(2);
}

int main(int argc, char **argv)
{
    struct config cfg = {.host = "127.0.0.1",
                         .port = 0,
                         .clients = 1,
                         .threads = 1,
                         .seconds = 5,
                         .warmup = 1,
                         .region = "us-east-1",
                         .key = "test",
                         .secret = "test",
                         .per_container = 50,
                         .subnets_per_vpc = 200};
    static const struct option opts[] = {{"host", required_argument, NULL, 'h'},
                                         {"port", required_argument, NULL, 'p'},
                                         {"clients", required_argument, NULL, 'c'},
                                         {"threads", required_argument, NULL, 't'},
                                         {"seconds", required_argument, NULL, 's'},
                                         {"warmup", required_argument, NULL, 'w'},
                                         {"region", required_argument, NULL, 'r'},
                                         {"key", required_argument, NULL, 'k'},
                                         {"secret", required_argument, NULL, 'S'},
                                         {"per-container", required_argument, NULL, 'P'},
                                         {"subnets-per-vpc", required_argument, NULL, 'N'},
                                         {"actions", required_argument, NULL, 'A'},
                                         {NULL, 0, NULL, 0}};
    int ch;
    while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (ch) {
        case 'h':
            cfg.host = optarg;
            break;
        case 'p':
            cfg.port = atoi(optarg);
            break;
        case 'c':
            cfg.clients = atoi(optarg);
            break;
        case 't':
            cfg.threads = atoi(optarg);
            break;
        case 's':
            cfg.seconds = atof(optarg);
            break;
        case 'w':
            cfg.warmup = atof(optarg);
            break;
        case 'r':
            cfg.region = optarg;
            break;
        case 'k':
            cfg.key = optarg;
            break;
        case 'S':
            cfg.secret = optarg;
            break;
        case 'P':
            cfg.per_container = atoi(optarg);
            break;
        case 'A':
            if (parse_mix(&cfg, optarg))
                usage();
            break;
        case 'N':
            cfg.subnets_per_vpc = atoi(optarg);
            break;
        default:
            usage();
        }
    }
    if (cfg.n_mix == 0)
        for (int o = 0; o < OP__N; o++)
            cfg.mix[cfg.n_mix++] = (enum op)o;
    if (cfg.port <= 0 || cfg.clients < 1 || cfg.clients > 200 || cfg.threads < 1 ||
        cfg.seconds <= 0 ||
        cfg.warmup < 0 || cfg.per_container < 0 || cfg.subnets_per_vpc < 1 ||
        cfg.subnets_per_vpc > 4096)
        usage();

    sha256_md = EVP_MD_fetch(NULL, "SHA256", NULL);
    if (!sha256_md)
        die("no SHA-256 in OpenSSL");
    struct client *cl = calloc((size_t)cfg.clients, sizeof *cl);
    if (!cl)
        die("out of memory");
    if (cfg.threads > cfg.clients)
        cfg.threads = cfg.clients;
    struct loop *loops = calloc((size_t)cfg.threads, sizeof *loops);
    struct client **by_loop = calloc((size_t)cfg.clients, sizeof *by_loop);
    if (!loops || !by_loop)
        die("out of memory");
    pthread_barrier_init(&ready, NULL, (unsigned)cfg.threads + 1);
    atomic_store(&phase, cfg.warmup > 0 ? 0 : 1);
    for (int i = 0; i < cfg.clients; i++) {
        cl[i].cfg = &cfg;
        cl[i].index = i;
    }
    for (int t = 0, k = 0; t < cfg.threads; t++) {
        loops[t].cfg = &cfg;
        loops[t].clients = &by_loop[k];
        for (int i = t; i < cfg.clients; i += cfg.threads)
            by_loop[k++] = &cl[i];
        loops[t].n = (int)(&by_loop[k] - loops[t].clients);
        loops[t].epfd = epoll_create1(0);
        if (loops[t].epfd < 0)
            die("epoll_create1 failed");
        if (pthread_create(&loops[t].thread, NULL, loop_main, &loops[t]) != 0)
            die("pthread_create failed");
    }
    pthread_barrier_wait(&ready);
    struct timespec ts;
    if (cfg.warmup > 0) {
        ts.tv_sec = (time_t)cfg.warmup;
        ts.tv_nsec = (long)((cfg.warmup - (double)ts.tv_sec) * 1e9);
        nanosleep(&ts, NULL);
        atomic_store(&phase, 1);
    }
    uint64_t t0 = now_ns();
    ts.tv_sec = (time_t)cfg.seconds;
    ts.tv_nsec = (long)((cfg.seconds - (double)ts.tv_sec) * 1e9);
    nanosleep(&ts, NULL);
    atomic_store(&phase, 2);
    uint64_t t1 = now_ns();
    for (int t = 0; t < cfg.threads; t++) {
        pthread_join(loops[t].thread, NULL);
        close(loops[t].epfd);
    }
    free(loops);
    free(by_loop);
    double secs = (double)(t1 - t0) / 1e9;

    size_t total = 0;
    unsigned long errors = 0, aux_n = 0, aux_err = 0, reconnects = 0;
    int setup_failed = 0;
    for (int i = 0; i < cfg.clients; i++) {
        total += cl[i].n_samples;
        for (int o = 0; o < OP__N; o++)
            errors += cl[i].errors[o];
        aux_n += cl[i].aux;
        aux_err += cl[i].aux_errors;
        reconnects += cl[i].reconnects;
        setup_failed += cl[i].setup_failed;
    }
    uint64_t *all = malloc((total ? total : 1) * sizeof *all);
    uint64_t *per = malloc((total ? total : 1) * sizeof *per);
    if (!all || !per)
        die("out of memory");
    size_t k = 0;
    for (int i = 0; i < cfg.clients; i++)
        for (size_t j = 0; j < cl[i].n_samples; j++)
            all[k++] = sample_ns(&cl[i].samples[j]);
    qsort(all, total, sizeof *all, cmp_u64);

    printf("apibench: %d client(s), %.2f s measured after %.1f s warm-up, region %s, SigV4 key "
           "%s, keep-alive\n",
           cfg.clients, secs, cfg.warmup, cfg.region, cfg.key);
    printf("  %-30s %9s %8s %9s %9s %9s\n", "action", "ok", "errors", "p50 ms", "p99 ms", "max ms");
    for (int o = 0; o < OP__N; o++) {
        size_t n = 0;
        unsigned long err = 0;
        for (int i = 0; i < cfg.clients; i++) {
            err += cl[i].errors[o];
            for (size_t j = 0; j < cl[i].n_samples; j++)
                if (cl[i].samples[j].op == o)
                    per[n++] = sample_ns(&cl[i].samples[j]);
        }
        qsort(per, n, sizeof *per, cmp_u64);
        printf("  %-30s %9zu %8lu %9.3f %9.3f %9.3f\n", op_names[o], n, err, pct_ms(per, n, 50),
               pct_ms(per, n, 99), n ? (double)per[n - 1] / 1e6 : 0.0);
    }
    printf("  %-30s %9zu %8lu %9.3f %9.3f %9.3f\n", "all", total, errors, pct_ms(all, total, 50),
           pct_ms(all, total, 99), total ? (double)all[total - 1] / 1e6 : 0.0);
    printf("  aux (setup/rotation) requests: %lu (%lu failed); reconnects: %lu\n", aux_n, aux_err,
           reconnects);
    for (int i = 0; i < cfg.clients; i++)
        if (cl[i].first_error[0])
            printf("  client %d first error: %s\n", i, cl[i].first_error);
    if (setup_failed)
        printf("  %d client(s) could not set up their whole container (see the errors)\n",
               setup_failed);
    printf("RESULT clients=%d requests=%zu seconds=%.3f rps=%.0f p50_ms=%.3f p99_ms=%.3f "
           "errors=%lu aux=%lu\n",
           cfg.clients, total, secs, (double)total / secs, pct_ms(all, total, 50),
           pct_ms(all, total, 99), errors, aux_n);

    for (int i = 0; i < cfg.clients; i++) {
        free(cl[i].samples);
        free(cl[i].req);
        free(cl[i].resp);
    }
    free(cl);
    free(all);
    free(per);
    pthread_barrier_destroy(&ready);
    EVP_MD_free(sha256_md);
    return 0;
}

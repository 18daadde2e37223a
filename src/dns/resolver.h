/* The VPC's Amazon DNS server (the base+2 address and 169.254.169.253): answers the queries an
 * instance sends it from the compiled snapshot alone, with AWS's name policy (reference 2.3):
 * Amazon-provided private names (ip-10-0-1-5.ec2.internal, ip-10-0-1-5.<region>.compute.internal)
 * and public names (ec2-203-0-113-5.compute-1.amazonaws.com,
 * ec2-203-0-113-5.<region>.compute.amazonaws.com), their reverse (in-addr.arpa) names, and
 * NXDOMAIN for everything else: nothing is forwarded off the machine.
 *
 * No allocation, lock or syscall: the data plane calls it per datagram. Everything is borrowed
 * for the duration of the call. */
#ifndef VPCD_DNS_RESOLVER_H
#define VPCD_DNS_RESOLVER_H

#include <stddef.h>
#include <stdint.h>

#include "lib/dns.h"

struct fib_snapshot;

/* The TTL of every answer, in seconds. */
#define DNS_RESOLVER_TTL 60

/* Answers one DNS query (the UDP payload q, n bytes) that ENI from_eni sent to its VPC's
 * resolver. Writes the response payload into out (cap bytes) and returns its length, or -1
 * when nothing is to be answered (not a query, header unreadable, DNS support disabled). */
int dns_resolve(const struct fib_snapshot *s, uint32_t from_eni, const uint8_t *q, size_t n,
                uint8_t *out, size_t cap);

/* dns_private_name() and dns_public_name(), the names this resolver answers for, live in
 * lib/dns.h so that the model and the API (which must not depend on dns/) show the same text. */

#endif

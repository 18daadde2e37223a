/* The one STS action infrastructure tools call before anything else: GetCallerIdentity. */
#ifndef VPCD_API_STS_H
#define VPCD_API_STS_H

#include "api/query.h"
#include "api/service.h"

void sts_handle(const char *account, const struct query *q, const char *request_id,
                struct service_response *resp);

#endif

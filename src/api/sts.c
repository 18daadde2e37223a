#include "api/sts.h"

#include <string.h>

#include "api/api.h"

#define STS_NS "https://sts.amazonaws.com/doc/2011-06-15/"

void sts_handle(const char *account, const struct query *q, const char *request_id,
                struct service_response *resp)
{
    const char *action = query_get(q, "Action");
    resp->content_type = "text/xml";
    if (!action || strcmp(action, "GetCallerIdentity") != 0) {
        resp->status = 400;
        strbuf_puts(&resp->body, "<ErrorResponse xmlns=\"" STS_NS "\"><Error><Type>Sender</Type>");
        xml_str(&resp->body, "Code", action ? "InvalidAction" : "MissingAction");
        strbuf_puts(&resp->body, "<Message>vpcd serves only GetCallerIdentity from STS</Message>");
        strbuf_puts(&resp->body, "</Error>");
        xml_str(&resp->body, "RequestId", request_id);
        strbuf_puts(&resp->body, "</ErrorResponse>");
        return;
    }
    resp->status = 200;
    strbuf_printf(&resp->body,
                  "<GetCallerIdentityResponse xmlns=\"" STS_NS "\"><GetCallerIdentityResult>"
                  "<Arn>arn:aws:iam::%s:root</Arn><UserId>%s</UserId><Account>%s</Account>"
                  "</GetCallerIdentityResult><ResponseMetadata><RequestId>%s</RequestId>"
                  "</ResponseMetadata></GetCallerIdentityResponse>",
                  account, account, account, request_id);
}

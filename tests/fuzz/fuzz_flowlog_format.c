/* libFuzzer target for the LogFormat parser, in both scopes. Besides not crashing: a format that
 * parses holds only its scope's fields, prints back as text that parses (in the same scope) to
 * the same format, and a record in it formats on one line; text both scopes accept parses the
 * same in both. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/flowlog/flowlog.c"
#include "../../src/lib/strbuf.c"
#include "../../src/lib/xalloc.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fuzz_check_scope(enum flowlog_scope scope, const struct flowlog_format *f)
{
    int version = 0;

    if (f->n_fields == 0 || f->n_fields > FLOWLOG_MAX_FIELDS || f->version < 2 ||
        f->version > (scope == FLOWLOG_SCOPE_TGW ? 6 : 5))
        abort();
    for (size_t i = 0; i < f->n_fields; i++) {
        if ((unsigned)f->fields[i] >= FLOWLOG_F__COUNT || !flowlog_allowed(scope, f->fields[i]))
            abort();
        if (flowlog_field_info[f->fields[i]].version > version)
            version = flowlog_field_info[f->fields[i]].version;
    }
    if (version != f->version)
        abort();
}

/* Parses text in one scope; on success checks the format and returns 1, else 0. */
static int fuzz_scope(const uint8_t *data, size_t size, const char *text, enum flowlog_scope scope,
                      struct flowlog_format *f)
{
    struct flowlog_format again;
    char err[160];

    err[0] = '\0';
    if (flowlog_format_parse_for(text, scope, f, err, sizeof(err)) != 0) {
        /* A failure always says why, NUL-terminated. */
        if (strnlen(err, sizeof(err)) == 0 || strnlen(err, sizeof(err)) == sizeof(err))
            abort();
        return 0;
    }
    fuzz_check_scope(scope, f);

    struct strbuf sb;
    struct flowlog_record r;
    strbuf_init(&sb);
    flowlog_format_text(f, &sb);
    if (flowlog_format_parse_for(sb.data, scope, &again, err, sizeof(err)) != 0 ||
        again.n_fields != f->n_fields || again.version != f->version ||
        memcmp(again.fields, f->fields, f->n_fields * sizeof(f->fields[0])) != 0)
        abort();
    /* Strings the caller left without a NUL must still format. */
    memset(&r, size ? data[0] : 0, sizeof(r));
    r.family = size > 1 ? data[1] % 8 : 4;
    r.status = (enum flowlog_status)(size > 2 ? data[2] % 3 : 0);
    /* Booleans hold 0 or 1 only (anything else is undefined behaviour, not a formatter bug). */
    r.accept = size > 3 && (data[3] & 1);
    r.egress = size > 3 && (data[3] & 2);
    strbuf_reset(&sb);
    flowlog_format_record(f, &r, &sb);
    if (memchr(sb.data, '\n', sb.len))
        abort();
    strbuf_destroy(&sb);
    return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    struct flowlog_format vpc, tgw;

    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    int in_vpc = fuzz_scope(data, size, text, FLOWLOG_SCOPE_VPC, &vpc);
    int in_tgw = fuzz_scope(data, size, text, FLOWLOG_SCOPE_TGW, &tgw);
    /* Only the defaults differ between scopes for text both accept. */
    if (in_vpc && in_tgw && *text &&
        (vpc.n_fields != tgw.n_fields || vpc.version != tgw.version ||
         memcmp(vpc.fields, tgw.fields, vpc.n_fields * sizeof(vpc.fields[0])) != 0))
        abort();
    free(text);
    return 0;
}

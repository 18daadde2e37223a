/* libFuzzer target for the LogFormat parser. Besides not crashing, a format that parses must
 * print back as text that parses to the same format, and a record in it must format. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/flowlog/flowlog.c"
#include "../../src/lib/strbuf.c"
#include "../../src/lib/xalloc.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    struct flowlog_format f, again;
    char err[128];

    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    err[0] = '\0';
    if (flowlog_format_parse(text, &f, err, sizeof(err)) == 0) {
        struct strbuf sb;
        struct flowlog_record r;

        if (f.n_fields == 0 || f.n_fields > FLOWLOG_MAX_FIELDS || f.version < 2 || f.version > 5)
            abort();
        strbuf_init(&sb);
        flowlog_format_text(&f, &sb);
        if (flowlog_format_parse(sb.data, &again, err, sizeof(err)) != 0 ||
            again.n_fields != f.n_fields || again.version != f.version ||
            memcmp(again.fields, f.fields, f.n_fields * sizeof(f.fields[0])) != 0)
            abort();
        /* Text the caller gave without NUL-terminated strings must still format. */
        memset(&r, size ? data[0] : 0, sizeof(r));
        r.family = size > 1 ? data[1] % 8 : 4;
        r.status = (enum flowlog_status)(size > 2 ? data[2] % 3 : 0);
        strbuf_reset(&sb);
        flowlog_format_record(&f, &r, &sb);
        if (memchr(sb.data, '\n', sb.len))
            abort();
        strbuf_destroy(&sb);
    } else if (strnlen(err, sizeof(err)) == 0 || strnlen(err, sizeof(err)) == sizeof(err)) {
        abort(); /* a failure always says why, NUL-terminated */
    }
    free(text);
    return 0;
}

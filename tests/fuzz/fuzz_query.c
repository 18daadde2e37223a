/* libFuzzer target for the EC2 query decoder and its list helpers. */
#include <stddef.h>
#include <stdint.h>

#include "../../src/api/query.c"
#include "../../src/lib/xalloc.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct query q;
    query_init(&q);
    if (query_parse(&q, (const char *)data, size) == 0) {
        query_finish(&q);
        (void)query_get(&q, "Action");
        (void)query_list_len(&q, "Filter");
        (void)query_list_len(&q, "Filter.1.Value");
        (void)query_has_prefix(&q, "TagSpecification.1");
        for (size_t i = 0; i < q.n && i < 8; i++)
            (void)query_list_len(&q, q.params[i].key);
    }
    query_destroy(&q);
    return 0;
}

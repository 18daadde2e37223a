/* sigv4.c's own SHA-256 and HMAC-SHA256 (per-thread contexts instead of OpenSSL's one-shot
 * calls) against OpenSSL's one-shot functions, for keys shorter and longer than the block and
 * messages of every length up to a few blocks. The .c file is included for its static
 * functions, as the fuzzers do. */
#include "../../src/api/sigv4.c"

#include <openssl/hmac.h>
#include <pthread.h>

#include "unit.h"

static void fill(unsigned char *p, size_t n, unsigned seed)
{
    for (size_t i = 0; i < n; i++) {
        seed = seed * 1103515245u + 12345u;
        p[i] = (unsigned char)(seed >> 16);
    }
}

static void test_hmac_matches_openssl(void **state)
{
    (void)state;
    unsigned char key[200], msg[300];
    for (size_t key_len = 0; key_len <= sizeof key; key_len += 7) {
        for (size_t msg_len = 0; msg_len <= sizeof msg; msg_len += 13) {
            fill(key, key_len, (unsigned)(key_len * 31 + msg_len));
            fill(msg, msg_len, (unsigned)(msg_len * 17 + key_len));
            unsigned char ours[32], ref[32];
            unsigned int len = 0;
            assert_int_equal(sigv4_hmac(key, key_len, (const char *)msg, msg_len, ours), 0);
            assert_non_null(HMAC(EVP_sha256(), key, (int)key_len, msg, msg_len, ref, &len));
            assert_int_equal(len, 32);
            assert_memory_equal(ours, ref, 32);
        }
    }
}

static void test_sha256_matches_openssl(void **state)
{
    (void)state;
    unsigned char msg[300];
    for (size_t n = 0; n <= sizeof msg; n++) {
        fill(msg, n, (unsigned)n);
        unsigned char ours[32], ref[32];
        assert_int_equal(sigv4_sha256(msg, n, ours), 0);
        SHA256(msg, n, ref);
        assert_memory_equal(ours, ref, 32);
    }
}

/* Each thread gets its own context; results do not mix across threads. */
static void *hash_in_thread(void *arg)
{
    unsigned char *out = arg;
    for (int i = 0; i < 1000; i++)
        if (sigv4_sha256("abc", 3, out) != 0)
            return arg;
    return NULL;
}

static void test_threads(void **state)
{
    (void)state;
    pthread_t th[4];
    unsigned char out[4][32];
    for (int i = 0; i < 4; i++)
        assert_int_equal(pthread_create(&th[i], NULL, hash_in_thread, out[i]), 0);
    for (int i = 0; i < 4; i++) {
        void *rc;
        assert_int_equal(pthread_join(th[i], &rc), 0);
        assert_null(rc);
    }
    unsigned char ref[32];
    SHA256((const unsigned char *)"abc", 3, ref);
    for (int i = 0; i < 4; i++)
        assert_memory_equal(out[i], ref, 32);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_hmac_matches_openssl),
    cmocka_unit_test(test_sha256_matches_openssl),
    cmocka_unit_test(test_threads),
};

UNIT_MAIN(tests)

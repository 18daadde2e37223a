/* Shared harness for C unit tests: cmocka underneath, plus the one summary line CI reads
 * ("N passed, N failed" as the last line of output). */
#ifndef VPCD_TESTS_UNIT_H
#define VPCD_TESTS_UNIT_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>

#define UNIT_MAIN(tests)                                                                           \
    int main(void)                                                                                 \
    {                                                                                              \
        size_t n_tests_ = sizeof(tests) / sizeof((tests)[0]);                                      \
        int n_failed_ = cmocka_run_group_tests(tests, NULL, NULL);                                 \
        printf("%zu passed, %d failed\n", n_tests_ - (size_t)n_failed_, n_failed_);                \
        return n_failed_ == 0 ? 0 : 1;                                                             \
    }

#endif

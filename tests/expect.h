/* A minimal expectation macro for the C tests: count failures, say where, keep going. */
#ifndef CEIL_EXPECT_H
#define CEIL_EXPECT_H

#include <stdio.h>

static int expect_failures;

#define EXPECT(cond, ...)                                                                  \
    do {                                                                                   \
        if (!(cond)) {                                                                     \
            expect_failures++;                                                             \
            fprintf(stderr, "%s:%d: expected %s: ", __FILE__, __LINE__, #cond);            \
            fprintf(stderr, __VA_ARGS__);                                                  \
            fputc('\n', stderr);                                                           \
        }                                                                                  \
    } while (0)

/* The test's exit status: 0 when every expectation held. */
#define EXPECT_DONE() (expect_failures ? (fprintf(stderr, "%d expectation(s) failed\n", expect_failures), 1) : 0)

#endif

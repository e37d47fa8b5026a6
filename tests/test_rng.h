/* test_rng.h: the deterministic generator the mutation tests draw from (xorshift64*), so that
 * a run is the same on every machine. Define TEST_RNG_SEED (a nonzero 64-bit constant) before
 * including it; it gives the file rng() and below(). */
#ifndef MB_TESTS_TEST_RNG_H
#define MB_TESTS_TEST_RNG_H

#include <stddef.h>
#include <stdint.h>

#ifndef TEST_RNG_SEED
#error "define TEST_RNG_SEED before including test_rng.h"
#endif

static uint64_t rng_state = TEST_RNG_SEED;

/* The next 64 random bits. */
static inline uint64_t rng(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545F4914F6CDD1Du;
}

/* A number in [0, n) (0 when n is 0); the modulo's slight bias does not matter here. */
static inline size_t below(size_t n) { return n ? (size_t)(rng() % n) : 0; }

#endif

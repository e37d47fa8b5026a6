/* oracle_sim.h: the oracles' IR simulator, shared by tests/oracle.c (the IR optimum) and
 * tests/oracle_policy.c (the policy-class optimum); private to the oracles. */
#ifndef MB_TESTS_ORACLE_SIM_H
#define MB_TESTS_ORACLE_SIM_H

#include <stdint.h>

/* Checkpoint kinds in the store (also the base-3 digits of the BFS store encoding). */
enum { CK_NONE = 0, CK_HIDDEN = 1, CK_INTERNAL = 2 };

/* The IR state plus the running counters. `store` has t+1 entries (steps 0..t). */
typedef struct {
    int t;
    int64_t a_h;
    int64_t a_s;
    int core;          /* core position j: the core holds h_j */
    int core_internal; /* the core also holds s_j (last core-setting op was forward j) */
    int g;             /* gradient cursor */
    uint8_t *store;    /* CK_* per step */
    int64_t size;      /* store size in units */
    int64_t peak;
    int64_t forwards;
} sim_state;

/* Puts `m` in the start state: core h_0, store {h_0}, g = t. `store` holds t+1 bytes. */
void mb_oracle_sim_init(sim_state *m, int t, int64_t a_h, int64_t a_s, uint8_t *store);

/* Applies one op; 0 when its precondition held, -1 (state unchanged) otherwise. */
int mb_oracle_sim_apply(sim_state *m, int kind, int k);

/* 1 when a_h >= 1 and a_s >= a_h: the sizes every entry point checks. */
int mb_oracle_sizes_ok(int64_t a_h, int64_t a_s);

#endif

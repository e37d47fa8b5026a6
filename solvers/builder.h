/* builder.h: a small helper the solvers share to emit a plan while tracking the core
 * position, the store size, the peak and the forward count (solvers/ internal). */
#ifndef MB_SOLVERS_BUILDER_H
#define MB_SOLVERS_BUILDER_H

#include <stdint.h>

#include "core/plan.h"

typedef struct {
    mb_plan *plan;
    int64_t a_h, a_s;
    int64_t store, peak, forwards;
    int64_t core;            /* the step whose h the core holds */
    unsigned char *stored;   /* [t+1]: 0 none, 1 h_k, 2 s_k */
    int rc;                  /* first error; later calls do nothing */
} mb_builder;

/* Starts a plan for p named `solver`: store {h_0}, core h_0. */
int mb_builder_init(mb_builder *b, const char *solver, const mb_problem *p);

/* Restores h_from unless the core holds it, then runs forward from+1 .. to. */
void mb_builder_forward(mb_builder *b, int64_t from, int64_t to);

void mb_builder_store_hidden(mb_builder *b, int64_t k);
void mb_builder_store_internal(mb_builder *b, int64_t k);
void mb_builder_backward(mb_builder *b, int64_t k);
void mb_builder_free(mb_builder *b, int64_t k);

/* Frees step k unless it already left the store (a child that owned it freed it early). */
void mb_builder_release(mb_builder *b, int64_t k);

/* Declares forward_ops and peak and hands the plan over (*out), or frees it and returns the
 * first error. */
int mb_builder_finish(mb_builder *b, mb_plan **out /* out */);

#endif

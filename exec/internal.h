/* internal.h: the network structure shared by the cells, the runner and the high-level run.
 * Not installed; outside exec/ only its white-box test (tests/test_exec.c) includes it. */
#ifndef MB_EXEC_INTERNAL_H
#define MB_EXEC_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "exec/arena.h"
#include "exec/exec.h"

/* OpenBLAS's cblas.h includes <complex.h>, whose macro I (the imaginary unit) would replace the
 * input size I used throughout the cells. */
#ifdef I
#undef I
#endif

/* One cell at one element type: the input projection, the forward step, the backward step
 * (the head and loss of the step included) and the head's loss alone. Pointers are to REAL of
 * the network's dtype.
 *   project(net, x, n, P):       P = x W_x for n consecutive steps' inputs (n*B rows, G wide)
 *   forward(net, hin, P_k, s):   hin = h_{k-1} (hidden layout), P_k = x_k W_x -> s = s_k
 *                                (internal layout, which begins with the hidden layout of h_k)
 *   backward(net, s, x_k, y_k, dhin, dhout, dx): dhin = dL/dh_k from steps > k (the head's
 *                                part is added to it in place) -> dhout = dL/dh_{k-1};
 *                                accumulates the parameter gradients; dx = dL/dx_k or NULL.
 *                                The parts of step k's gradient that need h_{k-1} may stay
 *                                pending (net->pending): the next backward completes them from
 *                                the prefix of its s_{k-1} before anything else, so dhout is
 *                                whole only then
 *   finish(net, h_prev, dh):     completes a pending step with h_prev (hidden layout) and
 *                                writes what it owes to dh (= that step's dhout); the runner
 *                                calls it with h_0 after backward 1
 *   head_loss(net, h, y_k):      0.5*||h W_y - y_k||^2 summed over the batch */
typedef struct {
    void (*project)(mb_net *net, const void *x, int64_t steps, void *dst);
    void (*forward)(mb_net *net, const void *hin, const void *xp, void *s);
    void (*backward)(mb_net *net, const void *s, const void *x, const void *y, void *dhin,
                     void *dhout, void *dx);
    void (*finish)(mb_net *net, const void *h_prev, void *dh);
    double (*head_loss)(mb_net *net, const void *h, const void *y);
} mb_cell_ops;

/* One block of cached input projections: steps [first, first + count), count 0 when empty. */
#define MB_PROJ_SLOTS 3
typedef struct {
    int64_t first, count, used;
} mb_proj_slot;

struct mb_net {
    mb_exec_config cfg;
    int64_t I, H, B, T, O;
    int64_t G;          /* gate columns: LSTM 4H, GRU 3H, RNN H */
    size_t esz;         /* sizeof(REAL) */
    size_t hid_elems;   /* elements of a hidden checkpoint */
    size_t int_elems;   /* elements of an internal checkpoint */
    mb_net_layout lay;  /* parameter blocks; lay.end = number of parameters */
    void *params, *grads;
    void *h0, *dh0;     /* hid_elems each */
    void *x, *y;        /* inputs T*B*I and targets T*B*O; step k (1-based) at (k-1)*B*I */
    void *dx;           /* T*B*I when input_grads, else NULL */
    void *core[2];      /* the core: two internal-sized buffers used in turn */
    void *dh[2];        /* gradient w.r.t. the hidden state, two buffers used in turn */
    void *scr_a, *scr_b;/* B*G each: gate gradients, GRU's hidden projection; the GRU's
                         * scr_a has 2*B*H more for its pending step (cell_impl.h) */
    void *scr_y;        /* B*O: the head's output and its gradient */
    void *proj;         /* MB_PROJ_SLOTS blocks of chunk*B*G: cached input projections */
    size_t proj_block_bytes; /* chunk*B*G elements, in bytes */
    int64_t chunk;      /* steps projected together (about 128 rows), in aligned blocks */
    mb_proj_slot pslot[MB_PROJ_SLOTS]; /* which block each slot of `proj` holds */
    int64_t proj_last, proj_tick; /* the step last asked for; a use counter for LRU */
    int64_t run_block, prev_run_block; /* first step of the block the current and the
                                        * previous forward run started in (-1: none) */
    int64_t projected_steps; /* steps projected since mb_proj_reset (work, not hits) */
    int64_t workspace_bytes;
    /* The checkpoint arenas of the two sides of a comparison (MB_EXEC_SIDE_PLAN, _FULL) and
     * the straight loop's store: allocated and touched on first use, then reused by every run
     * of the same size (docs/design.md, "The executor", the arena). */
    mb_arena arena[MB_EXEC_SIDES];
    unsigned char *straight;
    size_t straight_bytes;
    const mb_cell_ops *ops;
    double loss;        /* accumulated by the backward steps of a run */
    int pending;        /* 1: the last backward step's gradient waits for h_{k-1} (finish) */
    const void *pending_x; /* that step's input x_k, and dL/dx_k (or NULL) */
    void *pending_dx;
};

/* Empties the projection cache and zeroes net->projected_steps (project.c). */
void mb_proj_reset(mb_net *net);

/* x_k W_x for step k (1 <= k <= T), from the cache or computed with its whole aligned block
 * of `chunk` steps in one GEMM, so every plan gets the same bits (project.c). */
const void *mb_proj_at(mb_net *net, int64_t k);

/* The cell table for a cell kind and dtype (cells.c). */
const mb_cell_ops *mb_cell_ops_get(mb_cell_kind cell, mb_dtype dtype);

/* Sizes in elements of the cell's checkpoints and gate columns (cells.c). */
void mb_cell_shape(mb_cell_kind cell, int64_t H, int64_t B, int64_t *hid_elems /* out */,
                   int64_t *int_elems /* out */, int64_t *gates /* out */,
                   int64_t *bias /* out */);

/* The float approximations the float32 path uses (exported for their test). */
float mb_exec_tanhf(float x);
float mb_exec_sigmoidf(float x);

#endif

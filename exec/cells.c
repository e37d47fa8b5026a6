/* cells.c: the LSTM, GRU and tanh RNN cells at float32 and float64, from one source
 * (cell_impl.h, included once per type). */
#include <cblas.h>
#include <math.h>
#include <string.h>

#include "exec/internal.h"

/* tanh for the float32 path: Eigen's rational approximation (odd degree-13 numerator over an
 * even degree-6 denominator, input clamped to +-7.9053), accurate to a few ulp. Branch-free,
 * so the elementwise loops vectorise; the first forward and every recompute call the same
 * code on the same inputs, so they are bit-identical. The float64 path uses libm's tanh. */
static inline float tanh_approx(float x)
{
    const float clamp = 7.90531110763549805f;
    x = x > clamp ? clamp : x;
    x = x < -clamp ? -clamp : x;
    const float x2 = x * x;
    float p = -2.76076847742355e-16f;
    p = p * x2 + 2.00018790482477e-13f;
    p = p * x2 + -8.60467152213735e-11f;
    p = p * x2 + 5.12229709037114e-08f;
    p = p * x2 + 1.48572235717979e-05f;
    p = p * x2 + 6.37261928875436e-04f;
    p = p * x2 + 4.89352455891786e-03f;
    p = p * x;
    float q = 1.19825839466702e-06f;
    q = q * x2 + 1.18534705686654e-04f;
    q = q * x2 + 2.26843463243900e-03f;
    q = q * x2 + 4.89352518554385e-03f;
    return p / q;
}

/* sigmoid(x) = (1 + tanh(x/2)) / 2. */
static inline float sigmoid_approx(float x) { return 0.5f + 0.5f * tanh_approx(0.5f * x); }

static inline double sigmoid_exact(double x) { return 1.0 / (1.0 + exp(-x)); }

float mb_exec_tanhf(float x) { return tanh_approx(x); }
float mb_exec_sigmoidf(float x) { return sigmoid_approx(x); }

/* The float32 rows are also compiled for AVX2 and AVX-512, chosen once per process by the
 * loader (GCC's target_clones). Every clone does the same IEEE operations in the same order
 * (ISO C mode: no contraction into FMA), so the results are identical whichever runs. */
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && !defined(MB_NO_CLONES)
#define ROW_ATTR __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define ROW_ATTR
#endif

#define REAL float
#define FN(name) name##_f32
#define GEMM cblas_sgemm
#define TANH(v) tanh_approx(v)
#define SIGM(v) sigmoid_approx(v)
#include "exec/cell_impl.h"
#undef REAL
#undef FN
#undef GEMM
#undef TANH
#undef SIGM

#undef ROW_ATTR
#define ROW_ATTR
#define REAL double
#define FN(name) name##_f64
#define GEMM cblas_dgemm
#define TANH(v) tanh(v)
#define SIGM(v) sigmoid_exact(v)
#include "exec/cell_impl.h"
#undef REAL
#undef FN
#undef GEMM
#undef TANH
#undef SIGM

const mb_cell_ops *mb_cell_ops_get(mb_cell_kind cell, mb_dtype dtype)
{
    int f64 = dtype == MB_DTYPE_F64;
    switch (cell) {
    case MB_CELL_LSTM:
        return f64 ? &lstm_ops_f64 : &lstm_ops_f32;
    case MB_CELL_GRU:
        return f64 ? &gru_ops_f64 : &gru_ops_f32;
    case MB_CELL_RNN:
        return f64 ? &rnn_ops_f64 : &rnn_ops_f32;
    }
    return NULL;
}

void mb_cell_shape(mb_cell_kind cell, int64_t H, int64_t B, int64_t *hid_elems,
                   int64_t *int_elems, int64_t *gates, int64_t *bias)
{
    const int64_t BH = B * H;
    switch (cell) {
    case MB_CELL_LSTM:
        *hid_elems = 2 * BH;
        *int_elems = 6 * BH;
        *gates = 4 * H;
        *bias = 4 * H;
        return;
    case MB_CELL_GRU:
        *hid_elems = BH;
        *int_elems = 5 * BH;
        *gates = 3 * H;
        *bias = 6 * H;
        return;
    case MB_CELL_RNN:
        *hid_elems = BH;
        *int_elems = BH;
        *gates = H;
        *bias = H;
        return;
    }
    *hid_elems = *int_elems = *gates = *bias = 0;
}

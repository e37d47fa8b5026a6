/* cell_impl.h: the three cells, written once and included by cells.c once per element type.
 * The includer defines REAL (float or double), FN(name) (a type suffix), GEMM (cblas_sgemm or
 * cblas_dgemm), TANH(x) and SIGM(x). Every matrix product is a GEMM call; the loops between
 * them are elementwise and written so the compiler vectorises them.
 *
 * Layout (docs/design.md, "The executor"): matrices are batch-major (row r of an H-wide block
 * is batch element r). A checkpoint is a run of B*H blocks; the hidden layout is a prefix of
 * the internal one, so restoring from s_k copies only its first hidden_bytes.
 *   LSTM  hidden [h c]            internal [h c h_prev c_prev a(4 blocks: i f g o) tanh(c)]
 *   GRU   hidden [h]              internal [h h_prev a(3 blocks: z r n) hn]
 *   RNN   hidden [h]              internal [h h_prev]
 * The head is linear, y_k = h_k W_y, and the loss of step k is 0.5*||y_k - target_k||^2; it
 * runs inside backward k (from h_k in s_k), once per step whatever the plan. */

#define MB_NN CblasNoTrans
#define MB_TT CblasTrans
#define GEMM_RM(ta, tb, m, n, k, A, lda, Bm, ldb, beta, C, ldc)                              \
    GEMM(CblasRowMajor, (ta), (tb), (int)(m), (int)(n), (int)(k), (REAL)1, (A), (int)(lda),  \
         (Bm), (int)(ldb), (REAL)(beta), (C), (int)(ldc))

/* Adds the column sums of the B x n matrix d to g, rows in order (a fixed summation order). */
static void FN(colsum)(REAL *restrict g, const REAL *restrict d, int64_t B, int64_t n)
{
    for (int64_t r = 0; r < B; r++) {
        const REAL *restrict dr = d + r * n;
        for (int64_t j = 0; j < n; j++)
            g[j] += dr[j];
    }
}

/* The head of step k: yv = h W_y - target, loss += 0.5*||yv||^2, dW_y += h^T yv and
 * dh += yv W_y^T. */
static void FN(head_backward)(mb_net *net, const REAL *h, const REAL *tgt, REAL *dh)
{
    const int64_t H = net->H, B = net->B, O = net->O;
    const REAL *Wy = (const REAL *)net->params + net->lay.wy;
    REAL *gWy = (REAL *)net->grads + net->lay.wy;
    REAL *yv = net->scr_y;
    GEMM_RM(MB_NN, MB_NN, B, O, H, h, H, Wy, O, 0, yv, O);
    double loss = 0;
    const int64_t n = B * O;
    for (int64_t e = 0; e < n; e++) {
        REAL d = yv[e] - tgt[e];
        yv[e] = d;
        loss += 0.5 * (double)d * (double)d;
    }
    net->loss += loss;
    GEMM_RM(MB_TT, MB_NN, H, O, B, h, H, yv, O, 1, gWy, O);
    GEMM_RM(MB_NN, MB_TT, B, H, O, yv, O, Wy, O, 1, dh, H);
}

static double FN(head_loss)(mb_net *net, const void *h_, const void *tgt_)
{
    const REAL *h = h_, *tgt = tgt_;
    const int64_t H = net->H, B = net->B, O = net->O;
    const REAL *Wy = (const REAL *)net->params + net->lay.wy;
    REAL *yv = net->scr_y;
    GEMM_RM(MB_NN, MB_NN, B, O, H, h, H, Wy, O, 0, yv, O);
    double loss = 0;
    for (int64_t e = 0; e < B * O; e++) {
        double d = (double)yv[e] - (double)tgt[e];
        loss += 0.5 * d * d;
    }
    return loss;
}

/* ---- LSTM --------------------------------------------------------------------------------- */

static void FN(lstm_forward)(mb_net *net, const void *hin_, const void *x_, void *s_)
{
    const int64_t H = net->H, B = net->B, I = net->I, G = 4 * H;
    const size_t BH = (size_t)(B * H);
    const REAL *hin = hin_, *x = x_;
    REAL *s = s_;
    const REAL *P = net->params;
    const REAL *Wx = P + net->lay.wx, *Wh = P + net->lay.wh, *bias = P + net->lay.bias;
    REAL *h = s, *c = s + BH, *hp = s + 2 * BH, *cp = s + 3 * BH, *a = s + 4 * BH,
         *tc = s + 8 * BH;
    memcpy(hp, hin, 2 * BH * sizeof(REAL)); /* h_{k-1} and c_{k-1}, adjacent in both layouts */
    GEMM_RM(MB_NN, MB_NN, B, G, I, x, I, Wx, G, 0, a, G);
    GEMM_RM(MB_NN, MB_NN, B, G, H, hp, H, Wh, G, 1, a, G);
    for (int64_t r = 0; r < B; r++) {
        REAL *restrict ar = a + r * G;
        for (int64_t j = 0; j < 2 * H; j++)
            ar[j] = SIGM(ar[j] + bias[j]);
        for (int64_t j = 2 * H; j < 3 * H; j++)
            ar[j] = TANH(ar[j] + bias[j]);
        for (int64_t j = 3 * H; j < 4 * H; j++)
            ar[j] = SIGM(ar[j] + bias[j]);
        const REAL *restrict ig = ar, *restrict fg = ar + H, *restrict gg = ar + 2 * H,
                             *restrict og = ar + 3 * H, *restrict cpr = cp + r * H;
        REAL *restrict cr = c + r * H, *restrict tcr = tc + r * H, *restrict hr = h + r * H;
        for (int64_t j = 0; j < H; j++) {
            REAL cv = fg[j] * cpr[j] + ig[j] * gg[j];
            REAL tv = TANH(cv);
            cr[j] = cv;
            tcr[j] = tv;
            hr[j] = og[j] * tv;
        }
    }
}

static void FN(lstm_backward)(mb_net *net, const void *s_, const void *x_, const void *y_,
                              void *dhin_, void *dhout_, void *dx_)
{
    const int64_t H = net->H, B = net->B, I = net->I, G = 4 * H;
    const size_t BH = (size_t)(B * H);
    const REAL *s = s_, *x = x_;
    REAL *dhin = dhin_, *dhout = dhout_, *dx = dx_;
    const REAL *P = net->params;
    const REAL *Wx = P + net->lay.wx, *Wh = P + net->lay.wh;
    REAL *Q = net->grads;
    REAL *gWx = Q + net->lay.wx, *gWh = Q + net->lay.wh, *gb = Q + net->lay.bias;
    const REAL *h = s, *hp = s + 2 * BH, *cp = s + 3 * BH, *a = s + 4 * BH, *tc = s + 8 * BH;
    REAL *da = net->scr_a;

    FN(head_backward)(net, h, y_, dhin);
    for (int64_t r = 0; r < B; r++) {
        const REAL *restrict ar = a + r * G, *restrict tcr = tc + r * H,
                             *restrict cpr = cp + r * H, *restrict dhr = dhin + r * H,
                             *restrict dcr = dhin + BH + r * H;
        REAL *restrict dar = da + r * G, *restrict dcp = dhout + BH + r * H;
        for (int64_t j = 0; j < H; j++) {
            REAL iv = ar[j], fv = ar[H + j], gv = ar[2 * H + j], ov = ar[3 * H + j];
            REAL tv = tcr[j], dh = dhr[j];
            REAL dc = dcr[j] + dh * ov * (1 - tv * tv);
            dar[j] = dc * gv * iv * (1 - iv);
            dar[H + j] = dc * cpr[j] * fv * (1 - fv);
            dar[2 * H + j] = dc * iv * (1 - gv * gv);
            dar[3 * H + j] = dh * tv * ov * (1 - ov);
            dcp[j] = dc * fv;
        }
    }
    GEMM_RM(MB_TT, MB_NN, I, G, B, x, I, da, G, 1, gWx, G);
    GEMM_RM(MB_TT, MB_NN, H, G, B, hp, H, da, G, 1, gWh, G);
    FN(colsum)(gb, da, B, G);
    GEMM_RM(MB_NN, MB_TT, B, H, G, da, G, Wh, G, 0, dhout, H);
    if (dx != NULL)
        GEMM_RM(MB_NN, MB_TT, B, I, G, da, G, Wx, G, 0, dx, I);
}

/* ---- GRU (z, r, n; n = tanh(x W_xn + b_xn + r*(h W_hn + b_hn))) -------------------------- */

static void FN(gru_forward)(mb_net *net, const void *hin_, const void *x_, void *s_)
{
    const int64_t H = net->H, B = net->B, I = net->I, G = 3 * H;
    const size_t BH = (size_t)(B * H);
    const REAL *hin = hin_, *x = x_;
    REAL *s = s_;
    const REAL *P = net->params;
    const REAL *Wx = P + net->lay.wx, *Wh = P + net->lay.wh, *bx = P + net->lay.bias,
               *bh = bx + G;
    REAL *h = s, *hp = s + BH, *a = s + 2 * BH, *hn = s + 5 * BH;
    REAL *ah = net->scr_b;
    memcpy(hp, hin, BH * sizeof(REAL));
    GEMM_RM(MB_NN, MB_NN, B, G, I, x, I, Wx, G, 0, a, G);
    GEMM_RM(MB_NN, MB_NN, B, G, H, hp, H, Wh, G, 0, ah, G);
    for (int64_t r = 0; r < B; r++) {
        REAL *restrict ar = a + r * G, *restrict hnr = hn + r * H, *restrict hr = h + r * H;
        const REAL *restrict ahr = ah + r * G, *restrict hpr = hp + r * H;
        for (int64_t j = 0; j < 2 * H; j++)
            ar[j] = SIGM(ar[j] + bx[j] + ahr[j] + bh[j]);
        for (int64_t j = 0; j < H; j++) {
            REAL hv = ahr[2 * H + j] + bh[2 * H + j];
            hnr[j] = hv;
            ar[2 * H + j] = TANH(ar[2 * H + j] + bx[2 * H + j] + ar[H + j] * hv);
        }
        for (int64_t j = 0; j < H; j++) {
            REAL z = ar[j];
            hr[j] = (1 - z) * ar[2 * H + j] + z * hpr[j];
        }
    }
}

static void FN(gru_backward)(mb_net *net, const void *s_, const void *x_, const void *y_,
                             void *dhin_, void *dhout_, void *dx_)
{
    const int64_t H = net->H, B = net->B, I = net->I, G = 3 * H;
    const size_t BH = (size_t)(B * H);
    const REAL *s = s_, *x = x_;
    REAL *dhin = dhin_, *dhout = dhout_, *dx = dx_;
    const REAL *P = net->params;
    const REAL *Wx = P + net->lay.wx, *Wh = P + net->lay.wh;
    REAL *Q = net->grads;
    REAL *gWx = Q + net->lay.wx, *gWh = Q + net->lay.wh, *gbx = Q + net->lay.bias,
         *gbh = gbx + G;
    const REAL *h = s, *hp = s + BH, *a = s + 2 * BH, *hn = s + 5 * BH;
    REAL *dax = net->scr_a, *dah = net->scr_b;

    FN(head_backward)(net, h, y_, dhin);
    for (int64_t r = 0; r < B; r++) {
        const REAL *restrict ar = a + r * G, *restrict hnr = hn + r * H,
                             *restrict hpr = hp + r * H, *restrict dhr = dhin + r * H;
        REAL *restrict dxr = dax + r * G, *restrict dhr2 = dah + r * G,
                       *restrict dor = dhout + r * H;
        for (int64_t j = 0; j < H; j++) {
            REAL z = ar[j], rv = ar[H + j], n = ar[2 * H + j], dh = dhr[j];
            REAL dz = dh * (hpr[j] - n) * z * (1 - z);
            REAL dn = dh * (1 - z) * (1 - n * n);
            REAL dr = dn * hnr[j] * rv * (1 - rv);
            dxr[j] = dz;
            dxr[H + j] = dr;
            dxr[2 * H + j] = dn;
            dhr2[j] = dz;
            dhr2[H + j] = dr;
            dhr2[2 * H + j] = dn * rv;
            dor[j] = dh * z;
        }
    }
    GEMM_RM(MB_TT, MB_NN, I, G, B, x, I, dax, G, 1, gWx, G);
    GEMM_RM(MB_TT, MB_NN, H, G, B, hp, H, dah, G, 1, gWh, G);
    FN(colsum)(gbx, dax, B, G);
    FN(colsum)(gbh, dah, B, G);
    GEMM_RM(MB_NN, MB_TT, B, H, G, dah, G, Wh, G, 1, dhout, H);
    if (dx != NULL)
        GEMM_RM(MB_NN, MB_TT, B, I, G, dax, G, Wx, G, 0, dx, I);
}

/* ---- tanh RNN ----------------------------------------------------------------------------- */

static void FN(rnn_forward)(mb_net *net, const void *hin_, const void *x_, void *s_)
{
    const int64_t H = net->H, B = net->B, I = net->I;
    const size_t BH = (size_t)(B * H);
    const REAL *hin = hin_, *x = x_;
    REAL *s = s_;
    const REAL *P = net->params;
    const REAL *Wx = P + net->lay.wx, *Wh = P + net->lay.wh, *bias = P + net->lay.bias;
    REAL *h = s, *hp = s + BH;
    memcpy(hp, hin, BH * sizeof(REAL));
    GEMM_RM(MB_NN, MB_NN, B, H, I, x, I, Wx, H, 0, h, H);
    GEMM_RM(MB_NN, MB_NN, B, H, H, hp, H, Wh, H, 1, h, H);
    for (int64_t r = 0; r < B; r++) {
        REAL *restrict hr = h + r * H;
        for (int64_t j = 0; j < H; j++)
            hr[j] = TANH(hr[j] + bias[j]);
    }
}

static void FN(rnn_backward)(mb_net *net, const void *s_, const void *x_, const void *y_,
                             void *dhin_, void *dhout_, void *dx_)
{
    const int64_t H = net->H, B = net->B, I = net->I;
    const size_t BH = (size_t)(B * H);
    const REAL *s = s_, *x = x_;
    REAL *dhin = dhin_, *dhout = dhout_, *dx = dx_;
    const REAL *P = net->params;
    const REAL *Wx = P + net->lay.wx, *Wh = P + net->lay.wh;
    REAL *Q = net->grads;
    REAL *gWx = Q + net->lay.wx, *gWh = Q + net->lay.wh, *gb = Q + net->lay.bias;
    const REAL *restrict h = s, *hp = s + BH;
    REAL *restrict da = net->scr_a;

    FN(head_backward)(net, h, y_, dhin);
    for (size_t e = 0; e < BH; e++)
        da[e] = dhin[e] * (1 - h[e] * h[e]);
    GEMM_RM(MB_TT, MB_NN, I, H, B, x, I, da, H, 1, gWx, H);
    GEMM_RM(MB_TT, MB_NN, H, H, B, hp, H, da, H, 1, gWh, H);
    FN(colsum)(gb, da, B, H);
    GEMM_RM(MB_NN, MB_TT, B, H, H, da, H, Wh, H, 0, dhout, H);
    if (dx != NULL)
        GEMM_RM(MB_NN, MB_TT, B, I, H, da, H, Wx, H, 0, dx, I);
}

static const mb_cell_ops FN(lstm_ops) = {FN(lstm_forward), FN(lstm_backward), FN(head_loss)};
static const mb_cell_ops FN(gru_ops) = {FN(gru_forward), FN(gru_backward), FN(head_loss)};
static const mb_cell_ops FN(rnn_ops) = {FN(rnn_forward), FN(rnn_backward), FN(head_loss)};

#undef GEMM_RM
#undef MB_NN
#undef MB_TT

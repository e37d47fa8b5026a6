/* cell_impl.h: the three cells, written once and included by cells.c once per element type.
 * The includer defines REAL (float or double), FN(name) (a type suffix), GEMM (cblas_sgemm or
 * cblas_dgemm), TANH(x) and SIGM(x). Every matrix product is a GEMM call; the loops between
 * them are elementwise and written so the compiler vectorises them.
 *
 * Layout (docs/design.md, "The executor"): matrices are batch-major (row r of an H-wide block
 * is batch element r). A checkpoint is a run of B*H blocks; the hidden layout is a prefix of
 * the internal one, so restoring from s_k copies only its first hidden_bytes.
 *   LSTM  hidden [h c]            internal [h c a(4 blocks: i f g o)]
 *   GRU   hidden [h]              internal [h a(3 blocks: z r n) hn]
 *   RNN   hidden [h]              internal [h]
 * An internal state holds what backward k reads of step k and nothing of step k-1: the parts
 * of step k's gradient that need h_{k-1} (and c_{k-1}) wait in the workspace ("pending") until
 * backward k-1 brings s_{k-1}, whose prefix is h_{k-1}, or until the run ends (h_0), and
 * `finish` completes them. tanh(c_k) is recomputed from c_k (the same function on the same
 * bits as in the forward).
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

/* a[j] = SIGM(a[j] + xp[j] + b[j]) and the same with TANH, for j < n: a holds h W_h, xp the
 * input projection x W_x, b the bias. */
ROW_ATTR static void FN(sigm_bias)(REAL *restrict a, const REAL *restrict xp,
                                   const REAL *restrict b, int64_t n)
{
    for (int64_t j = 0; j < n; j++)
        a[j] = SIGM(a[j] + xp[j] + b[j]);
}

ROW_ATTR static void FN(tanh_bias)(REAL *restrict a, const REAL *restrict xp,
                                   const REAL *restrict b, int64_t n)
{
    for (int64_t j = 0; j < n; j++)
        a[j] = TANH(a[j] + xp[j] + b[j]);
}

/* The input projections of `steps` consecutive steps at once, x W_x (no bias), into dst:
 * one GEMM of steps*B rows instead of one per step (the runner calls it for fixed aligned
 * blocks, so every plan gets the same bits). */
static void FN(project)(mb_net *net, const void *x_, int64_t steps, void *dst_)
{
    const REAL *x = x_, *Wx = (const REAL *)net->params + net->lay.wx;
    REAL *dst = dst_;
    GEMM_RM(MB_NN, MB_NN, steps * net->B, net->G, net->I, x, net->I, Wx, net->G, 0, dst,
            net->G);
}

/* ---- LSTM --------------------------------------------------------------------------------- */

/* The elementwise rows live in their own functions: restrict-qualified parameters are what
 * lets the compiler prove the gate blocks of one row independent and vectorise the loops. */
ROW_ATTR static void FN(lstm_row_forward)(const REAL *restrict ig, const REAL *restrict fg,
                                 const REAL *restrict gg, const REAL *restrict og,
                                 const REAL *restrict cpr, REAL *restrict cr,
                                 REAL *restrict hr, int64_t H)
{
    for (int64_t j = 0; j < H; j++) {
        REAL cv = fg[j] * cpr[j] + ig[j] * gg[j];
        cr[j] = cv;
        hr[j] = og[j] * TANH(cv);
    }
}

/* Step k's gate gradients from dL/dh_k and dL/dc_k, except that the f block gets
 * dc*f*(1-f) without its factor c_{k-1} (lstm_finish multiplies it in), and dL/dc_{k-1}. */
ROW_ATTR static void FN(lstm_row_backward)(const REAL *restrict ig, const REAL *restrict fg,
                                  const REAL *restrict gg, const REAL *restrict og,
                                  const REAL *restrict cr, const REAL *restrict dhr,
                                  const REAL *restrict dcr, REAL *restrict di,
                                  REAL *restrict df, REAL *restrict dg, REAL *restrict dO,
                                  REAL *restrict dcp, int64_t H)
{
    for (int64_t j = 0; j < H; j++) {
        REAL iv = ig[j], fv = fg[j], gv = gg[j], ov = og[j], tv = TANH(cr[j]), dh = dhr[j];
        REAL dc = dcr[j] + dh * ov * (1 - tv * tv);
        di[j] = dc * gv * iv * (1 - iv);
        df[j] = dc * fv * (1 - fv);
        dg[j] = dc * iv * (1 - gv * gv);
        dO[j] = dh * tv * ov * (1 - ov);
        dcp[j] = dc * fv;
    }
}

ROW_ATTR static void FN(mul_rows)(REAL *restrict d, const REAL *restrict c, int64_t n)
{
    for (int64_t j = 0; j < n; j++)
        d[j] *= c[j];
}

static void FN(lstm_forward)(mb_net *net, const void *hin_, const void *xp_, void *s_)
{
    const int64_t H = net->H, B = net->B, G = 4 * H;
    const size_t BH = (size_t)(B * H);
    const REAL *hp = hin_, *cp = (const REAL *)hin_ + BH, *xp = xp_;
    REAL *s = s_;
    const REAL *P = net->params;
    const REAL *Wh = P + net->lay.wh, *bias = P + net->lay.bias;
    REAL *h = s, *c = s + BH, *a = s + 2 * BH;
    GEMM_RM(MB_NN, MB_NN, B, G, H, hp, H, Wh, G, 0, a, G);
    for (int64_t r = 0; r < B; r++) {
        REAL *ar = a + r * G;
        const REAL *xr = xp + r * G;
        FN(sigm_bias)(ar, xr, bias, 2 * H);
        FN(tanh_bias)(ar + 2 * H, xr + 2 * H, bias + 2 * H, H);
        FN(sigm_bias)(ar + 3 * H, xr + 3 * H, bias + 3 * H, H);
        FN(lstm_row_forward)(ar, ar + H, ar + 2 * H, ar + 3 * H, cp + r * H, c + r * H,
                             h + r * H, H);
    }
}

/* Completes the pending step k's gradient with hprev = [h_{k-1} c_{k-1}]: the f block gets
 * its factor c_{k-1}, then dW_x, dW_h, the bias, dL/dx_k and the h part of dL/dh_{k-1}
 * (into dh; its c part was written by backward k). */
static void FN(lstm_finish)(mb_net *net, const void *hprev_, void *dh_)
{
    if (!net->pending)
        return;
    const int64_t H = net->H, B = net->B, I = net->I, G = 4 * H;
    const REAL *hp = hprev_, *cp = (const REAL *)hprev_ + (size_t)(B * H);
    const REAL *P = net->params;
    const REAL *Wx = P + net->lay.wx, *Wh = P + net->lay.wh;
    REAL *Q = net->grads;
    REAL *gWx = Q + net->lay.wx, *gWh = Q + net->lay.wh, *gb = Q + net->lay.bias;
    REAL *da = net->scr_a, *dh = dh_, *dx = net->pending_dx;
    for (int64_t r = 0; r < B; r++)
        FN(mul_rows)(da + r * G + H, cp + r * H, H);
    GEMM_RM(MB_TT, MB_NN, I, G, B, (const REAL *)net->pending_x, I, da, G, 1, gWx, G);
    GEMM_RM(MB_TT, MB_NN, H, G, B, hp, H, da, G, 1, gWh, G);
    FN(colsum)(gb, da, B, G);
    GEMM_RM(MB_NN, MB_TT, B, H, G, da, G, Wh, G, 0, dh, H);
    if (dx != NULL)
        GEMM_RM(MB_NN, MB_TT, B, I, G, da, G, Wx, G, 0, dx, I);
    net->pending = 0;
}

static void FN(lstm_backward)(mb_net *net, const void *s_, const void *x_, const void *y_,
                              void *dhin_, void *dhout_, void *dx_)
{
    const int64_t H = net->H, B = net->B, G = 4 * H;
    const size_t BH = (size_t)(B * H);
    const REAL *s = s_;
    REAL *dhin = dhin_, *dhout = dhout_;
    const REAL *h = s, *c = s + BH, *a = s + 2 * BH;
    REAL *da = net->scr_a;

    FN(lstm_finish)(net, s, dhin); /* step k+1, with h_k and c_k from s_k's prefix */
    FN(head_backward)(net, h, y_, dhin);
    for (int64_t r = 0; r < B; r++) {
        const REAL *ar = a + r * G;
        REAL *dar = da + r * G;
        FN(lstm_row_backward)(ar, ar + H, ar + 2 * H, ar + 3 * H, c + r * H, dhin + r * H,
                              dhin + BH + r * H, dar, dar + H, dar + 2 * H, dar + 3 * H,
                              dhout + BH + r * H, H);
    }
    net->pending = 1;
    net->pending_x = x_;
    net->pending_dx = dx_;
}

/* ---- GRU (z, r, n; n = tanh(x W_xn + b_xn + r*(h W_hn + b_hn))) -------------------------- */

ROW_ATTR static void FN(gru_row_forward)(const REAL *restrict rg, REAL *restrict ng,
                                const REAL *restrict ahn, const REAL *restrict bxn,
                                const REAL *restrict bhn, REAL *restrict hnr, int64_t H)
{
    for (int64_t j = 0; j < H; j++) {
        REAL hv = ahn[j] + bhn[j];
        hnr[j] = hv;
        ng[j] = TANH(ng[j] + bxn[j] + rg[j] * hv);
    }
}

ROW_ATTR static void FN(gru_row_mix)(const REAL *restrict zg, const REAL *restrict ng,
                            const REAL *restrict hpr, REAL *restrict hr, int64_t H)
{
    for (int64_t j = 0; j < H; j++)
        hr[j] = (1 - zg[j]) * ng[j] + zg[j] * hpr[j];
}

/* Step k's gate gradients from dL/dh_k, except the update gate's, which needs h_{k-1}: its
 * block gets dh*z*(1-z), and gru_finish multiplies in (h_{k-1} - n_k) (nr keeps n_k, since
 * s_k may be gone by then). dhn: dL/d(h W_hn + b_hn); dor: the direct part of dL/dh_{k-1}. */
ROW_ATTR static void FN(gru_row_backward)(const REAL *restrict zg, const REAL *restrict rg,
                                 const REAL *restrict ng, const REAL *restrict hnr,
                                 const REAL *restrict dhr, REAL *restrict dz,
                                 REAL *restrict dr, REAL *restrict dn, REAL *restrict dhn,
                                 REAL *restrict dor, REAL *restrict nr, int64_t H)
{
    for (int64_t j = 0; j < H; j++) {
        REAL z = zg[j], rv = rg[j], n = ng[j], dh = dhr[j];
        REAL dnv = dh * (1 - z) * (1 - n * n);
        dz[j] = dh * z * (1 - z);
        dr[j] = dnv * hnr[j] * rv * (1 - rv);
        dn[j] = dnv;
        dhn[j] = dnv * rv;
        dor[j] = dh * z;
        nr[j] = n;
    }
}

/* The update gate's gradient of a pending row: dz *= h_{k-1} - n_k. */
ROW_ATTR static void FN(gru_row_finish)(REAL *restrict dz, const REAL *restrict hpr,
                               const REAL *restrict nr, int64_t H)
{
    for (int64_t j = 0; j < H; j++)
        dz[j] *= hpr[j] - nr[j];
}

static void FN(gru_forward)(mb_net *net, const void *hin_, const void *xp_, void *s_)
{
    const int64_t H = net->H, B = net->B, G = 3 * H;
    const size_t BH = (size_t)(B * H);
    const REAL *hp = hin_, *xp = xp_;
    REAL *s = s_;
    const REAL *P = net->params;
    const REAL *Wh = P + net->lay.wh, *bx = P + net->lay.bias, *bh = bx + G;
    REAL *h = s, *a = s + BH, *hn = s + 4 * BH;
    REAL *ah = net->scr_b;
    memcpy(a, xp, (size_t)(B * G) * sizeof(REAL));
    GEMM_RM(MB_NN, MB_NN, B, G, H, hp, H, Wh, G, 0, ah, G);
    for (int64_t r = 0; r < B; r++) {
        REAL *restrict ar = a + r * G, *restrict hnr = hn + r * H, *restrict hr = h + r * H;
        const REAL *restrict ahr = ah + r * G, *restrict hpr = hp + r * H;
        for (int64_t j = 0; j < 2 * H; j++)
            ar[j] = SIGM(ar[j] + bx[j] + ahr[j] + bh[j]);
        FN(gru_row_forward)(ar + H, ar + 2 * H, ahr + 2 * H, bx + 2 * H, bh + 2 * H, hnr, H);
        FN(gru_row_mix)(ar, ar + 2 * H, hpr, hr, H);
    }
}

/* Completes the pending step k's gradient with hprev = h_{k-1}: the update gate's block,
 * then dW_x, dW_h, the biases, dL/dx_k and the recurrent part of dL/dh_{k-1}, added to dh
 * (which holds the direct part, dh_k * z_k, from backward k). The pending data live in scr_a
 * (gate gradients, then dL/d(h W_hn) and n_k), which no forward touches. */
static void FN(gru_finish)(mb_net *net, const void *hprev_, void *dh_)
{
    if (!net->pending)
        return;
    const int64_t H = net->H, B = net->B, I = net->I, G = 3 * H;
    const size_t BH = (size_t)(B * H);
    const REAL *hp = hprev_;
    const REAL *P = net->params;
    const REAL *Wx = P + net->lay.wx, *Wh = P + net->lay.wh;
    REAL *Q = net->grads;
    REAL *gWx = Q + net->lay.wx, *gWh = Q + net->lay.wh, *gbx = Q + net->lay.bias,
         *gbh = gbx + G;
    REAL *dax = net->scr_a, *dah = net->scr_b, *dh = dh_, *dx = net->pending_dx;
    const REAL *dhn = dax + (size_t)(B * G), *ns = dhn + BH;
    for (int64_t r = 0; r < B; r++) {
        REAL *dxr = dax + r * G, *dhr2 = dah + r * G;
        FN(gru_row_finish)(dxr, hp + r * H, ns + r * H, H);
        memcpy(dhr2, dxr, (size_t)(2 * H) * sizeof(REAL)); /* dz and dr: the same for a_h */
        memcpy(dhr2 + 2 * H, dhn + r * H, (size_t)H * sizeof(REAL));
    }
    GEMM_RM(MB_TT, MB_NN, I, G, B, (const REAL *)net->pending_x, I, dax, G, 1, gWx, G);
    GEMM_RM(MB_TT, MB_NN, H, G, B, hp, H, dah, G, 1, gWh, G);
    FN(colsum)(gbx, dax, B, G);
    FN(colsum)(gbh, dah, B, G);
    GEMM_RM(MB_NN, MB_TT, B, H, G, dah, G, Wh, G, 1, dh, H);
    if (dx != NULL)
        GEMM_RM(MB_NN, MB_TT, B, I, G, dax, G, Wx, G, 0, dx, I);
    net->pending = 0;
}

static void FN(gru_backward)(mb_net *net, const void *s_, const void *x_, const void *y_,
                             void *dhin_, void *dhout_, void *dx_)
{
    const int64_t H = net->H, B = net->B, G = 3 * H;
    const size_t BH = (size_t)(B * H);
    const REAL *s = s_;
    REAL *dhin = dhin_, *dhout = dhout_;
    const REAL *h = s, *a = s + BH, *hn = s + 4 * BH;
    REAL *dax = net->scr_a, *dhn = dax + (size_t)(B * G), *ns = dhn + BH;

    FN(gru_finish)(net, s, dhin); /* step k+1, with h_k from s_k's prefix */
    FN(head_backward)(net, h, y_, dhin);
    for (int64_t r = 0; r < B; r++) {
        const REAL *ar = a + r * G;
        REAL *dxr = dax + r * G;
        FN(gru_row_backward)(ar, ar + H, ar + 2 * H, hn + r * H, dhin + r * H, dxr, dxr + H,
                             dxr + 2 * H, dhn + r * H, dhout + r * H, ns + r * H, H);
    }
    net->pending = 1;
    net->pending_x = x_;
    net->pending_dx = dx_;
}

/* ---- tanh RNN ----------------------------------------------------------------------------- */

static void FN(rnn_forward)(mb_net *net, const void *hin_, const void *xp_, void *s_)
{
    const int64_t H = net->H, B = net->B;
    const REAL *hp = hin_, *xp = xp_;
    REAL *h = s_;
    const REAL *P = net->params;
    const REAL *Wh = P + net->lay.wh, *bias = P + net->lay.bias;
    GEMM_RM(MB_NN, MB_NN, B, H, H, hp, H, Wh, H, 0, h, H);
    for (int64_t r = 0; r < B; r++)
        FN(tanh_bias)(h + r * H, xp + r * H, bias, H);
}

/* Completes the pending step k's gradient with hprev = h_{k-1}: dW_h += h_{k-1}^T da_k. */
static void FN(rnn_finish)(mb_net *net, const void *hprev, void *dh)
{
    (void)dh;
    if (!net->pending)
        return;
    const int64_t H = net->H, B = net->B;
    REAL *gWh = (REAL *)net->grads + net->lay.wh;
    GEMM_RM(MB_TT, MB_NN, H, H, B, (const REAL *)hprev, H, (const REAL *)net->scr_a, H, 1, gWh,
            H);
    net->pending = 0;
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
    REAL *gWx = Q + net->lay.wx, *gb = Q + net->lay.bias;
    const REAL *restrict h = s;
    REAL *restrict da = net->scr_a;

    FN(rnn_finish)(net, h, NULL); /* step k+1's dW_h, with h_k = s_k */
    FN(head_backward)(net, h, y_, dhin);
    for (size_t e = 0; e < BH; e++)
        da[e] = dhin[e] * (1 - h[e] * h[e]);
    GEMM_RM(MB_TT, MB_NN, I, H, B, x, I, da, H, 1, gWx, H);
    FN(colsum)(gb, da, B, H);
    GEMM_RM(MB_NN, MB_TT, B, H, H, da, H, Wh, H, 0, dhout, H);
    if (dx != NULL)
        GEMM_RM(MB_NN, MB_TT, B, I, H, da, H, Wx, H, 0, dx, I);
    net->pending = 1;
}

static const mb_cell_ops FN(lstm_ops) = {FN(project), FN(lstm_forward), FN(lstm_backward),
                                         FN(lstm_finish), FN(head_loss)};
static const mb_cell_ops FN(gru_ops) = {FN(project), FN(gru_forward), FN(gru_backward),
                                        FN(gru_finish), FN(head_loss)};
static const mb_cell_ops FN(rnn_ops) = {FN(project), FN(rnn_forward), FN(rnn_backward),
                                        FN(rnn_finish), FN(head_loss)};

#undef GEMM_RM
#undef MB_NN
#undef MB_TT

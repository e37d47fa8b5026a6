/* oracle2.c: the two-level brute-force oracle: a depth-first walk over every choice of every
 * subproblem of msm2's plan class, each choice applied at once to a two-level IR simulator of
 * its own (written from docs/design.md, "Two storage levels"), pruning a branch at its first
 * violation. It shares no code with the solvers. */
#include "oracle2.h"

#include <stdlib.h>
#include <string.h>

enum { NONE = 0, HID = 1, INT = 2 };
#define SLOW 4

typedef struct {
    uint8_t store[MB_ORACLE2_MAX_STEPS + 1]; /* kind | SLOW */
    int core, core_int, g, bad;
    int64_t size[2], cost;
} sim;

enum { T_SRUN, T_MRUN, T_RELEASE, T_FREE, T_BACKWARD };

typedef struct {
    int kind, s, n;
} task;

#define MAX_TASKS 64

typedef struct {
    const mb_oracle2_problem *p;
    int64_t best, plans;
} walk;

static int64_t units(const mb_oracle2_problem *p, int kind)
{
    return kind == INT ? p->a_s : p->a_h;
}

static void restore(const walk *w, sim *m, int k)
{
    int v = m->store[k];
    if (v == NONE) {
        m->bad = 1;
        return;
    }
    m->core = k;
    m->core_int = 0;
    if (v & SLOW) { /* a slow read brings the whole checkpoint */
        m->cost += (v & 3) == INT ? w->p->rs : w->p->rh;
        m->core_int = (v & 3) == INT;
    }
}

static void forward_to(const walk *w, sim *m, int s, int e)
{
    if (m->core != s)
        restore(w, m, s);
    for (int k = s + 1; k <= e && !m->bad; k++) {
        if (m->core != k - 1 || k > m->g) {
            m->bad = 1;
            return;
        }
        m->core = k;
        m->core_int = 1;
        m->cost += w->p->f;
    }
}

static void store(const walk *w, sim *m, int k, int kind, int level)
{
    const mb_oracle2_problem *p = w->p;
    if (m->bad || m->core != k || m->store[k] != NONE || (kind == INT && !m->core_int)) {
        m->bad = 1;
        return;
    }
    int64_t u = units(p, kind);
    int64_t cap = level ? p->slow_budget : p->budget;
    if (level && p->slow_budget < 0)
        cap = INT64_MAX / 2;
    if (m->size[level] + u > cap) {
        m->bad = 1;
        return;
    }
    m->size[level] += u;
    m->store[k] = (uint8_t)(kind | (level ? SLOW : 0));
    if (level)
        m->cost += kind == INT ? p->ws : p->wh;
}

static void drop(const walk *w, sim *m, int k)
{
    int v = m->store[k];
    if (v == NONE) {
        m->bad = 1;
        return;
    }
    m->size[(v & SLOW) ? 1 : 0] -= units(w->p, v & 3);
    m->store[k] = NONE;
}

static void backward(const walk *w, sim *m, int k)
{
    if (m->bad)
        return;
    int v = m->store[k];
    if (!(m->core == k && m->core_int) && (v & 3) == INT && (v & SLOW))
        restore(w, m, k);
    if (m->g != k || !((m->core == k && m->core_int) || v == INT)) {
        m->bad = 1;
        return;
    }
    m->g = k - 1;
}

static void explore(walk *w, sim m, task *stack, int n);

/* Applies one choice to copies of the state and the stack, then goes on. */
typedef struct {
    int move, y;
} choice;

enum { C_NAIVE, C_MEM_H, C_MEM_S, C_SLOW_H, C_SLOW_S, C_PROMOTE };

static void branch(walk *w, const sim *m0, const task *stack0, int n0, task k, choice c)
{
    sim m = *m0;
    task stack[MAX_TASKS];
    memcpy(stack, stack0, (size_t)n0 * sizeof *stack);
    int n = n0;
    const int s = k.s, e = k.s + c.y;
    if (c.move == C_NAIVE) {
        forward_to(w, &m, s, s + k.n);
        backward(w, &m, s + k.n);
        stack[n++] = (task){k.kind, s, k.n - 1};
    } else if (c.move == C_PROMOTE) {
        forward_to(w, &m, s, s);
        if (!m.bad)
            drop(w, &m, s);
        store(w, &m, s, HID, 0);
        stack[n++] = (task){T_MRUN, s, k.n};
    } else {
        const int internal = c.move == C_MEM_S || c.move == C_SLOW_S;
        const int slow = c.move == C_SLOW_H || c.move == C_SLOW_S;
        forward_to(w, &m, s, e);
        store(w, &m, e, internal ? INT : HID, slow);
        if (internal) {
            stack[n++] = (task){k.kind, s, c.y - 1};
            stack[n++] = (task){T_FREE, e, 0};
            stack[n++] = (task){T_BACKWARD, e, 0};
        } else {
            stack[n++] = (task){k.kind, s, c.y};
            stack[n++] = (task){T_RELEASE, e, 0};
        }
        stack[n++] = (task){slow ? T_SRUN : T_MRUN, e, k.n - c.y};
    }
    if (!m.bad && m.cost < w->best)
        explore(w, m, stack, n);
}

static void explore(walk *w, sim m, task *stack, int n)
{
    while (n > 0 && !m.bad) {
        task k = stack[--n];
        if (k.kind == T_RELEASE) {
            if (m.store[k.s] != NONE)
                drop(w, &m, k.s);
            continue;
        }
        if (k.kind == T_FREE) {
            drop(w, &m, k.s);
            continue;
        }
        if (k.kind == T_BACKWARD) {
            backward(w, &m, k.s);
            continue;
        }
        if (k.n == 0)
            continue;
        const int hid = (w->p->moves & 1) != 0, in = (w->p->moves & 2) != 0;
        branch(w, &m, stack, n, k, (choice){C_NAIVE, 0});
        for (int y = 1; y < k.n; y++) {
            if (hid)
                branch(w, &m, stack, n, k, (choice){C_MEM_H, y});
            if (in)
                branch(w, &m, stack, n, k, (choice){C_MEM_S, y});
            if (k.kind == T_SRUN && hid)
                branch(w, &m, stack, n, k, (choice){C_SLOW_H, y});
            if (k.kind == T_SRUN && in)
                branch(w, &m, stack, n, k, (choice){C_SLOW_S, y});
        }
        if (k.kind == T_SRUN && hid && m.store[k.s] == (HID | SLOW))
            branch(w, &m, stack, n, k, (choice){C_PROMOTE, 0});
        return;
    }
    if (m.bad || m.g != 0)
        return;
    w->plans++;
    if (m.cost < w->best)
        w->best = m.cost;
}

int64_t mb_oracle2_optimum(const mb_oracle2_problem *p, int64_t *plans)
{
    if (p->t < 1 || p->t > MB_ORACLE2_MAX_STEPS || p->a_h < 1 || p->a_s < p->a_h ||
        p->moves < 1 || p->moves > 3)
        return -2;
    walk w = {p, INT64_MAX, 0};
    for (int top = 0; top < 2; top++) { /* h_0 kept in memory, or moved to the slow store */
        sim m;
        memset(&m, 0, sizeof m);
        m.g = p->t;
        m.store[0] = HID;
        m.size[0] = p->a_h;
        if (p->a_h > p->budget)
            break;
        if (top == 1) {
            if (!(p->moves & 1))
                break;
            drop(&w, &m, 0);
            store(&w, &m, 0, HID, 1);
            if (m.bad)
                break;
        }
        task stack[MAX_TASKS] = {{T_SRUN, 0, p->t}};
        explore(&w, m, stack, 1);
    }
    if (plans != NULL)
        *plans = w.plans;
    return w.best == INT64_MAX ? -1 : w.best;
}

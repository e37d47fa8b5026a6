/* project.c: the input projections x_k W_x, computed in aligned blocks and kept in a cache of
 * MB_PROJ_SLOTS blocks (docs/design.md, "The executor", input projections). */
#include <string.h>

#include "exec/internal.h"

void mb_proj_reset(mb_net *net)
{
    for (int i = 0; i < MB_PROJ_SLOTS; i++) {
        net->pslot[i].first = 0;
        net->pslot[i].count = 0;
        net->pslot[i].used = 0;
    }
    net->proj_last = -1;
    net->proj_tick = 0;
    net->run_block = net->prev_run_block = -1;
    net->projected_steps = 0;
}

/* The slot to fill: the least recently used one that holds neither the block the current
 * forward run started in nor the one the previous run started in (of three slots, at least
 * one is neither). Recompute runs go right to left, so the next run usually ends in the
 * block where this one started, and a run from the same checkpoint starts in it again. */
static int victim(const mb_net *net)
{
    int best = -1;
    for (int i = 0; i < MB_PROJ_SLOTS; i++) {
        const mb_proj_slot *s = &net->pslot[i];
        if (s->count > 0 && (s->first == net->run_block || s->first == net->prev_run_block))
            continue;
        if (best < 0 || s->used < net->pslot[best].used)
            best = i;
    }
    return best;
}

const void *mb_proj_at(mb_net *net, int64_t k)
{
    const int64_t first = (k - 1) / net->chunk * net->chunk + 1;
    if (k != net->proj_last + 1) { /* a new forward run (after a restore, or the first) */
        net->prev_run_block = net->run_block;
        net->run_block = first;
    }
    net->proj_last = k;
    int slot = -1;
    for (int i = 0; i < MB_PROJ_SLOTS && slot < 0; i++)
        if (net->pslot[i].count > 0 && net->pslot[i].first == first)
            slot = i;
    if (slot < 0) {
        slot = victim(net);
        const int64_t n = net->T - first + 1 < net->chunk ? net->T - first + 1 : net->chunk;
        const size_t x_off = (size_t)((first - 1) * net->B * net->I) * net->esz;
        net->ops->project(net, (const unsigned char *)net->x + x_off, n,
                          (unsigned char *)net->proj + (size_t)slot * net->proj_block_bytes);
        net->pslot[slot].first = first;
        net->pslot[slot].count = n;
        net->projected_steps += n;
    }
    net->pslot[slot].used = ++net->proj_tick;
    return (const unsigned char *)net->proj + (size_t)slot * net->proj_block_bytes +
           (size_t)((k - first) * net->B * net->G) * net->esz;
}

/* profile.c — per-stage GPU work and per-kernel time of one prompt (see profile.h). */
#include <stdlib.h>
#include <string.h>

#include "engine/profile.h"
#include "gpu/kernels.h"

static const char *const stage_names[RUN_STAGE_COUNT] = {"vision", "prefill", "decode"};

/* The stat of (stage, name); a linear search: a stage runs a few dozen distinct kernels. */
static vkvlm_kernel_stat *stat_for(run_profile *p, run_stage stage, const char *name) {
    for (int i = 0; i < p->count; i++)
        if (p->kernels[i].stage == stage_names[stage] && strcmp(p->kernels[i].name, name) == 0) return &p->kernels[i];
    if (p->count == p->capacity) {
        int capacity = p->capacity ? p->capacity * 2 : 32;
        vkvlm_kernel_stat *grown = realloc(p->kernels, (size_t)capacity * sizeof *grown);
        if (!grown) {
            p->oom = true;
            return NULL;
        }
        p->kernels = grown;
        p->capacity = capacity;
    }
    vkvlm_kernel_stat *k = &p->kernels[p->count++];
    *k = (vkvlm_kernel_stat){.name = name, .stage = stage_names[stage]};
    return k;
}

void run_profile_add(run_profile *p, run_stage stage, const gpu_cmd *cmd) {
    int count = 0;
    const gpu_profile_entry *e = gpu_cmd_profile(cmd, &count);
    vkvlm_stage_work *w = &p->work[stage];
    w->submits++;
    w->barriers += (int)gpu_cmd_barrier_count(cmd);
    for (int i = 0; i < count; i++) {
        bool copy = e[i].kernel == GPU_KERNEL_COUNT; /* gpu_cmd_copy's entries */
        if (copy) w->copies++;
        else w->dispatches++;
        w->gpu_ms += e[i].ms;
        vkvlm_kernel_stat *k = stat_for(p, stage, e[i].label ? e[i].label : "?");
        if (k) {
            k->dispatches++;
            k->gpu_ms += e[i].ms;
        }
    }
}

static int by_time(const void *a, const void *b) {
    const vkvlm_kernel_stat *x = a, *y = b;
    if (x->gpu_ms != y->gpu_ms) return x->gpu_ms < y->gpu_ms ? 1 : -1;
    return y->dispatches - x->dispatches;
}

void run_profile_finish(run_profile *p, vkvlm_result *out) {
    out->work_vision = p->work[RUN_STAGE_VISION];
    out->work_prefill = p->work[RUN_STAGE_PREFILL];
    out->work_decode = p->work[RUN_STAGE_DECODE];
    if (p->count) qsort(p->kernels, (size_t)p->count, sizeof *p->kernels, by_time);
    out->kernels = p->kernels;
    out->kernel_count = p->count;
    memset(p, 0, sizeof *p);
}

void run_profile_free(run_profile *p) {
    free(p->kernels);
    memset(p, 0, sizeof *p);
}

/* profile.h — what a prompt's commands did on the GPU, per stage (vision, prefill, decode): submits,
 * dispatches, copies, barriers and per-kernel GPU time from the per-dispatch timestamps every command
 * records. The session adds each command after waiting on it; the result carries the totals, which is how
 * `vkvlm bench` reports dispatches per decoded token and where the time goes. */
#ifndef VKVLM_ENGINE_PROFILE_H
#define VKVLM_ENGINE_PROFILE_H

#include "gpu/gpu.h"

typedef enum run_stage { RUN_STAGE_VISION, RUN_STAGE_PREFILL, RUN_STAGE_DECODE, RUN_STAGE_COUNT } run_stage;

typedef struct run_profile {
    vkvlm_stage_work work[RUN_STAGE_COUNT];
    vkvlm_kernel_stat *kernels; /* unsorted until run_profile_finish */
    int count, capacity;
    bool oom;                   /* a stat could not be added: the totals stay right, the breakdown is partial */
} run_profile;

/* Adds a waited-on command's profile to `stage`. */
void run_profile_add(run_profile *p, run_stage stage, const gpu_cmd *cmd);
/* Moves the totals and the sorted breakdown into the result (which then owns the array). */
void run_profile_finish(run_profile *p, vkvlm_result *out);
void run_profile_free(run_profile *p);

#endif

/* quirks.h — the backend-neutral half of the driver-quirk mechanism (for backend files and gpu.c): the quirk
 * names, VKVLM_QUIRKS forcing, and what each set flag does to the caps. The rules that decide which flags a
 * device gets live with the backend that can observe the driver (vulkan: vk_quirks.c).
 *
 * Order, once per GPU device as the context lists it: the backend's rules set flags (gpu_quirks_mark), then
 * gpu_quirks_finish applies VKVLM_QUIRKS (set or clear by name) and the effects of every flag still set, then
 * the limit profile lowers what is left. The CPU reference gets neither: it stays the oracle. */
#ifndef VKVLM_GPU_QUIRKS_H
#define VKVLM_GPU_QUIRKS_H

#include <stdbool.h>
#include <stdint.h>

#include "gpu/gpu.h"

/* A parsed VKVLM_QUIRKS: bit i of set / clear is the i-th flag of gpu_quirks. */
typedef struct gpu_quirk_overrides {
    uint32_t set;   /* forced on */
    uint32_t clear; /* forced off ("-name"), even where a rule matched */
} gpu_quirk_overrides;

/* Parses "name,name,-name" (NULL or "": nothing forced). VKVLM_ERR_USAGE naming an unknown quirk and listing
 * the known ones. */
vkvlm_status gpu_quirks_parse(const char *text, gpu_quirk_overrides *out, vkvlm_error *err);

/* Sets the flag called `name` with the symptom and source that justify it (static strings). False when no
 * quirk has that name. */
bool gpu_quirks_mark(gpu_quirks *q, const char *name, const char *symptom, const char *source);

/* Applies the overrides (NULL: none), then every set flag's effect on caps. */
void gpu_quirks_finish(gpu_caps *caps, const gpu_quirk_overrides *overrides);

#endif

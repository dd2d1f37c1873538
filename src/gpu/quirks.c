/* quirks.c — see quirks.h. The table below is the one list of quirk names; each entry says what vkvlm does
 * when the flag is set, and quirk_effects() is the only code that acts on the flags' caps consequences. */
#define _POSIX_C_SOURCE 200809L
#include "gpu/quirks.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "core/status.h"
#include "gpu/limits.h"

typedef struct quirk_name {
    const char *name;
    size_t offset;      /* of the flag in gpu_quirks */
    const char *effect; /* what vkvlm does about it, for listings */
} quirk_name;

static const quirk_name quirk_names[] = {
    {"slow_shared_memory", offsetof(gpu_quirks, slow_shared_memory),
     "informational: kernels are register-tiled already, no shared-memory tiling exists to switch off"},
    {"fp16_inaccurate", offsetof(gpu_quirks, fp16_inaccurate), "fp16 arithmetic off (caps.fp16_arithmetic = false)"},
    {"subgroup_size_one", offsetof(gpu_quirks, subgroup_size_one),
     "subgroup kernels off: shared-memory reductions (caps.subgroup_ops = 0)"},
    {"subgroup_size_varies", offsetof(gpu_quirks, subgroup_size_varies),
     "pipelines require the reported subgroup size (caps.subgroup_required_size); subgroup kernels off where "
     "the device cannot require one"},
};
_Static_assert(sizeof quirk_names / sizeof quirk_names[0] == GPU_QUIRK_COUNT, "one name per gpu_quirks flag");

static bool *flag_at(gpu_quirks *q, int i) { return (bool *)((char *)q + quirk_names[i].offset); }
static bool flag_set(const gpu_quirks *q, int i) { return *(const bool *)((const char *)q + quirk_names[i].offset); }

static int quirk_index(const char *name, size_t len) {
    for (int i = 0; i < GPU_QUIRK_COUNT; i++)
        if (strlen(quirk_names[i].name) == len && strncmp(quirk_names[i].name, name, len) == 0) return i;
    return -1;
}

void gpu_quirks_each(const gpu_quirks *q, void (*fn)(void *user, const char *name), void *user) {
    for (int i = 0; i < GPU_QUIRK_COUNT; i++)
        if (flag_set(q, i)) fn(user, quirk_names[i].name);
}

void gpu_quirks_each_info(const gpu_quirks *q, void (*fn)(void *user, const gpu_quirk_info *info), void *user) {
    for (int i = 0; i < GPU_QUIRK_COUNT; i++) {
        if (!flag_set(q, i)) continue;
        gpu_quirk_info info = {.name = quirk_names[i].name,
                               .symptom = q->symptom[i] ? q->symptom[i] : "",
                               .effect = quirk_names[i].effect,
                               .source = q->source[i] ? q->source[i] : ""};
        fn(user, &info);
    }
}

bool gpu_quirks_mark(gpu_quirks *q, const char *name, const char *symptom, const char *source) {
    int i = quirk_index(name, strlen(name));
    if (i < 0) return false;
    *flag_at(q, i) = true;
    q->symptom[i] = symptom;
    q->source[i] = source;
    return true;
}

vkvlm_status gpu_quirks_parse(const char *text, gpu_quirk_overrides *out, vkvlm_error *err) {
    *out = (gpu_quirk_overrides){0};
    for (const char *p = text; p && *p;) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        bool clear = len > 0 && p[0] == '-';
        int i = quirk_index(p + clear, len - clear);
        if (len == 0) {
            /* "a,,b" and a trailing comma carry no name: tolerated, like an empty variable */
        } else if (i < 0) {
            char known[256] = "";
            for (int k = 0; k < GPU_QUIRK_COUNT; k++)
                snprintf(known + strlen(known), sizeof known - strlen(known), "%s%s", k ? ", " : "", quirk_names[k].name);
            return vkvlm_error_set(err, VKVLM_ERR_USAGE, "VKVLM_QUIRKS=%s: unknown quirk '%.*s' (known: %s; '-name' clears one)",
                                   text, (int)(len - clear), p + clear, known);
        } else if (clear) {
            out->clear |= 1u << i;
            out->set &= ~(1u << i);
        } else {
            out->set |= 1u << i;
            out->clear &= ~(1u << i);
        }
        p = end ? end + 1 : NULL;
    }
    return VKVLM_OK;
}

/* What the set flags mean for the caps. Only ever takes a capability away (or pins what the driver already
 * reports), so clearing a quirk by VKVLM_QUIRKS restores exactly what the driver claims. */
static void quirk_effects(gpu_caps *caps) {
    const gpu_quirks *q = &caps->quirks;
    if (q->fp16_inaccurate) caps->fp16_arithmetic = false;
    if (q->subgroup_size_one) caps->subgroup_ops = 0;
    if (q->subgroup_size_varies) {
        uint32_t size = caps->subgroup_size;
        bool pinnable = caps->subgroup_size_control && size && (size & (size - 1)) == 0 &&
                        size >= caps->subgroup_min_size && size <= caps->subgroup_max_size;
        if (pinnable) gpu_limits_require_subgroup_size(caps, size);
        else caps->subgroup_ops = 0; /* without a pinned size the shared-memory kernels are the safe ones */
    }
}

void gpu_quirks_finish(gpu_caps *caps, const gpu_quirk_overrides *o) {
    gpu_quirks *q = &caps->quirks;
    for (int i = 0; o && i < GPU_QUIRK_COUNT; i++) {
        if (o->set & (1u << i)) {
            *flag_at(q, i) = true;
            q->symptom[i] = "forced by VKVLM_QUIRKS";
            q->source[i] = "";
        }
        if (o->clear & (1u << i)) {
            *flag_at(q, i) = false;
            q->symptom[i] = q->source[i] = NULL;
        }
    }
    quirk_effects(caps);
}

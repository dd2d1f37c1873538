/* vk_quirks.c — the Vulkan driver quirk table: data, one row per known problem, matched once against a freshly
 * probed gpu_caps. A row names the flag (gpu.h's gpu_quirks), says which devices it fits (vendor id, device
 * id, device or driver name, driver version range, device type, what the driver reports about subgroups),
 * what goes wrong there, and where that is documented. What a set flag does to the caps is not decided here
 * but in gpu/quirks.c, after VKVLM_QUIRKS has had its say, so forcing a quirk on lavapipe runs exactly the
 * code a matching device would. Nothing else in the code tests vendors. docs/portability.md mirrors this table.
 *
 * Only real, sourced rows belong here, and only for flags something acts on or that are marked informational
 * in gpu.h. Devices that report their limits truthfully need no row: Mali Valhall's subgroup size 16 and
 * Raspberry Pi V3D's 16 KiB of shared memory and 256 invocations (Mesa v3dv) arrive through probing like any
 * other limit, and the kernels are subgroup-size agnostic. */
#include <string.h>

#include "gpu/quirks.h"
#include "gpu/vulkan/vk_internal.h"

#define TYPE(t) (1u << (t))

static const vk_quirk_rule rules[] = {
    {
        .quirk = "slow_shared_memory",
        .types = TYPE(GPU_DEVICE_CPU),
        .symptom = "a CPU driver (lavapipe, SwiftShader) runs a workgroup's invocations on one thread: workgroup "
                   "memory plus barriers made matmul slower on lavapipe, wide loads and register tiles faster",
        .source = "shared/ENVIRONMENT.md (lavapipe measurements); src/gpu/ops_matmul.c tile-size notes",
    },
    {
        .quirk = "fp16_inaccurate",
        .vendor_id = 0x1010, /* Imagination */
        .device_name = "PowerVR Rogue",
        .symptom = "fp16 arithmetic gives much larger errors than on Adreno or Mali (ncnn's Vulkan softmax with "
                   "fp16 arithmetic: 0.013542 against 0.013287 on a PowerVR Rogue GE8320)",
        .source = "https://github.com/EdVince/Hey-PowerVR-FP16",
    },
    {
        .quirk = "subgroup_size_one",
        .vendor_id = 0x1010, /* Imagination */
        .device_name = "PowerVR Rogue",
        .subgroup_size_at_most = 1,
        .symptom = "reports subgroupSize 1 (PowerVR Rogue GE8320 with ballot and shuffle listed): a subgroup "
                   "reduction reduces nothing and its combine step walks every invocation's partial serially",
        .source = "https://github.com/EdVince/Hey-PowerVR-FP16 (device log)",
    },
    {
        .quirk = "subgroup_size_varies",
        .subgroup_range = true,
        .symptom = "the driver offers several subgroup sizes (Adreno 6xx: 64 or 128, Intel: 8..32); for SPIR-V "
                   "before 1.6 without a required size gl_SubgroupSize reports subgroupSize while the launched "
                   "subgroups may be smaller or partly inactive (Intel Xe: 32 reported, 8 run)",
        .source = "https://github.com/google/uVkCompute/issues/43; Vulkan spec, SubgroupSize built-in and "
                  "VK_EXT_subgroup_size_control; https://github.com/azhirnov/cpu-gpu-arch (Adreno 6xx 64/128)",
    },
};

const vk_quirk_rule *vk_quirk_rules(int *count) {
    *count = (int)(sizeof rules / sizeof rules[0]);
    return rules;
}

bool vk_quirk_rule_matches(const vk_quirk_rule *r, const gpu_caps *caps) {
    if (r->vendor_id && r->vendor_id != caps->vendor_id) return false;
    if (r->device_id && r->device_id != caps->device_id) return false;
    if (r->device_name && !strstr(caps->name, r->device_name)) return false;
    if (r->driver_name && !strstr(caps->driver_name, r->driver_name)) return false;
    if (r->driver_version_min && caps->driver_version < r->driver_version_min) return false;
    if (r->driver_version_max && caps->driver_version > r->driver_version_max) return false;
    if (r->types && !(r->types & TYPE(caps->type))) return false;
    if (r->subgroup_size_at_most && caps->subgroup_size > r->subgroup_size_at_most) return false;
    if (r->subgroup_range && caps->subgroup_min_size >= caps->subgroup_max_size) return false;
    return true;
}

void vk_quirks_apply(gpu_caps *caps) {
    memset(&caps->quirks, 0, sizeof caps->quirks);
    /* a row naming no known flag would be ignored here; test_quirks checks every row's name */
    for (size_t i = 0; i < sizeof rules / sizeof rules[0]; i++)
        if (vk_quirk_rule_matches(&rules[i], caps))
            gpu_quirks_mark(&caps->quirks, rules[i].quirk, rules[i].symptom, rules[i].source);
}

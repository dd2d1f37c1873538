/* limits.h — device-limit profiles (`--limits mobile`, `--limits key=value,...`, VKVLM_LIMITS): the engine
 * plans memory and chooses kernels as if the device had these limits, so mobile-class and WebGPU-class
 * constraints can be reproduced on lavapipe and SwiftShader. A profile only ever lowers what the device
 * offers (a limit above the device's own is ignored; a feature can be switched off, never on), and it is
 * applied once, to every enumerated device's caps, before anything chooses from them.
 *
 * One key is not a lowering: `subgroup_size=N|min|max` makes every pipeline require that subgroup size
 * (VkPipelineShaderStageRequiredSubgroupSizeCreateInfo), so the kernels can be tested at each size a device
 * offers. A device that cannot (no subgroup size control, or N outside its min..max) makes context creation
 * fail with VKVLM_ERR_UNSUPPORTED: a test that asked for a size must not silently run at another.
 * docs/portability.md describes every key and what it makes the engine do. */
#ifndef VKVLM_GPU_LIMITS_H
#define VKVLM_GPU_LIMITS_H

#include <stdbool.h>
#include <stdint.h>

#include "gpu/gpu.h"

/* What `subgroup_size=` asked for. */
typedef enum gpu_limits_subgroup {
    GPU_LIMITS_SUBGROUP_DEFAULT = 0, /* the driver's choice */
    GPU_LIMITS_SUBGROUP_SIZE,        /* gpu_limits.subgroup_size */
    GPU_LIMITS_SUBGROUP_MIN,         /* the device's minSubgroupSize ("min") */
    GPU_LIMITS_SUBGROUP_MAX,         /* the device's maxSubgroupSize ("max") */
} gpu_limits_subgroup;

/* A parsed profile: 0 / false fields leave the device's value. */
typedef struct gpu_limits {
    uint64_t device_memory;        /* bytes of device-local memory the plan may use ("memory") */
    uint64_t storage_buffer_range; /* largest binding ("storage_range") */
    uint32_t shared_bytes;         /* workgroup memory ("shared") */
    uint32_t invocations;          /* invocations per workgroup ("invocations") */
    uint32_t storage_buffers;      /* storage-buffer bindings per shader stage ("storage_buffers") */
    gpu_limits_subgroup subgroup;  /* forced subgroup size ("subgroup_size=N|min|max") */
    uint32_t subgroup_size;        /* with GPU_LIMITS_SUBGROUP_SIZE: N, a power of two */
    bool no_fp16;                  /* fp16 arithmetic off ("fp16=0") */
    bool no_storage16;             /* 16-bit storage off ("storage16=0") */
    bool no_storage8;              /* 8-bit storage off ("storage8=0") */
    bool no_int_dot;               /* integer dot product off ("int_dot=0") */
    bool no_coop_matrix;           /* cooperative matrix off ("coop_matrix=0") */
    bool no_subgroup_ops;          /* subgroup operations off ("subgroup_ops=0"): the shared-memory fallbacks */
    char text[256];                /* the profile as given, for listings */
} gpu_limits;

/* Parses "mobile", "webgpu" or "key=value,..." (sizes accept K, M, G suffixes; presets may be followed by
 * overrides: "mobile,memory=1G"). VKVLM_ERR_USAGE naming the bad key or value. */
vkvlm_status gpu_limits_parse(const char *text, gpu_limits *out, vkvlm_error *err);
/* Whether a device can honour the profile: VKVLM_ERR_UNSUPPORTED naming the device when a forced subgroup size
 * is outside what it can require. Everything else in a profile fits any device (it only lowers). */
vkvlm_status gpu_limits_check(const gpu_limits *limits, const gpu_caps *caps, vkvlm_error *err);
/* Lowers caps to the profile (after gpu_limits_check). */
void gpu_limits_apply(const gpu_limits *limits, gpu_caps *caps);

/* Makes every pipeline of a device with these caps require subgroup size `size` (which must lie in its
 * min..max): caps.subgroup_size and subgroup_required_size become `size`, and the invocation limits drop to
 * what that many subgroups hold (maxComputeWorkgroupSubgroups), which pipelines with a required size obey. */
void gpu_limits_require_subgroup_size(gpu_caps *caps, uint32_t size);

#endif

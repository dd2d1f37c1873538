/* limits.h — device-limit profiles (`--limits mobile`, `--limits key=value,...`, VKVLM_LIMITS): the engine
 * plans memory and chooses kernels as if the device had these limits, so mobile-class and WebGPU-class
 * constraints can be reproduced on lavapipe and SwiftShader. A profile only ever lowers what the device
 * offers (a limit above the device's own is ignored; a feature can be switched off, never on), and it is
 * applied once, to every enumerated device's caps, before anything chooses from them. */
#ifndef VKVLM_GPU_LIMITS_H
#define VKVLM_GPU_LIMITS_H

#include <stdbool.h>
#include <stdint.h>

#include "gpu/gpu.h"

/* A parsed profile: 0 / false fields leave the device's value. */
typedef struct gpu_limits {
    uint64_t device_memory;        /* bytes of device-local memory the plan may use ("memory") */
    uint64_t storage_buffer_range; /* largest binding ("storage_range") */
    uint32_t shared_bytes;         /* workgroup memory ("shared") */
    uint32_t invocations;          /* invocations per workgroup ("invocations") */
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
/* Lowers caps to the profile. */
void gpu_limits_apply(const gpu_limits *limits, gpu_caps *caps);

#endif

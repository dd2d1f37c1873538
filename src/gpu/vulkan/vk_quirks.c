/* vk_quirks.c — the driver quirk table. Every rule sets one named flag from vendor id, driver name or
 * version, with the symptom in a comment; nothing else in the code tests vendors. Rules may also override
 * what a driver claims ("bug is not feature"), so the rest of the code can trust gpu_caps. */
#include <string.h>

#include "gpu/vulkan/vk_internal.h"


void vk_quirks_apply(gpu_caps *caps) {
    memset(&caps->quirks, 0, sizeof caps->quirks);
    /* lavapipe (Mesa llvmpipe) and SwiftShader run shaders on CPU threads: measured on lavapipe here,
     * workgroup memory plus barriers made matmul slower while wide loads and register tiles helped
     * (ENVIRONMENT.md). Kernels pick register-tiled variants without shared memory. */
    if (caps->type == GPU_DEVICE_CPU) caps->quirks.slow_shared_memory = true;
}

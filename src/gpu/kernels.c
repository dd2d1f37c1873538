/* kernels.c — the kernel table's data, expanded from GPU_KERNEL_LIST. */
#include "gpu/kernels.h"

static const gpu_kernel_info kernel_table[GPU_KERNEL_COUNT] = {
#define GPU_KERNEL_INFO(id, name, bindings, writes, params) [id] = {name, bindings, writes, sizeof(params)},
    GPU_KERNEL_LIST(GPU_KERNEL_INFO)
#undef GPU_KERNEL_INFO
};

/* Every kernel fits the dispatch descriptor's binding array; the mobile and WebGPU profiles' 8 storage buffers
 * per stage equal GPU_MAX_BINDINGS, so no kernel is refused there (test_limits_paths checks the table). */
#define GPU_KERNEL_BINDINGS_FIT(id, name, bindings, writes, params) \
    _Static_assert((bindings) >= 1 && (bindings) <= GPU_MAX_BINDINGS, name ": binding count out of range");
GPU_KERNEL_LIST(GPU_KERNEL_BINDINGS_FIT)
#undef GPU_KERNEL_BINDINGS_FIT

const gpu_kernel_info *gpu_kernel_get(gpu_kernel kernel) {
    if ((int)kernel < 0 || kernel >= GPU_KERNEL_COUNT) return 0;
    return &kernel_table[kernel];
}

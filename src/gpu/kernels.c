/* kernels.c — the kernel table's data, expanded from GPU_KERNEL_LIST. */
#include "gpu/kernels.h"

static const gpu_kernel_info kernel_table[GPU_KERNEL_COUNT] = {
#define GPU_KERNEL_INFO(id, name, bindings, writes, params) [id] = {name, bindings, writes, sizeof(params)},
    GPU_KERNEL_LIST(GPU_KERNEL_INFO)
#undef GPU_KERNEL_INFO
};

const gpu_kernel_info *gpu_kernel_get(gpu_kernel kernel) {
    if ((int)kernel < 0 || kernel >= GPU_KERNEL_COUNT) return 0;
    return &kernel_table[kernel];
}

/* kernels.h — the one kernel table every backend shares.
 *
 * A row names a kernel (the GLSL file shaders/glsl/<name>.comp, the WGSL twin shaders/wgsl/<name>.wgsl, the
 * CPU reference function cpu_<name>), its storage-buffer bindings in order, which of them it writes, and its
 * parameter struct (Vulkan push constants / WebGPU uniform). Shapes travel in the parameter struct; tile and
 * workgroup sizes travel as specialization constants (ids 0..n-1, documented at the top of each shader).
 *
 * Adding a kernel: a row here, a params struct below (std430-compatible: 4-byte scalars only), the shader,
 * the CPU reference in gpu/cpu/cpu_kernels.c, an op wrapper in gpu/ops.c and a case in the op tests.
 */
#ifndef VKVLM_GPU_KERNELS_H
#define VKVLM_GPU_KERNELS_H

#include <stdint.h>

#define GPU_MAX_BINDINGS 8

/* Parameter structs. Field comments give the meaning; every field is a 4-byte scalar so the C layout equals
 * the GLSL push_constant std430 layout. Kernel groups keep their rows and structs in their own headers
 * (kernels_<group>.h), each contributing one GPU_KERNELS_<GROUP>(X) list to the table below. */

/* out[i] = a[i] (op) b[i], i < n */
typedef struct gpu_params_binary {
    uint32_t n; /* elements */
} gpu_params_binary;

/* y[m,n] = sum_k x[m,k] * w[n,k] (+ bias[n]): the linear layer, weights row-major [N,K] as in checkpoints */
typedef struct gpu_params_matmul {
    uint32_t m;        /* rows of x and y (tokens) */
    uint32_t n;        /* rows of w, columns of y (output features) */
    uint32_t k;        /* columns of x and w (input features) */
    uint32_t has_bias; /* 0: the bias binding is ignored (bind any buffer) */
} gpu_params_matmul;

/* X(id, name, binding count, written-bindings mask, params struct) */
#define GPU_KERNELS_BASIC(X)                                                           \
    X(GPU_KERNEL_ADD_F32, "add_f32", 3, 0x4, gpu_params_binary)       /* a, b, out */  \
    X(GPU_KERNEL_MATMUL_F32, "matmul_f32", 4, 0x8, gpu_params_matmul) /* x, w, bias, y */

#include "gpu/kernels_attention.h"
#include "gpu/kernels_elementwise.h"
#include "gpu/kernels_matmul.h"
#include "gpu/kernels_reduction.h"
#include "gpu/kernels_sampling.h"
#include "gpu/kernels_vision.h"

#define GPU_KERNEL_LIST(X)        \
    GPU_KERNELS_BASIC(X)          \
    GPU_KERNELS_MATMUL(X)         \
    GPU_KERNELS_ELEMENTWISE(X)    \
    GPU_KERNELS_ATTENTION(X)      \
    GPU_KERNELS_VISION(X)         \
    GPU_KERNELS_SAMPLING(X)       \
    GPU_KERNELS_REDUCTION(X)

typedef enum gpu_kernel {
#define GPU_KERNEL_ENUM(id, name, bindings, writes, params) id,
    GPU_KERNEL_LIST(GPU_KERNEL_ENUM)
#undef GPU_KERNEL_ENUM
    GPU_KERNEL_COUNT
} gpu_kernel;

typedef struct gpu_kernel_info {
    const char *name;     /* shader file stem, profile label */
    uint32_t bindings;    /* storage buffers, bound at 0..bindings-1 */
    uint32_t writes_mask; /* bit i set: binding i is written (the rest are read-only) */
    uint32_t params_size; /* bytes of the parameter struct */
} gpu_kernel_info;

/* NULL for an id outside the table. */
const gpu_kernel_info *gpu_kernel_get(gpu_kernel kernel);

#endif

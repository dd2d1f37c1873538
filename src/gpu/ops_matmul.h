/* ops_matmul.h — op wrappers of the matmul kernel group (see gpu/ops.h for the conventions): the linear
 * layer y (+)= x . w^T (+ bias) for f32 activations and f32 / f16 / bf16 weights stored row-major [N,K] as in
 * checkpoints, or q8_0 / q4_0 blocks (gpu/quant.h quantizes on the host), for any M (prefill: tiled kernel;
 * M <= 8: mat-vec). It does not transpose or convert weights, and allocates nothing.
 *
 * Weights larger than one binding (caps.max_storage_buffer_range: 128 MiB on lavapipe) are passed as row
 * ranges, each its own binding; gpu_op_linear dispatches once per range, writing that range's columns of y.
 *
 * Binding sizes for 16-bit weights: a range of r rows is ceil(r*K/2) 4-byte words, i.e. r*K*2 bytes rounded
 * up to a multiple of 4. With an odd element count the last word is half used: the buffer must hold those
 * padding bytes (their value is never used), and the kernels read nothing beyond them. q8_0 / q4_0: r rows
 * are r * K/32 blocks of 36 / 20 bytes, whole words. */
#ifndef VKVLM_GPU_OPS_MATMUL_H
#define VKVLM_GPU_OPS_MATMUL_H

#include "gpu/gpu.h"

typedef enum gpu_weight_dtype {
    GPU_WEIGHT_F32 = 0,
    GPU_WEIGHT_F16, /* IEEE binary16 */
    GPU_WEIGHT_BF16,
    GPU_WEIGHT_Q8_0, /* blocks of 32 along K: an f16 scale and 8-bit codes (gpu/quant.h); K % 32 == 0 */
    GPU_WEIGHT_Q4_0, /* blocks of 32 along K: an f16 scale and 4-bit codes (gpu/quant.h); K % 32 == 0 */
} gpu_weight_dtype;

enum { GPU_WEIGHT_MAX_CHUNKS = 32 }; /* 32 x 128 MiB: a 4 GiB weight on the smallest common binding limit */

/* One row range of a weight. */
typedef struct gpu_weight_chunk {
    gpu_binding binding; /* the next `rows` rows of w after the earlier chunks' rows; size: see the top */
    uint32_t rows;       /* rows in this binding */
} gpu_weight_chunk;

/* A weight [n, k] as one or more row-range bindings, in row order, covering rows 0..n-1. A non-owning view. */
typedef struct gpu_weight {
    gpu_weight_dtype dtype;                         /* element type as stored */
    uint32_t n;                                     /* rows: output features */
    uint32_t k;                                     /* columns: input features */
    uint32_t chunk_count;                           /* 1 .. GPU_WEIGHT_MAX_CHUNKS */
    gpu_weight_chunk chunks[GPU_WEIGHT_MAX_CHUNKS]; /* [chunk_count], in row order */
} gpu_weight;

/* Bytes a binding of `elements` weight elements takes (16-bit dtypes rounded up to 4 bytes; q8_0 / q4_0 whole
 * 32-element blocks, a count that is not a multiple of 32 rounded up to one). */
uint64_t gpu_weight_bytes(gpu_weight_dtype dtype, uint64_t elements);

/* "f32", "f16", "bf16", "q8_0", "q4_0" (for messages and bench names). */
const char *gpu_weight_dtype_name(gpu_weight_dtype dtype);

/* Views a contiguous weight [n, k] that starts at `offset` in buf, split by rows into chunks of at most
 * max_chunk_bytes each (0: the device's caps.max_storage_buffer_range), every chunk offset a multiple of
 * caps.min_storage_offset_alignment and of 4 (offset too). buf must hold gpu_weight_bytes(dtype, n*k) bytes
 * from offset. q8_0 / q4_0 need k % 32 == 0 (VKVLM_ERR_USAGE otherwise). Fails with VKVLM_ERR_LIMIT when one
 * aligned group of rows exceeds the chunk size or more than GPU_WEIGHT_MAX_CHUNKS chunks would be needed. A
 * small max_chunk_bytes is how tests exercise splitting. */
vkvlm_status gpu_weight_view(gpu_weight *out, const gpu_caps *caps, gpu_buffer *buf, uint64_t offset,
                             gpu_weight_dtype dtype, uint32_t n, uint32_t k, uint64_t max_chunk_bytes,
                             vkvlm_error *err);

/* Which kernel family a linear layer uses; 0 lets the op choose from caps and M. */
typedef enum gpu_linear_path {
    GPU_LINEAR_AUTO = 0,
    GPU_LINEAR_TILED,        /* register-tiled, any M */
    GPU_LINEAR_VEC_SUBGROUP, /* M <= 8, subgroupAdd reduction (needs GPU_SUBGROUP_ARITHMETIC) */
    GPU_LINEAR_VEC_SHARED,   /* M <= 8, shared-memory reduction */
} gpu_linear_path;

/* Options; all-zero overwrites y and chooses every kernel setting from caps. Apart from accumulate these are
 * overrides for tests and benchmarks. */
typedef struct gpu_linear_opts {
    gpu_linear_path path;   /* AUTO: from m and caps */
    bool packed_16bit;      /* read f16/bf16 weights as packed uint32 pairs even when caps.storage_16bit */
    uint32_t vec_workgroup; /* mat-vec invocations per workgroup (rounded down to a power of two); 0: from caps.
                               Tests use it to reduce across several subgroups on CPU drivers. */
    bool accumulate;        /* y += x . w^T (+ bias): a residual add fused into the layer (y is read, so it
                               must hold the residual, and must not overlap x) */
} gpu_linear_opts;

/* Whether gpu_op_linear can run this dtype, m and opts on a device with these caps (opts NULL: defaults). */
bool gpu_op_linear_supported(const gpu_caps *caps, gpu_weight_dtype dtype, uint32_t m, const gpu_linear_opts *opts);

/* y (m, w->n) = x (m, w->k) @ w^T + bias (w->n), or y += that with opts->accumulate; x, y, bias f32.
 * bias.buffer NULL: no bias. One dispatch per weight chunk. AUTO: m <= 8 takes the mat-vec kernel (subgroup
 * reduction when caps have GPU_SUBGROUP_ARITHMETIC, else shared memory), larger m the tiled kernel; 16-bit
 * weights go through 16-bit storage when caps.storage_16bit, else packed words; q8_0 / q4_0 are always read
 * as words (no 8- or 16-bit storage or arithmetic needed). A forced path or layout the device lacks fails
 * with VKVLM_ERR_UNSUPPORTED. opts NULL: all defaults. */
vkvlm_status gpu_op_linear(gpu_cmd *cmd, gpu_binding y, gpu_binding x, const gpu_weight *w, gpu_binding bias,
                           uint32_t m, const gpu_linear_opts *opts, vkvlm_error *err);

#endif

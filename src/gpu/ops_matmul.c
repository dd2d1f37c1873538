/* ops_matmul.c — see ops_matmul.h: weight views split by rows, and the linear-layer op choosing the kernel
 * (path x weight layout), its tile sizes and the grid from caps.
 *
 * Tile sizes. The tiled kernel keeps a TM x TN block of y per invocation in registers and reads x and w
 * straight from memory, vec4 along K; on lavapipe that beat shared-memory tiling (ENVIRONMENT.md), and no
 * shared-memory variant exists yet, so caps.quirks.slow_shared_memory needs no branch here. The mat-vec
 * kernel gives each workgroup NR weight rows and strides its invocations along K. */
#include "gpu/ops.h"

#include "core/status.h"
#include "gpu/quant.h"

enum { LINEAR_VEC_MAX_M = 8 }; /* MAXM in matmul_vec.glsl */

/* Rows of the kernel table, [path][layout], layouts f32, f16, f16p, bf16, bf16p, q8_0, q4_0 as kernels_matmul.h
 * lists them. */
enum { LAYOUT_F32, LAYOUT_F16, LAYOUT_F16P, LAYOUT_BF16, LAYOUT_BF16P, LAYOUT_Q8_0, LAYOUT_Q4_0, LAYOUT_COUNT };
static const gpu_kernel linear_kernels[3][LAYOUT_COUNT] = {
    {GPU_KERNEL_MATMUL_TILED_F32, GPU_KERNEL_MATMUL_TILED_F16, GPU_KERNEL_MATMUL_TILED_F16P,
     GPU_KERNEL_MATMUL_TILED_BF16, GPU_KERNEL_MATMUL_TILED_BF16P, GPU_KERNEL_MATMUL_TILED_Q8_0,
     GPU_KERNEL_MATMUL_TILED_Q4_0},
    {GPU_KERNEL_MATMUL_VEC_F32, GPU_KERNEL_MATMUL_VEC_F16, GPU_KERNEL_MATMUL_VEC_F16P, GPU_KERNEL_MATMUL_VEC_BF16,
     GPU_KERNEL_MATMUL_VEC_BF16P, GPU_KERNEL_MATMUL_VEC_Q8_0, GPU_KERNEL_MATMUL_VEC_Q4_0},
    {GPU_KERNEL_MATMUL_VECSH_F32, GPU_KERNEL_MATMUL_VECSH_F16, GPU_KERNEL_MATMUL_VECSH_F16P,
     GPU_KERNEL_MATMUL_VECSH_BF16, GPU_KERNEL_MATMUL_VECSH_BF16P, GPU_KERNEL_MATMUL_VECSH_Q8_0,
     GPU_KERNEL_MATMUL_VECSH_Q4_0},
};

static uint32_t div_up(uint32_t a, uint32_t b) { return (a + b - 1) / b; }

static uint64_t gcd_u64(uint64_t a, uint64_t b) {
    while (b) {
        uint64_t t = a % b;
        a = b;
        b = t;
    }
    return a;
}

/* ---------------------------------------------------------------- weight views */

uint64_t gpu_weight_bytes(gpu_weight_dtype dtype, uint64_t elements) {
    uint64_t blocks = (elements + GPU_QUANT_BLOCK - 1) / GPU_QUANT_BLOCK;
    switch (dtype) {
    case GPU_WEIGHT_F32: return elements * 4;
    case GPU_WEIGHT_F16:
    case GPU_WEIGHT_BF16: return (elements * 2 + 3) / 4 * 4;
    case GPU_WEIGHT_Q8_0: return blocks * GPU_QUANT_Q8_0_BLOCK_BYTES;
    case GPU_WEIGHT_Q4_0: return blocks * GPU_QUANT_Q4_0_BLOCK_BYTES;
    }
    return 0;
}

const char *gpu_weight_dtype_name(gpu_weight_dtype dtype) {
    switch (dtype) {
    case GPU_WEIGHT_F32: return "f32";
    case GPU_WEIGHT_F16: return "f16";
    case GPU_WEIGHT_BF16: return "bf16";
    case GPU_WEIGHT_Q8_0: return "q8_0";
    case GPU_WEIGHT_Q4_0: return "q4_0";
    }
    return "unknown";
}

vkvlm_status gpu_weight_view(gpu_weight *out, const gpu_caps *caps, gpu_buffer *buf, uint64_t offset,
                             gpu_weight_dtype dtype, uint32_t n, uint32_t k, uint64_t max_chunk_bytes,
                             vkvlm_error *err) {
    *out = (gpu_weight){.dtype = dtype, .n = n, .k = k};
    if (!buf || n == 0 || k == 0)
        return vkvlm_error_set(err, VKVLM_ERR_USAGE, "weight view: %s, shape [%u, %u]", buf ? "buffer" : "no buffer",
                               n, k);
    if (!gpu_quant_shape_ok(dtype, k))
        return vkvlm_error_set(err, VKVLM_ERR_USAGE,
                               "weight view %s: %s rows of %u elements are not whole %d-element blocks",
                               gpu_buffer_label(buf), gpu_weight_dtype_name(dtype), k, GPU_QUANT_BLOCK);
    uint64_t total = gpu_weight_bytes(dtype, (uint64_t)n * k);
    if (offset > gpu_buffer_size(buf) || gpu_buffer_size(buf) - offset < total)
        return vkvlm_error_set(err, VKVLM_ERR_USAGE,
                               "weight view %s: [%u, %u] needs %llu bytes at offset %llu, the buffer has %llu",
                               gpu_buffer_label(buf), n, k, (unsigned long long)total, (unsigned long long)offset,
                               (unsigned long long)gpu_buffer_size(buf));
    /* Chunk offsets: multiples of the device's alignment and of 4 (the packed kernels read whole words). */
    uint64_t align = caps->min_storage_offset_alignment > 4 ? caps->min_storage_offset_alignment : 4;
    if (offset % align)
        return vkvlm_error_set(err, VKVLM_ERR_USAGE, "weight view %s: offset %llu is not a multiple of %llu",
                               gpu_buffer_label(buf), (unsigned long long)offset, (unsigned long long)align);
    uint64_t limit = caps->max_storage_buffer_range;
    if (max_chunk_bytes && max_chunk_bytes < limit) limit = max_chunk_bytes;
    uint64_t row_bytes = gpu_quant_row_bytes(dtype, k);
    uint64_t step = align / gcd_u64(row_bytes, align); /* rows whose bytes are a multiple of align */
    uint64_t rows_per = limit / row_bytes / step * step;
    if (rows_per == 0)
        return vkvlm_error_set(err, VKVLM_ERR_LIMIT,
                               "weight view %s: %llu rows of %llu bytes (the alignment step) exceed a %llu-byte binding",
                               gpu_buffer_label(buf), (unsigned long long)step, (unsigned long long)row_bytes,
                               (unsigned long long)limit);
    if (rows_per > n) rows_per = n;
    uint64_t chunks = (n + rows_per - 1) / rows_per;
    if (chunks > GPU_WEIGHT_MAX_CHUNKS)
        return vkvlm_error_set(err, VKVLM_ERR_LIMIT,
                               "weight view %s: [%u, %u] needs %llu bindings of at most %llu bytes, the limit is %d",
                               gpu_buffer_label(buf), n, k, (unsigned long long)chunks, (unsigned long long)limit,
                               GPU_WEIGHT_MAX_CHUNKS);
    for (uint32_t row = 0; row < n; row += (uint32_t)rows_per) {
        uint32_t rows = n - row < rows_per ? n - row : (uint32_t)rows_per;
        gpu_weight_chunk *c = &out->chunks[out->chunk_count++];
        c->binding = (gpu_binding){buf, offset + row * row_bytes, gpu_weight_bytes(dtype, (uint64_t)rows * k)};
        c->rows = rows;
    }
    return VKVLM_OK;
}

/* ---------------------------------------------------------------- kernel choice */

static gpu_linear_path linear_path(const gpu_caps *caps, uint32_t m, const gpu_linear_opts *opts) {
    if (opts->path != GPU_LINEAR_AUTO) return opts->path;
    if (m > LINEAR_VEC_MAX_M) return GPU_LINEAR_TILED;
    bool arithmetic = (caps->subgroup_ops & (GPU_SUBGROUP_BASIC | GPU_SUBGROUP_ARITHMETIC)) ==
                      (GPU_SUBGROUP_BASIC | GPU_SUBGROUP_ARITHMETIC);
    return arithmetic ? GPU_LINEAR_VEC_SUBGROUP : GPU_LINEAR_VEC_SHARED;
}

static int linear_layout(const gpu_caps *caps, gpu_weight_dtype dtype, const gpu_linear_opts *opts) {
    bool direct = caps->storage_16bit && !opts->packed_16bit;
    switch (dtype) {
    case GPU_WEIGHT_F32: return LAYOUT_F32;
    case GPU_WEIGHT_F16: return direct ? LAYOUT_F16 : LAYOUT_F16P;
    case GPU_WEIGHT_BF16: return direct ? LAYOUT_BF16 : LAYOUT_BF16P;
    case GPU_WEIGHT_Q8_0: return LAYOUT_Q8_0;
    case GPU_WEIGHT_Q4_0: return LAYOUT_Q4_0;
    }
    return -1;
}

/* Mat-vec: the workgroup size (a power of two) and NR weight rows per workgroup. CPU drivers run a
 * workgroup's subgroups one after another and pay for every barrier, so one subgroup with 8 rows is fastest
 * there (lavapipe, 4096x4096 f32 at M=1: 64 invocations x 2 rows 0.7 GFLOP/s, 8 x 4 2.9, 8 x 8 3.1);
 * GPUs get 128 invocations x 2 rows, several subgroups each. opts->vec_workgroup overrides the size. */
static void vec_config(const gpu_caps *caps, const gpu_linear_opts *opts, uint32_t *wg, uint32_t *nr) {
    bool cpu = caps->type == GPU_DEVICE_CPU;
    uint32_t want = opts->vec_workgroup ? opts->vec_workgroup : cpu ? caps->subgroup_size : 128;
    uint32_t size = 1;
    while (size * 2 <= want && size < 1024) size *= 2;
    while (size > caps->max_workgroup_invocations && size > 1) size /= 2;
    *nr = cpu ? 8 : 2;
    /* partial sums in shared memory: size x 8 rows x nr floats */
    while (size > 1 && (uint64_t)size * LINEAR_VEC_MAX_M * *nr * 4 > caps->max_shared_bytes) size /= 2;
    *wg = size;
}

/* Tiled: spec = workgroup x, y, TM, TN. On CPU drivers 8x8 invocations of 8x8 blocks (lavapipe, 512^3 f32:
 * 4x4 blocks 5.7 GFLOP/s, 8x4 7.3, 8x8 9.4); GPUs 16x16 invocations of 4x4 blocks, fewer registers each,
 * within the 256 invocations SwiftShader and many mobile GPUs allow. */
static void tiled_config(const gpu_caps *caps, uint32_t spec[4]) {
    bool cpu = caps->type == GPU_DEVICE_CPU;
    bool wide = !cpu && caps->max_workgroup_invocations >= 256;
    spec[0] = spec[1] = wide ? 16 : 8;
    spec[2] = spec[3] = cpu ? 8 : 4;
}

bool gpu_op_linear_supported(const gpu_caps *caps, gpu_weight_dtype dtype, uint32_t m, const gpu_linear_opts *opts) {
    gpu_linear_opts none = {0};
    if (!opts) opts = &none;
    if (m == 0 || linear_layout(caps, dtype, opts) < 0) return false;
    gpu_linear_path path = linear_path(caps, m, opts);
    if (path != GPU_LINEAR_TILED && m > LINEAR_VEC_MAX_M) return false;
    if (path == GPU_LINEAR_VEC_SUBGROUP)
        return (caps->subgroup_ops & (GPU_SUBGROUP_BASIC | GPU_SUBGROUP_ARITHMETIC)) ==
               (GPU_SUBGROUP_BASIC | GPU_SUBGROUP_ARITHMETIC);
    return path == GPU_LINEAR_TILED || path == GPU_LINEAR_VEC_SHARED;
}

/* ---------------------------------------------------------------- the op */

vkvlm_status gpu_op_linear(gpu_cmd *cmd, gpu_binding y, gpu_binding x, const gpu_weight *w, gpu_binding bias,
                           uint32_t m, const gpu_linear_opts *opts, vkvlm_error *err) {
    const gpu_caps *caps = gpu_device_caps(gpu_cmd_device(cmd));
    gpu_linear_opts none = {0};
    if (!opts) opts = &none;
    if (!w || w->chunk_count == 0 || w->chunk_count > GPU_WEIGHT_MAX_CHUNKS)
        return vkvlm_error_set(err, VKVLM_ERR_USAGE, "linear: weight with %u chunks", w ? w->chunk_count : 0);
    if (!gpu_quant_shape_ok(w->dtype, w->k))
        return vkvlm_error_set(err, VKVLM_ERR_USAGE, "linear: %s weights with rows of %u elements",
                               gpu_weight_dtype_name(w->dtype), w->k);
    if (!gpu_op_linear_supported(caps, w->dtype, m, opts))
        return vkvlm_error_set(err, VKVLM_ERR_UNSUPPORTED, "linear: path %d, %s weights, m %u not supported on %s",
                               (int)opts->path, gpu_weight_dtype_name(w->dtype), m, caps->name);
    gpu_linear_path path = linear_path(caps, m, opts);
    gpu_kernel kernel = linear_kernels[path - GPU_LINEAR_TILED][linear_layout(caps, w->dtype, opts)];
    gpu_dispatch_desc d = {.kernel = kernel, .bindings = {x, {0}, bias.buffer ? bias : x, y}};
    uint32_t nr = 1;
    if (path == GPU_LINEAR_TILED) {
        tiled_config(caps, d.spec);
    } else {
        vec_config(caps, opts, &d.spec[0], &nr);
        d.spec[1] = nr;
    }
    uint32_t covered = 0;
    for (uint32_t c = 0; c < w->chunk_count; c++) covered += w->chunks[c].rows;
    if (covered != w->n)
        return vkvlm_error_set(err, VKVLM_ERR_USAGE, "linear: weight chunks cover %u rows of %u", covered, w->n);
    uint32_t row = 0;
    for (uint32_t c = 0; c < w->chunk_count; c++) {
        const gpu_weight_chunk *chunk = &w->chunks[c];
        gpu_params_linear params = {.m = m,
                                    .n = chunk->rows,
                                    .k = w->k,
                                    .has_bias = bias.buffer != NULL,
                                    .y_stride = w->n,
                                    .y_col = row,
                                    .accumulate = opts->accumulate};
        d.bindings[1] = chunk->binding;
        d.params = &params;
        d.params_size = sizeof params;
        if (path == GPU_LINEAR_TILED) {
            d.groups[0] = div_up(chunk->rows, d.spec[0] * d.spec[3]);
            d.groups[1] = div_up(m, d.spec[1] * d.spec[2]);
        } else {
            /* 2-D grid when the row groups exceed one axis's limit (the kernel flattens x + y * nx). */
            uint32_t total = div_up(chunk->rows, nr);
            uint32_t max_x = caps->max_workgroup_count[0] ? caps->max_workgroup_count[0] : 65535;
            d.groups[0] = total < max_x ? total : max_x;
            d.groups[1] = div_up(total, d.groups[0]);
        }
        vkvlm_status st = gpu_cmd_dispatch(cmd, &d, err);
        if (st != VKVLM_OK) return st;
        row += chunk->rows;
    }
    return VKVLM_OK;
}

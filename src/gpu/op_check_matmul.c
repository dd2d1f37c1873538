/* op_check_matmul.c — op-check cases of the matmul kernel group (see op_check_internal.h): gpu_op_linear for
 * each path (tiled, mat-vec with subgroup or shared-memory reduction, and the automatic choice), each weight
 * dtype (f32, f16, bf16, q8_0, q4_0) and layout (16-bit storage where the device has it, packed words
 * forced), overwriting y or accumulating into it, and weights split into row-range bindings.
 *
 * Shapes: M = 1, 2, 7, 8, 9 around the mat-vec / tiled boundary (8), K odd and K % 4 == 0 (scalar and vec4
 * loops), N odd and not a multiple of the mat-vec rows per workgroup, tile boundaries +-1 (64 rows / columns
 * per workgroup, 8 per invocation on CPU drivers; 64 and 4 on GPUs), K longer than one stride of the mat-vec
 * workgroup, mat-vec workgroups of one subgroup, several, and less than one, and odd
 * element counts for 16-bit weights (the half-used last word, whose spare half is a NaN that must not leak).
 * Quantized weights: K = 32 .. 576 (one block to more than one mat-vec stride), M up to 65.
 *
 * Tolerances: the kernels accumulate in f32, the reference in double, over K <= 301 products of values in
 * [-1,1): NMSE stays near 1e-13, so 1e-9 (as for matmul_f32) leaves room; 1e-4 relative per element. 16-bit
 * weights are rounded once on the host and both sides read the same halves, so the bounds stay the same;
 * likewise q8_0 / q4_0 blocks are quantized once and both sides decode the same (exact) d * code, and the
 * K <= 576 sums stay far inside the bounds. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gpu/op_check_internal.h"
#include "gpu/quant.h"

/* shape[5] packs the variant: dtype | path << 4 | packed << 8 | accumulate << 9 | mat-vec workgroup size << 12
 * (0: from caps). It is not part of the printed name: the op name says it. */
#define LINEAR_CFG_WG(dtype, path, packed, wg) \
    ((uint32_t)(dtype) | (uint32_t)(path) << 4 | (uint32_t)(packed) << 8 | (uint32_t)(wg) << 12)
#define LINEAR_CFG(dtype, path, packed) LINEAR_CFG_WG(dtype, path, packed, 0)
#define LINEAR_ACC (1u << 9) /* or'ed into a config: y starts random and the op adds into it */
#define LINEAR_CFG_ACC(dtype, path) (LINEAR_CFG(dtype, path, 0) | LINEAR_ACC)

static gpu_linear_opts linear_opts(uint32_t cfg) {
    return (gpu_linear_opts){.path = (gpu_linear_path)((cfg >> 4) & 0xF),
                             .packed_16bit = (cfg >> 8) & 1,
                             .accumulate = (cfg >> 9) & 1,
                             .vec_workgroup = cfg >> 12};
}

/* A weight [n, k] of values in [-1,1) in its dtype, the same bytes on both sides. 16-bit dtypes: two per
 * 4-byte element, low half first; the spare half of an odd count is a NaN. q8_0 / q4_0: quantized on the host
 * (gpu/quant.h) from such values. */
static bool make_weight(check_env *e, check_tensor *t, gpu_weight_dtype dtype, uint32_t n, uint32_t k) {
    uint32_t elements = n * k;
    if (dtype == GPU_WEIGHT_F32) return check_tensor_make(e, t, elements, true, -1, 1);
    uint32_t words = (uint32_t)(gpu_weight_bytes(dtype, elements) / 4);
    if (!check_tensor_make(e, t, words, false, 0, 0)) return false;
    bool quant = gpu_weight_dtype_quantized(dtype);
    uint16_t *host = malloc((size_t)words * 4); /* halves, or the quantized blocks */
    float *values = quant ? malloc((size_t)elements * sizeof *values) : NULL;
    vkvlm_error err = {VKVLM_ERR_OUT_OF_MEMORY, "out of host memory"};
    bool ok = host && (values || !quant);
    if (!ok) op_check_fail(e, &err, "inputs");
    for (uint32_t i = 0; ok && i < elements; i++) {
        float v = op_check_uniform(&e->rng, -1, 1);
        if (quant) values[i] = v;
        else host[i] = dtype == GPU_WEIGHT_F16 ? gpu_f16_from_f32(v) : gpu_bf16_from_f32(v);
    }
    if (ok && !quant && elements % 2) host[elements] = dtype == GPU_WEIGHT_F16 ? 0x7E00 : 0x7FC0;
    if (ok && quant && gpu_quantize_rows(dtype, GPU_WEIGHT_F32, values, n, k, host, &err) != VKVLM_OK)
        ok = op_check_fail(e, &err, "quantize");
    for (int s = 0; s < 2 && ok; s++) {
        gpu_binding b = check_bind(t, s);
        ok = gpu_buffer_write(b.buffer, b.offset, host, (uint64_t)words * 4, &err) == VKVLM_OK;
        if (!ok) op_check_fail(e, &err, "weights");
    }
    free(host);
    free(values);
    return ok;
}

/* t: x, w, bias, y. shape: m, n, k, bias, chunk bytes (0: one binding), variant. The reference side runs the
 * default choice on one binding (it is the same math whatever the split), accumulating when the case does. */
static vkvlm_status record_linear(gpu_cmd *cmd, int s, const check_tensor *t, const uint32_t *shape,
                                  vkvlm_error *err) {
    uint32_t m = shape[0], n = shape[1], k = shape[2], cfg = shape[5];
    gpu_linear_opts opts = linear_opts(cfg);
    gpu_weight w;
    gpu_binding wb = check_bind(&t[1], s);
    vkvlm_status st = gpu_weight_view(&w, gpu_device_caps(gpu_cmd_device(cmd)), wb.buffer, wb.offset,
                                      (gpu_weight_dtype)(cfg & 0xF), n, k, s == 0 ? shape[4] : 0, err);
    if (st != VKVLM_OK) return st;
    if (s == 0 && shape[4] && w.chunk_count < 2)
        return vkvlm_error_set(err, VKVLM_ERR_INTERNAL, "chunk size %u left the weight in one binding", shape[4]);
    gpu_binding bias = shape[3] ? check_bind(&t[2], s) : (gpu_binding){0};
    gpu_linear_opts ref = {.accumulate = opts.accumulate};
    return gpu_op_linear(cmd, check_bind(&t[3], s), check_bind(&t[0], s), &w, bias, m, s == 0 ? &opts : &ref, err);
}

static bool check_linear(check_env *e, const uint32_t *shape) {
    uint32_t m = shape[0], n = shape[1], k = shape[2], cfg = shape[5];
    gpu_weight_dtype dtype = (gpu_weight_dtype)(cfg & 0xF);
    gpu_linear_opts opts = linear_opts(cfg);
    const gpu_caps *caps = gpu_device_caps(e->side[0]);
    if (!gpu_op_linear_supported(caps, dtype, m, &opts)) {
        e->result->outcome = OP_CHECK_SKIP;
        snprintf(e->result->detail, sizeof e->result->detail, "%s lacks this variant (subgroup ops 0x%x)",
                 caps->name, caps->subgroup_ops);
        return true;
    }
    check_tensor t[4];
    memset(t, 0, sizeof t);
    bool ok = check_tensor_make(e, &t[0], m * k, true, -1, 1) && make_weight(e, &t[1], dtype, n, k) &&
              check_tensor_make(e, &t[2], n, true, -1, 1) &&
              check_tensor_make(e, &t[3], m * n, opts.accumulate, -1, 1) &&
              check_run_both(e, record_linear, t, shape) && check_tensor_compare(e, &t[3], 1e-9, 1e-4);
    for (int i = 0; i < 4; i++) check_tensor_free(&t[i]);
    return ok;
}

enum {
    F32 = GPU_WEIGHT_F32,
    F16 = GPU_WEIGHT_F16,
    BF16 = GPU_WEIGHT_BF16,
    Q8_0 = GPU_WEIGHT_Q8_0,
    Q4_0 = GPU_WEIGHT_Q4_0,
    AUTO = GPU_LINEAR_AUTO,
    TILED = GPU_LINEAR_TILED,
    VEC = GPU_LINEAR_VEC_SUBGROUP,
    VECSH = GPU_LINEAR_VEC_SHARED,
};

#define VARS "m,n,k,bias"
#define VARS_CHUNK "m,n,k,bias,chunk"

/* One dtype's block-format cases: the three paths, M odd and around 8, N odd, K one to 18 blocks (576: longer
 * than one mat-vec stride), bias, accumulate, several subgroups per mat-vec workgroup, and chunks (CHUNK bytes:
 * a few rows of K = 576). */
#define QUANT_LINEAR_CASES(WT, name, CHUNK) \
    {"linear_" name "_tiled", VARS, check_linear, {1, 17, 32, 1, 0, LINEAR_CFG(WT, TILED, 0)}}, \
    {"linear_" name "_tiled", VARS, check_linear, {9, 63, 64, 0, 0, LINEAR_CFG(WT, TILED, 0)}}, \
    {"linear_" name "_tiled", VARS, check_linear, {33, 1, 96, 1, 0, LINEAR_CFG(WT, TILED, 0)}}, \
    {"linear_" name "_tiled", VARS, check_linear, {65, 63, 576, 1, 0, LINEAR_CFG(WT, TILED, 0)}}, \
    {"linear_" name "_tiled_acc", VARS, check_linear, {2, 17, 576, 0, 0, LINEAR_CFG_ACC(WT, TILED)}}, \
    {"linear_" name "_tiled_acc", VARS, check_linear, {7, 63, 96, 1, 0, LINEAR_CFG_ACC(WT, TILED)}}, \
    {"linear_" name "_vec", VARS, check_linear, {1, 17, 32, 1, 0, LINEAR_CFG(WT, VEC, 0)}}, \
    {"linear_" name "_vec", VARS, check_linear, {2, 63, 576, 0, 0, LINEAR_CFG(WT, VEC, 0)}}, \
    {"linear_" name "_vec", VARS, check_linear, {7, 1, 64, 1, 0, LINEAR_CFG(WT, VEC, 0)}}, \
    {"linear_" name "_vec", VARS, check_linear, {8, 17, 96, 0, 0, LINEAR_CFG(WT, VEC, 0)}}, \
    {"linear_" name "_vec_acc", VARS, check_linear, {1, 63, 576, 1, 0, LINEAR_CFG_ACC(WT, VEC)}}, \
    {"linear_" name "_vec_acc", VARS, check_linear, {7, 17, 32, 0, 0, LINEAR_CFG_ACC(WT, VEC)}}, \
    {"linear_" name "_vec_wg64", VARS, check_linear, {1, 17, 576, 1, 0, LINEAR_CFG_WG(WT, VEC, 0, 64)}}, \
    {"linear_" name "_vecsh", VARS, check_linear, {1, 17, 32, 1, 0, LINEAR_CFG(WT, VECSH, 0)}}, \
    {"linear_" name "_vecsh", VARS, check_linear, {2, 63, 576, 0, 0, LINEAR_CFG(WT, VECSH, 0)}}, \
    {"linear_" name "_vecsh", VARS, check_linear, {7, 1, 64, 1, 0, LINEAR_CFG(WT, VECSH, 0)}}, \
    {"linear_" name "_vecsh", VARS, check_linear, {8, 17, 96, 0, 0, LINEAR_CFG(WT, VECSH, 0)}}, \
    {"linear_" name "_vecsh_acc", VARS, check_linear, {1, 63, 576, 1, 0, LINEAR_CFG_ACC(WT, VECSH)}}, \
    {"linear_" name "_vecsh_acc", VARS, check_linear, {7, 17, 32, 0, 0, LINEAR_CFG_ACC(WT, VECSH)}}, \
    {"linear_" name "_vecsh_wg64", VARS, check_linear, {1, 17, 576, 1, 0, LINEAR_CFG_WG(WT, VECSH, 0, 64)}}, \
    {"linear_" name "_auto", VARS, check_linear, {8, 19, 64, 1, 0, LINEAR_CFG(WT, AUTO, 0)}}, \
    {"linear_" name "_auto", VARS, check_linear, {9, 19, 64, 1, 0, LINEAR_CFG(WT, AUTO, 0)}}, \
    {"linear_" name "_chunked", VARS_CHUNK, check_linear, {1, 131, 64, 1, 2560, LINEAR_CFG(WT, AUTO, 0)}}, \
    {"linear_" name "_chunked", VARS_CHUNK, check_linear, {9, 131, 64, 0, 2560, LINEAR_CFG(WT, AUTO, 0)}}, \
    {"linear_" name "_chunked", VARS_CHUNK, check_linear, {2, 63, 576, 1, CHUNK, LINEAR_CFG(WT, AUTO, 0)}}, \
    {"linear_" name "_chunked_acc", VARS_CHUNK, check_linear, {3, 131, 64, 1, 2560, LINEAR_CFG_ACC(WT, AUTO)}}, \
    {"linear_" name "_chunked_acc", VARS_CHUNK, check_linear, {33, 131, 64, 0, 2560, LINEAR_CFG_ACC(WT, AUTO)}}

static const op_case matmul_cases[] = {
    /* f32, tiled: size-1, odd primes (scalar K), tile boundaries +-1, aligned, vec4 K */
    {"linear_f32_tiled", VARS, check_linear, {1, 1, 1, 0, 0, LINEAR_CFG(F32, TILED, 0)}},
    {"linear_f32_tiled", VARS, check_linear, {9, 17, 31, 1, 0, LINEAR_CFG(F32, TILED, 0)}},
    {"linear_f32_tiled", VARS, check_linear, {31, 31, 64, 0, 0, LINEAR_CFG(F32, TILED, 0)}},
    {"linear_f32_tiled", VARS, check_linear, {32, 32, 32, 1, 0, LINEAR_CFG(F32, TILED, 0)}},
    {"linear_f32_tiled", VARS, check_linear, {33, 33, 12, 1, 0, LINEAR_CFG(F32, TILED, 0)}},
    {"linear_f32_tiled", VARS, check_linear, {65, 63, 16, 0, 0, LINEAR_CFG(F32, TILED, 0)}},
    /* f32, mat-vec with subgroup reduction: M 1..8, K odd / aligned / longer than one workgroup stride */
    {"linear_f32_vec", VARS, check_linear, {1, 1, 1, 0, 0, LINEAR_CFG(F32, VEC, 0)}},
    {"linear_f32_vec", VARS, check_linear, {1, 64, 96, 1, 0, LINEAR_CFG(F32, VEC, 0)}},
    {"linear_f32_vec", VARS, check_linear, {2, 33, 13, 1, 0, LINEAR_CFG(F32, VEC, 0)}},
    {"linear_f32_vec", VARS, check_linear, {7, 17, 300, 0, 0, LINEAR_CFG(F32, VEC, 0)}},
    {"linear_f32_vec", VARS, check_linear, {8, 9, 31, 1, 0, LINEAR_CFG(F32, VEC, 0)}},
    {"linear_f32_vec", VARS, check_linear, {1, 5, 301, 1, 0, LINEAR_CFG(F32, VEC, 0)}},
    /* f32, mat-vec with shared-memory reduction */
    {"linear_f32_vecsh", VARS, check_linear, {1, 1, 1, 0, 0, LINEAR_CFG(F32, VECSH, 0)}},
    {"linear_f32_vecsh", VARS, check_linear, {1, 64, 96, 1, 0, LINEAR_CFG(F32, VECSH, 0)}},
    {"linear_f32_vecsh", VARS, check_linear, {2, 33, 13, 1, 0, LINEAR_CFG(F32, VECSH, 0)}},
    {"linear_f32_vecsh", VARS, check_linear, {7, 17, 300, 0, 0, LINEAR_CFG(F32, VECSH, 0)}},
    {"linear_f32_vecsh", VARS, check_linear, {8, 9, 31, 1, 0, LINEAR_CFG(F32, VECSH, 0)}},
    {"linear_f32_vecsh", VARS, check_linear, {1, 5, 301, 1, 0, LINEAR_CFG(F32, VECSH, 0)}},
    /* the same with workgroup sizes forced: several subgroups per workgroup (the default on CPU drivers is
       one), and fewer invocations than a subgroup on drivers whose subgroups are wider than 4 */
    {"linear_f32_vec_wg64", VARS, check_linear, {1, 64, 96, 1, 0, LINEAR_CFG_WG(F32, VEC, 0, 64)}},
    {"linear_f32_vec_wg64", VARS, check_linear, {7, 17, 301, 0, 0, LINEAR_CFG_WG(F32, VEC, 0, 64)}},
    {"linear_f32_vec_wg4", VARS, check_linear, {2, 33, 13, 1, 0, LINEAR_CFG_WG(F32, VEC, 0, 4)}},
    {"linear_f32_vecsh_wg64", VARS, check_linear, {1, 64, 96, 1, 0, LINEAR_CFG_WG(F32, VECSH, 0, 64)}},
    {"linear_f32_vecsh_wg64", VARS, check_linear, {7, 17, 301, 0, 0, LINEAR_CFG_WG(F32, VECSH, 0, 64)}},
    {"linear_f16_vec_wg32", VARS, check_linear, {8, 9, 64, 1, 0, LINEAR_CFG_WG(F16, VEC, 0, 32)}},
    {"linear_bf16_vec_packed_wg32", VARS, check_linear, {3, 9, 63, 1, 0, LINEAR_CFG_WG(BF16, VEC, 1, 32)}},
    /* f32, automatic choice on both sides of M = 8, and a weight split into row-range bindings */
    {"linear_f32_auto", VARS, check_linear, {8, 19, 20, 1, 0, LINEAR_CFG(F32, AUTO, 0)}},
    {"linear_f32_auto", VARS, check_linear, {9, 19, 20, 1, 0, LINEAR_CFG(F32, AUTO, 0)}},
    {"linear_f32_chunked", VARS_CHUNK, check_linear, {3, 37, 64, 1, 1024, LINEAR_CFG(F32, AUTO, 0)}},
    {"linear_f32_chunked", VARS_CHUNK, check_linear, {12, 37, 64, 1, 1024, LINEAR_CFG(F32, AUTO, 0)}},
    /* accumulate (y starts random, the op adds into it): each path, odd shapes, scalar and vec4 K, with and
       without bias, 16-bit weights, and chunks (each chunk's dispatch adds into its own columns) */
    {"linear_f32_tiled_acc", VARS, check_linear, {9, 17, 31, 1, 0, LINEAR_CFG_ACC(F32, TILED)}},
    {"linear_f32_tiled_acc", VARS, check_linear, {65, 63, 16, 0, 0, LINEAR_CFG_ACC(F32, TILED)}},
    {"linear_f32_tiled_acc", VARS, check_linear, {1, 1, 1, 1, 0, LINEAR_CFG_ACC(F32, TILED)}},
    {"linear_f32_vec_acc", VARS, check_linear, {1, 64, 96, 1, 0, LINEAR_CFG_ACC(F32, VEC)}},
    {"linear_f32_vec_acc", VARS, check_linear, {7, 17, 301, 0, 0, LINEAR_CFG_ACC(F32, VEC)}},
    {"linear_f32_vecsh_acc", VARS, check_linear, {2, 33, 13, 1, 0, LINEAR_CFG_ACC(F32, VECSH)}},
    {"linear_f32_vecsh_acc", VARS, check_linear, {8, 9, 64, 0, 0, LINEAR_CFG_ACC(F32, VECSH)}},
    {"linear_f16_tiled_packed_acc", VARS, check_linear, {33, 33, 12, 1, 0, LINEAR_CFG(F16, TILED, 1) | LINEAR_ACC}},
    {"linear_f16_vec_acc", VARS, check_linear, {1, 33, 13, 1, 0, LINEAR_CFG_ACC(F16, VEC)}},
    {"linear_bf16_vecsh_packed_acc", VARS, check_linear, {2, 7, 31, 1, 0, LINEAR_CFG(BF16, VECSH, 1) | LINEAR_ACC}},
    {"linear_f32_chunked_acc", VARS_CHUNK, check_linear, {3, 37, 64, 1, 1024, LINEAR_CFG_ACC(F32, AUTO)}},
    {"linear_f32_chunked_acc", VARS_CHUNK, check_linear, {12, 37, 64, 0, 1024, LINEAR_CFG_ACC(F32, AUTO)}},
    /* f16 weights: 16-bit storage where the device has it, then packed words forced */
    {"linear_f16_tiled", VARS, check_linear, {9, 17, 31, 1, 0, LINEAR_CFG(F16, TILED, 0)}},
    {"linear_f16_tiled", VARS, check_linear, {33, 33, 12, 0, 0, LINEAR_CFG(F16, TILED, 0)}},
    {"linear_f16_vec", VARS, check_linear, {1, 33, 13, 1, 0, LINEAR_CFG(F16, VEC, 0)}},
    {"linear_f16_vec", VARS, check_linear, {8, 9, 64, 0, 0, LINEAR_CFG(F16, VEC, 0)}},
    {"linear_f16_vecsh", VARS, check_linear, {2, 7, 31, 1, 0, LINEAR_CFG(F16, VECSH, 0)}},
    {"linear_f16_tiled_packed", VARS, check_linear, {9, 17, 31, 1, 0, LINEAR_CFG(F16, TILED, 1)}},
    {"linear_f16_tiled_packed", VARS, check_linear, {33, 33, 12, 0, 0, LINEAR_CFG(F16, TILED, 1)}},
    {"linear_f16_vec_packed", VARS, check_linear, {1, 33, 13, 1, 0, LINEAR_CFG(F16, VEC, 1)}},
    {"linear_f16_vec_packed", VARS, check_linear, {8, 9, 64, 0, 0, LINEAR_CFG(F16, VEC, 1)}},
    {"linear_f16_vecsh_packed", VARS, check_linear, {2, 7, 31, 1, 0, LINEAR_CFG(F16, VECSH, 1)}},
    {"linear_f16_chunked", VARS_CHUNK, check_linear, {1, 131, 3, 1, 768, LINEAR_CFG(F16, AUTO, 0)}},
    {"linear_f16_chunked", VARS_CHUNK, check_linear, {10, 131, 3, 0, 768, LINEAR_CFG(F16, AUTO, 0)}},
    /* bf16 weights, the same */
    {"linear_bf16_tiled", VARS, check_linear, {9, 17, 31, 1, 0, LINEAR_CFG(BF16, TILED, 0)}},
    {"linear_bf16_tiled", VARS, check_linear, {33, 33, 12, 0, 0, LINEAR_CFG(BF16, TILED, 0)}},
    {"linear_bf16_vec", VARS, check_linear, {1, 33, 13, 1, 0, LINEAR_CFG(BF16, VEC, 0)}},
    {"linear_bf16_vec", VARS, check_linear, {8, 9, 64, 0, 0, LINEAR_CFG(BF16, VEC, 0)}},
    {"linear_bf16_vecsh", VARS, check_linear, {2, 7, 31, 1, 0, LINEAR_CFG(BF16, VECSH, 0)}},
    {"linear_bf16_tiled_packed", VARS, check_linear, {9, 17, 31, 1, 0, LINEAR_CFG(BF16, TILED, 1)}},
    {"linear_bf16_tiled_packed", VARS, check_linear, {33, 33, 12, 0, 0, LINEAR_CFG(BF16, TILED, 1)}},
    {"linear_bf16_vec_packed", VARS, check_linear, {1, 33, 13, 1, 0, LINEAR_CFG(BF16, VEC, 1)}},
    {"linear_bf16_vec_packed", VARS, check_linear, {8, 9, 64, 0, 0, LINEAR_CFG(BF16, VEC, 1)}},
    {"linear_bf16_vecsh_packed", VARS, check_linear, {2, 7, 31, 1, 0, LINEAR_CFG(BF16, VECSH, 1)}},
    {"linear_bf16_chunked", VARS_CHUNK, check_linear, {1, 131, 3, 1, 768, LINEAR_CFG(BF16, AUTO, 0)}},
    {"linear_bf16_chunked", VARS_CHUNK, check_linear, {10, 131, 3, 0, 768, LINEAR_CFG(BF16, AUTO, 0)}},
    QUANT_LINEAR_CASES(Q8_0, "q8_0", 24000),
    QUANT_LINEAR_CASES(Q4_0, "q4_0", 12000),
};

const op_case *op_check_cases_matmul(int *count) {
    *count = (int)(sizeof matmul_cases / sizeof matmul_cases[0]);
    return matmul_cases;
}

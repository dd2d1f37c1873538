/* op_check_elementwise.c — op-check cases of the elementwise kernel group (see op_check_internal.h).
 *
 * Shapes: size 1, odd primes, element counts around the 64-lane workgroup, rows shorter and longer than
 * the 256-lane row workgroup (257, 1000, 4099: several strided passes per lane). Row ops run twice, through
 * the wrapper (the variant the caps choose: subgroup on lavapipe/SwiftShader) and with the shared-memory
 * variant forced (variant=1), so both reductions are checked on every device.
 *
 * Tolerances (per element |diff| <= tol*(1+|ref|), then NMSE):
 *   add, mul, scale, in-place add: one f32 operation, correctly rounded on every Vulkan device and in the
 *     reference: 1e-7 / 1e-14 (in practice bit-exact).
 *   activations: Vulkan lets exp be off by 3+2|x| ulp (|x| <= 10 here: ~25 ulp ~ 1.5e-6 relative), the erfc fit
 *     adds 1.2e-7 relative: 1e-5 / 1e-10.
 *   norms: float partial sums over up to 4099 elements (~1e-6 relative) and inversesqrt's 2 ulp: 1e-5 / 1e-10.
 *   softmax: exp as above, float row sums: 1e-5 / 1e-10 (NMSE is the meaningful bound for small p).
 *   rope: the angle is the same f32 product on both sides; the shader's cos/sin are ~1e-7 from libm's of that
 *     angle for |angle| < 1e5, plus the rotation's f32 roundings on |x| < 1: 2e-6 / 1e-12.
 *   l2 norm, cosine similarity, merge, bilinear, avg pool: float sums and blends, bounds given per check.
 *   Index ops (gather, scatter, scan, compaction, top-k, pixel shuffle, nearest): bit-exact, guards included
 *     (check_tensor_exact); pixel shuffle also against the transformers view/permute order done on the host,
 *     top-k against a sort-based reference. */
#include "gpu/op_check_internal.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Overwrites a tensor's elements (inside the guards) with the same 4-byte words on both sides: integer
 * inputs (positions, ids) and host-computed tables. */
static bool check_tensor_fill(check_env *e, const check_tensor *t, const void *words) {
    for (int s = 0; s < 2; s++) {
        vkvlm_error err = {0};
        if (gpu_buffer_write(t->buf[s], OP_CHECK_GUARD_FLOATS * sizeof(float), words, (uint64_t)t->count * 4, &err) !=
            VKVLM_OK)
            return op_check_fail(e, &err, "fill");
    }
    return true;
}

/* ---------------------------------------------------------------- element-wise */

/* shape: rows, cols, bcast (b is one row of cols, else the full rows*cols) */
static uint32_t bcast_len(const uint32_t *shape) { return shape[2] ? shape[1] : shape[0] * shape[1]; }

static vkvlm_status record_add(gpu_cmd *cmd, int s, const check_tensor *t, const uint32_t *shape, vkvlm_error *err) {
    return gpu_op_eltwise_add_f32(cmd, check_bind(&t[2], s), check_bind(&t[0], s), check_bind(&t[1], s),
                                  shape[0] * shape[1], bcast_len(shape), err);
}

static vkvlm_status record_mul(gpu_cmd *cmd, int s, const check_tensor *t, const uint32_t *shape, vkvlm_error *err) {
    return gpu_op_eltwise_mul_f32(cmd, check_bind(&t[2], s), check_bind(&t[0], s), check_bind(&t[1], s),
                                  shape[0] * shape[1], bcast_len(shape), err);
}

static bool check_binary(check_env *e, const uint32_t *shape, record_fn record) {
    check_tensor t[3];
    uint32_t n = shape[0] * shape[1];
    bool ok = check_tensor_make(e, &t[0], n, true, -2, 2) &&
              check_tensor_make(e, &t[1], bcast_len(shape), true, -2, 2) &&
              check_tensor_make(e, &t[2], n, false, 0, 0) && check_run_both(e, record, t, shape) &&
              check_tensor_compare(e, &t[2], 1e-14, 1e-7); /* one correctly rounded f32 op */
    for (int i = 0; i < 3; i++) check_tensor_free(&t[i]);
    return ok;
}

static bool check_add(check_env *e, const uint32_t *shape) { return check_binary(e, shape, record_add); }
static bool check_mul(check_env *e, const uint32_t *shape) { return check_binary(e, shape, record_mul); }

static vkvlm_status record_add_inplace(gpu_cmd *cmd, int s, const check_tensor *t, const uint32_t *shape,
                                       vkvlm_error *err) {
    return gpu_op_add_inplace_f32(cmd, check_bind(&t[1], s), check_bind(&t[0], s), shape[0] * shape[1],
                                  bcast_len(shape), err);
}

static bool check_add_inplace(check_env *e, const uint32_t *shape) {
    check_tensor t[2]; /* x, y (random, updated in place) */
    bool ok = check_tensor_make(e, &t[0], bcast_len(shape), true, -2, 2) &&
              check_tensor_make(e, &t[1], shape[0] * shape[1], true, -2, 2) &&
              check_run_both(e, record_add_inplace, t, shape) &&
              check_tensor_compare(e, &t[1], 1e-14, 1e-7); /* one correctly rounded f32 add */
    for (int i = 0; i < 2; i++) check_tensor_free(&t[i]);
    return ok;
}

/* ---------------------------------------------------------------- activations; shape: n */

static vkvlm_status record_scale(gpu_cmd *cmd, int s, const check_tensor *t, const uint32_t *shape, vkvlm_error *err) {
    return gpu_op_scale_f32(cmd, check_bind(&t[1], s), check_bind(&t[0], s), shape[0], 0.3f, err);
}
static vkvlm_status record_gelu(gpu_cmd *cmd, int s, const check_tensor *t, const uint32_t *shape, vkvlm_error *err) {
    return gpu_op_gelu_f32(cmd, check_bind(&t[1], s), check_bind(&t[0], s), shape[0], err);
}
static vkvlm_status record_gelu_tanh(gpu_cmd *cmd, int s, const check_tensor *t, const uint32_t *shape,
                                     vkvlm_error *err) {
    return gpu_op_gelu_tanh_f32(cmd, check_bind(&t[1], s), check_bind(&t[0], s), shape[0], err);
}
static vkvlm_status record_quick_gelu(gpu_cmd *cmd, int s, const check_tensor *t, const uint32_t *shape,
                                      vkvlm_error *err) {
    return gpu_op_quick_gelu_f32(cmd, check_bind(&t[1], s), check_bind(&t[0], s), shape[0], err);
}
static vkvlm_status record_silu(gpu_cmd *cmd, int s, const check_tensor *t, const uint32_t *shape, vkvlm_error *err) {
    return gpu_op_silu_f32(cmd, check_bind(&t[1], s), check_bind(&t[0], s), shape[0], err);
}

/* Inputs over [-10, 10): both tails of every activation, where exp under- and overflows. */
static bool check_unary(check_env *e, const uint32_t *shape, record_fn record, double nmse, double tol) {
    check_tensor t[2];
    bool ok = check_tensor_make(e, &t[0], shape[0], true, -10, 10) &&
              check_tensor_make(e, &t[1], shape[0], false, 0, 0) &&
              check_run_both(e, record, t, shape) && check_tensor_compare(e, &t[1], nmse, tol);
    for (int i = 0; i < 2; i++) check_tensor_free(&t[i]);
    return ok;
}

static bool check_scale(check_env *e, const uint32_t *shape) {
    return check_unary(e, shape, record_scale, 1e-14, 1e-7); /* one correctly rounded f32 product */
}
static bool check_gelu(check_env *e, const uint32_t *shape) { return check_unary(e, shape, record_gelu, 1e-10, 1e-5); }
static bool check_gelu_tanh(check_env *e, const uint32_t *shape) {
    return check_unary(e, shape, record_gelu_tanh, 1e-10, 1e-5);
}
static bool check_quick_gelu(check_env *e, const uint32_t *shape) {
    return check_unary(e, shape, record_quick_gelu, 1e-10, 1e-5);
}
static bool check_silu(check_env *e, const uint32_t *shape) { return check_unary(e, shape, record_silu, 1e-10, 1e-5); }

/* shape: rows, cols, fused (one [rows, 2*cols] gate_up input) */
static vkvlm_status record_swiglu(gpu_cmd *cmd, int s, const check_tensor *t, const uint32_t *shape,
                                  vkvlm_error *err) {
    if (shape[2])
        return gpu_op_swiglu_fused_f32(cmd, check_bind(&t[2], s), check_bind(&t[0], s), shape[0], shape[1], err);
    return gpu_op_swiglu_f32(cmd, check_bind(&t[2], s), check_bind(&t[0], s), check_bind(&t[1], s), shape[0], shape[1],
                             err);
}

static bool check_swiglu(check_env *e, const uint32_t *shape) {
    check_tensor t[3]; /* gate (or gate_up), up (unused when fused), out */
    uint32_t n = shape[0] * shape[1];
    bool ok = check_tensor_make(e, &t[0], shape[2] ? 2 * n : n, true, -10, 10) &&
              check_tensor_make(e, &t[1], n, true, -2, 2) && check_tensor_make(e, &t[2], n, false, 0, 0) &&
              check_run_both(e, record_swiglu, t, shape) &&
              check_tensor_compare(e, &t[2], 1e-10, 1e-5); /* exp's ulp bound, as the activations */
    for (int i = 0; i < 3; i++) check_tensor_free(&t[i]);
    return ok;
}

/* ---------------------------------------------------------------- row ops; shape: rows, cols, variant */

/* variant 0: the wrapper (caps choose); 1: the shared-memory kernel forced through gpu_op_row_kernel. */
static vkvlm_status record_layernorm(gpu_cmd *cmd, int s, const check_tensor *t, const uint32_t *shape,
                                     vkvlm_error *err) {
    const float eps = 1e-5f;
    if (!shape[2])
        return gpu_op_layernorm_f32(cmd, check_bind(&t[3], s), check_bind(&t[0], s), check_bind(&t[1], s),
                                    check_bind(&t[2], s), shape[0], shape[1], eps, err);
    gpu_params_norm p = {.rows = shape[0], .cols = shape[1], .eps = eps};
    gpu_binding b[4] = {check_bind(&t[0], s), check_bind(&t[1], s), check_bind(&t[2], s), check_bind(&t[3], s)};
    return gpu_op_row_kernel(cmd, GPU_KERNEL_NORM_LAYER_F32, b, &p, sizeof p, shape[0], shape[1], err);
}

static bool check_layernorm(check_env *e, const uint32_t *shape) {
    check_tensor t[4];
    uint32_t n = shape[0] * shape[1];
    /* x offset from zero (mean ~4) so a one-pass variance would lose digits to cancellation. */
    bool ok = check_tensor_make(e, &t[0], n, true, 2, 6) && check_tensor_make(e, &t[1], shape[1], true, -2, 2) &&
              check_tensor_make(e, &t[2], shape[1], true, -1, 1) && check_tensor_make(e, &t[3], n, false, 0, 0) &&
              check_run_both(e, record_layernorm, t, shape) && check_tensor_compare(e, &t[3], 1e-10, 1e-5);
    for (int i = 0; i < 4; i++) check_tensor_free(&t[i]);
    return ok;
}

static vkvlm_status record_rmsnorm(gpu_cmd *cmd, int s, const check_tensor *t, const uint32_t *shape,
                                   vkvlm_error *err) {
    const float eps = 1e-6f;
    if (!shape[2])
        return gpu_op_rmsnorm_f32(cmd, check_bind(&t[2], s), check_bind(&t[0], s), check_bind(&t[1], s), shape[0],
                                  shape[1], eps, err);
    gpu_params_norm p = {.rows = shape[0], .cols = shape[1], .eps = eps};
    gpu_binding b[3] = {check_bind(&t[0], s), check_bind(&t[1], s), check_bind(&t[2], s)};
    return gpu_op_row_kernel(cmd, GPU_KERNEL_NORM_RMS_F32, b, &p, sizeof p, shape[0], shape[1], err);
}

static bool check_rmsnorm(check_env *e, const uint32_t *shape) {
    check_tensor t[3];
    uint32_t n = shape[0] * shape[1];
    bool ok = check_tensor_make(e, &t[0], n, true, -3, 3) && check_tensor_make(e, &t[1], shape[1], true, -2, 2) &&
              check_tensor_make(e, &t[2], n, false, 0, 0) && check_run_both(e, record_rmsnorm, t, shape) &&
              check_tensor_compare(e, &t[2], 1e-10, 1e-5);
    for (int i = 0; i < 3; i++) check_tensor_free(&t[i]);
    return ok;
}

static vkvlm_status record_softmax(gpu_cmd *cmd, int s, const check_tensor *t, const uint32_t *shape,
                                   vkvlm_error *err) {
    if (!shape[2]) return gpu_op_softmax_f32(cmd, check_bind(&t[1], s), check_bind(&t[0], s), shape[0], shape[1], err);
    gpu_params_rows p = {.rows = shape[0], .cols = shape[1]};
    gpu_binding b[2] = {check_bind(&t[0], s), check_bind(&t[1], s)};
    return gpu_op_row_kernel(cmd, GPU_KERNEL_SOFTMAX_F32, b, &p, sizeof p, shape[0], shape[1], err);
}

static bool check_softmax(check_env *e, const uint32_t *shape) {
    check_tensor t[2];
    uint32_t n = shape[0] * shape[1];
    /* [-30, 30): a wide spread, so most p are tiny and the row max dominates the sum. */
    bool ok = check_tensor_make(e, &t[0], n, true, -30, 30) && check_tensor_make(e, &t[1], n, false, 0, 0) &&
              check_run_both(e, record_softmax, t, shape) && check_tensor_compare(e, &t[1], 1e-10, 1e-5);
    for (int i = 0; i < 2; i++) check_tensor_free(&t[i]);
    return ok;
}

/* ---------------------------------------------------------------- rope
 * shape: tokens, heads, head_dim, theta, strided (x and y rows padded by 3 and 5 elements), max_pos
 * (positions uniform in [0, max_pos), gaps and repeats included; token 0 at position 0) */

static uint32_t rope_row(const uint32_t *shape) { return shape[1] * shape[2]; }
static uint32_t rope_in_stride(const uint32_t *shape) { return rope_row(shape) + (shape[4] ? 3 : 0); }
static uint32_t rope_out_stride(const uint32_t *shape) { return rope_row(shape) + (shape[4] ? 5 : 0); }

static vkvlm_status record_rope(gpu_cmd *cmd, int s, const check_tensor *t, const uint32_t *shape, vkvlm_error *err) {
    return gpu_op_rope_f32(cmd, check_bind(&t[3], s), check_bind(&t[0], s), check_bind(&t[1], s), check_bind(&t[2], s),
                           shape[0], shape[1], shape[2], shape[4] ? rope_in_stride(shape) : 0,
                           shape[4] ? rope_out_stride(shape) : 0, err);
}

static bool check_rope(check_env *e, const uint32_t *shape) {
    check_tensor t[4]; /* x, pos, inv_freq, y */
    uint32_t tokens = shape[0], half = shape[2] / 2;
    int32_t *pos = malloc(tokens * sizeof *pos);
    float *freq = malloc(half * sizeof *freq);
    bool ok = pos && freq;
    if (!ok) {
        vkvlm_error err = {VKVLM_ERR_OUT_OF_MEMORY, "out of host memory"};
        op_check_fail(e, &err, "inputs");
    }
    for (uint32_t i = 0; ok && i < tokens; i++) pos[i] = i ? (int32_t)(op_check_random(&e->rng) % shape[5]) : 0;
    if (ok) gpu_rope_inv_freq_f32(freq, shape[2], (float)shape[3]);
    /* The cos/sin error (~1e-7, see rope_neox_f32.comp) plus the f32 rotation's roundings, on |x| < 1. */
    ok = ok && check_tensor_make(e, &t[0], tokens * rope_in_stride(shape), true, -1, 1) &&
         check_tensor_make(e, &t[1], tokens, false, 0, 0) && check_tensor_fill(e, &t[1], pos) &&
         check_tensor_make(e, &t[2], half, false, 0, 0) && check_tensor_fill(e, &t[2], freq) &&
         check_tensor_make(e, &t[3], tokens * rope_out_stride(shape), false, 0, 0) &&
         check_run_both(e, record_rope, t, shape) && check_tensor_compare(e, &t[3], 1e-12, 2e-6);
    for (int i = 0; i < 4; i++) check_tensor_free(&t[i]);
    free(pos);
    free(freq);
    return ok;
}

/* ---------------------------------------------------------------- index ops: compared bit for bit */

/* Integer (or moved-as-bits) outputs must match exactly: both sides' buffers, guards included, word for word. */
static bool check_tensor_exact(check_env *e, const check_tensor *t, const char *what) {
    size_t total = (size_t)t->count + 2 * OP_CHECK_GUARD_FLOATS;
    uint32_t *got = malloc(total * 4), *want = malloc(total * 4);
    vkvlm_error err = {0};
    bool ok = got && want && gpu_buffer_read(t->buf[0], 0, got, total * 4, &err) == VKVLM_OK &&
              gpu_buffer_read(t->buf[1], 0, want, total * 4, &err) == VKVLM_OK;
    if (!ok) {
        if (!err.status) err = (vkvlm_error){VKVLM_ERR_OUT_OF_MEMORY, "out of host memory"};
        free(got);
        free(want);
        return op_check_fail(e, &err, "readback");
    }
    for (size_t i = 0; i < total && ok; i++) {
        if (got[i] == want[i]) continue;
        long at = (long)i - OP_CHECK_GUARD_FLOATS;
        e->result->outcome = OP_CHECK_FAIL;
        if (at < 0 || at >= (long)t->count)
            snprintf(e->result->detail, sizeof e->result->detail, "%s: write outside the output (guard word %ld)", what,
                     at < 0 ? at : at - (long)t->count);
        else
            snprintf(e->result->detail, sizeof e->result->detail,
                     "%s: element %ld: got 0x%08x (%d), reference 0x%08x (%d)", what, at, got[i], (int32_t)got[i],
                     want[i], (int32_t)want[i]);
        ok = false;
    }
    free(got);
    free(want);
    return ok;
}

static bool host_alloc_failed(check_env *e) {
    vkvlm_error err = {VKVLM_ERR_OUT_OF_MEMORY, "out of host memory"};
    return op_check_fail(e, &err, "inputs");
}

/* ---------------------------------------------------------------- rope_qkv
 * shape: tokens, q_heads, kv_heads, head_dim, theta, padded (qkv rows padded by 7 elements). Positions uniform
 * in [0, 4096), token 0 at 0. q and k are compared as rope is; v and the positions are moved, so bit for bit. */

static uint32_t rope_qkv_row(const uint32_t *shape) { return (shape[1] + 2 * shape[2]) * shape[3] + (shape[5] ? 7 : 0); }

static vkvlm_status record_rope_qkv(gpu_cmd *cmd, int s, const check_tensor *t, const uint32_t *shape,
                                    vkvlm_error *err) {
    return gpu_op_rope_qkv_f32(cmd, check_bind(&t[3], s), check_bind(&t[4], s), check_bind(&t[5], s),
                               check_bind(&t[6], s), check_bind(&t[0], s), check_bind(&t[1], s), check_bind(&t[2], s),
                               shape[0], shape[1], shape[2], shape[3], shape[5] ? rope_qkv_row(shape) : 0, err);
}

static bool check_rope_qkv(check_env *e, const uint32_t *shape) {
    check_tensor t[7] = {0}; /* qkv, pos, inv_freq, q, k, v, pos_out */
    uint32_t tokens = shape[0], d = shape[3], half = d / 2;
    int32_t *pos = malloc(tokens * sizeof *pos);
    float *freq = malloc(half * sizeof *freq);
    if (!pos || !freq) {
        free(pos);
        free(freq);
        return host_alloc_failed(e);
    }
    for (uint32_t i = 0; i < tokens; i++) pos[i] = i ? (int32_t)(op_check_random(&e->rng) % 4096) : 0;
    gpu_rope_inv_freq_f32(freq, d, (float)shape[4]);
    bool ok = check_tensor_make(e, &t[0], tokens * rope_qkv_row(shape), true, -1, 1) &&
              check_tensor_make(e, &t[1], tokens, false, 0, 0) && check_tensor_fill(e, &t[1], pos) &&
              check_tensor_make(e, &t[2], half, false, 0, 0) && check_tensor_fill(e, &t[2], freq) &&
              check_tensor_make(e, &t[3], tokens * shape[1] * d, false, 0, 0) &&
              check_tensor_make(e, &t[4], tokens * shape[2] * d, false, 0, 0) &&
              check_tensor_make(e, &t[5], tokens * shape[2] * d, false, 0, 0) &&
              check_tensor_make(e, &t[6], tokens, false, 0, 0) && check_run_both(e, record_rope_qkv, t, shape) &&
              check_tensor_compare(e, &t[3], 1e-12, 2e-6) && check_tensor_compare(e, &t[4], 1e-12, 2e-6) &&
              check_tensor_exact(e, &t[5], "v") && check_tensor_exact(e, &t[6], "pos_out");
    for (int i = 0; i < 7; i++) check_tensor_free(&t[i]);
    free(pos);
    free(freq);
    return ok;
}

/* shape: count, cols, src_rows, embedding (through gpu_op_embedding_f32). Indices uniform in
 * [-3, src_rows + 3), the first two INT32_MIN and INT32_MAX: out-of-range ones must give zero rows. */
static vkvlm_status record_gather(gpu_cmd *cmd, int s, const check_tensor *t, const uint32_t *shape,
                                  vkvlm_error *err) {
    if (shape[3])
        return gpu_op_embedding_f32(cmd, check_bind(&t[2], s), check_bind(&t[0], s), check_bind(&t[1], s), shape[0],
                                    shape[1], shape[2], err);
    return gpu_op_gather_rows(cmd, check_bind(&t[2], s), check_bind(&t[0], s), check_bind(&t[1], s), shape[0],
                              shape[1], shape[2], err);
}

static bool check_gather(check_env *e, const uint32_t *shape) {
    check_tensor t[3]; /* src, idx, out */
    uint32_t count = shape[0];
    int32_t *idx = malloc(count * sizeof *idx);
    if (!idx) return host_alloc_failed(e);
    for (uint32_t i = 0; i < count; i++) idx[i] = (int32_t)(op_check_random(&e->rng) % (shape[2] + 6)) - 3;
    if (count > 2) {
        idx[0] = INT32_MIN;
        idx[1] = INT32_MAX;
    }
    bool ok = check_tensor_make(e, &t[0], shape[2] * shape[1], true, -2, 2) &&
              check_tensor_make(e, &t[1], count, false, 0, 0) && check_tensor_fill(e, &t[1], idx) &&
              check_tensor_make(e, &t[2], count * shape[1], true, -1, 1) && /* stale contents must be overwritten */
              check_run_both(e, record_gather, t, shape) && check_tensor_exact(e, &t[2], "out");
    for (int i = 0; i < 3; i++) check_tensor_free(&t[i]);
    free(idx);
    return ok;
}

/* shape: count, cols, dst_rows. Distinct indices drawn from [0, dst_rows + 4) (those >= dst_rows skipped), one
 * negative; dst starts random so untouched rows must survive. */
static vkvlm_status record_scatter(gpu_cmd *cmd, int s, const check_tensor *t, const uint32_t *shape,
                                   vkvlm_error *err) {
    return gpu_op_scatter_rows(cmd, check_bind(&t[2], s), check_bind(&t[0], s), check_bind(&t[1], s), shape[0],
                               shape[1], shape[2], err);
}

static bool check_scatter(check_env *e, const uint32_t *shape) {
    check_tensor t[3]; /* src, idx, dst */
    uint32_t count = shape[0], pool = shape[2] + 4;
    int32_t *perm = malloc(pool * sizeof *perm);
    if (!perm) return host_alloc_failed(e);
    for (uint32_t i = 0; i < pool; i++) perm[i] = (int32_t)i;
    for (uint32_t i = pool - 1; i > 0; i--) { /* Fisher-Yates */
        uint32_t j = (uint32_t)(op_check_random(&e->rng) % (i + 1));
        int32_t tmp = perm[i];
        perm[i] = perm[j];
        perm[j] = tmp;
    }
    if (count > 2) perm[count / 2] = -1;
    bool ok = check_tensor_make(e, &t[0], count * shape[1], true, -2, 2) &&
              check_tensor_make(e, &t[1], count, false, 0, 0) && check_tensor_fill(e, &t[1], perm) &&
              check_tensor_make(e, &t[2], shape[2] * shape[1], true, -1, 1) &&
              check_run_both(e, record_scatter, t, shape) && check_tensor_exact(e, &t[2], "dst");
    for (int i = 0; i < 3; i++) check_tensor_free(&t[i]);
    free(perm);
    return ok;
}

/* A keep-mask with density percent nonzero entries; kept entries are 1..7, since any nonzero keeps. */
static bool make_mask(check_env *e, check_tensor *t, uint32_t count, uint32_t density) {
    uint32_t *mask = malloc((count ? count : 1) * sizeof *mask);
    if (!mask) return host_alloc_failed(e);
    for (uint32_t i = 0; i < count; i++)
        mask[i] = op_check_random(&e->rng) % 100 < density ? 1 + (uint32_t)(op_check_random(&e->rng) % 7) : 0;
    bool ok = check_tensor_make(e, t, count, false, 0, 0) && check_tensor_fill(e, t, mask);
    free(mask);
    return ok;
}

/* shape: rows, n, density (percent kept) */
static vkvlm_status record_scan(gpu_cmd *cmd, int s, const check_tensor *t, const uint32_t *shape, vkvlm_error *err) {
    return gpu_op_scan_mask(cmd, check_bind(&t[1], s), check_bind(&t[2], s), check_bind(&t[0], s), shape[0], shape[1],
                            err);
}

static bool check_scan(check_env *e, const uint32_t *shape) {
    check_tensor t[3]; /* mask, offsets, kept */
    uint32_t rows = shape[0], n = shape[1];
    bool ok = make_mask(e, &t[0], rows * n, shape[2]) && check_tensor_make(e, &t[1], rows * (n + 1), false, 0, 0) &&
              check_tensor_make(e, &t[2], rows * n, false, 0, 0) && check_run_both(e, record_scan, t, shape) &&
              check_tensor_exact(e, &t[1], "offsets") && check_tensor_exact(e, &t[2], "kept");
    for (int i = 0; i < 3; i++) check_tensor_free(&t[i]);
    return ok;
}

/* Compaction of rows by a mask, the documented two-op pipeline: scan_mask, then gather_rows over kept.
 * shape: n (rows), cols, density. */
static vkvlm_status record_compact(gpu_cmd *cmd, int s, const check_tensor *t, const uint32_t *shape,
                                   vkvlm_error *err) {
    vkvlm_status st = gpu_op_scan_mask(cmd, check_bind(&t[1], s), check_bind(&t[2], s), check_bind(&t[0], s), 1,
                                       shape[0], err);
    if (st != VKVLM_OK) return st;
    return gpu_op_gather_rows(cmd, check_bind(&t[4], s), check_bind(&t[3], s), check_bind(&t[2], s), shape[0],
                              shape[1], shape[0], err);
}

static bool check_compact(check_env *e, const uint32_t *shape) {
    check_tensor t[5]; /* mask, offsets, kept, src, out */
    uint32_t n = shape[0], cols = shape[1];
    bool ok = make_mask(e, &t[0], n, shape[2]) && check_tensor_make(e, &t[1], n + 1, false, 0, 0) &&
              check_tensor_make(e, &t[2], n, false, 0, 0) && check_tensor_make(e, &t[3], n * cols, true, -2, 2) &&
              check_tensor_make(e, &t[4], n * cols, false, 0, 0) && check_run_both(e, record_compact, t, shape) &&
              check_tensor_exact(e, &t[4], "out");
    for (int i = 0; i < 5; i++) check_tensor_free(&t[i]);
    return ok;
}

/* shape: rows, n, k, largest, ties (values from 8 levels, so most compare equal and the index decides) */
static vkvlm_status record_topk(gpu_cmd *cmd, int s, const check_tensor *t, const uint32_t *shape, vkvlm_error *err) {
    return gpu_op_topk_f32(cmd, check_bind(&t[3], s), check_bind(&t[1], s), check_bind(&t[2], s), check_bind(&t[0], s),
                           shape[0], shape[1], shape[2], shape[3] != 0, err);
}

static bool check_topk(check_env *e, const uint32_t *shape) {
    check_tensor t[4]; /* v, mask, offsets, kept */
    uint32_t rows = shape[0], n = shape[1], count = rows * n;
    float *v = malloc(count * sizeof *v);
    if (!v) return host_alloc_failed(e);
    for (uint32_t i = 0; i < count; i++) {
        float u = op_check_uniform(&e->rng, -1, 1);
        v[i] = shape[4] ? (float)(int)(u * 4) : u;
    }
    bool ok = check_tensor_make(e, &t[0], count, false, 0, 0) && check_tensor_fill(e, &t[0], v) &&
              check_tensor_make(e, &t[1], count, false, 0, 0) &&
              check_tensor_make(e, &t[2], rows * (n + 1), false, 0, 0) &&
              check_tensor_make(e, &t[3], count, false, 0, 0) && check_run_both(e, record_topk, t, shape) &&
              check_tensor_exact(e, &t[1], "mask") && check_tensor_exact(e, &t[3], "kept") &&
              check_tensor_exact(e, &t[2], "offsets");
    for (int i = 0; i < 4; i++) check_tensor_free(&t[i]);
    free(v);
    return ok;
}

/* ---------------------------------------------------------------- similarity, merge, token-grid ops */

/* shape: rows, cols, variant (as the row ops above) */
static vkvlm_status record_l2norm(gpu_cmd *cmd, int s, const check_tensor *t, const uint32_t *shape,
                                  vkvlm_error *err) {
    if (!shape[2])
        return gpu_op_l2norm_f32(cmd, check_bind(&t[1], s), check_bind(&t[0], s), shape[0], shape[1], 1e-12f, err);
    gpu_params_norm p = {.rows = shape[0], .cols = shape[1], .eps = 1e-12f};
    gpu_binding b[2] = {check_bind(&t[0], s), check_bind(&t[1], s)};
    return gpu_op_row_kernel(cmd, GPU_KERNEL_NORM_L2_F32, b, &p, sizeof p, shape[0], shape[1], err);
}

static bool check_l2norm(check_env *e, const uint32_t *shape) {
    check_tensor t[2];
    uint32_t n = shape[0] * shape[1];
    bool ok = check_tensor_make(e, &t[0], n, true, -3, 3) && check_tensor_make(e, &t[1], n, false, 0, 0) &&
              check_run_both(e, record_l2norm, t, shape) &&
              check_tensor_compare(e, &t[1], 1e-10, 1e-5); /* float row sums, as the norms above */
    for (int i = 0; i < 2; i++) check_tensor_free(&t[i]);
    return ok;
}

/* shape: m, n, d */
static vkvlm_status record_cosine(gpu_cmd *cmd, int s, const check_tensor *t, const uint32_t *shape,
                                  vkvlm_error *err) {
    return gpu_op_cosine_similarity_f32(cmd, check_bind(&t[4], s), check_bind(&t[2], s), check_bind(&t[3], s),
                                        check_bind(&t[0], s), check_bind(&t[1], s), shape[0], shape[1], shape[2], err);
}

static bool check_cosine(check_env *e, const uint32_t *shape) {
    check_tensor t[5]; /* a, b, a_norm, b_norm, s */
    uint32_t m = shape[0], n = shape[1], d = shape[2];
    /* Similarities lie in [-1, 1]: the normalisation's ~1e-6 plus the matmul's float dot products. */
    bool ok = check_tensor_make(e, &t[0], m * d, true, -1, 1) && check_tensor_make(e, &t[1], n * d, true, -1, 1) &&
              check_tensor_make(e, &t[2], m * d, false, 0, 0) && check_tensor_make(e, &t[3], n * d, false, 0, 0) &&
              check_tensor_make(e, &t[4], m * n, false, 0, 0) && check_run_both(e, record_cosine, t, shape) &&
              check_tensor_compare(e, &t[4], 1e-10, 1e-5);
    for (int i = 0; i < 5; i++) check_tensor_free(&t[i]);
    return ok;
}

/* shape: pairs, rows, cols. Targets from the first half of the rows, sources from the second (disjoint, as
 * the op requires), targets repeating; the last two pairs are invalid (source -1, target past the end). */
static vkvlm_status record_merge(gpu_cmd *cmd, int s, const check_tensor *t, const uint32_t *shape,
                                 vkvlm_error *err) {
    return gpu_op_merge_weighted_f32(cmd, check_bind(&t[0], s), check_bind(&t[1], s), check_bind(&t[2], s),
                                     check_bind(&t[3], s), shape[0], shape[1], shape[2], err);
}

static bool check_merge(check_env *e, const uint32_t *shape) {
    check_tensor t[4]; /* x (in place), src, dst, alpha */
    uint32_t pairs = shape[0], rows = shape[1], half = rows / 2;
    int32_t *idx = malloc(2 * pairs * sizeof *idx);
    if (!idx) return host_alloc_failed(e);
    int32_t *src = idx, *dst = idx + pairs;
    for (uint32_t q = 0; q < pairs; q++) {
        dst[q] = (int32_t)(op_check_random(&e->rng) % (half ? half : 1));
        src[q] = (int32_t)(half + op_check_random(&e->rng) % (rows - half));
    }
    if (pairs > 3) {
        src[pairs - 1] = -1;
        dst[pairs - 2] = (int32_t)rows + 5;
    }
    /* float sums of <= 100 weighted terms, one division: 1e-5 / 1e-10 */
    bool ok = check_tensor_make(e, &t[0], rows * shape[2], true, -2, 2) &&
              check_tensor_make(e, &t[1], pairs, false, 0, 0) && check_tensor_fill(e, &t[1], src) &&
              check_tensor_make(e, &t[2], pairs, false, 0, 0) && check_tensor_fill(e, &t[2], dst) &&
              check_tensor_make(e, &t[3], pairs, true, 0, 1) && check_run_both(e, record_merge, t, shape) &&
              check_tensor_compare(e, &t[0], 1e-10, 1e-5);
    for (int i = 0; i < 4; i++) check_tensor_free(&t[i]);
    free(idx);
    return ok;
}

/* shape: in_h, in_w, out_h, out_w, cols */
static vkvlm_status record_bilinear(gpu_cmd *cmd, int s, const check_tensor *t, const uint32_t *shape,
                                    vkvlm_error *err) {
    return gpu_op_grid_bilinear_f32(cmd, check_bind(&t[1], s), check_bind(&t[0], s), shape[0], shape[1], shape[2],
                                    shape[3], shape[4], err);
}

static bool check_bilinear(check_env *e, const uint32_t *shape) {
    check_tensor t[2];
    /* Same taps on both sides (the source index is computed in float identically); a 4-tap float blend. */
    bool ok = check_tensor_make(e, &t[0], shape[0] * shape[1] * shape[4], true, -2, 2) &&
              check_tensor_make(e, &t[1], shape[2] * shape[3] * shape[4], false, 0, 0) &&
              check_run_both(e, record_bilinear, t, shape) && check_tensor_compare(e, &t[1], 1e-12, 1e-6);
    for (int i = 0; i < 2; i++) check_tensor_free(&t[i]);
    return ok;
}

/* shape: in_h, in_w, f, cols */
static vkvlm_status record_avgpool(gpu_cmd *cmd, int s, const check_tensor *t, const uint32_t *shape,
                                   vkvlm_error *err) {
    return gpu_op_grid_avgpool_f32(cmd, check_bind(&t[1], s), check_bind(&t[0], s), shape[0], shape[1], shape[2],
                                   shape[3], err);
}

static bool check_avgpool(check_env *e, const uint32_t *shape) {
    check_tensor t[2];
    uint32_t cells = (shape[0] / shape[2]) * (shape[1] / shape[2]);
    /* a float sum of f*f <= 16 terms and one division */
    bool ok = check_tensor_make(e, &t[0], shape[0] * shape[1] * shape[3], true, -2, 2) &&
              check_tensor_make(e, &t[1], cells * shape[3], false, 0, 0) &&
              check_run_both(e, record_avgpool, t, shape) && check_tensor_compare(e, &t[1], 1e-12, 1e-6);
    for (int i = 0; i < 2; i++) check_tensor_free(&t[i]);
    return ok;
}

/* A side's output against words computed on the host. */
static bool check_tensor_host(check_env *e, const check_tensor *t, int side, const uint32_t *want, const char *what) {
    uint32_t *got = malloc((t->count ? t->count : 1) * 4);
    vkvlm_error err = {0};
    if (!got) return host_alloc_failed(e);
    if (gpu_buffer_read(t->buf[side], OP_CHECK_GUARD_FLOATS * 4, got, (uint64_t)t->count * 4, &err) != VKVLM_OK) {
        free(got);
        return op_check_fail(e, &err, "readback");
    }
    bool ok = true;
    for (uint32_t i = 0; i < t->count && ok; i++) {
        if (got[i] == want[i]) continue;
        e->result->outcome = OP_CHECK_FAIL;
        snprintf(e->result->detail, sizeof e->result->detail, "%s: element %u: got 0x%08x, expected 0x%08x", what, i,
                 got[i], want[i]);
        ok = false;
    }
    free(got);
    return ok;
}

/* Pixel shuffle as transformers writes it, step by step on the host (an oracle for gpu_pixel_shuffle_index):
 * view (h, w/s, s*d); permute to (w/s, h, s*d); reshape (w/s, h/s, s*s*d); permute to (h/s, w/s, s*s*d). */
static void pixel_shuffle_host(const uint32_t *x, uint32_t *out, uint32_t *tmp, uint32_t h, uint32_t w, uint32_t d,
                               uint32_t s) {
    uint32_t w2n = w / s, sd = s * d, h2n = h / s, ssd = s * s * d;
    for (uint32_t hh = 0; hh < h; hh++) /* tmp[w2][hh][j] = x viewed as [hh][w2][j] */
        for (uint32_t w2 = 0; w2 < w2n; w2++)
            for (uint32_t j = 0; j < sd; j++) tmp[((size_t)w2 * h + hh) * sd + j] = x[((size_t)hh * w2n + w2) * sd + j];
    for (uint32_t h2 = 0; h2 < h2n; h2++) /* out[h2][w2][k] = tmp viewed as [w2][h2][k] */
        for (uint32_t w2 = 0; w2 < w2n; w2++)
            for (uint32_t k = 0; k < ssd; k++)
                out[((size_t)h2 * w2n + w2) * ssd + k] = tmp[((size_t)w2 * h2n + h2) * ssd + k];
}

/* shape: h, w, dim, s */
static vkvlm_status record_pixel_shuffle(gpu_cmd *cmd, int s, const check_tensor *t, const uint32_t *shape,
                                         vkvlm_error *err) {
    uint32_t cells = shape[0] * shape[1];
    return gpu_op_gather_rows(cmd, check_bind(&t[2], s), check_bind(&t[0], s), check_bind(&t[1], s), cells, shape[2],
                              cells, err);
}

static bool check_pixel_shuffle(check_env *e, const uint32_t *shape) {
    check_tensor t[3]; /* x, idx, out */
    uint32_t h = shape[0], w = shape[1], d = shape[2], n = h * w * d;
    int32_t *idx = malloc(h * w * sizeof *idx);
    uint32_t *host = malloc(3 * (size_t)n * sizeof *host);
    if (!idx || !host) {
        free(idx);
        free(host);
        return host_alloc_failed(e);
    }
    uint32_t *x = host, *want = host + n, *tmp = host + 2 * (size_t)n;
    for (uint32_t i = 0; i < n; i++) x[i] = (uint32_t)op_check_random(&e->rng);
    gpu_pixel_shuffle_index(idx, h, w, shape[3]);
    pixel_shuffle_host(x, want, tmp, h, w, d, shape[3]);
    bool ok = check_tensor_make(e, &t[0], n, false, 0, 0) && check_tensor_fill(e, &t[0], x) &&
              check_tensor_make(e, &t[1], h * w, false, 0, 0) && check_tensor_fill(e, &t[1], idx) &&
              check_tensor_make(e, &t[2], n, false, 0, 0) && check_run_both(e, record_pixel_shuffle, t, shape) &&
              check_tensor_exact(e, &t[2], "out") && check_tensor_host(e, &t[2], 0, want, "vs transformers order");
    for (int i = 0; i < 3; i++) check_tensor_free(&t[i]);
    free(idx);
    free(host);
    return ok;
}

/* Nearest resampling through gather_rows: shape in_h, in_w, out_h, out_w, cols. For integer upsampling the
 * index table is also checked against (y/f, x/f). */
static vkvlm_status record_nearest(gpu_cmd *cmd, int s, const check_tensor *t, const uint32_t *shape,
                                   vkvlm_error *err) {
    return gpu_op_gather_rows(cmd, check_bind(&t[2], s), check_bind(&t[0], s), check_bind(&t[1], s),
                              shape[2] * shape[3], shape[4], shape[0] * shape[1], err);
}

static bool check_nearest(check_env *e, const uint32_t *shape) {
    check_tensor t[3]; /* x, idx, out */
    uint32_t cells = shape[2] * shape[3];
    int32_t *idx = malloc(cells * sizeof *idx);
    if (!idx) return host_alloc_failed(e);
    gpu_grid_nearest_index(idx, shape[0], shape[1], shape[2], shape[3]);
    bool ok = true;
    if (shape[2] % shape[0] == 0 && shape[3] % shape[1] == 0) {
        uint32_t fy = shape[2] / shape[0], fx = shape[3] / shape[1];
        for (uint32_t i = 0; i < cells && ok; i++) {
            int32_t want = (int32_t)((i / shape[3] / fy) * shape[1] + (i % shape[3]) / fx);
            if (idx[i] != want) {
                e->result->outcome = OP_CHECK_FAIL;
                snprintf(e->result->detail, sizeof e->result->detail, "nearest index %u: %d, expected %d", i, idx[i],
                         want);
                ok = false;
            }
        }
    }
    ok = ok && check_tensor_make(e, &t[0], shape[0] * shape[1] * shape[4], true, -2, 2) &&
         check_tensor_make(e, &t[1], cells, false, 0, 0) && check_tensor_fill(e, &t[1], idx) &&
         check_tensor_make(e, &t[2], cells * shape[4], false, 0, 0) && check_run_both(e, record_nearest, t, shape) &&
         check_tensor_exact(e, &t[2], "out");
    for (int i = 0; i < 3; i++) check_tensor_free(&t[i]);
    free(idx);
    return ok;
}

static const op_case elementwise_cases[] = {
    {"eltwise_add_f32", "rows,cols,bcast", check_add, {1, 1, 0}},
    {"eltwise_add_f32", "rows,cols,bcast", check_add, {1, 65, 0}},
    {"eltwise_add_f32", "rows,cols,bcast", check_add, {1, 4099, 0}},
    {"eltwise_add_f32", "rows,cols,bcast", check_add, {7, 13, 1}},
    {"eltwise_add_f32", "rows,cols,bcast", check_add, {3, 257, 1}},
    {"eltwise_add_f32", "rows,cols,bcast", check_add, {5, 1, 1}},
    {"eltwise_mul_f32", "rows,cols,bcast", check_mul, {1, 63, 0}},
    {"eltwise_mul_f32", "rows,cols,bcast", check_mul, {9, 31, 1}},
    {"eltwise_add_inplace_f32", "rows,cols,bcast", check_add_inplace, {1, 1, 0}},
    {"eltwise_add_inplace_f32", "rows,cols,bcast", check_add_inplace, {1, 4099, 0}},
    {"eltwise_add_inplace_f32", "rows,cols,bcast", check_add_inplace, {11, 67, 1}},
    {"eltwise_scale_f32", "n", check_scale, {1}},
    {"eltwise_scale_f32", "n", check_scale, {65}},
    {"act_gelu_f32", "n", check_gelu, {1}},
    {"act_gelu_f32", "n", check_gelu, {4099}},
    {"act_gelu_tanh_f32", "n", check_gelu_tanh, {63}},
    {"act_gelu_tanh_f32", "n", check_gelu_tanh, {4099}},
    {"act_quick_gelu_f32", "n", check_quick_gelu, {65}},
    {"act_quick_gelu_f32", "n", check_quick_gelu, {4099}},
    {"act_silu_f32", "n", check_silu, {1}},
    {"act_silu_f32", "n", check_silu, {4099}},
    {"act_swiglu_f32", "rows,cols,fused", check_swiglu, {1, 1, 0}},
    {"act_swiglu_f32", "rows,cols,fused", check_swiglu, {3, 65, 0}},
    {"act_swiglu_f32", "rows,cols,fused", check_swiglu, {1, 1, 1}},
    {"act_swiglu_f32", "rows,cols,fused", check_swiglu, {5, 67, 1}},
    {"norm_layer_f32", "rows,cols,variant", check_layernorm, {1, 1, 0}},
    {"norm_layer_f32", "rows,cols,variant", check_layernorm, {3, 7, 0}},
    {"norm_layer_f32", "rows,cols,variant", check_layernorm, {2, 256, 0}},
    {"norm_layer_f32", "rows,cols,variant", check_layernorm, {3, 257, 0}},
    {"norm_layer_f32", "rows,cols,variant", check_layernorm, {2, 4099, 0}},
    {"norm_layer_f32", "rows,cols,variant", check_layernorm, {3, 7, 1}},
    {"norm_layer_f32", "rows,cols,variant", check_layernorm, {3, 1000, 1}},
    {"norm_rms_f32", "rows,cols,variant", check_rmsnorm, {1, 1, 0}},
    {"norm_rms_f32", "rows,cols,variant", check_rmsnorm, {5, 13, 0}},
    {"norm_rms_f32", "rows,cols,variant", check_rmsnorm, {3, 257, 0}},
    {"norm_rms_f32", "rows,cols,variant", check_rmsnorm, {2, 4099, 0}},
    {"norm_rms_f32", "rows,cols,variant", check_rmsnorm, {1, 1, 1}},
    {"norm_rms_f32", "rows,cols,variant", check_rmsnorm, {3, 1000, 1}},
    {"softmax_f32", "rows,cols,variant", check_softmax, {1, 1, 0}},
    {"softmax_f32", "rows,cols,variant", check_softmax, {4, 7, 0}},
    {"softmax_f32", "rows,cols,variant", check_softmax, {3, 257, 0}},
    {"softmax_f32", "rows,cols,variant", check_softmax, {2, 4099, 0}},
    {"softmax_f32", "rows,cols,variant", check_softmax, {4, 7, 1}},
    {"softmax_f32", "rows,cols,variant", check_softmax, {3, 1000, 1}},
    {"rope_neox_f32", "tokens,heads,head_dim,theta,strided,max_pos", check_rope, {1, 1, 2, 10000, 0, 1}},
    {"rope_neox_f32", "tokens,heads,head_dim,theta,strided,max_pos", check_rope, {7, 3, 64, 10000, 0, 4096}},
    {"rope_neox_f32", "tokens,heads,head_dim,theta,strided,max_pos", check_rope, {5, 2, 128, 1000000, 1, 4096}},
    {"rope_neox_f32", "tokens,heads,head_dim,theta,strided,max_pos", check_rope, {3, 5, 6, 500000, 1, 32768}},
    {"rope_neox_f32", "tokens,heads,head_dim,theta,strided,max_pos", check_rope, {33, 1, 80, 10000, 0, 100000}},
    {"rope_qkv_f32", "tokens,q_heads,kv_heads,head_dim,theta,padded", check_rope_qkv, {1, 1, 1, 2, 10000, 0}},
    {"rope_qkv_f32", "tokens,q_heads,kv_heads,head_dim,theta,padded", check_rope_qkv, {1, 9, 3, 64, 100000, 0}},
    {"rope_qkv_f32", "tokens,q_heads,kv_heads,head_dim,theta,padded", check_rope_qkv, {7, 4, 4, 6, 10000, 1}},
    {"rope_qkv_f32", "tokens,q_heads,kv_heads,head_dim,theta,padded", check_rope_qkv, {33, 5, 1, 128, 1000000, 1}},
    {"gather_rows_b32", "count,cols,src_rows,embedding", check_gather, {1, 1, 1, 0}},
    {"gather_rows_b32", "count,cols,src_rows,embedding", check_gather, {7, 13, 5, 0}},
    {"gather_rows_b32", "count,cols,src_rows,embedding", check_gather, {65, 3, 40, 1}},
    {"gather_rows_b32", "count,cols,src_rows,embedding", check_gather, {37, 257, 1000, 1}},
    {"scatter_rows_b32", "count,cols,dst_rows", check_scatter, {1, 1, 1}},
    {"scatter_rows_b32", "count,cols,dst_rows", check_scatter, {9, 7, 11}},
    {"scatter_rows_b32", "count,cols,dst_rows", check_scatter, {100, 65, 300}},
    {"scan_mask_u32", "rows,n,density", check_scan, {1, 1, 50}},
    {"scan_mask_u32", "rows,n,density", check_scan, {1, 255, 50}},
    {"scan_mask_u32", "rows,n,density", check_scan, {3, 257, 30}},
    {"scan_mask_u32", "rows,n,density", check_scan, {2, 4099, 70}},
    {"scan_mask_u32", "rows,n,density", check_scan, {1, 1000, 0}},
    {"scan_mask_u32", "rows,n,density", check_scan, {2, 300, 100}},
    {"scan_compact_rows", "n,cols,density", check_compact, {1, 1, 100}},
    {"scan_compact_rows", "n,cols,density", check_compact, {577, 13, 25}},
    {"topk_f32", "rows,n,k,largest,ties", check_topk, {1, 1, 1, 1, 0}},
    {"topk_f32", "rows,n,k,largest,ties", check_topk, {1, 10, 3, 1, 1}},
    {"topk_f32", "rows,n,k,largest,ties", check_topk, {2, 577, 64, 1, 1}},
    {"topk_f32", "rows,n,k,largest,ties", check_topk, {3, 1000, 100, 0, 0}},
    {"topk_f32", "rows,n,k,largest,ties", check_topk, {1, 300, 300, 1, 1}},
    {"topk_f32", "rows,n,k,largest,ties", check_topk, {1, 50, 80, 0, 1}},
    {"topk_f32", "rows,n,k,largest,ties", check_topk, {1, 2880, 288, 1, 0}},
    {"norm_l2_f32", "rows,cols,variant", check_l2norm, {1, 1, 0}},
    {"norm_l2_f32", "rows,cols,variant", check_l2norm, {3, 257, 0}},
    {"norm_l2_f32", "rows,cols,variant", check_l2norm, {2, 1000, 1}},
    {"cosine_similarity_f32", "m,n,d", check_cosine, {1, 1, 1}},
    {"cosine_similarity_f32", "m,n,d", check_cosine, {5, 7, 13}},
    {"cosine_similarity_f32", "m,n,d", check_cosine, {17, 9, 300}},
    {"merge_weighted_f32", "pairs,rows,cols", check_merge, {1, 2, 1}},
    {"merge_weighted_f32", "pairs,rows,cols", check_merge, {10, 20, 13}},
    {"merge_weighted_f32", "pairs,rows,cols", check_merge, {100, 576, 67}},
    {"grid_bilinear_f32", "in_h,in_w,out_h,out_w,cols", check_bilinear, {1, 1, 1, 1, 1}},
    {"grid_bilinear_f32", "in_h,in_w,out_h,out_w,cols", check_bilinear, {24, 24, 6, 6, 5}},
    {"grid_bilinear_f32", "in_h,in_w,out_h,out_w,cols", check_bilinear, {24, 24, 12, 12, 3}},
    {"grid_bilinear_f32", "in_h,in_w,out_h,out_w,cols", check_bilinear, {24, 24, 8, 8, 3}},
    {"grid_bilinear_f32", "in_h,in_w,out_h,out_w,cols", check_bilinear, {5, 7, 3, 4, 9}},
    {"grid_bilinear_f32", "in_h,in_w,out_h,out_w,cols", check_bilinear, {3, 3, 7, 5, 2}},
    {"grid_avgpool_f32", "in_h,in_w,f,cols", check_avgpool, {1, 1, 1, 1}},
    {"grid_avgpool_f32", "in_h,in_w,f,cols", check_avgpool, {24, 24, 4, 5}},
    {"grid_avgpool_f32", "in_h,in_w,f,cols", check_avgpool, {7, 9, 2, 3}},
    {"grid_nearest", "in_h,in_w,out_h,out_w,cols", check_nearest, {6, 6, 24, 24, 3}},
    {"grid_nearest", "in_h,in_w,out_h,out_w,cols", check_nearest, {3, 5, 7, 11, 2}},
    {"grid_nearest", "in_h,in_w,out_h,out_w,cols", check_nearest, {1, 1, 1, 1, 1}},
    {"pixel_shuffle", "h,w,dim,s", check_pixel_shuffle, {2, 2, 1, 2}},
    {"pixel_shuffle", "h,w,dim,s", check_pixel_shuffle, {8, 8, 5, 4}},
    {"pixel_shuffle", "h,w,dim,s", check_pixel_shuffle, {32, 32, 7, 4}},
    {"pixel_shuffle", "h,w,dim,s", check_pixel_shuffle, {6, 4, 3, 2}},
};

const op_case *op_check_cases_elementwise(int *count) {
    *count = (int)(sizeof elementwise_cases / sizeof elementwise_cases[0]);
    return elementwise_cases;
}

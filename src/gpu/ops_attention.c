/* ops_attention.c — see ops_attention.h. Variant and grid choices:
 *   prefill: one invocation per query row; the workgroup (rows) shrinks towards the subgroup size for short
 *            sequences so few lanes idle; K/V are read from global memory on every device for now.
 *   decode:  64 invocations (one key each per tile), subgroup reductions when the caps have subgroup
 *            arithmetic; keys split into chunks of DECODE_CHUNK over workgroups when a partial buffer is
 *            given, which keeps many workgroups busy for a single query row.
 *   score row: one invocation per key. */
#include "gpu/ops.h"

#include <math.h>

#include "core/status.h"

enum {
    DECODE_CHUNK = 256,     /* keys per decode workgroup when splitting */
    DECODE_MAX_SPLITS = 64, /* bounds the combine kernel's loop */
};

static uint32_t div_up(uint32_t a, uint32_t b) { return (a + b - 1) / b; }

/* Largest power of two <= n (n >= 1). */
static uint32_t pow2_floor(uint32_t n) {
    uint32_t p = 1;
    while (p * 2 <= n) p *= 2;
    return p;
}

/* Checks desc and fills the shared params struct with the defaults resolved. */
static vkvlm_status attention_params(const gpu_attention_desc *desc, const char *op, gpu_params_attention *p,
                                     vkvlm_error *err) {
    if (!desc->q_heads || !desc->kv_heads || desc->q_heads % desc->kv_heads)
        return vkvlm_error_set(err, VKVLM_ERR_USAGE, "%s: q_heads %u is not a positive multiple of kv_heads %u", op,
                               desc->q_heads, desc->kv_heads);
    if (!desc->head_dim || desc->head_dim > GPU_ATTN_MAX_HEAD_DIM)
        return vkvlm_error_set(err, VKVLM_ERR_UNSUPPORTED, "%s: head_dim %u outside 1..%u", op, desc->head_dim,
                               GPU_ATTN_MAX_HEAD_DIM);
    *p = (gpu_params_attention){
        .q_len = desc->q_len,
        .kv_len = desc->kv_len,
        .q_heads = desc->q_heads,
        .kv_heads = desc->kv_heads,
        .head_dim = desc->head_dim,
        .kv_row_stride = desc->kv_row_stride ? desc->kv_row_stride : desc->kv_heads * desc->head_dim,
        .kv_head_stride = desc->kv_head_stride ? desc->kv_head_stride : desc->head_dim,
        .causal = desc->causal,
        .scale = desc->scale != 0.0f ? desc->scale : (float)(1.0 / sqrt((double)desc->head_dim)),
        .splits = 1,
    };
    return VKVLM_OK;
}

/* Unused optional bindings still need a valid buffer: bind one the dispatch reads anyway. */
static gpu_binding or_else(gpu_binding b, gpu_binding fallback) { return b.buffer ? b : fallback; }

/* Query rows per invocation of the prefill kernel by default. On CPU Vulkan drivers (lavapipe, SwiftShader: the
 * slow_shared_memory quirk, forceable with VKVLM_QUIRKS) an invocation is a SIMD lane whose "registers" live in
 * memory anyway: giving it RB rows lets one load of a key
 * or value element serve RB rows, which measured 3-5x faster on lavapipe at RB 32 (docs/benchmarks.md). The
 * private arrays (2 * RB * D floats) are kept within 16 KiB: at 32 KiB (RB 64, D 64) lavapipe 22.3 returned
 * wrong results without any validation message. Other devices keep one row per invocation: RB > 1 there
 * trades registers for reuse, and nothing has been measured on a GPU yet. WebGPU's twin has no RB. */
static uint32_t prefill_rows_per_invocation(const gpu_caps *caps, uint32_t head_dim) {
    if (caps->backend != GPU_BACKEND_VULKAN || !caps->quirks.slow_shared_memory) return 1;
    uint32_t rb = GPU_ATTN_PREFILL_PRIVATE_FLOATS / (2 * head_dim);
    return rb > GPU_ATTN_PREFILL_MAX_ROWS ? GPU_ATTN_PREFILL_MAX_ROWS : rb < 1 ? 1 : rb;
}

vkvlm_status gpu_op_attention_prefill_f32_with(gpu_cmd *cmd, gpu_binding out, gpu_binding lse, gpu_binding q,
                                               gpu_binding k, gpu_binding v, gpu_binding pos_q, gpu_binding pos_k,
                                               const gpu_attention_desc *desc, uint32_t rows_per_invocation,
                                               vkvlm_error *err) {
    const gpu_caps *caps = gpu_device_caps(gpu_cmd_device(cmd));
    gpu_params_attention p;
    vkvlm_status st = attention_params(desc, "attention prefill", &p, err);
    if (st != VKVLM_OK || !p.q_len) return st;
    if (p.causal && (!pos_q.buffer || !pos_k.buffer))
        return vkvlm_error_set(err, VKVLM_ERR_USAGE, "attention prefill: causal needs both position buffers");
    uint32_t rb = rows_per_invocation ? rows_per_invocation : prefill_rows_per_invocation(caps, p.head_dim);
    if (rb > GPU_ATTN_PREFILL_MAX_ROWS || (uint64_t)rb * 2 * p.head_dim > GPU_ATTN_PREFILL_PRIVATE_FLOATS)
        return vkvlm_error_set(err, VKVLM_ERR_USAGE, "attention prefill: %u rows per invocation at head_dim %u", rb,
                               p.head_dim);
    if (rb > 1 && caps->backend != GPU_BACKEND_VULKAN)
        return vkvlm_error_set(err, VKVLM_ERR_UNSUPPORTED, "attention prefill: several rows per invocation are "
                               "Vulkan-only");
    p.has_lse = lse.buffer != NULL;
    /* 64 invocations, fewer when the rows would not fill them (down to a subgroup). With several rows each, one
     * subgroup: a CPU driver runs a workgroup on one thread, so 8 x 32 rows per workgroup leaves enough of them
     * (a 512-token prompt with 9 heads is 18) for every core. */
    uint32_t local = 64, min_local = caps->subgroup_size ? caps->subgroup_size : 1;
    while (((uint64_t)local / 2 * rb >= p.q_len || rb > 1) && local / 2 >= min_local) local /= 2;
    if (local > caps->max_workgroup_invocations) local = pow2_floor(caps->max_workgroup_invocations);
    gpu_dispatch_desc d = {.kernel = GPU_KERNEL_ATTN_PREFILL_F32,
                           .bindings = {q, k, v, or_else(pos_q, q), or_else(pos_k, q), out, or_else(lse, out)},
                           .params = &p,
                           .params_size = sizeof p,
                           .spec = {local, p.head_dim, 0, rb},
                           .groups = {div_up(p.q_len, local * rb), p.q_heads, 1}};
    return gpu_cmd_dispatch(cmd, &d, err);
}

vkvlm_status gpu_op_attention_prefill_f32(gpu_cmd *cmd, gpu_binding out, gpu_binding lse, gpu_binding q, gpu_binding k,
                                          gpu_binding v, gpu_binding pos_q, gpu_binding pos_k,
                                          const gpu_attention_desc *desc, vkvlm_error *err) {
    return gpu_op_attention_prefill_f32_with(cmd, out, lse, q, k, v, pos_q, pos_k, desc, 0, err);
}

/* The default split count for a decode shape. */
static uint32_t decode_splits(uint32_t kv_len) {
    uint32_t splits = div_up(kv_len, DECODE_CHUNK);
    return splits < 1 ? 1 : splits > DECODE_MAX_SPLITS ? DECODE_MAX_SPLITS : splits;
}

bool gpu_op_attention_decode_supported(const gpu_caps *caps, const gpu_attention_desc *desc,
                                       gpu_attention_reduce reduce) {
    const uint32_t subgroup_needs = GPU_SUBGROUP_BASIC | GPU_SUBGROUP_ARITHMETIC;
    bool has_subgroup = (caps->subgroup_ops & subgroup_needs) == subgroup_needs;
    switch (reduce) {
    case GPU_ATTN_REDUCE_AUTO:
    case GPU_ATTN_REDUCE_SHARED: return true;
    case GPU_ATTN_REDUCE_SUBGROUP: return has_subgroup;
    case GPU_ATTN_REDUCE_LANES: {
        /* the workgroup must be exactly one subgroup: a known, fixed size (a driver whose size varies has it
         * pinned by the quirk table, or no subgroup ops) */
        uint32_t group = desc->kv_heads ? desc->q_heads / desc->kv_heads : 0;
        return has_subgroup && caps->backend == GPU_BACKEND_VULKAN && caps->subgroup_size >= 1 &&
               caps->subgroup_size <= caps->max_workgroup_invocations && group >= 1 &&
               (uint64_t)group * desc->head_dim * 2 <= GPU_ATTN_PREFILL_PRIVATE_FLOATS;
    }
    }
    return false;
}

uint64_t gpu_op_attention_decode_partial_bytes(const gpu_attention_desc *desc) {
    uint32_t splits = decode_splits(desc->kv_len);
    if (splits <= 1) return 0;
    return (uint64_t)desc->q_len * desc->q_heads * splits * (desc->head_dim + 2) * sizeof(float);
}

vkvlm_status gpu_op_attention_decode_f32_with(gpu_cmd *cmd, gpu_binding out, gpu_binding lse, gpu_binding partial,
                                              gpu_binding q, gpu_binding k, gpu_binding v, gpu_binding pos_q,
                                              gpu_binding pos_k, const gpu_attention_desc *desc,
                                              gpu_attention_reduce reduce, uint32_t splits, vkvlm_error *err) {
    const gpu_caps *caps = gpu_device_caps(gpu_cmd_device(cmd));
    gpu_params_attention p;
    vkvlm_status st = attention_params(desc, "attention decode", &p, err);
    if (st != VKVLM_OK || !p.q_len) return st;
    if (p.causal && (!pos_q.buffer || !pos_k.buffer))
        return vkvlm_error_set(err, VKVLM_ERR_USAGE, "attention decode: causal needs both position buffers");
    p.has_lse = lse.buffer != NULL;

    bool has_subgroup = gpu_op_attention_decode_supported(caps, desc, GPU_ATTN_REDUCE_SUBGROUP);
    bool lanes_ok = gpu_op_attention_decode_supported(caps, desc, GPU_ATTN_REDUCE_LANES);
    uint32_t group = p.q_heads / p.kv_heads;
    if (reduce == GPU_ATTN_REDUCE_AUTO)
        reduce = lanes_ok && caps->quirks.slow_shared_memory ? GPU_ATTN_REDUCE_LANES
                 : has_subgroup                          ? GPU_ATTN_REDUCE_SUBGROUP
                                                         : GPU_ATTN_REDUCE_SHARED;
    if (reduce == GPU_ATTN_REDUCE_SUBGROUP && !has_subgroup)
        return vkvlm_error_set(err, VKVLM_ERR_UNSUPPORTED, "attention decode: the device lacks subgroup arithmetic");
    if (reduce == GPU_ATTN_REDUCE_LANES && !lanes_ok)
        return vkvlm_error_set(err, VKVLM_ERR_UNSUPPORTED, "attention decode: the lanes variant needs Vulkan, subgroup "
                               "arithmetic, a fixed subgroup size and %u x %u private floats", group, p.head_dim);
    /* 64 keys per tile; a power of two for the tree, and a multiple of the subgroup size so no subgroup is
     * partial. */
    uint32_t local = caps->subgroup_size > 64 ? caps->subgroup_size : 64;
    if (local > caps->max_workgroup_invocations) local = pow2_floor(caps->max_workgroup_invocations);

    if (!splits) splits = partial.buffer ? decode_splits(p.kv_len) : 1;
    if (splits > DECODE_MAX_SPLITS)
        return vkvlm_error_set(err, VKVLM_ERR_LIMIT, "attention decode: %u splits exceed %u", splits,
                               (unsigned)DECODE_MAX_SPLITS);
    p.splits = splits;
    p.chunk = splits > 1 ? div_up(p.kv_len, splits) : p.kv_len;
    if (splits > 1) {
        uint64_t need = (uint64_t)p.q_len * p.q_heads * splits * (p.head_dim + 2) * sizeof(float);
        uint64_t have = !partial.buffer ? 0
                        : partial.size  ? partial.size
                                        : gpu_buffer_size(partial.buffer) - partial.offset;
        if (have < need)
            return vkvlm_error_set(err, VKVLM_ERR_USAGE,
                                   "attention decode: partial buffer holds %llu bytes, %u splits need %llu",
                                   (unsigned long long)have, splits, (unsigned long long)need);
    }
    gpu_dispatch_desc d = {.kernel = reduce == GPU_ATTN_REDUCE_SUBGROUP ? GPU_KERNEL_ATTN_DECODE_SG_F32
                                                                        : GPU_KERNEL_ATTN_DECODE_F32,
                           .bindings = {q, k, v, or_else(pos_q, q), or_else(pos_k, q), out, or_else(lse, out),
                                        or_else(partial, out)},
                           .params = &p,
                           .params_size = sizeof p,
                           .spec = {local, p.head_dim},
                           .groups = {p.q_heads, splits, p.q_len}};
    if (reduce == GPU_ATTN_REDUCE_LANES) {
        /* measured on lavapipe: attention was 30% of a decoded token with the tile kernel (docs/benchmarks.md) */
        d.kernel = GPU_KERNEL_ATTN_DECODE_LANES_F32;
        d.spec[0] = caps->subgroup_size;
        d.spec[2] = group;
        d.groups[0] = p.kv_heads;
    }
    st = gpu_cmd_dispatch(cmd, &d, err);
    if (st != VKVLM_OK || splits == 1) return st;
    gpu_dispatch_desc c = {.kernel = GPU_KERNEL_ATTN_DECODE_COMBINE_F32,
                           .bindings = {partial, out, or_else(lse, out)},
                           .params = &p,
                           .params_size = sizeof p,
                           .spec = {local, p.head_dim},
                           .groups = {p.q_heads, p.q_len, 1}};
    return gpu_cmd_dispatch(cmd, &c, err);
}

vkvlm_status gpu_op_attention_decode_f32(gpu_cmd *cmd, gpu_binding out, gpu_binding lse, gpu_binding partial,
                                         gpu_binding q, gpu_binding k, gpu_binding v, gpu_binding pos_q,
                                         gpu_binding pos_k, const gpu_attention_desc *desc, vkvlm_error *err) {
    return gpu_op_attention_decode_f32_with(cmd, out, lse, partial, q, k, v, pos_q, pos_k, desc,
                                            GPU_ATTN_REDUCE_AUTO, 0, err);
}

vkvlm_status gpu_op_attention_score_row_f32(gpu_cmd *cmd, gpu_binding scores, gpu_binding q, gpu_binding k,
                                            gpu_binding pos_q, gpu_binding pos_k, gpu_binding lse, uint32_t row,
                                            const gpu_attention_desc *desc, vkvlm_error *err) {
    const gpu_caps *caps = gpu_device_caps(gpu_cmd_device(cmd));
    gpu_params_attention p;
    vkvlm_status st = attention_params(desc, "attention score row", &p, err);
    if (st != VKVLM_OK || !p.kv_len) return st;
    if (!lse.buffer) return vkvlm_error_set(err, VKVLM_ERR_USAGE, "attention score row: needs the prefill's lse");
    if (row >= p.q_len)
        return vkvlm_error_set(err, VKVLM_ERR_USAGE, "attention score row: row %u outside %u query rows", row, p.q_len);
    if (p.causal && (!pos_q.buffer || !pos_k.buffer))
        return vkvlm_error_set(err, VKVLM_ERR_USAGE, "attention score row: causal needs both position buffers");
    p.row = row;
    uint32_t local = 64 > caps->max_workgroup_invocations ? pow2_floor(caps->max_workgroup_invocations) : 64;
    gpu_dispatch_desc d = {.kernel = GPU_KERNEL_ATTN_SCORE_ROW_F32,
                           .bindings = {q, k, or_else(pos_q, q), or_else(pos_k, q), lse, scores},
                           .params = &p,
                           .params_size = sizeof p,
                           .spec = {local, p.head_dim},
                           .groups = {div_up(p.kv_len, local), 1, 1}};
    return gpu_cmd_dispatch(cmd, &d, err);
}

/* ops_elementwise.c — see ops_elementwise.h. Element kernels run one invocation per element (or per pair)
 * on a 2-D grid (x up to the device's workgroup-count limit, the rest on y); row kernels run one workgroup
 * per row, with the subgroup-reduction variant where the device has subgroup arithmetic and the
 * shared-memory tree otherwise. Index tables for pixel shuffle and nearest resampling are host code here. */
#include "gpu/ops.h"

#include <math.h>

#include "core/status.h"

static uint32_t div_up(uint32_t a, uint32_t b) { return (a + b - 1) / b; }

static uint32_t max_groups_x(const gpu_caps *caps) {
    return caps->max_workgroup_count[0] ? caps->max_workgroup_count[0] : 65535;
}

/* Workgroups for `count` items of `per_group` each: x up to the axis limit, the rest on y. */
static void grid_2d(const gpu_caps *caps, uint32_t count, uint32_t per_group, uint32_t groups[3]) {
    uint32_t total = div_up(count ? count : 1, per_group);
    uint32_t max_x = max_groups_x(caps);
    groups[0] = total < max_x ? total : max_x;
    groups[1] = div_up(total, groups[0]);
    groups[2] = 1;
}

/* Element kernels: 64 lanes, or the subgroup size if larger, within the invocation limit. */
static uint32_t element_local(const gpu_caps *caps) {
    uint32_t local = caps->subgroup_size > 64 ? caps->subgroup_size : 64;
    return local > caps->max_workgroup_invocations ? caps->max_workgroup_invocations : local;
}

static vkvlm_status element_dispatch(gpu_cmd *cmd, gpu_kernel kernel, const gpu_binding *bindings, int count,
                                     const void *params, uint32_t params_size, uint32_t n, const char *label,
                                     vkvlm_error *err) {
    const gpu_caps *caps = gpu_device_caps(gpu_cmd_device(cmd));
    gpu_dispatch_desc d = {.kernel = kernel, .params = params, .params_size = params_size, .label = label};
    for (int i = 0; i < count; i++) d.bindings[i] = bindings[i];
    d.spec[0] = element_local(caps);
    grid_2d(caps, n, d.spec[0], d.groups);
    return gpu_cmd_dispatch(cmd, &d, err);
}

static vkvlm_status binary(gpu_cmd *cmd, gpu_binding out, gpu_binding a, gpu_binding b, uint32_t n, uint32_t b_n,
                           uint32_t op, const char *label, vkvlm_error *err) {
    if (b_n == 0 || b_n > n)
        return vkvlm_error_set(err, VKVLM_ERR_USAGE, "%s: broadcast length %u not in 1..%u", label, b_n, n);
    gpu_params_eltwise_binary p = {.n = n, .b_n = b_n, .op = op};
    gpu_binding bind[3] = {a, b, out};
    return element_dispatch(cmd, GPU_KERNEL_ELTWISE_BINARY_F32, bind, 3, &p, sizeof p, n, label, err);
}

vkvlm_status gpu_op_eltwise_add_f32(gpu_cmd *cmd, gpu_binding out, gpu_binding a, gpu_binding b, uint32_t n,
                                    uint32_t b_n, vkvlm_error *err) {
    return binary(cmd, out, a, b, n, b_n, GPU_ELTWISE_ADD, "eltwise_add_f32", err);
}

vkvlm_status gpu_op_eltwise_mul_f32(gpu_cmd *cmd, gpu_binding out, gpu_binding a, gpu_binding b, uint32_t n,
                                    uint32_t b_n, vkvlm_error *err) {
    return binary(cmd, out, a, b, n, b_n, GPU_ELTWISE_MUL, "eltwise_mul_f32", err);
}

vkvlm_status gpu_op_add_inplace_f32(gpu_cmd *cmd, gpu_binding y, gpu_binding x, uint32_t n, uint32_t x_n,
                                    vkvlm_error *err) {
    if (x_n == 0 || x_n > n)
        return vkvlm_error_set(err, VKVLM_ERR_USAGE, "add_inplace_f32: broadcast length %u not in 1..%u", x_n, n);
    gpu_params_eltwise_inplace p = {.n = n, .x_n = x_n};
    gpu_binding bind[2] = {x, y};
    return element_dispatch(cmd, GPU_KERNEL_ELTWISE_ADD_INPLACE_F32, bind, 2, &p, sizeof p, n, NULL, err);
}

static vkvlm_status unary(gpu_cmd *cmd, gpu_binding out, gpu_binding x, uint32_t n, uint32_t op, float s,
                          const char *label, vkvlm_error *err) {
    gpu_params_act p = {.n = n, .op = op, .s = s};
    gpu_binding bind[2] = {x, out};
    return element_dispatch(cmd, GPU_KERNEL_ACT_UNARY_F32, bind, 2, &p, sizeof p, n, label, err);
}

vkvlm_status gpu_op_scale_f32(gpu_cmd *cmd, gpu_binding out, gpu_binding x, uint32_t n, float s, vkvlm_error *err) {
    return unary(cmd, out, x, n, GPU_ACT_SCALE, s, "scale_f32", err);
}
vkvlm_status gpu_op_gelu_f32(gpu_cmd *cmd, gpu_binding out, gpu_binding x, uint32_t n, vkvlm_error *err) {
    return unary(cmd, out, x, n, GPU_ACT_GELU, 0, "gelu_f32", err);
}
vkvlm_status gpu_op_gelu_tanh_f32(gpu_cmd *cmd, gpu_binding out, gpu_binding x, uint32_t n, vkvlm_error *err) {
    return unary(cmd, out, x, n, GPU_ACT_GELU_TANH, 0, "gelu_tanh_f32", err);
}
vkvlm_status gpu_op_quick_gelu_f32(gpu_cmd *cmd, gpu_binding out, gpu_binding x, uint32_t n, vkvlm_error *err) {
    return unary(cmd, out, x, n, GPU_ACT_QUICK_GELU, 0, "quick_gelu_f32", err);
}
vkvlm_status gpu_op_silu_f32(gpu_cmd *cmd, gpu_binding out, gpu_binding x, uint32_t n, vkvlm_error *err) {
    return unary(cmd, out, x, n, GPU_ACT_SILU, 0, "silu_f32", err);
}

static vkvlm_status swiglu(gpu_cmd *cmd, gpu_binding out, gpu_binding gate, gpu_binding up, uint32_t rows,
                           uint32_t cols, bool fused, vkvlm_error *err) {
    if ((uint64_t)rows * cols > UINT32_MAX)
        return vkvlm_error_set(err, VKVLM_ERR_LIMIT, "swiglu_f32: %u x %u elements exceed 2^32", rows, cols);
    gpu_params_swiglu p = {
        .rows = rows, .cols = cols, .stride = fused ? 2 * cols : cols, .up_offset = fused ? cols : 0};
    gpu_binding bind[3] = {gate, up, out};
    return element_dispatch(cmd, GPU_KERNEL_ACT_SWIGLU_F32, bind, 3, &p, sizeof p, rows * cols,
                            fused ? "swiglu_fused_f32" : "swiglu_f32", err);
}

vkvlm_status gpu_op_swiglu_f32(gpu_cmd *cmd, gpu_binding out, gpu_binding gate, gpu_binding up, uint32_t rows,
                               uint32_t cols, vkvlm_error *err) {
    return swiglu(cmd, out, gate, up, rows, cols, false, err);
}

vkvlm_status gpu_op_swiglu_fused_f32(gpu_cmd *cmd, gpu_binding out, gpu_binding gate_up, uint32_t rows,
                                     uint32_t cols, vkvlm_error *err) {
    /* Both read bindings view the same buffer; the up half starts cols elements into each row. */
    return swiglu(cmd, out, gate_up, gate_up, rows, cols, true, err);
}

/* Row kernels: the smallest power of two covering the row (so short rows leave few lanes idle), at least
 * the subgroup size, at most 256 and the device's invocation limit. */
static uint32_t row_local(const gpu_caps *caps, uint32_t cols) {
    uint32_t cap = 256;
    while (cap > 1 && cap > caps->max_workgroup_invocations) cap >>= 1;
    uint32_t local = 1;
    while (local < cols && local < cap) local <<= 1;
    while (local < caps->subgroup_size && local < cap) local <<= 1;
    return local;
}

vkvlm_status gpu_op_row_kernel(gpu_cmd *cmd, gpu_kernel kernel, const gpu_binding *bindings, const void *params,
                               uint32_t params_size, uint32_t rows, uint32_t cols, vkvlm_error *err) {
    const gpu_kernel_info *info = gpu_kernel_get(kernel);
    if (!info) return vkvlm_error_set(err, VKVLM_ERR_USAGE, "row kernel: unknown kernel %d", (int)kernel);
    if (rows == 0) return VKVLM_OK; /* the grid would still run one workgroup: nothing to do */
    const gpu_caps *caps = gpu_device_caps(gpu_cmd_device(cmd));
    gpu_dispatch_desc d = {.kernel = kernel, .params = params, .params_size = params_size};
    for (uint32_t i = 0; i < info->bindings && i < GPU_MAX_BINDINGS; i++) d.bindings[i] = bindings[i];
    d.spec[0] = row_local(caps, cols);
    grid_2d(caps, rows, 1, d.groups);
    return gpu_cmd_dispatch(cmd, &d, err);
}

/* The subgroup variant where the device has subgroup arithmetic, else the shared-memory one. */
static gpu_kernel row_variant(gpu_cmd *cmd, gpu_kernel shared_kernel, gpu_kernel subgroup_kernel) {
    const gpu_caps *caps = gpu_device_caps(gpu_cmd_device(cmd));
    return (caps->subgroup_ops & GPU_SUBGROUP_ARITHMETIC) ? subgroup_kernel : shared_kernel;
}

vkvlm_status gpu_op_layernorm_f32(gpu_cmd *cmd, gpu_binding y, gpu_binding x, gpu_binding w, gpu_binding b,
                                  uint32_t rows, uint32_t cols, float eps, vkvlm_error *err) {
    gpu_params_norm p = {.rows = rows, .cols = cols, .eps = eps};
    gpu_binding bind[4] = {x, w, b, y};
    return gpu_op_row_kernel(cmd, row_variant(cmd, GPU_KERNEL_NORM_LAYER_F32, GPU_KERNEL_NORM_LAYER_SG_F32), bind, &p,
                             sizeof p, rows, cols, err);
}

vkvlm_status gpu_op_rmsnorm_f32(gpu_cmd *cmd, gpu_binding y, gpu_binding x, gpu_binding w, uint32_t rows,
                                uint32_t cols, float eps, vkvlm_error *err) {
    gpu_params_norm p = {.rows = rows, .cols = cols, .eps = eps};
    gpu_binding bind[3] = {x, w, y};
    return gpu_op_row_kernel(cmd, row_variant(cmd, GPU_KERNEL_NORM_RMS_F32, GPU_KERNEL_NORM_RMS_SG_F32), bind, &p,
                             sizeof p, rows, cols, err);
}

vkvlm_status gpu_op_softmax_f32(gpu_cmd *cmd, gpu_binding y, gpu_binding x, uint32_t rows, uint32_t cols,
                                vkvlm_error *err) {
    gpu_params_rows p = {.rows = rows, .cols = cols};
    gpu_binding bind[2] = {x, y};
    return gpu_op_row_kernel(cmd, row_variant(cmd, GPU_KERNEL_SOFTMAX_F32, GPU_KERNEL_SOFTMAX_SG_F32), bind, &p,
                             sizeof p, rows, cols, err);
}

vkvlm_status gpu_op_rope_f32(gpu_cmd *cmd, gpu_binding y, gpu_binding x, gpu_binding pos, gpu_binding inv_freq,
                             uint32_t tokens, uint32_t heads, uint32_t head_dim, uint32_t in_stride,
                             uint32_t out_stride, vkvlm_error *err) {
    uint64_t row = (uint64_t)heads * head_dim;
    if (head_dim == 0 || head_dim % 2)
        return vkvlm_error_set(err, VKVLM_ERR_USAGE, "rope_f32: head_dim %u is not a positive even number", head_dim);
    if (!in_stride) in_stride = (uint32_t)row;
    if (!out_stride) out_stride = (uint32_t)row;
    if (in_stride < row || out_stride < row)
        return vkvlm_error_set(err, VKVLM_ERR_USAGE, "rope_f32: token strides %u, %u below heads*head_dim %llu",
                               in_stride, out_stride, (unsigned long long)row);
    uint64_t pairs = (uint64_t)tokens * heads * (head_dim / 2);
    if (pairs > UINT32_MAX || (uint64_t)tokens * in_stride > UINT32_MAX || (uint64_t)tokens * out_stride > UINT32_MAX)
        return vkvlm_error_set(err, VKVLM_ERR_LIMIT, "rope_f32: %u tokens x %u heads exceed 32-bit indexing", tokens,
                               heads);
    gpu_params_rope p = {.tokens = tokens, .heads = heads, .head_dim = head_dim, .in_stride = in_stride,
                         .out_stride = out_stride};
    gpu_binding bind[4] = {x, pos, inv_freq, y};
    return element_dispatch(cmd, GPU_KERNEL_ROPE_NEOX_F32, bind, 4, &p, sizeof p, (uint32_t)pairs, NULL, err);
}

vkvlm_status gpu_op_rope_qkv_f32(gpu_cmd *cmd, gpu_binding q_out, gpu_binding k_out, gpu_binding v_out,
                                 gpu_binding pos_out, gpu_binding qkv, gpu_binding pos, gpu_binding inv_freq,
                                 uint32_t tokens, uint32_t q_heads, uint32_t kv_heads, uint32_t head_dim,
                                 uint32_t in_stride, vkvlm_error *err) {
    uint64_t heads = (uint64_t)q_heads + 2ull * kv_heads, row = heads * head_dim;
    if (head_dim == 0 || head_dim % 2 || q_heads == 0 || kv_heads == 0)
        return vkvlm_error_set(err, VKVLM_ERR_USAGE, "rope_qkv_f32: %u q heads, %u kv heads of head_dim %u (even, > 0)",
                               q_heads, kv_heads, head_dim);
    if (!in_stride) in_stride = (uint32_t)row;
    if (in_stride < row)
        return vkvlm_error_set(err, VKVLM_ERR_USAGE, "rope_qkv_f32: token stride %u below the qkv row of %llu", in_stride,
                               (unsigned long long)row);
    uint64_t pairs = (uint64_t)tokens * heads * (head_dim / 2);
    if (pairs > UINT32_MAX || (uint64_t)tokens * in_stride > UINT32_MAX)
        return vkvlm_error_set(err, VKVLM_ERR_LIMIT, "rope_qkv_f32: %u tokens x %llu heads exceed 32-bit indexing",
                               tokens, (unsigned long long)heads);
    /* pos_out is a slice of the KV cache's positions that starts at any token: bound as it is, a misaligned
     * offset would make the dispatch bounce it through scratch (two copies and an allocation per layer per
     * decoded token), so bind from the aligned offset below it and index from there */
    uint64_t align = gpu_device_caps(gpu_cmd_device(cmd))->min_storage_offset_alignment;
    uint64_t lead = align > 1 ? pos_out.offset % align : 0;
    if (lead % 4) return vkvlm_error_set(err, VKVLM_ERR_USAGE, "rope_qkv_f32: pos_out offset not a multiple of 4");
    pos_out.offset -= lead;
    pos_out.size += lead;
    gpu_params_rope_qkv p = {.tokens = tokens, .q_heads = q_heads, .kv_heads = kv_heads, .head_dim = head_dim,
                             .in_stride = in_stride, .pos_first = (uint32_t)(lead / 4)};
    gpu_binding bind[7] = {qkv, pos, inv_freq, q_out, k_out, v_out, pos_out};
    return element_dispatch(cmd, GPU_KERNEL_ROPE_QKV_F32, bind, 7, &p, sizeof p, (uint32_t)pairs, NULL, err);
}

void gpu_rope_inv_freq_f32(float *out, uint32_t head_dim, float theta) {
    /* torch: arange(0, dim, 2).float() / dim is an f32 division, base ** that an f32 pow, 1.0 / that an f32
     * division; each step rounds to float here too. */
    for (uint32_t i = 0; i < head_dim / 2; i++) {
        float e = (float)(2 * i) / (float)head_dim;
        out[i] = 1.0f / powf(theta, e);
    }
}

static vkvlm_status rows_fit(const char *what, uint32_t rows, uint32_t cols, vkvlm_error *err) {
    if ((uint64_t)rows * cols > UINT32_MAX)
        return vkvlm_error_set(err, VKVLM_ERR_LIMIT, "%s: %u x %u elements exceed 32-bit indexing", what, rows, cols);
    return VKVLM_OK;
}

static vkvlm_status gather(gpu_cmd *cmd, gpu_binding out, gpu_binding src, gpu_binding idx, uint32_t count,
                           uint32_t cols, uint32_t src_rows, const char *label, vkvlm_error *err) {
    vkvlm_status st = rows_fit(label, count, cols, err);
    if (st != VKVLM_OK) return st;
    gpu_params_gather p = {.count = count, .cols = cols, .src_rows = src_rows};
    gpu_binding bind[3] = {src, idx, out};
    return element_dispatch(cmd, GPU_KERNEL_GATHER_ROWS_B32, bind, 3, &p, sizeof p, count * cols, label, err);
}

vkvlm_status gpu_op_embedding_f32(gpu_cmd *cmd, gpu_binding out, gpu_binding table, gpu_binding ids, uint32_t count,
                                  uint32_t cols, uint32_t vocab, vkvlm_error *err) {
    return gather(cmd, out, table, ids, count, cols, vocab, "embedding_f32", err);
}

vkvlm_status gpu_op_gather_rows(gpu_cmd *cmd, gpu_binding out, gpu_binding src, gpu_binding idx, uint32_t count,
                                uint32_t cols, uint32_t src_rows, vkvlm_error *err) {
    return gather(cmd, out, src, idx, count, cols, src_rows, "gather_rows", err);
}

vkvlm_status gpu_op_scatter_rows(gpu_cmd *cmd, gpu_binding dst, gpu_binding src, gpu_binding idx, uint32_t count,
                                 uint32_t cols, uint32_t dst_rows, vkvlm_error *err) {
    vkvlm_status st = rows_fit("scatter_rows", count, cols, err);
    if (st != VKVLM_OK) return st;
    gpu_params_gather p = {.count = count, .cols = cols, .src_rows = dst_rows};
    gpu_binding bind[3] = {src, idx, dst};
    return element_dispatch(cmd, GPU_KERNEL_SCATTER_ROWS_B32, bind, 3, &p, sizeof p, count * cols, NULL, err);
}

vkvlm_status gpu_op_scan_mask(gpu_cmd *cmd, gpu_binding offsets, gpu_binding kept, gpu_binding mask, uint32_t rows,
                              uint32_t n, vkvlm_error *err) {
    vkvlm_status st = rows_fit("scan_mask", rows, n + 1, err);
    if (st != VKVLM_OK) return st;
    gpu_params_rows p = {.rows = rows, .cols = n};
    gpu_binding bind[3] = {mask, offsets, kept};
    /* One workgroup per row, sized like the row kernels (a power of two, as the shared scan needs). */
    return gpu_op_row_kernel(cmd, GPU_KERNEL_SCAN_MASK_U32, bind, &p, sizeof p, rows, n, err);
}

vkvlm_status gpu_op_topk_f32(gpu_cmd *cmd, gpu_binding kept, gpu_binding mask, gpu_binding offsets, gpu_binding v,
                             uint32_t rows, uint32_t n, uint32_t k, bool largest, vkvlm_error *err) {
    vkvlm_status st = rows_fit("topk_f32", rows, n + 1, err);
    if (st != VKVLM_OK) return st;
    gpu_params_topk p = {.rows = rows, .n = n, .k = k, .largest = largest};
    gpu_binding bind[2] = {v, mask};
    st = element_dispatch(cmd, GPU_KERNEL_TOPK_RANK_F32, bind, 2, &p, sizeof p, rows * n, NULL, err);
    if (st != VKVLM_OK) return st;
    return gpu_op_scan_mask(cmd, offsets, kept, mask, rows, n, err);
}

vkvlm_status gpu_op_l2norm_f32(gpu_cmd *cmd, gpu_binding y, gpu_binding x, uint32_t rows, uint32_t cols, float eps,
                               vkvlm_error *err) {
    gpu_params_norm p = {.rows = rows, .cols = cols, .eps = eps};
    gpu_binding bind[2] = {x, y};
    return gpu_op_row_kernel(cmd, row_variant(cmd, GPU_KERNEL_NORM_L2_F32, GPU_KERNEL_NORM_L2_SG_F32), bind, &p,
                             sizeof p, rows, cols, err);
}

vkvlm_status gpu_op_cosine_similarity_f32(gpu_cmd *cmd, gpu_binding s, gpu_binding a_norm, gpu_binding b_norm,
                                          gpu_binding a, gpu_binding b, uint32_t m, uint32_t n, uint32_t d,
                                          vkvlm_error *err) {
    vkvlm_status st = gpu_op_l2norm_f32(cmd, a_norm, a, m, d, 1e-12f, err);
    if (st == VKVLM_OK) st = gpu_op_l2norm_f32(cmd, b_norm, b, n, d, 1e-12f, err);
    if (st == VKVLM_OK) st = gpu_op_matmul_f32(cmd, s, a_norm, b_norm, (gpu_binding){0}, m, n, d, err);
    return st;
}

vkvlm_status gpu_op_merge_weighted_f32(gpu_cmd *cmd, gpu_binding x, gpu_binding src, gpu_binding dst,
                                       gpu_binding alpha, uint32_t pairs, uint32_t rows, uint32_t cols,
                                       vkvlm_error *err) {
    vkvlm_status st = rows_fit("merge_weighted_f32", pairs, cols, err);
    if (st != VKVLM_OK) return st;
    gpu_params_merge p = {.pairs = pairs, .cols = cols, .rows = rows};
    gpu_binding bind[4] = {x, src, dst, alpha};
    return element_dispatch(cmd, GPU_KERNEL_MERGE_WEIGHTED_F32, bind, 4, &p, sizeof p, pairs * cols, NULL, err);
}

vkvlm_status gpu_op_grid_bilinear_f32(gpu_cmd *cmd, gpu_binding y, gpu_binding x, uint32_t in_h, uint32_t in_w,
                                      uint32_t out_h, uint32_t out_w, uint32_t cols, vkvlm_error *err) {
    if (!in_h || !in_w || !out_h || !out_w)
        return vkvlm_error_set(err, VKVLM_ERR_USAGE, "grid_bilinear_f32: empty grid %ux%u -> %ux%u", in_h, in_w, out_h,
                               out_w);
    vkvlm_status st = rows_fit("grid_bilinear_f32", out_h * out_w, cols, err);
    if (st != VKVLM_OK) return st;
    gpu_params_grid p = {.in_h = in_h, .in_w = in_w, .out_h = out_h, .out_w = out_w, .cols = cols};
    gpu_binding bind[2] = {x, y};
    return element_dispatch(cmd, GPU_KERNEL_GRID_BILINEAR_F32, bind, 2, &p, sizeof p, out_h * out_w * cols, NULL,
                            err);
}

vkvlm_status gpu_op_grid_avgpool_f32(gpu_cmd *cmd, gpu_binding y, gpu_binding x, uint32_t in_h, uint32_t in_w,
                                     uint32_t f, uint32_t cols, vkvlm_error *err) {
    if (f == 0 || in_h < f || in_w < f)
        return vkvlm_error_set(err, VKVLM_ERR_USAGE, "grid_avgpool_f32: pool %u does not fit the grid %ux%u", f, in_h,
                               in_w);
    uint32_t cells = (in_h / f) * (in_w / f);
    vkvlm_status st = rows_fit("grid_avgpool_f32", cells, cols, err);
    if (st != VKVLM_OK) return st;
    gpu_params_pool p = {.in_h = in_h, .in_w = in_w, .cols = cols, .f = f};
    gpu_binding bind[2] = {x, y};
    return element_dispatch(cmd, GPU_KERNEL_GRID_AVGPOOL_F32, bind, 2, &p, sizeof p, cells * cols, NULL, err);
}

void gpu_pixel_shuffle_index(int32_t *idx, uint32_t h, uint32_t w, uint32_t s) {
    uint32_t ow = w / s, q = 0;
    for (uint32_t h2 = 0; h2 < h / s; h2++)
        for (uint32_t w2 = 0; w2 < ow; w2++)
            for (uint32_t hr = 0; hr < s; hr++)
                for (uint32_t wr = 0; wr < s; wr++) idx[q++] = (int32_t)((h2 * s + hr) * w + w2 * s + wr);
}

/* torch's nearest source index: floor(dst * scale) in float, scale = in/out as a float, clamped. */
static uint32_t nearest_source(uint32_t o, uint32_t n_in, uint32_t n_out) {
    float scale = (float)n_in / (float)n_out;
    uint32_t i = (uint32_t)floorf((float)o * scale);
    return i < n_in ? i : n_in - 1;
}

void gpu_grid_nearest_index(int32_t *idx, uint32_t in_h, uint32_t in_w, uint32_t out_h, uint32_t out_w) {
    for (uint32_t y = 0; y < out_h; y++)
        for (uint32_t x = 0; x < out_w; x++)
            idx[y * out_w + x] = (int32_t)(nearest_source(y, in_h, out_h) * in_w + nearest_source(x, in_w, out_w));
}

/* kernels_elementwise.h — kernel-table rows and parameter structs of the elementwise group: element-wise ops,
 * activations, norms (layer, RMS, L2), softmax, rope, row gather/scatter, mask scan (compaction, top-k lists),
 * top-k ranks, weighted merge, token-grid resampling. Included by gpu/kernels.h only; see there for the row
 * format.
 *
 * Row kernels (norm_*, softmax_*) come in two variants with the same bindings and params: *_sg_f32 reduces
 * with subgroup arithmetic, *_f32 with a shared-memory tree (devices without GPU_SUBGROUP_ARITHMETIC). They
 * and scan_mask_u32 (shared memory only) run one workgroup per row whose size (spec constant 0) must be a
 * power of two. */
#ifndef VKVLM_GPU_KERNELS_ELEMENTWISE_H
#define VKVLM_GPU_KERNELS_ELEMENTWISE_H

#include <stdint.h>

/* The op field of gpu_params_eltwise_binary. */
enum { GPU_ELTWISE_ADD = 0, GPU_ELTWISE_MUL = 1 };

/* out[i] = a[i] (op) b[i % b_n], i < n: b_n = n element-wise, b_n = row length broadcasts a row vector */
typedef struct gpu_params_eltwise_binary {
    uint32_t n;   /* elements of a and out */
    uint32_t b_n; /* elements of b, 1 <= b_n <= n */
    uint32_t op;  /* GPU_ELTWISE_* */
} gpu_params_eltwise_binary;

/* y[i] += x[i % x_n], i < n */
typedef struct gpu_params_eltwise_inplace {
    uint32_t n;   /* elements of y */
    uint32_t x_n; /* elements of x, 1 <= x_n <= n */
} gpu_params_eltwise_inplace;

/* The op field of gpu_params_act (formulas in shaders/glsl/act_unary_f32.comp). */
enum { GPU_ACT_SCALE = 0, GPU_ACT_GELU = 1, GPU_ACT_GELU_TANH = 2, GPU_ACT_QUICK_GELU = 3, GPU_ACT_SILU = 4 };

/* out[i] = f(x[i]), i < n */
typedef struct gpu_params_act {
    uint32_t n;  /* elements */
    uint32_t op; /* GPU_ACT_* */
    float s;     /* the factor of GPU_ACT_SCALE; ignored otherwise */
} gpu_params_act;

/* out[r,c] = silu(gate[r*stride + c]) * up[r*stride + up_offset + c], out [rows,cols] */
typedef struct gpu_params_swiglu {
    uint32_t rows;
    uint32_t cols;      /* columns of out */
    uint32_t stride;    /* elements between input rows: cols (separate inputs) or 2*cols (concatenated) */
    uint32_t up_offset; /* 0 (separate inputs) or cols (up half after the gate half of each row) */
} gpu_params_swiglu;

/* LayerNorm / RMSNorm over each row of [rows,cols] */
typedef struct gpu_params_norm {
    uint32_t rows;
    uint32_t cols;
    float eps; /* added to the variance (LayerNorm) or the mean square (RMSNorm) */
} gpu_params_norm;

/* a per-row op over [rows,cols] */
typedef struct gpu_params_rows {
    uint32_t rows;
    uint32_t cols;
} gpu_params_rows;

/* rotary embedding (NeoX / rotate_half layout) on [tokens, heads, head_dim] rows */
typedef struct gpu_params_rope {
    uint32_t tokens;
    uint32_t heads;
    uint32_t head_dim;   /* even; the whole head is rotated */
    uint32_t in_stride;  /* elements between tokens in x, >= heads*head_dim */
    uint32_t out_stride; /* elements between tokens in y, >= heads*head_dim */
} gpu_params_rope;

/* rope_qkv: q and k rotated, v and positions copied, from one fused qkv row per token (see the shader) */
typedef struct gpu_params_rope_qkv {
    uint32_t tokens;
    uint32_t q_heads;
    uint32_t kv_heads;
    uint32_t head_dim;  /* even */
    uint32_t in_stride; /* elements between tokens in qkv, >= (q_heads + 2*kv_heads)*head_dim */
    uint32_t pos_first; /* pos_out[pos_first + t] is written: the op binds pos_out from an aligned offset */
} gpu_params_rope_qkv;

/* row gather / scatter of 4-byte elements: out[i,:] = src[idx[i],:] or dst[idx[i],:] = src[i,:] */
typedef struct gpu_params_gather {
    uint32_t count;    /* indices (gathered or scattered rows) */
    uint32_t cols;     /* 4-byte elements per row */
    uint32_t src_rows; /* rows of the indexed tensor (src for gather, dst for scatter): bounds the indices */
} gpu_params_gather;

/* keep-mask of each row's k largest (or smallest) values */
typedef struct gpu_params_topk {
    uint32_t rows;
    uint32_t n;       /* values per row */
    uint32_t k;       /* kept per row (min(k, n) are) */
    uint32_t largest; /* 1: top-k, 0: bottom-k */
} gpu_params_topk;

/* in-place weighted merge of source rows into target rows over a pair list */
typedef struct gpu_params_merge {
    uint32_t pairs; /* entries of src, dst, alpha */
    uint32_t cols;
    uint32_t rows;  /* rows of x: bounds the indices */
} gpu_params_merge;

/* resampling a row-major token grid [in_h*in_w, cols] to [out_h*out_w, cols] */
typedef struct gpu_params_grid {
    uint32_t in_h;
    uint32_t in_w;
    uint32_t out_h;
    uint32_t out_w;
    uint32_t cols;
} gpu_params_grid;

/* f x f average pooling of a row-major token grid [in_h*in_w, cols] -> [(in_h/f)*(in_w/f), cols] */
typedef struct gpu_params_pool {
    uint32_t in_h;
    uint32_t in_w;
    uint32_t cols;
    uint32_t f; /* kernel size and stride, >= 1 */
} gpu_params_pool;

/* X(id, name, binding count, written-bindings mask, params struct) */
#define GPU_KERNELS_ELEMENTWISE(X)                                                                                \
    X(GPU_KERNEL_ELTWISE_BINARY_F32, "eltwise_binary_f32", 3, 0x4, gpu_params_eltwise_binary) /* a, b, out */     \
    X(GPU_KERNEL_ELTWISE_ADD_INPLACE_F32, "eltwise_add_inplace_f32", 2, 0x2, gpu_params_eltwise_inplace) /* x, y */ \
    X(GPU_KERNEL_ACT_UNARY_F32, "act_unary_f32", 2, 0x2, gpu_params_act)             /* x, out */               \
    X(GPU_KERNEL_ACT_SWIGLU_F32, "act_swiglu_f32", 3, 0x4, gpu_params_swiglu)        /* gate, up, out */        \
    X(GPU_KERNEL_NORM_LAYER_F32, "norm_layer_f32", 4, 0x8, gpu_params_norm)          /* x, w, b, y */           \
    X(GPU_KERNEL_NORM_LAYER_SG_F32, "norm_layer_sg_f32", 4, 0x8, gpu_params_norm)    /* x, w, b, y */           \
    X(GPU_KERNEL_NORM_RMS_F32, "norm_rms_f32", 3, 0x4, gpu_params_norm)              /* x, w, y */              \
    X(GPU_KERNEL_NORM_RMS_SG_F32, "norm_rms_sg_f32", 3, 0x4, gpu_params_norm)        /* x, w, y */              \
    X(GPU_KERNEL_SOFTMAX_F32, "softmax_f32", 2, 0x2, gpu_params_rows)                /* x, y */                 \
    X(GPU_KERNEL_SOFTMAX_SG_F32, "softmax_sg_f32", 2, 0x2, gpu_params_rows)          /* x, y */                 \
    X(GPU_KERNEL_ROPE_NEOX_F32, "rope_neox_f32", 4, 0x8, gpu_params_rope)            /* x, pos, inv_freq, y */  \
    X(GPU_KERNEL_ROPE_QKV_F32, "rope_qkv_f32", 7, 0x78, gpu_params_rope_qkv) /* qkv, pos, freq, q, k, v, pos_out */ \
    X(GPU_KERNEL_GATHER_ROWS_B32, "gather_rows_b32", 3, 0x4, gpu_params_gather)      /* src, idx, out */        \
    X(GPU_KERNEL_SCATTER_ROWS_B32, "scatter_rows_b32", 3, 0x4, gpu_params_gather)    /* src, idx, dst */        \
    X(GPU_KERNEL_SCAN_MASK_U32, "scan_mask_u32", 3, 0x6, gpu_params_rows)            /* mask, offsets, kept */  \
    X(GPU_KERNEL_TOPK_RANK_F32, "topk_rank_f32", 2, 0x2, gpu_params_topk)            /* v, mask */              \
    X(GPU_KERNEL_NORM_L2_F32, "norm_l2_f32", 2, 0x2, gpu_params_norm)                /* x, y */                 \
    X(GPU_KERNEL_NORM_L2_SG_F32, "norm_l2_sg_f32", 2, 0x2, gpu_params_norm)          /* x, y */                 \
    X(GPU_KERNEL_MERGE_WEIGHTED_F32, "merge_weighted_f32", 4, 0x1, gpu_params_merge) /* x, src, dst, alpha */   \
    X(GPU_KERNEL_GRID_BILINEAR_F32, "grid_bilinear_f32", 2, 0x2, gpu_params_grid)    /* x, y */                 \
    X(GPU_KERNEL_GRID_AVGPOOL_F32, "grid_avgpool_f32", 2, 0x2, gpu_params_pool)      /* x, y */

#endif

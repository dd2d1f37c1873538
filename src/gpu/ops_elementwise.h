/* ops_elementwise.h — op wrappers of the elementwise kernel group (see gpu/ops.h for the conventions).
 * All f32. Outputs never alias inputs unless an op says "in place"; the element-wise activations
 * (scale, gelu, gelu_tanh, quick_gelu, silu) and the two-input swiglu (out = gate) may run in place, since each
 * invocation reads its own element once before writing it and touches no other. Element counts are 4-byte elements;
 * broadcast counts (b_n, x_n) must lie in 1..n (a row vector repeats every b_n elements). */
#ifndef VKVLM_GPU_OPS_ELEMENTWISE_H
#define VKVLM_GPU_OPS_ELEMENTWISE_H

#include "gpu/gpu.h"

/* out (n) = a (n) + b[i % b_n]: b_n = n element-wise, b_n = row length adds a row vector to every row. */
vkvlm_status gpu_op_eltwise_add_f32(gpu_cmd *cmd, gpu_binding out, gpu_binding a, gpu_binding b, uint32_t n,
                                    uint32_t b_n, vkvlm_error *err);
/* out (n) = a (n) * b[i % b_n]. */
vkvlm_status gpu_op_eltwise_mul_f32(gpu_cmd *cmd, gpu_binding out, gpu_binding a, gpu_binding b, uint32_t n,
                                    uint32_t b_n, vkvlm_error *err);
/* In place: y (n) += x[i % x_n] (residual add with x_n = n; bias add with x_n = row length). */
vkvlm_status gpu_op_add_inplace_f32(gpu_cmd *cmd, gpu_binding y, gpu_binding x, uint32_t n, uint32_t x_n,
                                    vkvlm_error *err);
/* out (n) = x (n) * s. */
vkvlm_status gpu_op_scale_f32(gpu_cmd *cmd, gpu_binding out, gpu_binding x, uint32_t n, float s, vkvlm_error *err);

/* Activations, out (n) = f(x (n)): exact-erf GELU, tanh GELU, x*sigmoid(1.702x), x*sigmoid(x). */
vkvlm_status gpu_op_gelu_f32(gpu_cmd *cmd, gpu_binding out, gpu_binding x, uint32_t n, vkvlm_error *err);
vkvlm_status gpu_op_gelu_tanh_f32(gpu_cmd *cmd, gpu_binding out, gpu_binding x, uint32_t n, vkvlm_error *err);
vkvlm_status gpu_op_quick_gelu_f32(gpu_cmd *cmd, gpu_binding out, gpu_binding x, uint32_t n, vkvlm_error *err);
vkvlm_status gpu_op_silu_f32(gpu_cmd *cmd, gpu_binding out, gpu_binding x, uint32_t n, vkvlm_error *err);

/* out (rows,cols) = silu(gate (rows,cols)) * up (rows,cols): two separate inputs. */
vkvlm_status gpu_op_swiglu_f32(gpu_cmd *cmd, gpu_binding out, gpu_binding gate, gpu_binding up, uint32_t rows,
                               uint32_t cols, vkvlm_error *err);
/* out (rows,cols) = silu(gu[:, :cols]) * gu[:, cols:]: one concatenated gate_up (rows, 2*cols) input, gate half
 * first in each row (a fused gate_up projection's output; Phi-3 style). */
vkvlm_status gpu_op_swiglu_fused_f32(gpu_cmd *cmd, gpu_binding out, gpu_binding gate_up, uint32_t rows,
                                     uint32_t cols, vkvlm_error *err);

/* y (rows,cols) = LayerNorm(x (rows,cols)) * w (cols) + b (cols), biased variance, as torch.nn.LayerNorm. */
vkvlm_status gpu_op_layernorm_f32(gpu_cmd *cmd, gpu_binding y, gpu_binding x, gpu_binding w, gpu_binding b,
                                  uint32_t rows, uint32_t cols, float eps, vkvlm_error *err);
/* y (rows,cols) = x * rsqrt(mean(x^2) + eps) * w (cols), in f32 as HF LlamaRMSNorm. */
vkvlm_status gpu_op_rmsnorm_f32(gpu_cmd *cmd, gpu_binding y, gpu_binding x, gpu_binding w, uint32_t rows,
                                uint32_t cols, float eps, vkvlm_error *err);
/* y (rows,cols) = softmax of each row of x (rows,cols), max-subtracted. */
vkvlm_status gpu_op_softmax_f32(gpu_cmd *cmd, gpu_binding y, gpu_binding x, uint32_t rows, uint32_t cols,
                                vkvlm_error *err);

/* y = rotary embedding of x, NeoX / HF rotate_half layout over the whole head_dim (even): x and y hold
 * [tokens, heads, head_dim] with in_stride / out_stride elements between tokens (0: heads*head_dim), so q or k
 * can be read from a fused qkv row and written into a cache row. pos (int32 [tokens]) gives each token's
 * position (gaps allowed); inv_freq (f32 [head_dim/2]) the frequencies, e.g. from gpu_rope_inv_freq_f32.
 * y must not alias x. Angles are HF's f32 pos*inv_freq; cos/sin match cos/sin of that angle to ~1e-7 for
 * |angle| < 1e5 (shaders/glsl/rope_neox_f32.comp). */
vkvlm_status gpu_op_rope_f32(gpu_cmd *cmd, gpu_binding y, gpu_binding x, gpu_binding pos, gpu_binding inv_freq,
                             uint32_t tokens, uint32_t heads, uint32_t head_dim, uint32_t in_stride,
                             uint32_t out_stride, vkvlm_error *err);
/* The attention inputs of `tokens` new tokens from one fused qkv projection (rows of in_stride elements, 0:
 * dense, holding q_heads, then kv_heads, then kv_heads heads of head_dim), in one dispatch: q_out (tokens,
 * q_heads*head_dim) = rope(q), k_out (tokens, kv_heads*head_dim) = rope(k), v_out (same) = v, pos_out
 * (int32 [tokens]) = pos. k_out, v_out and pos_out are typically the new rows of a layer's cache. The rotation
 * is gpu_op_rope_f32's, bit for bit. No output may alias qkv. */
vkvlm_status gpu_op_rope_qkv_f32(gpu_cmd *cmd, gpu_binding q_out, gpu_binding k_out, gpu_binding v_out,
                                 gpu_binding pos_out, gpu_binding qkv, gpu_binding pos, gpu_binding inv_freq,
                                 uint32_t tokens, uint32_t q_heads, uint32_t kv_heads, uint32_t head_dim,
                                 uint32_t in_stride, vkvlm_error *err);
/* out[i] = 1 / theta^(2i/head_dim), i < head_dim/2, in float32 exactly as HF computes it
 * (1.0 / base ** (torch.arange(0, dim, 2).float() / dim)). Host code, no device. */
void gpu_rope_inv_freq_f32(float *out, uint32_t head_dim, float theta);

/* Row movement of 4-byte elements (f32, int32, u32: copied as bits). Concatenating rows needs no kernel: one
 * gpu_cmd_copy per part into the destination's row range.
 *
 * out (count,cols) = table[ids[i], :] (vocab,cols), zero rows for ids outside [0, vocab): token embeddings. */
vkvlm_status gpu_op_embedding_f32(gpu_cmd *cmd, gpu_binding out, gpu_binding table, gpu_binding ids, uint32_t count,
                                  uint32_t cols, uint32_t vocab, vkvlm_error *err);
/* out (count,cols) = src[idx[i], :] (src_rows,cols); idx int32, outside [0, src_rows): zero rows. out must not
 * alias src. Compaction by a keep-mask: gpu_op_scan_mask, then this with idx = kept, count = src_rows (rows
 * past the kept total come out zero). */
vkvlm_status gpu_op_gather_rows(gpu_cmd *cmd, gpu_binding out, gpu_binding src, gpu_binding idx, uint32_t count,
                                uint32_t cols, uint32_t src_rows, vkvlm_error *err);
/* dst[idx[i], :] = src (count,cols)[i, :] into dst (dst_rows,cols); idx int32, distinct, outside [0, dst_rows):
 * skipped; other dst rows untouched. */
vkvlm_status gpu_op_scatter_rows(gpu_cmd *cmd, gpu_binding dst, gpu_binding src, gpu_binding idx, uint32_t count,
                                 uint32_t cols, uint32_t dst_rows, vkvlm_error *err);
/* Per row of mask (rows,n) (u32, nonzero = keep): offsets (rows,n+1) u32 = exclusive prefix sum, with the kept
 * total at offsets[r, n]; kept (rows,n) int32 = the kept indices ascending, then -1. */
vkvlm_status gpu_op_scan_mask(gpu_cmd *cmd, gpu_binding offsets, gpu_binding kept, gpu_binding mask, uint32_t rows,
                              uint32_t n, vkvlm_error *err);
/* Top-k (largest true) or bottom-k per row of v (rows,n) f32, ties to the lower index, deterministic:
 * kept (rows,n) int32 gets the chosen indices ascending in [r, 0..min(k,n)), then -1; mask (rows,n) u32 the
 * keep-mask (1 = chosen); offsets (rows,n+1) u32 is the scan's scratch (offsets[r, n] = min(k, n)).
 * Rank counting: O(n^2) per row, for n up to a few thousand. NaN values: undefined choice. */
vkvlm_status gpu_op_topk_f32(gpu_cmd *cmd, gpu_binding kept, gpu_binding mask, gpu_binding offsets, gpu_binding v,
                             uint32_t rows, uint32_t n, uint32_t k, bool largest, vkvlm_error *err);

/* y (rows,cols) = x / max(||x||_2, eps) per row (torch F.normalize; eps 1e-12 there). */
vkvlm_status gpu_op_l2norm_f32(gpu_cmd *cmd, gpu_binding y, gpu_binding x, uint32_t rows, uint32_t cols, float eps,
                               vkvlm_error *err);
/* s (m,n) = cosine similarities of the rows of a (m,d) and b (n,d): both normalised (eps 1e-12, into the
 * caller's a_norm (m,d) and b_norm (n,d)), then gpu_op_matmul_f32. normalize-then-matmul as FiCoCo/ToMe code
 * writes it (F.cosine_similarity clamps the norm product instead; identical for non-zero rows). */
vkvlm_status gpu_op_cosine_similarity_f32(gpu_cmd *cmd, gpu_binding s, gpu_binding a_norm, gpu_binding b_norm,
                                          gpu_binding a, gpu_binding b, uint32_t m, uint32_t n, uint32_t d,
                                          vkvlm_error *err);
/* In place on x (rows,cols): for each distinct target t of the pairs (src[p], dst[p], alpha[p]) (int32, int32,
 * f32 [pairs]): x[t] = (x[t] + sum alpha*x[src]) / (1 + sum alpha), the sums in pair-list order
 * (deterministic). No row may be both a source and a target; pairs with an index outside [0, rows) are
 * ignored. For short lists (FiCoCo: r*k <= ~100): each target scans the whole list. */
vkvlm_status gpu_op_merge_weighted_f32(gpu_cmd *cmd, gpu_binding x, gpu_binding src, gpu_binding dst,
                                       gpu_binding alpha, uint32_t pairs, uint32_t rows, uint32_t cols,
                                       vkvlm_error *err);
/* y (out_h*out_w, cols) = bilinear resampling of the row-major grid x (in_h*in_w, cols), as
 * F.interpolate(mode='bilinear', align_corners=False) with an output size (ProxyV's 24x24 -> 6x6). */
vkvlm_status gpu_op_grid_bilinear_f32(gpu_cmd *cmd, gpu_binding y, gpu_binding x, uint32_t in_h, uint32_t in_w,
                                      uint32_t out_h, uint32_t out_w, uint32_t cols, vkvlm_error *err);
/* y ((in_h/f)*(in_w/f), cols) = f x f block means of the row-major grid x (in_h*in_w, cols), as
 * F.avg_pool2d(kernel_size=f, stride=f): remainder rows/columns dropped. */
vkvlm_status gpu_op_grid_avgpool_f32(gpu_cmd *cmd, gpu_binding y, gpu_binding x, uint32_t in_h, uint32_t in_w,
                                     uint32_t f, uint32_t cols, vkvlm_error *err);

/* Index tables for gpu_op_gather_rows (host code; built once per shape, uploaded by the caller):
 *
 * Idefics3's pixel shuffle (transformers Idefics3Connector.pixel_shuffle, scale s; h, w multiples of s) is a
 * row gather: viewing the output (h/s * w/s, s*s*dim) as (h*w, dim) rows, row (h2*(w/s) + w2)*s*s + hr*s + wr
 * is input row (h2*s + hr)*w + w2*s + wr. Fills idx (h*w). Then gather_rows(out, x, idx, h*w, dim, h*w). */
void gpu_pixel_shuffle_index(int32_t *idx, uint32_t h, uint32_t w, uint32_t s);
/* Nearest-neighbour resampling (F.interpolate mode='nearest'): out cell (y, x) takes input cell
 * (min(floor(y * in_h/out_h), in_h-1), same for x), the scale a float as torch computes it; an integer
 * upsample by f is (y/f, x/f). Fills idx (out_h*out_w). */
void gpu_grid_nearest_index(int32_t *idx, uint32_t in_h, uint32_t in_w, uint32_t out_h, uint32_t out_w);

/* Records one row kernel (norm_*, softmax_*, either reduction variant) with the grid and workgroup size the
 * ops above use: lets tests run the shared-memory variant on devices whose caps pick the subgroup one.
 * bindings and params as in the kernel table (gpu/kernels_elementwise.h). */
vkvlm_status gpu_op_row_kernel(gpu_cmd *cmd, gpu_kernel kernel, const gpu_binding *bindings, const void *params,
                               uint32_t params_size, uint32_t rows, uint32_t cols, vkvlm_error *err);

#endif

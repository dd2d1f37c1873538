/* op_bench.c — the benchmark cases and the timing loop of op_bench.h.
 *
 * Shapes are the ones that matter for the models: the 512³ square matmul the lavapipe bar is
 * stated for, LLaVA-7B-like decode mat-vecs (1 x 4096 x 4096), the LLaVA projector's first layer (576 image
 * tokens x 4096 x 1024), and element-wise ops at activation sizes; f16 against q8_0 and q4_0 weights at a
 * small decoder's layer shapes (576 hidden, 1536 MLP, a 49152-token vocabulary: SmolVLM-256M-like), decode
 * (M = 1) and prefill (M = 512). Weight dtype codes in case names: wdtype 0 f32, 1 f16, 2 bf16, 3 q8_0, 4 q4_0
 * (gpu_weight_dtype). */
#include "gpu/op_bench.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/status.h"
#include "gpu/op_check.h"
#include "gpu/ops.h"

enum { MAX_BUFFERS = 6 };

typedef struct bench_case {
    const char *op;
    const char *vars;                 /* names of shape[] entries */
    uint32_t shape[4];
    int buffers;                      /* how many buffers the case needs */
    uint64_t (*buffer_bytes)(const uint32_t *shape, int i);
    double (*flops)(const uint32_t *shape);
    vkvlm_status (*record)(gpu_cmd *cmd, gpu_buffer *const *b, const uint32_t *shape, vkvlm_error *err);
} bench_case;

/* ---------------------------------------------------------------- add */

static uint64_t add_bytes(const uint32_t *s, int i) { return (uint64_t)s[0] * 4; }
static double add_flops(const uint32_t *s) { return s[0]; }
static vkvlm_status add_record(gpu_cmd *cmd, gpu_buffer *const *b, const uint32_t *s, vkvlm_error *err) {
    return gpu_op_add_f32(cmd, gpu_whole(b[2]), gpu_whole(b[0]), gpu_whole(b[1]), s[0], err);
}

/* ---------------------------------------------------------------- matmul (naive baseline) */

/* buffers: x [m,k], w [n,k], bias [n], y [m,n] */
static uint64_t matmul_bytes(const uint32_t *s, int i) {
    uint64_t m = s[0], n = s[1], k = s[2];
    switch (i) {
    case 0: return m * k * 4;
    case 1: return n * k * 4;
    case 2: return n * 4;
    default: return m * n * 4;
    }
}
static double matmul_flops(const uint32_t *s) { return 2.0 * s[0] * s[1] * s[2]; }
static vkvlm_status matmul_naive_record(gpu_cmd *cmd, gpu_buffer *const *b, const uint32_t *s, vkvlm_error *err) {
    return gpu_op_matmul_f32(cmd, gpu_whole(b[3]), gpu_whole(b[0]), gpu_whole(b[1]), gpu_whole(b[2]), s[0], s[1], s[2],
                             err);
}

/* gpu_op_linear with the weight dtype in shape[3] (a gpu_weight_dtype); the weight buffer holds raw
 * 16-bit values from the same random words, which are finite halves/bfloats for these value ranges. Quantized
 * blocks are the same random words: any codes, and scales that are arbitrary halves (some NaN), which costs
 * the same time as real ones. */
static uint64_t linear_bytes(const uint32_t *s, int i) {
    return i == 1 ? gpu_weight_bytes((gpu_weight_dtype)s[3], (uint64_t)s[1] * s[2]) : matmul_bytes(s, i);
}
static vkvlm_status linear_record(gpu_cmd *cmd, gpu_buffer *const *b, const uint32_t *s, vkvlm_error *err) {
    gpu_weight w;
    vkvlm_status st = gpu_weight_view(&w, gpu_device_caps(gpu_cmd_device(cmd)), b[1], 0, (gpu_weight_dtype)s[3], s[1],
                                      s[2], 0, err);
    if (st != VKVLM_OK) return st;
    return gpu_op_linear(cmd, gpu_whole(b[3]), gpu_whole(b[0]), &w, gpu_whole(b[2]), s[0], NULL, err);
}

/* ---------------------------------------------------------------- attention (bidirectional: random words
 * would make meaningless positions, and a vision tower's attention is the bidirectional one) */

/* shape: q_len (= kv_len for prefill; 1 query row and kv_len = shape[0] for decode), q_heads, kv_heads, head_dim.
 * buffers: q, k, v, out, lse / partial */
static gpu_attention_desc attn_desc(const uint32_t *s, bool decode) {
    return (gpu_attention_desc){.q_len = decode ? 1 : s[0], .kv_len = s[0], .q_heads = s[1], .kv_heads = s[2],
                                .head_dim = s[3]};
}
static uint64_t attn_bytes(const uint32_t *s, int i, bool decode) {
    uint64_t q = (decode ? 1 : s[0]) * (uint64_t)s[1] * s[3], kv = (uint64_t)s[0] * s[2] * s[3];
    if (i == 4) {
        gpu_attention_desc d = attn_desc(s, decode);
        uint64_t partial = gpu_op_attention_decode_partial_bytes(&d);
        return decode ? (partial ? partial : 4) : (uint64_t)s[1] * s[0] * 4;
    }
    return (i == 1 || i == 2 ? kv : q) * 4;
}
static uint64_t attn_prefill_bytes(const uint32_t *s, int i) { return attn_bytes(s, i, false); }
static uint64_t attn_decode_bytes(const uint32_t *s, int i) { return attn_bytes(s, i, true); }
static double attn_prefill_flops(const uint32_t *s) { return 4.0 * s[0] * s[0] * s[1] * s[3]; }
static double attn_decode_flops(const uint32_t *s) { return 4.0 * s[0] * s[1] * s[3]; }
static vkvlm_status attn_prefill_record(gpu_cmd *cmd, gpu_buffer *const *b, const uint32_t *s, vkvlm_error *err) {
    gpu_attention_desc d = attn_desc(s, false);
    gpu_binding none = {0};
    return gpu_op_attention_prefill_f32(cmd, gpu_whole(b[3]), gpu_whole(b[4]), gpu_whole(b[0]), gpu_whole(b[1]),
                                        gpu_whole(b[2]), none, none, &d, err);
}
static vkvlm_status attn_decode_record(gpu_cmd *cmd, gpu_buffer *const *b, const uint32_t *s, vkvlm_error *err) {
    gpu_attention_desc d = attn_desc(s, true);
    gpu_binding none = {0}, partial = gpu_op_attention_decode_partial_bytes(&d) ? gpu_whole(b[4]) : none;
    return gpu_op_attention_decode_f32(cmd, gpu_whole(b[3]), none, partial, gpu_whole(b[0]), gpu_whole(b[1]),
                                       gpu_whole(b[2]), none, none, &d, err);
}

#define ATTN_CASE(op, q_len, q_heads, kv_heads, head_dim) \
    {"attention_" #op, "len,q_heads,kv_heads,head_dim", {q_len, q_heads, kv_heads, head_dim}, 5, \
     attn_##op##_bytes, attn_##op##_flops, attn_##op##_record}

#define LINEAR_CASE(m, n, k, dtype) \
    {"linear", "m,n,k,wdtype", {m, n, k, dtype}, 4, linear_bytes, matmul_flops, linear_record}

static const bench_case cases[] = {
    {"add_f32", "n", {1u << 20}, 3, add_bytes, add_flops, add_record},
    {"matmul_f32_naive", "m,n,k", {512, 512, 512}, 4, matmul_bytes, matmul_flops, matmul_naive_record},
    {"matmul_f32_naive", "m,n,k", {1, 4096, 4096}, 4, matmul_bytes, matmul_flops, matmul_naive_record},
    {"linear", "m,n,k,wdtype", {512, 512, 512, GPU_WEIGHT_F32}, 4, linear_bytes, matmul_flops, linear_record},
    {"linear", "m,n,k,wdtype", {512, 512, 512, GPU_WEIGHT_F16}, 4, linear_bytes, matmul_flops, linear_record},
    {"linear", "m,n,k,wdtype", {1, 4096, 4096, GPU_WEIGHT_F32}, 4, linear_bytes, matmul_flops, linear_record},
    {"linear", "m,n,k,wdtype", {1, 4096, 4096, GPU_WEIGHT_F16}, 4, linear_bytes, matmul_flops, linear_record},
    {"linear", "m,n,k,wdtype", {1, 4096, 4096, GPU_WEIGHT_BF16}, 4, linear_bytes, matmul_flops, linear_record},
    {"linear", "m,n,k,wdtype", {576, 4096, 1024, GPU_WEIGHT_F16}, 4, linear_bytes, matmul_flops, linear_record},
    LINEAR_CASE(1, 576, 576, GPU_WEIGHT_F16),
    LINEAR_CASE(1, 576, 576, GPU_WEIGHT_Q8_0),
    LINEAR_CASE(1, 576, 576, GPU_WEIGHT_Q4_0),
    LINEAR_CASE(1, 1536, 576, GPU_WEIGHT_F16),
    LINEAR_CASE(1, 1536, 576, GPU_WEIGHT_Q8_0),
    LINEAR_CASE(1, 1536, 576, GPU_WEIGHT_Q4_0),
    LINEAR_CASE(1, 49152, 576, GPU_WEIGHT_F16),
    LINEAR_CASE(1, 49152, 576, GPU_WEIGHT_Q8_0),
    LINEAR_CASE(1, 49152, 576, GPU_WEIGHT_Q4_0),
    LINEAR_CASE(512, 576, 576, GPU_WEIGHT_F16),
    LINEAR_CASE(512, 576, 576, GPU_WEIGHT_Q8_0),
    LINEAR_CASE(512, 576, 576, GPU_WEIGHT_Q4_0),
    LINEAR_CASE(512, 1536, 576, GPU_WEIGHT_F16),
    LINEAR_CASE(512, 1536, 576, GPU_WEIGHT_Q8_0),
    LINEAR_CASE(512, 1536, 576, GPU_WEIGHT_Q4_0),
    LINEAR_CASE(512, 49152, 576, GPU_WEIGHT_F16),
    LINEAR_CASE(512, 49152, 576, GPU_WEIGHT_Q8_0),
    LINEAR_CASE(512, 49152, 576, GPU_WEIGHT_Q4_0),
    /* CLIP ViT-L/14-336 (577 tokens, 16 heads), SigLIP-B/16-512 (1024 patches, 12 heads), SmolLM2-135M (9 / 3
       heads): a prefill of 512 and a decoded token against 576 keys */
    ATTN_CASE(prefill, 577, 16, 16, 64),
    ATTN_CASE(prefill, 1024, 12, 12, 64),
    ATTN_CASE(prefill, 512, 9, 3, 64),
    ATTN_CASE(decode, 576, 9, 3, 64),
};

int op_bench_count(void) { return (int)(sizeof cases / sizeof cases[0]); }

void op_bench_name(int index, char *out, size_t cap) {
    const bench_case *c = &cases[index];
    op_case_name(out, cap, c->op, c->vars, c->shape);
}

static int compare_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* One command with `runs` recordings of the op; per-run GPU time = sum of that run's dispatch times. */
static vkvlm_status timed_command(gpu_device *dev, const bench_case *c, gpu_buffer *const *b, int runs, double *ms,
                                  const char **kernel, vkvlm_error *err) {
    gpu_cmd *cmd = NULL;
    vkvlm_status st = gpu_cmd_begin(dev, &cmd, err);
    int per_run = 0;
    for (int r = 0; r < runs && st == VKVLM_OK; r++) st = c->record(cmd, b, c->shape, err);
    if (st == VKVLM_OK) st = gpu_cmd_submit(cmd, err);
    if (st == VKVLM_OK) st = gpu_cmd_wait(cmd, err);
    if (st == VKVLM_OK) {
        int count = 0;
        const gpu_profile_entry *p = gpu_cmd_profile(cmd, &count);
        per_run = count / runs;
        if (kernel && count) *kernel = p[0].label;
        for (int r = 0; r < runs; r++) {
            ms[r] = 0;
            for (int i = 0; i < per_run; i++) ms[r] += p[r * per_run + i].ms;
        }
    }
    gpu_cmd_destroy(cmd);
    return st;
}

vkvlm_status op_bench_run(int index, gpu_device *dev, int repeat, op_bench_result *out, vkvlm_error *err) {
    const bench_case *c = &cases[index];
    memset(out, 0, sizeof *out);
    op_bench_name(index, out->name, sizeof out->name);
    if (!gpu_device_caps(dev)->timestamps)
        return vkvlm_error_set(err, VKVLM_ERR_UNSUPPORTED, "%s: the device has no timestamps", out->name);
    if (repeat < 1) repeat = 1;
    gpu_buffer *b[MAX_BUFFERS] = {0};
    vkvlm_status st = VKVLM_OK;
    double *ms = calloc((size_t)repeat, sizeof *ms);
    if (!ms) st = vkvlm_error_set(err, VKVLM_ERR_OUT_OF_MEMORY, "bench: out of host memory");
    uint64_t state = 0x5EED;
    for (int i = 0; i < c->buffers && st == VKVLM_OK; i++) {
        gpu_buffer_desc desc = {.size = c->buffer_bytes(c->shape, i), .label = "bench"};
        st = gpu_buffer_create(dev, &desc, &b[i], err);
        float *host = st == VKVLM_OK ? malloc(desc.size) : NULL;
        if (st == VKVLM_OK && !host) st = vkvlm_error_set(err, VKVLM_ERR_OUT_OF_MEMORY, "bench: out of host memory");
        for (uint64_t j = 0; host && j < desc.size / 4; j++) {
            state = state * 6364136223846793005ull + 1442695040888963407ull;
            host[j] = (float)((int)(state >> 40 & 0xFFFF) - 32768) / 32768.0f;
        }
        if (st == VKVLM_OK) st = gpu_buffer_write(b[i], 0, host, desc.size, err);
        free(host);
        out->bytes += (double)desc.size;
    }
    double warm;
    if (st == VKVLM_OK) st = timed_command(dev, c, b, 1, &warm, &out->kernel, err);
    if (st == VKVLM_OK) st = timed_command(dev, c, b, repeat, ms, NULL, err);
    if (st == VKVLM_OK) {
        qsort(ms, (size_t)repeat, sizeof *ms, compare_double);
        out->runs = repeat;
        out->ms_median = ms[repeat / 2];
        out->ms_min = ms[0];
        out->flops = c->flops(c->shape);
        out->gflops = out->ms_median > 0 ? out->flops / (out->ms_median * 1e6) : 0;
        out->gbps = out->ms_median > 0 ? out->bytes / (out->ms_median * 1e6) : 0;
    }
    for (int i = 0; i < MAX_BUFFERS; i++) gpu_buffer_destroy(b[i]);
    free(ms);
    return st;
}

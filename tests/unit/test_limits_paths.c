/* test_limits_paths.c — every limit override and every forced quirk makes the engine take its fallback, proven
 * by what it chose, not by the parse: which kernel an op recorded, the workgroup size (specialization constant
 * 0) it picked, how many bindings a weight view became, which dispatch was refused and why, and which memory
 * plan failed. Each check compares a run under the override with a run without it on the same device, so the
 * file holds on lavapipe and on SwiftShader (test_limits_paths_swiftshader) alike. Where the device lacks the
 * capability anyway (SwiftShader: no 16-bit storage or fp16; lavapipe: no cooperative matrix) the test says so
 * and checks that the effective caps stay off and nothing selects it.
 *
 * Features with no fast variant in the kernel set yet — fp16 arithmetic, 8-bit storage, integer dot product,
 * cooperative matrix — can only be proven off in the caps and absent from every choice; the checks say that
 * instead of pretending a kernel switched. */
#define _POSIX_C_SOURCE 200809L
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "core/status.h"
#include "gpu/limits.h"
#include "gpu/ops.h"
#include "gpu_test.h"
#include "vkvlm.h"

enum { OP_ADD, OP_NORM, OP_LINEAR, OP_COUNT };
static const char *const op_names[OP_COUNT] = {"add_f32", "rmsnorm", "linear f16 m=1"};

/* What one op recorded: its kernel and workgroup size, or why it was refused. */
typedef struct probe_op {
    vkvlm_status status;
    char message[VKVLM_ERROR_MESSAGE_MAX];
    char label[64];    /* the kernel's name as profiled */
    uint32_t spec[4];  /* spec[0]: workgroup size; the mat-vec's spec[1]: weight rows per workgroup */
} probe_op;

typedef struct probe {
    bool ran;              /* a Vulkan device was found and opened */
    vkvlm_status context;  /* gpu_context_create's status (a refused profile or quirk list) */
    char context_message[VKVLM_ERROR_MESSAGE_MAX];
    gpu_caps caps;         /* the device's effective caps */
    uint32_t chunks;       /* bindings of a 1 MiB f16 weight [512, 1024] */
    probe_op op[OP_COUNT];
    uint64_t validation;   /* validation messages: any fails */
} probe;

/* Records one op in its own command, so a refused op does not hide the others. */
static void run_op(gpu_device *dev, int which, gpu_buffer *x, gpu_buffer *w, gpu_buffer *y, const gpu_weight *view,
                   probe_op *out) {
    vkvlm_error err = {0};
    gpu_cmd *cmd = NULL;
    vkvlm_status st = gpu_cmd_begin(dev, &cmd, &err);
    if (st == VKVLM_OK) {
        if (which == OP_ADD) st = gpu_op_add_f32(cmd, (gpu_binding){y, 0, 4096}, (gpu_binding){x, 0, 4096},
                                                 (gpu_binding){x, 0, 4096}, 1024, &err);
        else if (which == OP_NORM) st = gpu_op_rmsnorm_f32(cmd, (gpu_binding){y, 0, 1024}, (gpu_binding){x, 0, 1024},
                                                           (gpu_binding){x, 0, 1024}, 1, 256, 1e-5f, &err);
        else st = gpu_op_linear(cmd, (gpu_binding){y, 0, 2048}, (gpu_binding){x, 0, 4096}, view, (gpu_binding){0}, 1,
                                NULL, &err);
    }
    if (st == VKVLM_OK) st = gpu_cmd_submit(cmd, &err);
    if (st == VKVLM_OK) st = gpu_cmd_wait(cmd, &err);
    out->status = st;
    snprintf(out->message, sizeof out->message, "%s", err.message);
    int count = 0;
    const gpu_profile_entry *p = cmd ? gpu_cmd_profile(cmd, &count) : NULL;
    for (int i = 0; i < count; i++) {
        if (p[i].kernel == GPU_KERNEL_COUNT) continue; /* copies */
        snprintf(out->label, sizeof out->label, "%s", p[i].label);
        memcpy(out->spec, p[i].spec, sizeof out->spec);
        break;
    }
    gpu_cmd_destroy(cmd);
}

/* Opens the default Vulkan device under `limits` and `quirks` (NULL: none; the environment is not read) and
 * records the three ops. */
static void run_probe(const char *limits, const char *quirks, probe *out) {
    memset(out, 0, sizeof *out);
    gpu_context_desc desc = {.logger = {.fn = gpu_test_log, .max_level = VKVLM_LOG_WARN}, .validation = 1,
                             .limits = limits ? limits : "", .quirks = quirks ? quirks : ""};
    gpu_context *ctx = NULL;
    vkvlm_error err = {0};
    out->context = gpu_context_create(&desc, &ctx, &err);
    snprintf(out->context_message, sizeof out->context_message, "%s", err.message);
    if (out->context != VKVLM_OK) return;
    int index = -1;
    gpu_device *dev = NULL;
    if (gpu_context_select(ctx, GPU_BACKEND_VULKAN, NULL, &index, &err) == VKVLM_OK &&
        gpu_device_create(ctx, index, &(gpu_device_desc){.cache_dir = ""}, &dev, &err) == VKVLM_OK) {
        out->ran = true;
        out->caps = *gpu_device_caps(dev);
        gpu_buffer *x = NULL, *w = NULL, *y = NULL;
        gpu_buffer_create(dev, &(gpu_buffer_desc){.size = 4096, .label = "x"}, &x, &err);
        gpu_buffer_create(dev, &(gpu_buffer_desc){.size = 1 << 20, .label = "w"}, &w, &err);
        gpu_buffer_create(dev, &(gpu_buffer_desc){.size = 4096, .label = "y"}, &y, &err);
        gpu_weight view;
        if (x && w && y && gpu_weight_view(&view, &out->caps, w, 0, GPU_WEIGHT_F16, 512, 1024, 0, &err) == VKVLM_OK) {
            out->chunks = view.chunk_count;
            for (int i = 0; i < OP_COUNT; i++) run_op(dev, i, x, w, y, &view, &out->op[i]);
        }
        gpu_buffer_destroy(x);
        gpu_buffer_destroy(w);
        gpu_buffer_destroy(y);
    }
    gpu_device_destroy(dev);
    out->validation = gpu_context_validation_messages(ctx);
    gpu_context_destroy(ctx);
}

/* The run every override is compared with, made once; false (and a failed or skipped test) without a Vulkan
 * device. */
static bool baseline(probe *base) {
    static probe cached;
    static int state; /* 0 not yet, 1 ran, -1 no device */
    if (state == 0) {
        gpu_context *ctx = gpu_test_context();
        bool vulkan = ctx && gpu_test_require_vulkan(ctx);
        gpu_context_destroy(ctx);
        if (vulkan) run_probe(NULL, NULL, &cached);
        state = vulkan && cached.ran ? 1 : -1;
        TEST_CHECK(!vulkan || cached.ran);
        for (int i = 0; i < OP_COUNT && cached.ran; i++)
            TEST_CHECK_MSG(cached.op[i].status == VKVLM_OK, "%s: %s", op_names[i], cached.op[i].message);
        TEST_CHECK(cached.validation == 0);
    } else if (state < 0) {
        gpu_context *ctx = gpu_test_context();
        if (ctx) gpu_test_require_vulkan(ctx); /* the same skip or failure for every test */
        gpu_context_destroy(ctx);
    }
    *base = cached;
    return state > 0;
}

/* The symptom a set quirk carries, or NULL when it is not set. */
typedef struct quirk_lookup {
    const char *name, *symptom;
} quirk_lookup;
static void find_quirk(void *user, const gpu_quirk_info *q) {
    quirk_lookup *l = user;
    if (strcmp(q->name, l->name) == 0) l->symptom = q->symptom;
}
static const char *quirk_symptom(const gpu_caps *caps, const char *name) {
    quirk_lookup l = {name, NULL};
    gpu_quirks_each_info(&caps->quirks, find_quirk, &l);
    return l.symptom;
}

/* A run under an override that must succeed, with the validation layer silent. */
static bool overridden(const char *limits, const char *quirks, probe *p) {
    run_probe(limits, quirks, p);
    TEST_CHECK_MSG(p->context == VKVLM_OK && p->ran, "%s%s: %s", limits ? limits : "", quirks ? quirks : "",
                   p->context_message);
    TEST_CHECK_MSG(p->validation == 0, "%s%s: %llu validation messages", limits ? limits : "", quirks ? quirks : "",
                   (unsigned long long)p->validation);
    return p->context == VKVLM_OK && p->ran;
}

static bool same_choices(const probe *a, const probe *b) {
    for (int i = 0; i < OP_COUNT; i++)
        if (strcmp(a->op[i].label, b->op[i].label) != 0 || a->op[i].spec[0] != b->op[i].spec[0]) return false;
    return true;
}

static bool has_arithmetic(const gpu_caps *c) {
    return (c->subgroup_ops & (GPU_SUBGROUP_BASIC | GPU_SUBGROUP_ARITHMETIC)) == (GPU_SUBGROUP_BASIC | GPU_SUBGROUP_ARITHMETIC);
}

/* ---------------------------------------------------------------- sizes and limits */

/* shared=512: the mat-vec's partial sums (workgroup x 8 rows x NR floats) must fit, so its workgroup shrinks. */
static void test_shared(void) {
    probe base, p;
    if (!baseline(&base) || !overridden("shared=512", NULL, &p)) return;
    TEST_CHECK_INT(p.caps.max_shared_bytes, 512);
    const probe_op *b = &base.op[OP_LINEAR], *o = &p.op[OP_LINEAR];
    TEST_CHECK_STR(o->label, b->label);
    TEST_CHECK_MSG(o->spec[0] < b->spec[0], "mat-vec workgroup %u under shared=512, %u without", o->spec[0], b->spec[0]);
    TEST_CHECK_MSG((uint64_t)o->spec[0] * 8 * o->spec[1] * 4 <= 512, "partials of %u x 8 x %u floats exceed 512 bytes",
                   o->spec[0], o->spec[1]);
}

/* invocations=32: element-wise and row kernels pick smaller workgroups. */
static void test_invocations(void) {
    probe base, p;
    if (!baseline(&base) || !overridden("invocations=32", NULL, &p)) return;
    TEST_CHECK_INT(p.caps.max_workgroup_invocations, 32);
    TEST_CHECK_MSG(base.op[OP_ADD].spec[0] > 32 && p.op[OP_ADD].spec[0] == 32, "add_f32 workgroup %u -> %u",
                   base.op[OP_ADD].spec[0], p.op[OP_ADD].spec[0]);
    TEST_CHECK_MSG(base.op[OP_NORM].spec[0] > 32 && p.op[OP_NORM].spec[0] <= 32, "rmsnorm workgroup %u -> %u",
                   base.op[OP_NORM].spec[0], p.op[OP_NORM].spec[0]);
}

/* storage_range=256K: a 1 MiB f16 weight becomes four row-range bindings, and a binding over the limit is
 * refused at recording with VKVLM_ERR_LIMIT. */
static void test_storage_range(void) {
    probe base, p;
    if (!baseline(&base) || !overridden("storage_range=256K", NULL, &p)) return;
    TEST_CHECK_INT(base.chunks, 1);
    TEST_CHECK_INT(p.chunks, 4);
    TEST_CHECK_MSG(p.op[OP_LINEAR].status == VKVLM_OK, "%s", p.op[OP_LINEAR].message);

    gpu_context_desc desc = {.validation = 1, .limits = "storage_range=256K", .quirks = ""};
    gpu_context *ctx = NULL;
    gpu_device *dev = NULL;
    gpu_buffer *big = NULL;
    gpu_cmd *cmd = NULL;
    vkvlm_error err = {0};
    int index = -1;
    if (gpu_context_create(&desc, &ctx, &err) == VKVLM_OK &&
        gpu_context_select(ctx, GPU_BACKEND_VULKAN, NULL, &index, &err) == VKVLM_OK &&
        gpu_device_create(ctx, index, &(gpu_device_desc){.cache_dir = ""}, &dev, &err) == VKVLM_OK &&
        gpu_buffer_create(dev, &(gpu_buffer_desc){.size = 1 << 20, .label = "big"}, &big, &err) == VKVLM_OK &&
        gpu_cmd_begin(dev, &cmd, &err) == VKVLM_OK) {
        vkvlm_status st = gpu_op_add_f32(cmd, gpu_whole(big), gpu_whole(big), gpu_whole(big), 1 << 18, &err);
        TEST_CHECK_INT(st, VKVLM_ERR_LIMIT);
        TEST_CHECK_MSG(strstr(err.message, "split it by rows") && strstr(err.message, "262144"), "%s", err.message);
    }
    TEST_CHECK_MSG(cmd != NULL, "setup: %s", err.message);
    gpu_cmd_destroy(cmd);
    gpu_buffer_destroy(big);
    gpu_device_destroy(dev);
    gpu_context_destroy(ctx);
}

/* storage_buffers=3: the linear layer's kernels have 4 bindings (x, w, bias, y) and are refused, naming the
 * kernel and both counts; the 3-binding ops still run. */
static void test_storage_buffers(void) {
    probe base, p;
    if (!baseline(&base) || !overridden("storage_buffers=3", NULL, &p)) return;
    TEST_CHECK_INT(p.caps.max_storage_buffers, 3);
    TEST_CHECK_INT(p.op[OP_LINEAR].status, VKVLM_ERR_UNSUPPORTED);
    TEST_CHECK_MSG(strstr(p.op[OP_LINEAR].message, base.op[OP_LINEAR].label) &&
                       strstr(p.op[OP_LINEAR].message, "needs 4 storage buffers") &&
                       strstr(p.op[OP_LINEAR].message, "allows 3"),
                   "%s", p.op[OP_LINEAR].message);
    TEST_CHECK_MSG(p.op[OP_ADD].status == VKVLM_OK && p.op[OP_NORM].status == VKVLM_OK, "%s / %s",
                   p.op[OP_ADD].message, p.op[OP_NORM].message);
    TEST_CHECK_STR(p.op[OP_NORM].label, base.op[OP_NORM].label);
}

/* The mobile and WebGPU presets' 8 storage buffers per stage refuse no kernel of the table: the widest has 8. */
static void test_every_kernel_fits_mobile(void) {
    gpu_limits l;
    vkvlm_error err = {0};
    TEST_CHECK(gpu_limits_parse("mobile", &l, &err) == VKVLM_OK);
    gpu_caps caps = {.name = "mobile", .max_storage_buffers = 32};
    gpu_limits_apply(&l, &caps);
    TEST_CHECK_INT(caps.max_storage_buffers, 8);
    uint32_t widest = 0;
    for (int k = 0; k < GPU_KERNEL_COUNT; k++) {
        const gpu_kernel_info *info = gpu_kernel_get((gpu_kernel)k);
        if (info->bindings > widest) widest = info->bindings;
        vkvlm_error_clear(&err);
        TEST_CHECK_MSG(gpu_kernel_check(&caps, (gpu_kernel)k, &err) == VKVLM_OK, "%s", err.message);
    }
    TEST_CHECK_MSG(widest <= 8, "widest kernel has %u bindings", widest);
    caps.max_storage_buffers = widest - 1;
    int refused = 0;
    for (int k = 0; k < GPU_KERNEL_COUNT; k++) refused += gpu_kernel_check(&caps, (gpu_kernel)k, NULL) != VKVLM_OK;
    TEST_CHECK_MSG(refused > 0, "a limit one below the widest kernel (%u) refused nothing", widest);
}

/* memory=1M: the session's memory plan (weights, KV cache, activations, counted before any allocation)
 * refuses the tiny golden LLaVA model, naming the sizes; without the override it loads. */
static void test_memory(void) {
    const char *golden = getenv("VKVLM_GOLDEN_DIR");
    if (!golden || !*golden) {
        TEST_SKIP("VKVLM_GOLDEN_DIR is not set");
        return;
    }
    gpu_context *probe_ctx = gpu_test_context();
    bool vulkan = probe_ctx && gpu_test_require_vulkan(probe_ctx);
    gpu_context_destroy(probe_ctx);
    if (!vulkan) return;
    char dir[1024];
    snprintf(dir, sizeof dir, "%s/llava15_tiny_f32/checkpoint", golden);
    vkvlm_session_desc desc = {.model_dir = dir, .backend = "vulkan", .context_length = 64};
    const char *saved = getenv("VKVLM_LIMITS");
    char *restore = saved ? strdup(saved) : NULL;
    vkvlm_session *s = NULL;
    vkvlm_error err = {0};
    setenv("VKVLM_LIMITS", "memory=1M", 1);
    vkvlm_status st = vkvlm_session_create(&desc, &s, &err);
    TEST_CHECK_INT(st, VKVLM_ERR_OUT_OF_MEMORY);
    TEST_CHECK_MSG(strstr(err.message, "of device memory") && strstr(err.message, "has 1.0 MiB"), "%s", err.message);
    vkvlm_session_destroy(s);
    s = NULL;
    unsetenv("VKVLM_LIMITS");
    vkvlm_error_clear(&err);
    st = vkvlm_session_create(&desc, &s, &err);
    TEST_CHECK_MSG(st == VKVLM_OK, "without the override: %s", err.message);
    vkvlm_session_destroy(s);
    if (restore) setenv("VKVLM_LIMITS", restore, 1);
    free(restore);
}

/* ---------------------------------------------------------------- features */

/* storage16=0: 16-bit weights are read as packed u32 words instead of float16_t. */
static void test_storage16(void) {
    probe base, p;
    if (!baseline(&base) || !overridden("storage16=0", NULL, &p)) return;
    TEST_CHECK(!p.caps.storage_16bit);
    if (base.caps.storage_16bit) {
        TEST_CHECK_MSG(strstr(base.op[OP_LINEAR].label, "_f16") && !strstr(base.op[OP_LINEAR].label, "_f16p"), "%s",
                       base.op[OP_LINEAR].label);
        char packed[80];
        snprintf(packed, sizeof packed, "%sp", base.op[OP_LINEAR].label);
        TEST_CHECK_STR(p.op[OP_LINEAR].label, packed);
    } else {
        fprintf(stderr, "note: %s has no 16-bit storage: the packed kernel (%s) runs with and without the override\n",
                base.caps.name, base.op[OP_LINEAR].label);
        TEST_CHECK(strstr(base.op[OP_LINEAR].label, "_f16p") != NULL);
        TEST_CHECK(same_choices(&base, &p));
    }
}

/* subgroup_ops=0: row reductions and the mat-vec use shared-memory trees instead of subgroupAdd. */
static void test_subgroup_ops(void) {
    probe base, p;
    if (!baseline(&base) || !overridden("subgroup_ops=0", NULL, &p)) return;
    TEST_CHECK_INT(p.caps.subgroup_ops, 0);
    TEST_CHECK_STR(p.op[OP_NORM].label, "norm_rms_f32");
    TEST_CHECK_MSG(strncmp(p.op[OP_LINEAR].label, "matmul_vecsh_", 13) == 0, "%s", p.op[OP_LINEAR].label);
    if (has_arithmetic(&base.caps)) {
        TEST_CHECK_STR(base.op[OP_NORM].label, "norm_rms_sg_f32");
        TEST_CHECK_MSG(strncmp(base.op[OP_LINEAR].label, "matmul_vec_", 11) == 0, "%s", base.op[OP_LINEAR].label);
    } else {
        fprintf(stderr, "note: %s has no subgroup arithmetic: the shared-memory kernels run either way\n", base.caps.name);
    }
}

/* Features no kernel uses yet: the override must turn the effective cap off, and no choice may change,
 * because nothing selects them (f16 weights widen to f32 in every matmul variant; there are no int8, integer
 * dot or cooperative-matrix kernels). A device without the feature says so. */
static void check_unused_feature(const char *limits, size_t offset, const char *what) {
    probe base, p;
    if (!baseline(&base) || !overridden(limits, NULL, &p)) return;
    bool had = *(const bool *)((const char *)&base.caps + offset);
    bool has = *(const bool *)((const char *)&p.caps + offset);
    TEST_CHECK_MSG(!has, "%s: %s still on", limits, what);
    if (!had) fprintf(stderr, "note: %s has no %s: the override cannot change anything there\n", base.caps.name, what);
    TEST_CHECK_MSG(same_choices(&base, &p), "%s changed a kernel choice although no kernel uses %s", limits, what);
}

static void test_fp16(void) { check_unused_feature("fp16=0", offsetof(gpu_caps, fp16_arithmetic), "fp16 arithmetic"); }
static void test_storage8(void) { check_unused_feature("storage8=0", offsetof(gpu_caps, storage_8bit), "8-bit storage"); }
static void test_int_dot(void) {
    check_unused_feature("int_dot=0", offsetof(gpu_caps, integer_dot_product), "integer dot product");
}
static void test_coop_matrix(void) {
    check_unused_feature("coop_matrix=0", offsetof(gpu_caps, cooperative_matrix), "cooperative matrix");
}

/* ---------------------------------------------------------------- forced subgroup sizes */

/* subgroup_size=min / max: every pipeline is created with VkPipelineShaderStageRequiredSubgroupSizeCreateInfo
 * (the validation layer checks the size against the device's range and the workgroup sizes against
 * maxComputeWorkgroupSubgroups); a size outside the range refuses the context. lavapipe and SwiftShader have
 * size control with a single size (8..8, 4..4), so here only that one size can be forced. */
static void test_subgroup_size(void) {
    probe base, p;
    if (!baseline(&base)) return;
    TEST_CHECK_INT(base.caps.subgroup_required_size, 0);
    if (!base.caps.subgroup_size_control) {
        run_probe("subgroup_size=min", NULL, &p);
        TEST_CHECK_INT(p.context, VKVLM_ERR_UNSUPPORTED);
        TEST_CHECK_MSG(strstr(p.context_message, "subgroup size control") != NULL, "%s", p.context_message);
        return;
    }
    const char *bounds[] = {"subgroup_size=min", "subgroup_size=max"};
    uint32_t sizes[] = {base.caps.subgroup_min_size, base.caps.subgroup_max_size};
    for (int i = 0; i < 2; i++) {
        if (!overridden(bounds[i], NULL, &p)) continue;
        TEST_CHECK_INT(p.caps.subgroup_required_size, sizes[i]);
        TEST_CHECK_INT(p.caps.subgroup_size, sizes[i]);
        if (base.caps.max_compute_workgroup_subgroups)
            TEST_CHECK(p.caps.max_workgroup_invocations <= sizes[i] * base.caps.max_compute_workgroup_subgroups);
        for (int k = 0; k < OP_COUNT; k++)
            TEST_CHECK_MSG(p.op[k].status == VKVLM_OK, "%s %s: %s", bounds[i], op_names[k], p.op[k].message);
    }
    char outside[64];
    snprintf(outside, sizeof outside, "subgroup_size=%u", base.caps.subgroup_max_size * 2);
    if (base.caps.subgroup_max_size * 2 <= 128) {
        run_probe(outside, NULL, &p);
        TEST_CHECK_INT(p.context, VKVLM_ERR_UNSUPPORTED);
        TEST_CHECK_MSG(strstr(p.context_message, base.caps.name) != NULL, "%s", p.context_message);
    }
}

/* ---------------------------------------------------------------- forced quirks (VKVLM_QUIRKS) */

/* subgroup_size_one: the effect a PowerVR Rogue gets from the table, forced here: shared-memory kernels. */
static void test_quirk_subgroup_size_one(void) {
    probe base, p;
    if (!baseline(&base) || !overridden(NULL, "subgroup_size_one", &p)) return;
    TEST_CHECK(p.caps.quirks.subgroup_size_one && p.caps.subgroup_ops == 0);
    TEST_CHECK_STR(p.op[OP_NORM].label, "norm_rms_f32");
    TEST_CHECK_MSG(strncmp(p.op[OP_LINEAR].label, "matmul_vecsh_", 13) == 0, "%s", p.op[OP_LINEAR].label);
    if (has_arithmetic(&base.caps)) TEST_CHECK(strcmp(base.op[OP_NORM].label, p.op[OP_NORM].label) != 0);
}

/* fp16_inaccurate switches fp16 arithmetic off (which no kernel uses yet: choices stay). */
static void test_quirk_fp16_inaccurate(void) {
    probe base, p;
    if (!baseline(&base) || !overridden(NULL, "fp16_inaccurate", &p)) return;
    TEST_CHECK(p.caps.quirks.fp16_inaccurate && !p.caps.fp16_arithmetic);
    TEST_CHECK_STR(quirk_symptom(&p.caps, "fp16_inaccurate"), "forced by VKVLM_QUIRKS");
    if (!base.caps.fp16_arithmetic) fprintf(stderr, "note: %s has no fp16 arithmetic to switch off\n", base.caps.name);
    TEST_CHECK(same_choices(&base, &p));
}

/* subgroup_size_varies pins every pipeline to the reported subgroup size where the device can require one
 * (lavapipe, SwiftShader), else switches the subgroup kernels off; the ops still run under validation. */
static void test_quirk_subgroup_size_varies(void) {
    probe base, p;
    if (!baseline(&base) || !overridden(NULL, "subgroup_size_varies", &p)) return;
    if (base.caps.subgroup_size_control) {
        TEST_CHECK_INT(p.caps.subgroup_required_size, base.caps.subgroup_size);
        TEST_CHECK_INT(p.caps.subgroup_ops, base.caps.subgroup_ops);
    } else {
        TEST_CHECK(p.caps.subgroup_required_size == 0 && p.caps.subgroup_ops == 0);
    }
    for (int k = 0; k < OP_COUNT; k++) TEST_CHECK_MSG(p.op[k].status == VKVLM_OK, "%s: %s", op_names[k], p.op[k].message);
}

/* "-name" clears what a rule set (slow_shared_memory on CPU drivers); unknown names refuse the context. */
static void test_quirk_clear_and_unknown(void) {
    probe base, p;
    if (!baseline(&base)) return;
    if (base.caps.type == GPU_DEVICE_CPU) {
        const char *symptom = quirk_symptom(&base.caps, "slow_shared_memory");
        TEST_CHECK_MSG(base.caps.quirks.slow_shared_memory && symptom && strstr(symptom, "CPU driver"), "%s",
                       symptom ? symptom : "(not set)");
        if (overridden(NULL, "-slow_shared_memory", &p))
            TEST_CHECK(!p.caps.quirks.slow_shared_memory && !quirk_symptom(&p.caps, "slow_shared_memory"));
    }
    run_probe(NULL, "fp16_inaccurate,no_such_quirk", &p);
    TEST_CHECK_INT(p.context, VKVLM_ERR_USAGE);
    TEST_CHECK_MSG(strstr(p.context_message, "'no_such_quirk'") && strstr(p.context_message, "subgroup_size_varies"), "%s",
                   p.context_message);
}

/* The attention kernels a device with these quirks chooses: the decode kernel's name and the prefill's rows
 * per invocation (its specialization constant 3), on a 4 / 2-head, head_dim 16 shape. */
typedef struct attention_choice {
    bool ran;
    vkvlm_status decode, prefill;
    char decode_label[64], message[256];
    uint32_t prefill_rows;
} attention_choice;

static void record_attention(gpu_device *dev, bool decode, gpu_buffer *x, gpu_buffer *y, attention_choice *out) {
    gpu_attention_desc a = {.q_len = decode ? 1 : 16, .kv_len = 16, .q_heads = 4, .kv_heads = 2, .head_dim = 16};
    gpu_binding none = {0}, q = {x, 0, 4096}, kv = {x, 0, 2048}, o = {y, 0, 4096};
    vkvlm_error err = {0};
    gpu_cmd *cmd = NULL;
    vkvlm_status st = gpu_cmd_begin(dev, &cmd, &err);
    if (st == VKVLM_OK && decode) st = gpu_op_attention_decode_f32(cmd, o, none, none, q, kv, kv, none, none, &a, &err);
    else if (st == VKVLM_OK) st = gpu_op_attention_prefill_f32(cmd, o, none, q, kv, kv, none, none, &a, &err);
    if (st == VKVLM_OK) st = gpu_cmd_submit(cmd, &err);
    if (st == VKVLM_OK) st = gpu_cmd_wait(cmd, &err);
    *(decode ? &out->decode : &out->prefill) = st;
    if (st != VKVLM_OK) snprintf(out->message, sizeof out->message, "%s", err.message);
    int count = 0;
    const gpu_profile_entry *p = cmd ? gpu_cmd_profile(cmd, &count) : NULL;
    for (int i = 0; i < count; i++) {
        if (p[i].kernel == GPU_KERNEL_COUNT) continue; /* copies */
        if (decode) snprintf(out->decode_label, sizeof out->decode_label, "%s", p[i].label);
        else out->prefill_rows = p[i].spec[3];
        break;
    }
    gpu_cmd_destroy(cmd);
}

static void attention_choices(const char *quirks, attention_choice *out) {
    memset(out, 0, sizeof *out);
    gpu_context_desc desc = {.logger = {.fn = gpu_test_log, .max_level = VKVLM_LOG_WARN}, .validation = 1,
                             .limits = "", .quirks = quirks};
    gpu_context *ctx = NULL;
    gpu_device *dev = NULL;
    vkvlm_error err = {0};
    int index = -1;
    if (gpu_context_create(&desc, &ctx, &err) == VKVLM_OK &&
        gpu_context_select(ctx, GPU_BACKEND_VULKAN, NULL, &index, &err) == VKVLM_OK &&
        gpu_device_create(ctx, index, &(gpu_device_desc){.cache_dir = ""}, &dev, &err) == VKVLM_OK) {
        gpu_buffer *x = NULL, *y = NULL;
        gpu_buffer_create(dev, &(gpu_buffer_desc){.size = 4096, .label = "x"}, &x, &err);
        gpu_buffer_create(dev, &(gpu_buffer_desc){.size = 4096, .label = "y"}, &y, &err);
        if (x && y) {
            out->ran = true;
            record_attention(dev, true, x, y, out);
            record_attention(dev, false, x, y, out);
        }
        gpu_buffer_destroy(x);
        gpu_buffer_destroy(y);
    }
    gpu_device_destroy(dev);
    if (ctx) TEST_CHECK_INT(gpu_context_validation_messages(ctx), 0);
    gpu_context_destroy(ctx);
}

/* slow_shared_memory (set on CPU drivers, forceable) picks the barrier-free decode attention and several query
 * rows per prefill invocation; cleared, the tile kernel and one row each. Forced on a device without subgroup
 * arithmetic, decode falls back to the shared-memory kernel. */
static void test_quirk_slow_shared_memory(void) {
    probe base;
    if (!baseline(&base)) return;
    attention_choice on, off;
    attention_choices("slow_shared_memory", &on);
    attention_choices("-slow_shared_memory", &off);
    TEST_CHECK(on.ran && off.ran);
    TEST_CHECK_MSG(on.decode == VKVLM_OK && on.prefill == VKVLM_OK, "%s", on.message);
    TEST_CHECK_MSG(off.decode == VKVLM_OK && off.prefill == VKVLM_OK, "%s", off.message);
    bool arithmetic = has_arithmetic(&base.caps);
    TEST_CHECK_STR(on.decode_label, arithmetic ? "attn_decode_lanes_f32" : "attn_decode_f32");
    TEST_CHECK_STR(off.decode_label, arithmetic ? "attn_decode_sg_f32" : "attn_decode_f32");
    TEST_CHECK_INT(on.prefill_rows, 32); /* GPU_ATTN_PREFILL_PRIVATE_FLOATS / (2 * 16), capped at 32 */
    TEST_CHECK_INT(off.prefill_rows, 1);
}

int main(void) {
    TEST_RUN(test_shared);
    TEST_RUN(test_invocations);
    TEST_RUN(test_storage_range);
    TEST_RUN(test_storage_buffers);
    TEST_RUN(test_every_kernel_fits_mobile);
    TEST_RUN(test_memory);
    TEST_RUN(test_storage16);
    TEST_RUN(test_subgroup_ops);
    TEST_RUN(test_fp16);
    TEST_RUN(test_storage8);
    TEST_RUN(test_int_dot);
    TEST_RUN(test_coop_matrix);
    TEST_RUN(test_subgroup_size);
    TEST_RUN(test_quirk_subgroup_size_one);
    TEST_RUN(test_quirk_fp16_inaccurate);
    TEST_RUN(test_quirk_subgroup_size_varies);
    TEST_RUN(test_quirk_clear_and_unknown);
    TEST_RUN(test_quirk_slow_shared_memory);
    return test_finish();
}

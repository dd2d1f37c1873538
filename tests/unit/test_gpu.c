/* test_gpu.c — the backend interface itself: device selection, buffer bounds, the binding-size limit, the
 * hazard tracker's barriers, per-dispatch timings and the on-disk pipeline cache. Runs on lavapipe (and any
 * other Vulkan device) with validation on, and on the CPU backend. */
#define _POSIX_C_SOURCE 200809L
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/status.h"
#include "gpu/ops.h"
#include "gpu_test.h"

static gpu_device *open_device(gpu_context *ctx, gpu_backend_kind backend) {
    vkvlm_error err = {0};
    int index = -1;
    if (gpu_context_select(ctx, backend, NULL, &index, &err) != VKVLM_OK) return NULL;
    gpu_device *dev = NULL;
    gpu_device_create(ctx, index, NULL, &dev, &err);
    return dev;
}

static void test_selection(void) {
    gpu_context *ctx = gpu_test_context();
    TEST_CHECK(ctx != NULL);
    if (!ctx) return;
    vkvlm_error err = {0};
    int index = -1;
    TEST_CHECK(gpu_context_select(ctx, GPU_BACKEND_CPU, "0", &index, &err) == VKVLM_OK);
    TEST_CHECK(index >= 0 && gpu_context_device(ctx, index)->backend == GPU_BACKEND_CPU);
    TEST_CHECK(gpu_context_select(ctx, GPU_BACKEND_CPU, "reference", &index, &err) == VKVLM_OK);
    TEST_CHECK(gpu_context_select(ctx, GPU_BACKEND_CPU, "REFER", &index, &err) == VKVLM_OK); /* any case */
    vkvlm_error_clear(&err);
    TEST_CHECK_INT(gpu_context_select(ctx, GPU_BACKEND_CPU, "7", &index, &err), VKVLM_ERR_USAGE);
    TEST_CHECK_MSG(strstr(err.message, "--device 7") != NULL, "%s", err.message);
    vkvlm_error_clear(&err);
    TEST_CHECK_INT(gpu_context_select(ctx, GPU_BACKEND_CPU, "no-such-gpu", &index, &err), VKVLM_ERR_USAGE);
    TEST_CHECK_MSG(strstr(err.message, "no-such-gpu") != NULL, "%s", err.message);
    vkvlm_error_clear(&err);
    TEST_CHECK_INT(gpu_context_select(ctx, GPU_BACKEND_WEBGPU, NULL, &index, &err), VKVLM_ERR_NO_DEVICE);
    if (gpu_test_require_vulkan(ctx)) {
        /* The default prefers Vulkan over the CPU reference. */
        TEST_CHECK(gpu_context_select(ctx, GPU_BACKEND_DEFAULT, NULL, &index, &err) == VKVLM_OK);
        TEST_CHECK(gpu_context_device(ctx, index)->backend == GPU_BACKEND_VULKAN);
    }
    gpu_context_destroy(ctx);
}

/* Bounds are checked on every backend before anything reaches the driver. */
static void check_bounds(gpu_device *dev) {
    vkvlm_error err = {0};
    gpu_buffer *buf = NULL;
    TEST_CHECK_INT(gpu_buffer_create(dev, &(gpu_buffer_desc){.size = 0, .label = "empty"}, &buf, &err), VKVLM_ERR_USAGE);
    vkvlm_error_clear(&err);
    TEST_CHECK(gpu_buffer_create(dev, &(gpu_buffer_desc){.size = 64, .label = "small"}, &buf, &err) == VKVLM_OK);
    float data[32] = {0};
    TEST_CHECK_INT(gpu_buffer_write(buf, 32, data, 64, &err), VKVLM_ERR_USAGE);
    TEST_CHECK_MSG(strstr(err.message, "small") != NULL, "%s", err.message);
    vkvlm_error_clear(&err);
    TEST_CHECK_INT(gpu_buffer_read(buf, UINT64_MAX - 8, data, 16, &err), VKVLM_ERR_USAGE); /* no wrap-around */
    vkvlm_error_clear(&err);
    /* a binding past the end fails the dispatch and the whole command */
    gpu_cmd *cmd = NULL;
    TEST_CHECK(gpu_cmd_begin(dev, &cmd, &err) == VKVLM_OK);
    gpu_binding whole = gpu_whole(buf), past = {buf, 0, 128};
    TEST_CHECK_INT(gpu_op_add_f32(cmd, past, whole, whole, 32, &err), VKVLM_ERR_USAGE);
    vkvlm_error_clear(&err);
    TEST_CHECK(gpu_cmd_submit(cmd, &err) != VKVLM_OK);
    gpu_cmd_destroy(cmd);
    gpu_buffer_destroy(buf);
    TEST_CHECK_INT(gpu_device_memory_in_use(dev), 0);
}

/* A binding larger than maxStorageBufferRange is refused with a message that says to split it. */
static void check_binding_limit(gpu_device *dev) {
    const gpu_caps *caps = gpu_device_caps(dev);
    if (caps->max_storage_buffer_range >= (UINT64_C(1) << 31)) return; /* too big to allocate in a test */
    vkvlm_error err = {0};
    gpu_buffer *big = NULL;
    uint64_t size = caps->max_storage_buffer_range + 4096;
    TEST_CHECK(gpu_buffer_create(dev, &(gpu_buffer_desc){.size = size, .label = "big"}, &big, &err) == VKVLM_OK);
    if (!big) return;
    gpu_cmd *cmd = NULL;
    TEST_CHECK(gpu_cmd_begin(dev, &cmd, &err) == VKVLM_OK);
    gpu_binding whole = gpu_whole(big);
    TEST_CHECK_INT(gpu_op_add_f32(cmd, whole, whole, whole, 16, &err), VKVLM_ERR_LIMIT);
    TEST_CHECK_MSG(strstr(err.message, "split") != NULL, "%s", err.message);
    gpu_cmd_destroy(cmd);
    /* A sub-range of the same buffer within the limit binds fine. */
    vkvlm_error_clear(&err);
    TEST_CHECK(gpu_cmd_begin(dev, &cmd, &err) == VKVLM_OK);
    gpu_binding tail = {big, size - 4096, 4096}, head = {big, 0, 4096};
    TEST_CHECK(gpu_op_add_f32(cmd, tail, head, head, 1024, &err) == VKVLM_OK);
    TEST_CHECK(gpu_cmd_submit(cmd, &err) == VKVLM_OK && gpu_cmd_wait(cmd, &err) == VKVLM_OK);
    gpu_cmd_destroy(cmd);
    gpu_buffer_destroy(big);
}

/* Barriers only where a dispatch depends on an earlier one; timings for every dispatch. */
static void check_hazards_and_profile(gpu_device *dev) {
    vkvlm_error err = {0};
    enum { N = 1024 };
    gpu_buffer *a = NULL, *b = NULL, *c = NULL, *d = NULL;
    gpu_buffer_desc desc = {.size = N * sizeof(float), .label = "hazard"};
    TEST_CHECK(gpu_buffer_create(dev, &desc, &a, &err) == VKVLM_OK && gpu_buffer_create(dev, &desc, &b, &err) == VKVLM_OK &&
               gpu_buffer_create(dev, &desc, &c, &err) == VKVLM_OK && gpu_buffer_create(dev, &desc, &d, &err) == VKVLM_OK);
    if (!d) return;
    float ones[N], out[N];
    for (int i = 0; i < N; i++) ones[i] = 1.0f;
    gpu_buffer_write(a, 0, ones, sizeof ones, &err);
    gpu_buffer_write(b, 0, ones, sizeof ones, &err);
    gpu_cmd *cmd = NULL;
    TEST_CHECK(gpu_cmd_begin(dev, &cmd, &err) == VKVLM_OK);
    gpu_op_add_f32(cmd, gpu_whole(c), gpu_whole(a), gpu_whole(b), N, &err); /* c = 2 */
    gpu_op_add_f32(cmd, gpu_whole(d), gpu_whole(a), gpu_whole(b), N, &err); /* independent: no barrier */
    TEST_CHECK_INT(gpu_cmd_barrier_count(cmd), 0);
    gpu_op_add_f32(cmd, gpu_whole(d), gpu_whole(c), gpu_whole(d), N, &err); /* reads c and d: barrier */
    TEST_CHECK_INT(gpu_cmd_barrier_count(cmd), 1);
    gpu_op_add_f32(cmd, gpu_whole(c), gpu_whole(b), gpu_whole(b), N, &err); /* writes c, just read: WAR */
    TEST_CHECK_INT(gpu_cmd_barrier_count(cmd), 2);
    TEST_CHECK(gpu_cmd_submit(cmd, &err) == VKVLM_OK && gpu_cmd_wait(cmd, &err) == VKVLM_OK);
    TEST_CHECK(gpu_buffer_read(d, 0, out, sizeof out, &err) == VKVLM_OK);
    TEST_CHECK(out[0] == 4.0f && out[N - 1] == 4.0f);
    int count = 0;
    const gpu_profile_entry *profile = gpu_cmd_profile(cmd, &count);
    TEST_CHECK_INT(count, 4);
    for (int i = 0; i < count; i++) {
        TEST_CHECK_STR(profile[i].label, "add_f32");
        if (gpu_device_caps(dev)->timestamps) TEST_CHECK_MSG(profile[i].ms > 0, "dispatch %d took %g ms", i, profile[i].ms);
    }
    gpu_cmd_destroy(cmd);
    gpu_buffer_destroy(a);
    gpu_buffer_destroy(b);
    gpu_buffer_destroy(c);
    gpu_buffer_destroy(d);
}

static void test_interface_on_every_device(void) {
    gpu_context *ctx = gpu_test_context();
    TEST_CHECK(ctx != NULL);
    if (!ctx) return;
    gpu_backend_kind kinds[] = {GPU_BACKEND_CPU, GPU_BACKEND_VULKAN};
    for (int k = 0; k < 2; k++) {
        if (kinds[k] == GPU_BACKEND_VULKAN && !gpu_test_require_vulkan(ctx)) break;
        gpu_device *dev = open_device(ctx, kinds[k]);
        TEST_CHECK(dev != NULL);
        if (!dev) continue;
        check_bounds(dev);
        check_binding_limit(dev);
        check_hazards_and_profile(dev);
        gpu_device_destroy(dev);
    }
    gpu_test_check_validation(ctx);
    gpu_context_destroy(ctx);
}

/* The second device of the same driver loads the cache the first one saved. */
static void test_pipeline_cache_is_saved(void) {
    gpu_context *ctx = gpu_test_context();
    TEST_CHECK(ctx != NULL);
    if (!ctx) return;
    if (!gpu_test_require_vulkan(ctx)) {
        gpu_context_destroy(ctx);
        return;
    }
    char dir[] = "/tmp/vkvlm-cache-XXXXXX";
    TEST_CHECK(mkdtemp(dir) != NULL);
    char sub[64];
    snprintf(sub, sizeof sub, "%s/nested/dir", dir);
    vkvlm_error err = {0};
    int index = -1;
    gpu_context_select(ctx, GPU_BACKEND_VULKAN, NULL, &index, &err);
    gpu_device *dev = NULL;
    TEST_CHECK(gpu_device_create(ctx, index, &(gpu_device_desc){.cache_dir = sub}, &dev, &err) == VKVLM_OK);
    gpu_buffer *buf = NULL;
    gpu_buffer_create(dev, &(gpu_buffer_desc){.size = 256}, &buf, &err);
    gpu_cmd *cmd = NULL;
    gpu_cmd_begin(dev, &cmd, &err);
    gpu_op_add_f32(cmd, gpu_whole(buf), gpu_whole(buf), gpu_whole(buf), 64, &err);
    TEST_CHECK(gpu_cmd_submit(cmd, &err) == VKVLM_OK && gpu_cmd_wait(cmd, &err) == VKVLM_OK);
    gpu_cmd_destroy(cmd);
    gpu_buffer_destroy(buf);
    gpu_device_destroy(dev); /* saves */
    char cmdline[256];
    snprintf(cmdline, sizeof cmdline, "ls %s/pipelines-*.bin >/dev/null 2>&1", sub);
    TEST_CHECK_MSG(system(cmdline) == 0, "no pipeline cache written under %s", sub);
    dev = NULL;
    TEST_CHECK(gpu_device_create(ctx, index, &(gpu_device_desc){.cache_dir = sub}, &dev, &err) == VKVLM_OK);
    gpu_device_destroy(dev);
    snprintf(cmdline, sizeof cmdline, "rm -rf %s", dir);
    TEST_CHECK(system(cmdline) == 0);
    gpu_test_check_validation(ctx);
    gpu_context_destroy(ctx);
}

/* The staged path discrete GPUs take: forced on lavapipe, with a transfer longer than one 16 MiB chunk and
 * an unaligned offset, read back through staging too. */
static void test_staged_transfers(void) {
    gpu_context *ctx = gpu_test_context();
    TEST_CHECK(ctx != NULL);
    if (!ctx) return;
    if (!gpu_test_require_vulkan(ctx)) {
        gpu_context_destroy(ctx);
        return;
    }
    vkvlm_error err = {0};
    int index = -1;
    gpu_context_select(ctx, GPU_BACKEND_VULKAN, NULL, &index, &err);
    gpu_device *dev = NULL;
    TEST_CHECK(gpu_device_create(ctx, index, &(gpu_device_desc){.staged_transfers = true, .cache_dir = ""}, &dev, &err) ==
               VKVLM_OK);
    enum { BYTES = (17 << 20) + 12 };
    uint8_t *in = malloc(BYTES), *out = malloc(BYTES);
    gpu_buffer *buf = NULL;
    if (dev && in && out &&
        gpu_buffer_create(dev, &(gpu_buffer_desc){.size = BYTES + 4, .label = "staged"}, &buf, &err) == VKVLM_OK) {
        uint64_t held = gpu_device_memory_in_use(dev);
        for (uint32_t i = 0; i < BYTES; i++) in[i] = (uint8_t)(i * 2654435761u >> 24);
        TEST_CHECK(gpu_buffer_write(buf, 4, in, BYTES, &err) == VKVLM_OK);
        memset(out, 0, BYTES);
        TEST_CHECK(gpu_buffer_read(buf, 4, out, BYTES, &err) == VKVLM_OK);
        TEST_CHECK(memcmp(in, out, BYTES) == 0);
        /* the staging buffers are gone again */
        TEST_CHECK_INT(gpu_device_memory_in_use(dev), held);
        TEST_CHECK(gpu_device_memory_peak(dev) > held); /* staging was really used */
    }
    gpu_buffer_destroy(buf);
    free(in);
    free(out);
    gpu_device_destroy(dev);
    gpu_test_check_validation(ctx);
    gpu_context_destroy(ctx);
}

int main(void) {
    TEST_RUN(test_staged_transfers);
    TEST_RUN(test_selection);
    TEST_RUN(test_interface_on_every_device);
    TEST_RUN(test_pipeline_cache_is_saved);
    return test_finish();
}

/* op_check.c — the case table and the comparison machinery of op_check.h.
 *
 * Shapes per op: an aligned one, odd primes, size-1 dimensions and tile boundaries +-1, kept small
 * because lavapipe runs shaders 10-100x slower than plain C. Bounds: fp32 kernels accumulate in float
 * while the reference uses double, so NMSE stays near 1e-12; 1e-9 leaves room for long K sums. */
#include "gpu/op_check.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/status.h"
#include "gpu/ops.h"

enum { GUARD_FLOATS = 256 }; /* 1 KiB each side: also a valid storage offset alignment everywhere */
static const float GUARD_VALUE = -7.75e30f;

/* ---------------------------------------------------------------- seeded inputs */

/* splitmix64: tiny, seedable, identical on every platform. */
static uint64_t next_random(uint64_t *state) {
    uint64_t z = (*state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static float uniform(uint64_t *state, float lo, float hi) {
    return lo + (hi - lo) * (float)((next_random(state) >> 40) * (1.0 / 16777216.0));
}

/* ---------------------------------------------------------------- tensors on both devices */

typedef struct check_env {
    gpu_device *side[2]; /* 0: device under test, 1: reference */
    uint64_t rng;
    op_check_result *result;
} check_env;

typedef struct check_tensor {
    gpu_buffer *buf[2];
    uint32_t count; /* floats, guards excluded */
} check_tensor;

static bool fail(check_env *e, const vkvlm_error *err, const char *what) {
    e->result->outcome = OP_CHECK_FAIL;
    snprintf(e->result->detail, sizeof e->result->detail, "%s: %s", what, err->message);
    return false;
}

/* A tensor of `count` floats between guards, same contents on both sides: uniform in [lo,hi), or zero. */
static bool tensor_make(check_env *e, check_tensor *t, uint32_t count, bool random, float lo, float hi) {
    memset(t, 0, sizeof *t);
    t->count = count;
    size_t total = (size_t)count + 2 * GUARD_FLOATS;
    float *host = malloc(total * sizeof *host);
    if (!host) {
        vkvlm_error err = {VKVLM_ERR_OUT_OF_MEMORY, "out of host memory"};
        return fail(e, &err, "inputs");
    }
    for (size_t i = 0; i < total; i++) host[i] = GUARD_VALUE;
    for (uint32_t i = 0; i < count; i++) host[GUARD_FLOATS + i] = random ? uniform(&e->rng, lo, hi) : 0.0f;
    bool ok = true;
    for (int s = 0; s < 2 && ok; s++) {
        vkvlm_error err = {0};
        gpu_buffer_desc desc = {.size = total * sizeof *host, .label = "op_check"};
        ok = gpu_buffer_create(e->side[s], &desc, &t->buf[s], &err) == VKVLM_OK &&
             gpu_buffer_write(t->buf[s], 0, host, desc.size, &err) == VKVLM_OK;
        if (!ok) fail(e, &err, "buffer");
    }
    free(host);
    return ok;
}

static void tensor_free(check_tensor *t) {
    for (int s = 0; s < 2; s++) gpu_buffer_destroy(t->buf[s]);
    memset(t, 0, sizeof *t);
}

static gpu_binding bind(const check_tensor *t, int side) {
    return (gpu_binding){t->buf[side], GUARD_FLOATS * sizeof(float), (uint64_t)t->count * sizeof(float)};
}

/* Reads both sides of an output and compares them; also checks the guards of the device side. */
static bool tensor_compare(check_env *e, const check_tensor *t, double max_nmse, double elem_tol) {
    size_t total = (size_t)t->count + 2 * GUARD_FLOATS;
    float *got = malloc(total * sizeof *got), *want = malloc(total * sizeof *want);
    vkvlm_error err = {0};
    bool ok = got && want && gpu_buffer_read(t->buf[0], 0, got, total * sizeof *got, &err) == VKVLM_OK &&
              gpu_buffer_read(t->buf[1], 0, want, total * sizeof *want, &err) == VKVLM_OK;
    if (!ok) {
        if (!err.status) err = (vkvlm_error){VKVLM_ERR_OUT_OF_MEMORY, "out of host memory"};
        free(got);
        free(want);
        return fail(e, &err, "readback");
    }
    op_check_result *r = e->result;
    for (size_t i = 0; i < total && ok; i++) {
        bool guard = i < GUARD_FLOATS || i >= GUARD_FLOATS + t->count;
        if (guard && got[i] != GUARD_VALUE) {
            snprintf(r->detail, sizeof r->detail, "write outside the output: guard float %ld changed to %g",
                     i < GUARD_FLOATS ? (long)i - GUARD_FLOATS : (long)(i - GUARD_FLOATS - t->count), got[i]);
            ok = false;
        }
    }
    double err2 = 0, ref2 = 0, max_abs = 0;
    for (uint32_t i = 0; i < t->count && ok; i++) {
        double a = got[GUARD_FLOATS + i], b = want[GUARD_FLOATS + i];
        if (isnan(a) != isnan(b) || (isinf(b) && a != b)) {
            snprintf(r->detail, sizeof r->detail, "element %u: got %g, reference %g (NaN/Inf disagree)", i, a, b);
            ok = false;
            break;
        }
        if (isnan(b) || isinf(b)) continue;
        double d = fabs(a - b);
        err2 += d * d;
        ref2 += b * b;
        if (d > max_abs) max_abs = d;
        if (d > elem_tol * (1.0 + fabs(b))) {
            snprintf(r->detail, sizeof r->detail, "element %u: got %.9g, reference %.9g (|diff| %.3g > %.3g)", i, a,
                     b, d, elem_tol * (1.0 + fabs(b)));
            ok = false;
        }
    }
    r->nmse = ref2 > 0 ? err2 / ref2 : err2;
    r->max_abs_err = max_abs;
    if (ok && r->nmse > max_nmse) {
        snprintf(r->detail, sizeof r->detail, "NMSE %.3g exceeds %.3g", r->nmse, max_nmse);
        ok = false;
    }
    if (!ok) r->outcome = OP_CHECK_FAIL;
    free(got);
    free(want);
    return ok;
}

/* Records one op on each side through `record` and runs it. */
typedef vkvlm_status (*record_fn)(gpu_cmd *cmd, int side, const check_tensor *t, const uint32_t *shape,
                                  vkvlm_error *err);

static bool run_both(check_env *e, record_fn record, const check_tensor *t, const uint32_t *shape) {
    for (int s = 0; s < 2; s++) {
        vkvlm_error err = {0};
        gpu_cmd *cmd = NULL;
        vkvlm_status st = gpu_cmd_begin(e->side[s], &cmd, &err);
        if (st == VKVLM_OK) st = record(cmd, s, t, shape, &err);
        if (st == VKVLM_OK) st = gpu_cmd_submit(cmd, &err);
        if (st == VKVLM_OK) st = gpu_cmd_wait(cmd, &err);
        gpu_cmd_destroy(cmd);
        if (st != VKVLM_OK) return fail(e, &err, s ? "reference" : "device");
    }
    return true;
}

/* ---------------------------------------------------------------- op cases */

static vkvlm_status record_add(gpu_cmd *cmd, int s, const check_tensor *t, const uint32_t *shape, vkvlm_error *err) {
    return gpu_op_add_f32(cmd, bind(&t[2], s), bind(&t[0], s), bind(&t[1], s), shape[0], err);
}

static bool check_add(check_env *e, const uint32_t *shape) {
    check_tensor t[3];
    uint32_t n = shape[0];
    bool ok = tensor_make(e, &t[0], n, true, -2, 2) && tensor_make(e, &t[1], n, true, -2, 2) &&
              tensor_make(e, &t[2], n, false, 0, 0) && run_both(e, record_add, t, shape) &&
              tensor_compare(e, &t[2], 1e-14, 1e-7); /* one float add: exact on every device */
    for (int i = 0; i < 3; i++) tensor_free(&t[i]);
    return ok;
}

static vkvlm_status record_matmul(gpu_cmd *cmd, int s, const check_tensor *t, const uint32_t *shape,
                                  vkvlm_error *err) {
    gpu_binding bias = shape[3] ? bind(&t[2], s) : (gpu_binding){0};
    return gpu_op_matmul_f32(cmd, bind(&t[3], s), bind(&t[0], s), bind(&t[1], s), bias, shape[0], shape[1], shape[2],
                             err);
}

static bool check_matmul(check_env *e, const uint32_t *shape) {
    check_tensor t[4];
    uint32_t m = shape[0], n = shape[1], k = shape[2];
    bool ok = tensor_make(e, &t[0], m * k, true, -1, 1) && tensor_make(e, &t[1], n * k, true, -1, 1) &&
              tensor_make(e, &t[2], n, true, -1, 1) && tensor_make(e, &t[3], m * n, false, 0, 0) &&
              run_both(e, record_matmul, t, shape) && tensor_compare(e, &t[3], 1e-9, 1e-4);
    for (int i = 0; i < 4; i++) tensor_free(&t[i]);
    return ok;
}

typedef struct op_case {
    const char *op;
    const char *vars;    /* names of shape[] entries, for the case name */
    bool (*check)(check_env *e, const uint32_t *shape);
    uint32_t shape[6];
} op_case;

static const op_case cases[] = {
    {"add_f32", "n", check_add, {1}},
    {"add_f32", "n", check_add, {63}},
    {"add_f32", "n", check_add, {64}},
    {"add_f32", "n", check_add, {65}},
    {"add_f32", "n", check_add, {4099}},
    {"matmul_f32", "m,n,k,bias", check_matmul, {1, 1, 1, 0}},
    {"matmul_f32", "m,n,k,bias", check_matmul, {5, 7, 13, 1}},
    {"matmul_f32", "m,n,k,bias", check_matmul, {8, 8, 8, 0}},
    {"matmul_f32", "m,n,k,bias", check_matmul, {9, 17, 31, 1}},
    {"matmul_f32", "m,n,k,bias", check_matmul, {1, 64, 96, 1}},
    {"matmul_f32", "m,n,k,bias", check_matmul, {32, 48, 64, 0}},
};

int op_check_count(void) { return (int)(sizeof cases / sizeof cases[0]); }

void op_check_name(int index, char *out, size_t cap) {
    const op_case *c = &cases[index];
    size_t used = (size_t)snprintf(out, cap, "%s(", c->op);
    const char *name = c->vars;
    for (int i = 0; *name && used < cap; i++) {
        const char *comma = strchr(name, ',');
        int len = comma ? (int)(comma - name) : (int)strlen(name);
        used += (size_t)snprintf(out + used, cap - used, "%s%.*s=%u", i ? "," : "", len, name, c->shape[i]);
        name = comma ? comma + 1 : name + len;
    }
    if (used < cap) snprintf(out + used, cap - used, ")");
}

op_check_result op_check_run(int index, gpu_device *dev, gpu_device *ref, uint64_t seed) {
    op_check_result r = {.outcome = OP_CHECK_PASS};
    op_check_name(index, r.name, sizeof r.name);
    check_env e = {.side = {dev, ref}, .rng = seed ^ (uint64_t)(index + 1) * 0x2545F4914F6CDD1Dull, .result = &r};
    cases[index].check(&e, cases[index].shape);
    return r;
}

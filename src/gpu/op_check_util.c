/* op_check_util.c — the machinery every op-check case file shares (op_check_internal.h): seeded inputs,
 * tensors mirrored on the device under test and the reference, running one recording on both, and the
 * comparison (NaN/Inf agreement, guards, per-element bound, NMSE). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gpu/op_check_internal.h"

enum { GUARD_FLOATS = OP_CHECK_GUARD_FLOATS };
static const float GUARD_VALUE = -7.75e30f;

/* ---------------------------------------------------------------- seeded inputs */

/* splitmix64: tiny, seedable, identical on every platform. */
uint64_t op_check_random(uint64_t *state) {
    uint64_t z = (*state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

float op_check_uniform(uint64_t *state, float lo, float hi) {
    return lo + (hi - lo) * (float)((op_check_random(state) >> 40) * (1.0 / 16777216.0));
}

/* ---------------------------------------------------------------- tensors on both devices */

bool op_check_fail(check_env *e, const vkvlm_error *err, const char *what) {
    e->result->outcome = OP_CHECK_FAIL;
    snprintf(e->result->detail, sizeof e->result->detail, "%s: %s", what, err->message);
    return false;
}

/* A tensor of `count` floats between guards, same contents on both sides: uniform in [lo,hi), or zero. */
bool check_tensor_make(check_env *e, check_tensor *t, uint32_t count, bool random, float lo, float hi) {
    memset(t, 0, sizeof *t);
    t->count = count;
    size_t total = (size_t)count + 2 * GUARD_FLOATS;
    float *host = malloc(total * sizeof *host);
    if (!host) {
        vkvlm_error err = {VKVLM_ERR_OUT_OF_MEMORY, "out of host memory"};
        return op_check_fail(e, &err, "inputs");
    }
    for (size_t i = 0; i < total; i++) host[i] = GUARD_VALUE;
    for (uint32_t i = 0; i < count; i++) host[GUARD_FLOATS + i] = random ? op_check_uniform(&e->rng, lo, hi) : 0.0f;
    bool ok = true;
    for (int s = 0; s < 2 && ok; s++) {
        vkvlm_error err = {0};
        gpu_buffer_desc desc = {.size = total * sizeof *host, .label = "op_check"};
        ok = gpu_buffer_create(e->side[s], &desc, &t->buf[s], &err) == VKVLM_OK &&
             gpu_buffer_write(t->buf[s], 0, host, desc.size, &err) == VKVLM_OK;
        if (!ok) op_check_fail(e, &err, "buffer");
    }
    free(host);
    return ok;
}

void check_tensor_free(check_tensor *t) {
    for (int s = 0; s < 2; s++) gpu_buffer_destroy(t->buf[s]);
    memset(t, 0, sizeof *t);
}

gpu_binding check_bind(const check_tensor *t, int side) {
    return (gpu_binding){t->buf[side], GUARD_FLOATS * sizeof(float), (uint64_t)t->count * sizeof(float)};
}

/* Reads both sides of an output and compares them; also checks the guards of the device side. */
bool check_tensor_compare(check_env *e, const check_tensor *t, double max_nmse, double elem_tol) {
    size_t total = (size_t)t->count + 2 * GUARD_FLOATS;
    float *got = malloc(total * sizeof *got), *want = malloc(total * sizeof *want);
    vkvlm_error err = {0};
    bool ok = got && want && gpu_buffer_read(t->buf[0], 0, got, total * sizeof *got, &err) == VKVLM_OK &&
              gpu_buffer_read(t->buf[1], 0, want, total * sizeof *want, &err) == VKVLM_OK;
    if (!ok) {
        if (!err.status) err = (vkvlm_error){VKVLM_ERR_OUT_OF_MEMORY, "out of host memory"};
        free(got);
        free(want);
        return op_check_fail(e, &err, "readback");
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
        if (isnan(a) != isnan(b) || isinf(a) != isinf(b) || (isinf(b) && a != b)) {
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

bool check_run_both(check_env *e, record_fn record, const check_tensor *t, const uint32_t *shape) {
    for (int s = 0; s < 2; s++) {
        vkvlm_error err = {0};
        gpu_cmd *cmd = NULL;
        vkvlm_status st = gpu_cmd_begin(e->side[s], &cmd, &err);
        if (st == VKVLM_OK) st = record(cmd, s, t, shape, &err);
        if (st == VKVLM_OK) st = gpu_cmd_submit(cmd, &err);
        if (st == VKVLM_OK) st = gpu_cmd_wait(cmd, &err);
        gpu_cmd_destroy(cmd);
        if (st != VKVLM_OK) return op_check_fail(e, &err, s ? "reference" : "device");
    }
    return true;
}


/* op_check.c — the basic cases (add, naive matmul) and the index over every group's case table.
 *
 * Shapes per op: an aligned one, odd primes, size-1 dimensions and tile boundaries +-1, kept small
 * because lavapipe runs shaders 10-100x slower than plain C. Bounds: fp32 kernels accumulate in float
 * while the reference uses double, so NMSE stays near 1e-12; 1e-9 leaves room for long K sums. */
#include "gpu/op_check_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/status.h"
#include "gpu/ops.h"

/* ---------------------------------------------------------------- op cases */

static vkvlm_status record_add(gpu_cmd *cmd, int s, const check_tensor *t, const uint32_t *shape, vkvlm_error *err) {
    return gpu_op_add_f32(cmd, check_bind(&t[2], s), check_bind(&t[0], s), check_bind(&t[1], s), shape[0], err);
}

static bool check_add(check_env *e, const uint32_t *shape) {
    check_tensor t[3];
    uint32_t n = shape[0];
    bool ok = check_tensor_make(e, &t[0], n, true, -2, 2) && check_tensor_make(e, &t[1], n, true, -2, 2) &&
              check_tensor_make(e, &t[2], n, false, 0, 0) && check_run_both(e, record_add, t, shape) &&
              check_tensor_compare(e, &t[2], 1e-14, 1e-7); /* one float add: exact on every device */
    for (int i = 0; i < 3; i++) check_tensor_free(&t[i]);
    return ok;
}

static vkvlm_status record_matmul(gpu_cmd *cmd, int s, const check_tensor *t, const uint32_t *shape,
                                  vkvlm_error *err) {
    gpu_binding bias = shape[3] ? check_bind(&t[2], s) : (gpu_binding){0};
    return gpu_op_matmul_f32(cmd, check_bind(&t[3], s), check_bind(&t[0], s), check_bind(&t[1], s), bias, shape[0], shape[1], shape[2],
                             err);
}

static bool check_matmul(check_env *e, const uint32_t *shape) {
    check_tensor t[4];
    uint32_t m = shape[0], n = shape[1], k = shape[2];
    bool ok = check_tensor_make(e, &t[0], m * k, true, -1, 1) && check_tensor_make(e, &t[1], n * k, true, -1, 1) &&
              check_tensor_make(e, &t[2], n, true, -1, 1) && check_tensor_make(e, &t[3], m * n, false, 0, 0) &&
              check_run_both(e, record_matmul, t, shape) && check_tensor_compare(e, &t[3], 1e-9, 1e-4);
    for (int i = 0; i < 4; i++) check_tensor_free(&t[i]);
    return ok;
}

static const op_case basic_cases[] = {
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

const op_case *op_check_cases_basic(int *count) {
    *count = (int)(sizeof basic_cases / sizeof basic_cases[0]);
    return basic_cases;
}

typedef const op_case *(*case_group_fn)(int *count);
static const case_group_fn case_groups[] = {op_check_cases_basic, op_check_cases_matmul, op_check_cases_elementwise,
                                            op_check_cases_attention, op_check_cases_vision,
                                            op_check_cases_sampling, op_check_cases_reduction};

/* The index-th case across all groups, in group order. */
static const op_case *case_at(int index) {
    for (size_t g = 0; g < sizeof case_groups / sizeof case_groups[0]; g++) {
        int count = 0;
        const op_case *cases = case_groups[g](&count);
        if (index < count) return &cases[index];
        index -= count;
    }
    return NULL;
}

int op_check_count(void) {
    int total = 0;
    for (size_t g = 0; g < sizeof case_groups / sizeof case_groups[0]; g++) {
        int count = 0;
        case_groups[g](&count);
        total += count;
    }
    return total;
}

void op_case_name(char *out, size_t cap, const char *op, const char *vars, const uint32_t *values) {
    size_t used = (size_t)snprintf(out, cap, "%s(", op);
    const char *name = vars;
    for (int i = 0; *name && used < cap; i++) {
        const char *comma = strchr(name, ',');
        int len = comma ? (int)(comma - name) : (int)strlen(name);
        used += (size_t)snprintf(out + used, cap - used, "%s%.*s=%u", i ? "," : "", len, name, values[i]);
        name = comma ? comma + 1 : name + len;
    }
    if (used < cap) snprintf(out + used, cap - used, ")");
}

void op_check_name(int index, char *out, size_t cap) {
    const op_case *c = case_at(index);
    op_case_name(out, cap, c->op, c->vars, c->shape);
}

op_check_result op_check_run(int index, gpu_device *dev, gpu_device *ref, uint64_t seed) {
    op_check_result r = {.outcome = OP_CHECK_PASS};
    op_check_name(index, r.name, sizeof r.name);
    check_env e = {.side = {dev, ref}, .rng = seed ^ (uint64_t)(index + 1) * 0x2545F4914F6CDD1Dull, .result = &r};
    const op_case *c = case_at(index);
    c->check(&e, c->shape);
    return r;
}

/* op_check_sampling.c — op-check cases of the sampling group. argmax returns an index: it must match the
 * reference exactly, including the tie rule (planted duplicates of the maximum at several positions). */
#include <stdio.h>
#include <string.h>

#include "gpu/op_check_internal.h"

static vkvlm_status record_argmax(gpu_cmd *cmd, int s, const check_tensor *t, const uint32_t *shape,
                                  vkvlm_error *err) {
    return gpu_op_argmax_f32(cmd, check_bind(&t[1], s), check_bind(&t[0], s), shape[0], err);
}

/* shape: n, tie (1: write the maximum again at a later index and an earlier-but-after-first one) */
static bool check_argmax(check_env *e, const uint32_t *shape) {
    uint32_t n = shape[0];
    check_tensor t[2];
    bool ok = check_tensor_make(e, &t[0], n, true, -5, 5) && check_tensor_make(e, &t[1], 1, false, 0, 0);
    if (ok && shape[1]) {
        /* plant a tie: the same large value at three positions; the lowest must win */
        float big = 9.5f;
        uint32_t at[3] = {n / 2, n - 1, n / 3 + 1};
        for (int s = 0; s < 2 && ok; s++)
            for (int i = 0; i < 3 && ok; i++) {
                vkvlm_error err = {0};
                ok = gpu_buffer_write(t[0].buf[s], (OP_CHECK_GUARD_FLOATS + at[i]) * sizeof(float), &big, 4, &err) == VKVLM_OK;
                if (!ok) op_check_fail(e, &err, "plant");
            }
    }
    ok = ok && check_run_both(e, record_argmax, t, shape);
    if (ok) {
        uint32_t got = 0, want = 0;
        vkvlm_error err = {0};
        gpu_buffer_read(t[1].buf[0], OP_CHECK_GUARD_FLOATS * 4, &got, 4, &err);
        gpu_buffer_read(t[1].buf[1], OP_CHECK_GUARD_FLOATS * 4, &want, 4, &err);
        if (got != want) {
            e->result->outcome = OP_CHECK_FAIL;
            snprintf(e->result->detail, sizeof e->result->detail, "argmax %u, reference %u", got, want);
            ok = false;
        }
    }
    for (int i = 0; i < 2; i++) check_tensor_free(&t[i]);
    return ok;
}

static const op_case sampling_cases[] = {
    {"argmax_f32", "n,tie", check_argmax, {1, 0}},
    {"argmax_f32", "n,tie", check_argmax, {255, 0}},
    {"argmax_f32", "n,tie", check_argmax, {257, 1}},
    {"argmax_f32", "n,tie", check_argmax, {32064, 1}},
    {"argmax_f32", "n,tie", check_argmax, {49280, 0}},
};

const op_case *op_check_cases_sampling(int *count) {
    *count = (int)(sizeof sampling_cases / sizeof sampling_cases[0]);
    return sampling_cases;
}

/* op_check_internal.h — for op-check case files (op_check_<group>.c): the case struct, the environment
 * and the shared helpers implemented in op_check_util.c.
 *
 * A case file defines checks like:
 *   static bool check_rmsnorm(check_env *e, const uint32_t *shape) {
 *       check_tensor t[3];  // inputs and outputs, mirrored on both devices, between guard regions
 *       bool ok = check_tensor_make(e, &t[0], rows * dim, true, -2, 2) && ... && check_run_both(e, record_rmsnorm, t, shape)
 *                 && check_tensor_compare(e, &t[2], 1e-10, 1e-5);
 *       for (...) check_tensor_free(&t[i]);
 *       return ok;
 *   }
 * and exposes its table through op_check_cases_<group>(). */
#ifndef VKVLM_GPU_OP_CHECK_INTERNAL_H
#define VKVLM_GPU_OP_CHECK_INTERNAL_H

#include "core/status.h"
#include "gpu/op_check.h"
#include "gpu/ops.h"

enum { OP_CHECK_GUARD_FLOATS = 256 }; /* 1 KiB each side: also a valid storage offset alignment everywhere */

typedef struct check_env {
    gpu_device *side[2]; /* 0: device under test, 1: reference */
    uint64_t rng;        /* seeded per case */
    op_check_result *result;
} check_env;

/* 4-byte elements (f32, i32, u32 or packed f16 pairs) mirrored on both sides, with guards around them. */
typedef struct check_tensor {
    gpu_buffer *buf[2];
    uint32_t count; /* 4-byte elements, guards excluded */
} check_tensor;

typedef struct op_case {
    const char *op;
    const char *vars; /* comma-separated names of shape[] entries, for the case name */
    bool (*check)(check_env *e, const uint32_t *shape);
    uint32_t shape[6];
} op_case;

uint64_t op_check_random(uint64_t *state);
float op_check_uniform(uint64_t *state, float lo, float hi);
/* Marks the case failed with "what: message"; returns false. */
bool op_check_fail(check_env *e, const vkvlm_error *err, const char *what);
/* count floats, uniform in [lo,hi) when random, else zero; same bytes on both sides. */
bool check_tensor_make(check_env *e, check_tensor *t, uint32_t count, bool random, float lo, float hi);
void check_tensor_free(check_tensor *t);
/* The tensor's binding (inside the guards) on side 0 or 1. */
gpu_binding check_bind(const check_tensor *t, int side);
/* Compares an f32 output: guards, NaN/Inf, |a-b| <= elem_tol*(1+|b|) per element, then NMSE <= max_nmse. */
bool check_tensor_compare(check_env *e, const check_tensor *t, double max_nmse, double elem_tol);

/* Records one op on a side; check_run_both records and runs it on both sides. */
typedef vkvlm_status (*record_fn)(gpu_cmd *cmd, int side, const check_tensor *t, const uint32_t *shape,
                                  vkvlm_error *err);
bool check_run_both(check_env *e, record_fn record, const check_tensor *t, const uint32_t *shape);

/* Each group's case table. */
const op_case *op_check_cases_basic(int *count);       /* op_check.c */
const op_case *op_check_cases_matmul(int *count);      /* op_check_matmul.c */
const op_case *op_check_cases_elementwise(int *count); /* op_check_elementwise.c */
const op_case *op_check_cases_attention(int *count);   /* op_check_attention.c */
const op_case *op_check_cases_vision(int *count);      /* op_check_vision.c */
const op_case *op_check_cases_sampling(int *count);    /* op_check_sampling.c */
const op_case *op_check_cases_reduction(int *count);   /* op_check_reduction.c */

#endif

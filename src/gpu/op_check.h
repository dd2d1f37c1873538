/* op_check.h — the op-by-op backend check (ggml's test-backend-ops pattern): every op case runs on a device
 * and on the CPU reference with the same seeded inputs, and the outputs are compared — NaN/Inf agreement,
 * then NMSE against the op's bound, then a per-element check that reports the first mismatch. Output
 * tensors sit between guard regions that must come back untouched (out-of-bounds writes).
 *
 * Used by tests/unit/test_ops.c (every case, on every Vulkan device, validation on) and by
 * `vkvlm selftest`. It is library code so both share one table of cases; it never prints. */
#ifndef VKVLM_GPU_OP_CHECK_H
#define VKVLM_GPU_OP_CHECK_H

#include <stdbool.h>
#include <stdint.h>

#include "gpu/gpu.h"

typedef enum op_check_outcome { OP_CHECK_PASS, OP_CHECK_FAIL, OP_CHECK_SKIP } op_check_outcome;

typedef struct op_check_result {
    op_check_outcome outcome;
    double nmse;          /* normalised mean squared error of the (first) output */
    double max_abs_err;
    char name[128];       /* "matmul_f32(m=5,n=7,k=13,bias=1)" */
    char detail[VKVLM_ERROR_MESSAGE_MAX + 128]; /* the first mismatch, the failing call, or why it was skipped */
} op_check_result;

/* Number of cases in the table. */
int op_check_count(void);
/* "op(a=1,b=2)" from an op name, comma-separated parameter names and their values: the name format that
 * op checks and benchmarks share, so filters select the same cases in both. */
void op_case_name(char *out, size_t cap, const char *op, const char *vars, const uint32_t *values);
/* Case i's name (op and shape), for listings and filters. */
void op_check_name(int index, char *out, size_t cap);
/* Runs case i on dev, with ref (a CPU reference device) as the oracle. seed makes the inputs. */
op_check_result op_check_run(int index, gpu_device *dev, gpu_device *ref, uint64_t seed);

#endif

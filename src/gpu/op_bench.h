/* op_bench.h — kernel micro-benchmarks for `vkvlm bench --ops`: each case allocates its buffers once,
 * records the op `repeat` times in one command after one warm-up command, and reports GPU time per run
 * from the per-dispatch timestamps (median and minimum), with GFLOP/s and GB/s from the case's analytic
 * FLOP and byte counts. Benchmarks are never tests: nothing here asserts a speed. */
#ifndef VKVLM_GPU_OP_BENCH_H
#define VKVLM_GPU_OP_BENCH_H

#include "gpu/gpu.h"

typedef struct op_bench_result {
    char name[128];     /* "matmul_f32(m=512,n=512,k=512)" */
    const char *kernel; /* kernel-table name the op dispatched (first dispatch) */
    int runs;           /* timed runs */
    double ms_median;   /* GPU milliseconds per run */
    double ms_min;
    double flops;       /* analytic FLOPs per run */
    double bytes;       /* analytic bytes moved per run (each input read once, output written once) */
    double gflops;      /* flops / median time */
    double gbps;        /* bytes / median time */
} op_bench_result;

int op_bench_count(void);
void op_bench_name(int index, char *out, size_t cap);
/* Runs case index on dev. The device must have timestamps (caps.timestamps); else VKVLM_ERR_UNSUPPORTED. */
vkvlm_status op_bench_run(int index, gpu_device *dev, int repeat, op_bench_result *out, vkvlm_error *err);

#endif

/* clock.h — a monotonic clock in milliseconds, for load times, stage timings and progress (never for
 * deciding anything: speed is measured by benchmarks, see DESIGN.md). */
#ifndef VKVLM_CORE_CLOCK_H
#define VKVLM_CORE_CLOCK_H

/* Milliseconds since an arbitrary fixed point (CLOCK_MONOTONIC). */
double vkvlm_now_ms(void);

#endif

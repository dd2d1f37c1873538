/* vkvlm_web.h — what the files of the web exports share: vkvlm_web.c holds the module's one session and its
 * last error; vkvlm_web_bench.c runs the benchmark on that session. */
#ifndef VKVLM_WEB_H
#define VKVLM_WEB_H

#include "vkvlm.h"

/* The loaded session (NULL before vkvlm_web_load) and the directory it was loaded from. */
vkvlm_session *vkvlm_web_session(void);
const char *vkvlm_web_model_dir(void);

/* Record why the current call failed, for vkvlm_web_last_error(); both return 0, the exports' failure value. */
int vkvlm_web_fail(const vkvlm_error *err);
int vkvlm_web_error(const char *fmt, ...)
#if defined(__GNUC__) || defined(__clang__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;

#endif

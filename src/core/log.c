/* log.c — see log.h. */
#include "core/log.h"

#include <stdarg.h>
#include <stdio.h>

void vkvlm_log(const vkvlm_logger *logger, vkvlm_log_level level, const char *fmt, ...) {
    if (!logger || !logger->fn) return;
    vkvlm_log_level max = logger->max_level ? logger->max_level : VKVLM_LOG_WARN;
    if (level > max) return;
    char message[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(message, sizeof message, fmt, ap);
    va_end(ap);
    logger->fn(logger->user_data, level, message);
}

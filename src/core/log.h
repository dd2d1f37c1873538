/* log.h — formatted messages through the caller's vkvlm_logger. The library never prints on its own. */
#ifndef VKVLM_CORE_LOG_H
#define VKVLM_CORE_LOG_H

#include "core/status.h"

/* Formats and hands the message to logger->fn when level <= logger->max_level (default WARN).
 * logger may be NULL or have no fn: the message is dropped. */
void vkvlm_log(const vkvlm_logger *logger, vkvlm_log_level level, const char *fmt, ...) VKVLM_PRINTF(3, 4);

#endif

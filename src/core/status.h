/* status.h — filling vkvlm_error records (the library's only way to report failure).
 *
 * Usage: return vkvlm_error_set(err, VKVLM_ERR_FORMAT, "%s: header length %llu exceeds file size %llu",
 *                               path, len, size);
 * The function returns the status it was given, so a failure is reported and propagated in one line, and the
 * call stays a visible `return` (no macro hides control flow). err may be NULL (the message is dropped).
 */
#ifndef VKVLM_CORE_STATUS_H
#define VKVLM_CORE_STATUS_H

#include "vkvlm.h"

#if defined(__GNUC__) || defined(__clang__)
#define VKVLM_PRINTF(fmt_index, first_arg) __attribute__((format(printf, fmt_index, first_arg)))
#else
#define VKVLM_PRINTF(fmt_index, first_arg)
#endif

/* Records status + formatted message, unless err already holds a failure (the first cause is kept). */
vkvlm_status vkvlm_error_set(vkvlm_error *err, vkvlm_status status, const char *fmt, ...) VKVLM_PRINTF(3, 4);

/* Prepends "context: " to an existing failure message (e.g. the model directory around a tensor error).
 * Returns err->status (VKVLM_OK if nothing failed, in which case nothing changes). */
vkvlm_status vkvlm_error_context(vkvlm_error *err, const char *fmt, ...) VKVLM_PRINTF(2, 3);

/* Resets a record to "no error". */
void vkvlm_error_clear(vkvlm_error *err);

#endif

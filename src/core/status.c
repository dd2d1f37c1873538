/* status.c — the status text table and the error record helpers declared in status.h. */
#include "core/status.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const char *const status_texts[VKVLM_STATUS_COUNT] = {
#define VKVLM_STATUS_TEXT(id, text) [id] = text,
    VKVLM_STATUS_LIST(VKVLM_STATUS_TEXT)
#undef VKVLM_STATUS_TEXT
};

const char *vkvlm_status_text(vkvlm_status status) {
    if ((int)status < 0 || status >= VKVLM_STATUS_COUNT) return "unknown status";
    return status_texts[status];
}

vkvlm_status vkvlm_error_set(vkvlm_error *err, vkvlm_status status, const char *fmt, ...) {
    if (!err) return status;
    if (err->status != VKVLM_OK) return err->status; /* keep the first cause */
    err->status = status;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
    return status;
}

vkvlm_status vkvlm_error_context(vkvlm_error *err, const char *fmt, ...) {
    if (!err || err->status == VKVLM_OK) return VKVLM_OK;
    char prefix[VKVLM_ERROR_MESSAGE_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(prefix, sizeof prefix, fmt, ap);
    va_end(ap);
    /* Truncation keeps the front of the message (the context and the start of the cause). */
    char joined[2 * VKVLM_ERROR_MESSAGE_MAX + 2];
    snprintf(joined, sizeof joined, "%s: %s", prefix, err->message);
    size_t n = strlen(joined);
    if (n >= sizeof err->message) n = sizeof err->message - 1;
    memcpy(err->message, joined, n);
    err->message[n] = '\0';
    return err->status;
}

void vkvlm_error_clear(vkvlm_error *err) {
    if (!err) return;
    err->status = VKVLM_OK;
    err->message[0] = '\0';
}

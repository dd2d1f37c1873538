/* vkvlm.h — the public C API of vkvlm, a portable GPU inference engine for vision-language models.
 *
 * The CLI (src/cli) and the web build use only this header. It grows with the engine: today it holds the
 * status codes and the error record that every layer returns; model and session objects join it as the
 * LLaVA path lands.
 *
 * Conventions (see ../shared/STYLE.md): functions return a vkvlm_status; on failure they fill a
 * caller-owned vkvlm_error with a message naming the file, tensor, option or Vulkan call at fault.
 * Library code never prints, exits or aborts.
 */
#ifndef VKVLM_H
#define VKVLM_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* X-macro: one row per status, id + fixed text. The text is the category; the message in vkvlm_error says
 * exactly what went wrong. */
#define VKVLM_STATUS_LIST(X)                                                     \
    X(VKVLM_OK, "ok")                                                            \
    X(VKVLM_ERR_IO, "file could not be read or written")                         \
    X(VKVLM_ERR_FORMAT, "malformed input")                                       \
    X(VKVLM_ERR_UNSUPPORTED, "not supported")                                    \
    X(VKVLM_ERR_USAGE, "bad usage")                                              \
    X(VKVLM_ERR_OUT_OF_MEMORY, "out of memory")                                  \
    X(VKVLM_ERR_DEVICE, "device error")                                          \
    X(VKVLM_ERR_NO_DEVICE, "no usable device")                                   \
    X(VKVLM_ERR_LIMIT, "exceeds a limit")                                        \
    X(VKVLM_ERR_INTERNAL, "internal error")

typedef enum vkvlm_status {
#define VKVLM_STATUS_ENUM(id, text) id,
    VKVLM_STATUS_LIST(VKVLM_STATUS_ENUM)
#undef VKVLM_STATUS_ENUM
    VKVLM_STATUS_COUNT
} vkvlm_status;

/* Fixed text of a status ("malformed input"). Never NULL. */
const char *vkvlm_status_text(vkvlm_status status);

/* The error record: caller-owned, zero-initialised means "no error yet". The first failure wins: later
 * vkvlm_error_set calls on an already-failed record only prepend context (see vkvlm_error_context). */
#define VKVLM_ERROR_MESSAGE_MAX 1024
typedef struct vkvlm_error {
    vkvlm_status status;                   /* VKVLM_OK until something fails */
    char message[VKVLM_ERROR_MESSAGE_MAX]; /* "model.safetensors: header length 9000 exceeds file size 120" */
} vkvlm_error;

/* Log levels for the logger callback. The library never prints: it calls this, or nothing. */
typedef enum vkvlm_log_level {
    VKVLM_LOG_ERROR = 0,
    VKVLM_LOG_WARN = 1,
    VKVLM_LOG_INFO = 2,
    VKVLM_LOG_DEBUG = 3,
} vkvlm_log_level;

typedef void (*vkvlm_log_fn)(void *user_data, vkvlm_log_level level, const char *message);

typedef struct vkvlm_logger {
    vkvlm_log_fn fn;  /* NULL: messages are dropped */
    void *user_data;  /* passed back to fn */
    vkvlm_log_level max_level; /* 0 (default) means VKVLM_LOG_WARN: errors and warnings only */
} vkvlm_logger;

#ifdef __cplusplus
}
#endif
#endif

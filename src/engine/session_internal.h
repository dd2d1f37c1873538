/* session_internal.h — what in-tree tools (the CLI's bench) may read of a session beyond vkvlm.h: the device it
 * runs on, for the capability block of a benchmark report. Not part of the public API. */
#ifndef VKVLM_ENGINE_SESSION_INTERNAL_H
#define VKVLM_ENGINE_SESSION_INTERNAL_H

#include "gpu/gpu.h"

/* The session's device as `vkvlm devices` lists it (backend, index within it unknown: -1, effective caps), and the
 * limit profile in force ("" when none). */
void vkvlm_session_device_info(const vkvlm_session *s, gpu_device_info *out, const char **limits);

#endif

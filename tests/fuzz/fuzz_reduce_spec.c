/* fuzz_reduce_spec.c — libFuzzer target: arbitrary text as --reduce values and as a --limits profile.
 *
 * The input is split at newlines into up to six --reduce values fed to reduce_parse in order (methods
 * compose, so sequences matter), then validated against a 4-layer LLM and 3-layer vision tower with 16 image tokens; the whole
 * input is also parsed as a limit profile. Every call must return a status, fill a message on failure, and
 * never accept a spec outside the documented ranges. Seeds: tests/fuzz/corpus/reduce_spec/. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/status.h"
#include "gpu/limits.h"
#include "reduce/reduce.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    char *text = malloc(size + 1);
    if (!text) return 0;
    memcpy(text, data, size);
    text[size] = '\0';

    reduce_spec spec = {0};
    char *line = text;
    for (int i = 0; i < 6 && line; i++) {
        char *next = strchr(line, '\n');
        if (next) *next++ = '\0';
        vkvlm_error err = {0};
        vkvlm_status st = reduce_parse(&spec, line, &err);
        if (st != VKVLM_OK && (!err.message[0] || st != VKVLM_ERR_USAGE)) abort();
        line = next;
    }
    if (spec.count < 0 || spec.count > REDUCE_MAX_ITEMS) abort();
    for (int i = 0; i < spec.count; i++)
        if (spec.items[i].method == REDUCE_FASTV && (spec.items[i].fastv_k < 1 || !(spec.items[i].fastv_r >= 0) ||
                                                     !(spec.items[i].fastv_r < 1)))
            abort();
    vkvlm_error err = {0};
    if (reduce_validate(&spec, 4, 3, 16, &err) != VKVLM_OK && !err.message[0]) abort();

    gpu_limits limits;
    vkvlm_error_clear(&err);
    if (gpu_limits_parse(text, &limits, &err) != VKVLM_OK && !err.message[0]) abort();
    free(text);
    return 0;
}

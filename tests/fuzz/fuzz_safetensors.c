/* fuzz_safetensors.c — libFuzzer target: arbitrary bytes through the safetensors validator and every accessor.
 *
 * Whatever the input, parse must return a status (never crash, leak or read outside the buffer), and a file it
 * accepts must hand out views that stay inside the buffer: each tensor is looked up by name (directly and
 * through the checkpoint alias lookup), shape-checked against itself and converted to f32 when its dtype allows.
 * Seeds: tests/fuzz/corpus/safetensors/. Run: tools/run_fuzzers.sh BUILD_DIR SECONDS.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "io/safetensors.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    /* A private copy, so ASan flags any read past `size` (the fuzzer's buffer may be larger). */
    uint8_t *bytes = malloc(size ? size : 1);
    if (!bytes) return 0;
    if (size) memcpy(bytes, data, size);

    vkvlm_safetensors st = {0};
    vkvlm_error err = {0};
    if (vkvlm_safetensors_parse(&st, bytes, size, "fuzz.safetensors", &err) == VKVLM_OK) {
        /* a checkpoint view over the one parsed file, to drive the alias lookup; not closed (st owns the data) */
        vkvlm_checkpoint ck = {.dir = "fuzz", .source = "fuzz.safetensors", .shards = &st, .n_shards = 1};
        (void)vkvlm_safetensors_metadata(&st, "format");
        for (size_t i = 0; i < st.n_tensors; i++) {
            const vkvlm_safetensors_tensor *t = &st.tensors[i];
            if (vkvlm_safetensors_find(&st, t->name) != t) abort();
            if (vkvlm_checkpoint_find(&ck, t->name) != t) abort();
            if (t->nbytes && (t->data < bytes || t->data + t->nbytes > bytes + size)) abort();
            vkvlm_error e2 = {0};
            if (vkvlm_safetensors_expect_shape(t, t->ndim, t->shape, &e2) != VKVLM_OK) abort();
            if (t->numel <= (1u << 20)) {
                float *out = malloc((size_t)t->numel * sizeof(float) + 1);
                if (out) (void)vkvlm_safetensors_read_f32(t, out, (size_t)t->numel, &e2);
                free(out);
            }
        }
        const vkvlm_safetensors_tensor *t = NULL;
        (void)vkvlm_checkpoint_get(&ck, "language_model.model.embed_tokens.weight", &t, &err);
    }
    vkvlm_safetensors_close(&st);
    free(bytes);
    return 0;
}

/* fuzz_config.c — libFuzzer target: arbitrary bytes as config.json and as generation_config.json.
 *
 * Both parsers take (text, length) without a terminator, so the input is copied to an exact-size buffer and
 * ASan catches any read past it. A parse must return a status and, on success, leave a config whose derived
 * values agree with the values it came from. Seeds: tests/fuzz/corpus/config/.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/status.h"
#include "io/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    char *text = malloc(size ? size : 1);
    if (!text) return 0;
    if (size) memcpy(text, data, size);

    vkvlm_config cfg;
    vkvlm_error err = {0};
    if (vkvlm_config_parse(&cfg, text, size, "fuzz/config.json", &err) == VKVLM_OK) {
        const vkvlm_config_text *t = &cfg.text;
        if (t->num_hidden_layers <= 0 || t->num_key_value_heads <= 0 || t->head_dim <= 0) abort();
        if (t->num_attention_heads % t->num_key_value_heads != 0) abort();
        if (cfg.vision.model_type[0] && cfg.vision.head_dim * cfg.vision.num_attention_heads != cfg.vision.hidden_size)
            abort();
    } else if (err.status == VKVLM_OK || !err.message[0]) {
        abort(); /* a failure must say why */
    }
    vkvlm_generation_config gen;
    vkvlm_error_clear(&err);
    (void)vkvlm_generation_config_parse(&gen, text, size, "fuzz/generation_config.json", &err);
    free(text);
    return 0;
}

/* test_flops.c — the analytic FLOPs formulas (docs/methods.md, "FLOPs") on a config small enough to count by
 * hand. Reduction methods are judged by how much of their FLOPs saving the measured time realises, so these
 * numbers are the denominator of every benchmark: they must be the formulas the docs state, exactly.
 *
 * LLM (llama_layer_flops, llama_flops): d = 8, H = 2 query heads, H_kv = 1, d_h = 4, m = 16, 2 layers, V = 10.
 *   d_q = H·d_h = 8, d_kv = H_kv·d_h = 4
 *   per row = 2·(d·d_q + 2·d·d_kv + d_q·d + 3·d·m) = 2·(64 + 64 + 64 + 384) = 1152
 *   F(n=3, p=0): keys = 3·0 + 3·4/2 = 6, attention = 4·d_q·keys = 192; 3·1152 + 192 = 3648
 *   F(n=1, p=5): keys = 1·5 + 1·2/2 = 6, attention 192;              1152 + 192 = 1344
 *   prefill of 3 rows with logits: 2·3648 + 2·d·V = 7296 + 160 = 7456
 *   decode step at past 5, no logits: 2·1344 = 2688
 *
 * Vision (vit_flops): d_v = 8, MLP 16, patch p = 2, 2 layers run, 4 patches.
 *   per layer with t tokens = 2·t·(4·d_v² + 2·d_v·mlp) + 4·t²·d_v   (q, k, v, o; fc1, fc2; q·k and p·v)
 *   patch embedding = 2·patches·d_v·3·p² = 2·4·8·12 = 768
 *   CLIP (t = 5, class token included): 2·5·512 + 4·25·8 = 5920 per layer; 768 + 2·5920 = 12608
 *   SigLIP (t = 4, no class token):     2·4·512 + 4·16·8 = 4608 per layer; 768 + 2·4608 = 9984
 */
#include <string.h>

#include "models/llama.h"
#include "models/vit.h"
#include "test.h"

static vkvlm_config_text tiny_text(void) {
    vkvlm_config_text c;
    memset(&c, 0, sizeof c);
    c.hidden_size = 8;
    c.num_attention_heads = 2;
    c.num_key_value_heads = 1;
    c.head_dim = 4;
    c.intermediate_size = 16;
    c.num_hidden_layers = 2;
    c.vocab_size = 10;
    return c;
}

static void test_llama_layer(void) {
    vkvlm_config_text c = tiny_text();
    TEST_CHECK(llama_layer_flops(&c, 3, 0) == 3648.0);
    TEST_CHECK(llama_layer_flops(&c, 1, 5) == 1344.0);
    TEST_CHECK(llama_layer_flops(&c, 0, 5) == 0.0);
}

static void test_llama_model(void) {
    vkvlm_config_text c = tiny_text();
    TEST_CHECK(llama_flops(&c, 3, 0, true) == 7456.0);
    TEST_CHECK(llama_flops(&c, 1, 5, false) == 2688.0);
    /* with no reduction the prefill is the plain count with logits */
    TEST_CHECK(llama_prefill_flops(&c, 3, NULL) == 7456.0);
}

static vit_model tiny_vit(vit_kind kind) {
    vit_model m;
    memset(&m, 0, sizeof m);
    m.cfg.hidden_size = 8;
    m.cfg.intermediate_size = 16;
    m.cfg.patch_size = 2;
    m.kind = kind;
    m.layers_run = 2;
    m.first_patch = kind == VIT_CLIP ? 1 : 0;
    m.tokens = 4 + m.first_patch;
    return m;
}

static void test_vit(void) {
    vit_model clip = tiny_vit(VIT_CLIP), siglip = tiny_vit(VIT_SIGLIP);
    TEST_CHECK(vit_flops(&clip) == 12608.0);
    TEST_CHECK(vit_flops(&siglip) == 9984.0);
}

int main(void) {
    TEST_RUN(test_llama_layer);
    TEST_RUN(test_llama_model);
    TEST_RUN(test_vit);
    return test_finish();
}

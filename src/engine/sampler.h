/* sampler.h — choosing the next token from logits on the host: greedy, or temperature with top-k, top-p and
 * a repetition penalty, from a seeded generator kept in the struct (runs reproduce exactly). The random
 * number is drawn inside sampler_sample only, so tests can drive it with a known seed. */
#ifndef VKVLM_ENGINE_SAMPLER_H
#define VKVLM_ENGINE_SAMPLER_H

#include <stdint.h>

typedef struct sampler_desc {
    float temperature;        /* <= 0: greedy (argmax, lower id wins ties) */
    int top_k;                /* <= 0: all */
    float top_p;              /* <= 0 or >= 1: off */
    float repetition_penalty; /* <= 0 or == 1: off; > 1 discourages tokens already in the history (CTRL rule) */
    uint64_t seed;            /* 0 is replaced by 1 */
} sampler_desc;

typedef struct sampler {
    sampler_desc desc;
    uint64_t rng;             /* xorshift64* state */
    int vocab;
    int32_t *order;           /* [vocab] scratch: candidate ids */
    float *probs;             /* [vocab] scratch */
    int32_t *scratch;         /* [vocab] sort scratch */
} sampler;

int sampler_init(sampler *s, const sampler_desc *desc, int vocab); /* 0 on out of memory */
void sampler_free(sampler *s);
/* Picks a token. logits [vocab] are modified (penalty, temperature). history: ids already in the context. */
int32_t sampler_sample(sampler *s, float *logits, const int32_t *history, int n_history);

#endif

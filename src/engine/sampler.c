/* sampler.c — see sampler.h. */
#include "engine/sampler.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

int sampler_init(sampler *s, const sampler_desc *desc, int vocab) {
    memset(s, 0, sizeof *s);
    s->desc = *desc;
    s->rng = desc->seed ? desc->seed : 1;
    s->vocab = vocab;
    s->order = malloc((size_t)vocab * sizeof *s->order);
    s->probs = malloc((size_t)vocab * sizeof *s->probs);
    s->scratch = malloc((size_t)vocab * sizeof *s->scratch);
    return s->order && s->probs && s->scratch;
}

void sampler_free(sampler *s) {
    free(s->order);
    free(s->probs);
    free(s->scratch);
    memset(s, 0, sizeof *s);
}

/* xorshift64*, uniform in [0, 1) with 24 bits */
static float next_uniform(sampler *s) {
    s->rng ^= s->rng >> 12;
    s->rng ^= s->rng << 25;
    s->rng ^= s->rng >> 27;
    return (float)((s->rng * 0x2545F4914F6CDD1Dull) >> 40) / 16777216.0f;
}

static int32_t argmax(const float *logits, int n) {
    int32_t best = 0;
    for (int i = 1; i < n; i++)
        if (logits[i] > logits[best]) best = i;
    return best;
}

/* Stable merge sort of ids by descending probability (equal probabilities keep ascending ids): qsort has
 * no context argument, and a global for the keys would be hidden state. tmp holds n ids. */
static void sort_by_prob(int32_t *ids, int32_t *tmp, int n, const float *probs) {
    for (int width = 1; width < n; width *= 2) {
        for (int lo = 0; lo < n; lo += 2 * width) {
            int mid = lo + width < n ? lo + width : n, hi = lo + 2 * width < n ? lo + 2 * width : n;
            int a = lo, b = mid, o = lo;
            while (a < mid && b < hi) tmp[o++] = probs[ids[b]] > probs[ids[a]] ? ids[b++] : ids[a++];
            while (a < mid) tmp[o++] = ids[a++];
            while (b < hi) tmp[o++] = ids[b++];
        }
        memcpy(ids, tmp, (size_t)n * sizeof *ids);
    }
}

int32_t sampler_sample(sampler *s, float *logits, const int32_t *history, int n_history) {
    const sampler_desc *d = &s->desc;
    int n = s->vocab;
    if (d->repetition_penalty > 0 && d->repetition_penalty != 1.0f) {
        /* CTRL / transformers rule: divide positive logits, multiply negative ones, once per distinct id */
        for (int i = 0; i < n_history; i++) {
            int32_t id = history[i];
            if (id < 0 || id >= n) continue;
            int seen = 0;
            for (int j = 0; j < i && !seen; j++) seen = history[j] == id;
            if (seen) continue;
            logits[id] = logits[id] > 0 ? logits[id] / d->repetition_penalty : logits[id] * d->repetition_penalty;
        }
    }
    if (d->temperature <= 0) return argmax(logits, n);

    float max = logits[argmax(logits, n)];
    double sum = 0;
    for (int i = 0; i < n; i++) {
        s->probs[i] = expf((logits[i] - max) / d->temperature);
        sum += s->probs[i];
        s->order[i] = i;
    }
    for (int i = 0; i < n; i++) s->probs[i] = (float)(s->probs[i] / sum);
    int candidates = n;
    if ((d->top_k > 0 && d->top_k < n) || (d->top_p > 0 && d->top_p < 1)) {
        sort_by_prob(s->order, s->scratch, n, s->probs);
        if (d->top_k > 0 && d->top_k < candidates) candidates = d->top_k;
        if (d->top_p > 0 && d->top_p < 1) {
            double cum = 0;
            for (int i = 0; i < candidates; i++) {
                cum += s->probs[s->order[i]];
                if (cum >= d->top_p) {
                    candidates = i + 1;
                    break;
                }
            }
        }
    }
    double mass = 0;
    for (int i = 0; i < candidates; i++) mass += s->probs[s->order[i]];
    double r = next_uniform(s) * mass, cum = 0;
    for (int i = 0; i < candidates; i++) {
        cum += s->probs[s->order[i]];
        if (r < cum) return s->order[i];
    }
    return s->order[candidates - 1];
}

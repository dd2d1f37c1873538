/* synth_model.c — writes a random-weight Hugging Face model directory for a supported family, the way
 * save_pretrained lays it out: config.json (sparse, defaults omitted), generation_config.json,
 * model.safetensors (legacy tensor names, sorted), tokenizer.json with a small real vocabulary,
 * tokenizer_config.json, special_tokens_map.json, preprocessor_config.json, processor_config.json and
 * chat_template.json, plus sample.png, a small picture for the demo. vkvlm_make_tiny and `vkvlm bench --shape`
 * both call synth_model_write; the shapes (tiny, LLaVA-1.5-7B, SmolVLM-256M, SmolLM2-135M, ...) are listed in
 * the table near the end.
 *
 * llava-1.5-7b writes LLaVA-1.5-7B's real dimensions (vocab 32064, hidden 4096, MLP 11008, 32 heads,
 * CLIP ViT-L/14-336) in float16 with as many layers as asked (all of them would be 14 GB), so the real-size
 * graph, its memory plan and the splitting of the 32064 x 4096 lm_head over several bindings can be run here.
 * llava-smollm2 pairs LLaVA's CLIP ViT-L/14-336 (576 image tokens) with a SmolLM2-135M-sized decoder
 * (hidden 576, 30 layers, 9 heads / 3 KV heads): real proportions at a size lavapipe can benchmark.
 * smolvlm-256m is SmolVLM-256M (SigLIP-B/16-512, pixel shuffle 4, SmolLM2-135M-sized decoder) with image
 * splitting off, so one image is one 512x512 tile (64 tokens) and a benchmark measures one tile's encode.
 *
 * The vocabulary is real: byte pieces plus BPE merges learned here from a short embedded English text, in
 * the family's tokenizer style (Llama SentencePiece-style BPE with byte fallback; GPT-2 byte-level BPE with
 * single-digit splitting). The config's vocab_size may be larger (the real models' sizes): the rows past the
 * tokenizer are ordinary random embeddings that only a sampled or benchmark token reaches. Weights follow the
 * golden cases' recipe (shared/golden/README.md): norms 1 + 0.1·N(0,1), biases 0.05·N(0,1), linear
 * N(0,1)/sqrt(fan_in), embeddings N(0,1). Tiny LLaVA is written in float32, the rest in float16 (as the real
 * checkpoints are stored in half precision). */
#define _POSIX_C_SOURCE 200809L
#include <cjson/cJSON.h>
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/status.h"
#include "io/safetensors_writer.h"
#include "models/synth_model.h"

/* stb_image_write writes the sample image; third-party code, so its warnings stay local. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wshadow"
#pragma GCC diagnostic ignored "-Wsign-compare"
#pragma GCC diagnostic ignored "-Wunused-parameter"
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
#define STB_IMAGE_WRITE_IMPLEMENTATION
#include <stb_image_write.h>
#pragma GCC diagnostic pop

static const char corpus[] =
    "What is shown in this image? The image shows a yellow disc and a blue bar on a gradient.\n"
    "Describe this image. There is a small white checker pattern in the top left corner.\n"
    "A photo of a cat sitting on a table next to a cup of coffee in the morning light.\n"
    "The picture contains 2 shapes: one circle and one rectangle, with colors red, green and blue.\n"
    "Answer the question about the image in one short sentence, and then explain what you see.\n";

/* ---------------------------------------------------------------- random numbers, failures */

/* One write's state: the random stream (so two writes never share one), the first failure, and the summary
 * line the caller prints. Helpers record a failure and carry on; the family functions check it once. */
typedef struct synth_ctx {
    uint64_t rng;
    vkvlm_error *err;
    bool failed;
    char *summary;
    size_t summary_size;
} synth_ctx;

static void synth_oom(synth_ctx *cx, const char *what) {
    cx->failed = true;
    vkvlm_error_set(cx->err, VKVLM_ERR_OUT_OF_MEMORY, "synthetic model: out of host memory for %s", what);
}

static uint64_t next_u64(synth_ctx *cx) {
    uint64_t z = (cx->rng += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}
static double next_normal(synth_ctx *cx) {
    double u1 = ((next_u64(cx) >> 11) + 1.0) / 9007199254740993.0, u2 = (next_u64(cx) >> 11) / 9007199254740992.0;
    return sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
}

/* ---------------------------------------------------------------- BPE training */

typedef struct vocab {
    char **tokens; /* id -> UTF-8 token string */
    int count, capacity;
    char (*merges)[2][64];
    int merge_count;
    bool oom; /* an allocation failed: ids after it are -1 */
} vocab;

static int vocab_find(const vocab *v, const char *s) {
    for (int i = 0; i < v->count; i++)
        if (strcmp(v->tokens[i], s) == 0) return i;
    return -1;
}
static int vocab_add(vocab *v, const char *s) {
    int id = vocab_find(v, s);
    if (id >= 0) return id;
    if (v->count == v->capacity) {
        int capacity = v->capacity ? v->capacity * 2 : 512;
        char **tokens = realloc(v->tokens, (size_t)capacity * sizeof *tokens);
        if (!tokens) {
            v->oom = true;
            return -1;
        }
        v->tokens = tokens;
        v->capacity = capacity;
    }
    if (!(v->tokens[v->count] = strdup(s))) {
        v->oom = true;
        return -1;
    }
    return v->count++;
}

static void vocab_free(vocab *v) {
    for (int i = 0; i < v->count; i++) free(v->tokens[i]);
    free(v->tokens);
    free(v->merges);
    memset(v, 0, sizeof *v);
}

/* A word is a list of symbol strings; training merges the most frequent adjacent pair, ties broken by the
 * pair's text so the result is the same everywhere. */
typedef struct word {
    char sym[256][64];
    int n;
} word;

static void train_merges(vocab *v, word *words, int word_count, int merges) {
    v->merges = calloc((size_t)merges, sizeof *v->merges);
    if (!v->merges) {
        v->oom = true;
        return;
    }
    for (int m = 0; m < merges; m++) {
        char best_a[64] = "", best_b[64] = "";
        int best = 1; /* a pair must occur at least twice to be worth a token */
        for (int w = 0; w < word_count; w++) {
            for (int i = 0; i + 1 < words[w].n; i++) {
                const char *a = words[w].sym[i], *b = words[w].sym[i + 1];
                if (strlen(a) + strlen(b) >= 63) continue;
                int count = 0;
                for (int x = 0; x < word_count; x++)
                    for (int j = 0; j + 1 < words[x].n; j++)
                        count += strcmp(words[x].sym[j], a) == 0 && strcmp(words[x].sym[j + 1], b) == 0;
                int better = count > best ||
                             (count == best && best_a[0] &&
                              (strcmp(a, best_a) < 0 || (strcmp(a, best_a) == 0 && strcmp(b, best_b) < 0)));
                if (better) {
                    best = count;
                    snprintf(best_a, sizeof best_a, "%s", a);
                    snprintf(best_b, sizeof best_b, "%s", b);
                }
            }
        }
        if (!best_a[0]) break;
        char joined[128];
        snprintf(joined, sizeof joined, "%s%s", best_a, best_b);
        vocab_add(v, joined);
        snprintf(v->merges[v->merge_count][0], 64, "%s", best_a);
        snprintf(v->merges[v->merge_count][1], 64, "%s", best_b);
        v->merge_count++;
        for (int w = 0; w < word_count; w++) {
            word *wd = &words[w];
            for (int i = 0; i + 1 < wd->n; i++) {
                if (strcmp(wd->sym[i], best_a) || strcmp(wd->sym[i + 1], best_b)) continue;
                snprintf(wd->sym[i], 64, "%s", joined);
                memmove(&wd->sym[i + 1], &wd->sym[i + 2], (size_t)(wd->n - i - 2) * sizeof wd->sym[0]);
                wd->n--;
            }
        }
    }
}

static int utf8_len(unsigned char c) { return c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4; }

/* Llama style: each line becomes "▁" + line with spaces as "▁" (the Prepend + Replace normalizer), one
 * "word" per line since there is no pre-tokenizer. */
static int llama_words(word *words) {
    int count = 0;
    const char *p = corpus;
    while (*p) {
        const char *end = strchr(p, '\n');
        word *w = &words[count++];
        w->n = 0;
        snprintf(w->sym[w->n++], 64, "\xe2\x96\x81");
        for (const char *c = p; c < end && w->n < 256; c += utf8_len((unsigned char)*c)) {
            if (*c == ' ') snprintf(w->sym[w->n++], 64, "\xe2\x96\x81");
            else snprintf(w->sym[w->n++], 64, "%.*s", utf8_len((unsigned char)*c), c);
        }
        p = end + 1;
    }
    return count;
}

/* GPT-2's byte-to-unicode table: printable bytes map to themselves, the rest to U+0100 + n in order. */
static void byte_char(int byte, char *out) {
    static int table[256];
    static int ready;
    if (!ready) {
        int n = 0;
        for (int b = 0; b < 256; b++) {
            int printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            table[b] = printable ? b : 256 + n++;
        }
        ready = 1;
    }
    int cp = table[byte];
    if (cp < 0x80) snprintf(out, 8, "%c", cp);
    else snprintf(out, 8, "%c%c", 0xC0 | (cp >> 6), 0x80 | (cp & 0x3F));
}

/* GPT-2 style on this ASCII corpus: words are " ?letters", single digits, " ?punctuation" runs and
 * whitespace, each byte shown through the byte-level table ("Ġ" for a space). */
static int gpt2_words(word *words) {
    int count = 0;
    const char *p = corpus;
    while (*p) {
        word *w = &words[count];
        w->n = 0;
        const char *start = p;
        if (*p == ' ' && p[1] && p[1] != ' ' && p[1] != '\n' && !(p[1] >= '0' && p[1] <= '9')) p++;
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')) {
            while ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')) p++;
        } else if (*p >= '0' && *p <= '9') {
            p++;
        } else if (*p == ' ' || *p == '\n') {
            p++;
        } else {
            while (*p && *p != ' ' && *p != '\n' && !((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9'))) p++;
        }
        for (const char *c = start; c < p && w->n < 256; c++) byte_char((unsigned char)*c, w->sym[w->n++]);
        count++;
    }
    return count;
}

/* ---------------------------------------------------------------- JSON helpers */

static int write_json(synth_ctx *cx, const char *dir, const char *name, cJSON *json) {
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    char *text = cJSON_Print(json);
    FILE *f = fopen(path, "w");
    int ok = f && text && fputs(text, f) >= 0;
    if (f) ok = (fclose(f) == 0) && ok;
    free(text);
    cJSON_Delete(json);
    if (!ok) {
        cx->failed = true;
        vkvlm_error_set(cx->err, VKVLM_ERR_IO, "cannot write %s: %s", path, strerror(errno));
    }
    return ok;
}

static cJSON *added_token(int id, const char *content) {
    cJSON *t = cJSON_CreateObject();
    cJSON_AddNumberToObject(t, "id", id);
    cJSON_AddStringToObject(t, "content", content);
    cJSON_AddBoolToObject(t, "single_word", 0);
    cJSON_AddBoolToObject(t, "lstrip", 0);
    cJSON_AddBoolToObject(t, "rstrip", 0);
    cJSON_AddBoolToObject(t, "normalized", 0);
    cJSON_AddBoolToObject(t, "special", 1);
    return t;
}

static cJSON *string_replace(const char *from, const char *to, const char *type) {
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "type", type);
    cJSON *pattern = cJSON_AddObjectToObject(o, "pattern");
    cJSON_AddStringToObject(pattern, "String", from);
    cJSON_AddStringToObject(o, "content", to);
    return o;
}

/* tokenizer.json: vocab + merges + the family's pipeline; special ids listed in added_tokens. */
static int write_tokenizer(synth_ctx *cx, const char *dir, const vocab *v, int first_added, int llama) {
    cJSON *t = cJSON_CreateObject();
    cJSON_AddStringToObject(t, "version", "1.0");
    cJSON_AddNullToObject(t, "truncation");
    cJSON_AddNullToObject(t, "padding");
    cJSON *added = cJSON_AddArrayToObject(t, "added_tokens");
    for (int i = 0; i < v->count; i++)
        if (i >= first_added || (llama && i < 3) || (!llama && i == 0)) cJSON_AddItemToArray(added, added_token(i, v->tokens[i]));
    if (llama) {
        cJSON *norm = cJSON_AddObjectToObject(t, "normalizer");
        cJSON_AddStringToObject(norm, "type", "Sequence");
        cJSON *list = cJSON_AddArrayToObject(norm, "normalizers");
        cJSON *prepend = cJSON_CreateObject();
        cJSON_AddStringToObject(prepend, "type", "Prepend");
        cJSON_AddStringToObject(prepend, "prepend", "\xe2\x96\x81");
        cJSON_AddItemToArray(list, prepend);
        cJSON_AddItemToArray(list, string_replace(" ", "\xe2\x96\x81", "Replace"));
        cJSON_AddNullToObject(t, "pre_tokenizer");
        cJSON *post = cJSON_AddObjectToObject(t, "post_processor");
        cJSON_AddStringToObject(post, "type", "TemplateProcessing");
        cJSON *single = cJSON_AddArrayToObject(post, "single");
        cJSON *bos = cJSON_CreateObject(), *bos_inner = cJSON_AddObjectToObject(bos, "SpecialToken");
        cJSON_AddStringToObject(bos_inner, "id", "<s>");
        cJSON_AddNumberToObject(bos_inner, "type_id", 0);
        cJSON_AddItemToArray(single, bos);
        cJSON *seq = cJSON_CreateObject(), *seq_inner = cJSON_AddObjectToObject(seq, "Sequence");
        cJSON_AddStringToObject(seq_inner, "id", "A");
        cJSON_AddNumberToObject(seq_inner, "type_id", 0);
        cJSON_AddItemToArray(single, seq);
        cJSON_AddItemToObject(post, "pair", cJSON_Duplicate(single, 1));
        cJSON *specials = cJSON_AddObjectToObject(post, "special_tokens"), *s = cJSON_AddObjectToObject(specials, "<s>");
        cJSON_AddStringToObject(s, "id", "<s>");
        int one = 1;
        cJSON_AddItemToObject(s, "ids", cJSON_CreateIntArray(&one, 1));
        const char *tok = "<s>";
        cJSON_AddItemToObject(s, "tokens", cJSON_CreateStringArray(&tok, 1));
        cJSON *dec = cJSON_AddObjectToObject(t, "decoder");
        cJSON_AddStringToObject(dec, "type", "Sequence");
        cJSON *decs = cJSON_AddArrayToObject(dec, "decoders");
        cJSON_AddItemToArray(decs, string_replace("\xe2\x96\x81", " ", "Replace"));
        cJSON *fb = cJSON_CreateObject(), *fuse = cJSON_CreateObject(), *strip = cJSON_CreateObject();
        cJSON_AddStringToObject(fb, "type", "ByteFallback");
        cJSON_AddStringToObject(fuse, "type", "Fuse");
        cJSON_AddStringToObject(strip, "type", "Strip");
        cJSON_AddStringToObject(strip, "content", " ");
        cJSON_AddNumberToObject(strip, "start", 1);
        cJSON_AddNumberToObject(strip, "stop", 0);
        cJSON_AddItemToArray(decs, fb);
        cJSON_AddItemToArray(decs, fuse);
        cJSON_AddItemToArray(decs, strip);
    } else {
        cJSON_AddNullToObject(t, "normalizer");
        cJSON *pre = cJSON_AddObjectToObject(t, "pre_tokenizer");
        cJSON_AddStringToObject(pre, "type", "Sequence");
        cJSON *list = cJSON_AddArrayToObject(pre, "pretokenizers");
        cJSON *digits = cJSON_CreateObject(), *bl = cJSON_CreateObject();
        cJSON_AddStringToObject(digits, "type", "Digits");
        cJSON_AddBoolToObject(digits, "individual_digits", 1);
        cJSON_AddStringToObject(bl, "type", "ByteLevel");
        cJSON_AddBoolToObject(bl, "add_prefix_space", 0);
        cJSON_AddBoolToObject(bl, "trim_offsets", 1);
        cJSON_AddBoolToObject(bl, "use_regex", 1);
        cJSON_AddItemToArray(list, digits);
        cJSON_AddItemToArray(list, bl);
        cJSON *post = cJSON_AddObjectToObject(t, "post_processor");
        cJSON_AddStringToObject(post, "type", "ByteLevel");
        cJSON_AddBoolToObject(post, "add_prefix_space", 1);
        cJSON_AddBoolToObject(post, "trim_offsets", 0);
        cJSON_AddBoolToObject(post, "use_regex", 1);
        cJSON *dec = cJSON_AddObjectToObject(t, "decoder");
        cJSON_AddStringToObject(dec, "type", "ByteLevel");
        cJSON_AddBoolToObject(dec, "add_prefix_space", 1);
        cJSON_AddBoolToObject(dec, "trim_offsets", 1);
        cJSON_AddBoolToObject(dec, "use_regex", 1);
    }
    cJSON *model = cJSON_AddObjectToObject(t, "model");
    cJSON_AddStringToObject(model, "type", "BPE");
    cJSON_AddNullToObject(model, "dropout");
    if (llama) cJSON_AddStringToObject(model, "unk_token", "<unk>");
    else cJSON_AddNullToObject(model, "unk_token");
    cJSON_AddNullToObject(model, "continuing_subword_prefix");
    cJSON_AddNullToObject(model, "end_of_word_suffix");
    cJSON_AddBoolToObject(model, "fuse_unk", llama);
    cJSON_AddBoolToObject(model, "byte_fallback", llama);
    cJSON *vj = cJSON_AddObjectToObject(model, "vocab");
    for (int i = 0; i < first_added; i++) cJSON_AddNumberToObject(vj, v->tokens[i], i);
    cJSON *mj = cJSON_AddArrayToObject(model, "merges");
    for (int m = 0; m < v->merge_count; m++) {
        char pair[160];
        snprintf(pair, sizeof pair, "%s %s", v->merges[m][0], v->merges[m][1]);
        cJSON_AddItemToArray(mj, cJSON_CreateString(pair));
    }
    return write_json(cx, dir, "tokenizer.json", t);
}

/* ---------------------------------------------------------------- weights */

typedef struct tensor_list {
    vkvlm_st_entry *items;
    int count, capacity;
    int half; /* store float16 */
    synth_ctx *cx;
} tensor_list;

static uint16_t to_half(float f) {
    uint32_t x;
    memcpy(&x, &f, 4);
    uint32_t sign = (x >> 16) & 0x8000u, exp = (x >> 23) & 0xFF, mant = x & 0x7FFFFFu;
    if (exp == 0xFF) return (uint16_t)(sign | 0x7C00u | (mant ? 0x200u : 0));
    int e = (int)exp - 127 + 15;
    if (e >= 31) return (uint16_t)(sign | 0x7C00u);
    if (e <= 0) {
        if (e < -10) return (uint16_t)sign;
        mant |= 0x800000u;
        uint32_t shift = (uint32_t)(14 - e), half = mant >> shift, rest = mant & ((1u << shift) - 1), mid = 1u << (shift - 1);
        if (rest > mid || (rest == mid && (half & 1))) half++;
        return (uint16_t)(sign | half);
    }
    uint32_t half = sign | ((uint32_t)e << 10) | (mant >> 13), rest = mant & 0x1FFFu;
    if (rest > 0x1000u || (rest == 0x1000u && (half & 1))) half++; /* round to nearest even; may carry into exp */
    return (uint16_t)half;
}

static void tensor_list_free(tensor_list *l) {
    for (int i = 0; i < l->count; i++) {
        free((void *)l->items[i].name);
        free((void *)l->items[i].data);
    }
    free(l->items);
    memset(l, 0, sizeof *l);
}

/* A new zeroed entry named `name` (copied), or NULL after recording the failure. */
static vkvlm_st_entry *tensor_list_push(tensor_list *l, const char *name) {
    if (l->count == l->capacity) {
        int capacity = l->capacity ? l->capacity * 2 : 128;
        vkvlm_st_entry *items = realloc(l->items, (size_t)capacity * sizeof *items);
        if (!items) {
            synth_oom(l->cx, "the tensor list");
            return NULL;
        }
        l->items = items;
        l->capacity = capacity;
    }
    vkvlm_st_entry *e = &l->items[l->count];
    memset(e, 0, sizeof *e);
    if (!(e->name = strdup(name))) {
        synth_oom(l->cx, name);
        return NULL;
    }
    l->count++;
    return e;
}

enum init { INIT_LINEAR, INIT_NORM, INIT_BIAS, INIT_EMBED, INIT_POS, INIT_HEAD };

static void add_tensor(tensor_list *l, const char *name, enum init init, int ndim, int64_t d0, int64_t d1, int64_t d2,
                       int64_t d3) {
    int64_t dims[4] = {d0, d1, d2, d3}, n = 1;
    for (int i = 0; i < ndim; i++) n *= dims[i];
    int64_t fan_in = ndim >= 2 ? n / dims[0] : 1;
    size_t elem = l->half ? 2 : 4;
    if (l->cx->failed) return;
    void *data = malloc((size_t)n * elem);
    if (!data) return synth_oom(l->cx, name);
    for (int64_t i = 0; i < n; i++) {
        double r = next_normal(l->cx), v;
        switch (init) {
        case INIT_NORM: v = 1.0 + 0.1 * r; break;
        case INIT_BIAS: v = 0.05 * r; break;
        case INIT_EMBED: v = r; break;
        case INIT_POS: v = 0.3 * r; break;
        case INIT_HEAD: v = 2.0 * r / sqrt((double)fan_in); break;
        default: v = r / sqrt((double)fan_in); break;
        }
        if (l->half) ((uint16_t *)data)[i] = to_half((float)v);
        else ((float *)data)[i] = (float)v;
    }
    vkvlm_st_entry *e = tensor_list_push(l, name);
    if (!e) {
        free(data);
        return;
    }
    e->dtype = l->half ? "F16" : "F32";
    e->ndim = ndim;
    for (int i = 0; i < ndim; i++) e->shape[i] = dims[i];
    e->data = data;
    e->nbytes = (size_t)n * elem;
}

typedef struct dims {
    int vocab, hidden, inter, layers, heads, kv_heads, head_dim;
    int v_hidden, v_inter, v_layers, v_heads, image, patch;
} dims;

static void add_vision_encoder(tensor_list *l, const char *prefix, const dims *d) {
    char name[256];
    for (int i = 0; i < d->v_layers; i++) {
        static const char *const proj[] = {"q_proj", "k_proj", "v_proj", "out_proj"};
        for (int p = 0; p < 4; p++) {
            snprintf(name, sizeof name, "%s.encoder.layers.%d.self_attn.%s.weight", prefix, i, proj[p]);
            add_tensor(l, name, INIT_LINEAR, 2, d->v_hidden, d->v_hidden, 0, 0);
            snprintf(name, sizeof name, "%s.encoder.layers.%d.self_attn.%s.bias", prefix, i, proj[p]);
            add_tensor(l, name, INIT_BIAS, 1, d->v_hidden, 0, 0, 0);
        }
        for (int n = 1; n <= 2; n++) {
            snprintf(name, sizeof name, "%s.encoder.layers.%d.layer_norm%d.weight", prefix, i, n);
            add_tensor(l, name, INIT_NORM, 1, d->v_hidden, 0, 0, 0);
            snprintf(name, sizeof name, "%s.encoder.layers.%d.layer_norm%d.bias", prefix, i, n);
            add_tensor(l, name, INIT_BIAS, 1, d->v_hidden, 0, 0, 0);
        }
        snprintf(name, sizeof name, "%s.encoder.layers.%d.mlp.fc1.weight", prefix, i);
        add_tensor(l, name, INIT_LINEAR, 2, d->v_inter, d->v_hidden, 0, 0);
        snprintf(name, sizeof name, "%s.encoder.layers.%d.mlp.fc1.bias", prefix, i);
        add_tensor(l, name, INIT_BIAS, 1, d->v_inter, 0, 0, 0);
        snprintf(name, sizeof name, "%s.encoder.layers.%d.mlp.fc2.weight", prefix, i);
        add_tensor(l, name, INIT_LINEAR, 2, d->v_hidden, d->v_inter, 0, 0);
        snprintf(name, sizeof name, "%s.encoder.layers.%d.mlp.fc2.bias", prefix, i);
        add_tensor(l, name, INIT_BIAS, 1, d->v_hidden, 0, 0, 0);
    }
    snprintf(name, sizeof name, "%s.post_layernorm.weight", prefix);
    add_tensor(l, name, INIT_NORM, 1, d->v_hidden, 0, 0, 0);
    snprintf(name, sizeof name, "%s.post_layernorm.bias", prefix);
    add_tensor(l, name, INIT_BIAS, 1, d->v_hidden, 0, 0, 0);
}

static void add_llama(tensor_list *l, const char *prefix, const char *head, const dims *d) {
    char name[256];
    snprintf(name, sizeof name, "%s.embed_tokens.weight", prefix);
    add_tensor(l, name, INIT_EMBED, 2, d->vocab, d->hidden, 0, 0);
    for (int i = 0; i < d->layers; i++) {
        int q = d->heads * d->head_dim, kv = d->kv_heads * d->head_dim;
        struct { const char *n; int rows, cols; } lin[] = {{"self_attn.q_proj", q, d->hidden}, {"self_attn.k_proj", kv, d->hidden},
                                                           {"self_attn.v_proj", kv, d->hidden}, {"self_attn.o_proj", d->hidden, q},
                                                           {"mlp.gate_proj", d->inter, d->hidden}, {"mlp.up_proj", d->inter, d->hidden},
                                                           {"mlp.down_proj", d->hidden, d->inter}};
        for (size_t k = 0; k < sizeof lin / sizeof lin[0]; k++) {
            snprintf(name, sizeof name, "%s.layers.%d.%s.weight", prefix, i, lin[k].n);
            add_tensor(l, name, INIT_LINEAR, 2, lin[k].rows, lin[k].cols, 0, 0);
        }
        snprintf(name, sizeof name, "%s.layers.%d.input_layernorm.weight", prefix, i);
        add_tensor(l, name, INIT_NORM, 1, d->hidden, 0, 0, 0);
        snprintf(name, sizeof name, "%s.layers.%d.post_attention_layernorm.weight", prefix, i);
        add_tensor(l, name, INIT_NORM, 1, d->hidden, 0, 0, 0);
    }
    snprintf(name, sizeof name, "%s.norm.weight", prefix);
    add_tensor(l, name, INIT_NORM, 1, d->hidden, 0, 0, 0);
    if (head) add_tensor(l, head, INIT_HEAD, 2, d->vocab, d->hidden, 0, 0); /* NULL: tied to the embeddings */
}

/* ---------------------------------------------------------------- families */

static cJSON *text_config(const dims *d, double theta, int bos, int eos, int pad, const char *dtype) {
    cJSON *t = cJSON_CreateObject();
    if (bos >= 0) cJSON_AddNumberToObject(t, "bos_token_id", bos);
    if (eos >= 0) cJSON_AddNumberToObject(t, "eos_token_id", eos);
    cJSON_AddNumberToObject(t, "head_dim", d->head_dim);
    cJSON_AddNumberToObject(t, "hidden_size", d->hidden);
    cJSON_AddNumberToObject(t, "intermediate_size", d->inter);
    cJSON_AddNumberToObject(t, "max_position_embeddings", 4096);
    cJSON_AddStringToObject(t, "model_type", "llama");
    cJSON_AddNumberToObject(t, "num_attention_heads", d->heads);
    cJSON_AddNumberToObject(t, "num_hidden_layers", d->layers);
    cJSON_AddNumberToObject(t, "num_key_value_heads", d->kv_heads);
    cJSON_AddNumberToObject(t, "pad_token_id", pad);
    cJSON_AddNumberToObject(t, "rms_norm_eps", 1e-5);
    if (theta != 10000.0) cJSON_AddNumberToObject(t, "rope_theta", theta);
    cJSON_AddStringToObject(t, "torch_dtype", dtype);
    cJSON_AddNumberToObject(t, "vocab_size", d->vocab);
    return t;
}

static cJSON *special_token(const char *content) {
    cJSON *t = added_token(0, content);
    cJSON_DeleteItemFromObject(t, "id");
    return t;
}

/* The shape a family is written in (synth_model_shapes lists the names); 0 everywhere: the tiny model. */
typedef struct shape_opts {
    int real_7b;        /* llava: LLaVA-1.5-7B's dimensions */
    int smollm_text;    /* llava, proxyv: CLIP ViT-L/14-336 with a SmolLM2-135M-sized decoder: real proportions,
                           fast enough for lavapipe benchmarks of the reduction methods */
    int smolvlm_256m;   /* idefics3: SmolVLM-256M (SigLIP-B/16-512 + SmolLM2-135M-sized decoder) */
    int smollm2_text;   /* idefics3: SmolLM2-135M's decoder behind a one-layer tiny tower (text-only runs) */
    int text_layers, vision_layers;
} shape_opts;

static int make_llava(synth_ctx *cx, const char *dir, const shape_opts *so) {
    vocab v = {0};
    vocab_add(&v, "<unk>");
    vocab_add(&v, "<s>");
    vocab_add(&v, "</s>");
    for (int b = 0; b < 256; b++) {
        char piece[8];
        snprintf(piece, sizeof piece, "<0x%02X>", b);
        vocab_add(&v, piece);
    }
    static word words[64];
    int n = llama_words(words);
    for (int w = 0; w < n; w++)
        for (int i = 0; i < words[w].n; i++) vocab_add(&v, words[w].sym[i]);
    train_merges(&v, words, n, 120);
    int image_id = v.count, first_added = v.count;
    vocab_add(&v, "<image>");
    int pad_id = vocab_add(&v, "<pad>");
    dims d = {.vocab = (v.count + 63) / 64 * 64, .hidden = 64, .inter = 160, .layers = 4, .heads = 4, .kv_heads = 2,
              .head_dim = 16, .v_hidden = 32, .v_inter = 80, .v_layers = 3, .v_heads = 4, .image = 56, .patch = 14};
    if (so->real_7b)
        d = (dims){.vocab = 32064, .hidden = 4096, .inter = 11008, .layers = 32, .heads = 32, .kv_heads = 32,
                   .head_dim = 128, .v_hidden = 1024, .v_inter = 4096, .v_layers = 24, .v_heads = 16, .image = 336,
                   .patch = 14};
    if (so->smollm_text)
        d = (dims){.vocab = 49152, .hidden = 576, .inter = 1536, .layers = 30, .heads = 9, .kv_heads = 3,
                   .head_dim = 64, .v_hidden = 1024, .v_inter = 4096, .v_layers = 24, .v_heads = 16, .image = 336,
                   .patch = 14};
    if (so->text_layers) d.layers = so->text_layers;
    if (so->vision_layers) d.v_layers = so->vision_layers;
    const char *dtype = so->real_7b || so->smollm_text ? "float16" : "float32";
    int grid = d.image / d.patch, image_tokens = grid * grid;

    cJSON *c = cJSON_CreateObject();
    const char *arch = "LlavaForConditionalGeneration";
    cJSON_AddItemToObject(c, "architectures", cJSON_CreateStringArray(&arch, 1));
    cJSON_AddNumberToObject(c, "image_seq_length", image_tokens);
    cJSON_AddNumberToObject(c, "image_token_index", image_id);
    cJSON_AddStringToObject(c, "model_type", "llava");
    cJSON_AddNumberToObject(c, "pad_token_id", pad_id);
    cJSON_AddStringToObject(c, "projector_hidden_act", "gelu");
    cJSON_AddItemToObject(c, "text_config", text_config(&d, 10000.0, -1, -1, pad_id, dtype));
    cJSON_AddBoolToObject(c, "tie_word_embeddings", 0);
    cJSON_AddStringToObject(c, "torch_dtype", dtype);
    cJSON *vc = cJSON_AddObjectToObject(c, "vision_config");
    cJSON_AddNumberToObject(vc, "hidden_size", d.v_hidden);
    cJSON_AddNumberToObject(vc, "image_size", d.image);
    cJSON_AddNumberToObject(vc, "intermediate_size", d.v_inter);
    cJSON_AddStringToObject(vc, "model_type", "clip_vision_model");
    cJSON_AddNumberToObject(vc, "num_attention_heads", d.v_heads);
    cJSON_AddNumberToObject(vc, "num_hidden_layers", d.v_layers);
    cJSON_AddNumberToObject(vc, "patch_size", d.patch);
    cJSON_AddNumberToObject(vc, "projection_dim", d.hidden);
    cJSON_AddNumberToObject(c, "vision_feature_layer", -2);
    cJSON_AddStringToObject(c, "vision_feature_select_strategy", "default");
    int ok = write_json(cx, dir, "config.json", c);

    cJSON *g = cJSON_CreateObject();
    cJSON_AddNumberToObject(g, "bos_token_id", 1);
    cJSON_AddNumberToObject(g, "eos_token_id", 2);
    cJSON_AddNumberToObject(g, "pad_token_id", pad_id);
    ok = ok && write_json(cx, dir, "generation_config.json", g);
    ok = ok && write_tokenizer(cx, dir, &v, first_added, 1);

    const char *template =
        "{% for message in messages %}{% if message['role'] != 'system' %}{{ message['role'].upper() + ': '}}{% endif %}"
        "{% for content in message['content'] | selectattr('type', 'equalto', 'image') %}{{ '<image>\n' }}{% endfor %}"
        "{% for content in message['content'] | selectattr('type', 'equalto', 'text') %}{{ content['text'] + ' '}}"
        "{% endfor %}{% endfor %}{% if add_generation_prompt %}{{ 'ASSISTANT:' }}{% endif %}";
    cJSON *tc = cJSON_CreateObject();
    cJSON_AddBoolToObject(tc, "add_bos_token", 1);
    cJSON_AddBoolToObject(tc, "add_eos_token", 0);
    cJSON_AddStringToObject(tc, "bos_token", "<s>");
    cJSON_AddStringToObject(tc, "chat_template", template);
    cJSON_AddBoolToObject(tc, "clean_up_tokenization_spaces", 0);
    cJSON_AddStringToObject(tc, "eos_token", "</s>");
    cJSON_AddBoolToObject(tc, "legacy", 1);
    cJSON_AddStringToObject(tc, "pad_token", "<pad>");
    cJSON_AddStringToObject(tc, "processor_class", "LlavaProcessor");
    cJSON_AddStringToObject(tc, "tokenizer_class", "LlamaTokenizer");
    cJSON_AddStringToObject(tc, "unk_token", "<unk>");
    ok = ok && write_json(cx, dir, "tokenizer_config.json", tc);
    cJSON *ct = cJSON_CreateObject();
    cJSON_AddStringToObject(ct, "chat_template", template);
    ok = ok && write_json(cx, dir, "chat_template.json", ct);
    cJSON *sm = cJSON_CreateObject();
    cJSON_AddItemToObject(sm, "bos_token", special_token("<s>"));
    cJSON_AddItemToObject(sm, "eos_token", special_token("</s>"));
    cJSON_AddItemToObject(sm, "pad_token", special_token("<pad>"));
    cJSON_AddItemToObject(sm, "unk_token", special_token("<unk>"));
    cJSON_AddStringToObject(sm, "image_token", "<image>");
    ok = ok && write_json(cx, dir, "special_tokens_map.json", sm);

    static const double mean[3] = {0.48145466, 0.4578275, 0.40821073}, stdv[3] = {0.26862954, 0.26130258, 0.27577711};
    cJSON *pp = cJSON_CreateObject(), *crop = cJSON_AddObjectToObject(pp, "crop_size");
    cJSON_AddNumberToObject(crop, "height", d.image);
    cJSON_AddNumberToObject(crop, "width", d.image);
    cJSON_AddBoolToObject(pp, "do_center_crop", 1);
    cJSON_AddBoolToObject(pp, "do_convert_rgb", 1);
    cJSON_AddBoolToObject(pp, "do_normalize", 1);
    cJSON_AddBoolToObject(pp, "do_rescale", 1);
    cJSON_AddBoolToObject(pp, "do_resize", 1);
    cJSON_AddItemToObject(pp, "image_mean", cJSON_CreateDoubleArray(mean, 3));
    cJSON_AddStringToObject(pp, "image_processor_type", "CLIPImageProcessor");
    cJSON_AddItemToObject(pp, "image_std", cJSON_CreateDoubleArray(stdv, 3));
    cJSON_AddStringToObject(pp, "processor_class", "LlavaProcessor");
    cJSON_AddNumberToObject(pp, "resample", 3);
    cJSON_AddNumberToObject(pp, "rescale_factor", 1.0 / 255.0);
    cJSON *size = cJSON_AddObjectToObject(pp, "size");
    cJSON_AddNumberToObject(size, "shortest_edge", d.image);
    ok = ok && write_json(cx, dir, "preprocessor_config.json", pp);
    cJSON *pc = cJSON_CreateObject();
    cJSON_AddStringToObject(pc, "image_token", "<image>");
    cJSON_AddNumberToObject(pc, "num_additional_image_tokens", 1);
    cJSON_AddNumberToObject(pc, "patch_size", d.patch);
    cJSON_AddStringToObject(pc, "processor_class", "LlavaProcessor");
    cJSON_AddStringToObject(pc, "vision_feature_select_strategy", "default");
    ok = ok && write_json(cx, dir, "processor_config.json", pc);
    if (!ok) {
        vocab_free(&v);
        return 0;
    }

    tensor_list l = {.cx = cx, .half = so->real_7b || so->smollm_text};
    add_llama(&l, "language_model.model", "language_model.lm_head.weight", &d);
    add_tensor(&l, "multi_modal_projector.linear_1.weight", INIT_LINEAR, 2, d.hidden, d.v_hidden, 0, 0);
    add_tensor(&l, "multi_modal_projector.linear_1.bias", INIT_BIAS, 1, d.hidden, 0, 0, 0);
    add_tensor(&l, "multi_modal_projector.linear_2.weight", INIT_LINEAR, 2, d.hidden, d.hidden, 0, 0);
    add_tensor(&l, "multi_modal_projector.linear_2.bias", INIT_BIAS, 1, d.hidden, 0, 0, 0);
    add_tensor(&l, "vision_tower.vision_model.embeddings.class_embedding", INIT_EMBED, 1, d.v_hidden, 0, 0, 0);
    add_tensor(&l, "vision_tower.vision_model.embeddings.patch_embedding.weight", INIT_LINEAR, 4, d.v_hidden, 3, d.patch, d.patch);
    add_tensor(&l, "vision_tower.vision_model.embeddings.position_embedding.weight", INIT_POS, 2, image_tokens + 1, d.v_hidden, 0, 0);
    add_tensor(&l, "vision_tower.vision_model.pre_layrnorm.weight", INIT_NORM, 1, d.v_hidden, 0, 0, 0);
    add_tensor(&l, "vision_tower.vision_model.pre_layrnorm.bias", INIT_BIAS, 1, d.v_hidden, 0, 0, 0);
    add_vision_encoder(&l, "vision_tower.vision_model", &d);
    char path[4096];
    snprintf(path, sizeof path, "%s/model.safetensors", dir);
    ok = !cx->failed && !v.oom && vkvlm_safetensors_write(path, l.items, l.count, cx->err) == VKVLM_OK;
    if (v.oom) synth_oom(cx, "the vocabulary");
    if (ok)
        snprintf(cx->summary, cx->summary_size, "LLaVA-1.5%s (vocab %d, %d merges, %d tensors, %d image tokens)",
                 so->real_7b ? " 7B-shaped" : so->smollm_text ? " with a SmolLM2-135M-sized decoder" : " tiny", v.count,
                 v.merge_count, l.count, image_tokens);
    tensor_list_free(&l);
    vocab_free(&v);
    return ok;
}

static int make_idefics3(synth_ctx *cx, const char *dir, const shape_opts *so) {
    vocab v = {0};
    vocab_add(&v, "<|endoftext|>");
    for (int b = 0; b < 256; b++) {
        char c[8];
        byte_char(b, c);
        vocab_add(&v, c);
    }
    static word words[512];
    int n = gpt2_words(words);
    train_merges(&v, words, n, 120);
    int first_added = v.count;
    int bos = vocab_add(&v, "<|im_start|>"), pad = vocab_add(&v, "<|im_end|>");
    vocab_add(&v, "<fake_token_around_image>");
    int image_id = vocab_add(&v, "<image>"), eos = vocab_add(&v, "<end_of_utterance>");
    vocab_add(&v, "<global-img>");
    for (int r = 1; r <= 4; r++)
        for (int c = 1; c <= 4; c++) {
            char tok[32];
            snprintf(tok, sizeof tok, "<row_%d_col_%d>", r, c);
            vocab_add(&v, tok);
        }
    dims d = {.vocab = (v.count + 63) / 64 * 64, .hidden = 64, .inter = 192, .layers = 4, .heads = 4, .kv_heads = 1,
              .head_dim = 16, .v_hidden = 48, .v_inter = 96, .v_layers = 3, .v_heads = 4, .image = 64, .patch = 8};
    int scale = 2;
    if (so->smolvlm_256m) { /* MODELS.md 5.2 */
        d = (dims){.vocab = 49280, .hidden = 576, .inter = 1536, .layers = 30, .heads = 9, .kv_heads = 3,
                   .head_dim = 64, .v_hidden = 768, .v_inter = 3072, .v_layers = 12, .v_heads = 12, .image = 512,
                   .patch = 16};
        scale = 4;
    }
    if (so->smollm2_text) { /* SmolLM2-135M's decoder; the tower stays tiny (one layer): text-only runs skip it */
        d.vocab = 49152, d.hidden = 576, d.inter = 1536, d.layers = 30, d.heads = 9, d.kv_heads = 3, d.head_dim = 64;
        d.v_layers = 1;
    }
    if (so->text_layers) d.layers = so->text_layers;
    if (so->vision_layers) d.v_layers = so->vision_layers;
    bool tied = so->smollm2_text; /* SmolLM2 ties lm_head to the embeddings; SmolVLM-256M does not */
    int grid = d.image / d.patch, seq = grid * grid / (scale * scale);

    cJSON *c = cJSON_CreateObject();
    const char *arch = "Idefics3ForConditionalGeneration";
    cJSON_AddItemToObject(c, "architectures", cJSON_CreateStringArray(&arch, 1));
    cJSON_AddNumberToObject(c, "image_token_id", image_id);
    cJSON_AddStringToObject(c, "model_type", "idefics3");
    cJSON_AddNumberToObject(c, "pad_token_id", pad);
    cJSON_AddNumberToObject(c, "scale_factor", scale);
    cJSON *tcfg = text_config(&d, 100000.0, bos, eos, pad, "float16");
    if (tied) cJSON_AddBoolToObject(tcfg, "tie_word_embeddings", 1);
    cJSON_AddItemToObject(c, "text_config", tcfg);
    cJSON_AddBoolToObject(c, "tie_word_embeddings", tied);
    cJSON_AddStringToObject(c, "torch_dtype", "float16");
    cJSON *vc = cJSON_AddObjectToObject(c, "vision_config");
    cJSON_AddNumberToObject(vc, "hidden_size", d.v_hidden);
    cJSON_AddNumberToObject(vc, "image_size", d.image);
    cJSON_AddNumberToObject(vc, "intermediate_size", d.v_inter);
    cJSON_AddStringToObject(vc, "model_type", "idefics3_vision");
    cJSON_AddNumberToObject(vc, "num_attention_heads", d.v_heads);
    cJSON_AddNumberToObject(vc, "num_hidden_layers", d.v_layers);
    cJSON_AddNumberToObject(vc, "patch_size", d.patch);
    int ok = write_json(cx, dir, "config.json", c);
    cJSON *g = cJSON_CreateObject();
    cJSON_AddNumberToObject(g, "bos_token_id", bos);
    cJSON_AddNumberToObject(g, "eos_token_id", eos);
    cJSON_AddNumberToObject(g, "pad_token_id", pad);
    ok = ok && write_json(cx, dir, "generation_config.json", g);
    ok = ok && write_tokenizer(cx, dir, &v, first_added, 0);
    cJSON *tc = cJSON_CreateObject();
    cJSON_AddBoolToObject(tc, "add_prefix_space", 0);
    const char *extra[] = {"<fake_token_around_image>", "<image>", "<end_of_utterance>"};
    cJSON_AddItemToObject(tc, "additional_special_tokens", cJSON_CreateStringArray(extra, 3));
    cJSON_AddStringToObject(tc, "bos_token", "<|im_start|>");
    cJSON_AddBoolToObject(tc, "clean_up_tokenization_spaces", 0);
    cJSON_AddStringToObject(tc, "eos_token", "<end_of_utterance>");
    cJSON_AddBoolToObject(tc, "legacy", 0);
    cJSON_AddStringToObject(tc, "pad_token", "<|im_end|>");
    cJSON_AddStringToObject(tc, "processor_class", "Idefics3Processor");
    cJSON_AddStringToObject(tc, "tokenizer_class", "GPT2Tokenizer");
    cJSON_AddStringToObject(tc, "unk_token", "<|endoftext|>");
    ok = ok && write_json(cx, dir, "tokenizer_config.json", tc);
    cJSON *sm = cJSON_CreateObject();
    cJSON_AddItemToObject(sm, "additional_special_tokens", cJSON_CreateStringArray(extra, 3));
    cJSON_AddItemToObject(sm, "bos_token", special_token("<|im_start|>"));
    cJSON_AddItemToObject(sm, "eos_token", special_token("<end_of_utterance>"));
    cJSON_AddItemToObject(sm, "pad_token", special_token("<|im_end|>"));
    cJSON_AddItemToObject(sm, "unk_token", special_token("<|endoftext|>"));
    ok = ok && write_json(cx, dir, "special_tokens_map.json", sm);
    static const double half[3] = {0.5, 0.5, 0.5};
    cJSON *pp = cJSON_CreateObject();
    cJSON_AddBoolToObject(pp, "do_convert_rgb", 1);
    cJSON_AddBoolToObject(pp, "do_image_splitting", 0);
    cJSON_AddBoolToObject(pp, "do_normalize", 1);
    cJSON_AddBoolToObject(pp, "do_pad", 1);
    cJSON_AddBoolToObject(pp, "do_rescale", 1);
    cJSON_AddBoolToObject(pp, "do_resize", 1);
    cJSON_AddItemToObject(pp, "image_mean", cJSON_CreateDoubleArray(half, 3));
    cJSON_AddStringToObject(pp, "image_processor_type", "Idefics3ImageProcessor");
    cJSON_AddItemToObject(pp, "image_std", cJSON_CreateDoubleArray(half, 3));
    cJSON *mis = cJSON_AddObjectToObject(pp, "max_image_size");
    cJSON_AddNumberToObject(mis, "longest_edge", d.image);
    cJSON_AddStringToObject(pp, "processor_class", "Idefics3Processor");
    cJSON_AddNumberToObject(pp, "resample", 1);
    cJSON_AddNumberToObject(pp, "rescale_factor", 1.0 / 255.0);
    cJSON *size = cJSON_AddObjectToObject(pp, "size");
    cJSON_AddNumberToObject(size, "longest_edge", d.image);
    ok = ok && write_json(cx, dir, "preprocessor_config.json", pp);
    cJSON *pc = cJSON_CreateObject();
    cJSON_AddNumberToObject(pc, "image_seq_len", seq);
    cJSON_AddStringToObject(pc, "processor_class", "Idefics3Processor");
    ok = ok && write_json(cx, dir, "processor_config.json", pc);
    if (!ok) {
        vocab_free(&v);
        return 0;
    }

    tensor_list l = {.cx = cx, .half = 1};
    add_tensor(&l, "model.vision_model.embeddings.patch_embedding.weight", INIT_LINEAR, 4, d.v_hidden, 3, d.patch, d.patch);
    add_tensor(&l, "model.vision_model.embeddings.patch_embedding.bias", INIT_BIAS, 1, d.v_hidden, 0, 0, 0);
    add_tensor(&l, "model.vision_model.embeddings.position_embedding.weight", INIT_POS, 2, grid * grid, d.v_hidden, 0, 0);
    add_vision_encoder(&l, "model.vision_model", &d);
    add_tensor(&l, "model.connector.modality_projection.proj.weight", INIT_LINEAR, 2, d.hidden, d.v_hidden * scale * scale, 0, 0);
    add_llama(&l, "model.text_model", tied ? NULL : "lm_head.weight", &d);
    char path[4096];
    snprintf(path, sizeof path, "%s/model.safetensors", dir);
    ok = !cx->failed && !v.oom && vkvlm_safetensors_write(path, l.items, l.count, cx->err) == VKVLM_OK;
    if (v.oom) synth_oom(cx, "the vocabulary");
    if (ok)
        snprintf(cx->summary, cx->summary_size, "SmolVLM/Idefics3 %s (vocab %d, %d merges, %d tensors, %d image tokens per tile)",
                 so->smolvlm_256m ? "256M-shaped" : so->smollm2_text ? "with SmolLM2-135M's decoder" : "tiny", v.count,
                 v.merge_count, l.count, seq);
    tensor_list_free(&l);
    vocab_free(&v);
    return ok;
}

/* ProxyV (penghao-wu/ProxyV) in the original LLaVA layout, as shared/PROXYV.md and golden/proxyv_tiny_f32
 * describe it: config.json with model_type llava_llama and the ProxyV keys; model.* Llama names,
 * model.mm_projector.{0,2}, model.image_newline, model.vision_mlp_layers.{i}.* for each decoder layer from
 * proxyv_start_layer on; the CLIP tower in a sibling folder that mm_vision_tower names (config.json,
 * preprocessor_config.json, vision_model.* weights) and, unless --no-tower-copy, the same weights again under
 * model.vision_tower.vision_tower.vision_model.* in the checkpoint. The tokenizer has no <image> token (the
 * image is the id -200) and pads with <unk>; image_aspect_ratio is "pad" (one crop). */
typedef struct proxyv_opts {
    int start, factor, image; /* proxyv_start_layer, proxyv_reduce_factor, tower image size (pixels) */
    int no_tower_copy;
} proxyv_opts;

static int make_proxyv(synth_ctx *cx, const char *dir, const shape_opts *so, const proxyv_opts *po) {
    vocab v = {0};
    vocab_add(&v, "<unk>");
    vocab_add(&v, "<s>");
    vocab_add(&v, "</s>");
    for (int b = 0; b < 256; b++) {
        char piece[8];
        snprintf(piece, sizeof piece, "<0x%02X>", b);
        vocab_add(&v, piece);
    }
    static word words[64];
    int n = llama_words(words);
    for (int w = 0; w < n; w++)
        for (int i = 0; i < words[w].n; i++) vocab_add(&v, words[w].sym[i]);
    train_merges(&v, words, n, 120);
    dims d = {.vocab = (v.count + 63) / 64 * 64, .hidden = 64, .inter = 160, .layers = 5, .heads = 4, .kv_heads = 4,
              .head_dim = 16, .v_hidden = 32, .v_inter = 80, .v_layers = 3, .v_heads = 4, .image = 112, .patch = 14};
    if (so->smollm_text)
        d = (dims){.vocab = 49152, .hidden = 576, .inter = 1536, .layers = 30, .heads = 9, .kv_heads = 3,
                   .head_dim = 64, .v_hidden = 1024, .v_inter = 4096, .v_layers = 24, .v_heads = 16, .image = 336,
                   .patch = 14};
    if (so->text_layers) d.layers = so->text_layers;
    if (so->vision_layers) d.v_layers = so->vision_layers;
    if (po->image) d.image = po->image;
    int start = po->start >= 0 ? po->start : so->smollm_text ? 10 : 2, factor = po->factor ? po->factor : 4;
    if (d.image % d.patch || d.image < d.patch || start >= d.layers || factor < 1) {
        vkvlm_error_set(cx->err, VKVLM_ERR_USAGE, "the vision image %d must be a multiple of the patch %d and "
                        "the ProxyV start layer %d below the %d text layers", d.image, d.patch, start, d.layers);
        vocab_free(&v);
        return 0;
    }
    int grid = d.image / d.patch, image_tokens = grid * grid, mlps = d.layers - start;
    int width = d.hidden >= 1024 ? d.hidden / 4 : d.hidden / 2; /* ProxyV's VisionMLP width d_i */
    int half = so->smollm_text;
    const char *dtype = half ? "float16" : "float32";
    char tower_name[64];
    snprintf(tower_name, sizeof tower_name, "clip-vit-%s-patch%d-%d", half ? "large" : "tiny", d.patch, d.image);
    char tower_dir[4096];
    snprintf(tower_dir, sizeof tower_dir, "%s/%s", dir, tower_name);
    if (mkdir(tower_dir, 0755) != 0 && errno != EEXIST) {
        vkvlm_error_set(cx->err, VKVLM_ERR_IO, "cannot create %s: %s", tower_dir, strerror(errno));
        vocab_free(&v);
        return 0;
    }

    cJSON *c = cJSON_CreateObject();
    const char *arch = "LlavaLlamaForCausalLM";
    cJSON_AddBoolToObject(c, "add_faster_video", 0);
    cJSON_AddItemToObject(c, "architectures", cJSON_CreateStringArray(&arch, 1));
    cJSON_AddBoolToObject(c, "attention_bias", 0);
    cJSON_AddNumberToObject(c, "attention_dropout", 0.0);
    cJSON_AddNumberToObject(c, "bos_token_id", 1);
    cJSON_AddNumberToObject(c, "eos_token_id", 2);
    cJSON_AddNumberToObject(c, "head_dim", d.head_dim);
    cJSON_AddStringToObject(c, "hidden_act", "silu");
    cJSON_AddNumberToObject(c, "hidden_size", d.hidden);
    cJSON_AddNumberToObject(c, "hidden_size_reduce_factor", 4);
    cJSON_AddStringToObject(c, "image_aspect_ratio", "pad");
    cJSON_AddNullToObject(c, "image_crop_resolution");
    cJSON_AddNullToObject(c, "image_grid_pinpoints");
    cJSON_AddNullToObject(c, "image_split_resolution");
    cJSON_AddNumberToObject(c, "image_token_len_per_side", grid);
    cJSON_AddNumberToObject(c, "initializer_range", 0.02);
    cJSON_AddNumberToObject(c, "intermediate_size", d.inter);
    cJSON_AddBoolToObject(c, "learn_proxy", 0);
    cJSON_AddNumberToObject(c, "max_num_image_crops", 1);
    cJSON_AddNumberToObject(c, "max_position_embeddings", 4096);
    cJSON_AddBoolToObject(c, "mlp_bias", 0);
    cJSON_AddNumberToObject(c, "mm_hidden_size", d.v_hidden);
    cJSON_AddStringToObject(c, "mm_newline_position", "one_token");
    cJSON_AddStringToObject(c, "mm_patch_merge_type", "flat");
    cJSON_AddStringToObject(c, "mm_projector_type", "mlp2x_gelu");
    cJSON_AddNullToObject(c, "mm_resampler_type");
    cJSON_AddStringToObject(c, "mm_spatial_pool_mode", "bilinear");
    cJSON_AddNullToObject(c, "mm_spatial_pool_stride");
    cJSON_AddStringToObject(c, "mm_tunable_parts", "mm_mlp_adapter,mm_language_model,mm_vision_mlp");
    cJSON_AddBoolToObject(c, "mm_use_im_patch_token", 0);
    cJSON_AddBoolToObject(c, "mm_use_im_start_end", 0);
    cJSON_AddStringToObject(c, "mm_vision_select_feature", "patch");
    cJSON_AddNumberToObject(c, "mm_vision_select_layer", -2);
    cJSON_AddStringToObject(c, "mm_vision_tower", tower_name);
    cJSON_AddStringToObject(c, "model_type", "llava_llama");
    cJSON_AddNumberToObject(c, "num_attention_heads", d.heads);
    cJSON_AddNumberToObject(c, "num_hidden_layers", d.layers);
    cJSON_AddNumberToObject(c, "num_key_value_heads", d.kv_heads);
    cJSON_AddNumberToObject(c, "num_of_vision_mlp_layers", mlps);
    cJSON_AddNumberToObject(c, "pad_token_id", 0);
    cJSON_AddNumberToObject(c, "per_crop_token_len", image_tokens);
    cJSON_AddNumberToObject(c, "pretraining_tp", 1);
    cJSON_AddBoolToObject(c, "proxyv", 1);
    cJSON_AddNumberToObject(c, "proxyv_reduce_factor", factor);
    cJSON_AddNumberToObject(c, "proxyv_start_layer", start);
    cJSON_AddNumberToObject(c, "rms_norm_eps", 1e-5);
    cJSON_AddNullToObject(c, "rope_scaling");
    cJSON_AddNumberToObject(c, "rope_theta", 10000.0);
    cJSON_AddBoolToObject(c, "tie_word_embeddings", 0);
    cJSON_AddNumberToObject(c, "tokenizer_model_max_length", 2048);
    cJSON_AddStringToObject(c, "tokenizer_padding_side", "right");
    cJSON_AddStringToObject(c, "torch_dtype", dtype);
    cJSON_AddStringToObject(c, "transformers_version", "4.47.1");
    cJSON_AddBoolToObject(c, "use_cache", 1);
    cJSON_AddBoolToObject(c, "use_mm_proj", 1);
    cJSON_AddNullToObject(c, "vision_tower_pretrained");
    cJSON_AddNumberToObject(c, "vocab_size", d.vocab);
    int ok = write_json(cx, dir, "config.json", c);

    cJSON *g = cJSON_CreateObject();
    cJSON_AddNumberToObject(g, "bos_token_id", 1);
    cJSON_AddNumberToObject(g, "eos_token_id", 2);
    cJSON_AddNumberToObject(g, "pad_token_id", 0);
    ok = ok && write_json(cx, dir, "generation_config.json", g);
    ok = ok && write_tokenizer(cx, dir, &v, v.count, 1);
    cJSON *tc = cJSON_CreateObject();
    cJSON_AddBoolToObject(tc, "add_bos_token", 1);
    cJSON_AddBoolToObject(tc, "add_eos_token", 0);
    cJSON *decoder = cJSON_AddObjectToObject(tc, "added_tokens_decoder");
    static const char *const specials[] = {"<unk>", "<s>", "</s>"};
    for (int i = 0; i < 3; i++) {
        char key[8];
        snprintf(key, sizeof key, "%d", i);
        cJSON *t = added_token(i, specials[i]);
        cJSON_DeleteItemFromObject(t, "id");
        cJSON_AddItemToObject(decoder, key, t);
    }
    cJSON_AddStringToObject(tc, "bos_token", "<s>");
    cJSON_AddBoolToObject(tc, "clean_up_tokenization_spaces", 0);
    cJSON_AddStringToObject(tc, "eos_token", "</s>");
    cJSON_AddBoolToObject(tc, "legacy", 1);
    cJSON_AddNumberToObject(tc, "model_max_length", 2048);
    cJSON_AddStringToObject(tc, "pad_token", "<unk>");
    cJSON_AddStringToObject(tc, "padding_side", "right");
    cJSON_AddObjectToObject(tc, "sp_model_kwargs");
    cJSON_AddStringToObject(tc, "tokenizer_class", "LlamaTokenizer");
    cJSON_AddStringToObject(tc, "unk_token", "<unk>");
    cJSON_AddBoolToObject(tc, "use_default_system_prompt", 0);
    ok = ok && write_json(cx, dir, "tokenizer_config.json", tc);
    cJSON *sm = cJSON_CreateObject();
    cJSON_AddItemToObject(sm, "bos_token", special_token("<s>"));
    cJSON_AddItemToObject(sm, "eos_token", special_token("</s>"));
    cJSON_AddItemToObject(sm, "pad_token", special_token("<unk>"));
    cJSON_AddItemToObject(sm, "unk_token", special_token("<unk>"));
    ok = ok && write_json(cx, dir, "special_tokens_map.json", sm);

    /* the tower folder: a CLIPVisionModel config and CLIPImageProcessor constants */
    cJSON *vc = cJSON_CreateObject();
    const char *varch = "CLIPVisionModel";
    cJSON_AddItemToObject(vc, "architectures", cJSON_CreateStringArray(&varch, 1));
    cJSON_AddNumberToObject(vc, "attention_dropout", 0.0);
    cJSON_AddStringToObject(vc, "hidden_act", "quick_gelu");
    cJSON_AddNumberToObject(vc, "hidden_size", d.v_hidden);
    cJSON_AddNumberToObject(vc, "image_size", d.image);
    cJSON_AddNumberToObject(vc, "initializer_factor", 1.0);
    cJSON_AddNumberToObject(vc, "initializer_range", 0.02);
    cJSON_AddNumberToObject(vc, "intermediate_size", d.v_inter);
    cJSON_AddNumberToObject(vc, "layer_norm_eps", 1e-5);
    cJSON_AddStringToObject(vc, "model_type", "clip_vision_model");
    cJSON_AddNumberToObject(vc, "num_attention_heads", d.v_heads);
    cJSON_AddNumberToObject(vc, "num_channels", 3);
    cJSON_AddNumberToObject(vc, "num_hidden_layers", d.v_layers);
    cJSON_AddNumberToObject(vc, "patch_size", d.patch);
    cJSON_AddNumberToObject(vc, "projection_dim", half ? 768 : d.hidden);
    cJSON_AddStringToObject(vc, "torch_dtype", dtype);
    cJSON_AddStringToObject(vc, "transformers_version", "4.47.1");
    ok = ok && write_json(cx, tower_dir, "config.json", vc);
    static const double mean[3] = {0.48145466, 0.4578275, 0.40821073}, stdv[3] = {0.26862954, 0.26130258, 0.27577711};
    cJSON *pp = cJSON_CreateObject(), *crop = cJSON_AddObjectToObject(pp, "crop_size");
    cJSON_AddNumberToObject(crop, "height", d.image);
    cJSON_AddNumberToObject(crop, "width", d.image);
    cJSON_AddBoolToObject(pp, "do_center_crop", 1);
    cJSON_AddBoolToObject(pp, "do_convert_rgb", 1);
    cJSON_AddBoolToObject(pp, "do_normalize", 1);
    cJSON_AddBoolToObject(pp, "do_rescale", 1);
    cJSON_AddBoolToObject(pp, "do_resize", 1);
    cJSON_AddItemToObject(pp, "image_mean", cJSON_CreateDoubleArray(mean, 3));
    cJSON_AddStringToObject(pp, "image_processor_type", "CLIPImageProcessor");
    cJSON_AddItemToObject(pp, "image_std", cJSON_CreateDoubleArray(stdv, 3));
    cJSON_AddNumberToObject(pp, "resample", 3);
    cJSON_AddNumberToObject(pp, "rescale_factor", 1.0 / 255.0);
    cJSON *size = cJSON_AddObjectToObject(pp, "size");
    cJSON_AddNumberToObject(size, "shortest_edge", d.image);
    ok = ok && write_json(cx, tower_dir, "preprocessor_config.json", pp);
    if (!ok) {
        vocab_free(&v);
        return 0;
    }

    /* the tower's weights once, under vision_model.* in the folder and (copied) under the checkpoint's names */
    tensor_list t = {.cx = cx, .half = half};
    add_tensor(&t, "vision_model.embeddings.class_embedding", INIT_EMBED, 1, d.v_hidden, 0, 0, 0);
    add_tensor(&t, "vision_model.embeddings.patch_embedding.weight", INIT_LINEAR, 4, d.v_hidden, 3, d.patch, d.patch);
    add_tensor(&t, "vision_model.embeddings.position_embedding.weight", INIT_POS, 2, image_tokens + 1, d.v_hidden, 0, 0);
    add_tensor(&t, "vision_model.pre_layrnorm.weight", INIT_NORM, 1, d.v_hidden, 0, 0, 0);
    add_tensor(&t, "vision_model.pre_layrnorm.bias", INIT_BIAS, 1, d.v_hidden, 0, 0, 0);
    add_vision_encoder(&t, "vision_model", &d);

    tensor_list l = {.cx = cx, .half = half};
    add_llama(&l, "model", "lm_head.weight", &d);
    add_tensor(&l, "model.mm_projector.0.weight", INIT_LINEAR, 2, d.hidden, d.v_hidden, 0, 0);
    add_tensor(&l, "model.mm_projector.0.bias", INIT_BIAS, 1, d.hidden, 0, 0, 0);
    add_tensor(&l, "model.mm_projector.2.weight", INIT_LINEAR, 2, d.hidden, d.hidden, 0, 0);
    add_tensor(&l, "model.mm_projector.2.bias", INIT_BIAS, 1, d.hidden, 0, 0, 0);
    add_tensor(&l, "model.image_newline", INIT_EMBED, 1, d.hidden, 0, 0, 0);
    char name[256];
    for (int i = 0; i < mlps; i++) {
        struct { const char *n; int rows, cols; } lin[] = {{"context_proj", width, d.hidden}, {"input_proj", width, d.hidden},
                                                           {"proj.0", width, 2 * width}, {"proj.2", d.hidden, width}};
        for (size_t k = 0; k < sizeof lin / sizeof lin[0]; k++) {
            snprintf(name, sizeof name, "model.vision_mlp_layers.%d.%s.weight", i, lin[k].n);
            add_tensor(&l, name, INIT_LINEAR, 2, lin[k].rows, lin[k].cols, 0, 0);
        }
        snprintf(name, sizeof name, "model.vision_mlp_layers.%d.layernorm_post.weight", i);
        add_tensor(&l, name, INIT_NORM, 1, d.hidden, 0, 0, 0);
    }
    for (int i = 0; i < t.count && !po->no_tower_copy; i++) {
        const vkvlm_st_entry *src = &t.items[i];
        snprintf(name, sizeof name, "model.vision_tower.vision_tower.%s", src->name);
        vkvlm_st_entry *e = tensor_list_push(&l, name);
        if (!e) break;
        const char *copied_name = e->name;
        *e = *src;
        e->name = copied_name;
        void *data = malloc(src->nbytes);
        if (!data) {
            synth_oom(cx, name);
            e->data = NULL;
            break;
        }
        memcpy(data, src->data, src->nbytes);
        e->data = data;
    }
    char path[4096];
    snprintf(path, sizeof path, "%s/model.safetensors", tower_dir);
    ok = !cx->failed && !v.oom && vkvlm_safetensors_write(path, t.items, t.count, cx->err) == VKVLM_OK;
    snprintf(path, sizeof path, "%s/model.safetensors", dir);
    ok = ok && vkvlm_safetensors_write(path, l.items, l.count, cx->err) == VKVLM_OK;
    if (v.oom) synth_oom(cx, "the vocabulary");
    if (ok)
        snprintf(cx->summary, cx->summary_size,
                 "ProxyV LLaVA (vocab %d, %d tensors, %dx%d grid, start layer %d, factor %d, %d proxies, tower %s%s)%s",
                 v.count, l.count, grid, grid, start, factor, grid % factor ? 0 : (grid / factor) * (grid / factor),
                 tower_name, po->no_tower_copy ? " only" : " + checkpoint copy",
                 grid % factor ? "; note: the factor does not divide the grid, so the engine refuses this checkpoint" : "");
    tensor_list_free(&t);
    tensor_list_free(&l);
    vocab_free(&v);
    return ok;
}

/* sample.png: 80x64 RGB with a red gradient along x, green along y, a yellow disc and a blue bar, so the demo
 * has a picture with shapes and colours to talk about. */
static int write_sample_image(synth_ctx *cx, const char *dir) {
    enum { W = 80, H = 64 };
    uint8_t rgb[H][W][3];
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++) {
            uint8_t *p = rgb[y][x];
            p[0] = (uint8_t)(x * 255 / (W - 1));
            p[1] = (uint8_t)(y * 255 / (H - 1));
            p[2] = (uint8_t)((x + 2 * y) * 7 % 256);
            if ((x - 52) * (x - 52) + (y - 24) * (y - 24) <= 14 * 14) p[0] = 255, p[1] = 220, p[2] = 0;
            if (x >= 8 && x < 30 && y >= 40 && y < 50) p[0] = 20, p[1] = 40, p[2] = 230;
        }
    char path[4096];
    snprintf(path, sizeof path, "%s/sample.png", dir);
    if (!stbi_write_png(path, W, H, 3, rgb, W * 3)) {
        vkvlm_error_set(cx->err, VKVLM_ERR_IO, "cannot write %s", path);
        return 0;
    }
    return 1;
}

static int make_dirs(const char *path) {
    char buf[4096];
    if (snprintf(buf, sizeof buf, "%s", path) >= (int)sizeof buf) {
        errno = ENAMETOOLONG;
        return 0;
    }
    for (char *p = buf + 1; *p; p++) {
        if (*p != '/') continue;
        *p = '\0';
        if (mkdir(buf, 0755) != 0 && errno != EEXIST) return 0;
        *p = '/';
    }
    return mkdir(buf, 0755) == 0 || errno == EEXIST;
}

/* ---------------------------------------------------------------- the public entry */

static const synth_shape shapes[] = {
    {"tiny", "llava", "LLaVA-1.5 in miniature (the demo's model; golden-case sizes)"},
    {"llava-1.5-7b", "llava", "LLaVA-1.5-7B: Vicuna-7B decoder + CLIP ViT-L/14-336, f16, layers as asked"},
    {"llava-smollm2", "llava", "CLIP ViT-L/14-336 (576 tokens) + a SmolLM2-135M-sized decoder, f16"},
    {"smolvlm-tiny", "idefics3", "SmolVLM/Idefics3 in miniature (the web demo's model)"},
    {"smolvlm-256m", "idefics3", "SmolVLM-256M: SigLIP-B/16-512 (64 tokens a tile) + SmolLM2-135M, f16"},
    {"smollm2-135m", "idefics3", "SmolLM2-135M's decoder (vocab 49152, tied), f16; text only"},
    {"proxyv-tiny", "proxyv", "ProxyV (original LLaVA layout) in miniature"},
    {"proxyv-smollm2", "proxyv", "ProxyV: CLIP ViT-L/14-336 + a SmolLM2-135M-sized decoder, start layer 10"},
};

const synth_shape *synth_model_shapes(int *count) {
    *count = (int)(sizeof shapes / sizeof shapes[0]);
    return shapes;
}

const synth_shape *synth_model_shape_find(const char *name) {
    for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++)
        if (strcmp(shapes[i].name, name) == 0) return &shapes[i];
    return NULL;
}

vkvlm_status synth_model_write(const synth_model_desc *desc, char *summary, size_t summary_size, vkvlm_error *err) {
    char scratch[8];
    synth_ctx cx = {.rng = desc->seed ? desc->seed : 1, .err = err, .summary = summary ? summary : scratch,
                    .summary_size = summary ? summary_size : sizeof scratch};
    if (cx.summary_size) cx.summary[0] = '\0';
    if (!desc->dir || !desc->dir[0]) return vkvlm_error_set(err, VKVLM_ERR_USAGE, "synthetic model: no output directory");
    const char *name = desc->shape ? desc->shape : desc->family ? NULL : "tiny";
    const synth_shape *shape = name ? synth_model_shape_find(name) : NULL;
    if (name && !shape) return vkvlm_error_set(err, VKVLM_ERR_USAGE, "unknown model shape '%s'", name);
    const char *family = desc->family ? desc->family : shape->family;
    if (strcmp(family, "llava") && strcmp(family, "idefics3") && strcmp(family, "proxyv"))
        return vkvlm_error_set(err, VKVLM_ERR_USAGE, "unknown model family '%s' (llava, idefics3 or proxyv)", family);
    if (shape && strcmp(shape->family, family) != 0 && strcmp(shape->name, "tiny") != 0) {
        /* "llava-smollm2" also names the ProxyV checkpoint of the same proportions (vkvlm_make_tiny's spelling) */
        if (!(strcmp(family, "proxyv") == 0 && strcmp(shape->name, "llava-smollm2") == 0))
            return vkvlm_error_set(err, VKVLM_ERR_USAGE, "shape '%s' is a %s shape, not %s", shape->name,
                                   shape->family, family);
    }
    if (desc->text_layers < 0 || desc->vision_layers < 0 || desc->text_layers > 1024 || desc->vision_layers > 1024)
        return vkvlm_error_set(err, VKVLM_ERR_USAGE, "synthetic model: layer counts must be 0..1024");
    shape_opts so = {.text_layers = desc->text_layers, .vision_layers = desc->vision_layers};
    const char *sn = shape ? shape->name : "";
    so.real_7b = strcmp(sn, "llava-1.5-7b") == 0;
    so.smollm_text = strcmp(sn, "llava-smollm2") == 0 || strcmp(sn, "proxyv-smollm2") == 0;
    so.smolvlm_256m = strcmp(sn, "smolvlm-256m") == 0;
    so.smollm2_text = strcmp(sn, "smollm2-135m") == 0;
    proxyv_opts po = {.start = desc->proxyv_start_given ? desc->proxyv_start : -1, .factor = desc->proxyv_factor, .image = desc->vision_image,
                      .no_tower_copy = desc->no_tower_copy};
    bool proxyv = strcmp(family, "proxyv") == 0;
    if (!proxyv && (desc->proxyv_start_given || po.factor || po.image || po.no_tower_copy))
        return vkvlm_error_set(err, VKVLM_ERR_USAGE, "the ProxyV options apply to the proxyv family only");
    if (po.start < -1 || po.factor < 0 || po.image < 0)
        return vkvlm_error_set(err, VKVLM_ERR_USAGE, "synthetic model: negative ProxyV option");
    if (!make_dirs(desc->dir))
        return vkvlm_error_set(err, VKVLM_ERR_IO, "cannot create %s: %s", desc->dir, strerror(errno));
    int ok = proxyv ? make_proxyv(&cx, desc->dir, &so, &po)
             : strcmp(family, "llava") == 0 ? make_llava(&cx, desc->dir, &so)
                                             : make_idefics3(&cx, desc->dir, &so);
    ok = ok && !cx.failed && write_sample_image(&cx, desc->dir);
    if (ok) return VKVLM_OK;
    if (err && err->status == VKVLM_OK) vkvlm_error_set(err, VKVLM_ERR_IO, "%s: the synthetic model was not written", desc->dir);
    return err ? err->status : VKVLM_ERR_IO;
}

/* tokenizer_json.c — reading tokenizer.json, tokenizer_config.json and special_tokens_map.json into a
 * vkvlm_tokenizer (tokenizer_parts.h).
 *
 * Does: validate every field it uses and name the file and JSON path of the first bad one; refuse
 * components the pipeline does not implement (VKVLM_ERR_UNSUPPORTED) instead of running without them; apply
 * tokenizers' defaults for fields a file omits.
 * Does not: run the pipeline (tokenizer.c), or look at tokenizer_config.json's chat_template or
 * added_tokens_decoder (tokenizer.json's added_tokens is the authority, as it is for the Rust library).
 */
#define _POSIX_C_SOURCE 200809L
#include <cjson/cJSON.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/status.h"
#include "io/tokenizer_parts.h"
#include "io/unicode.h"

/* Ids above this are refused: real vocabularies stay below 300k, and per-id tables are sized by the
 * largest id, so a hostile file must not be able to ask for gigabytes. */
#define TOK_MAX_ID (1 << 22)

/* ---------------------------------------------------------------- small helpers */

int vkvlm_tok_string_set(tok_string *s, const char *data, size_t len) {
    char *p = malloc(len + 1);
    if (!p) return -1;
    if (len) memcpy(p, data, len);
    p[len] = '\0';
    free(s->data);
    s->data = p;
    s->len = len;
    return 0;
}

void vkvlm_tok_string_free(tok_string *s) {
    if (!s) return;
    free(s->data);
    s->data = NULL;
    s->len = 0;
}

static vkvlm_status oom(vkvlm_error *err, const char *label) {
    return vkvlm_error_set(err, VKVLM_ERR_OUT_OF_MEMORY, "%s: out of memory while loading the tokenizer", label);
}

/* Reads a whole file with stdio. */
static vkvlm_status read_file(const char *path, char **data, size_t *len, vkvlm_error *err) {
    *data = NULL;
    *len = 0;
    FILE *f = fopen(path, "rb");
    if (!f) return vkvlm_error_set(err, VKVLM_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap);
    if (!buf) {
        fclose(f);
        return vkvlm_error_set(err, VKVLM_ERR_OUT_OF_MEMORY, "%s: out of memory reading the file", path);
    }
    for (;;) {
        if (n == cap) {
            char *p = realloc(buf, cap * 2);
            if (!p) {
                free(buf);
                fclose(f);
                return vkvlm_error_set(err, VKVLM_ERR_OUT_OF_MEMORY, "%s: out of memory reading the file", path);
            }
            buf = p;
            cap *= 2;
        }
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0) break;
    }
    int failed = ferror(f);
    fclose(f);
    if (failed) {
        free(buf);
        return vkvlm_error_set(err, VKVLM_ERR_IO, "%s: read error", path);
    }
    *data = buf;
    *len = n;
    return VKVLM_OK;
}

static cJSON *parse_json(const char *text, size_t len, const char *label, vkvlm_error *err) {
    /* JSON is UTF-8 (serde_json refuses anything else), and cJSON does not check: without this, invalid
     * bytes in a token would reach decode's output. */
    size_t bad = vkvlm_utf8_first_invalid(text, len);
    if (bad != len) {
        vkvlm_error_set(err, VKVLM_ERR_FORMAT, "%s: not valid UTF-8 at byte %zu", label, bad);
        return NULL;
    }
    const char *end = NULL;
    cJSON *root = cJSON_ParseWithLengthOpts(text, len, &end, 0);
    if (!root) {
        size_t at = end && end >= text ? (size_t)(end - text) : 0;
        vkvlm_error_set(err, VKVLM_ERR_FORMAT, "%s: not valid JSON (parsing stopped at byte %zu of %zu)", label, at,
                        len);
        return NULL;
    }
    if (!cJSON_IsObject(root)) {
        cJSON_Delete(root);
        vkvlm_error_set(err, VKVLM_ERR_FORMAT, "%s: the top level is not a JSON object", label);
        return NULL;
    }
    return root;
}

static const cJSON *field(const cJSON *obj, const char *name) { return cJSON_GetObjectItemCaseSensitive(obj, name); }

static int is_absent(const cJSON *v) { return v == NULL || cJSON_IsNull(v); }

/* Optional boolean; missing or null gives def. */
static vkvlm_status get_bool(const cJSON *obj, const char *name, int def, int *out, const char *label,
                             const char *where, vkvlm_error *err) {
    const cJSON *v = field(obj, name);
    if (is_absent(v)) {
        *out = def;
        return VKVLM_OK;
    }
    if (!cJSON_IsBool(v))
        return vkvlm_error_set(err, VKVLM_ERR_FORMAT, "%s: %s.%s is not true or false", label, where, name);
    *out = cJSON_IsTrue(v) ? 1 : 0;
    return VKVLM_OK;
}

/* A JSON number that is an integer in [0, max]. */
static int as_index(const cJSON *v, double max, int64_t *out) {
    if (!cJSON_IsNumber(v)) return 0;
    double d = v->valuedouble;
    if (!(d >= 0) || d > max || floor(d) != d) return 0;
    *out = (int64_t)d;
    return 1;
}

/* Required string field. */
static vkvlm_status get_string(const cJSON *obj, const char *name, const char **out, const char *label,
                               const char *where, vkvlm_error *err) {
    const cJSON *v = field(obj, name);
    if (!v) return vkvlm_error_set(err, VKVLM_ERR_FORMAT, "%s: %s has no \"%s\"", label, where, name);
    if (!cJSON_IsString(v) || !v->valuestring)
        return vkvlm_error_set(err, VKVLM_ERR_FORMAT, "%s: %s.%s is not a string", label, where, name);
    *out = v->valuestring;
    return VKVLM_OK;
}

/* A string holding exactly one character (Metaspace replacement, Strip content). */
static vkvlm_status get_char(const cJSON *obj, const char *name, uint32_t def, uint32_t *out, const char *label,
                             const char *where, vkvlm_error *err) {
    const cJSON *v = field(obj, name);
    if (is_absent(v)) {
        *out = def;
        return VKVLM_OK;
    }
    if (!cJSON_IsString(v) || !v->valuestring)
        return vkvlm_error_set(err, VKVLM_ERR_FORMAT, "%s: %s.%s is not a string", label, where, name);
    size_t len = strlen(v->valuestring);
    uint32_t cp;
    size_t n = vkvlm_utf8_decode(v->valuestring, len, &cp);
    if (n == 0 || n != len)
        return vkvlm_error_set(err, VKVLM_ERR_FORMAT, "%s: %s.%s \"%s\" is not a single character", label, where, name,
                               v->valuestring);
    *out = cp;
    return VKVLM_OK;
}

/* {"String": "..."} patterns; {"Regex": ...} needs a regex engine vkvlm does not have. */
static vkvlm_status get_string_pattern(const cJSON *obj, const char **out, const char *label, const char *where,
                                       vkvlm_error *err) {
    const cJSON *p = field(obj, "pattern");
    if (!cJSON_IsObject(p))
        return vkvlm_error_set(err, VKVLM_ERR_FORMAT, "%s: %s.pattern is missing or not an object", label, where);
    const cJSON *s = field(p, "String");
    if (cJSON_IsString(s) && s->valuestring) {
        *out = s->valuestring;
        return VKVLM_OK;
    }
    if (field(p, "Regex"))
        return vkvlm_error_set(err, VKVLM_ERR_UNSUPPORTED,
                               "%s: %s.pattern is a Regex; only String patterns are supported", label, where);
    return vkvlm_error_set(err, VKVLM_ERR_FORMAT, "%s: %s.pattern has neither \"String\" nor \"Regex\"", label, where);
}

static vkvlm_status get_type(const cJSON *obj, const char **type, const char *label, const char *where,
                             vkvlm_error *err) {
    if (!cJSON_IsObject(obj)) return vkvlm_error_set(err, VKVLM_ERR_FORMAT, "%s: %s is not an object", label, where);
    return get_string(obj, "type", type, label, where, err);
}

/* prepend_scheme, or the older add_prefix_space spelling (true = always, false = never). */
static vkvlm_status get_prepend_scheme(const cJSON *obj, tok_prepend_scheme *out, const char *label, const char *where,
                                       vkvlm_error *err) {
    const cJSON *v = field(obj, "prepend_scheme");
    if (!is_absent(v)) {
        const char *s = cJSON_IsString(v) ? v->valuestring : NULL;
        if (s && strcmp(s, "always") == 0)
            *out = TOK_PREPEND_ALWAYS;
        else if (s && strcmp(s, "first") == 0)
            *out = TOK_PREPEND_FIRST;
        else if (s && strcmp(s, "never") == 0)
            *out = TOK_PREPEND_NEVER;
        else
            return vkvlm_error_set(err, VKVLM_ERR_FORMAT,
                                   "%s: %s.prepend_scheme is not \"always\", \"first\" or \"never\"", label, where);
        return VKVLM_OK;
    }
    int add = 1;
    vkvlm_status st = get_bool(obj, "add_prefix_space", 1, &add, label, where, err);
    *out = add ? TOK_PREPEND_ALWAYS : TOK_PREPEND_NEVER;
    return st;
}

/* Grows an array of elem-sized items to hold one more. */
static int grow(void **items, size_t n, size_t elem) {
    void *p = realloc(*items, (n + 1) * elem);
    if (!p) return -1;
    *items = p;
    return 0;
}

/* ---------------------------------------------------------------- model */

/* Splits a legacy "a b" merge line at its one space. */
static int split_merge_line(const char *line, const char **b) {
    const char *sp = strchr(line, ' ');
    if (!sp || strchr(sp + 1, ' ')) return 0;
    *b = sp + 1;
    return 1;
}

static vkvlm_status add_merge(vkvlm_tokenizer *tok, const char *a, size_t a_len, const char *b, size_t b_len,
                              int32_t rank, size_t index, vkvlm_error *err) {
    const char *label = tok->label;
    int32_t a_id, b_id, new_id;
    if (!vkvlm_str_map_get(&tok->bpe.vocab, a, a_len, &a_id))
        return vkvlm_error_set(err, VKVLM_ERR_FORMAT, "%s: model.merges[%zu]: token \"%.*s\" is not in model.vocab",
                               label, index, (int)a_len, a);
    if (!vkvlm_str_map_get(&tok->bpe.vocab, b, b_len, &b_id))
        return vkvlm_error_set(err, VKVLM_ERR_FORMAT, "%s: model.merges[%zu]: token \"%.*s\" is not in model.vocab",
                               label, index, (int)b_len, b);
    char stack[256];
    char *joined = a_len + b_len <= sizeof stack ? stack : malloc(a_len + b_len);
    if (!joined) return oom(err, label);
    memcpy(joined, a, a_len);
    memcpy(joined + a_len, b, b_len);
    int found = vkvlm_str_map_get(&tok->bpe.vocab, joined, a_len + b_len, &new_id);
    if (joined != stack) free(joined);
    if (!found)
        return vkvlm_error_set(err, VKVLM_ERR_FORMAT,
                               "%s: model.merges[%zu]: merged token \"%.*s%.*s\" is not in model.vocab", label, index,
                               (int)a_len, a, (int)b_len, b);
    if (vkvlm_pair_map_put(&tok->bpe.merges, a_id, b_id, (vkvlm_merge){.rank = rank, .new_id = new_id}) != 0)
        return oom(err, label);
    return VKVLM_OK;
}

static vkvlm_status load_model(vkvlm_tokenizer *tok, const cJSON *root, vkvlm_error *err) {
    const char *label = tok->label;
    const cJSON *model = field(root, "model");
    if (is_absent(model)) return vkvlm_error_set(err, VKVLM_ERR_FORMAT, "%s: missing \"model\"", label);
    if (!cJSON_IsObject(model)) return vkvlm_error_set(err, VKVLM_ERR_FORMAT, "%s: \"model\" is not an object", label);
    /* tokenizers reads a model without "type" by trying each kind; one with merges can only be BPE. */
    const cJSON *type = field(model, "type");
    if (type && !(cJSON_IsString(type) && strcmp(type->valuestring, "BPE") == 0)) {
        if (!cJSON_IsString(type))
            return vkvlm_error_set(err, VKVLM_ERR_FORMAT, "%s: model.type is not a string", label);
        return vkvlm_error_set(err, VKVLM_ERR_UNSUPPORTED, "%s: model.type \"%s\" is not supported (only BPE is)",
                               label, type->valuestring);
    }
    if (!type && !field(model, "merges"))
        return vkvlm_error_set(err, VKVLM_ERR_UNSUPPORTED,
                               "%s: model has no \"type\" and no \"merges\"; only BPE is supported", label);

    const cJSON *vocab = field(model, "vocab");
    if (!cJSON_IsObject(vocab))
        return vkvlm_error_set(err, VKVLM_ERR_FORMAT, "%s: model.vocab is missing or not an object", label);
    const cJSON *entry;
    cJSON_ArrayForEach(entry, vocab) {
        int64_t id;
        if (!as_index(entry, TOK_MAX_ID - 1, &id))
            return vkvlm_error_set(err, VKVLM_ERR_FORMAT, "%s: model.vocab[\"%s\"] is not an integer id in [0, %d)",
                                   label, entry->string ? entry->string : "", TOK_MAX_ID);
        const char *key = entry->string ? entry->string : "";
        size_t key_len = strlen(key);
        if (vkvlm_str_map_put(&tok->bpe.vocab, key, key_len, (int32_t)id) != 0) return oom(err, label);
        /* <0xNN> byte tokens, for byte fallback: exactly HF's spelling, "<0x" + two upper-case hex digits. */
        if (key_len == 6 && memcmp(key, "<0x", 3) == 0 && key[5] == '>') {
            unsigned v;
            char hex[3] = {key[3], key[4], 0};
            char *end;
            v = (unsigned)strtoul(hex, &end, 16);
            int upper = ((hex[0] >= '0' && hex[0] <= '9') || (hex[0] >= 'A' && hex[0] <= 'F')) &&
                        ((hex[1] >= '0' && hex[1] <= '9') || (hex[1] >= 'A' && hex[1] <= 'F'));
            if (upper && *end == '\0') tok->bpe.byte_ids[v] = (int32_t)id;
        }
    }

    vkvlm_status st;
    if ((st = get_bool(model, "byte_fallback", 0, &tok->bpe.byte_fallback, label, "model", err)) != VKVLM_OK) return st;
    if ((st = get_bool(model, "fuse_unk", 0, &tok->bpe.fuse_unk, label, "model", err)) != VKVLM_OK) return st;
    if ((st = get_bool(model, "ignore_merges", 0, &tok->bpe.ignore_merges, label, "model", err)) != VKVLM_OK) return st;
    const cJSON *dropout = field(model, "dropout");
    if (!is_absent(dropout) && !(cJSON_IsNumber(dropout) && dropout->valuedouble == 0.0))
        return vkvlm_error_set(err, VKVLM_ERR_UNSUPPORTED,
                               "%s: model.dropout is set; BPE dropout (random merges) is not supported", label);
    const char *affixes[2] = {"continuing_subword_prefix", "end_of_word_suffix"};
    for (int i = 0; i < 2; i++) {
        const cJSON *v = field(model, affixes[i]);
        if (!is_absent(v) && !(cJSON_IsString(v) && v->valuestring[0] == '\0'))
            return vkvlm_error_set(err, VKVLM_ERR_UNSUPPORTED, "%s: model.%s is set; it is not supported", label,
                                   affixes[i]);
    }
    const cJSON *unk = field(model, "unk_token");
    if (!is_absent(unk)) {
        if (!cJSON_IsString(unk))
            return vkvlm_error_set(err, VKVLM_ERR_FORMAT, "%s: model.unk_token is not a string", label);
        int32_t id;
        if (vkvlm_str_map_get(&tok->bpe.vocab, unk->valuestring, strlen(unk->valuestring), &id))
            tok->bpe.unk_id = id;
        else
            tok->bpe.unk_missing = 1;
    }

    const cJSON *merges = field(model, "merges");
    if (is_absent(merges)) return VKVLM_OK;
    if (!cJSON_IsArray(merges))
        return vkvlm_error_set(err, VKVLM_ERR_FORMAT, "%s: model.merges is not an array", label);
    size_t index = 0;
    int32_t rank = 0;
    const cJSON *m;
    cJSON_ArrayForEach(m, merges) {
        if (rank == INT32_MAX)
            return vkvlm_error_set(err, VKVLM_ERR_LIMIT, "%s: model.merges has too many entries", label);
        if (cJSON_IsString(m)) {
            const char *line = m->valuestring, *b;
            /* The merges.txt header can survive into the legacy list; tokenizers skips it. */
            if (strncmp(line, "#version", 8) == 0) {
                index++;
                continue;
            }
            if (!split_merge_line(line, &b))
                return vkvlm_error_set(err, VKVLM_ERR_FORMAT,
                                       "%s: model.merges[%zu] \"%s\" is not two tokens separated by one space", label,
                                       index, line);
            st = add_merge(tok, line, (size_t)(b - 1 - line), b, strlen(b), rank, index, err);
        } else if (cJSON_IsArray(m) && cJSON_GetArraySize(m) == 2 && cJSON_IsString(m->child) &&
                   cJSON_IsString(m->child->next)) {
            const char *a = m->child->valuestring, *b = m->child->next->valuestring;
            st = add_merge(tok, a, strlen(a), b, strlen(b), rank, index, err);
        } else {
            return vkvlm_error_set(err, VKVLM_ERR_FORMAT, "%s: model.merges[%zu] is neither \"a b\" nor [\"a\", \"b\"]",
                                   label, index);
        }
        if (st != VKVLM_OK) return st;
        rank++;
        index++;
    }
    return VKVLM_OK;
}

/* ---------------------------------------------------------------- added tokens */

static vkvlm_status load_added_tokens(vkvlm_tokenizer *tok, const cJSON *root, vkvlm_error *err) {
    const char *label = tok->label;
    const cJSON *list = field(root, "added_tokens");
    if (is_absent(list)) return VKVLM_OK;
    if (!cJSON_IsArray(list)) return vkvlm_error_set(err, VKVLM_ERR_FORMAT, "%s: added_tokens is not an array", label);
    size_t index = 0;
    const cJSON *t;
    cJSON_ArrayForEach(t, list) {
        char where[64];
        snprintf(where, sizeof where, "added_tokens[%zu]", index);
        if (!cJSON_IsObject(t)) return vkvlm_error_set(err, VKVLM_ERR_FORMAT, "%s: %s is not an object", label, where);
        int64_t id;
        if (!as_index(field(t, "id"), TOK_MAX_ID - 1, &id))
            return vkvlm_error_set(err, VKVLM_ERR_FORMAT, "%s: %s.id is missing or not an integer id in [0, %d)", label,
                                   where, TOK_MAX_ID);
        const char *content;
        vkvlm_status st = get_string(t, "content", &content, label, where, err);
        if (st != VKVLM_OK) return st;
        index++;
        if (content[0] == '\0') continue; /* tokenizers ignores empty added tokens */
        tok_added_token a = {.id = (int32_t)id};
        if ((st = get_bool(t, "special", 0, &a.special, label, where, err)) != VKVLM_OK ||
            (st = get_bool(t, "single_word", 0, &a.single_word, label, where, err)) != VKVLM_OK ||
            (st = get_bool(t, "lstrip", 0, &a.lstrip, label, where, err)) != VKVLM_OK ||
            (st = get_bool(t, "rstrip", 0, &a.rstrip, label, where, err)) != VKVLM_OK ||
            (st = get_bool(t, "normalized", 1, &a.is_normalized, label, where, err)) != VKVLM_OK)
            return st;
        if (grow((void **)&tok->added, tok->n_added, sizeof *tok->added) != 0) return oom(err, label);
        if (vkvlm_tok_string_set(&a.content, content, strlen(content)) != 0) return oom(err, label);
        tok->added[tok->n_added++] = a;
        if (vkvlm_str_map_put(&tok->added_ids, content, strlen(content), a.id) != 0) return oom(err, label);
    }
    return VKVLM_OK;
}

/* ---------------------------------------------------------------- normalizer */

static vkvlm_status load_normalizer(vkvlm_tokenizer *tok, const cJSON *n, const char *where, int depth,
                                    vkvlm_error *err) {
    const char *label = tok->label, *type;
    if (is_absent(n)) return VKVLM_OK;
    vkvlm_status st = get_type(n, &type, label, where, err);
    if (st != VKVLM_OK) return st;
    if (strcmp(type, "Sequence") == 0) {
        const cJSON *list = field(n, "normalizers");
        if (!cJSON_IsArray(list))
            return vkvlm_error_set(err, VKVLM_ERR_FORMAT, "%s: %s.normalizers is missing or not an array", label,
                                   where);
        if (depth > 8) return vkvlm_error_set(err, VKVLM_ERR_LIMIT, "%s: %s nests Sequences too deeply", label, where);
        size_t i = 0;
        const cJSON *child;
        cJSON_ArrayForEach(child, list) {
            char sub[128];
            snprintf(sub, sizeof sub, "%.80s.normalizers[%zu]", where, i++);
            if ((st = load_normalizer(tok, child, sub, depth + 1, err)) != VKVLM_OK) return st;
        }
        return VKVLM_OK;
    }
    tok_normalizer step = {0};
    if (strcmp(type, "Prepend") == 0) {
        const char *prepend;
        if ((st = get_string(n, "prepend", &prepend, label, where, err)) != VKVLM_OK) return st;
        step.kind = TOK_NORMALIZER_PREPEND;
        if (vkvlm_tok_string_set(&step.pattern, prepend, strlen(prepend)) != 0) return oom(err, label);
    } else if (strcmp(type, "Replace") == 0) {
        const char *pattern, *content;
        if ((st = get_string_pattern(n, &pattern, label, where, err)) != VKVLM_OK) return st;
        if ((st = get_string(n, "content", &content, label, where, err)) != VKVLM_OK) return st;
        step.kind = TOK_NORMALIZER_REPLACE;
        if (vkvlm_tok_string_set(&step.pattern, pattern, strlen(pattern)) != 0 ||
            vkvlm_tok_string_set(&step.content, content, strlen(content)) != 0) {
            vkvlm_tok_string_free(&step.pattern);
            vkvlm_tok_string_free(&step.content);
            return oom(err, label);
        }
    } else {
        return vkvlm_error_set(err, VKVLM_ERR_UNSUPPORTED,
                               "%s: %s.type \"%s\" is not supported (normalizers: Sequence, Prepend, Replace)", label,
                               where, type);
    }
    if (grow((void **)&tok->normalizers, tok->n_normalizers, sizeof *tok->normalizers) != 0) {
        vkvlm_tok_string_free(&step.pattern);
        vkvlm_tok_string_free(&step.content);
        return oom(err, label);
    }
    tok->normalizers[tok->n_normalizers++] = step;
    return VKVLM_OK;
}

/* ---------------------------------------------------------------- pre-tokenizer */

static vkvlm_status load_pretokenizer(vkvlm_tokenizer *tok, const cJSON *p, const char *where, int depth,
                                      vkvlm_error *err) {
    const char *label = tok->label, *type;
    if (is_absent(p)) return VKVLM_OK;
    vkvlm_status st = get_type(p, &type, label, where, err);
    if (st != VKVLM_OK) return st;
    if (strcmp(type, "Sequence") == 0) {
        const cJSON *list = field(p, "pretokenizers");
        if (!cJSON_IsArray(list))
            return vkvlm_error_set(err, VKVLM_ERR_FORMAT, "%s: %s.pretokenizers is missing or not an array", label,
                                   where);
        if (depth > 8) return vkvlm_error_set(err, VKVLM_ERR_LIMIT, "%s: %s nests Sequences too deeply", label, where);
        size_t i = 0;
        const cJSON *child;
        cJSON_ArrayForEach(child, list) {
            char sub[128];
            snprintf(sub, sizeof sub, "%.80s.pretokenizers[%zu]", where, i++);
            if ((st = load_pretokenizer(tok, child, sub, depth + 1, err)) != VKVLM_OK) return st;
        }
        return VKVLM_OK;
    }
    tok_pretokenizer step = {0};
    if (strcmp(type, "ByteLevel") == 0) {
        step.kind = TOK_PRETOKENIZER_BYTE_LEVEL;
        if ((st = get_bool(p, "add_prefix_space", 1, &step.add_prefix_space, label, where, err)) != VKVLM_OK) return st;
        if ((st = get_bool(p, "use_regex", 1, &step.use_regex, label, where, err)) != VKVLM_OK) return st;
    } else if (strcmp(type, "Digits") == 0) {
        step.kind = TOK_PRETOKENIZER_DIGITS;
        if ((st = get_bool(p, "individual_digits", 0, &step.individual_digits, label, where, err)) != VKVLM_OK)
            return st;
    } else if (strcmp(type, "Metaspace") == 0) {
        step.kind = TOK_PRETOKENIZER_METASPACE;
        if ((st = get_char(p, "replacement", 0x2581, &step.replacement, label, where, err)) != VKVLM_OK) return st;
        if ((st = get_prepend_scheme(p, &step.prepend_scheme, label, where, err)) != VKVLM_OK) return st;
        if ((st = get_bool(p, "split", 1, &step.split, label, where, err)) != VKVLM_OK) return st;
    } else {
        return vkvlm_error_set(
            err, VKVLM_ERR_UNSUPPORTED,
            "%s: %s.type \"%s\" is not supported (pre-tokenizers: Sequence, ByteLevel, Digits, Metaspace)", label,
            where, type);
    }
    if (grow((void **)&tok->pretokenizers, tok->n_pretokenizers, sizeof *tok->pretokenizers) != 0)
        return oom(err, label);
    tok->pretokenizers[tok->n_pretokenizers++] = step;
    return VKVLM_OK;
}

/* ---------------------------------------------------------------- post-processor */

static vkvlm_status append_ids(int32_t **ids, size_t *n, const cJSON *list, const char *label, const char *where,
                               vkvlm_error *err) {
    if (!cJSON_IsArray(list))
        return vkvlm_error_set(err, VKVLM_ERR_FORMAT, "%s: %s.ids is missing or not an array", label, where);
    const cJSON *v;
    cJSON_ArrayForEach(v, list) {
        int64_t id;
        if (!as_index(v, TOK_MAX_ID - 1, &id))
            return vkvlm_error_set(err, VKVLM_ERR_FORMAT, "%s: %s.ids holds something that is not a token id", label,
                                   where);
        if (grow((void **)ids, *n, sizeof **ids) != 0) return oom(err, label);
        (*ids)[(*n)++] = (int32_t)id;
    }
    return VKVLM_OK;
}

static vkvlm_status load_template(vkvlm_tokenizer *tok, const cJSON *p, const char *where, vkvlm_error *err) {
    const char *label = tok->label;
    const cJSON *single = field(p, "single");
    const cJSON *specials = field(p, "special_tokens");
    if (!cJSON_IsArray(single))
        return vkvlm_error_set(err, VKVLM_ERR_FORMAT, "%s: %s.single is missing or not an array", label, where);
    if (tok->n_post_prefix || tok->n_post_suffix)
        return vkvlm_error_set(err, VKVLM_ERR_UNSUPPORTED, "%s: %s: more than one TemplateProcessing", label, where);
    int seen_sequence = 0;
    size_t i = 0;
    const cJSON *item;
    cJSON_ArrayForEach(item, single) {
        char sub[160];
        snprintf(sub, sizeof sub, "%.80s.single[%zu]", where, i++);
        const cJSON *special = field(item, "SpecialToken");
        const cJSON *sequence = field(item, "Sequence");
        if (cJSON_IsObject(sequence)) {
            const cJSON *id = field(sequence, "id");
            if (!cJSON_IsString(id) || strcmp(id->valuestring, "A") != 0)
                return vkvlm_error_set(err, VKVLM_ERR_FORMAT, "%s: %s.Sequence.id is not \"A\"", label, sub);
            if (seen_sequence)
                return vkvlm_error_set(err, VKVLM_ERR_UNSUPPORTED, "%s: %s repeats the sequence", label, sub);
            seen_sequence = 1;
        } else if (cJSON_IsObject(special)) {
            const char *name;
            vkvlm_status st = get_string(special, "id", &name, label, sub, err);
            if (st != VKVLM_OK) return st;
            const cJSON *spec = cJSON_IsObject(specials) ? field(specials, name) : NULL;
            if (!cJSON_IsObject(spec))
                return vkvlm_error_set(err, VKVLM_ERR_FORMAT, "%s: %s names \"%s\", which %s.special_tokens lacks",
                                       label, sub, name, where);
            char spec_where[200];
            snprintf(spec_where, sizeof spec_where, "%.80s.special_tokens[\"%.60s\"]", where, name);
            if (seen_sequence)
                st = append_ids(&tok->post_suffix, &tok->n_post_suffix, field(spec, "ids"), label, spec_where, err);
            else
                st = append_ids(&tok->post_prefix, &tok->n_post_prefix, field(spec, "ids"), label, spec_where, err);
            if (st != VKVLM_OK) return st;
        } else {
            return vkvlm_error_set(err, VKVLM_ERR_FORMAT, "%s: %s is neither a SpecialToken nor a Sequence", label,
                                   sub);
        }
    }
    if (!seen_sequence)
        return vkvlm_error_set(err, VKVLM_ERR_FORMAT, "%s: %s.single never places the sequence \"A\"", label, where);
    return VKVLM_OK;
}

static vkvlm_status load_post_processor(vkvlm_tokenizer *tok, const cJSON *p, const char *where, int depth,
                                        vkvlm_error *err) {
    const char *label = tok->label, *type;
    if (is_absent(p)) return VKVLM_OK;
    vkvlm_status st = get_type(p, &type, label, where, err);
    if (st != VKVLM_OK) return st;
    if (strcmp(type, "Sequence") == 0) {
        const cJSON *list = field(p, "processors");
        if (!cJSON_IsArray(list))
            return vkvlm_error_set(err, VKVLM_ERR_FORMAT, "%s: %s.processors is missing or not an array", label, where);
        if (depth > 8) return vkvlm_error_set(err, VKVLM_ERR_LIMIT, "%s: %s nests Sequences too deeply", label, where);
        size_t i = 0;
        const cJSON *child;
        cJSON_ArrayForEach(child, list) {
            char sub[128];
            snprintf(sub, sizeof sub, "%.80s.processors[%zu]", where, i++);
            if ((st = load_post_processor(tok, child, sub, depth + 1, err)) != VKVLM_OK) return st;
        }
        return VKVLM_OK;
    }
    if (strcmp(type, "ByteLevel") == 0) return VKVLM_OK; /* only trims offsets, which vkvlm does not compute */
    if (strcmp(type, "TemplateProcessing") == 0) return load_template(tok, p, where, err);
    return vkvlm_error_set(
        err, VKVLM_ERR_UNSUPPORTED,
        "%s: %s.type \"%s\" is not supported (post-processors: TemplateProcessing, ByteLevel, Sequence)", label, where,
        type);
}

/* ---------------------------------------------------------------- decoder */

static vkvlm_status load_decoder(vkvlm_tokenizer *tok, const cJSON *d, const char *where, int depth, vkvlm_error *err) {
    const char *label = tok->label, *type;
    if (is_absent(d)) return VKVLM_OK;
    tok->has_decoder = 1;
    vkvlm_status st = get_type(d, &type, label, where, err);
    if (st != VKVLM_OK) return st;
    if (strcmp(type, "Sequence") == 0) {
        const cJSON *list = field(d, "decoders");
        if (!cJSON_IsArray(list))
            return vkvlm_error_set(err, VKVLM_ERR_FORMAT, "%s: %s.decoders is missing or not an array", label, where);
        if (depth > 8) return vkvlm_error_set(err, VKVLM_ERR_LIMIT, "%s: %s nests Sequences too deeply", label, where);
        size_t i = 0;
        const cJSON *child;
        cJSON_ArrayForEach(child, list) {
            char sub[128];
            snprintf(sub, sizeof sub, "%.80s.decoders[%zu]", where, i++);
            if ((st = load_decoder(tok, child, sub, depth + 1, err)) != VKVLM_OK) return st;
        }
        return VKVLM_OK;
    }
    tok_decoder step = {0};
    if (strcmp(type, "Replace") == 0) {
        const char *pattern, *content;
        if ((st = get_string_pattern(d, &pattern, label, where, err)) != VKVLM_OK) return st;
        if ((st = get_string(d, "content", &content, label, where, err)) != VKVLM_OK) return st;
        step.kind = TOK_DECODER_REPLACE;
        if (vkvlm_tok_string_set(&step.pattern, pattern, strlen(pattern)) != 0 ||
            vkvlm_tok_string_set(&step.content, content, strlen(content)) != 0) {
            vkvlm_tok_string_free(&step.pattern);
            vkvlm_tok_string_free(&step.content);
            return oom(err, label);
        }
    } else if (strcmp(type, "ByteFallback") == 0) {
        step.kind = TOK_DECODER_BYTE_FALLBACK;
    } else if (strcmp(type, "Fuse") == 0) {
        step.kind = TOK_DECODER_FUSE;
    } else if (strcmp(type, "Strip") == 0) {
        step.kind = TOK_DECODER_STRIP;
        int64_t start = 0, stop = 0;
        if ((st = get_char(d, "content", ' ', &step.strip_char, label, where, err)) != VKVLM_OK) return st;
        const cJSON *vstart = field(d, "start"), *vstop = field(d, "stop");
        if ((!is_absent(vstart) && !as_index(vstart, 1 << 20, &start)) ||
            (!is_absent(vstop) && !as_index(vstop, 1 << 20, &stop)))
            return vkvlm_error_set(err, VKVLM_ERR_FORMAT, "%s: %s.start/stop are not small non-negative integers",
                                   label, where);
        step.strip_start = (size_t)start;
        step.strip_stop = (size_t)stop;
    } else if (strcmp(type, "ByteLevel") == 0) {
        step.kind = TOK_DECODER_BYTE_LEVEL;
    } else if (strcmp(type, "Metaspace") == 0) {
        step.kind = TOK_DECODER_METASPACE;
        tok_prepend_scheme scheme;
        if ((st = get_char(d, "replacement", 0x2581, &step.replacement, label, where, err)) != VKVLM_OK) return st;
        if ((st = get_prepend_scheme(d, &scheme, label, where, err)) != VKVLM_OK) return st;
        step.prepend = scheme != TOK_PREPEND_NEVER;
    } else {
        return vkvlm_error_set(err, VKVLM_ERR_UNSUPPORTED,
                               "%s: %s.type \"%s\" is not supported (decoders: Sequence, Replace, ByteFallback, Fuse, "
                               "Strip, ByteLevel, Metaspace)",
                               label, where, type);
    }
    if (grow((void **)&tok->decoders, tok->n_decoders, sizeof *tok->decoders) != 0) {
        vkvlm_tok_string_free(&step.pattern);
        vkvlm_tok_string_free(&step.content);
        return oom(err, label);
    }
    tok->decoders[tok->n_decoders++] = step;
    return VKVLM_OK;
}

/* ---------------------------------------------------------------- special token names */

/* A token named in tokenizer_config.json / special_tokens_map.json: "<s>" or {"content": "<s>", ...}. */
static const char *special_name(const cJSON *root, const char *key) {
    const cJSON *v = field(root, key);
    if (cJSON_IsString(v)) return v->valuestring;
    if (cJSON_IsObject(v)) {
        const cJSON *c = field(v, "content");
        if (cJSON_IsString(c)) return c->valuestring;
    }
    return NULL;
}

/* Resolves the four names, the first file that names one winning. */
static void resolve_special_ids(vkvlm_tokenizer *tok, const cJSON *first, const cJSON *second) {
    const char *keys[4] = {"bos_token", "eos_token", "pad_token", "unk_token"};
    int32_t *ids[4] = {&tok->bos_id, &tok->eos_id, &tok->pad_id, &tok->unk_id};
    for (int i = 0; i < 4; i++) {
        const char *name = first ? special_name(first, keys[i]) : NULL;
        if (!name && second) name = special_name(second, keys[i]);
        *ids[i] = name ? vkvlm_tokenizer_token_id(tok, name) : -1;
    }
}

/* Loads an optional side file, from bytes or a path. *root stays NULL when neither is given. */
static vkvlm_status load_side_file(const char *path, const char *text, size_t len, const char *fallback_label,
                                   cJSON **root, vkvlm_error *err) {
    *root = NULL;
    char *owned = NULL;
    const char *label = path ? path : fallback_label;
    if (!text) {
        if (!path) return VKVLM_OK;
        vkvlm_status st = read_file(path, &owned, &len, err);
        if (st != VKVLM_OK) return st;
        text = owned;
    }
    *root = parse_json(text, len, label, err);
    free(owned);
    return *root ? VKVLM_OK : err->status;
}

/* ---------------------------------------------------------------- create */

static vkvlm_status load_tokenizer_json(vkvlm_tokenizer *tok, const cJSON *root, vkvlm_error *err) {
    vkvlm_status st;
    if ((st = load_model(tok, root, err)) != VKVLM_OK) return st;
    if ((st = load_normalizer(tok, field(root, "normalizer"), "normalizer", 0, err)) != VKVLM_OK) return st;
    if ((st = load_added_tokens(tok, root, err)) != VKVLM_OK) return st;
    if ((st = load_pretokenizer(tok, field(root, "pre_tokenizer"), "pre_tokenizer", 0, err)) != VKVLM_OK) return st;
    if ((st = load_post_processor(tok, field(root, "post_processor"), "post_processor", 0, err)) != VKVLM_OK) return st;
    if ((st = load_decoder(tok, field(root, "decoder"), "decoder", 0, err)) != VKVLM_OK) return st;
    return vkvlm_tok_finish(tok, err);
}

vkvlm_status vkvlm_tokenizer_create(const vkvlm_tokenizer_desc *desc, vkvlm_tokenizer **out, vkvlm_error *err) {
    vkvlm_error local = {0};
    if (!err) err = &local;
    *out = NULL;
    if (!desc || (!desc->json_text && !desc->json_path))
        return vkvlm_error_set(err, VKVLM_ERR_USAGE, "tokenizer: neither json_path nor json_text was given");
    const char *label = desc->label ? desc->label : desc->json_path ? desc->json_path : "tokenizer.json";

    vkvlm_tokenizer *tok = calloc(1, sizeof *tok);
    if (!tok) return vkvlm_error_set(err, VKVLM_ERR_OUT_OF_MEMORY, "%s: out of memory", label);
    vkvlm_bpe_init(&tok->bpe);
    tok->bos_id = tok->eos_id = tok->pad_id = tok->unk_id = -1;
    tok->label = malloc(strlen(label) + 1);
    if (!tok->label) {
        vkvlm_tokenizer_destroy(tok);
        return vkvlm_error_set(err, VKVLM_ERR_OUT_OF_MEMORY, "%s: out of memory", label);
    }
    memcpy(tok->label, label, strlen(label) + 1);

    char *owned = NULL;
    const char *text = desc->json_text;
    size_t len = desc->json_len;
    vkvlm_status st = VKVLM_OK;
    if (!text) {
        st = read_file(desc->json_path, &owned, &len, err);
        text = owned;
    }
    cJSON *root = st == VKVLM_OK ? parse_json(text, len, label, err) : NULL;
    free(owned);
    if (!root) {
        vkvlm_tokenizer_destroy(tok);
        return err->status;
    }
    st = load_tokenizer_json(tok, root, err);
    cJSON_Delete(root);

    /* special_tokens_map.json overrides tokenizer_config.json, as in transformers' from_pretrained. */
    cJSON *config = NULL, *map = NULL;
    if (st == VKVLM_OK)
        st = load_side_file(desc->config_path, desc->config_text, desc->config_len, "tokenizer_config.json", &config,
                            err);
    if (st == VKVLM_OK)
        st = load_side_file(desc->special_tokens_map_path, desc->special_tokens_map_text, desc->special_tokens_map_len,
                            "special_tokens_map.json", &map, err);
    if (st == VKVLM_OK) resolve_special_ids(tok, map, config);
    cJSON_Delete(config);
    cJSON_Delete(map);
    if (st != VKVLM_OK) {
        vkvlm_tokenizer_destroy(tok);
        return st;
    }
    *out = tok;
    return VKVLM_OK;
}

static int file_exists(const char *path) {
    FILE *f = fopen(path, "rb");
    if (!f) return 0;
    fclose(f);
    return 1;
}

vkvlm_status vkvlm_tokenizer_create_from_dir(const char *dir, vkvlm_tokenizer **out, vkvlm_error *err) {
    *out = NULL;
    size_t n = strlen(dir) + 64;
    char *json = malloc(n), *config = malloc(n), *map = malloc(n);
    if (!json || !config || !map) {
        free(json);
        free(config);
        free(map);
        return vkvlm_error_set(err, VKVLM_ERR_OUT_OF_MEMORY, "%s: out of memory", dir);
    }
    snprintf(json, n, "%s/tokenizer.json", dir);
    snprintf(config, n, "%s/tokenizer_config.json", dir);
    snprintf(map, n, "%s/special_tokens_map.json", dir);
    vkvlm_tokenizer_desc desc = {
        .json_path = json,
        .config_path = file_exists(config) ? config : NULL,
        .special_tokens_map_path = file_exists(map) ? map : NULL,
    };
    vkvlm_status st = vkvlm_tokenizer_create(&desc, out, err);
    free(json);
    free(config);
    free(map);
    return st;
}

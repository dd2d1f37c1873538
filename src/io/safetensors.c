/* safetensors.c — safetensors header validation, tensor views, f32 conversion, and model directories
 * (single file or sharded index) with the transformers >= 4.52 name aliases. See safetensors.h for the rules.
 *
 * Sections: dtypes | header parsing (>>parse) | lookups and shape checks | f32 conversion | checkpoints (>>ckpt).
 * Nothing here prints; every failure returns a status with a message that starts with the file's path.
 */
#define _POSIX_C_SOURCE 200809L

#include "io/safetensors.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/status.h"

/* ---------------------------------------------------------------- dtypes */

static const struct {
    const char *name; /* header dtype string */
    size_t size;      /* bytes per element */
} dtype_table[VKVLM_SAFETENSORS_DTYPE_COUNT] = {
    [VKVLM_SAFETENSORS_UNKNOWN] = {"unknown", 0}, [VKVLM_SAFETENSORS_F32] = {"F32", 4},
    [VKVLM_SAFETENSORS_F16] = {"F16", 2},         [VKVLM_SAFETENSORS_BF16] = {"BF16", 2},
    [VKVLM_SAFETENSORS_F64] = {"F64", 8},         [VKVLM_SAFETENSORS_F8_E4M3] = {"F8_E4M3", 1},
    [VKVLM_SAFETENSORS_F8_E5M2] = {"F8_E5M2", 1}, [VKVLM_SAFETENSORS_I64] = {"I64", 8},
    [VKVLM_SAFETENSORS_I32] = {"I32", 4},         [VKVLM_SAFETENSORS_I16] = {"I16", 2},
    [VKVLM_SAFETENSORS_I8] = {"I8", 1},           [VKVLM_SAFETENSORS_U64] = {"U64", 8},
    [VKVLM_SAFETENSORS_U32] = {"U32", 4},         [VKVLM_SAFETENSORS_U16] = {"U16", 2},
    [VKVLM_SAFETENSORS_U8] = {"U8", 1},           [VKVLM_SAFETENSORS_BOOL] = {"BOOL", 1},
};

const char *vkvlm_safetensors_dtype_name(vkvlm_safetensors_dtype dtype) {
    if ((int)dtype < 0 || dtype >= VKVLM_SAFETENSORS_DTYPE_COUNT) return "unknown";
    return dtype_table[dtype].name;
}

size_t vkvlm_safetensors_dtype_size(vkvlm_safetensors_dtype dtype) {
    if ((int)dtype < 0 || dtype >= VKVLM_SAFETENSORS_DTYPE_COUNT) return 0;
    return dtype_table[dtype].size;
}

static vkvlm_safetensors_dtype dtype_from_name(const char *name) {
    for (int d = 1; d < VKVLM_SAFETENSORS_DTYPE_COUNT; d++)
        if (strcmp(dtype_table[d].name, name) == 0) return (vkvlm_safetensors_dtype)d;
    return VKVLM_SAFETENSORS_UNKNOWN;
}

/* "[a,b,c]" into buf (truncated safely); used by every shape message. */
static void format_shape(char *buf, size_t cap, int ndim, const int64_t *dims) {
    size_t n = 0;
    n += (size_t)snprintf(buf + n, cap - n, "[");
    for (int i = 0; i < ndim && n < cap; i++)
        n += (size_t)snprintf(buf + n, cap - n, "%s%lld", i ? "," : "", (long long)dims[i]);
    if (n < cap) snprintf(buf + n, cap - n, "]");
}

/* ---------------------------------------------------------------- header parsing (>>parse) */

/* Integers in the header are JSON numbers, which cJSON holds as doubles: accept only whole values in
 * [0, 2^53], where a double is exact, so an offset or dim is never silently rounded. */
#define SAFETENSORS_MAX_EXACT 9007199254740992.0

static int json_uint(const cJSON *item, uint64_t *out) {
    if (!cJSON_IsNumber(item)) return 0;
    double d = item->valuedouble;
    if (!(d >= 0.0 && d <= SAFETENSORS_MAX_EXACT) || d != floor(d)) return 0;
    *out = (uint64_t)d;
    return 1;
}

static int is_json_space(uint8_t c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

/* Span of one tensor's data, for the overlap check (sorted by begin). */
typedef struct span {
    uint64_t begin, end; /* data_offsets, relative to data_start */
    size_t tensor;       /* index into st->tensors */
} span;

static int span_cmp(const void *a, const void *b) {
    const span *x = a, *y = b;
    if (x->begin != y->begin) return x->begin < y->begin ? -1 : 1;
    if (x->end != y->end) return x->end < y->end ? -1 : 1;
    return 0;
}

static int tensor_name_cmp(const void *a, const void *b) {
    const vkvlm_safetensors_tensor *x = a, *y = b;
    return strcmp(x->name, y->name);
}

/* Copies s into the string block at *cursor and advances it. */
static const char *arena_put(char **cursor, const char *s) {
    size_t n = strlen(s) + 1;
    memcpy(*cursor, s, n);
    const char *out = *cursor;
    *cursor += n;
    return out;
}

/* Validates one tensor entry and fills everything except name/file/data pointers. */
static vkvlm_status parse_tensor_entry(const vkvlm_safetensors *st, const cJSON *entry, uint64_t data_size,
                                       vkvlm_safetensors_tensor *t, uint64_t *begin_out, uint64_t *end_out,
                                       vkvlm_error *err) {
    const char *path = st->path;
    const char *name = entry->string;
    if (!cJSON_IsObject(entry))
        return vkvlm_error_set(err, VKVLM_ERR_FORMAT, "%s: tensor '%s': entry is not a JSON object", path, name);

    const cJSON *dtype = cJSON_GetObjectItemCaseSensitive(entry, "dtype");
    const cJSON *shape = cJSON_GetObjectItemCaseSensitive(entry, "shape");
    const cJSON *offsets = cJSON_GetObjectItemCaseSensitive(entry, "data_offsets");
    if (!dtype) return vkvlm_error_set(err, VKVLM_ERR_FORMAT, "%s: tensor '%s': missing 'dtype'", path, name);
    if (!shape) return vkvlm_error_set(err, VKVLM_ERR_FORMAT, "%s: tensor '%s': missing 'shape'", path, name);
    if (!offsets) return vkvlm_error_set(err, VKVLM_ERR_FORMAT, "%s: tensor '%s': missing 'data_offsets'", path, name);

    if (!cJSON_IsString(dtype))
        return vkvlm_error_set(err, VKVLM_ERR_FORMAT, "%s: tensor '%s': 'dtype' is not a string", path, name);
    t->dtype = dtype_from_name(dtype->valuestring);
    if (t->dtype == VKVLM_SAFETENSORS_UNKNOWN)
        return vkvlm_error_set(err, VKVLM_ERR_FORMAT,
                               "%s: tensor '%s': unknown dtype '%.32s' (known: F32 F16 BF16 F64 F8_E4M3 F8_E5M2 "
                               "I64 I32 I16 I8 U64 U32 U16 U8 BOOL)",
                               path, name, dtype->valuestring);

    if (!cJSON_IsArray(shape))
        return vkvlm_error_set(err, VKVLM_ERR_FORMAT, "%s: tensor '%s': 'shape' is not an array", path, name);
    int ndim = cJSON_GetArraySize(shape);
    if (ndim > VKVLM_SAFETENSORS_MAX_DIMS)
        return vkvlm_error_set(err, VKVLM_ERR_UNSUPPORTED, "%s: tensor '%s': %d dims, at most %d are supported", path,
                               name, ndim, VKVLM_SAFETENSORS_MAX_DIMS);
    t->ndim = ndim;
    uint64_t numel = 1;
    int overflow = 0;
    int i = 0;
    for (const cJSON *d = shape->child; d; d = d->next, i++) {
        uint64_t v;
        if (!json_uint(d, &v))
            return vkvlm_error_set(err, VKVLM_ERR_FORMAT, "%s: tensor '%s': shape[%d] is not a non-negative integer",
                                   path, name, i);
        t->shape[i] = (int64_t)v;
        if (v != 0 && numel > UINT64_MAX / v)
            overflow = 1;
        else
            numel *= v;
    }
    /* A zero dim makes the product 0 whatever overflowed before it. */
    for (int k = 0; k < ndim; k++)
        if (t->shape[k] == 0) {
            numel = 0;
            overflow = 0;
        }
    size_t esize = dtype_table[t->dtype].size;
    char shape_text[160];
    format_shape(shape_text, sizeof shape_text, ndim, t->shape);
    if (overflow || (numel != 0 && numel > UINT64_MAX / esize))
        return vkvlm_error_set(err, VKVLM_ERR_FORMAT, "%s: tensor '%s': shape %s overflows a 64-bit byte count", path,
                               name, shape_text);
    uint64_t need = numel * esize;

    if (!cJSON_IsArray(offsets) || cJSON_GetArraySize(offsets) != 2)
        return vkvlm_error_set(err, VKVLM_ERR_FORMAT, "%s: tensor '%s': 'data_offsets' is not an array [begin, end]",
                               path, name);
    uint64_t begin, end;
    if (!json_uint(offsets->child, &begin) || !json_uint(offsets->child->next, &end))
        return vkvlm_error_set(err, VKVLM_ERR_FORMAT,
                               "%s: tensor '%s': 'data_offsets' entries are not non-negative integers", path, name);
    if (end < begin)
        return vkvlm_error_set(err, VKVLM_ERR_FORMAT,
                               "%s: tensor '%s': data_offsets [%llu, %llu] end before they begin", path, name,
                               (unsigned long long)begin, (unsigned long long)end);
    if (end > data_size)
        return vkvlm_error_set(err, VKVLM_ERR_FORMAT,
                               "%s: tensor '%s': data_offsets [%llu, %llu] extend past the data section (%llu bytes)",
                               path, name, (unsigned long long)begin, (unsigned long long)end,
                               (unsigned long long)data_size);
    if (end - begin != need)
        return vkvlm_error_set(
            err, VKVLM_ERR_FORMAT, "%s: tensor '%s': data_offsets [%llu, %llu] hold %llu bytes, but %s %s needs %llu",
            path, name, (unsigned long long)begin, (unsigned long long)end, (unsigned long long)(end - begin),
            dtype_table[t->dtype].name, shape_text, (unsigned long long)need);
    t->numel = numel;
    t->nbytes = (size_t)need; /* need <= data_size <= the buffer size, a size_t */
    *begin_out = begin;
    *end_out = end;
    return VKVLM_OK;
}

/* Checks __metadata__ and adds its string lengths to *strings_len. */
static vkvlm_status check_metadata(const vkvlm_safetensors *st, const cJSON *meta, size_t *count, size_t *strings_len,
                                   vkvlm_error *err) {
    if (!cJSON_IsObject(meta))
        return vkvlm_error_set(err, VKVLM_ERR_FORMAT, "%s: '__metadata__' is not a JSON object", st->path);
    for (const cJSON *kv = meta->child; kv; kv = kv->next) {
        if (!cJSON_IsString(kv))
            return vkvlm_error_set(err, VKVLM_ERR_FORMAT, "%s: '__metadata__' value of '%s' is not a string", st->path,
                                   kv->string);
        *strings_len += strlen(kv->string) + 1 + strlen(kv->valuestring) + 1;
        (*count)++;
    }
    return VKVLM_OK;
}

/* Validates the layout and header of st->bytes[st->size] and builds the tensor table. */
static vkvlm_status parse_bytes(vkvlm_safetensors *st, vkvlm_error *err) {
    const char *path = st->path;
    const uint8_t *b = st->bytes;
    if (st->size < 8)
        return vkvlm_error_set(err, VKVLM_ERR_FORMAT,
                               "%s: file is %zu bytes, too short for the 8-byte header length (truncated?)", path,
                               st->size);
    uint64_t header_len = 0;
    for (int i = 7; i >= 0; i--) header_len = (header_len << 8) | b[i];
    if (header_len > (uint64_t)(st->size - 8))
        return vkvlm_error_set(err, VKVLM_ERR_FORMAT,
                               "%s: header length %llu exceeds the %zu bytes after the length field (truncated or not "
                               "a safetensors file)",
                               path, (unsigned long long)header_len, st->size - 8);
    if (header_len > VKVLM_SAFETENSORS_MAX_HEADER)
        return vkvlm_error_set(err, VKVLM_ERR_LIMIT, "%s: header length %llu exceeds the %u-byte limit", path,
                               (unsigned long long)header_len, VKVLM_SAFETENSORS_MAX_HEADER);
    if (header_len < 2 || b[8] != '{')
        return vkvlm_error_set(err, VKVLM_ERR_FORMAT, "%s: header (%llu bytes) does not start with a JSON object", path,
                               (unsigned long long)header_len);
    st->header_len = header_len;
    st->data_start = 8 + header_len;
    st->data_start_aligned = st->data_start % 8 == 0;
    uint64_t data_size = (uint64_t)st->size - st->data_start;

    /* cJSON is handed a NUL-terminated copy: some cJSON releases read one byte past an unterminated buffer. */
    size_t hlen = (size_t)header_len;
    char *text = malloc(hlen + 1);
    if (!text) return vkvlm_error_set(err, VKVLM_ERR_OUT_OF_MEMORY, "%s: no memory for a %zu-byte header", path, hlen);
    memcpy(text, b + 8, hlen);
    text[hlen] = '\0';
    const char *end = NULL;
    cJSON *root = cJSON_ParseWithLengthOpts(text, hlen, &end, 0);
    if (!root) {
        size_t at = end && end >= text ? (size_t)(end - text) : 0;
        free(text);
        return vkvlm_error_set(err, VKVLM_ERR_FORMAT, "%s: header is not valid JSON (error near header byte %zu)", path,
                               at);
    }
    /* Only whitespace may follow the object (HF pads with spaces); a NUL or anything else means a corrupt header. */
    for (size_t i = (size_t)(end - text); i < hlen; i++) {
        uint8_t c = (uint8_t)text[i];
        if (!is_json_space(c)) {
            cJSON_Delete(root);
            free(text);
            return vkvlm_error_set(err, VKVLM_ERR_FORMAT,
                                   "%s: unexpected byte 0x%02x after the header's JSON object (header byte %zu)", path,
                                   (unsigned)c, i);
        }
    }
    free(text);
    if (!cJSON_IsObject(root)) {
        cJSON_Delete(root);
        return vkvlm_error_set(err, VKVLM_ERR_FORMAT, "%s: header is not a JSON object", path);
    }

    /* Pass 1: count entries, check metadata, size the string block. */
    size_t n_tensors = 0, n_meta = 0, strings_len = 0;
    const cJSON *meta = NULL;
    vkvlm_status s = VKVLM_OK;
    for (const cJSON *e = root->child; e && s == VKVLM_OK; e = e->next) {
        if (strcmp(e->string, "__metadata__") == 0) {
            if (meta) s = vkvlm_error_set(err, VKVLM_ERR_FORMAT, "%s: '__metadata__' appears twice", path);
            meta = e;
            if (s == VKVLM_OK) s = check_metadata(st, e, &n_meta, &strings_len, err);
            continue;
        }
        if (e->string[0] == '\0') s = vkvlm_error_set(err, VKVLM_ERR_FORMAT, "%s: a tensor has an empty name", path);
        strings_len += strlen(e->string) + 1;
        n_tensors++;
    }
    if (s != VKVLM_OK) {
        cJSON_Delete(root);
        return s;
    }

    st->tensors = calloc(n_tensors ? n_tensors : 1, sizeof *st->tensors);
    st->metadata = n_meta ? calloc(n_meta, sizeof *st->metadata) : NULL;
    st->strings = malloc(strings_len ? strings_len : 1);
    span *spans = calloc(n_tensors ? n_tensors : 1, sizeof *spans);
    if (!st->tensors || (n_meta && !st->metadata) || !st->strings || !spans) {
        cJSON_Delete(root);
        free(spans);
        return vkvlm_error_set(err, VKVLM_ERR_OUT_OF_MEMORY, "%s: no memory for %zu tensor entries", path, n_tensors);
    }

    /* Pass 2: validate each entry and fill the tables. */
    char *cursor = st->strings;
    if (meta) {
        size_t k = 0;
        for (const cJSON *kv = meta->child; kv; kv = kv->next, k++) {
            st->metadata[k].key = arena_put(&cursor, kv->string);
            st->metadata[k].value = arena_put(&cursor, kv->valuestring);
        }
        st->n_metadata = n_meta;
    }
    size_t t = 0;
    for (const cJSON *e = root->child; e && s == VKVLM_OK; e = e->next) {
        if (e == meta) continue;
        vkvlm_safetensors_tensor *tv = &st->tensors[t];
        s = parse_tensor_entry(st, e, data_size, tv, &spans[t].begin, &spans[t].end, err);
        if (s != VKVLM_OK) break;
        tv->name = arena_put(&cursor, e->string);
        tv->file = st->path;
        tv->file_offset = st->data_start + spans[t].begin;
        tv->data = tv->nbytes ? b + tv->file_offset : NULL;
        t++;
    }
    cJSON_Delete(root);
    if (s != VKVLM_OK) {
        free(spans);
        return s;
    }
    st->n_tensors = n_tensors;

    /* No two spans may share a byte. Empty tensors occupy no bytes, so they overlap nothing. */
    for (size_t i = 0; i < n_tensors; i++) spans[i].tensor = i;
    qsort(spans, n_tensors, sizeof *spans, span_cmp);
    const span *prev = NULL;
    for (size_t i = 0; i < n_tensors; i++) {
        if (spans[i].begin == spans[i].end) continue;
        if (prev && spans[i].begin < prev->end) {
            s = vkvlm_error_set(err, VKVLM_ERR_FORMAT, "%s: tensors '%s' [%llu, %llu] and '%s' [%llu, %llu] overlap",
                                path, st->tensors[prev->tensor].name, (unsigned long long)prev->begin,
                                (unsigned long long)prev->end, st->tensors[spans[i].tensor].name,
                                (unsigned long long)spans[i].begin, (unsigned long long)spans[i].end);
            break;
        }
        prev = &spans[i];
    }
    free(spans);
    if (s != VKVLM_OK) return s;

    /* Sorted by name for bsearch; JSON allows duplicate keys, a tensor table does not. */
    qsort(st->tensors, n_tensors, sizeof *st->tensors, tensor_name_cmp);
    for (size_t i = 1; i < n_tensors; i++)
        if (strcmp(st->tensors[i - 1].name, st->tensors[i].name) == 0)
            return vkvlm_error_set(err, VKVLM_ERR_FORMAT, "%s: tensor '%s' appears twice in the header", path,
                                   st->tensors[i].name);
    return VKVLM_OK;
}

static vkvlm_status set_path(vkvlm_safetensors *st, const char *label, vkvlm_error *err) {
    st->path = strdup(label ? label : "(buffer)");
    if (!st->path) return vkvlm_error_set(err, VKVLM_ERR_OUT_OF_MEMORY, "%s: no memory", label ? label : "(buffer)");
    return VKVLM_OK;
}

vkvlm_status vkvlm_safetensors_parse(vkvlm_safetensors *st, const uint8_t *bytes, size_t size, const char *label,
                                     vkvlm_error *err) {
    if (!st || (!bytes && size))
        return vkvlm_error_set(err, VKVLM_ERR_USAGE, "vkvlm_safetensors_parse: st and bytes are required");
    memset(st, 0, sizeof *st);
    vkvlm_status s = set_path(st, label, err);
    if (s != VKVLM_OK) return s; /* nothing allocated */
    st->bytes = bytes;
    st->size = size;
    s = parse_bytes(st, err);
    if (s != VKVLM_OK) vkvlm_safetensors_close(st);
    return s;
}

vkvlm_status vkvlm_safetensors_open(vkvlm_safetensors *st, const char *path, vkvlm_error *err) {
    if (!st || !path) return vkvlm_error_set(err, VKVLM_ERR_USAGE, "vkvlm_safetensors_open: st and path are required");
    memset(st, 0, sizeof *st);
    vkvlm_status s = set_path(st, path, err);
    if (s != VKVLM_OK) return s;
    s = vkvlm_file_map_open(&st->map, path, err);
    if (s == VKVLM_OK) {
        st->bytes = st->map.data;
        st->size = st->map.size;
        s = parse_bytes(st, err);
    }
    if (s != VKVLM_OK) vkvlm_safetensors_close(st);
    return s;
}

void vkvlm_safetensors_close(vkvlm_safetensors *st) {
    if (!st) return;
    vkvlm_file_map_close(&st->map);
    free(st->tensors);
    free(st->metadata);
    free(st->strings);
    free(st->path);
    memset(st, 0, sizeof *st);
}

/* ---------------------------------------------------------------- lookups and shape checks */

const vkvlm_safetensors_tensor *vkvlm_safetensors_find(const vkvlm_safetensors *st, const char *name) {
    if (!st || !name || !st->n_tensors) return NULL;
    vkvlm_safetensors_tensor key = {.name = name};
    return bsearch(&key, st->tensors, st->n_tensors, sizeof *st->tensors, tensor_name_cmp);
}

vkvlm_status vkvlm_safetensors_get(const vkvlm_safetensors *st, const char *name, const vkvlm_safetensors_tensor **out,
                                   vkvlm_error *err) {
    const vkvlm_safetensors_tensor *t = vkvlm_safetensors_find(st, name);
    if (out) *out = t;
    if (!t)
        return vkvlm_error_set(err, VKVLM_ERR_FORMAT, "%s: no tensor named '%s'", st && st->path ? st->path : "(none)",
                               name ? name : "(null)");
    return VKVLM_OK;
}

const char *vkvlm_safetensors_metadata(const vkvlm_safetensors *st, const char *key) {
    if (!st || !key) return NULL;
    for (size_t i = 0; i < st->n_metadata; i++)
        if (strcmp(st->metadata[i].key, key) == 0) return st->metadata[i].value;
    return NULL;
}

vkvlm_status vkvlm_safetensors_expect_shape(const vkvlm_safetensors_tensor *t, int ndim, const int64_t *dims,
                                            vkvlm_error *err) {
    if (!t || ndim < 0 || ndim > VKVLM_SAFETENSORS_MAX_DIMS || (ndim && !dims))
        return vkvlm_error_set(err, VKVLM_ERR_USAGE, "vkvlm_safetensors_expect_shape: bad arguments");
    int same = t->ndim == ndim;
    for (int i = 0; same && i < ndim; i++) same = t->shape[i] == dims[i];
    if (same) return VKVLM_OK;
    char have[160], want[160];
    format_shape(have, sizeof have, t->ndim, t->shape);
    format_shape(want, sizeof want, ndim, dims);
    return vkvlm_error_set(err, VKVLM_ERR_FORMAT, "%s: tensor '%s' has shape %s, expected %s", t->file, t->name, have,
                           want);
}

/* ---------------------------------------------------------------- f32 conversion */

static float f32_from_bits(uint32_t bits) {
    float f;
    memcpy(&f, &bits, sizeof f);
    return f;
}

/* IEEE binary16 -> binary32, exact for every input (subnormals renormalised, Inf/NaN kept, NaN payload kept). */
static float f16_to_f32(uint16_t h) {
    uint32_t sign = (uint32_t)(h & 0x8000u) << 16;
    uint32_t exp = (h >> 10) & 0x1fu;
    uint32_t mant = h & 0x3ffu;
    if (exp == 0x1f) return f32_from_bits(sign | 0x7f800000u | (mant << 13));
    if (exp == 0) {
        if (mant == 0) return f32_from_bits(sign);
        /* subnormal: value = mant * 2^-24; shift the leading 1 up to bit 10 and count the shifts */
        int e = -1;
        do {
            e++;
            mant <<= 1;
        } while (!(mant & 0x400u));
        return f32_from_bits(sign | ((uint32_t)(127 - 15 - e) << 23) | ((mant & 0x3ffu) << 13));
    }
    return f32_from_bits(sign | ((exp + 127 - 15) << 23) | (mant << 13));
}

vkvlm_status vkvlm_safetensors_read_f32(const vkvlm_safetensors_tensor *t, float *dst, size_t count, vkvlm_error *err) {
    if (!t || (count && !dst))
        return vkvlm_error_set(err, VKVLM_ERR_USAGE, "vkvlm_safetensors_read_f32: tensor and buffer are required");
    if ((uint64_t)count != t->numel)
        return vkvlm_error_set(err, VKVLM_ERR_USAGE, "%s: tensor '%s' has %llu elements, the buffer holds %zu", t->file,
                               t->name, (unsigned long long)t->numel, count);
    const uint8_t *p = t->data;
    switch (t->dtype) {
    case VKVLM_SAFETENSORS_F32:
        for (size_t i = 0; i < count; i++, p += 4)
            dst[i] = f32_from_bits((uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24);
        return VKVLM_OK;
    case VKVLM_SAFETENSORS_F16:
        for (size_t i = 0; i < count; i++, p += 2) dst[i] = f16_to_f32((uint16_t)(p[0] | p[1] << 8));
        return VKVLM_OK;
    case VKVLM_SAFETENSORS_BF16:
        for (size_t i = 0; i < count; i++, p += 2) dst[i] = f32_from_bits((uint32_t)p[0] << 16 | (uint32_t)p[1] << 24);
        return VKVLM_OK;
    default:
        return vkvlm_error_set(err, VKVLM_ERR_UNSUPPORTED,
                               "%s: tensor '%s' has dtype %s; only F32, F16 and BF16 convert to f32", t->file, t->name,
                               vkvlm_safetensors_dtype_name(t->dtype));
    }
}

/* ---------------------------------------------------------------- checkpoints (>>ckpt) */

/* Module renames of transformers >= 4.52, legacy prefix first (see safetensors.h). */
static const struct {
    const char *legacy;  /* llava-hf names, transformers < 4.52 */
    const char *renamed; /* names written by transformers >= 4.52 */
} alias_table[] = {
    {"language_model.model.", "model.language_model."},
    {"language_model.lm_head.", "lm_head."},
    {"vision_tower.", "model.vision_tower."},
    {"multi_modal_projector.", "model.multi_modal_projector."},
};
#define ALIAS_COUNT (sizeof alias_table / sizeof alias_table[0])
#define ALIAS_NAME_MAX 512 /* longest tensor name an alias is built for; real names are < 100 bytes */

static int starts_with(const char *s, const char *prefix) { return strncmp(s, prefix, strlen(prefix)) == 0; }

/* The i-th alias of name into buf; 0 if alias i does not apply. */
static int alias_of(const char *name, size_t i, char *buf, size_t cap) {
    const char *from = NULL, *to = NULL;
    if (starts_with(name, alias_table[i].legacy)) {
        from = alias_table[i].legacy;
        to = alias_table[i].renamed;
    } else if (starts_with(name, alias_table[i].renamed)) {
        from = alias_table[i].renamed;
        to = alias_table[i].legacy;
    } else {
        return 0;
    }
    int n = snprintf(buf, cap, "%s%s", to, name + strlen(from));
    return n > 0 && (size_t)n < cap;
}

static const vkvlm_safetensors_tensor *find_exact(const vkvlm_checkpoint *ck, const char *name) {
    for (size_t i = 0; i < ck->n_shards; i++) {
        const vkvlm_safetensors_tensor *t = vkvlm_safetensors_find(&ck->shards[i], name);
        if (t) return t;
    }
    return NULL;
}

const vkvlm_safetensors_tensor *vkvlm_checkpoint_find(const vkvlm_checkpoint *ck, const char *name) {
    if (!ck || !name) return NULL;
    const vkvlm_safetensors_tensor *t = find_exact(ck, name);
    if (t) return t;
    char alias[ALIAS_NAME_MAX];
    for (size_t i = 0; i < ALIAS_COUNT; i++) {
        if (!alias_of(name, i, alias, sizeof alias)) continue;
        t = find_exact(ck, alias);
        if (t) return t;
    }
    return NULL;
}

vkvlm_status vkvlm_checkpoint_get(const vkvlm_checkpoint *ck, const char *name, const vkvlm_safetensors_tensor **out,
                                  vkvlm_error *err) {
    const vkvlm_safetensors_tensor *t = vkvlm_checkpoint_find(ck, name);
    if (out) *out = t;
    if (t) return VKVLM_OK;
    if (!ck || !name)
        return vkvlm_error_set(err, VKVLM_ERR_USAGE, "vkvlm_checkpoint_get: checkpoint and name required");
    char tried[VKVLM_ERROR_MESSAGE_MAX] = "";
    size_t n = 0;
    char alias[ALIAS_NAME_MAX];
    for (size_t i = 0; i < ALIAS_COUNT && n < sizeof tried; i++)
        if (alias_of(name, i, alias, sizeof alias))
            n += (size_t)snprintf(tried + n, sizeof tried - n, "%s'%s'", n ? ", " : " (also tried ", alias);
    if (n && n < sizeof tried) snprintf(tried + n, sizeof tried - n, ")");
    if (ck->sharded)
        return vkvlm_error_set(err, VKVLM_ERR_FORMAT, "%s: no tensor '%s'%s in its %zu shards", ck->source, name, tried,
                               ck->n_shards);
    return vkvlm_error_set(err, VKVLM_ERR_FORMAT, "%s: no tensor '%s'%s", ck->source ? ck->source : "(not open)", name,
                           tried);
}

vkvlm_status vkvlm_checkpoint_get_shaped(const vkvlm_checkpoint *ck, const char *name, int ndim, const int64_t *dims,
                                         const vkvlm_safetensors_tensor **out, vkvlm_error *err) {
    const vkvlm_safetensors_tensor *t = NULL;
    if (out) *out = NULL;
    vkvlm_status s = vkvlm_checkpoint_get(ck, name, &t, err);
    if (s != VKVLM_OK) return s;
    s = vkvlm_safetensors_expect_shape(t, ndim, dims, err);
    if (s != VKVLM_OK) return s;
    if (out) *out = t;
    return VKVLM_OK;
}

/* dir + "/" + name, malloc'd; NULL on OOM. */
static char *path_join(const char *dir, const char *name) {
    size_t a = strlen(dir), b = strlen(name);
    int slash = a > 0 && dir[a - 1] != '/';
    char *p = malloc(a + (size_t)slash + b + 1);
    if (!p) return NULL;
    memcpy(p, dir, a);
    if (slash) p[a] = '/';
    memcpy(p + a + (size_t)slash, name, b + 1);
    return p;
}

static int file_exists(const char *path) {
    struct stat sb;
    return stat(path, &sb) == 0 && S_ISREG(sb.st_mode);
}

/* Reads the index, opens each distinct shard once and checks the weight_map against the shards. */
static vkvlm_status open_sharded(vkvlm_checkpoint *ck, vkvlm_error *err) {
    const char *index_path = ck->source;
    vkvlm_file_map map = {0};
    vkvlm_status s = vkvlm_file_map_open(&map, index_path, err);
    if (s != VKVLM_OK) return s;
    char *text = malloc(map.size + 1);
    if (!text) {
        vkvlm_file_map_close(&map);
        return vkvlm_error_set(err, VKVLM_ERR_OUT_OF_MEMORY, "%s: no memory", index_path);
    }
    if (map.size) memcpy(text, map.data, map.size);
    text[map.size] = '\0';
    size_t text_len = map.size;
    vkvlm_file_map_close(&map);
    /* Length + 1 with require_null_terminated: the terminator is inside the length, so trailing garbage fails. */
    cJSON *root = cJSON_ParseWithLengthOpts(text, text_len + 1, NULL, 1);
    free(text);
    if (!root) return vkvlm_error_set(err, VKVLM_ERR_FORMAT, "%s: not valid JSON", index_path);

    const cJSON *wm = cJSON_GetObjectItemCaseSensitive(root, "weight_map");
    if (!cJSON_IsObject(wm) || !wm->child) {
        cJSON_Delete(root);
        return vkvlm_error_set(err, VKVLM_ERR_FORMAT, "%s: 'weight_map' is missing, not an object, or empty",
                               index_path);
    }
    /* Distinct shard names, in order of first appearance: the index repeats each one per tensor. */
    size_t n_entries = (size_t)cJSON_GetArraySize(wm);
    const char **names = calloc(n_entries, sizeof *names);
    if (!names) {
        cJSON_Delete(root);
        return vkvlm_error_set(err, VKVLM_ERR_OUT_OF_MEMORY, "%s: no memory", index_path);
    }
    size_t n_names = 0;
    for (const cJSON *e = wm->child; e && s == VKVLM_OK; e = e->next) {
        if (!cJSON_IsString(e) || !e->valuestring[0]) {
            s = vkvlm_error_set(err, VKVLM_ERR_FORMAT, "%s: weight_map entry '%s' is not a file name", index_path,
                                e->string);
            break;
        }
        if (strchr(e->valuestring, '/') || strchr(e->valuestring, '\\')) {
            s = vkvlm_error_set(
                err, VKVLM_ERR_FORMAT,
                "%s: weight_map entry '%s' names '%s'; shards must be plain file names in the directory", index_path,
                e->string, e->valuestring);
            break;
        }
        size_t k = 0;
        while (k < n_names && strcmp(names[k], e->valuestring) != 0) k++;
        if (k == n_names) names[n_names++] = e->valuestring;
    }
    if (s == VKVLM_OK) {
        ck->shards = calloc(n_names, sizeof *ck->shards);
        if (!ck->shards) s = vkvlm_error_set(err, VKVLM_ERR_OUT_OF_MEMORY, "%s: no memory", index_path);
    }
    for (size_t k = 0; s == VKVLM_OK && k < n_names; k++) {
        char *shard_path = path_join(ck->dir, names[k]);
        if (!shard_path) {
            s = vkvlm_error_set(err, VKVLM_ERR_OUT_OF_MEMORY, "%s: no memory", index_path);
            break;
        }
        s = vkvlm_safetensors_open(&ck->shards[k], shard_path, err);
        free(shard_path);
        ck->n_shards = k + 1; /* the half-opened shard too, so close frees it */
    }
    /* Every listed tensor must be where the index says. */
    for (const cJSON *e = wm->child; s == VKVLM_OK && e; e = e->next) {
        size_t k = 0;
        while (strcmp(names[k], e->valuestring) != 0) k++;
        if (!vkvlm_safetensors_find(&ck->shards[k], e->string))
            s = vkvlm_error_set(err, VKVLM_ERR_FORMAT, "%s: weight_map puts '%s' in %s, which has no such tensor",
                                index_path, e->string, ck->shards[k].path);
    }
    free(names);
    cJSON_Delete(root);
    /* A name in two shards would make the lookup depend on shard order. */
    for (size_t k = 1; s == VKVLM_OK && k < ck->n_shards; k++)
        for (size_t i = 0; s == VKVLM_OK && i < ck->shards[k].n_tensors; i++)
            for (size_t j = 0; j < k; j++)
                if (vkvlm_safetensors_find(&ck->shards[j], ck->shards[k].tensors[i].name)) {
                    s = vkvlm_error_set(err, VKVLM_ERR_FORMAT, "%s: tensor '%s' is in both %s and %s", index_path,
                                        ck->shards[k].tensors[i].name, ck->shards[j].path, ck->shards[k].path);
                    break;
                }
    return s;
}

/* Fills a zeroed *ck; on failure it may be half-built (vkvlm_checkpoint_open closes it). */
static vkvlm_status checkpoint_build(vkvlm_checkpoint *ck, const char *dir, vkvlm_error *err) {
    ck->dir = strdup(dir);
    char *single = path_join(dir, "model.safetensors");
    char *index = path_join(dir, "model.safetensors.index.json");
    if (!ck->dir || !single || !index) {
        free(single);
        free(index);
        return vkvlm_error_set(err, VKVLM_ERR_OUT_OF_MEMORY, "%s: no memory", dir);
    }
    if (file_exists(single)) {
        free(index);
        ck->source = single;
        ck->shards = calloc(1, sizeof *ck->shards);
        if (!ck->shards) return vkvlm_error_set(err, VKVLM_ERR_OUT_OF_MEMORY, "%s: no memory", single);
        ck->n_shards = 1;
        return vkvlm_safetensors_open(&ck->shards[0], single, err);
    }
    free(single);
    ck->source = index;
    if (!file_exists(index))
        return vkvlm_error_set(err, VKVLM_ERR_IO, "%s: no model.safetensors or model.safetensors.index.json", dir);
    ck->sharded = 1;
    return open_sharded(ck, err);
}

vkvlm_status vkvlm_checkpoint_open(vkvlm_checkpoint *ck, const char *dir, vkvlm_error *err) {
    if (!ck || !dir) return vkvlm_error_set(err, VKVLM_ERR_USAGE, "vkvlm_checkpoint_open: ck and dir are required");
    memset(ck, 0, sizeof *ck);
    vkvlm_status s = checkpoint_build(ck, dir, err);
    if (s != VKVLM_OK) vkvlm_checkpoint_close(ck);
    return s;
}

void vkvlm_checkpoint_close(vkvlm_checkpoint *ck) {
    if (!ck) return;
    for (size_t i = 0; i < ck->n_shards; i++) vkvlm_safetensors_close(&ck->shards[i]);
    free(ck->shards);
    free(ck->source);
    free(ck->dir);
    memset(ck, 0, sizeof *ck);
}

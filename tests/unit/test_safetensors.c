/* test_safetensors.c — file mapping, safetensors validation, tensor views, f32 conversion and checkpoints.
 *
 * Bad files are written into a fresh mkdtemp directory under /tmp and each must fail with the right status and
 * a message that names the file and the problem. Golden checkpoints come from VKVLM_GOLDEN_DIR (those tests
 * SKIP when it is unset); their values are checked against an independent read of the file (strstr over the
 * header text + raw bytes) and against values printed by Python's struct module.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/file_map.h"
#include "core/status.h"
#include "io/safetensors.h"
#include "test.h"

/* ---------------------------------------------------------------- temp files */

static char tmp_dir[64];        /* mkdtemp result, "" until made */
static char tmp_paths[96][256]; /* files and dirs to remove at the end, in creation order */
static int tmp_count;

static const char *tmp_path(const char *name) {
    if (!tmp_dir[0]) {
        strcpy(tmp_dir, "/tmp/vkvlm_st_XXXXXX");
        if (!mkdtemp(tmp_dir)) {
            fprintf(stderr, "mkdtemp failed\n");
            exit(2);
        }
    }
    static char buf[256];
    snprintf(buf, sizeof buf, "%s/%s", tmp_dir, name);
    return buf;
}

static const char *track(const char *path) {
    if (tmp_count < 96) snprintf(tmp_paths[tmp_count++], sizeof tmp_paths[0], "%s", path);
    return path;
}

static const char *tmp_subdir(const char *name) {
    const char *p = tmp_path(name);
    mkdir(p, 0700);
    return track(p);
}

static void write_bytes(const char *path, const void *data, size_t n) {
    FILE *f = fopen(path, "wb");
    if (!f || (n && fwrite(data, 1, n, f) != n)) {
        fprintf(stderr, "cannot write %s\n", path);
        exit(2);
    }
    fclose(f);
}

/* A safetensors image in memory: 8-byte LE length (header_len_override if nonzero), header, data. */
static uint8_t *build_st(const char *header, const void *data, size_t data_len, uint64_t header_len_override,
                         size_t *out_len) {
    size_t hl = strlen(header);
    uint64_t stated = header_len_override ? header_len_override : hl;
    uint8_t *b = malloc(8 + hl + data_len + 1);
    for (int i = 0; i < 8; i++) b[i] = (uint8_t)(stated >> (8 * i));
    memcpy(b + 8, header, hl);
    if (data_len) memcpy(b + 8 + hl, data, data_len);
    *out_len = 8 + hl + data_len;
    return b;
}

/* Writes a safetensors file into the temp dir (tracked) and returns its path. */
static const char *write_st(const char *name, const char *header, const void *data, size_t data_len,
                            uint64_t header_len_override) {
    size_t n;
    uint8_t *b = build_st(header, data, data_len, header_len_override, &n);
    const char *path = track(tmp_path(name));
    write_bytes(path, b, n);
    free(b);
    return path;
}

static void cleanup_tmp(void) {
    for (int i = tmp_count - 1; i >= 0; i--) {
        struct stat sb;
        if (stat(tmp_paths[i], &sb) == 0 && S_ISDIR(sb.st_mode))
            rmdir(tmp_paths[i]);
        else
            unlink(tmp_paths[i]);
    }
    if (tmp_dir[0]) rmdir(tmp_dir);
}

/* Opens path, expects `status` and a message containing both the path and `needle`. */
static void expect_open_fails(const char *path, vkvlm_status status, const char *needle) {
    vkvlm_safetensors st = {0};
    vkvlm_error err = {0};
    vkvlm_status s = vkvlm_safetensors_open(&st, path, &err);
    TEST_CHECK_INT(s, status);
    TEST_CHECK_INT(err.status, status);
    TEST_CHECK_MSG(strstr(err.message, path) != NULL, "message does not name %s: %s", path, err.message);
    TEST_CHECK_MSG(strstr(err.message, needle) != NULL, "message lacks '%s': %s", needle, err.message);
    vkvlm_safetensors_close(&st);
    vkvlm_safetensors_close(&st); /* close twice: must be harmless */
}

static const float four_f32[4] = {1.0f, -2.5f, 3.25f, 0.0f};

/* ---------------------------------------------------------------- file_map */

static void test_file_map(void) {
    vkvlm_error err = {0};
    vkvlm_file_map map = {0};
    const char *missing = tmp_path("does_not_exist.bin");
    TEST_CHECK_INT(vkvlm_file_map_open(&map, missing, &err), VKVLM_ERR_IO);
    TEST_CHECK(strstr(err.message, missing) != NULL);
    TEST_CHECK(strstr(err.message, "No such file") != NULL);
    TEST_CHECK(map.data == NULL && map.size == 0);
    vkvlm_file_map_close(&map);

    vkvlm_error_clear(&err);
    TEST_CHECK_INT(vkvlm_file_map_open(&map, tmp_dir, &err), VKVLM_ERR_IO);
    TEST_CHECK(strstr(err.message, "is a directory") != NULL);

    const char *empty = track(tmp_path("empty.bin"));
    write_bytes(empty, "", 0);
    vkvlm_error_clear(&err);
    TEST_CHECK_INT(vkvlm_file_map_open(&map, empty, &err), VKVLM_OK);
    TEST_CHECK_INT(map.size, 0);
    vkvlm_file_map_close(&map);

    const char *small = track(tmp_path("small.bin"));
    write_bytes(small, "hello", 5);
    TEST_CHECK_INT(vkvlm_file_map_open(&map, small, &err), VKVLM_OK);
    TEST_CHECK_INT(map.size, 5);
    TEST_CHECK(map.data && memcmp(map.data, "hello", 5) == 0);
    vkvlm_file_map_close(&map);
    TEST_CHECK(map.data == NULL && map.mapping == NULL);
    vkvlm_file_map_close(&map);
    vkvlm_file_map_close(NULL);

    /* A file unreadable by permission (root ignores modes, so only check when it really is unreadable). */
    const char *locked = track(tmp_path("locked.bin"));
    write_bytes(locked, "x", 1);
    chmod(locked, 0);
    if (access(locked, R_OK) != 0) {
        vkvlm_error_clear(&err);
        TEST_CHECK_INT(vkvlm_file_map_open(&map, locked, &err), VKVLM_ERR_IO);
        TEST_CHECK(strstr(err.message, locked) != NULL);
    }
}

/* ---------------------------------------------------------------- valid files */

static void test_valid_file(void) {
    /* Header length 8*k + 3: an unaligned data start, which is accepted and flagged. */
    uint16_t h[3] = {0x3c00 /* 1.0 */, 0xc100 /* -2.5 */, 0x0001 /* smallest subnormal */};
    uint16_t bf[2] = {0x3f80 /* 1.0 */, 0xc020 /* -2.5 */};
    int32_t iv[1] = {7};
    uint8_t data[16 + 6 + 4 + 4];
    memcpy(data, four_f32, 16);
    memcpy(data + 16, h, 6);
    memcpy(data + 22, bf, 4);
    memcpy(data + 26, iv, 4);
    const char *header = "{\"__metadata__\":{\"format\":\"pt\",\"note\":\"x\"},"
                         "\"w\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[0,16]},"
                         "\"h\":{\"dtype\":\"F16\",\"shape\":[3],\"data_offsets\":[16,22]},"
                         "\"b\":{\"dtype\":\"BF16\",\"shape\":[2],\"data_offsets\":[22,26]},"
                         "\"i\":{\"dtype\":\"I32\",\"shape\":[],\"data_offsets\":[26,30]},"
                         "\"z\":{\"dtype\":\"F32\",\"shape\":[0,4],\"data_offsets\":[16,16]}}";
    const char *path = write_st("valid.safetensors", header, data, sizeof data, 0);

    vkvlm_safetensors st = {0};
    vkvlm_error err = {0};
    TEST_CHECK_INT(vkvlm_safetensors_open(&st, path, &err), VKVLM_OK);
    TEST_CHECK_STR(err.message, "");
    TEST_CHECK_INT(st.n_tensors, 5);
    TEST_CHECK_INT(st.header_len, strlen(header));
    TEST_CHECK_INT(st.data_start, 8 + strlen(header));
    TEST_CHECK_INT(st.data_start_aligned, (8 + strlen(header)) % 8 == 0);
    TEST_CHECK_STR(vkvlm_safetensors_metadata(&st, "format"), "pt");
    TEST_CHECK_STR(vkvlm_safetensors_metadata(&st, "note"), "x");
    TEST_CHECK(vkvlm_safetensors_metadata(&st, "absent") == NULL);
    /* sorted by name */
    TEST_CHECK_STR(st.tensors[0].name, "b");
    TEST_CHECK_STR(st.tensors[4].name, "z");

    const vkvlm_safetensors_tensor *w = vkvlm_safetensors_find(&st, "w");
    TEST_CHECK(w != NULL);
    if (w) {
        TEST_CHECK_INT(w->dtype, VKVLM_SAFETENSORS_F32);
        TEST_CHECK_INT(w->ndim, 2);
        TEST_CHECK_INT(w->shape[0], 2);
        TEST_CHECK_INT(w->shape[1], 2);
        TEST_CHECK_INT(w->shape[2], 0);
        TEST_CHECK_INT(w->numel, 4);
        TEST_CHECK_INT(w->nbytes, 16);
        TEST_CHECK_INT(w->file_offset, st.data_start);
        TEST_CHECK_STR(w->file, path);
        float out[4];
        TEST_CHECK_INT(vkvlm_safetensors_read_f32(w, out, 4, &err), VKVLM_OK);
        TEST_CHECK(memcmp(out, four_f32, sizeof out) == 0);
        TEST_CHECK_INT(vkvlm_safetensors_expect_shape(w, VKVLM_SHAPE(2, 2), &err), VKVLM_OK);
        TEST_CHECK_INT(vkvlm_safetensors_read_f32(w, out, 3, &err), VKVLM_ERR_USAGE);
        TEST_CHECK(strstr(err.message, "'w' has 4 elements, the buffer holds 3") != NULL);
        vkvlm_error_clear(&err);
    }
    const vkvlm_safetensors_tensor *ht = vkvlm_safetensors_find(&st, "h");
    TEST_CHECK(ht != NULL);
    if (ht) {
        float out[3];
        TEST_CHECK_INT(vkvlm_safetensors_read_f32(ht, out, 3, &err), VKVLM_OK);
        TEST_CHECK(out[0] == 1.0f && out[1] == -2.5f);
        TEST_CHECK(out[2] == ldexpf(1.0f, -24));
    }
    const vkvlm_safetensors_tensor *bt = vkvlm_safetensors_find(&st, "b");
    if (bt) {
        float out[2];
        TEST_CHECK_INT(vkvlm_safetensors_read_f32(bt, out, 2, &err), VKVLM_OK);
        TEST_CHECK(out[0] == 1.0f && out[1] == -2.5f);
    }
    const vkvlm_safetensors_tensor *it = vkvlm_safetensors_find(&st, "i");
    TEST_CHECK(it != NULL);
    if (it) {
        TEST_CHECK_INT(it->ndim, 0);
        TEST_CHECK_INT(it->numel, 1);
        float out[1];
        TEST_CHECK_INT(vkvlm_safetensors_read_f32(it, out, 1, &err), VKVLM_ERR_UNSUPPORTED);
        TEST_CHECK(strstr(err.message, "'i' has dtype I32") != NULL);
        TEST_CHECK(strstr(err.message, path) != NULL);
        vkvlm_error_clear(&err);
    }
    const vkvlm_safetensors_tensor *z = vkvlm_safetensors_find(&st, "z");
    TEST_CHECK(z != NULL);
    if (z) {
        TEST_CHECK_INT(z->numel, 0);
        TEST_CHECK(z->data == NULL);
        TEST_CHECK_INT(vkvlm_safetensors_read_f32(z, NULL, 0, &err), VKVLM_OK);
    }
    TEST_CHECK(vkvlm_safetensors_find(&st, "missing") == NULL);
    vkvlm_safetensors_close(&st);
    vkvlm_safetensors_close(NULL);
}

/* f16 special values through the public reader. */
static void test_f16_conversion(void) {
    uint16_t h[8] = {0x0000, 0x8000, 0x7c00, 0xfc00, 0x7e00, 0x03ff, 0x0400, 0x7bff};
    char header[160];
    snprintf(header, sizeof header, "{\"h\":{\"dtype\":\"F16\",\"shape\":[8],\"data_offsets\":[0,16]}}");
    size_t n;
    uint8_t *b = build_st(header, h, sizeof h, 0, &n);
    vkvlm_safetensors st = {0};
    vkvlm_error err = {0};
    TEST_CHECK_INT(vkvlm_safetensors_parse(&st, b, n, "mem", &err), VKVLM_OK);
    const vkvlm_safetensors_tensor *t = vkvlm_safetensors_find(&st, "h");
    float out[8] = {0};
    if (t) TEST_CHECK_INT(vkvlm_safetensors_read_f32(t, out, 8, &err), VKVLM_OK);
    TEST_CHECK(out[0] == 0.0f && !signbit(out[0]));
    TEST_CHECK(out[1] == 0.0f && signbit(out[1]));
    TEST_CHECK(isinf(out[2]) && out[2] > 0);
    TEST_CHECK(isinf(out[3]) && out[3] < 0);
    TEST_CHECK(isnan(out[4]));
    TEST_CHECK(out[5] == 1023.0f * ldexpf(1.0f, -24)); /* largest subnormal */
    TEST_CHECK(out[6] == ldexpf(1.0f, -14));           /* smallest normal */
    TEST_CHECK(out[7] == 65504.0f);                    /* largest finite */
    vkvlm_safetensors_close(&st);
    free(b);
}

/* ---------------------------------------------------------------- bad files */

static void test_truncated_and_length(void) {
    const char *tiny = track(tmp_path("tiny.safetensors"));
    write_bytes(tiny, "\x10\x00\x00", 3);
    expect_open_fails(tiny, VKVLM_ERR_FORMAT, "too short for the 8-byte header length");

    const char *empty = track(tmp_path("empty.safetensors"));
    write_bytes(empty, "", 0);
    expect_open_fails(empty, VKVLM_ERR_FORMAT, "file is 0 bytes");

    const char *hdr = "{\"w\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}";
    /* header length larger than the file */
    expect_open_fails(write_st("long_header.safetensors", hdr, four_f32, 16, 9000), VKVLM_ERR_FORMAT,
                      "header length 9000 exceeds the");
    /* data cut short: the file ends inside the tensor */
    expect_open_fails(write_st("short_data.safetensors", hdr, four_f32, 10, 0), VKVLM_ERR_FORMAT,
                      "tensor 'w': data_offsets [0, 16] extend past the data section (10 bytes)");
    /* header truncated mid-JSON (length claims less than the JSON) */
    expect_open_fails(write_st("cut_header.safetensors", hdr, four_f32, 16, 20), VKVLM_ERR_FORMAT,
                      "header is not valid JSON");

    /* the 100 MiB cap, via the buffer entry point (calloc'd pages are never touched) */
    size_t big = (size_t)VKVLM_SAFETENSORS_MAX_HEADER + 64;
    uint8_t *b = calloc(1, big);
    TEST_CHECK(b != NULL);
    if (b) {
        uint64_t len = (uint64_t)VKVLM_SAFETENSORS_MAX_HEADER + 1;
        for (int i = 0; i < 8; i++) b[i] = (uint8_t)(len >> (8 * i));
        vkvlm_safetensors st = {0};
        vkvlm_error err = {0};
        TEST_CHECK_INT(vkvlm_safetensors_parse(&st, b, big, "big.safetensors", &err), VKVLM_ERR_LIMIT);
        TEST_CHECK(strstr(err.message, "big.safetensors: header length 104857601 exceeds the 104857600-byte limit"));
        vkvlm_safetensors_close(&st);
        free(b);
    }
}

static void test_bad_json(void) {
    expect_open_fails(write_st("json1.safetensors", "{\"w\":{\"dtype\":\"F32\",", NULL, 0, 0), VKVLM_ERR_FORMAT,
                      "header is not valid JSON");
    expect_open_fails(write_st("json2.safetensors", "[1,2,3]", NULL, 0, 0), VKVLM_ERR_FORMAT,
                      "does not start with a JSON object");
    expect_open_fails(write_st("json3.safetensors", "{} x", NULL, 0, 0), VKVLM_ERR_FORMAT,
                      "unexpected byte 0x78 after the header's JSON object");
    /* embedded NUL after the object */
    size_t n;
    uint8_t *b = build_st("{}  ", NULL, 0, 0, &n);
    b[10] = 0;
    const char *nul = track(tmp_path("json4.safetensors"));
    write_bytes(nul, b, n);
    free(b);
    expect_open_fails(nul, VKVLM_ERR_FORMAT, "unexpected byte 0x00");
    /* spaces after the object are HF's padding: fine */
    vkvlm_safetensors st = {0};
    vkvlm_error err = {0};
    b = build_st("{}      ", NULL, 0, 0, &n);
    TEST_CHECK_INT(vkvlm_safetensors_parse(&st, b, n, "pad", &err), VKVLM_OK);
    TEST_CHECK_INT(st.n_tensors, 0);
    vkvlm_safetensors_close(&st);
    free(b);

    expect_open_fails(write_st("meta1.safetensors", "{\"__metadata__\":{\"format\":1}}", NULL, 0, 0), VKVLM_ERR_FORMAT,
                      "'__metadata__' value of 'format' is not a string");
    expect_open_fails(write_st("meta2.safetensors", "{\"__metadata__\":[]}", NULL, 0, 0), VKVLM_ERR_FORMAT,
                      "'__metadata__' is not a JSON object");
    expect_open_fails(write_st("meta3.safetensors", "{\"__metadata__\":{},\"__metadata__\":{}}", NULL, 0, 0),
                      VKVLM_ERR_FORMAT, "'__metadata__' appears twice");
    expect_open_fails(write_st("entry.safetensors", "{\"w\":3}", NULL, 0, 0), VKVLM_ERR_FORMAT,
                      "tensor 'w': entry is not a JSON object");
    expect_open_fails(write_st("nodtype.safetensors", "{\"w\":{\"shape\":[1],\"data_offsets\":[0,4]}}", four_f32, 4, 0),
                      VKVLM_ERR_FORMAT, "tensor 'w': missing 'dtype'");
    expect_open_fails(
        write_st("noshape.safetensors", "{\"w\":{\"dtype\":\"F32\",\"data_offsets\":[0,4]}}", four_f32, 4, 0),
        VKVLM_ERR_FORMAT, "tensor 'w': missing 'shape'");
    expect_open_fails(write_st("nooffs.safetensors", "{\"w\":{\"dtype\":\"F32\",\"shape\":[1]}}", four_f32, 4, 0),
                      VKVLM_ERR_FORMAT, "tensor 'w': missing 'data_offsets'");
    expect_open_fails(write_st("empty_name.safetensors",
                               "{\"\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", four_f32, 4, 0),
                      VKVLM_ERR_FORMAT, "a tensor has an empty name");
}

static void test_bad_entries(void) {
    expect_open_fails(write_st("dtype.safetensors",
                               "{\"w\":{\"dtype\":\"Q4_K\",\"shape\":[4],\"data_offsets\":[0,16]}}", four_f32, 16, 0),
                      VKVLM_ERR_FORMAT, "tensor 'w': unknown dtype 'Q4_K'");
    expect_open_fails(
        write_st("dtype2.safetensors", "{\"w\":{\"dtype\":4,\"shape\":[4],\"data_offsets\":[0,16]}}", four_f32, 16, 0),
        VKVLM_ERR_FORMAT, "tensor 'w': 'dtype' is not a string");
    expect_open_fails(write_st("negshape.safetensors",
                               "{\"w\":{\"dtype\":\"F32\",\"shape\":[-4],\"data_offsets\":[0,16]}}", four_f32, 16, 0),
                      VKVLM_ERR_FORMAT, "tensor 'w': shape[0] is not a non-negative integer");
    expect_open_fails(write_st("fracshape.safetensors",
                               "{\"w\":{\"dtype\":\"F32\",\"shape\":[2,1.5],\"data_offsets\":[0,12]}}", four_f32, 16,
                               0),
                      VKVLM_ERR_FORMAT, "tensor 'w': shape[1] is not a non-negative integer");
    expect_open_fails(write_st("strshape.safetensors",
                               "{\"w\":{\"dtype\":\"F32\",\"shape\":\"4\",\"data_offsets\":[0,16]}}", four_f32, 16, 0),
                      VKVLM_ERR_FORMAT, "tensor 'w': 'shape' is not an array");
    expect_open_fails(write_st("dims.safetensors",
                               "{\"w\":{\"dtype\":\"F32\",\"shape\":[1,1,1,1,1,1,1,1,4],\"data_offsets\":[0,16]}}",
                               four_f32, 16, 0),
                      VKVLM_ERR_UNSUPPORTED, "tensor 'w': 9 dims, at most 8 are supported");
    expect_open_fails(write_st("overflow.safetensors",
                               "{\"w\":{\"dtype\":\"F32\",\"shape\":[4294967296,4294967296],\"data_offsets\":[0,16]}}",
                               four_f32, 16, 0),
                      VKVLM_ERR_FORMAT, "tensor 'w': shape [4294967296,4294967296] overflows a 64-bit byte count");
    /* the element product fits, the byte count does not */
    expect_open_fails(write_st("overflow2.safetensors",
                               "{\"w\":{\"dtype\":\"F64\",\"shape\":[4294967296,536870912],\"data_offsets\":[0,16]}}",
                               four_f32, 16, 0),
                      VKVLM_ERR_FORMAT, "overflows a 64-bit byte count");
    /* offsets */
    expect_open_fails(write_st("range.safetensors",
                               "{\"w\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[16,32]}}", four_f32, 16, 0),
                      VKVLM_ERR_FORMAT, "tensor 'w': data_offsets [16, 32] extend past the data section (16 bytes)");
    expect_open_fails(write_st("backwards.safetensors",
                               "{\"w\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[8,4]}}", four_f32, 16, 0),
                      VKVLM_ERR_FORMAT, "tensor 'w': data_offsets [8, 4] end before they begin");
    expect_open_fails(write_st("negoff.safetensors",
                               "{\"w\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[-16,0]}}", four_f32, 16, 0),
                      VKVLM_ERR_FORMAT, "'data_offsets' entries are not non-negative integers");
    expect_open_fails(write_st("offs3.safetensors",
                               "{\"w\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,8,16]}}", four_f32, 16, 0),
                      VKVLM_ERR_FORMAT, "'data_offsets' is not an array [begin, end]");
    expect_open_fails(write_st("shape.safetensors", "{\"w\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,16]}}",
                               four_f32, 16, 0),
                      VKVLM_ERR_FORMAT, "tensor 'w': data_offsets [0, 16] hold 16 bytes, but F32 [3] needs 12");
    expect_open_fails(write_st("shape2.safetensors",
                               "{\"w\":{\"dtype\":\"F16\",\"shape\":[2,2],\"data_offsets\":[0,16]}}", four_f32, 16, 0),
                      VKVLM_ERR_FORMAT, "but F16 [2,2] needs 8");
    expect_open_fails(write_st("overlap.safetensors",
                               "{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,12]},"
                               "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,16]}}",
                               four_f32, 16, 0),
                      VKVLM_ERR_FORMAT, "tensors 'a' [0, 12] and 'b' [8, 16] overlap");
    expect_open_fails(write_st("same.safetensors",
                               "{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]},"
                               "\"b\":{\"dtype\":\"I32\",\"shape\":[4],\"data_offsets\":[0,16]}}",
                               four_f32, 16, 0),
                      VKVLM_ERR_FORMAT, "overlap");
    expect_open_fails(write_st("dup.safetensors",
                               "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                               "\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,16]}}",
                               four_f32, 16, 0),
                      VKVLM_ERR_FORMAT, "tensor 'a' appears twice in the header");

    /* a gap between tensors and an empty tensor inside another's span are both accepted */
    vkvlm_safetensors st = {0};
    vkvlm_error err = {0};
    const char *gap = write_st("gap.safetensors",
                               "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                               "\"e\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[2,2]},"
                               "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[12,16]}}",
                               four_f32, 16, 0);
    TEST_CHECK_INT(vkvlm_safetensors_open(&st, gap, &err), VKVLM_OK);
    TEST_CHECK_STR(err.message, "");
    vkvlm_safetensors_close(&st);
}

static void test_missing_and_shape(void) {
    const char *path = write_st("lookup.safetensors",
                                "{\"w\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[0,16]}}", four_f32, 16, 0);
    vkvlm_safetensors st = {0};
    vkvlm_error err = {0};
    TEST_CHECK_INT(vkvlm_safetensors_open(&st, path, &err), VKVLM_OK);
    const vkvlm_safetensors_tensor *t = (const void *)&st; /* poisoned: get must reset it */
    TEST_CHECK_INT(vkvlm_safetensors_get(&st, "x.weight", &t, &err), VKVLM_ERR_FORMAT);
    TEST_CHECK(t == NULL);
    char want[512];
    snprintf(want, sizeof want, "%s: no tensor named 'x.weight'", path);
    TEST_CHECK_STR(err.message, want);

    vkvlm_error_clear(&err);
    TEST_CHECK_INT(vkvlm_safetensors_get(&st, "w", &t, &err), VKVLM_OK);
    TEST_CHECK_INT(vkvlm_safetensors_expect_shape(t, VKVLM_SHAPE(4, 1), &err), VKVLM_ERR_FORMAT);
    snprintf(want, sizeof want, "%s: tensor 'w' has shape [2,2], expected [4,1]", path);
    TEST_CHECK_STR(err.message, want);
    vkvlm_error_clear(&err);
    TEST_CHECK_INT(vkvlm_safetensors_expect_shape(t, VKVLM_SHAPE(2, 2, 1), &err), VKVLM_ERR_FORMAT);
    TEST_CHECK(strstr(err.message, "has shape [2,2], expected [2,2,1]") != NULL);
    vkvlm_safetensors_close(&st);

    /* missing file and directory through the safetensors entry point */
    expect_open_fails(tmp_path("no_such.safetensors"), VKVLM_ERR_IO, "cannot open");
}

/* ---------------------------------------------------------------- checkpoints */

static void write_text(const char *path, const char *text) { write_bytes(track(path), text, strlen(text)); }

static void test_checkpoint_single_and_aliases(void) {
    const char *dir = tmp_subdir("ck_single");
    char path[512];
    snprintf(path, sizeof path, "%s/model.safetensors", dir);
    size_t n;
    uint8_t *b =
        build_st("{\"model.language_model.norm.weight\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                 "\"lm_head.weight\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,16]},"
                 "\"vision_tower.vision_model.post_layernorm.weight\":{\"dtype\":\"F32\",\"shape\":[0],"
                 "\"data_offsets\":[0,0]}}",
                 four_f32, 16, 0, &n);
    write_bytes(track(path), b, n);
    free(b);

    vkvlm_checkpoint ck = {0};
    vkvlm_error err = {0};
    TEST_CHECK_INT(vkvlm_checkpoint_open(&ck, dir, &err), VKVLM_OK);
    TEST_CHECK_STR(err.message, "");
    TEST_CHECK_INT(ck.n_shards, 1);
    TEST_CHECK_INT(ck.sharded, 0);
    /* legacy names find the renamed tensors, renamed names find legacy ones, exact names work */
    const vkvlm_safetensors_tensor *t = vkvlm_checkpoint_find(&ck, "language_model.model.norm.weight");
    TEST_CHECK(t && strcmp(t->name, "model.language_model.norm.weight") == 0);
    t = vkvlm_checkpoint_find(&ck, "language_model.lm_head.weight");
    TEST_CHECK(t && strcmp(t->name, "lm_head.weight") == 0);
    t = vkvlm_checkpoint_find(&ck, "model.vision_tower.vision_model.post_layernorm.weight");
    TEST_CHECK(t && strcmp(t->name, "vision_tower.vision_model.post_layernorm.weight") == 0);
    t = vkvlm_checkpoint_find(&ck, "lm_head.weight");
    TEST_CHECK(t && strcmp(t->name, "lm_head.weight") == 0);

    TEST_CHECK_INT(vkvlm_checkpoint_get(&ck, "multi_modal_projector.linear_1.weight", &t, &err), VKVLM_ERR_FORMAT);
    TEST_CHECK(t == NULL);
    char want[1024];
    snprintf(want, sizeof want,
             "%s: no tensor 'multi_modal_projector.linear_1.weight' (also tried "
             "'model.multi_modal_projector.linear_1.weight')",
             path);
    TEST_CHECK_STR(err.message, want);
    vkvlm_error_clear(&err);
    TEST_CHECK_INT(vkvlm_checkpoint_get(&ck, "foo.bar", &t, &err), VKVLM_ERR_FORMAT);
    snprintf(want, sizeof want, "%s: no tensor 'foo.bar'", path);
    TEST_CHECK_STR(err.message, want);
    vkvlm_error_clear(&err);

    TEST_CHECK_INT(vkvlm_checkpoint_get_shaped(&ck, "language_model.model.norm.weight", VKVLM_SHAPE(2), &t, &err),
                   VKVLM_OK);
    TEST_CHECK_INT(vkvlm_checkpoint_get_shaped(&ck, "language_model.model.norm.weight", VKVLM_SHAPE(64), &t, &err),
                   VKVLM_ERR_FORMAT);
    TEST_CHECK(t == NULL);
    TEST_CHECK(strstr(err.message, "tensor 'model.language_model.norm.weight' has shape [2], expected [64]") != NULL);
    vkvlm_checkpoint_close(&ck);
    vkvlm_checkpoint_close(&ck);
    vkvlm_checkpoint_close(NULL);

    /* a directory with neither file */
    const char *none = tmp_subdir("ck_none");
    vkvlm_error_clear(&err);
    TEST_CHECK_INT(vkvlm_checkpoint_open(&ck, none, &err), VKVLM_ERR_IO);
    TEST_CHECK(strstr(err.message, none) != NULL);
    TEST_CHECK(strstr(err.message, "no model.safetensors or model.safetensors.index.json") != NULL);
    vkvlm_checkpoint_close(&ck);
}

/* Writes a shard with tensors named a (offset 0) and b (offset 8), two F32 each. */
static void write_shard(const char *dir, const char *file, const char *a, const char *b_name) {
    char header[512], path[512];
    snprintf(header, sizeof header,
             "{\"%s\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
             "\"%s\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,16]}}",
             a, b_name);
    snprintf(path, sizeof path, "%s/%s", dir, file);
    size_t n;
    uint8_t *b = build_st(header, four_f32, 16, 0, &n);
    write_bytes(track(path), b, n);
    free(b);
}

static void expect_ck_fails(const char *dir, vkvlm_status status, const char *needle, const char *needle2) {
    vkvlm_checkpoint ck = {0};
    vkvlm_error err = {0};
    TEST_CHECK_INT(vkvlm_checkpoint_open(&ck, dir, &err), status);
    TEST_CHECK_MSG(strstr(err.message, needle) != NULL, "message lacks '%s': %s", needle, err.message);
    TEST_CHECK_MSG(strstr(err.message, needle2) != NULL, "message lacks '%s': %s", needle2, err.message);
    vkvlm_checkpoint_close(&ck);
}

static void test_checkpoint_sharded(void) {
    const char *dir = tmp_subdir("ck_sharded");
    char p[512];
    write_shard(dir, "model-00001-of-00002.safetensors", "language_model.model.embed_tokens.weight",
                "language_model.model.norm.weight");
    write_shard(dir, "model-00002-of-00002.safetensors", "language_model.lm_head.weight", "vision_tower.x");
    snprintf(p, sizeof p, "%s/model.safetensors.index.json", dir);
    write_text(p, "{\"metadata\":{\"total_size\":32},\"weight_map\":{"
                  "\"language_model.model.embed_tokens.weight\":\"model-00001-of-00002.safetensors\","
                  "\"language_model.model.norm.weight\":\"model-00001-of-00002.safetensors\","
                  "\"language_model.lm_head.weight\":\"model-00002-of-00002.safetensors\","
                  "\"vision_tower.x\":\"model-00002-of-00002.safetensors\"}}");
    vkvlm_checkpoint ck = {0};
    vkvlm_error err = {0};
    TEST_CHECK_INT(vkvlm_checkpoint_open(&ck, dir, &err), VKVLM_OK);
    TEST_CHECK_STR(err.message, "");
    TEST_CHECK_INT(ck.sharded, 1);
    TEST_CHECK_INT(ck.n_shards, 2);
    const vkvlm_safetensors_tensor *t = vkvlm_checkpoint_find(&ck, "language_model.lm_head.weight");
    TEST_CHECK(t && strstr(t->file, "model-00002-of-00002.safetensors") != NULL);
    t = vkvlm_checkpoint_find(&ck, "lm_head.weight"); /* new name, legacy file */
    TEST_CHECK(t && strcmp(t->name, "language_model.lm_head.weight") == 0);
    t = vkvlm_checkpoint_find(&ck, "model.language_model.norm.weight");
    TEST_CHECK(t && strstr(t->file, "model-00001-of-00002.safetensors") != NULL);
    if (t) {
        float out[2];
        TEST_CHECK_INT(vkvlm_safetensors_read_f32(t, out, 2, &err), VKVLM_OK);
        TEST_CHECK(out[0] == four_f32[2] && out[1] == four_f32[3]);
    }
    TEST_CHECK_INT(vkvlm_checkpoint_get(&ck, "nope", &t, &err), VKVLM_ERR_FORMAT);
    TEST_CHECK(strstr(err.message, "model.safetensors.index.json: no tensor 'nope' in its 2 shards") != NULL);
    vkvlm_checkpoint_close(&ck);

    /* index naming a tensor its shard lacks */
    const char *d2 = tmp_subdir("ck_badmap");
    write_shard(d2, "s1.safetensors", "a", "b");
    snprintf(p, sizeof p, "%s/model.safetensors.index.json", d2);
    write_text(p, "{\"weight_map\":{\"a\":\"s1.safetensors\",\"c\":\"s1.safetensors\"}}");
    expect_ck_fails(d2, VKVLM_ERR_FORMAT, "weight_map puts 'c' in", "s1.safetensors, which has no such tensor");

    /* index naming a missing shard file */
    const char *d3 = tmp_subdir("ck_noshard");
    snprintf(p, sizeof p, "%s/model.safetensors.index.json", d3);
    write_text(p, "{\"weight_map\":{\"a\":\"gone.safetensors\"}}");
    expect_ck_fails(d3, VKVLM_ERR_IO, "gone.safetensors: cannot open", d3);

    /* the same tensor in two shards */
    const char *d4 = tmp_subdir("ck_twice");
    write_shard(d4, "s1.safetensors", "a", "b");
    write_shard(d4, "s2.safetensors", "a", "c");
    snprintf(p, sizeof p, "%s/model.safetensors.index.json", d4);
    write_text(p, "{\"weight_map\":{\"a\":\"s1.safetensors\",\"c\":\"s2.safetensors\"}}");
    expect_ck_fails(d4, VKVLM_ERR_FORMAT, "tensor 'a' is in both", "s2.safetensors");

    /* path separators, bad JSON, no weight_map, a bad shard */
    const char *d5 = tmp_subdir("ck_escape");
    snprintf(p, sizeof p, "%s/model.safetensors.index.json", d5);
    write_text(p, "{\"weight_map\":{\"a\":\"../s1.safetensors\"}}");
    expect_ck_fails(d5, VKVLM_ERR_FORMAT, "names '../s1.safetensors'", "plain file names");
    const char *d6 = tmp_subdir("ck_badjson");
    snprintf(p, sizeof p, "%s/model.safetensors.index.json", d6);
    write_text(p, "{\"weight_map\":{\"a\":\"s1.safetensors\"} trailing");
    expect_ck_fails(d6, VKVLM_ERR_FORMAT, "model.safetensors.index.json: not valid JSON", d6);
    const char *d7 = tmp_subdir("ck_nomap");
    snprintf(p, sizeof p, "%s/model.safetensors.index.json", d7);
    write_text(p, "{\"metadata\":{}}");
    expect_ck_fails(d7, VKVLM_ERR_FORMAT, "'weight_map' is missing", d7);
    const char *d8 = tmp_subdir("ck_badshard");
    snprintf(p, sizeof p, "%s/s1.safetensors", d8);
    write_text(p, "junk");
    snprintf(p, sizeof p, "%s/model.safetensors.index.json", d8);
    write_text(p, "{\"weight_map\":{\"a\":\"s1.safetensors\"}}");
    expect_ck_fails(d8, VKVLM_ERR_FORMAT, "s1.safetensors: file is 4 bytes", d8);
}

/* ---------------------------------------------------------------- golden checkpoints */

static const char *golden_dir(void) {
    const char *g = getenv("VKVLM_GOLDEN_DIR");
    if (!g || !*g) return NULL;
    struct stat sb;
    return stat(g, &sb) == 0 && S_ISDIR(sb.st_mode) ? g : NULL;
}

/* Independent of the parser under test: find the tensor's data_offsets by text search in the header and read
 * the raw bytes with stdio. Returns 0 when the tensor or its bytes cannot be found. */
static int direct_read(const char *path, const char *name, uint8_t *out, size_t n) {
    FILE *f = fopen(path, "rb");
    if (!f) return 0;
    uint8_t len8[8];
    int ok = fread(len8, 1, 8, f) == 8;
    uint64_t hl = 0;
    for (int i = 7; i >= 0; i--) hl = (hl << 8) | len8[i];
    char *h = ok ? malloc(hl + 1) : NULL;
    ok = h && fread(h, 1, hl, f) == hl;
    unsigned long long begin = 0, end = 0;
    if (ok) {
        h[hl] = 0;
        char key[256];
        snprintf(key, sizeof key, "\"%s\":", name);
        const char *at = strstr(h, key);
        const char *offs = at ? strstr(at, "\"data_offsets\":[") : NULL;
        ok = offs && sscanf(offs + strlen("\"data_offsets\":["), "%llu,%llu", &begin, &end) == 2 && end - begin >= n;
    }
    ok = ok && fseek(f, (long)(8 + hl + begin), SEEK_SET) == 0 && fread(out, 1, n, f) == n;
    free(h);
    fclose(f);
    return ok;
}

typedef struct golden_value {
    const char *file;   /* relative to the golden dir */
    const char *tensor; /* name as stored */
    int64_t shape0;     /* first dim */
    float first[4];     /* first four values, printed by Python struct from the file */
    float last;         /* last value */
} golden_value;

static const golden_value golden_values[] = {
    {"llava15_tiny_f32/checkpoint/model.safetensors",
     "language_model.model.norm.weight",
     64,
     {1.0196120738983154f, 0.948290228843689f, 0.9114059209823608f, 0.8586951494216919f},
     1.0777314901351929f},
    {"llava15_tiny_f32/checkpoint/model.safetensors",
     "multi_modal_projector.linear_1.weight",
     64,
     {0.10153382271528244f, 0.002328836126253009f, 0.1854216456413269f, -0.10102128237485886f},
     0.2897273004055023f},
    {"smolvlm_tiny_f16/checkpoint/model.safetensors",
     "model.text_model.norm.weight",
     64,
     {1.13671875f, 1.009765625f, 0.99169921875f, 0.82421875f},
     0.9228515625f},
    {"smolvlm_tiny_f16/checkpoint/model.safetensors",
     "model.connector.modality_projection.proj.weight",
     64,
     {0.006214141845703125f, -0.1839599609375f, -0.1107177734375f, 0.088134765625f},
     0.08209228515625f},
    {"proxyv_tiny_f32/checkpoint/model.safetensors",
     "model.image_newline",
     64,
     {1.9561381340026855f, 0.7141583561897278f, 2.3989202976226807f, -0.2276308238506317f},
     -0.5644779801368713f},
};

static void test_golden_checkpoints(void) {
    const char *g = golden_dir();
    if (!g) {
        TEST_SKIP("VKVLM_GOLDEN_DIR unset or missing");
        return;
    }
    static const struct {
        const char *dir;   /* relative to the golden dir */
        size_t n_tensors;  /* counted with Python's json module */
        const char *dtype; /* the one dtype every tensor has */
    } cases[] = {
        {"llava15_tiny_f32/checkpoint", 98, "F32"},      {"smolvlm_tiny_f16/checkpoint", 93, "F16"},
        {"llava15_ficoco_v_f32/checkpoint", 130, "F32"}, {"llava15_ficoco_l_f32/checkpoint", 116, "F32"},
        {"proxyv_tiny_f32/checkpoint", 123, "F32"},      {"proxyv_tiny_f32/clip-vit-tiny-patch14-112", 55, "F32"},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        char dir[1024];
        snprintf(dir, sizeof dir, "%s/%s", g, cases[c].dir);
        vkvlm_checkpoint ck = {0};
        vkvlm_error err = {0};
        TEST_CHECK_INT(vkvlm_checkpoint_open(&ck, dir, &err), VKVLM_OK);
        TEST_CHECK_MSG(err.status == VKVLM_OK, "%s", err.message);
        if (err.status != VKVLM_OK) continue;
        const vkvlm_safetensors *st = &ck.shards[0];
        TEST_CHECK_INT(st->n_tensors, cases[c].n_tensors);
        TEST_CHECK_STR(vkvlm_safetensors_metadata(st, "format"), "pt");
        TEST_CHECK_INT(st->data_start_aligned, 1); /* HF pads the header to 8 */
        /* every tensor converts, and views tile the data section exactly (HF writes no gaps) */
        uint64_t total = 0;
        for (size_t i = 0; i < st->n_tensors; i++) {
            const vkvlm_safetensors_tensor *t = &st->tensors[i];
            TEST_CHECK_STR(vkvlm_safetensors_dtype_name(t->dtype), cases[c].dtype);
            total += t->nbytes;
            float *buf = malloc(t->numel * sizeof(float) + 1);
            TEST_CHECK_INT(vkvlm_safetensors_read_f32(t, buf, (size_t)t->numel, &err), VKVLM_OK);
            int finite = 1;
            for (uint64_t k = 0; k < t->numel; k++) finite &= isfinite(buf[k]) != 0;
            TEST_CHECK_MSG(finite, "%s: non-finite value", t->name);
            free(buf);
        }
        TEST_CHECK_INT(total, st->size - st->data_start);
        vkvlm_checkpoint_close(&ck);
    }

    for (size_t i = 0; i < sizeof golden_values / sizeof golden_values[0]; i++) {
        const golden_value *gv = &golden_values[i];
        char path[1024];
        snprintf(path, sizeof path, "%s/%s", g, gv->file);
        vkvlm_safetensors st = {0};
        vkvlm_error err = {0};
        TEST_CHECK_INT(vkvlm_safetensors_open(&st, path, &err), VKVLM_OK);
        const vkvlm_safetensors_tensor *t = vkvlm_safetensors_find(&st, gv->tensor);
        TEST_CHECK_MSG(t != NULL, "%s not in %s", gv->tensor, path);
        if (!t) {
            vkvlm_safetensors_close(&st);
            continue;
        }
        TEST_CHECK_INT(t->shape[0], gv->shape0);
        float *buf = malloc(t->numel * sizeof(float));
        TEST_CHECK_INT(vkvlm_safetensors_read_f32(t, buf, (size_t)t->numel, &err), VKVLM_OK);
        for (int k = 0; k < 4; k++)
            TEST_CHECK_MSG(buf[k] == gv->first[k], "%s[%d]: %.9g vs %.9g", gv->tensor, k, buf[k], gv->first[k]);
        TEST_CHECK(buf[t->numel - 1] == gv->last);
        free(buf);
        /* the view's bytes are the file's bytes at the offsets the header text gives */
        uint8_t *raw = malloc(t->nbytes);
        TEST_CHECK(direct_read(path, gv->tensor, raw, t->nbytes));
        TEST_CHECK(memcmp(raw, t->data, t->nbytes) == 0);
        free(raw);
        vkvlm_safetensors_close(&st);
    }

    /* the legacy llava-hf checkpoint answers to the transformers >= 4.52 names */
    char dir[1024];
    snprintf(dir, sizeof dir, "%s/llava15_tiny_f32/checkpoint", g);
    vkvlm_checkpoint ck = {0};
    vkvlm_error err = {0};
    TEST_CHECK_INT(vkvlm_checkpoint_open(&ck, dir, &err), VKVLM_OK);
    const vkvlm_safetensors_tensor *t = NULL;
    TEST_CHECK_INT(
        vkvlm_checkpoint_get_shaped(&ck, "model.language_model.embed_tokens.weight", VKVLM_SHAPE(384, 64), &t, &err),
        VKVLM_OK);
    TEST_CHECK_INT(vkvlm_checkpoint_get_shaped(&ck, "lm_head.weight", VKVLM_SHAPE(384, 64), &t, &err), VKVLM_OK);
    TEST_CHECK_INT(vkvlm_checkpoint_get_shaped(&ck, "model.vision_tower.vision_model.embeddings.patch_embedding.weight",
                                               VKVLM_SHAPE(32, 3, 14, 14), &t, &err),
                   VKVLM_OK);
    TEST_CHECK_INT(
        vkvlm_checkpoint_get_shaped(&ck, "model.multi_modal_projector.linear_2.bias", VKVLM_SHAPE(64), &t, &err),
        VKVLM_OK);
    TEST_CHECK_MSG(err.status == VKVLM_OK, "%s", err.message);
    vkvlm_checkpoint_close(&ck);
}

int main(void) {
    TEST_RUN(test_file_map);
    TEST_RUN(test_valid_file);
    TEST_RUN(test_f16_conversion);
    TEST_RUN(test_truncated_and_length);
    TEST_RUN(test_bad_json);
    TEST_RUN(test_bad_entries);
    TEST_RUN(test_missing_and_shape);
    TEST_RUN(test_checkpoint_single_and_aliases);
    TEST_RUN(test_checkpoint_sharded);
    TEST_RUN(test_golden_checkpoints);
    cleanup_tmp();
    return test_finish();
}

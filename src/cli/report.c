/* report.c — `vkvlm report FILE.json... [-o DIR]`: merges `vkvlm bench --json` files from many machines into
 * DIR/report.md (device table, kernel table with one column per device, model table with every reduce
 * setting against `none` on the same device) and the SVG charts it links. Every file is read and checked
 * before anything is written, so a bad file never leaves a half-made report behind. */
#include <cjson/cJSON.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/cli.h"
#include "cli/svg_chart.h"

static const char report_usage[] =
    "usage: vkvlm report FILE.json... [-o DIR]\n"
    "  FILE.json   files written by `vkvlm bench --ops --json` or `vkvlm bench -m DIR --json`, from any\n"
    "              number of machines; each file is one device's column or rows\n"
    "  -o DIR      where report.md and its SVG charts go (default: report/; created if missing)\n"
    "  Kernels show GFLOP/s when they do at least 8 FLOPs per byte moved, else GB/s (median run).\n"
    "  Model settings are compared with `none` in the same file: time and LLM FLOPs ratios, and the\n"
    "  realised share (1 - time) / (1 - FLOPs) of the analytic reduction. Files with null GPU times (WebGPU,\n"
    "  devices without timestamps) list their kernels by dispatches.\n";

/* Newest layout this reader knows (bench.c's BENCH_JSON_SCHEMA); files without the field predate it. */
#define REPORT_SCHEMA 1
/* Below this arithmetic intensity (FLOPs per byte) a kernel is bound by memory on every GPU we target, so
 * GB/s is the figure that says how well it runs; above it, GFLOP/s. */
#define COMPUTE_BOUND_INTENSITY 8.0

typedef enum { KIND_OPS, KIND_MODEL } bench_kind;

typedef struct bench_file {
    const char *path;
    cJSON *root;
    bench_kind kind;
    const cJSON *device;   /* the device object */
    const cJSON *list;     /* "ops" or "settings" */
    char label[256];       /* column / legend name: the device, made unique among files of its kind */
} bench_file;

/* ---------------------------------------------------------------- reading */

static const char *str_field(const cJSON *o, const char *key) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static double num_field(const cJSON *o, const char *key) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsNumber(v) ? v->valuedouble : NAN;
}

static int file_error(const char *path, const char *what) {
    fprintf(stderr, "vkvlm: error: %s: %s\n", path, what);
    return 1;
}

static char *read_text(const char *path, char *why, size_t why_size) {
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(why, why_size, "cannot read: %s", strerror(errno));
        return NULL;
    }
    char *text = NULL;
    size_t size = 0, cap = 0;
    for (;;) {
        if (size + 4096 + 1 > cap) {
            cap = cap ? cap * 2 : 65536;
            char *grown = realloc(text, cap);
            if (!grown) {
                snprintf(why, why_size, "out of memory");
                free(text);
                fclose(f);
                return NULL;
            }
            text = grown;
        }
        size_t n = fread(text + size, 1, cap - size - 1, f);
        size += n;
        if (n == 0) break;
    }
    int failed = ferror(f);
    fclose(f);
    if (failed) {
        snprintf(why, why_size, "cannot read: %s", strerror(errno));
        free(text);
        return NULL;
    }
    text[size] = '\0';
    return text;
}

/* Parses and checks one file; on failure prints "vkvlm: error: FILE: what" and returns 1. */
static int load_file(bench_file *b, const char *path) {
    char why[256];
    b->path = path;
    char *text = read_text(path, why, sizeof why);
    if (!text) return file_error(path, why);
    const char *end = NULL;
    b->root = cJSON_ParseWithOpts(text, &end, 1);
    if (!b->root) {
        snprintf(why, sizeof why, "malformed JSON at byte %ld", end ? (long)(end - text) : 0L);
        free(text);
        return file_error(path, why);
    }
    free(text);
    if (!cJSON_IsObject(b->root)) return file_error(path, "not a vkvlm bench file (the top level is not an object)");
    const char *kind = str_field(b->root, "kind");
    const cJSON *ops = cJSON_GetObjectItemCaseSensitive(b->root, "ops"),
                *settings = cJSON_GetObjectItemCaseSensitive(b->root, "settings");
    if (kind && strcmp(kind, "ops") == 0) b->kind = KIND_OPS;
    else if (kind && strcmp(kind, "model") == 0) b->kind = KIND_MODEL;
    else if (kind) {
        snprintf(why, sizeof why, "unknown benchmark kind \"%.64s\" (expected \"ops\" or \"model\")", kind);
        return file_error(path, why);
    } else if (cJSON_IsArray(ops)) b->kind = KIND_OPS; /* files from before the "kind" tag */
    else if (cJSON_IsArray(settings)) b->kind = KIND_MODEL;
    else return file_error(path, "neither an ops nor a model benchmark (no \"kind\", \"ops\" or \"settings\")");
    double schema = num_field(b->root, "schema");
    if (schema > REPORT_SCHEMA) {
        snprintf(why, sizeof why, "schema %g is newer than this vkvlm reads (%d); update vkvlm", schema,
                 REPORT_SCHEMA);
        return file_error(path, why);
    }
    b->list = b->kind == KIND_OPS ? ops : settings;
    if (!cJSON_IsArray(b->list))
        return file_error(path, b->kind == KIND_OPS ? "no \"ops\" list" : "no \"settings\" list");
    b->device = cJSON_GetObjectItemCaseSensitive(b->root, "device");
    if (!cJSON_IsObject(b->device) || !str_field(b->device, "name")) return file_error(path, "no \"device\".\"name\"");
    if (b->kind == KIND_MODEL && !str_field(b->root, "model")) return file_error(path, "no \"model\"");
    /* quantized runs of a model are their own configuration: their own table, beside the unquantized one */
    const char *quant = str_field(b->root, "quant");
    if (b->kind == KIND_MODEL && quant && strcmp(quant, "none") != 0) {
        char key[512];
        snprintf(key, sizeof key, "%s --quant %s", str_field(b->root, "model"), quant);
        cJSON_ReplaceItemInObjectCaseSensitive(b->root, "model", cJSON_CreateString(key));
    }
    int i = 0;
    const cJSON *e;
    cJSON_ArrayForEach(e, b->list) {
        const char *key = b->kind == KIND_OPS ? "name" : "reduce";
        if (!cJSON_IsObject(e) || !str_field(e, key)) {
            snprintf(why, sizeof why, "%s[%d] has no \"%s\"", b->kind == KIND_OPS ? "ops" : "settings", i, key);
            return file_error(path, why);
        }
        i++;
    }
    return 0;
}

/* Two files from the same device (two runs, two machines with the same GPU) must still get two columns;
 * model files only clash within the same model, since each model has its own table. */
static void make_labels(bench_file *files, int count) {
    for (int i = 0; i < count; i++) {
        const char *name = str_field(files[i].device, "name");
        int clash = 0;
        for (int j = 0; j < count; j++)
            if (j != i && files[j].kind == files[i].kind && strcmp(str_field(files[j].device, "name"), name) == 0 &&
                (files[i].kind == KIND_OPS ||
                 strcmp(str_field(files[j].root, "model"), str_field(files[i].root, "model")) == 0))
                clash = 1;
        const char *base = strrchr(files[i].path, '/');
        if (clash) snprintf(files[i].label, sizeof files[i].label, "%s [%s]", name, base ? base + 1 : files[i].path);
        else snprintf(files[i].label, sizeof files[i].label, "%s", name);
    }
}

/* ---------------------------------------------------------------- writing */

/* Markdown table cells: a '|' would end the cell, a newline the row. */
static void md_cell(FILE *f, const char *s) {
    fputs("| ", f);
    for (; s && *s; s++) {
        if (*s == '|') fputs("\\|", f);
        else if (*s == '\n' || *s == '\r') fputc(' ', f);
        else fputc(*s, f);
    }
    fputc(' ', f);
}

static void md_num(FILE *f, double v) {
    char text[32];
    if (isfinite(v)) svg_format_value(text, sizeof text, v);
    else snprintf(text, sizeof text, "-");
    md_cell(f, text);
}

/* A count (dispatches per run): "30", not "30.0"; a fractional mean keeps three significant digits. */
static void md_count(FILE *f, double v) {
    if (isfinite(v) && v == floor(v) && fabs(v) < 1e15) {
        char text[32];
        snprintf(text, sizeof text, "%.0f", v);
        md_cell(f, text);
    } else md_num(f, v);
}

/* A list of distinct strings in first-seen order (op names, kernels, settings, models). */
typedef struct name_list {
    const char **names;
    int count, cap;
} name_list;

static int name_index(const name_list *l, const char *s) {
    for (int i = 0; i < l->count; i++)
        if (strcmp(l->names[i], s) == 0) return i;
    return -1;
}

static int name_add(name_list *l, const char *s) {
    int i = name_index(l, s);
    if (i >= 0) return 1;
    if (l->count == l->cap) {
        int cap = l->cap ? l->cap * 2 : 16;
        const char **grown = realloc(l->names, (size_t)cap * sizeof *grown);
        if (!grown) return 0;
        l->names = grown;
        l->cap = cap;
    }
    l->names[l->count++] = s;
    return 1;
}

static const cJSON *find_entry(const cJSON *list, const char *key, const char *value) {
    const cJSON *e;
    cJSON_ArrayForEach(e, list) {
        const char *v = str_field(e, key);
        if (v && strcmp(v, value) == 0) return e;
    }
    return NULL;
}

static int is_compute_bound(const cJSON *op) {
    double flops = num_field(op, "flops"), bytes = num_field(op, "bytes");
    if (!(flops > 0)) return 0;
    return !(bytes > 0) || flops / bytes >= COMPUTE_BOUND_INTENSITY;
}

typedef struct report_out {
    const char *dir;
    char path[4096]; /* the file being written, for error messages */
} report_out;

static FILE *open_out(report_out *o, const char *name) {
    snprintf(o->path, sizeof o->path, "%s/%s", o->dir, name);
    FILE *f = fopen(o->path, "w");
    if (!f) fprintf(stderr, "vkvlm: error: %s: cannot write: %s\n", o->path, strerror(errno));
    return f;
}

static int close_out(report_out *o, FILE *f, int failed) {
    if (fclose(f) != 0 || failed) {
        fprintf(stderr, "vkvlm: error: %s: cannot write: %s\n", o->path, errno ? strerror(errno) : "write failed");
        return 1;
    }
    return 0;
}

static int write_chart(report_out *o, const char *name, const svg_chart *c) {
    FILE *f = open_out(o, name);
    if (!f) return 1;
    int failed = svg_chart_write(c, f) != 0;
    return close_out(o, f, failed);
}

static void device_table(FILE *md, const bench_file *files, int count) {
    fputs("## Devices\n\n| file | kind | device | vendor | backend | driver | date |\n|---|---|---|---|---|---|---|\n",
          md);
    for (int i = 0; i < count; i++) {
        const bench_file *b = &files[i];
        const char *base = strrchr(b->path, '/'), *vendor = str_field(b->device, "vendor"),
                   *driver = str_field(b->device, "driver"), *info = str_field(b->device, "driver_info"),
                   *date = str_field(b->root, "date");
        char drv[512];
        snprintf(drv, sizeof drv, "%s%s%s", driver ? driver : "-", info && *info ? " " : "", info ? info : "");
        md_cell(md, base ? base + 1 : b->path);
        md_cell(md, b->kind == KIND_OPS ? "ops" : "model");
        md_cell(md, str_field(b->device, "name"));
        md_cell(md, vendor && *vendor ? vendor : "-");
        md_cell(md, str_field(b->device, "backend") ? str_field(b->device, "backend") : "-");
        md_cell(md, drv);
        md_cell(md, date ? date : "-");
        fputs("|\n", md);
    }
    fputc('\n', md);
}

/* One row per op and shape, one column per device; a chart per unit. */
static int kernel_section(FILE *md, report_out *o, const bench_file *files, int count) {
    const bench_file *cols[256];
    int ncols = 0;
    name_list ops = {0};
    int code = 0;
    for (int i = 0; i < count && ncols < 256; i++) {
        if (files[i].kind != KIND_OPS) continue;
        cols[ncols++] = &files[i];
        const cJSON *e;
        cJSON_ArrayForEach(e, files[i].list) if (!name_add(&ops, str_field(e, "name"))) code = 1;
    }
    if (ncols == 0 || code) {
        free(ops.names);
        return code;
    }
    fputs("## Kernels (`vkvlm bench --ops`)\n\n"
          "Median run per op and shape. GFLOP/s for kernels doing at least 8 FLOPs per byte moved, else GB/s.\n\n"
          "| op | kernel | unit ",
          md);
    for (int c = 0; c < ncols; c++) md_cell(md, cols[c]->label);
    fputs("|\n|---|---|---|", md);
    for (int c = 0; c < ncols; c++) fputs("---:|", md);
    fputc('\n', md);

    /* chart data, one array per unit: [op * ncols + device] */
    double *values[2] = {calloc((size_t)ops.count * ncols, sizeof(double)),
                         calloc((size_t)ops.count * ncols, sizeof(double))};
    const char **labels[2] = {calloc((size_t)ops.count, sizeof(char *)), calloc((size_t)ops.count, sizeof(char *))};
    int rows[2] = {0, 0};
    if (!values[0] || !values[1] || !labels[0] || !labels[1]) code = 1;
    for (int r = 0; r < ops.count && !code; r++) {
        const cJSON *first = NULL;
        char kernels[512] = "";
        for (int c = 0; c < ncols; c++) {
            const cJSON *e = find_entry(cols[c]->list, "name", ops.names[r]);
            if (!e) continue;
            if (!first) first = e;
            /* different devices may pick different kernels for the same op: list each once */
            const char *k = str_field(e, "kernel");
            if (k && *k && !strstr(kernels, k)) {
                size_t n = strlen(kernels);
                snprintf(kernels + n, sizeof kernels - n, "%s%s", n ? " / " : "", k);
            }
        }
        int unit = is_compute_bound(first) ? 0 : 1;
        md_cell(md, ops.names[r]);
        md_cell(md, *kernels ? kernels : "-");
        md_cell(md, unit == 0 ? "GFLOP/s" : "GB/s");
        double *row = values[unit] + (size_t)rows[unit] * ncols;
        labels[unit][rows[unit]++] = ops.names[r];
        for (int c = 0; c < ncols; c++) {
            const cJSON *e = find_entry(cols[c]->list, "name", ops.names[r]);
            double v = e ? num_field(e, unit == 0 ? "gflops" : "gbps") : NAN;
            md_num(md, v);
            row[c] = isfinite(v) ? v : -1;
        }
        fputs("|\n", md);
    }
    fputc('\n', md);
    const char *series[256];
    for (int c = 0; c < ncols; c++) series[c] = cols[c]->label;
    static const char *const files_svg[2] = {"kernels_gflops.svg", "kernels_gbps.svg"};
    static const char *const titles[2] = {"Compute-bound kernels: GFLOP/s per device",
                                          "Memory-bound kernels: GB/s per device"};
    static const char *const axes[2] = {"GFLOP/s (median run, higher is better)",
                                        "GB/s (median run, higher is better)"};
    for (int u = 0; u < 2 && !code; u++) {
        if (!rows[u]) continue;
        svg_chart chart = {.title = titles[u], .axis_label = axes[u], .groups = rows[u], .series = ncols,
                           .group_labels = labels[u], .series_labels = series, .values = values[u]};
        code = write_chart(o, files_svg[u], &chart);
        fprintf(md, "![%s](%s)\n\n", titles[u], files_svg[u]);
    }
    for (int u = 0; u < 2; u++) {
        free(values[u]);
        free((void *)labels[u]);
    }
    free(ops.names);
    return code;
}

/* kernel_breakdown without GPU times: the most dispatched kernels of each stage (bench lists them in that
 * order when every time is null), so the file still says what the device ran. */
static void kernel_dispatches(FILE *md, const bench_file *dev, const cJSON *kernels) {
    static const char *const stages[] = {"vision", "prefill", "decode"};
    fprintf(md, "Dispatches per kernel on %s (`none`, mean per run, top 6 per stage; no GPU timestamps on this "
                "device):\n\n| stage | kernel | dispatches |\n|---|---|---:|\n", dev->label);
    for (int s = 0; s < 3; s++) {
        int shown = 0;
        const cJSON *k;
        cJSON_ArrayForEach(k, kernels) {
            const char *stage = str_field(k, "stage"), *name = str_field(k, "name");
            if (!stage || !name || strcmp(stage, stages[s]) != 0 || shown == 6) continue;
            md_cell(md, stage);
            md_cell(md, name);
            md_count(md, num_field(k, "dispatches"));
            fputs("|\n", md);
            shown++;
        }
    }
    fputc('\n', md);
}

/* Where `none`'s GPU time goes on one device: the top kernels of each stage (mean per run). A device without
 * timestamps (WebGPU today) writes null GPU times: its table lists the dispatches alone. */
static void kernel_breakdown(FILE *md, const bench_file *dev) {
    static const char *const stages[] = {"vision", "prefill", "decode"};
    const cJSON *none = find_entry(dev->list, "reduce", "none");
    const cJSON *kernels = none ? cJSON_GetObjectItemCaseSensitive(none, "kernels") : NULL;
    if (!cJSON_IsArray(kernels) || cJSON_GetArraySize(kernels) == 0) return;
    int timed = 0;
    const cJSON *k;
    cJSON_ArrayForEach(k, kernels) timed |= isfinite(num_field(k, "gpu_ms"));
    if (!timed) {
        kernel_dispatches(md, dev, kernels);
        return;
    }
    fprintf(md, "GPU time per kernel on %s (`none`, mean per run, top 6 per stage):\n\n"
                "| stage | kernel | ms | share | dispatches |\n|---|---|---:|---:|---:|\n", dev->label);
    for (int s = 0; s < 3; s++) {
        double total = 0;
        cJSON_ArrayForEach(k, kernels) if (str_field(k, "stage") && strcmp(str_field(k, "stage"), stages[s]) == 0 &&
                                          isfinite(num_field(k, "gpu_ms"))) total += num_field(k, "gpu_ms");
        int shown = 0; /* bench writes them most time first */
        cJSON_ArrayForEach(k, kernels) {
            const char *stage = str_field(k, "stage"), *name = str_field(k, "name");
            if (!stage || !name || strcmp(stage, stages[s]) != 0 || shown == 6) continue;
            char share[32];
            double ms = num_field(k, "gpu_ms");
            snprintf(share, sizeof share, total > 0 && isfinite(ms) ? "%.0f%%" : "-", total > 0 ? 100 * ms / total : 0);
            md_cell(md, stage);
            md_cell(md, name);
            md_num(md, ms);
            md_cell(md, share);
            md_count(md, num_field(k, "dispatches"));
            fputs("|\n", md);
            shown++;
        }
    }
    fputc('\n', md);
}

/* Per model: every device's settings against its own `none`, and a prefill-time chart. */
static int model_section(FILE *md, report_out *o, const bench_file *files, int count) {
    name_list models = {0};
    int code = 0;
    for (int i = 0; i < count; i++)
        if (files[i].kind == KIND_MODEL && !name_add(&models, str_field(files[i].root, "model"))) code = 1;
    if (models.count == 0 || code) {
        free(models.names);
        return code;
    }
    fputs("## Models (`vkvlm bench -m` / `--shape`)\n\n"
          "Each setting against `none` on the same device and in the same run: \"time\" and \"LLM FLOPs\" are "
          "ratios to `none`; \"realised\" is (1 − time) / (1 − FLOPs), the share of the analytic reduction "
          "that the measured prefill time achieved. Prefill is the median run, its range the fastest and "
          "slowest.\n\n",
          md);
    for (int m = 0; m < models.count && !code; m++) {
        const bench_file *devs[256];
        int ndev = 0;
        name_list settings = {0};
        for (int i = 0; i < count && ndev < 256; i++) {
            if (files[i].kind != KIND_MODEL || strcmp(str_field(files[i].root, "model"), models.names[m]) != 0)
                continue;
            devs[ndev++] = &files[i];
            const cJSON *e;
            cJSON_ArrayForEach(e, files[i].list) if (!name_add(&settings, str_field(e, "reduce"))) code = 1;
        }
        const char *type = str_field(devs[0]->root, "model_type");
        fprintf(md, "### `%s`%s%s\n\n", models.names[m], type && *type ? " — " : "", type && *type ? type : "");
        fputs("| device | setting | tokens | vision ms | prefill ms | range | time | LLM FLOPs | realised | "
              "decode tok/s | prefill tok/s | TTFT ms | dispatches per token |\n"
              "|---|---|---|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|\n",
              md);
        double *prefill = calloc((size_t)settings.count * ndev, sizeof *prefill);
        if (!prefill) code = 1;
        for (int d = 0; d < ndev && !code; d++) {
            const cJSON *none = find_entry(devs[d]->list, "reduce", "none"), *e;
            double t0 = none ? num_field(none, "prefill_ms") : NAN, f0 = none ? num_field(none, "flops_llm") : NAN;
            cJSON_ArrayForEach(e, devs[d]->list) {
                const char *spec = str_field(e, "reduce");
                double t = num_field(e, "prefill_ms"), f = num_field(e, "flops_llm");
                double lo = num_field(e, "prefill_ms_min"), hi = num_field(e, "prefill_ms_max");
                double tr = t / t0, fr = f / f0;
                char text[64];
                md_cell(md, devs[d]->label);
                md_cell(md, spec);
                snprintf(text, sizeof text, "%.0f → %.0f", num_field(e, "prompt_tokens"),
                         num_field(e, "kept_tokens"));
                md_cell(md, text);
                double vision = num_field(e, "vision_ms");
                md_num(md, vision >= 0.01 ? vision : NAN); /* a text-only run has no vision stage */
                md_num(md, t);
                if (isfinite(lo) && isfinite(hi)) {
                    char a[32], b[32];
                    svg_format_value(a, sizeof a, lo);
                    svg_format_value(b, sizeof b, hi);
                    snprintf(text, sizeof text, "%s–%s", a, b);
                } else snprintf(text, sizeof text, "-");
                md_cell(md, text);
                if (isfinite(tr)) snprintf(text, sizeof text, "%.2fx", tr);
                else snprintf(text, sizeof text, "-");
                md_cell(md, text);
                if (isfinite(fr)) snprintf(text, sizeof text, "%.2fx", fr);
                else snprintf(text, sizeof text, "-");
                md_cell(md, text);
                /* realised only means something where the method removed FLOPs */
                if (strcmp(spec, "none") != 0 && isfinite(tr) && isfinite(fr) && fr < 1)
                    snprintf(text, sizeof text, "%.0f%%", 100.0 * (1 - tr) / (1 - fr));
                else snprintf(text, sizeof text, "-");
                md_cell(md, text);
                /* bench -n 1 decodes nothing after the prefill's token: 0 there means not measured */
                double tps = num_field(e, "decode_tokens_per_s"), dpt = num_field(e, "dispatches_per_decoded_token");
                md_num(md, tps > 0 ? tps : NAN);
                md_num(md, num_field(e, "prefill_tokens_per_s")); /* "-" in files from before these fields */
                md_num(md, num_field(e, "ttft_ms"));
                md_num(md, dpt > 0 ? dpt : NAN);
                fputs("|\n", md);
                int s = name_index(&settings, spec);
                prefill[(size_t)s * ndev + d] = isfinite(t) ? t : -1;
            }
        }
        fputc('\n', md);
        for (int d = 0; d < ndev && !code; d++) kernel_breakdown(md, devs[d]);
        /* settings a device did not run stay at 0 from calloc: mark them as missing, not as 0 ms */
        for (int s = 0; s < settings.count && !code; s++)
            for (int d = 0; d < ndev; d++)
                if (!find_entry(devs[d]->list, "reduce", settings.names[s])) prefill[(size_t)s * ndev + d] = -1;
        if (!code) {
            const char *series[256];
            for (int d = 0; d < ndev; d++) series[d] = devs[d]->label;
            char name[64], title[512];
            snprintf(name, sizeof name, "prefill_%d.svg", m + 1);
            snprintf(title, sizeof title, "Prefill time per reduce setting: %s", models.names[m]);
            svg_chart chart = {.title = title, .axis_label = "prefill ms (median run, lower is better)",
                               .groups = settings.count, .series = ndev, .group_labels = settings.names,
                               .series_labels = series, .values = prefill};
            code = write_chart(o, name, &chart);
            fprintf(md, "![prefill time per reduce setting](%s)\n\n", name);
        }
        free(prefill);
        free(settings.names);
    }
    free(models.names);
    return code;
}

/* mkdir -p: the report folder may be new and nested (docs/report). */
static int make_dirs(const char *dir) {
    char path[4096];
    snprintf(path, sizeof path, "%s", dir);
    for (char *p = path + 1; *p; p++) {
        if (*p != '/') continue;
        *p = '\0';
        if (mkdir(path, 0777) != 0 && errno != EEXIST) return -1;
        *p = '/';
    }
    if (mkdir(path, 0777) != 0 && errno != EEXIST) return -1;
    struct stat st;
    if (stat(path, &st) != 0) return -1;
    if (!S_ISDIR(st.st_mode)) {
        errno = ENOTDIR;
        return -1;
    }
    return 0;
}

int cli_report(int argc, char **argv) {
    const char *dir = "report";
    const char **paths = calloc((size_t)argc, sizeof *paths);
    int count = 0;
    if (!paths) {
        fprintf(stderr, "vkvlm: error: out of memory\n");
        return 1;
    }
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            fputs(report_usage, stdout);
            free(paths);
            return 0;
        }
        if (strcmp(a, "-o") == 0) {
            if (i + 1 >= argc || !*argv[i + 1]) {
                free(paths);
                return cli_usage_error("report: -o needs a folder");
            }
            dir = argv[++i];
        } else if (a[0] == '-' && a[1]) {
            free(paths);
            return cli_usage_error("report: unknown option '%s' (see vkvlm report --help)", a);
        } else paths[count++] = a;
    }
    if (count == 0) {
        free(paths);
        return cli_usage_error("report: no benchmark files given (see vkvlm report --help)");
    }
    bench_file *files = calloc((size_t)count, sizeof *files);
    int code = files ? 0 : 1;
    for (int i = 0; i < count && code == 0; i++) code = load_file(&files[i], paths[i]);
    if (code == 0 && make_dirs(dir) != 0) {
        fprintf(stderr, "vkvlm: error: %s: cannot create the output folder: %s\n", dir, strerror(errno));
        code = 1;
    }
    if (code == 0) {
        make_labels(files, count);
        report_out o = {.dir = dir};
        FILE *md = open_out(&o, "report.md");
        if (!md) code = 1;
        else {
            fprintf(md,
                    "# Benchmark report\n\n"
                    "Merged by `vkvlm report` from %d file%s. CPU drivers (llvmpipe, SwiftShader) share the cores "
                    "with everything else: only ratios measured in one file mean anything there, never their "
                    "absolute speed.\n\n",
                    count, count == 1 ? "" : "s");
            device_table(md, files, count);
            /* the charts go to their own files; the Markdown's own path is restored for its errors */
            report_out charts = {.dir = dir};
            code = kernel_section(md, &charts, files, count);
            if (!code) code = model_section(md, &charts, files, count);
            if (code) fclose(md);
            else code = close_out(&o, md, ferror(md));
            if (!code) printf("wrote %s/report.md\n", dir);
        }
    }
    for (int i = 0; i < count && files; i++) cJSON_Delete(files[i].root);
    free(files);
    free(paths);
    return code;
}

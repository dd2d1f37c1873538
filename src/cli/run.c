/* run.c — `vkvlm run`: load a Hugging Face model directory, run one prompt (with an image), stream the
 * generated text to stdout, or print one JSON object with --json (CLI.md is the contract). */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/args.h"
#include "cli/cli.h"

static const char run_usage[] =
    "usage: vkvlm run -m DIR [--image FILE] [-p TEXT | --raw-prompt TEXT] [-n N] [options]\n"
    "  -m DIR              Hugging Face model directory (config.json, *.safetensors, tokenizer.json, ...)\n"
    "  --image FILE        image (PNG, JPEG, BMP, GIF); LLaVA-1.5 takes one\n"
    "  -p TEXT             your message; the model's chat template is applied, image placeholder inserted\n"
    "  --raw-prompt TEXT   the exact prompt text, placeholders such as <image> included, no template\n"
    "  -n N                new tokens to generate (default 32)\n"
    "  --temp T            sampling temperature; 0 (default) is greedy\n"
    "  --top-k K           keep the K most likely tokens (default 0: off)\n"
    "  --top-p P           keep the smallest set with probability >= P (default 1: off)\n"
    "  --repeat-penalty R  penalise tokens already in the context (default 1: off)\n"
    "  --seed S            sampling seed (default 1)\n"
    "  --ignore-eos        generate all N tokens even after end-of-sequence\n"
    "  --ctx N             KV cache size in tokens (default min(max_position_embeddings, 2048))\n"
    "  --quant Q           q8_0 | q4_0 | none (default): quantize the decoder's linear weights on load\n"
    "                      (blocks of 32 with an f16 scale; docs/quantization.md)\n"
    "  --quant-cache DIR   where quantized weights are kept so the next load skips quantizing (default\n"
    "                      $XDG_CACHE_HOME/vkvlm/quant, else ~/.cache/vkvlm/quant); off: no cache\n"
    "  --backend B         vulkan | cpu (default: the best Vulkan device, else cpu)\n"
    "  --device D          device index within the backend or a name substring (default: $VKVLM_DEVICE)\n"
    "  --limits PROFILE    plan and choose kernels as if the device had these limits: mobile | webgpu |\n"
    "                      key=value,... (see vkvlm devices --help); default: $VKVLM_LIMITS\n"
    "  --reduce SPEC       token reduction, repeatable: none | fastv:k=K,r=R (scores from layer K-1, image\n"
    "                      tokens removed from layer K on, round(N*(1-R)) kept) |\n"
    "                      ficoco-v:start=L,remove=N[,targets=2,lambda=0.35,window=2,penalty=2] (vision layers\n"
    "                      L.. merge N patches each) | ficoco-l:start=L,remove=N[,targets=2,beta=0.6,gamma=0.6]\n"
    "                      (LLM layers L..) | ficoco-vl:v-start=,v-remove=,l-start=,l-remove=,... (both) |\n"
    "                      proxyv (ProxyV-trained checkpoints only; their default, settings from config.json)\n"
    "  --json              print one JSON object (prompt_tokens, tokens, text, timings, flops) instead of text\n"
    "  --dump DIR          write pixel_values, vision_features, image_embeddings, logits_last (.bin, f32) and\n"
    "                      DIR/dump.json\n"
    "Real checkpoints: see models/README.md.\n";

typedef struct run_options {
    const char *model, *image, *prompt, *raw_prompt, *backend, *device, *dump, *quant, *quant_cache;
    const char *reduce[8];
    int reduce_count;
    long n, top_k, ctx;
    double temp, top_p, repeat_penalty;
    unsigned long long seed;
    bool json, ignore_eos;
} run_options;

static int parse(int argc, char **argv, run_options *o) {
    *o = (run_options){.n = 32, .top_p = 1.0, .repeat_penalty = 1.0, .seed = 1};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            fputs(run_usage, stdout);
            return 0;
        }
        if (strcmp(a, "--json") == 0) { o->json = true; continue; }
        if (strcmp(a, "--ignore-eos") == 0) { o->ignore_eos = true; continue; }
        static const char *const valued[] = {"-m", "--image", "-p", "--raw-prompt", "-n", "--temp", "--top-k", "--top-p",
                                             "--repeat-penalty", "--seed", "--ctx", "--backend", "--device", "--reduce",
                                             "--dump", "--limits", "--quant", "--quant-cache"};
        bool known = false;
        for (size_t k = 0; k < sizeof valued / sizeof valued[0]; k++) known |= strcmp(a, valued[k]) == 0;
        if (!known) return cli_usage_error("run: unknown option '%s' (see vkvlm run --help)", a);
        if (i + 1 >= argc) return cli_usage_error("run: %s needs a value", a);
        const char *v = argv[++i];
        if (strcmp(a, "-m") == 0) o->model = v;
        else if (strcmp(a, "--image") == 0) {
            if (o->image) return cli_usage_error("run: --image given twice; LLaVA-1.5 takes one image per prompt");
            o->image = v;
        } else if (strcmp(a, "-p") == 0) o->prompt = v;
        else if (strcmp(a, "--raw-prompt") == 0) o->raw_prompt = v;
        else if (strcmp(a, "--backend") == 0) o->backend = v;
        else if (strcmp(a, "--device") == 0) o->device = v;
        else if (strcmp(a, "--dump") == 0) o->dump = v;
        else if (strcmp(a, "--quant") == 0) {
            if (strcmp(v, "none") && strcmp(v, "q8_0") && strcmp(v, "q4_0"))
                return cli_usage_error("run: --quant %s: expected q8_0, q4_0 or none", v);
            o->quant = strcmp(v, "none") ? v : NULL;
        } else if (strcmp(a, "--quant-cache") == 0) o->quant_cache = strcmp(v, "off") ? v : "";
        /* the GPU context reads the profile from the environment, where VKVLM_LIMITS also comes from */
        else if (strcmp(a, "--limits") == 0) setenv("VKVLM_LIMITS", v, 1);
        else if (strcmp(a, "-n") == 0) { if (!cli_int(a, v, 1, 1 << 20, &o->n)) return 2; }
        else if (strcmp(a, "--top-k") == 0) { if (!cli_int(a, v, 0, 1 << 30, &o->top_k)) return 2; }
        else if (strcmp(a, "--ctx") == 0) { if (!cli_int(a, v, 1, 1 << 24, &o->ctx)) return 2; }
        else if (strcmp(a, "--temp") == 0) { if (!cli_float(a, v, 0, 100, &o->temp)) return 2; }
        else if (strcmp(a, "--top-p") == 0) { if (!cli_float(a, v, 0, 1, &o->top_p)) return 2; }
        else if (strcmp(a, "--repeat-penalty") == 0) { if (!cli_float(a, v, 0, 100, &o->repeat_penalty)) return 2; }
        else if (strcmp(a, "--seed") == 0) { if (!cli_u64(a, v, &o->seed)) return 2; }
        else if (strcmp(a, "--reduce") == 0) {
            if (o->reduce_count == 8) return cli_usage_error("run: --reduce given more than 8 times");
            o->reduce[o->reduce_count++] = v;
        }
    }
    if (!o->model) return cli_usage_error("run: -m DIR is required (see vkvlm run --help)");
    if (o->prompt && o->raw_prompt) return cli_usage_error("run: give -p or --raw-prompt, not both");
    if (!o->prompt && !o->raw_prompt) return cli_usage_error("run: -p TEXT or --raw-prompt TEXT is required");
    if (o->backend && strcmp(o->backend, "vulkan") && strcmp(o->backend, "cpu"))
        return cli_usage_error("run: --backend %s: expected vulkan or cpu (webgpu is the browser build)", o->backend);
    return -1;
}

/* The weight-loading progress bar, only when stderr is a terminal. */
static void progress_bar(void *user, const char *stage, double fraction) {
    (void)user;
    int width = 40, filled = (int)(fraction * width + 0.5);
    fprintf(stderr, "\r%s [%.*s%*s] %3d%%", stage, filled, "========================================", width - filled,
            "", (int)(fraction * 100 + 0.5));
    if (fraction >= 1.0) fputc('\n', stderr);
    fflush(stderr);
}

static int stream_token(void *user, int id, const char *text) {
    (void)user;
    (void)id;
    fputs(text, stdout);
    fflush(stdout);
    return 1;
}

static void print_json(const run_options *o, const vkvlm_session_info *info, const vkvlm_result *r) {
    char *text = vkvlm_result_json(r, info, o->model);
    if (text) printf("%s\n", text);
    free(text);
}

int cli_run(int argc, char **argv) {
    run_options o;
    int code = parse(argc, argv, &o);
    if (code >= 0) return code;
    vkvlm_session_desc sd = {.model_dir = o.model, .backend = o.backend, .device = o.device,
                             .context_length = (unsigned)o.ctx, .logger = cli_logger(), .quant = o.quant,
                             .quant_cache_dir = o.quant_cache};
    if (isatty(STDERR_FILENO)) sd.progress = progress_bar;
    vkvlm_session *s = NULL;
    vkvlm_error err = {0};
    if (vkvlm_session_create(&sd, &s, &err) != VKVLM_OK) return cli_fail(&err);
    const char *images[1] = {o.image};
    vkvlm_generate_desc g = {.prompt = o.prompt, .raw_prompt = o.raw_prompt, .images = images,
                             .image_count = o.image ? 1 : 0, .max_new_tokens = (int)o.n,
                             .temperature = (float)o.temp, .top_k = (int)o.top_k, .top_p = (float)o.top_p,
                             .repetition_penalty = (float)o.repeat_penalty, .seed = o.seed,
                             .ignore_eos = o.ignore_eos, .dump_dir = o.dump, .reduce = o.reduce,
                             .reduce_count = o.reduce_count,
                             .on_token = o.json ? NULL : stream_token};
    vkvlm_result r;
    if (vkvlm_session_generate(s, &g, &r, &err) != VKVLM_OK) {
        if (!o.json) fputc('\n', stdout);
        vkvlm_session_destroy(s);
        return cli_fail(&err);
    }
    vkvlm_session_info info;
    vkvlm_session_info_get(s, &info);
    if (o.json) {
        print_json(&o, &info, &r);
    } else {
        printf("\n");
        fflush(stdout); /* the answer ends before the summary on stderr starts */
        fprintf(stderr, "vkvlm: %d prompt tokens, %d new; load %.0f ms, preprocess %.1f ms, vision %.1f ms, "
                        "prefill %.1f ms, decode %.1f ms (%.2f tokens/s) on %s\n",
                r.prompt_count, r.token_count, r.timings_ms.load, r.timings_ms.preprocess, r.timings_ms.vision,
                r.timings_ms.prefill, r.timings_ms.decode, r.decode_tokens_per_s, info.device_name);
    }
    vkvlm_result_free(&r);
    vkvlm_session_destroy(s);
    return 0;
}

/* make_tiny_model.c — vkvlm_make_tiny: writes a random-weight Hugging Face model directory (src/models/
 * synth_model.c) for tests, the demo and benchmarks.
 *
 *   vkvlm_make_tiny --family llava|idefics3|proxyv --out DIR [--seed N]
 *   vkvlm_make_tiny --family llava --shape llava-1.5-7b --text-layers N --vision-layers N --out DIR
 *   vkvlm_make_tiny --shape smolvlm-256m --out DIR
 *   vkvlm_make_tiny --family proxyv [--proxyv-start N] [--proxyv-factor F] [--vision-image PX] --out DIR */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/synth_model.h"

static void usage(FILE *f) {
    fputs("usage: vkvlm_make_tiny [--family llava|idefics3|proxyv] [--shape NAME] --out DIR [--seed N]\n"
          "       [--text-layers N] [--vision-layers N]\n"
          "       [--proxyv-start N] [--proxyv-factor F] [--vision-image PX] [--no-tower-copy]   (proxyv only)\n"
          "shapes (--family defaults to the shape's; proxyv also takes llava-smollm2):\n",
          f);
    int count;
    const synth_shape *shapes = synth_model_shapes(&count);
    for (int i = 0; i < count; i++) fprintf(f, "  %-15s %-9s %s\n", shapes[i].name, shapes[i].family, shapes[i].about);
}

static int int_arg(const char *opt, const char *v, int *out) {
    char *end;
    long x = strtol(v, &end, 10);
    if (*end || end == v || x < 0 || x > 1 << 20) {
        fprintf(stderr, "vkvlm_make_tiny: %s %s: expected a non-negative integer\n", opt, v);
        return 0;
    }
    *out = (int)x;
    return 1;
}

int main(int argc, char **argv) {
    synth_model_desc d = {.seed = 1};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            usage(stdout);
            return 0;
        }
        if (strcmp(a, "--no-tower-copy") == 0) {
            d.no_tower_copy = true;
            continue;
        }
        if (!v) {
            usage(stderr);
            return 2;
        }
        i++;
        int ok = 1;
        if (strcmp(a, "--family") == 0) d.family = v;
        else if (strcmp(a, "--out") == 0) d.dir = v;
        else if (strcmp(a, "--shape") == 0) d.shape = v;
        else if (strcmp(a, "--seed") == 0) d.seed = strtoull(v, NULL, 0);
        else if (strcmp(a, "--text-layers") == 0) ok = int_arg(a, v, &d.text_layers);
        else if (strcmp(a, "--vision-layers") == 0) ok = int_arg(a, v, &d.vision_layers);
        else if (strcmp(a, "--proxyv-start") == 0) ok = int_arg(a, v, &d.proxyv_start), d.proxyv_start_given = true;
        else if (strcmp(a, "--proxyv-factor") == 0) ok = int_arg(a, v, &d.proxyv_factor);
        else if (strcmp(a, "--vision-image") == 0) ok = int_arg(a, v, &d.vision_image);
        else {
            usage(stderr);
            return 2;
        }
        if (!ok) return 2;
    }
    if (!d.dir || (!d.family && !d.shape)) {
        usage(stderr);
        return 2;
    }
    char summary[512];
    vkvlm_error err = {0};
    vkvlm_status st = synth_model_write(&d, summary, sizeof summary, &err);
    if (st != VKVLM_OK) {
        fprintf(stderr, "vkvlm_make_tiny: error: %s\n", err.message);
        return st == VKVLM_ERR_USAGE ? 2 : 1;
    }
    printf("wrote %s: %s\n", d.dir, summary);
    return 0;
}

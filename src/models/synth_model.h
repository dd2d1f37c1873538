/* synth_model.h — random-weight model directories of a family's real (or tiny) dimensions, written exactly as a
 * Hugging Face checkpoint is, so every loader path runs on them: the tiny demo models, the test makers'
 * checkpoints (vkvlm_make_tiny) and `vkvlm bench --shape`'s models, which it writes to a temporary directory
 * in memory (tmpfs) and removes after the run. Deterministic: one seed gives the same bytes everywhere. */
#ifndef VKVLM_MODELS_SYNTH_MODEL_H
#define VKVLM_MODELS_SYNTH_MODEL_H

#include <stdbool.h>
#include <stddef.h>

#include "vkvlm.h"

/* One named shape: its family and what it reproduces. */
typedef struct synth_shape {
    const char *name;    /* "tiny", "llava-1.5-7b", "llava-smollm2", "smolvlm-tiny", "smolvlm-256m", ... */
    const char *family;  /* "llava" | "idefics3" | "proxyv" */
    const char *about;   /* one line for --help */
} synth_shape;

const synth_shape *synth_model_shapes(int *count);
const synth_shape *synth_model_shape_find(const char *name); /* NULL: no such shape */

typedef struct synth_model_desc {
    const char *dir;            /* created with its parents; files in it are overwritten */
    const char *family;         /* "llava" | "idefics3" | "proxyv"; NULL: the shape's */
    const char *shape;          /* a synth_model_shapes name; NULL: the family's tiny model ("tiny" if no family) */
    int text_layers;            /* decoder layers; 0: the shape's */
    int vision_layers;          /* vision tower layers; 0: the shape's */
    bool proxyv_start_given;    /* proxyv: proxyv_start is set (else layer 2, or 10 at SmolLM2 size) */
    int proxyv_start;           /* proxyv: the first ProxyV layer */
    int proxyv_factor;          /* proxyv: proxy downsampling factor; 0: 4 */
    int vision_image;           /* proxyv: tower image size in pixels; 0: the shape's */
    bool no_tower_copy;         /* proxyv: the tower only in its sibling folder, not also in the checkpoint */
    unsigned long long seed;    /* 0: 1 */
} synth_model_desc;

/* Writes the model. summary (may be NULL) receives one line describing what was written. Errors:
 * VKVLM_ERR_USAGE (unknown shape or family, options that do not apply), VKVLM_ERR_IO (cannot create or write,
 * naming the path), VKVLM_ERR_OUT_OF_MEMORY. Files already written stay (the caller owns the directory). */
vkvlm_status synth_model_write(const synth_model_desc *desc, char *summary, size_t summary_size, vkvlm_error *err);

#endif

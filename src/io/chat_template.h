/* chat_template.h — the prompt text a model family expects, with its image placeholders expanded.
 *
 * Does: build the prompt string that transformers' apply_chat_template + processor produce for one user
 * turn with images, for the families built in (no Jinja engine: the templates are fixed strings taken from
 * the checkpoints' chat_template.json and MODELS.md 5.1/5.2):
 *   LLaVA-1.5  "USER: " + "<image>\n" per image + text + " " + "ASSISTANT:"
 *   Idefics3   "<|im_start|>User:" (": " when there is no image) + "<image>" per image + text
 *              + "<end_of_utterance>\nAssistant:"
 * and then expand every placeholder the way the processor does:
 *   LLaVA-1.5  <image> -> image_seq_len x <image> (576 for llava-1.5-7b: (336/14)^2)
 *   Idefics3   unsplit image (rows x cols of 0x0 or 1x1): <fake_token_around_image><global-img>
 *              + image_seq_len x <image> + <fake_token_around_image>; split image: per tile
 *              <fake_token_around_image><row_R_col_C> + image_seq_len x <image>, "\n" after each row, then
 *              "\n<fake_token_around_image><global-img>" + image_seq_len x <image> + <fake_token_around_image>.
 * A raw prompt (CLI --raw-prompt) skips the template but is expanded the same way: it is the text a user
 * would hand the HF processor, so `<image>` in it still stands for one image. The number of placeholders
 * must equal the number of images (the HF processors refuse a mismatch too), which also catches a raw
 * prompt that was already expanded.
 * Does not: tokenize (tokenizer.h encodes the result; LLaVA's BOS comes from its post-processor), run
 * multi-turn conversations or system prompts, or read chat_template.json.
 */
#ifndef VKVLM_IO_CHAT_TEMPLATE_H
#define VKVLM_IO_CHAT_TEMPLATE_H

#include <stddef.h>

#include "io/tokenizer.h"
#include "vkvlm.h"

typedef enum vkvlm_chat_family {
    VKVLM_CHAT_FAMILY_UNSET = 0, /* no family chosen: build refuses it (VKVLM_ERR_USAGE) */
    VKVLM_CHAT_LLAVA15,          /* LLaVA-1.5 (llava-hf), Vicuna-style USER/ASSISTANT */
    VKVLM_CHAT_IDEFICS3,         /* Idefics3 / SmolVLM */
} vkvlm_chat_family;

/* How the preprocessor cut one image. */
typedef struct vkvlm_chat_image {
    int rows; /* tile rows; 0 (with cols 0) or a 1x1 grid: the image was not split (Idefics3 only) */
    int cols; /* tile columns */
} vkvlm_chat_image;

/* One prompt to build. The default configuration is:
 *   family          none: must be set
 *   user_message    "" (used when raw_prompt is NULL)
 *   raw_prompt      NULL: apply the family's template to user_message
 *   n_images        0
 *   images          NULL: every image unsplit
 *   image_seq_len   required when n_images > 0: tokens per image (LLaVA) or per tile (Idefics3)
 *   image_token     "<image>" */
typedef struct vkvlm_chat_desc {
    vkvlm_chat_family family;       /* which template and expansion */
    const char *user_message;       /* the user's text (-p) */
    const char *raw_prompt;         /* the exact prompt text (--raw-prompt); placeholders still expanded */
    size_t n_images;                /* images, in prompt order */
    const vkvlm_chat_image *images; /* n_images tile grids, or NULL */
    size_t image_seq_len;           /* image tokens per image (LLaVA) or per tile and global image (Idefics3) */
    const char *image_token;        /* the placeholder and image token text */
} vkvlm_chat_desc;

/* The desc with every default filled in. */
vkvlm_chat_desc vkvlm_chat_desc_defaults(const vkvlm_chat_desc *desc);

/* Builds the expanded prompt text and appends it to *out (unchanged on failure). Errors: VKVLM_ERR_USAGE for
 * an unset family, a placeholder count that differs from n_images, image_seq_len 0 with images, or a
 * malformed tile grid; VKVLM_ERR_LIMIT for absurd sizes. */
vkvlm_status vkvlm_chat_build_prompt(const vkvlm_chat_desc *desc, vkvlm_token_text *out, vkvlm_error *err);

/* Image tokens one image takes after expansion: image_seq_len for LLaVA; Idefics3: image_seq_len when
 * unsplit, else (rows*cols + 1) * image_seq_len. */
size_t vkvlm_chat_image_token_count(vkvlm_chat_family family, vkvlm_chat_image image, size_t image_seq_len);

/* The family of a config.json model_type ("llava" -> LLaVA-1.5; "idefics3", "smolvlm" -> Idefics3), or
 * VKVLM_CHAT_FAMILY_UNSET. */
vkvlm_chat_family vkvlm_chat_family_from_model_type(const char *model_type);

#endif

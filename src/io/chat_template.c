/* chat_template.c — the built-in prompt templates and the processors' placeholder expansion (see
 * chat_template.h for the exact strings). */
#include "io/chat_template.h"

#include <stdio.h>
#include <string.h>

#include "core/status.h"

/* Idefics3Processor's fixed token texts (they are attributes of the processor, not configuration). */
#define IDEFICS3_FAKE_TOKEN "<fake_token_around_image>"
#define IDEFICS3_GLOBAL_TOKEN "<global-img>"

/* Sanity bounds: far above any real processor (576 tokens per LLaVA image, 64 per Idefics3 tile, at most
 * 8x8 tiles), low enough that sizes cannot overflow. */
#define CHAT_MAX_SEQ_LEN (1u << 16)
#define CHAT_MAX_TILES_PER_SIDE 64
#define CHAT_MAX_IMAGES 1024

vkvlm_chat_desc vkvlm_chat_desc_defaults(const vkvlm_chat_desc *desc) {
    vkvlm_chat_desc d = desc ? *desc : (vkvlm_chat_desc){0};
    if (!d.user_message) d.user_message = "";
    if (!d.image_token || !d.image_token[0]) d.image_token = "<image>";
    return d;
}

vkvlm_chat_family vkvlm_chat_family_from_model_type(const char *model_type) {
    if (!model_type) return VKVLM_CHAT_FAMILY_UNSET;
    if (strcmp(model_type, "llava") == 0) return VKVLM_CHAT_LLAVA15;
    if (strcmp(model_type, "idefics3") == 0 || strcmp(model_type, "smolvlm") == 0) return VKVLM_CHAT_IDEFICS3;
    return VKVLM_CHAT_FAMILY_UNSET;
}

static int image_is_split(vkvlm_chat_image image) { return image.rows * image.cols > 1; }

size_t vkvlm_chat_image_token_count(vkvlm_chat_family family, vkvlm_chat_image image, size_t image_seq_len) {
    if (family == VKVLM_CHAT_IDEFICS3 && image_is_split(image))
        return ((size_t)image.rows * (size_t)image.cols + 1) * image_seq_len;
    return image_seq_len;
}

static int append(vkvlm_token_text *t, const char *s) { return vkvlm_token_text_append(t, s, strlen(s)); }

static int append_repeated(vkvlm_token_text *t, const char *s, size_t count) {
    for (size_t k = 0; k < count; k++)
        if (append(t, s) != 0) return -1;
    return 0;
}

/* The template applied to one user turn, placeholders not yet expanded. */
static int apply_template(const vkvlm_chat_desc *d, vkvlm_token_text *t) {
    int rc = 0;
    if (d->family == VKVLM_CHAT_LLAVA15) {
        rc = append(t, "USER: ");
        for (size_t k = 0; rc == 0 && k < d->n_images; k++) {
            rc = append(t, d->image_token);
            if (rc == 0) rc = append(t, "\n");
        }
        if (rc == 0) rc = append(t, d->user_message);
        if (rc == 0) rc = append(t, " ASSISTANT:");
        return rc;
    }
    /* Idefics3: the role is followed by ":" when the first content item is an image, else ": ". */
    rc = append(t, d->n_images > 0 ? "<|im_start|>User:" : "<|im_start|>User: ");
    for (size_t k = 0; rc == 0 && k < d->n_images; k++) rc = append(t, d->image_token);
    if (rc == 0) rc = append(t, d->user_message);
    if (rc == 0) rc = append(t, "<end_of_utterance>\nAssistant:");
    return rc;
}

/* What one placeholder becomes. */
static int expand_image(const vkvlm_chat_desc *d, vkvlm_chat_image image, vkvlm_token_text *t) {
    if (d->family == VKVLM_CHAT_LLAVA15) return append_repeated(t, d->image_token, d->image_seq_len);
    int rc = 0;
    if (image_is_split(image)) {
        for (int r = 1; rc == 0 && r <= image.rows; r++) {
            for (int c = 1; rc == 0 && c <= image.cols; c++) {
                char tile[48];
                snprintf(tile, sizeof tile, "<row_%d_col_%d>", r, c);
                rc = append(t, IDEFICS3_FAKE_TOKEN);
                if (rc == 0) rc = append(t, tile);
                if (rc == 0) rc = append_repeated(t, d->image_token, d->image_seq_len);
            }
            if (rc == 0) rc = append(t, "\n");
        }
        if (rc == 0) rc = append(t, "\n");
    }
    if (rc == 0) rc = append(t, IDEFICS3_FAKE_TOKEN IDEFICS3_GLOBAL_TOKEN);
    if (rc == 0) rc = append_repeated(t, d->image_token, d->image_seq_len);
    if (rc == 0) rc = append(t, IDEFICS3_FAKE_TOKEN);
    return rc;
}

static size_t count_occurrences(const char *s, const char *needle) {
    size_t n = 0, len = strlen(needle);
    for (const char *p = strstr(s, needle); p; p = strstr(p + len, needle)) n++;
    return n;
}

static vkvlm_status validate(const vkvlm_chat_desc *d, vkvlm_error *err) {
    if (d->family != VKVLM_CHAT_LLAVA15 && d->family != VKVLM_CHAT_IDEFICS3)
        return vkvlm_error_set(err, VKVLM_ERR_USAGE, "chat template: no model family chosen (family %d)",
                               (int)d->family);
    if (d->n_images > CHAT_MAX_IMAGES)
        return vkvlm_error_set(err, VKVLM_ERR_LIMIT, "chat template: %zu images, more than the %d supported",
                               d->n_images, CHAT_MAX_IMAGES);
    if (d->n_images > 0 && (d->image_seq_len == 0 || d->image_seq_len > CHAT_MAX_SEQ_LEN))
        return vkvlm_error_set(err, d->image_seq_len ? VKVLM_ERR_LIMIT : VKVLM_ERR_USAGE,
                               "chat template: image_seq_len %zu is not in [1, %u]", d->image_seq_len,
                               CHAT_MAX_SEQ_LEN);
    for (size_t k = 0; d->images && k < d->n_images; k++) {
        vkvlm_chat_image im = d->images[k];
        int unsplit = (im.rows == 0 && im.cols == 0) || (im.rows == 1 && im.cols == 1);
        int grid =
            im.rows >= 1 && im.cols >= 1 && im.rows <= CHAT_MAX_TILES_PER_SIDE && im.cols <= CHAT_MAX_TILES_PER_SIDE;
        if (!unsplit && !grid)
            return vkvlm_error_set(err, VKVLM_ERR_USAGE, "chat template: image %zu has a %dx%d tile grid", k, im.rows,
                                   im.cols);
        if (!unsplit && d->family == VKVLM_CHAT_LLAVA15)
            return vkvlm_error_set(err, VKVLM_ERR_USAGE,
                                   "chat template: image %zu is split %dx%d, but LLaVA-1.5 takes whole images", k,
                                   im.rows, im.cols);
    }
    return VKVLM_OK;
}

vkvlm_status vkvlm_chat_build_prompt(const vkvlm_chat_desc *desc, vkvlm_token_text *out, vkvlm_error *err) {
    vkvlm_chat_desc d = vkvlm_chat_desc_defaults(desc);
    vkvlm_status st = validate(&d, err);
    if (st != VKVLM_OK) return st;

    vkvlm_token_text text = {0};
    int rc = d.raw_prompt ? append(&text, d.raw_prompt) : apply_template(&d, &text);
    if (rc != 0) {
        vkvlm_token_text_free(&text);
        return vkvlm_error_set(err, VKVLM_ERR_OUT_OF_MEMORY, "chat template: out of memory");
    }
    /* The processor counts placeholders in the finished text, so a user message that itself contains the
     * image token is a mismatch here too, as it would be in transformers. */
    size_t placeholders = count_occurrences(text.data, d.image_token);
    if (placeholders != d.n_images) {
        vkvlm_token_text_free(&text);
        return vkvlm_error_set(err, VKVLM_ERR_USAGE,
                               "chat template: the %s has %zu \"%s\" placeholder%s but %zu image%s given",
                               d.raw_prompt ? "raw prompt" : "prompt", placeholders, d.image_token,
                               placeholders == 1 ? "" : "s", d.n_images, d.n_images == 1 ? " was" : "s were");
    }

    size_t before = out->len, token_len = strlen(d.image_token), image = 0;
    const char *p = text.data;
    while (rc == 0) {
        const char *hit = strstr(p, d.image_token);
        if (!hit) {
            rc = append(out, p);
            break;
        }
        rc = vkvlm_token_text_append(out, p, (size_t)(hit - p));
        vkvlm_chat_image im = d.images ? d.images[image] : (vkvlm_chat_image){0, 0};
        if (rc == 0) rc = expand_image(&d, im, out);
        image++;
        p = hit + token_len;
    }
    vkvlm_token_text_free(&text);
    if (rc != 0) {
        if (out->data) {
            out->len = before;
            out->data[before] = '\0';
        }
        return vkvlm_error_set(err, VKVLM_ERR_OUT_OF_MEMORY, "chat template: out of memory");
    }
    return VKVLM_OK;
}

/* byte_level.c — GPT-2 byte alphabet and split scanner (see byte_level.h). */
#include "io/byte_level.h"

#include "io/unicode.h"

/* The 68 bytes without a printable stand-in, in byte order: 0-32, 127-160, 173. The k-th of them maps
 * to U+0100 + k. Closed forms instead of a table keep this file free of global data. */
uint32_t vkvlm_byte_level_char(unsigned char b) {
    if (b <= 32) return 0x100u + b;
    if (b >= 127 && b <= 160) return 0x100u + 33u + (b - 127u);
    if (b == 173) return 0x100u + 67u;
    return b;
}

int vkvlm_byte_level_byte(uint32_t cp) {
    if (cp < 0x100) {
        if (cp <= 32 || (cp >= 127 && cp <= 160) || cp == 173) return -1;
        return (int)cp;
    }
    uint32_t k = cp - 0x100u;
    if (k <= 32) return (int)k;
    if (k <= 66) return (int)(127u + (k - 33u));
    if (k == 67) return 173;
    return -1;
}

/* ---------------------------------------------------------------- the split scanner */

typedef enum char_class { CLASS_SPACE, CLASS_LETTER, CLASS_NUMBER, CLASS_OTHER } char_class;

static char_class classify(uint32_t cp) {
    if (vkvlm_unicode_is_white_space(cp)) return CLASS_SPACE;
    if (vkvlm_unicode_is_letter(cp)) return CLASS_LETTER;
    if (vkvlm_unicode_is_number(cp)) return CLASS_NUMBER;
    return CLASS_OTHER;
}

/* Class and byte length of the character at s[i]; invalid bytes count as one OTHER byte. */
static char_class class_at(const char *s, size_t len, size_t i, size_t *n) {
    uint32_t cp;
    *n = vkvlm_utf8_decode(s + i, len - i, &cp);
    if (*n == 0) {
        *n = 1;
        return CLASS_OTHER;
    }
    return classify(cp);
}

/* End of the run of characters of class c that starts at i (i itself when there is none). */
static size_t run_end(const char *s, size_t len, size_t i, char_class c) {
    while (i < len) {
        size_t n;
        if (class_at(s, len, i, &n) != c) break;
        i += n;
    }
    return i;
}

/* End of a run of characters that are neither space, letter nor number. */
static size_t other_run_end(const char *s, size_t len, size_t i) { return run_end(s, len, i, CLASS_OTHER); }

size_t vkvlm_byte_level_next_piece(const char *s, size_t len) {
    /* 's 't 're 've 'm 'll 'd */
    if (s[0] == '\'' && len >= 2) {
        char c = s[1];
        if (c == 's' || c == 't' || c == 'm' || c == 'd') return 2;
        if (len >= 3 && ((c == 'r' && s[2] == 'e') || (c == 'v' && s[2] == 'e') || (c == 'l' && s[2] == 'l'))) return 3;
    }
    /* ` ?X+` for X = letters, numbers, "other": the optional space only helps when it is a space, and a
     * space is none of the three classes, so trying "with space" first and then "without" reduces to
     * looking at the character after a leading U+0020. */
    size_t start = (s[0] == ' ' && len >= 2) ? 1 : 0;
    size_t n;
    char_class c = class_at(s, len, start, &n);
    if (start == 1 || c != CLASS_SPACE) {
        if (c == CLASS_LETTER) return run_end(s, len, start, CLASS_LETTER);
        if (c == CLASS_NUMBER) return run_end(s, len, start, CLASS_NUMBER);
        if (c == CLASS_OTHER) return other_run_end(s, len, start);
    }
    /* \s+(?!\S) then \s+ : from a white-space run; when a non-space follows, the lookahead makes the first
     * alternative give back the last space character (if the run has two or more), otherwise the second
     * alternative takes the single space. */
    size_t i = 0, last_start = 0, count = 0;
    while (i < len) {
        size_t k;
        if (class_at(s, len, i, &k) != CLASS_SPACE) break;
        last_start = i;
        i += k;
        count++;
    }
    if (count == 0) {
        /* Not reached for valid input (every character is in one class); take one character. */
        class_at(s, len, 0, &n);
        return n;
    }
    if (i == len || count == 1) return i;
    return last_start;
}

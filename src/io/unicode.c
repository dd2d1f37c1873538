/* unicode.c — UTF-8 coding and character-class lookups declared in unicode.h. The tables themselves live in the
 * generated unicode_tables.c. */
#include "io/unicode.h"

/* Valid second-byte range for a lead byte, per the UTF-8 well-formedness table (Unicode 3.9, table 3-7).
 * This is what makes overlongs (E0 80..9F, F0 80..8F), surrogates (ED A0..BF) and code points above
 * U+10FFFF (F4 90..BF) invalid at the second byte, which is also where from_utf8_lossy cuts its subparts. */
static int utf8_second_byte_ok(unsigned char lead, unsigned char b) {
    switch (lead) {
    case 0xE0: return b >= 0xA0 && b <= 0xBF;
    case 0xED: return b >= 0x80 && b <= 0x9F;
    case 0xF0: return b >= 0x90 && b <= 0xBF;
    case 0xF4: return b >= 0x80 && b <= 0x8F;
    default: return b >= 0x80 && b <= 0xBF;
    }
}

/* Sequence length announced by a lead byte, 0 for bytes that can never start a sequence (continuation bytes,
 * C0, C1, F5..FF). */
static size_t utf8_lead_length(unsigned char lead) {
    if (lead < 0x80) return 1;
    if (lead >= 0xC2 && lead <= 0xDF) return 2;
    if (lead >= 0xE0 && lead <= 0xEF) return 3;
    if (lead >= 0xF0 && lead <= 0xF4) return 4;
    return 0;
}

size_t vkvlm_utf8_decode(const char *s, size_t len, uint32_t *cp) {
    if (len == 0) return 0;
    const unsigned char *u = (const unsigned char *)s;
    size_t n = utf8_lead_length(u[0]);
    if (n == 0 || n > len) return 0;
    if (n == 1) {
        *cp = u[0];
        return 1;
    }
    if (!utf8_second_byte_ok(u[0], u[1])) return 0;
    for (size_t i = 2; i < n; i++)
        if ((u[i] & 0xC0) != 0x80) return 0;
    uint32_t v = u[0] & (0x7F >> n);
    for (size_t i = 1; i < n; i++) v = (v << 6) | (u[i] & 0x3F);
    *cp = v;
    return n;
}

size_t vkvlm_utf8_encode(uint32_t cp, char out[4]) {
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xE0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

size_t vkvlm_utf8_first_invalid(const char *s, size_t len) {
    size_t i = 0;
    while (i < len) {
        uint32_t cp;
        size_t n = vkvlm_utf8_decode(s + i, len - i, &cp);
        if (n == 0) return i;
        i += n;
    }
    return len;
}

size_t vkvlm_utf8_invalid_run(const char *s, size_t len) {
    if (len == 0) return 0;
    const unsigned char *u = (const unsigned char *)s;
    size_t n = utf8_lead_length(u[0]);
    if (n <= 1) return 1; /* a byte that cannot start a sequence is its own subpart */
    if (len < 2 || !utf8_second_byte_ok(u[0], u[1])) return 1;
    size_t i = 2;
    while (i < n && i < len && (u[i] & 0xC0) == 0x80) i++;
    return i; /* the lead plus the continuation bytes that fit, cut short by a bad byte or the end */
}

static int range_contains(const vkvlm_unicode_range *table, size_t count, uint32_t cp) {
    size_t lo = 0, hi = count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (cp < table[mid].lo)
            hi = mid;
        else if (cp > table[mid].hi)
            lo = mid + 1;
        else
            return 1;
    }
    return 0;
}

int vkvlm_unicode_is_letter(uint32_t cp) {
    if (cp < 0x80) return (cp | 0x20) >= 'a' && (cp | 0x20) <= 'z';
    return range_contains(vkvlm_unicode_letters, vkvlm_unicode_letters_count, cp);
}

int vkvlm_unicode_is_number(uint32_t cp) {
    if (cp < 0x80) return cp >= '0' && cp <= '9';
    return range_contains(vkvlm_unicode_numbers, vkvlm_unicode_numbers_count, cp);
}

int vkvlm_unicode_is_white_space(uint32_t cp) {
    return range_contains(vkvlm_unicode_white_space, vkvlm_unicode_white_space_count, cp);
}

int vkvlm_unicode_is_word(uint32_t cp) { return range_contains(vkvlm_unicode_word, vkvlm_unicode_word_count, cp); }

/* unicode.h — the UTF-8 and character-class facts the tokenizer needs.
 *
 * Does: decode one UTF-8 scalar (strictly: no overlongs, no surrogates, nothing above U+10FFFF), encode one,
 * validate a byte string, convert bytes to UTF-8 with U+FFFD for invalid parts exactly as Rust's
 * String::from_utf8_lossy does (one U+FFFD per "maximal subpart", the Unicode-recommended practice), and
 * classify code points as letter (\p{L}), number (\p{N}), white space (\s = White_Space) or word (\w).
 * Does not: normalize (NFC/NFKC), change case, or segment graphemes.
 *
 * The class tables are generated (src/io/unicode_tables.c by tools/gen_unicode_tables.py) and searched by
 * binary search.
 */
#ifndef VKVLM_IO_UNICODE_H
#define VKVLM_IO_UNICODE_H

#include <stddef.h>
#include <stdint.h>

#define VKVLM_UNICODE_REPLACEMENT 0xFFFDu

/* One inclusive code point range of a class table. */
typedef struct vkvlm_unicode_range {
    uint32_t lo; /* first code point in the range */
    uint32_t hi; /* last code point in the range (inclusive) */
} vkvlm_unicode_range;

/* Generated tables (unicode_tables.c). */
extern const vkvlm_unicode_range vkvlm_unicode_letters[];
extern const size_t vkvlm_unicode_letters_count;
extern const vkvlm_unicode_range vkvlm_unicode_numbers[];
extern const size_t vkvlm_unicode_numbers_count;
extern const vkvlm_unicode_range vkvlm_unicode_white_space[];
extern const size_t vkvlm_unicode_white_space_count;
extern const vkvlm_unicode_range vkvlm_unicode_word[];
extern const size_t vkvlm_unicode_word_count;

/* Decodes the scalar at s[0..len). Returns its byte length (1-4) and stores it in *cp, or 0 when the bytes
 * there do not start a valid, complete UTF-8 sequence (len == 0 included). */
size_t vkvlm_utf8_decode(const char *s, size_t len, uint32_t *cp);

/* Writes the UTF-8 form of cp (a valid scalar) to out[0..4); returns its byte length. */
size_t vkvlm_utf8_encode(uint32_t cp, char out[4]);

/* Returns the byte offset of the first invalid UTF-8 sequence in s[0..len), or len when it is all valid. */
size_t vkvlm_utf8_first_invalid(const char *s, size_t len);

/* Length of the longest prefix of s[0..len) that is a valid *start* of some UTF-8 sequence but incomplete,
 * i.e. the "maximal subpart" that from_utf8_lossy turns into one U+FFFD. Returns at least 1 for len > 0. Used
 * at positions where vkvlm_utf8_decode returned 0. */
size_t vkvlm_utf8_invalid_run(const char *s, size_t len);

/* Character classes (code points outside the tables are in none of them). */
int vkvlm_unicode_is_letter(uint32_t cp);      /* \p{L} */
int vkvlm_unicode_is_number(uint32_t cp);      /* \p{N}, also Rust's char::is_numeric */
int vkvlm_unicode_is_white_space(uint32_t cp); /* \s: the White_Space property */
int vkvlm_unicode_is_word(uint32_t cp);        /* \w of Rust's regex crate */

#endif

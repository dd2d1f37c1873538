/* byte_level.h — the GPT-2 "byte-level" pieces of tokenizer.json: ByteLevel pre-tokenizer and decoder.
 *
 * Does: the GPT-2 byte <-> character alphabet (every byte gets a printable stand-in: bytes 33-126, 161-172
 * and 174-255 stand for themselves, the other 68 become U+0100.. in byte order), and the GPT-2 split
 * regex  's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+  as a hand-written
 * scanner with the same leftmost-first alternation and backtracking result (Oniguruma's, as tokenizers
 * compiles it: \s = White_Space, ' ' = U+0020 only, case-sensitive contractions).
 * Does not: run arbitrary regexes (Split pre-tokenizers with other patterns are rejected by the loader), or
 * own any state: everything here is a pure function.
 */
#ifndef VKVLM_IO_BYTE_LEVEL_H
#define VKVLM_IO_BYTE_LEVEL_H

#include <stddef.h>
#include <stdint.h>

/* The stand-in code point of a byte. */
uint32_t vkvlm_byte_level_char(unsigned char byte);

/* The byte a stand-in code point represents, or -1 when cp is not in the alphabet. */
int vkvlm_byte_level_byte(uint32_t cp);

/* Length in bytes of the regex match that starts at s[0] (s valid UTF-8, len > 0). The pattern matches at
 * every position, so successive calls cut the whole text into pieces. */
size_t vkvlm_byte_level_next_piece(const char *s, size_t len);

#endif

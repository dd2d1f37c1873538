/* stb_image_impl.c — the one translation unit that compiles Debian's stb_image (libstb-dev, v2.27).
 *
 * It compiles only the decoders vkvlm accepts: PNG, JPEG, BMP and GIF (first frame). There is no stdio: image.c
 * reads files itself and decodes from memory, so errors name the file and the library never touches FILE*.
 * It contains no vkvlm logic; src/io/image.c is the only caller.
 *
 * Choices, and why:
 *  - STBI_NO_SIMD: one scalar JPEG path on every target (x86, ARM, WebAssembly), so a given JPEG decodes to the
 *    same bytes in every vkvlm build. (JPEG still differs slightly from PIL's libjpeg-turbo; see image.h.)
 *  - STBI_NO_LINEAR / HDR off: vkvlm only wants 8-bit (and 16-bit for greyscale PNG) pixels.
 *  - STBI_ASSERT stays the default assert(): stb uses it for internal invariants only (STYLE R5), and a fuzz
 *    build (no NDEBUG) turns a violated invariant into a finding instead of silent memory corruption.
 *  - STBI_MALLOC is calloc: stb 2.27 reads Huffman tables a corrupt JPEG never defined from a malloc'd
 *    decoder struct (an out-of-bounds read that depends on old heap contents; found by fuzz_image). Zeroed
 *    memory makes every such read defined and every corrupt file decode (or fail) the same way each time.
 *  - stb's failure reason is thread-local in C11 (_Thread_local), so concurrent decodes do not race on it.
 *  - The only other global state in stb (flip / unpremultiply / iPhone-PNG flags) is never set by vkvlm.
 * Third-party warnings are silenced here, locally, so the rest of the build keeps -Wall -Wextra -Werror.
 * The one function of vkvlm's own here, vkvlm_stb_clear_failure, exists because stb keeps its last failure
 * reason across calls and offers no way to reset it: without it a message could quote an older failure.
 */
#define STB_IMAGE_IMPLEMENTATION
#define STBI_NO_STDIO
#define STBI_NO_SIMD
#define STBI_NO_LINEAR
#define STBI_ONLY_PNG
#define STBI_ONLY_JPEG
#define STBI_ONLY_BMP
#define STBI_ONLY_GIF

#include <stdlib.h>
#define STBI_MALLOC(size) calloc(1, (size))
#define STBI_REALLOC(p, size) realloc((p), (size))
#define STBI_FREE(p) free(p)

#if defined(__clang__)
#pragma clang diagnostic push
#pragma clang diagnostic ignored "-Weverything"
/* Two kinds of undefined behaviour in stb that corrupt input reaches and that touch no memory: int overflow of
 * corrupt JPEG coefficients in the IDCT (as in libjpeg's jidctint; the pixels are garbage), and NULL + 0 when a
 * PNG's first IDAT chunk is empty, and memcpy(NULL, p, 0) in stbi__getn when a chunk of length 0 is read into
 * no buffer (found by fuzz_image in CI; copies nothing), and shifts by 32 or more in the JPEG bit reader when a
 * corrupt stream drives its bit count negative (the bits are garbage, no memory is touched). UBSan would stop the fuzzer on them; stb's other
 * undefined behaviour and every memory error (ASan) stay reported. (-fwrapv on this file, requested in
 * CMake, defines the wrap.) */
#pragma clang attribute push(__attribute__((no_sanitize("signed-integer-overflow", "pointer-overflow", \
                                                        "nonnull-attribute", "shift"))), \
                             apply_to = function)
#elif defined(__GNUC__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wall"
#pragma GCC diagnostic ignored "-Wextra"
#pragma GCC diagnostic ignored "-Wshadow"
#pragma GCC diagnostic ignored "-Wstrict-prototypes"
#pragma GCC diagnostic ignored "-Wsign-compare"
#pragma GCC diagnostic ignored "-Wunused-function"
#pragma GCC diagnostic ignored "-Wunused-parameter"
#pragma GCC diagnostic ignored "-Wimplicit-fallthrough"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

#include <stb_image.h>

#if defined(__clang__)
#pragma clang attribute pop
#pragma clang diagnostic pop
#elif defined(__GNUC__)
#pragma GCC diagnostic pop
#endif

/* Forgets stb's last failure reason (this thread's), so the next stbi_failure_reason() is about the next call. */
void vkvlm_stb_clear_failure(void);
void vkvlm_stb_clear_failure(void) { stbi__g_failure_reason = NULL; }

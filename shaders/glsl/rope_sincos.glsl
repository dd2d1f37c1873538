// rope_sincos.glsl — sin and cos of a rotary angle for the rope kernels (rope_neox_f32, rope_qkv_f32).
// Not the GLSL builtins: Vulkan only bounds those on [-pi, pi], and angles reach the position count.
// Cody-Waite reduction by pi/2 with a four-part constant, exact for |a| < 1e5, then minimax polynomials on
// [-pi/4, pi/4]; error about 1e-7 against cos/sin of the same f32 angle.
// (sin a, cos a). q*P1..q*P3 are exact for |q| < 2^16 (8-bit constants), so a - q*pi/2 keeps the angle's
// own precision; `precise` keeps the compiler from reassociating the reduction.
vec2 sin_cos(float a) {
    precise float q = floor(a * 0.636619772367581343 + 0.5);
    precise float r = a - q * 1.5703125;
    r = r - q * 4.825592041015625e-4;
    r = r - q * 1.2665987014770508e-6;
    r = r - q * 9.9209362947050295e-10;
    float z = r * r;
    float s = r + r * z * (-1.6666654611e-1 + z * (8.3321608736e-3 + z * -1.9515295891e-4));
    float c = 1.0 - 0.5 * z + z * z * (4.166664568298827e-2 + z * (-1.388731625493765e-3 + z * 2.443315711809948e-5));
    int quadrant = int(q) & 3; // two's complement: correct for negative q too
    if (quadrant == 0) return vec2(s, c);
    if (quadrant == 1) return vec2(c, -s);
    if (quadrant == 2) return vec2(-s, -c);
    return vec2(-c, s);
}

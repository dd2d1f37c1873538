// argmax_f32 — WGSL twin of shaders/glsl/argmax_f32.comp: out[0] = the index of the largest x[i] (lowest
// index among equal values; NaN never wins).
// Bindings: 0 x [n] f32 (read), 1 out [1] u32 (written), 2 params (uniform gpu_params_argmax).
// Overrides: @id(0) workgroup size (a power of two, default 256). One workgroup: each invocation scans a
// strided slice, then a workgroup-memory tree keeps (value, index) pairs.
// Rewrites: WGSL has no isnan (and lets compilers assume no NaN in float comparisons), so NaN is recognised
// from its bits; the starting value is irrelevant (an empty slot is marked by its index) and is 0, as WGSL
// constants cannot be infinite.
struct Params { n: u32 }

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> o: array<u32>;
@group(0) @binding(2) var<uniform> p: Params;

@id(0) override wg: u32 = 256u;

const NONE = 0xFFFFFFFFu;

var<workgroup> best_value: array<f32, wg>;
var<workgroup> best_index: array<u32, wg>;

fn is_nan(v: f32) -> bool {
    return (bitcast<u32>(v) & 0x7FFFFFFFu) > 0x7F800000u;
}

// a beats b: larger value, or equal value and lower index (neither is NaN here).
fn beats(va: f32, ia: u32, vb: f32, ib: u32) -> bool {
    return va > vb || (va == vb && ia < ib);
}

@compute @workgroup_size(wg)
fn main(@builtin(local_invocation_index) lane: u32) {
    var v = 0.0;
    var idx = NONE;
    for (var i = lane; i < p.n; i += wg) {
        let xi = x[i];
        if (is_nan(xi)) {
            continue;
        }
        if (idx == NONE || beats(xi, i, v, idx)) {
            v = xi;
            idx = i;
        }
    }
    best_value[lane] = v;
    best_index[lane] = idx;
    workgroupBarrier();
    for (var step = wg / 2u; step > 0u; step /= 2u) {
        if (lane < step) {
            let ov = best_value[lane + step];
            let oi = best_index[lane + step];
            if (oi != NONE && (best_index[lane] == NONE || beats(ov, oi, best_value[lane], best_index[lane]))) {
                best_value[lane] = ov;
                best_index[lane] = oi;
            }
        }
        workgroupBarrier();
    }
    if (lane == 0u) {
        o[0] = select(best_index[0], 0u, best_index[0] == NONE);
    }
}

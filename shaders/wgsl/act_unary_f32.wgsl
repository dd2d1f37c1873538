// act_unary_f32 — WGSL twin of shaders/glsl/act_unary_f32.comp: out[i] = f(x[i]), f by op:
//   0 scale x * s; 1 gelu (erf form, as x/2 * erfc(-x/sqrt 2)); 2 gelu_tanh (as x / (1 + exp(-2u)));
//   3 quick_gelu x * sigmoid(1.702 x); 4 silu x * sigmoid(x). The GLSL file explains each rewrite.
// Bindings: 0 x, 1 out (written), 2 params (uniform gpu_params_act). Unlike Vulkan, out may not be x
// itself: WebGPU rejects one range bound read-only and writable in the same dispatch.
// Overrides: @id(0) workgroup size (default 64).
struct Params { n: u32, op: u32, s: f32 }

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> o: array<f32>;
@group(0) @binding(2) var<uniform> p: Params;

@id(0) override wg: u32 = 64u;

// erfc(z) for z >= 0: Numerical Recipes' erfcc Chebyshev fit, fractional error below 1.2e-7.
fn erfc_pos(z: f32) -> f32 {
    let t = 1.0 / (1.0 + 0.5 * z);
    var q = 0.17087277;
    q = -0.82215223 + t * q;
    q = 1.48851587 + t * q;
    q = -1.13520398 + t * q;
    q = 0.27886807 + t * q;
    q = -0.18628806 + t * q;
    q = 0.09678418 + t * q;
    q = 0.37409196 + t * q;
    q = 1.00002368 + t * q;
    q = -1.26551223 + t * q;
    return t * exp(-z * z + q);
}

fn act(v: f32) -> f32 {
    if (p.op == 0u) {
        return v * p.s;
    }
    if (p.op == 1u) {
        let e = erfc_pos(abs(v) * 0.70710678118654752);
        return 0.5 * v * select(e, 2.0 - e, v >= 0.0);
    }
    if (p.op == 2u) {
        let u = 0.79788456080286536 * (v + 0.044715 * v * v * v);
        return v / (1.0 + exp(-2.0 * u));
    }
    if (p.op == 3u) {
        return v / (1.0 + exp(-1.702 * v));
    }
    return v / (1.0 + exp(-v));
}

@compute @workgroup_size(wg)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
    let i = gid.x + gid.y * nwg.x * wg;
    if (i < p.n) {
        o[i] = act(x[i]);
    }
}

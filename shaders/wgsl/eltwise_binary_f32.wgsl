// eltwise_binary_f32 — WGSL twin of shaders/glsl/eltwise_binary_f32.comp: out[i] = a[i] (op) b[i % b_n], op 0
// add, 1 mul; b_n = n element-wise, b_n = row length broadcasts a row vector.
// Bindings: 0 a, 1 b, 2 out (written; must not alias a or b), 3 params (uniform gpu_params_eltwise_binary).
// Overrides: @id(0) workgroup size (default 64).
struct Params { n: u32, b_n: u32, op: u32 }

@group(0) @binding(0) var<storage, read> a: array<f32>;
@group(0) @binding(1) var<storage, read> b: array<f32>;
@group(0) @binding(2) var<storage, read_write> o: array<f32>;
@group(0) @binding(3) var<uniform> p: Params;

@id(0) override wg: u32 = 64u;

@compute @workgroup_size(wg)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
    let i = gid.x + gid.y * nwg.x * wg;
    if (i >= p.n) {
        return;
    }
    let bv = b[select(i % p.b_n, i, p.b_n == p.n)];
    o[i] = select(a[i] * bv, a[i] + bv, p.op == 0u);
}

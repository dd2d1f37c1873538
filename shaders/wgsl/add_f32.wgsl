// add_f32 — WGSL twin of shaders/glsl/add_f32.comp: out[i] = a[i] + b[i].
// Bindings: 0 a (f32), 1 b (f32), 2 out (f32, written), 3 params (uniform gpu_params_binary).
// Overrides: @id(0) workgroup size (default 64).
struct Params { n: u32 }

@group(0) @binding(0) var<storage, read> a: array<f32>;
@group(0) @binding(1) var<storage, read> b: array<f32>;
@group(0) @binding(2) var<storage, read_write> o: array<f32>;
@group(0) @binding(3) var<uniform> p: Params;

@id(0) override wg: u32 = 64u;

@compute @workgroup_size(wg)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
    // 2-D grid: x * y workgroups cover n when n exceeds one axis's workgroup count limit.
    let i = gid.x + gid.y * nwg.x * wg;
    if (i < p.n) {
        o[i] = a[i] + b[i];
    }
}

// eltwise_add_inplace_f32 — WGSL twin of shaders/glsl/eltwise_add_inplace_f32.comp: y[i] += x[i % x_n], the
// residual add (x_n = n) or an in-place row broadcast (x_n = row length).
// Bindings: 0 x, 1 y (read and written), 2 params (uniform gpu_params_eltwise_inplace).
// Overrides: @id(0) workgroup size (default 64).
struct Params { n: u32, x_n: u32 }

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> y: array<f32>;
@group(0) @binding(2) var<uniform> p: Params;

@id(0) override wg: u32 = 64u;

@compute @workgroup_size(wg)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
    let i = gid.x + gid.y * nwg.x * wg;
    if (i >= p.n) {
        return;
    }
    y[i] += x[select(i % p.x_n, i, p.x_n == p.n)];
}

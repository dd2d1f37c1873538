// patch_im2col_f32 — WGSL twin of shaders/glsl/patch_im2col_f32.comp:
//   patches[p, c*P*P + y*P + x] = pixels[c, gy*P + y, gx*P + x], p = gy*grid_w + gx.
// Bindings: 0 pixels [C,H,W] f32 (read), 1 patches [grid_h*grid_w, C*P*P] f32 (written), 2 params (uniform
// gpu_params_im2col). Overrides: @id(0) workgroup size (default 64). One invocation per output element, over
// a 2-D grid when the element count exceeds one axis.
struct Params { channels: u32, height: u32, width: u32, patch_size: u32, grid_h: u32, grid_w: u32 }

@group(0) @binding(0) var<storage, read> pixels: array<f32>;
@group(0) @binding(1) var<storage, read_write> patches: array<f32>;
@group(0) @binding(2) var<uniform> p: Params;

@id(0) override wg: u32 = 64u;

@compute @workgroup_size(wg)
fn main(@builtin(global_invocation_id) gid3: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
    let cols = p.channels * p.patch_size * p.patch_size;
    let i = gid3.x + gid3.y * nwg.x * wg;
    if (i >= p.grid_h * p.grid_w * cols) {
        return;
    }
    let pp = p.patch_size * p.patch_size;
    let patch_index = i / cols;
    let col = i % cols;
    let c = col / pp;
    let within = col % pp;
    let yy = (patch_index / p.grid_w) * p.patch_size + within / p.patch_size;
    let xx = (patch_index % p.grid_w) * p.patch_size + within % p.patch_size;
    patches[i] = pixels[(c * p.height + yy) * p.width + xx];
}

#version 450
// patch_im2col_f32 — patches[p, c*P*P + y*P + x] = pixels[c, gy*P + y, gx*P + x], p = gy*grid_w + gx.
// Bindings: 0 pixels [C,H,W] f32 (read), 1 patches [grid_h*grid_w, C*P*P] f32 (written).
// Push constants: gpu_params_im2col. Specialization constants: 0 workgroup size (default 64).
// One invocation per output element, over a 2-D grid when the element count exceeds one axis.
layout(local_size_x_id = 0) in;
layout(local_size_x = 64) in;

layout(std430, binding = 0) readonly buffer Pixels { float pixels[]; };
layout(std430, binding = 1) writeonly buffer Patches { float patches[]; };
layout(push_constant) uniform Params {
    uint channels; uint height; uint width; uint patch_size; uint grid_h; uint grid_w;
} p;

void main() {
    uint cols = p.channels * p.patch_size * p.patch_size;
    uint i = gl_GlobalInvocationID.x + gl_GlobalInvocationID.y * gl_NumWorkGroups.x * gl_WorkGroupSize.x;
    if (i >= p.grid_h * p.grid_w * cols) return;
    uint patch_index = i / cols, col = i % cols;
    uint c = col / (p.patch_size * p.patch_size), within = col % (p.patch_size * p.patch_size);
    uint y = (patch_index / p.grid_w) * p.patch_size + within / p.patch_size;
    uint x = (patch_index % p.grid_w) * p.patch_size + within % p.patch_size;
    patches[i] = pixels[(c * p.height + y) * p.width + x];
}

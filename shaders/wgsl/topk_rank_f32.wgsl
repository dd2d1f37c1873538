// topk_rank_f32 — WGSL twin of shaders/glsl/topk_rank_f32.comp: keep-mask of the k largest (largest = 1) or
// smallest (largest = 0) values of each row of v [rows, n]: element i's rank is the number of j that beat it
// (greater, or smaller for bottom-k; on ties the lower index wins), and mask[r, i] = rank < k. Exactly
// min(k, n) elements are kept per row, deterministically. NaN inputs: undefined choice.
// Bindings: 0 v (f32 [rows, n], read), 1 mask (u32 [rows, n], written), 2 params (uniform gpu_params_topk).
// Overrides: @id(0) workgroup size (default 64). One invocation per element (2-D grid), O(n) compares each.
struct Params { rows: u32, n: u32, k: u32, largest: u32 }

@group(0) @binding(0) var<storage, read> v: array<f32>;
@group(0) @binding(1) var<storage, read_write> mask: array<u32>;
@group(0) @binding(2) var<uniform> p: Params;

@id(0) override wg: u32 = 64u;

@compute @workgroup_size(wg)
fn main(@builtin(global_invocation_id) gid3: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
    let gid = gid3.x + gid3.y * nwg.x * wg;
    if (gid >= p.rows * p.n) {
        return;
    }
    let row = gid / p.n;
    let i = gid - row * p.n;
    let base = row * p.n;
    let vi = v[gid];
    var rank = 0u;
    if (p.largest != 0u) {
        for (var j = 0u; j < p.n && rank < p.k; j++) {
            let vj = v[base + j];
            rank += select(0u, 1u, vj > vi || (vj == vi && j < i));
        }
    } else {
        for (var j = 0u; j < p.n && rank < p.k; j++) {
            let vj = v[base + j];
            rank += select(0u, 1u, vj < vi || (vj == vi && j < i));
        }
    }
    mask[gid] = select(0u, 1u, rank < p.k);
}

// scan_mask_u32 — WGSL twin of shaders/glsl/scan_mask_u32.comp: per row of a keep-mask m [rows, n] (u32,
// nonzero = keep):
//   offsets[r, i] = number of kept j < i (exclusive prefix sum), offsets[r, n] = the kept total;
//   kept[r, j] = the j-th kept index (ascending) for j < total, -1 for total <= j < n.
// Bindings: 0 mask (u32 [rows, n], read), 1 offsets (u32 [rows, n+1], written), 2 kept (i32 [rows, n],
// written), 3 params (uniform gpu_params_rows, cols = n). Overrides: @id(0) workgroup size (power of two,
// default 256). One workgroup per row (rows beyond the x axis continue on y): each invocation sums a
// contiguous segment, a shared-memory Hillis-Steele scan turns the segment sums into carries, then each
// segment is written in order. Integer sums: deterministic on every device.
struct Params { rows: u32, n: u32 }

@group(0) @binding(0) var<storage, read> mask: array<u32>;
@group(0) @binding(1) var<storage, read_write> offsets: array<u32>;
@group(0) @binding(2) var<storage, read_write> kept: array<i32>;
@group(0) @binding(3) var<uniform> p: Params;

@id(0) override wg: u32 = 256u;

var<workgroup> part: array<u32, wg>;

@compute @workgroup_size(wg)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lane: u32) {
    let row = wid.x + wid.y * nwg.x;
    if (row >= p.rows) {
        return; // uniform per workgroup
    }
    let per = (p.n + wg - 1u) / wg;
    let begin = min(lane * per, p.n);
    let end = min(begin + per, p.n);
    let mbase = row * p.n;
    var local_sum = 0u;
    for (var i = begin; i < end; i++) {
        local_sum += select(0u, 1u, mask[mbase + i] != 0u);
    }
    part[lane] = local_sum;
    workgroupBarrier();
    for (var s = 1u; s < wg; s <<= 1u) { // inclusive scan of the segment sums
        var v = 0u;
        if (lane >= s) {
            v = part[lane - s];
        }
        workgroupBarrier();
        part[lane] += v;
        workgroupBarrier();
    }
    let total = part[wg - 1u];
    var carry = part[lane] - local_sum;
    let obase = row * (p.n + 1u);
    for (var i = begin; i < end; i++) {
        offsets[obase + i] = carry;
        if (mask[mbase + i] != 0u) {
            kept[mbase + carry] = i32(i);
            carry++;
        }
    }
    for (var j = total + lane; j < p.n; j += wg) {
        kept[mbase + j] = -1;
    }
    if (lane == 0u) {
        offsets[obase + p.n] = total;
    }
}

#!/usr/bin/env bash
# CLI contract of `vkvlm report`: merges bench JSON files from two devices (ops and model kinds) into
# report.md and SVG charts; bad input exits 1 naming the file, bad usage exits 2. Needs no GPU.
set -u
vkvlm=$(cd "$(dirname "$1")" && pwd)/$(basename "$1") # absolute: one check runs from another folder
passed=0 failed=0
check() { if [ "$2" -eq 0 ]; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAIL: $1" >&2; fi; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

# Fixtures: what bench --ops --json and bench -m --json write, with round numbers so the tables can be
# checked exactly. The second ops file has no "kind" (files from before the tag) and lacks one op.
cat >"$tmp/ops_a.json" <<'EOF'
{"kind": "ops", "schema": 1, "date": "2026-12-04T00:00:00Z",
 "device": {"backend": "vulkan", "name": "GPU Alpha", "vendor": "AMD", "driver": "radv", "driver_info": "Mesa 24"},
 "ops": [
  {"name": "add_f32(n=1024)", "kernel": "add_f32", "runs": 3, "ms_median": 0.01, "ms_min": 0.01,
   "flops": 1024, "bytes": 12288, "gflops": 0.1, "gbps": 123.4},
  {"name": "linear(m=512,n=512,k=512,wdtype=0)", "kernel": "matmul_tiled_f32", "runs": 3, "ms_median": 1,
   "ms_min": 1, "flops": 268435456, "bytes": 3145728, "gflops": 268.4, "gbps": 3.1}]}
EOF
cat >"$tmp/ops_b.json" <<'EOF'
{"date": "2026-12-04T00:00:00Z",
 "device": {"backend": "vulkan", "name": "GPU <Beta> & Co", "vendor": "Intel", "driver": "anv", "driver_info": ""},
 "ops": [
  {"name": "linear(m=512,n=512,k=512,wdtype=0)", "kernel": "matmul_tiled_f32_sg", "runs": 3, "ms_median": 2,
   "ms_min": 2, "flops": 268435456, "bytes": 3145728, "gflops": 134.2, "gbps": 1.5}]}
EOF
model() { # model NAME PREFILL_NONE PREFILL_FASTV
  cat <<EOF
{"kind": "model", "schema": 1, "model": "/models/tiny", "model_type": "llava", "date": "2026-12-04T00:00:00Z",
 "device": {"name": "$1", "backend": "vulkan", "driver": "drv"}, "repeat": 3, "new_tokens": 4,
 "settings": [
  {"reduce": "none", "prompt_tokens": 100, "kept_tokens": 100, "vision_ms": 5, "prefill_ms": $2,
   "prefill_ms_min": $2, "prefill_ms_max": $2, "decode_tokens_per_s": 50, "flops_llm": 1000, "flops_total": 1200},
  {"reduce": "fastv:k=2,r=0.5", "prompt_tokens": 100, "kept_tokens": 60, "vision_ms": 5, "prefill_ms": $3,
   "prefill_ms_min": $3, "prefill_ms_max": $3, "decode_tokens_per_s": 55, "flops_llm": 600, "flops_total": 800}]}
EOF
}
model "GPU Alpha" 100 70 >"$tmp/model_a.json"
model "GPU <Beta> & Co" 200 120 >"$tmp/model_b.json"

"$vkvlm" report "$tmp/ops_a.json" "$tmp/ops_b.json" "$tmp/model_a.json" "$tmp/model_b.json" -o "$tmp/out/r" \
  >"$tmp/stdout" 2>"$tmp/err"
check "report exits 0" $?
md=$tmp/out/r/report.md
[ -s "$md" ]; check "writes report.md into a new nested -o folder" $?
grep -q '^| ops_a.json | ops | GPU Alpha | AMD | vulkan | radv Mesa 24 |' "$md"; check "device table row" $?
grep -q '^| model_b.json | model | GPU <Beta> & Co | - | vulkan | drv |' "$md"; check "device table: model file" $?
grep -q '^| op | kernel | unit | GPU Alpha | GPU <Beta> & Co |$' "$md"; check "kernel table: one column per device" $?
grep -qF '| linear(m=512,n=512,k=512,wdtype=0) | matmul_tiled_f32 / matmul_tiled_f32_sg | GFLOP/s | 268 | 134 |' "$md"
check "kernel row: GFLOP/s side by side, both kernels" $?
grep -qF '| add_f32(n=1024) | add_f32 | GB/s | 123 | - |' "$md"; check "memory-bound row in GB/s, missing cell '-'" $?
grep -qF '| GPU Alpha | fastv:k=2,r=0.5 | 100 → 60 | 5.00 | 70.0 | 70.0–70.0 | 0.70x | 0.60x | 75% | 55.0 |' "$md"
check "model row: ratios to none and realised share (device A)" $?
grep -qF '| GPU <Beta> & Co | fastv:k=2,r=0.5 | 100 → 60 | 5.00 | 120 | 120–120 | 0.60x | 0.60x | 100% | 55.0 |' "$md"
check "model row: device B against its own none" $?
grep -qF '| GPU Alpha | none | 100 → 100 | 5.00 | 100 | 100–100 | 1.00x | 1.00x | - | 50.0 |' "$md"
check "none row" $?
for svg in kernels_gflops kernels_gbps prefill_1; do
  f=$tmp/out/r/$svg.svg
  [ -s "$f" ] && grep -q "($svg.svg)" "$md"; check "$svg.svg exists and the report links it" $?
  # well-formed enough without an XML parser: one root, closed, tags balanced, text escaped
  head -2 "$f" | grep -q '^<svg xmlns="http://www.w3.org/2000/svg"' && tail -1 "$f" | grep -qx '</svg>'
  check "$svg.svg: one <svg> root, closed" $?
  for tag in g text title; do
    [ "$(grep -o "<$tag[ >]" "$f" | wc -l)" -eq "$(grep -o "</$tag>" "$f" | wc -l)" ]
    check "$svg.svg: <$tag> opened and closed as often" $?
  done
  ! grep -v '^<?xml' "$f" | sed 's/<[^<>]*>//g' | grep -q '[<>]'; check "$svg.svg: no stray < or > in text" $?
  ! sed 's/&amp;\|&lt;\|&gt;\|&quot;\|&apos;//g' "$f" | grep -q '&'; check "$svg.svg: every & is an entity" $?
done
grep -q 'GPU &lt;Beta&gt; &amp; Co' "$tmp/out/r/kernels_gflops.svg"; check "legend text is escaped" $?
grep -q '>fastv:k=2,r=0.5<' "$tmp/out/r/prefill_1.svg"; check "prefill chart labels the setting" $?

# A file from the web page's Benchmark button (web/vkvlm_web_bench.c): WebGPU has no timestamps, so every GPU
# time is null; the report lists that device's kernels by dispatches and still compares its settings.
web_model() { # web_model BACKEND GPU_MS (null on WebGPU)
  cat <<EOF
{"kind": "model", "schema": 1, "model": "tiny-llava", "source": "tiny", "model_type": "llava",
 "device": {"backend": "$1", "name": "SwiftShader Device (Subzero)", "vendor": "google", "architecture": "swiftshader",
            "device": "", "description": "SwiftShader Device (Subzero)", "driver": "webgpu", "timestamps": false},
 "repeat": 2, "new_tokens": 4,
 "settings": [
  {"reduce": "none", "prompt_tokens": 100, "kept_tokens": 100, "vision_ms": 5, "prefill_ms": 100,
   "prefill_ms_min": 90, "prefill_ms_max": 110, "decode_tokens_per_s": 50, "flops_llm": 1000,
   "metrics": {"prefill_ms": {"median": 100, "min": 90, "max": 110}, "gpu_prefill_ms": $2},
   "kernels": [{"stage": "prefill", "name": "matmul_tiled_f32", "dispatches": 24, "gpu_ms": $2},
               {"stage": "decode", "name": "rms_norm_f32", "dispatches": 9, "gpu_ms": $2}]},
  {"reduce": "fastv:k=2,r=0.5", "prompt_tokens": 100, "kept_tokens": 60, "vision_ms": 5, "prefill_ms": 80,
   "prefill_ms_min": 80, "prefill_ms_max": 80, "decode_tokens_per_s": 55, "flops_llm": 600,
   "kernels": [{"stage": "prefill", "name": "matmul_tiled_f32", "dispatches": 24, "gpu_ms": $2}]}]}
EOF
}
web_model webgpu null >"$tmp/web.json"
"$vkvlm" report "$tmp/web.json" -o "$tmp/web" >/dev/null 2>"$tmp/err"; check "report reads a file with null GPU times" $?
wmd=$tmp/web/report.md
grep -q '^Dispatches per kernel on SwiftShader Device (Subzero) .*no GPU timestamps' "$wmd" \
  && grep -qF '| prefill | matmul_tiled_f32 | 24 |' "$wmd" && grep -qF '| decode | rms_norm_f32 | 9 |' "$wmd"
check "null GPU times: kernels listed by dispatches" $?
! grep -q '^GPU time per kernel on' "$wmd"; check "null GPU times: no GPU-time table of zeros" $?
grep -qF '| SwiftShader Device (Subzero) | fastv:k=2,r=0.5 | 100 → 60 | 5.00 | 80.0 | 80.0–80.0 | 0.80x | 0.60x | 50% |' "$wmd"
check "null GPU times: settings still compared with none" $?
grep -qF '| web.json | model | SwiftShader Device (Subzero) | google | webgpu | webgpu |' "$wmd"; check "web device row" $?
web_model vulkan 2.5 >"$tmp/timed.json"
"$vkvlm" report "$tmp/timed.json" -o "$tmp/timed" >/dev/null 2>&1 \
  && grep -q '^GPU time per kernel on' "$tmp/timed/report.md" \
  && grep -qF '| prefill | matmul_tiled_f32 | 2.50 | 100% | 24 |' "$tmp/timed/report.md"
check "GPU times present: the GPU-time table" $?

# bad input: exit 1, "vkvlm: error: FILE: what"
"$vkvlm" report "$tmp/missing.json" -o "$tmp/o1" >/dev/null 2>"$tmp/err"; [ $? -eq 1 ]; check "missing file exits 1" $?
grep -q "^vkvlm: error: $tmp/missing.json: cannot read" "$tmp/err"; check "missing file: names it" $?
printf '{"ops": [1, 2' >"$tmp/bad.json"
"$vkvlm" report "$tmp/bad.json" -o "$tmp/o1" >/dev/null 2>"$tmp/err"; [ $? -eq 1 ]; check "malformed JSON exits 1" $?
grep -q "^vkvlm: error: $tmp/bad.json: malformed JSON" "$tmp/err"; check "malformed JSON: names the file" $?
[ ! -e "$tmp/o1" ]; check "nothing written when an input is bad" $?
echo '{"device": {"name": "x"}, "tokens": []}' >"$tmp/other.json"
"$vkvlm" report "$tmp/ops_a.json" "$tmp/other.json" -o "$tmp/o1" >/dev/null 2>"$tmp/err"; [ $? -eq 1 ]
check "neither kind exits 1" $?
grep -q "^vkvlm: error: $tmp/other.json: neither an ops nor a model benchmark" "$tmp/err"; check "neither kind: says so" $?
echo '{"kind": "trace", "device": {"name": "x"}}' >"$tmp/kind.json"
"$vkvlm" report "$tmp/kind.json" -o "$tmp/o1" >/dev/null 2>"$tmp/err"; [ $? -eq 1 ]
check "unknown kind exits 1" $?
grep -q "^vkvlm: error: $tmp/kind.json: unknown benchmark kind" "$tmp/err"; check "unknown kind: says so" $?
: >"$tmp/file"
"$vkvlm" report "$tmp/ops_a.json" -o "$tmp/file/sub" >/dev/null 2>"$tmp/err"; [ $? -eq 1 ]; check "unwritable -o exits 1" $?
grep -q "^vkvlm: error: $tmp/file/sub: cannot create the output folder" "$tmp/err"; check "unwritable -o: names it" $?

# usage: exit 2
"$vkvlm" report >/dev/null 2>"$tmp/err"; [ $? -eq 2 ]; check "no files exits 2" $?
grep -q "^vkvlm: error: report: no benchmark files" "$tmp/err"; check "no files: says so" $?
"$vkvlm" report "$tmp/ops_a.json" --bogus >/dev/null 2>&1; [ $? -eq 2 ]; check "unknown option exits 2" $?
"$vkvlm" report "$tmp/ops_a.json" -o >/dev/null 2>&1; [ $? -eq 2 ]; check "-o without a folder exits 2" $?
"$vkvlm" report --help >"$tmp/out.txt"; [ $? -eq 0 ] && grep -q "^usage: vkvlm report" "$tmp/out.txt"
check "--help exits 0 with usage" $?
(cd "$tmp" && "$vkvlm" report ops_a.json >/dev/null 2>&1 && [ -s report/report.md ]); check "default -o is report/" $?

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]

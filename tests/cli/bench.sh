#!/usr/bin/env bash
# CLI contract of `vkvlm bench --ops`: runs, prints a table, writes JSON; bad options exit 2.
# It checks shape and exit codes only: speed is never asserted in a test.
set -u
vkvlm=$1
passed=0 failed=0
check() { if [ "$2" -eq 0 ]; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAIL: $1" >&2; fi; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

VKVLM_VALIDATE=0 "$vkvlm" bench --ops --filter add_f32 --repeat 1 --json "$tmp/b.json" >"$tmp/out" 2>/dev/null
check "bench --ops exits 0" $?
grep -q "^add_f32(n=" "$tmp/out"; check "prints the add_f32 row" $?
jq -e '.device.name and (.ops | length >= 1) and (.ops[0] | has("gflops") and has("gbps") and has("ms_median") and has("kernel"))' \
  "$tmp/b.json" >/dev/null; check "json has device and per-op figures" $?
jq -e '.ops[0].ms_median > 0' "$tmp/b.json" >/dev/null; check "timestamps gave a time" $?
"$vkvlm" bench >/dev/null 2>"$tmp/err"; [ $? -eq 2 ]; check "bench without --ops exits 2" $?
grep -q "^vkvlm: error: bench:" "$tmp/err"; check "says what is missing" $?
"$vkvlm" bench --ops --repeat 0 >/dev/null 2>&1; [ $? -eq 2 ]; check "--repeat 0 exits 2" $?
"$vkvlm" bench --shape nosuch >/dev/null 2>"$tmp/err"; [ $? -eq 2 ]; check "unknown --shape exits 2" $?
grep -q "unknown shape" "$tmp/err"; check "names the unknown shape" $?
"$vkvlm" bench --shape tiny -m "$tmp" >/dev/null 2>&1; [ $? -eq 2 ]; check "--shape with -m exits 2" $?
"$vkvlm" bench --shape tiny --prompt-tokens 4 --image x.png >/dev/null 2>&1; [ $? -eq 2 ]
check "--prompt-tokens with --image exits 2" $?
"$vkvlm" bench -m "$tmp" --text-layers 2 >/dev/null 2>&1; [ $? -eq 2 ]; check "--text-layers without --shape exits 2" $?
"$vkvlm" bench --shape tiny --quant q9 >/dev/null 2>&1; [ $? -eq 2 ]; check "bad --quant exits 2" $?

# --shape: a model written to tmpfs, run with the image, then removed
VKVLM_VALIDATE=0 "$vkvlm" bench --shape tiny --reduce fastv:k=2,r=0.5 -n 3 --repeat 2 --json "$tmp/s.json" >"$tmp/out" 2>"$tmp/err"
check "bench --shape tiny exits 0" $?
dir=$(sed -n 's/^bench: writing shape tiny .* to \(.*\) \.\.\.$/\1/p' "$tmp/err")
[ -n "$dir" ] && [ ! -e "$dir" ]; check "the shape's directory ($dir) is gone afterwards" $?
grep -q "^none " "$tmp/out" && grep -q "^fastv:k=2,r=0.5 " "$tmp/out"; check "prints both settings" $?
grep -q "decode (none):" "$tmp/out"; check "prints the per-kernel breakdown" $?
jq -e '.source == "shape" and .model == "tiny" and (.settings | length) == 2 and .memory.peak_bytes > 0
  and (.device | has("subgroup_size") and has("max_storage_buffer_range") and has("quirks"))
  and (.settings[0] | .new_tokens == 3 and .work.decode.submits == 2 and .work.decode.dispatches > 0
       and .dispatches_per_decoded_token == .work.decode.dispatches / 2 and .ttft_ms >= .prefill_ms
       and .metrics.prefill_ms.min <= .metrics.prefill_ms.median and .metrics.prefill_ms.median <= .metrics.prefill_ms.max
       and (.kernels | length) > 0 and (.kernels | map(select(.stage == "vision")) | length) > 0
       and .vision_gflops_per_s > 0 and .flops_prefill > 0 and .flops_prefill < .flops_llm)' "$tmp/s.json" >/dev/null
check "bench --shape json: source, memory, caps, work, spread, kernels, GFLOP/s" $?
# GPU times are numbers where the device has timestamps, null where it has none (WebGPU today), never a fake 0
jq -e 'if .device.timestamps then (.settings | all(.metrics.gpu_prefill_ms.median >= 0 and (.kernels | all(.gpu_ms | type == "number"))))
  else (.settings | all(.metrics.gpu_prefill_ms == null and (.kernels | all(.gpu_ms == null)))) end' "$tmp/s.json" >/dev/null
check "bench --shape json: GPU times as the device's timestamps allow" $?

"$vkvlm" report "$tmp/s.json" -o "$tmp/rep" >/dev/null 2>&1 && grep -q "^GPU time per kernel on" "$tmp/rep/report.md" \
  && grep -q "^| .* | none | .* |$" "$tmp/rep/report.md"
check "report reads the --shape file: table and kernel breakdown" $?

# --prompt-tokens: exactly N ids, no image
VKVLM_VALIDATE=0 "$vkvlm" bench --shape smolvlm-tiny --prompt-tokens 37 -n 2 --repeat 1 --json "$tmp/p.json" >/dev/null 2>&1
check "bench --prompt-tokens exits 0" $?
jq -e '.image == false and .settings[0].prompt_tokens == 37 and .settings[0].work.vision.submits == 0
  and .settings[0].vision_ms < 1' "$tmp/p.json" >/dev/null
check "--prompt-tokens: 37 tokens, text only, no vision pass" $?
"$vkvlm" bench --ops --json /nonexistent/dir/x.json --filter add_f32 --repeat 1 >/dev/null 2>"$tmp/err"
[ $? -eq 1 ]; check "unwritable --json exits 1" $?

golden=${VKVLM_GOLDEN_DIR:-}
if [ -n "$golden" ] && [ -d "$golden/llava15_tiny_f32" ]; then
  VKVLM_VALIDATE=0 "$vkvlm" bench -m "$golden/llava15_tiny_f32/checkpoint" --image "$golden/image.png" \
    --reduce fastv:k=2,r=0.5 --repeat 1 --json "$tmp/m.json" >"$tmp/out" 2>/dev/null
  check "bench -m exits 0" $?
  grep -q "^fastv:k=2,r=0.5 " "$tmp/out"; check "bench -m prints the fastv row" $?
  jq -e '(.settings | length) == 2 and .settings[0].reduce == "none" and .settings[1].kept_tokens == .settings[0].prompt_tokens - 8
    and .settings[1].flops_llm < .settings[0].flops_llm and .settings[0].prefill_ms > 0' "$tmp/m.json" >/dev/null
  check "bench -m json: settings, kept tokens, flops" $?
  "$vkvlm" bench -m "$golden/llava15_tiny_f32/checkpoint" --ops >/dev/null 2>&1; [ $? -eq 2 ]
  check "-m with --ops exits 2" $?
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]

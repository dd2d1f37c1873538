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
"$vkvlm" bench --shape tiny >/dev/null 2>"$tmp/err"; [ $? -eq 2 ]; check "--shape not yet: exits 2" $?
grep -q "not available yet" "$tmp/err"; check "--shape says it is not available yet" $?
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

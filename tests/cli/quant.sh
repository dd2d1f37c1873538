#!/usr/bin/env bash
# --quant q8_0 | q4_0 end to end (docs/quantization.md): the golden LLaVA and SmolVLM cases run with quantized
# decoder weights on Vulkan and on the CPU reference (same tokens: both read the same blocks), token agreement
# with transformers' unquantized greedy output (q8_0 must keep the first 4 tokens, q4_0 the first 2; the full
# agreement is printed), smaller weights, and the on-disk cache: written on the first load, read on the second,
# a damaged or unwritable cache only warns, --quant-cache off writes nothing.
set -u
vkvlm=$1
passed=0 failed=0
check() { if [ "$2" -eq 0 ]; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAIL: $1" >&2; fi; }
tmp=$(mktemp -d); trap 'chmod -R u+w "$tmp"; rm -rf "$tmp"' EXIT
golden=${VKVLM_GOLDEN_DIR:-}
if [ -z "$golden" ] || [ ! -d "$golden/llava15_tiny_f32" ]; then echo "SKIP: no golden dir"; echo "0 passed, 0 failed, 1 skipped"; exit 0; fi
export XDG_CACHE_HOME=$tmp/cache
prompt="What is shown in this image?"

for case in llava15_tiny_f32 smolvlm_tiny_f16; do
  model=$golden/$case/checkpoint
  image=$golden/$case/image.png
  want=$(jq -c ".cases.$case.greedy_tokens" "$golden/index.json")
  "$vkvlm" run -m "$model" --image "$image" -p "$prompt" -n 8 --ignore-eos --json --quant-cache off >"$tmp/none.json" 2>/dev/null
  check "$case: unquantized run" $?
  for q in q8_0 q4_0; do
    keep=$([ $q = q8_0 ] && echo 4 || echo 2)
    "$vkvlm" run -m "$model" --image "$image" -p "$prompt" -n 8 --ignore-eos --json --quant $q --quant-cache off \
      >"$tmp/$q.json" 2>"$tmp/err"
    check "$case --quant $q exits 0" $?
    "$vkvlm" run -m "$model" --image "$image" -p "$prompt" -n 8 --ignore-eos --json --quant $q --quant-cache off \
      --backend cpu >"$tmp/$q.cpu.json" 2>/dev/null
    check "$case --quant $q --backend cpu exits 0" $?
    jq -e --slurpfile c "$tmp/$q.cpu.json" '.tokens == $c[0].tokens' "$tmp/$q.json" >/dev/null
    check "$case $q: Vulkan and CPU reference give the same tokens" $?
    jq -e --argjson want "$want" --argjson keep $keep '.tokens[:$keep] == $want[:$keep]' "$tmp/$q.json" >/dev/null
    check "$case $q: the first $keep tokens equal transformers' unquantized ones" $?
    jq -e --slurpfile n "$tmp/none.json" --arg q $q \
      '.model.quant.format == $q and .model.quant.tensors > 0 and .model.weight_bytes < $n[0].model.weight_bytes' \
      "$tmp/$q.json" >/dev/null
    check "$case $q: --json reports the format and smaller weights" $?
    agree=$(jq --argjson want "$want" '[range(8) as $i | select(.tokens[$i] == $want[$i])] | length' "$tmp/$q.json")
    echo "token agreement $case $q: $agree/8 with transformers (f32 weights: 8/8)"
  done
done

# the cache: first load writes it, the second reads every quantized tensor from it and gives the same tokens
model=$golden/llava15_tiny_f32/checkpoint
image=$golden/llava15_tiny_f32/image.png
run_q8() { "$vkvlm" run -m "$model" --image "$image" -p "$prompt" -n 8 --ignore-eos --json --quant q8_0 "$@"; }
run_q8 >"$tmp/c1.json" 2>"$tmp/c1.err"; check "cache: first load exits 0" $?
files=("$XDG_CACHE_HOME"/vkvlm/quant/*-q8_0.vkq)
[ -s "${files[0]}" ] && [ ${#files[@]} -eq 1 ]; check "cache: one q8_0 file written under \$XDG_CACHE_HOME/vkvlm/quant" $?
jq -e '.model.quant.cache_hits == 0' "$tmp/c1.json" >/dev/null; check "cache: first load quantized everything" $?
run_q8 >"$tmp/c2.json" 2>/dev/null; check "cache: second load exits 0" $?
jq -e --slurpfile a "$tmp/c1.json" '.model.quant.cache_hits == .model.quant.tensors and .model.quant.tensors > 0 and
  .model.quant.quantize_ms == 0 and .tokens == $a[0].tokens' "$tmp/c2.json" >/dev/null
check "cache: second load reads every tensor from the cache, same tokens" $?
ls "$XDG_CACHE_HOME"/vkvlm/quant/ | grep -q tmp; [ $? -ne 0 ]; check "cache: no temporary file left" $?

# a damaged file (cut in half, then garbage) is ignored with a warning and rewritten
size=$(stat -c %s "${files[0]}")
truncate -s $((size / 2)) "${files[0]}"
run_q8 >"$tmp/c3.json" 2>"$tmp/c3.err"; check "cache: truncated file: still exits 0" $?
grep -q "damaged" "$tmp/c3.err"; check "cache: truncated file: warning names it" $?
jq -e --slurpfile a "$tmp/c1.json" '.model.quant.cache_hits == 0 and .tokens == $a[0].tokens' "$tmp/c3.json" >/dev/null
check "cache: truncated file: quantized again, same tokens" $?
[ "$(stat -c %s "${files[0]}")" -eq "$size" ]; check "cache: truncated file rewritten whole" $?
head -c 64 /dev/urandom >"${files[0]}"
run_q8 >"$tmp/c4.json" 2>"$tmp/c4.err"; check "cache: garbage file: still exits 0" $?
jq -e --slurpfile a "$tmp/c1.json" '.tokens == $a[0].tokens' "$tmp/c4.json" >/dev/null; check "cache: garbage file: same tokens" $?

# --quant-cache off writes nothing; an unwritable directory only warns
XDG_CACHE_HOME=$tmp/nocache run_q8 --quant-cache off >"$tmp/c5.json" 2>/dev/null; check "--quant-cache off exits 0" $?
[ ! -e "$tmp/nocache/vkvlm/quant" ]; check "--quant-cache off: nothing written" $?
mkdir -p "$tmp/ro"; chmod a-w "$tmp/ro"
if [ "$(id -u)" -ne 0 ]; then
  run_q8 --quant-cache "$tmp/ro/sub" >"$tmp/c6.json" 2>"$tmp/c6.err"; check "unwritable cache dir: still exits 0" $?
  grep -q "no quantized-weight cache" "$tmp/c6.err"; check "unwritable cache dir: warning" $?
fi
run_q8 --quant-cache "$tmp/other" >"$tmp/c7.json" 2>/dev/null; check "--quant-cache DIR exits 0" $?
ls "$tmp/other"/*-q8_0.vkq >/dev/null 2>&1; check "--quant-cache DIR: the file is written there" $?

# bad values
"$vkvlm" run -m "$model" -p x --quant q5_1 >/dev/null 2>"$tmp/bad.err"; [ $? -eq 2 ]; check "--quant q5_1 exits 2" $?
grep -q "expected q8_0, q4_0 or none" "$tmp/bad.err"; check "--quant q5_1 message" $?

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]

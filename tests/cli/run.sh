#!/usr/bin/env bash
# CLI contract of `vkvlm run` (CLI.md): the golden LLaVA case through the command line (--json fields,
# greedy tokens, --dump files), the CPU backend, and bad input: each a `vkvlm: error:` and exit 1 or 2.
set -u
vkvlm=$1
passed=0 failed=0
check() { if [ "$2" -eq 0 ]; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAIL: $1" >&2; fi; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
golden=${VKVLM_GOLDEN_DIR:-}
if [ -z "$golden" ] || [ ! -d "$golden/llava15_tiny_f32" ]; then echo "SKIP: no golden dir"; echo "0 passed, 0 failed, 1 skipped"; exit 0; fi
model=$golden/llava15_tiny_f32/checkpoint
image=$golden/image.png
want='[174,376,85,38,121,227,179,74]'

"$vkvlm" run -m "$model" --image "$image" -p "What is shown in this image?" -n 8 --ignore-eos --json \
  --dump "$tmp/dump" >"$tmp/out.json" 2>"$tmp/err"
check "run --json exits 0" $?
jq -e --argjson want "$want" '.tokens == $want' "$tmp/out.json" >/dev/null; check "greedy tokens equal transformers'" $?
jq -e '(.prompt_tokens | length) == 49 and .prompt_tokens[0] == 1 and (.text | type) == "string"' "$tmp/out.json" >/dev/null
check "prompt_tokens and text" $?
jq -e '.timings_ms | has("load") and has("preprocess") and has("vision") and has("prefill") and has("decode")' \
  "$tmp/out.json" >/dev/null; check "timings_ms fields" $?
jq -e '.flops.baseline > 0 and .flops.actual > 0 and .device.name and .model.model_type == "llava"' "$tmp/out.json" \
  >/dev/null; check "flops, device, model" $?
for f in pixel_values vision_features image_embeddings logits_last; do
  [ -s "$tmp/dump/$f.bin" ]; check "--dump wrote $f.bin" $?
done
jq -e '.logits_last.shape == [384] and .pixel_values.shape == [1,3,56,56] and .vision_features.shape == [16,32]' \
  "$tmp/dump/dump.json" >/dev/null; check "dump.json shapes" $?
cmp -s "$tmp/dump/pixel_values.bin" "$golden/llava15_tiny_f32/expected/pixel_values.bin"; check "pixel_values bit-identical" $?

"$vkvlm" run -m "$model" --image "$image" -p "What is shown in this image?" -n 8 --ignore-eos --json --backend cpu \
  >"$tmp/cpu.json" 2>/dev/null
check "--backend cpu exits 0" $?
jq -e --argjson want "$want" '.tokens == $want and .device.backend == "cpu"' "$tmp/cpu.json" >/dev/null
check "cpu backend: same tokens" $?

"$vkvlm" run -m "$model" --image "$image" -p "What is shown in this image?" -n 8 --ignore-eos --json \
  --reduce fastv:k=2,r=0.5 >"$tmp/fastv.json" 2>/dev/null
check "run --reduce fastv exits 0" $?
jq -e '.tokens == [174,364,284,264,88,373,154,259] and .reduction[0].method == "fastv" and .reduction[0].layer == 2
  and (.reduction[0].kept_positions | length) == 41 and (.reduction[0].scores | length) == 16
  and .flops.actual < .flops.baseline and .flops.llm.actual < .flops.llm.baseline' "$tmp/fastv.json" >/dev/null
check "fastv: golden tokens, report and flops" $?

"$vkvlm" run -m "$model" --image "$image" -p "What is shown in this image?" -n 3 >"$tmp/text" 2>"$tmp/err"
check "streamed run exits 0" $?
grep -q "prompt tokens" "$tmp/err"; check "timing summary on stderr" $?

expect() { # expect NAME CODE PATTERN -- args...
  local name=$1 code=$2 pattern=$3; shift 4
  "$vkvlm" "$@" >/dev/null 2>"$tmp/err"; local rc=$?
  [ $rc -eq "$code" ]; check "$name: exit $code (got $rc)" $?
  grep -q "^vkvlm: error: .*$pattern" "$tmp/err"; check "$name: message names '$pattern'" $?
}
expect "no -m" 2 "-m DIR" -- run -p hi
expect "no prompt" 2 "-p TEXT" -- run -m "$model"
expect "bad -n" 2 "-n abc" -- run -m "$model" -p hi -n abc
expect "bad --temp" 2 "--temp -1" -- run -m "$model" -p hi --temp -1
expect "unknown option" 2 "--frob" -- run -m "$model" -p hi --frob
expect "two images" 2 "--image given twice" -- run -m "$model" -p hi --image "$image" --image "$image"
expect "fastv k too large" 2 "k=4" -- run -m "$model" -p hi --image "$image" --reduce fastv:k=4,r=0.5
expect "fastv r=1" 2 "r=1" -- run -m "$model" -p hi --image "$image" --reduce fastv:k=2,r=1
expect "fastv r<0" 2 "r=-0.1" -- run -m "$model" -p hi --image "$image" --reduce fastv:k=2,r=-0.1
expect "fastv no image" 2 "no image" -- run -m "$model" -p hi --reduce fastv:k=2,r=0.5
expect "fastv missing r" 2 "needs k and r" -- run -m "$model" -p hi --image "$image" --reduce fastv:k=2
expect "bad --limits" 2 "--limits tablet" -- run -m "$model" -p hi --limits tablet
expect "unknown method" 2 "unknown method" -- run -m "$model" -p hi --reduce magic
expect "ficoco-v no remove" 2 "remove" -- run -m "$model" -p hi --image "$image" --reduce ficoco-v:start=1
expect "ficoco-v bad lambda" 2 "lambda=2" -- run -m "$model" -p hi --image "$image" --reduce ficoco-v:start=1,remove=2,lambda=2
expect "ficoco-v unknown key" 2 "beta" -- run -m "$model" -p hi --image "$image" --reduce ficoco-v:remove=2,beta=0.5
expect "ficoco-v start too large" 2 "start=9" -- run -m "$model" -p hi --image "$image" --reduce ficoco-v:start=9,remove=2
expect "ficoco-l start too large" 2 "start=4" -- run -m "$model" -p hi --image "$image" --reduce ficoco-l:start=4,remove=2
expect "ficoco-l bad targets" 2 "targets=9" -- run -m "$model" -p hi --image "$image" --reduce ficoco-l:remove=2,targets=9
expect "ficoco-l with fastv" 2 "fastv and ficoco-l" -- run -m "$model" -p hi --image "$image" --reduce fastv:k=2,r=0.5 --reduce ficoco-l:remove=2
expect "ficoco no image" 2 "no image" -- run -m "$model" -p hi --reduce ficoco-l:start=2,remove=2
expect "missing model dir" 1 "/nonexistent" -- run -m /nonexistent -p hi
expect "missing image" 1 "nope.png" -- run -m "$model" -p hi --image "$tmp/nope.png"
head -c 100 "$image" >"$tmp/trunc.png"
expect "truncated image" 1 "trunc.png" -- run -m "$model" -p hi --image "$tmp/trunc.png"
printf 'not an image at all' >"$tmp/junk.png"
expect "garbage image" 1 "junk.png" -- run -m "$model" -p hi --image "$tmp/junk.png"
expect "placeholder without image" 2 "image" -- run -m "$model" --raw-prompt "USER: <image> hi ASSISTANT:"
expect "context too small" 1 "context" -- run -m "$model" -p hi --image "$image" --ctx 20
mkdir -p "$tmp/badmodel" && cp "$model"/* "$tmp/badmodel/" && chmod u+w "$tmp/badmodel"/* && echo '{"model_type": "llava",' >"$tmp/badmodel/config.json"
expect "malformed config" 1 "config.json" -- run -m "$tmp/badmodel" -p hi
cp "$model/config.json" "$tmp/badmodel/config.json" && head -c 5000 "$model/model.safetensors" >"$tmp/badmodel/model.safetensors"
expect "truncated safetensors" 1 "model.safetensors" -- run -m "$tmp/badmodel" -p hi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]

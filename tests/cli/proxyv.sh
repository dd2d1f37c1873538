#!/usr/bin/env bash
# ProxyV end to end: three ProxyV checkpoints in the original LLaVA layout from vkvlm_make_tiny --family proxyv,
# with different patch grids, reduce factors and start layers:
#   a: 112 px / 14 = 8x8 grid, factor 4, start layer 2 of 5  -> (8/4)^2 = 4 proxies (the golden case's shape)
#   b:  84 px / 14 = 6x6 grid, factor 2, start layer 1 of 4  -> 9 proxies; tower weights only in the folder
#   c:  98 px / 14 = 7x7 grid (odd), factor 7, start layer 0 of 3 -> 1 proxy
# For each, the Vulkan and CPU backends give the same greedy tokens with ProxyV (the checkpoint's default) and
# with --reduce none; the JSON reduction entry names proxyv, the start layer and the proxies, which sit at the
# image's first positions. Then the refusals: a factor that does not divide the grid, learn_proxy, and
# --reduce proxyv on a model without VisionMLPs.
set -u
vkvlm=$1
make_tiny=${VKVLM_BINARY_DIR:-$(dirname "$vkvlm")}/vkvlm_make_tiny
passed=0 failed=0
check() { if [ "$2" -eq 0 ]; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAIL: $1" >&2; fi; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
prompt="What is shown in this image?"

# name, maker options, start layer, proxies, image tokens
models=(
  "a|--proxyv-start 2 --proxyv-factor 4 --vision-image 112 --text-layers 5|2|4|64"
  "b|--proxyv-start 1 --proxyv-factor 2 --vision-image 84 --text-layers 4 --no-tower-copy|1|9|36"
  "c|--proxyv-start 0 --proxyv-factor 7 --vision-image 98 --text-layers 3|0|1|49"
)
for spec in "${models[@]}"; do
  IFS='|' read -r name opts start proxies tokens <<<"$spec"
  m=$tmp/$name
  # shellcheck disable=SC2086
  "$make_tiny" --family proxyv $opts --out "$m" >/dev/null; check "$name: make a ProxyV model ($opts)" $?
  jq -e --argjson s "$start" --argjson t "$tokens" '.model_type == "llava_llama" and .proxyv == true and
    .proxyv_start_layer == $s and .per_crop_token_len == $t and .image_aspect_ratio == "pad"' "$m/config.json" >/dev/null
  check "$name: config.json is llava_llama with the ProxyV keys" $?
  jq -e 'all(.added_tokens[]; .content != "<image>")' "$m/tokenizer.json" >/dev/null
  check "$name: no <image> token in the vocabulary" $?
  for be in vulkan cpu; do
    "$vkvlm" run -m "$m" --image "$m/sample.png" -p "$prompt" -n 6 --ignore-eos --json --backend "$be" \
      >"$tmp/$name.$be.json" 2>"$tmp/$name.$be.err"
    check "$name: proxyv run on $be exits 0" $?
    jq -e --argjson s "$start" --argjson n "$proxies" '(.reduction | length) == 1 and .reduction[0].method == "proxyv"
      and .reduction[0].start_layer == $s and .reduction[0].proxies == $n
      and (.prompt_tokens | index([-200])) as $at
      | .reduction[0].proxy_positions == [range($at; $at + $n)]' "$tmp/$name.$be.json" >/dev/null
    check "$name: $be reports proxyv, start layer $start, $proxies proxies at the image's first positions" $?
    jq -e '(.tokens | length) == 6' "$tmp/$name.$be.json" >/dev/null; check "$name: $be generates 6 tokens" $?
    "$vkvlm" run -m "$m" --image "$m/sample.png" -p "$prompt" -n 6 --ignore-eos --json --backend "$be" \
      --reduce none >"$tmp/$name.$be.none.json" 2>"$tmp/$name.$be.none.err"
    check "$name: --reduce none on $be exits 0" $?
    jq -e '(.reduction | length) == 0 and (.tokens | length) == 6' "$tmp/$name.$be.none.json" >/dev/null
    check "$name: --reduce none on $be applies no reduction" $?
  done
  [ "$(jq -c .tokens "$tmp/$name.vulkan.json")" = "$(jq -c .tokens "$tmp/$name.cpu.json")" ]
  check "$name: proxyv tokens agree between vulkan and cpu" $?
  [ "$(jq -c .tokens "$tmp/$name.vulkan.none.json")" = "$(jq -c .tokens "$tmp/$name.cpu.none.json")" ]
  check "$name: --reduce none tokens agree between vulkan and cpu" $?
done

# refusals: exit 1 with the config field named, exit 2 for a usage error
"$make_tiny" --family proxyv --vision-image 98 --proxyv-factor 2 --out "$tmp/odd" >/dev/null 2>&1
"$vkvlm" run -m "$tmp/odd" --image "$tmp/a/sample.png" -p "$prompt" -n 2 >/dev/null 2>"$tmp/odd.err"
[ $? -eq 1 ] && grep -q "proxyv_reduce_factor 2 does not divide the 7x7" "$tmp/odd.err"
check "a factor that does not divide the 7x7 grid: exit 1 naming proxyv_reduce_factor" $?
cp -r "$tmp/a" "$tmp/learn" && jq '.learn_proxy = true' "$tmp/a/config.json" >"$tmp/learn/config.json"
"$vkvlm" run -m "$tmp/learn" --image "$tmp/a/sample.png" -p "$prompt" -n 2 >/dev/null 2>"$tmp/learn.err"
[ $? -eq 1 ] && grep -q "learn_proxy" "$tmp/learn.err"
check "learn_proxy true: exit 1 naming learn_proxy" $?
"$make_tiny" --family llava --out "$tmp/llava" >/dev/null
"$vkvlm" run -m "$tmp/llava" --image "$tmp/llava/sample.png" -p "$prompt" -n 2 --reduce proxyv >/dev/null 2>"$tmp/ll.err"
[ $? -eq 2 ] && grep -q "proxyv" "$tmp/ll.err"
check "--reduce proxyv on a model without VisionMLPs: exit 2" $?
"$make_tiny" --family llava --proxyv-factor 2 --out "$tmp/bad" >/dev/null 2>&1
[ $? -eq 2 ]; check "the maker refuses ProxyV options for other families" $?

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]

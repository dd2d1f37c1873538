#!/usr/bin/env bash
# SmolVLM / Idefics3 image splitting end to end: a tiny idefics3 model from vkvlm_make_tiny with splitting
# turned on (longest edge 128, 64-pixel tiles). Its 80x64 sample image resizes to 128x102, rounds up to
# 128x128: a 2x2 grid plus the global image = 5 tiles of 16 tokens = 80 image tokens. The prompt layout is
# <|im_start|>User: then per tile <fake_token_around_image><row_r_col_c> + 16 <image>, "\n" after each row,
# then "\n<fake_token_around_image><global-img>" + 16 <image> + <fake_token_around_image>, the text,
# <end_of_utterance>\nAssistant: . FastV reduces all five spans as one image.
set -u
vkvlm=$1
make_tiny=${VKVLM_BINARY_DIR:-$(dirname "$vkvlm")}/vkvlm_make_tiny
passed=0 failed=0
check() { if [ "$2" -eq 0 ]; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAIL: $1" >&2; fi; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

"$make_tiny" --family idefics3 --out "$tmp/m" >/dev/null; check "make a tiny idefics3 model" $?
jq '.do_image_splitting = true | .size.longest_edge = 128' "$tmp/m/preprocessor_config.json" >"$tmp/pp" &&
  mv "$tmp/pp" "$tmp/m/preprocessor_config.json"
"$vkvlm" run -m "$tmp/m" --image "$tmp/m/sample.png" -p "Describe this image." -n 4 --ignore-eos --json \
  --dump "$tmp/d" >"$tmp/out.json" 2>"$tmp/err"
check "split run exits 0" $?
jq -e '.pixel_values.shape == [5,3,64,64] and .vision_features.shape == [320,48] and .image_embeddings.shape == [80,64]' \
  "$tmp/d/dump.json" >/dev/null; check "5 tiles, 320 patches, 80 image tokens" $?

tok=$tmp/m/tokenizer.json
id() { jq -r --arg t "$1" '.added_tokens[] | select(.content == $t) | .id' "$tok"; }
image=$(id "<image>") fake=$(id "<fake_token_around_image>") glob=$(id "<global-img>")
r11=$(id "<row_1_col_1>") r12=$(id "<row_1_col_2>") r21=$(id "<row_2_col_1>") r22=$(id "<row_2_col_2>")
ids=$(jq -c '.prompt_tokens' "$tmp/out.json")
count() { jq --argjson x "$1" '[.prompt_tokens[] | select(. == $x)] | length' "$tmp/out.json"; }
[ "$(count "$image")" = 80 ]; check "80 <image> tokens" $?
[ "$(count "$fake")" = 6 ]; check "6 <fake_token_around_image> (4 tiles, global before and after)" $?
for t in "$r11" "$r12" "$r21" "$r22" "$glob"; do [ "$(count "$t")" = 1 ]; check "tag $t once" $?; done
# order: row_1_col_1 < row_1_col_2 < row_2_col_1 < row_2_col_2 < global-img, each followed by 16 image tokens
jq -e --argjson a "$r11" --argjson b "$r12" --argjson c "$r21" --argjson d "$r22" --argjson g "$glob" --argjson img "$image" '
  .prompt_tokens as $p | [$a,$b,$c,$d,$g] | map(. as $t | $p | index([$t])) as $at
  | ($at == ($at | sort)) and ([$at[] | $p[.+1:.+17] | all(. == $img)] | all)' "$tmp/out.json" >/dev/null
check "tile tags in order, each followed by 16 image tokens" $?

"$vkvlm" run -m "$tmp/m" --image "$tmp/m/sample.png" -p "Describe this image." -n 4 --ignore-eos --json \
  --reduce fastv:k=2,r=0.5 >"$tmp/f.json" 2>/dev/null
check "fastv over the tiled image exits 0" $?
jq -e '(.reduction[0].scores | length) == 80 and (.reduction[0].kept_positions | length) == (.prompt_tokens | length) - 40' \
  "$tmp/f.json" >/dev/null; check "fastv scores all 80 image tokens, keeps 40 of them and all text/tags" $?

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]

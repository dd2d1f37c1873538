#!/usr/bin/env bash
# fetch_model.sh REPO [DIR] — download a Hugging Face model repository's files that vkvlm reads, with curl:
#   tools/fetch_model.sh llava-hf/llava-1.5-7b-hf            -> models/llava-1.5-7b-hf/
# Fetches config.json, generation_config.json, tokenizer files, processor configs, chat_template.json, and
# model.safetensors or, for sharded repos, model.safetensors.index.json and every shard it names. Files already
# in DIR are kept; an interrupted download resumes from its .part file. Gated repos need HF_TOKEN in the environment.
# Needs network access to huggingface.co (the build machines of this project have none; run it where you do).
set -euo pipefail
if [ $# -lt 1 ] || [ $# -gt 2 ]; then
  echo "usage: $0 OWNER/NAME [DIR]   (default DIR: models/NAME)" >&2
  exit 2
fi
repo=$1
dir=${2:-models/${repo##*/}}
base=${HF_ENDPOINT:-https://huggingface.co}/$repo/resolve/main
mkdir -p "$dir"
auth=()
[ -n "${HF_TOKEN:-}" ] && auth=(-H "Authorization: Bearer $HF_TOKEN")

fetch() { # fetch FILE [optional]
  local file=$1 optional=${2:-}
  local code
  if [ -f "$dir/$file" ]; then echo "have $file"; return; fi
  code=$(curl -sS -L "${auth[@]}" -C - -o "$dir/$file.part" -w '%{http_code}' "$base/$file" || true)
  if [ "$code" = 200 ] || [ "$code" = 206 ] || [ "$code" = 416 ]; then
    mv "$dir/$file.part" "$dir/$file"
    echo "fetched $file"
  else
    rm -f "$dir/$file.part"
    if [ -z "$optional" ]; then echo "fetch_model: $repo/$file: HTTP $code" >&2; exit 1; fi
  fi
}

fetch config.json
for f in generation_config.json tokenizer.json tokenizer_config.json special_tokens_map.json \
         preprocessor_config.json processor_config.json chat_template.json; do
  fetch "$f" optional
done
fetch model.safetensors.index.json optional
if [ -f "$dir/model.safetensors.index.json" ]; then
  command -v jq >/dev/null || { echo "fetch_model: jq is needed for sharded repos" >&2; exit 1; }
  for shard in $(jq -r '.weight_map | to_entries | map(.value) | unique | .[]' "$dir/model.safetensors.index.json"); do
    fetch "$shard"
  done
else
  fetch model.safetensors
fi
echo "done: vkvlm run -m $dir --image IMAGE -p 'Describe this image.'"

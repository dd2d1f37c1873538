#!/usr/bin/env bash
# Device faults and resource limits end to end (hardening): a lost device at submit or at the fence, device
# memory running out while loading, and a model that does not fit the memory a limit profile allows. Each
# must end in `vkvlm: error:` naming what failed and what was running, exit 1, no crash (the ASan build of
# the suite runs this script too, so leaks and use-after-free on these paths are caught there).
set -u
vkvlm=$1
passed=0 failed=0
check() { if [ "$2" -eq 0 ]; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAIL: $1" >&2; fi; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
golden=${VKVLM_GOLDEN_DIR:-}
if [ -z "$golden" ] || [ ! -d "$golden/llava15_tiny_f32" ]; then echo "SKIP: no golden dir"; echo "0 passed, 0 failed, 1 skipped"; exit 0; fi
model=$golden/llava15_tiny_f32/checkpoint image=$golden/image.png

fault() { # fault NAME SPEC PATTERN...
  local name=$1 spec=$2; shift 2
  VKVLM_FAULT=$spec "$vkvlm" run -m "$model" --image "$image" -p "What is shown?" -n 4 >/dev/null 2>"$tmp/err"
  [ $? -eq 1 ]; check "$name: exit 1" $?
  for p in "$@"; do grep -q "^vkvlm: error: .*$p" "$tmp/err"; check "$name: message has '$p'" $?; done
  ! grep -qi "sanitizer\|segmentation\|core dumped" "$tmp/err"; check "$name: no crash" $?
}
fault "device lost at the 2nd submit" submit=2 "VK_ERROR_DEVICE_LOST" "injected" "a command of [0-9]* operations (last: "
fault "device lost at the 3rd fence wait" wait=3 "VK_ERROR_DEVICE_LOST" "vkWaitForFences"
fault "out of device memory while loading" alloc=1 "VK_ERROR_OUT_OF_DEVICE_MEMORY" "vkAllocateMemory"

VKVLM_LIMITS=memory=1M "$vkvlm" run -m "$model" --image "$image" -p hi -n 2 >/dev/null 2>"$tmp/err"
[ $? -eq 1 ]; check "model over the memory limit: exit 1" $?
grep -q "^vkvlm: error: .*needs [0-9.]* MiB of device memory .* has 1.0 MiB" "$tmp/err"; check "says needed vs available" $?
"$vkvlm" run -m "$model" --image "$image" -p hi -n 100000000 >/dev/null 2>"$tmp/err"
[ $? -eq 2 ]; check "-n beyond any context: exit 2" $?

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]

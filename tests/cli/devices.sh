#!/usr/bin/env bash
# CLI contract of `vkvlm devices` and `vkvlm selftest` (CLI.md): output fields, exit codes, messages.
# usage: devices.sh path/to/vkvlm
set -u
vkvlm=$1
passed=0 failed=0
check() { # check NAME CONDITION-EXIT-STATUS
  if [ "$2" -eq 0 ]; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAIL: $1" >&2; fi
}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

"$vkvlm" devices >"$tmp/out" 2>"$tmp/err"; check "devices exits 0" $?
grep -q "^vulkan:0 " "$tmp/out"; check "lists a Vulkan device (lavapipe)" $?
grep -q "^cpu:0 " "$tmp/out"; check "lists the CPU backend" $?
[ ! -s "$tmp/err" ]; check "no warnings when Vulkan works" $?

"$vkvlm" devices --json >"$tmp/json" 2>/dev/null; check "devices --json exits 0" $?
jq -e 'type == "array" and length >= 2' "$tmp/json" >/dev/null; check "json is a list of devices" $?
for field in backend index name vendor vendor_id device_id type driver driver_info api_version memory_heaps \
  device_local_bytes subgroup_size subgroup_operations fp16_arithmetic int8_arithmetic storage_16bit storage_8bit \
  integer_dot_product cooperative_matrix max_shared_memory_bytes max_workgroup_size max_workgroup_invocations \
  max_storage_buffer_range max_storage_buffers_per_stage max_memory_allocation_size timestamps quirks quirk_details \
  subgroup_size_control subgroup_required_size; do
  jq -e --arg f "$field" '.[0] | has($f)' "$tmp/json" >/dev/null; check "json field $field" $?
done
jq -e '.[] | select(.backend == "vulkan" and (.name | test("llvmpipe"))) | .subgroup_size == 8 and .max_storage_buffer_range == 134217728 and .timestamps' \
  "$tmp/json" >/dev/null; check "lavapipe: subgroup 8, 128 MiB range, timestamps" $?
jq -e '.[] | select(.backend == "vulkan" and (.name | test("llvmpipe"))) | .max_storage_buffers_per_stage == 32
  and .subgroup_size_control and .subgroup_min_size == 8 and .subgroup_max_size == 8 and .subgroup_required_size == 0' \
  "$tmp/json" >/dev/null; check "lavapipe: 32 storage buffers per stage, subgroup size control 8..8" $?
jq -e '.[] | select(.backend == "vulkan") | (.quirks | index("slow_shared_memory")) and
  (.quirk_details[] | select(.name == "slow_shared_memory") | (.symptom | length) > 20 and (.source | length) > 0
   and (.effect | test("informational")))' "$tmp/json" >/dev/null; check "quirk listed with symptom, effect, source" $?
"$vkvlm" devices >"$tmp/out" 2>/dev/null
grep -q "^      slow_shared_memory: a CPU driver" "$tmp/out"; check "text lists the quirk with its symptom" $?

swiftshader=/usr/lib/chromium/vk_swiftshader_icd.json
if [ -f "$swiftshader" ]; then
  VK_ICD_FILENAMES=$swiftshader "$vkvlm" devices --json >"$tmp/ss" 2>/dev/null; check "swiftshader devices exits 0" $?
  jq -e '.[0].name | test("SwiftShader")' "$tmp/ss" >/dev/null; check "lists SwiftShader" $?
  jq -e '.[0].subgroup_size == 4 and .[0].fp16_arithmetic == false and .[0].storage_16bit == false' "$tmp/ss" \
    >/dev/null; check "SwiftShader: subgroup 4, no fp16" $?
  jq -e '.[0].max_storage_buffers_per_stage == 30 and .[0].subgroup_size_control and .[0].subgroup_max_size == 4' "$tmp/ss" \
    >/dev/null; check "SwiftShader: 30 storage buffers per stage, subgroup size control 4..4" $?
fi

# No driver at all: still lists the CPU backend, says why, exits 0.
VK_ICD_FILENAMES=/nonexistent.json VK_DRIVER_FILES=/nonexistent.json VKVLM_VALIDATE=0 "$vkvlm" devices >"$tmp/out" 2>"$tmp/err"
check "no driver: exits 0" $?
grep -q "^cpu:0 " "$tmp/out"; check "no driver: lists cpu" $?
grep -q "vkvlm: warning: .*CPU backend" "$tmp/err"; check "no driver: says why" $?

"$vkvlm" devices --json --limits mobile >"$tmp/mob" 2>/dev/null; check "devices --limits mobile exits 0" $?
jq -e '.[] | select(.backend == "vulkan") | .max_storage_buffer_range == 134217728 and .max_shared_memory_bytes == 16384
  and .max_workgroup_invocations == 256 and .fp16_arithmetic == false and .max_storage_buffers_per_stage == 8
  and .limits_profile == "mobile"' "$tmp/mob" >/dev/null
check "mobile profile: effective caps shown" $?
"$vkvlm" devices --json --limits subgroup_size=min >"$tmp/sg" 2>/dev/null; check "subgroup_size=min exits 0" $?
jq -e '.[] | select(.backend == "vulkan") | .subgroup_required_size == .subgroup_min_size' "$tmp/sg" >/dev/null
check "subgroup_size=min: pipelines require the minimum" $?
"$vkvlm" devices --limits subgroup_size=64 >/dev/null 2>"$tmp/err"; [ $? -eq 1 ]; check "a size outside the range exits 1" $?
grep -q "^vkvlm: error: --limits subgroup_size=64: llvmpipe.* runs subgroups of 8..8 only" "$tmp/err"
check "a size outside the range is named with the device's range" $?
VKVLM_QUIRKS=fp16_inaccurate,subgroup_size_one,-slow_shared_memory "$vkvlm" devices --json >"$tmp/q" 2>/dev/null
jq -e '.[] | select(.backend == "vulkan") | .quirks == ["fp16_inaccurate", "subgroup_size_one"]
  and .fp16_arithmetic == false and .subgroup_operations == [] and .quirk_details[0].symptom == "forced by VKVLM_QUIRKS"' \
  "$tmp/q" >/dev/null; check "VKVLM_QUIRKS sets and clears, effects shown" $?
jq -e '.[] | select(.backend == "cpu") | .quirks == [] and .fp16_arithmetic' "$tmp/q" >/dev/null
check "VKVLM_QUIRKS leaves the CPU reference alone" $?
VKVLM_QUIRKS=bogus "$vkvlm" devices >/dev/null 2>"$tmp/err"; [ $? -eq 2 ]; check "unknown quirk exits 2" $?
grep -q "^vkvlm: error: VKVLM_QUIRKS=bogus: unknown quirk 'bogus'" "$tmp/err"; check "unknown quirk named" $?
VKVLM_LIMITS=storage_range=64M "$vkvlm" devices --json >"$tmp/env" 2>/dev/null
jq -e '.[0].max_storage_buffer_range == 67108864' "$tmp/env" >/dev/null; check "VKVLM_LIMITS applies" $?
"$vkvlm" devices --limits tablet >/dev/null 2>"$tmp/err"; [ $? -eq 2 ]; check "bad profile exits 2" $?
grep -q "^vkvlm: error: --limits tablet" "$tmp/err"; check "bad profile named" $?

"$vkvlm" devices --bogus >/dev/null 2>"$tmp/err"; [ $? -eq 2 ]; check "bad option exits 2" $?
grep -q "^vkvlm: error: .*--bogus" "$tmp/err"; check "bad option named in error" $?
"$vkvlm" frobnicate >/dev/null 2>&1; [ $? -eq 2 ]; check "unknown command exits 2" $?
"$vkvlm" >/dev/null 2>&1; [ $? -eq 2 ]; check "no command exits 2" $?
"$vkvlm" --help >/dev/null 2>&1; check "--help exits 0" $?

"$vkvlm" selftest >"$tmp/out" 2>"$tmp/err"; check "selftest passes on lavapipe" $?
grep -q "0 failed" "$tmp/out"; check "selftest reports no failures" $?
"$vkvlm" selftest --device no-such-gpu >/dev/null 2>"$tmp/err"; [ $? -eq 2 ]; check "unknown device exits 2" $?
grep -q "^vkvlm: error: --device no-such-gpu" "$tmp/err"; check "unknown device named" $?
"$vkvlm" selftest --backend metal >/dev/null 2>&1; [ $? -eq 2 ]; check "bad backend exits 2" $?

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]

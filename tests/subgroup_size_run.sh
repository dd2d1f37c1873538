#!/usr/bin/env bash
# Runs a test binary with every pipeline requiring the Vulkan device's smallest or largest subgroup size
# (VKVLM_LIMITS=subgroup_size=min|max, docs/portability.md). ctest treats exit 77 as a skip:
#   min  skipped when no Vulkan device can require a subgroup size (no subgroup size control);
#        otherwise it runs even where min == max (lavapipe 8..8, SwiftShader 4..4), because that is the only
#        way the whole kernel table goes through the required-size pipeline path under validation here;
#   max  skipped unless some device offers a range (min < max): at a single size it would repeat min.
# usage: subgroup_size_run.sh min|max path/to/vkvlm path/to/test [args...]
set -u
bound=$1 vkvlm=$2
shift 2
devices=$("$vkvlm" devices --json 2>/dev/null) || { echo "SKIP: vkvlm devices failed"; exit 77; }
controlled=$(jq '[.[] | select(.backend == "vulkan" and .subgroup_size_control)] | length' <<<"$devices")
ranged=$(jq '[.[] | select(.backend == "vulkan" and .subgroup_size_control
                           and .subgroup_min_size < .subgroup_max_size)] | length' <<<"$devices")
sizes=$(jq -r '[.[] | select(.backend == "vulkan") | "\(.name): \(.subgroup_min_size)..\(.subgroup_max_size)"] | join("; ")' <<<"$devices")
if [ "$controlled" -eq 0 ]; then echo "SKIP: no Vulkan device can require a subgroup size ($sizes)"; exit 77; fi
if [ "$bound" = max ] && [ "$ranged" -eq 0 ]; then echo "SKIP: one subgroup size only, run by the min test ($sizes)"; exit 77; fi
echo "subgroup_size=$bound on: $sizes"
VKVLM_LIMITS=subgroup_size=$bound exec "$@"

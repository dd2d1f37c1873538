#!/usr/bin/env bash
# run_fuzzers.sh BUILD_DIR SECONDS — run every BUILD_DIR/fuzz_* libFuzzer binary for SECONDS each.
#
# Each fuzz_<name> starts from the seed corpus tests/fuzz/corpus/<name>/, copied into a temporary directory so
# the inputs a run discovers never grow the repository. Crash, leak and timeout reproducers are written to
# BUILD_DIR/fuzz-artifacts/<name>/. A libFuzzer dictionary tests/fuzz/corpus/<name>.dict is used when present
# (the JSON parser is a system library without coverage instrumentation, so keywords help). Exits 1 if any fuzzer failed (or none was found), 0 otherwise.
# Does not build anything: configure with -DVKVLM_FUZZ=ON and clang first (`make fuzz` does both).
set -euo pipefail

if [[ $# -ne 2 ]] || ! [[ "$2" =~ ^[0-9]+$ ]]; then
    echo "usage: $0 BUILD_DIR SECONDS" >&2
    exit 2
fi
build_dir=$1
seconds=$2
repo=$(cd "$(dirname "$0")/.." && pwd)

shopt -s nullglob
fuzzers=("$build_dir"/fuzz_*)
runnable=()
for f in "${fuzzers[@]}"; do
    [[ -f "$f" && -x "$f" ]] && runnable+=("$f")
done
if [[ ${#runnable[@]} -eq 0 ]]; then
    echo "run_fuzzers: no fuzz_* executables in $build_dir (configure with -DVKVLM_FUZZ=ON, CC=clang)" >&2
    exit 1
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/vkvlm-fuzz.XXXXXX")
trap 'rm -rf "$work"' EXIT

failed=()
for bin in "${runnable[@]}"; do
    name=$(basename "$bin")
    name=${name#fuzz_}
    corpus="$work/corpus-$name"
    mkdir -p "$corpus"
    seeds="$repo/tests/fuzz/corpus/$name"
    if [[ -d "$seeds" ]]; then
        cp -R "$seeds"/. "$corpus"/
    else
        echo "run_fuzzers: warning: no seed corpus $seeds; starting empty" >&2
    fi
    dict_args=()
    [[ -f "$repo/tests/fuzz/corpus/$name.dict" ]] && dict_args=(-dict="$repo/tests/fuzz/corpus/$name.dict")
    artifacts="$build_dir/fuzz-artifacts/$name"
    mkdir -p "$artifacts"
    log="$work/$name.log"
    echo "== fuzz_$name: ${seconds}s, $(find "$corpus" -type f | wc -l) seeds"
    # -timeout: one input taking over 10 s is a hang; -rss_limit_mb keeps a runaway allocation a failure, not OOM.
    # A fixed seed (FUZZ_SEED, default 1) makes the brief runs in make test repeat the same mutations, so a red
    # CI means a regression rather than a lucky find; `make fuzz FUZZ_SEED=0` lets libFuzzer pick one.
    if "$bin" -seed="${FUZZ_SEED:-1}" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
        "${dict_args[@]}" -artifact_prefix="$artifacts/" "$corpus" >"$log" 2>&1; then
        grep -E '^(Done|stat::number_of_executed_units)' "$log" || true
        echo "   ok"
    else
        echo "   FAILED (exit $?); last lines of the log:" >&2
        tail -n 40 "$log" >&2
        echo "   reproducers in $artifacts" >&2
        failed+=("$name")
    fi
done

if [[ ${#failed[@]} -gt 0 ]]; then
    echo "run_fuzzers: failed: ${failed[*]}" >&2
    exit 1
fi
echo "run_fuzzers: all ${#runnable[@]} fuzzers ran ${seconds}s without a failure"

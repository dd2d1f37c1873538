#!/usr/bin/env bash
# setup.sh — installs what the build and the tests need from Debian's archive, and nothing else.
# Idempotent and quiet when everything is already there; `make demo` and `make test` run it first.
# Extra package groups: `tools/setup.sh web` adds what the browser build needs (added with that build).
set -euo pipefail

packages=(
  cmake make gcc clang libclang-rt-14-dev     # the build (clang: second compiler, libFuzzer runtime)
  libvulkan-dev libvulkan-volk-dev           # Vulkan headers and volk's loader source (no link-time libvulkan)
  mesa-vulkan-drivers                        # lavapipe: the Vulkan device on machines without a GPU
  vulkan-validationlayers vulkan-tools       # the validation layer the tests run under; vulkaninfo
  glslang-tools spirv-tools                  # GLSL -> SPIR-V at build time
  libcjson-dev libstb-dev                    # config/tokenizer JSON, image decoding
  jq                                         # CLI tests read --json output
  chromium-common                            # SwiftShader's Vulkan ICD: the no-fp16, subgroup-4 test driver
)

missing=()
for p in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
  [ "$status" = "installed" ] || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "setup: installing ${missing[*]}" >&2
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null; then SUDO=sudo; else
    echo "setup: not root and no sudo; install these packages: ${missing[*]}" >&2
    exit 1
  fi
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq >/dev/null
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null

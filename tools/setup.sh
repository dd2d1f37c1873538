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

# The browser build (`tools/setup.sh web`): Emscripten 3.1.6 from Debian, Node for running the wasm module,
# npm for Dawn-for-Node (the npm `webgpu` package) and playwright-core (installed project-locally into
# web/node_modules), Debian's chromium for the page test, dpkg-dev to unpack cJSON's source package.
web=0
for arg in "$@"; do
  case "$arg" in
    web) web=1; packages+=(emscripten nodejs npm dpkg-dev chromium) ;;
    *) echo "setup: unknown group '$arg' (known: web)" >&2; exit 2 ;;
  esac
done

# Runs after the apt step (and also when apt had nothing to do): the npm part of the web group.
web_npm() {
  [ "$web" -eq 1 ] || return 0
  local root
  root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
  # package-lock.json pins the exact Dawn build; `npm ci` would wipe and refetch every time, so only
  # install when the package is missing.
  [ -f "$root/web/node_modules/webgpu/package.json" ] && [ -f "$root/web/node_modules/playwright-core/package.json" ] &&
    return 0
  echo "setup: npm install in web/ (Dawn for Node, playwright-core)" >&2
  (cd "$root/web" && npm install --no-audit --no-fund --loglevel=error >/dev/null)
}

# cJSON for the wasm build: libcjson-dev ships no source, so take Debian's source package of the installed
# version (its security patches applied by dpkg-source) through a private deb-src list built from the
# machine's own sources, into build-web/third_party/cjson (web/CMakeLists.txt compiles cJSON.c from there).
web_cjson() {
  [ "$web" -eq 1 ] || return 0
  local root dest version tmp
  root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
  dest="$root/build-web/third_party/cjson"
  [ -f "$dest/cJSON.c" ] && return 0
  version=$(dpkg-query -W -f='${Version}' libcjson-dev)
  echo "setup: fetching Debian's cjson $version source package" >&2
  tmp=$(mktemp -d)
  mkdir -p "$tmp/src" "$tmp/lists/partial" "$tmp/cache/archives/partial" "$tmp/dl"
  local f
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] && sed 's/^Types: deb$/Types: deb-src/' "$f" > "$tmp/src/$(basename "$f")"
  done
  if [ -f /etc/apt/sources.list ]; then sed -n 's/^deb /deb-src /p' /etc/apt/sources.list > "$tmp/src/main.list"; fi
  local opts=(-q -o "Dir::Etc::SourceList=/dev/null" -o "Dir::Etc::SourceParts=$tmp/src"
    -o "Dir::State::Lists=$tmp/lists" -o "Dir::Cache=$tmp/cache" -o "APT::Sandbox::User=root")
  apt-get "${opts[@]}" update >/dev/null
  (cd "$tmp/dl" && apt-get "${opts[@]}" source --download-only "cjson=$version" >/dev/null)
  rm -rf "$dest"
  mkdir -p "$(dirname "$dest")"
  dpkg-source -x "$tmp"/dl/cjson_*.dsc "$dest" >/dev/null 2>&1
  rm -rf "$tmp"
  [ -f "$dest/cJSON.c" ] || { echo "setup: cjson source package has no cJSON.c" >&2; exit 1; }
}

# Some images ship Node from nodesource, whose `nodejs` package conflicts with Debian's `npm`; a
# working node + npm on PATH counts as installed.
if [ "$web" -eq 1 ] && command -v node >/dev/null && command -v npm >/dev/null; then
  kept=()
  for p in "${packages[@]}"; do [ "$p" = nodejs ] || [ "$p" = npm ] || kept+=("$p"); done
  packages=("${kept[@]}")
fi

missing=()
for p in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
  [ "$status" = "installed" ] || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then web_npm; web_cjson; exit 0; fi

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
web_npm
web_cjson

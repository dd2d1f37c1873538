# The README's commands. Everything real lives in CMake; this file only strings the steps together.
BUILD ?= build
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
CMAKE_FLAGS ?=

.PHONY: all setup configure build test test-asan demo fuzz report clean

all: build

setup:
	@tools/setup.sh

configure: setup
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo $(CMAKE_FLAGS) >/dev/null

build: configure
	@cmake --build $(BUILD) -j $(JOBS) -- --no-print-directory

# Every test: unit tests, GPU kernel tests on lavapipe with validation, CLI tests, golden cases; the same
# suite again under AddressSanitizer + UBSan (leaks included); the wasm build's WebGPU op checks under
# Node/Dawn; then each fuzzer briefly (TEST_FUZZ_SECONDS each; `make fuzz` runs them longer).
TEST_FUZZ_SECONDS ?= 10
test: build
	@cd $(BUILD) && ctest --output-on-failure -j $(JOBS)
	@$(MAKE) --no-print-directory test-asan
	@$(MAKE) --no-print-directory test-web
	@$(MAKE) --no-print-directory fuzz FUZZ_SECONDS=$(TEST_FUZZ_SECONDS)

test-asan: setup
	@cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DVKVLM_SANITIZE=ON >/dev/null
	@cmake --build build-asan -j $(JOBS) -- --no-print-directory
	@cd build-asan && ASAN_OPTIONS=detect_leaks=1 ctest --output-on-failure -j $(JOBS)

# The main job: the embedded tiny LLaVA model (random weights, made on first use) on its sample image.
TINY = models/tiny-llava
demo: build
	@[ -f $(TINY)/model.safetensors ] || $(BUILD)/vkvlm_make_tiny --family llava --out $(TINY)
	@$(BUILD)/vkvlm devices
	@echo "--- vkvlm run -m $(TINY) --image $(TINY)/sample.png -p 'What is shown in this image?' -n 16"
	@$(BUILD)/vkvlm run -m $(TINY) --image $(TINY)/sample.png -p "What is shown in this image?" -n 16
	@echo "(the tiny model has random weights, so its text is noise; for a real checkpoint see models/README.md)"

# Every checked-in benchmark file (results/*.json, from any machine: see docs/benchmarks.md) merged into
# docs/report/report.md and its SVG charts.
report: build
	@$(BUILD)/vkvlm report results/*.json -o docs/report

fuzz:
	@tools/setup.sh
	@cmake -S . -B build-fuzz -DCMAKE_C_COMPILER=clang -DVKVLM_FUZZ=ON >/dev/null
	@cmake --build build-fuzz -j $(JOBS) --target fuzzers -- --no-print-directory
	@tools/run_fuzzers.sh build-fuzz $${FUZZ_SECONDS:-60}

clean:
	rm -rf $(BUILD) build-fuzz build-asan

# The wasm build (build-web/: the engine with the WebGPU and CPU backends for web/vkvlm.mjs, and the op-check
# module) and its tests: op checks and golden cases under Node/Dawn (SwiftShader and GLES), the demo page in
# headless Chromium against the native CLI (hence `build`). docs/web.md.
.PHONY: web build-web test-web
web: build-web
build-web:
	@tools/setup.sh web
	@NODE_PATH=/usr/share/nodejs emcmake cmake -S web -B build-web -DCMAKE_BUILD_TYPE=Release >/dev/null
	@NODE_PATH=/usr/share/nodejs cmake --build build-web -j $(JOBS) -- --no-print-directory

test-web: build build-web
	@cd build-web && ctest --output-on-failure

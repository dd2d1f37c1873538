# The README's commands. Everything real lives in CMake; this file only strings the steps together.
BUILD ?= build
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
CMAKE_FLAGS ?=

.PHONY: all setup configure build test demo fuzz clean

all: build

setup:
	@tools/setup.sh

configure: setup
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo $(CMAKE_FLAGS) >/dev/null

build: configure
	@cmake --build $(BUILD) -j $(JOBS) -- --no-print-directory

# Every test: unit tests, GPU kernel tests on lavapipe with validation, CLI tests, golden cases.
test: build
	@cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

# The main job on the embedded default model. Until the LLaVA path lands: make the tiny default model,
# list devices, check every kernel against the CPU reference.
demo: build
	@[ -f models/tiny-llava/model.safetensors ] || $(BUILD)/vkvlm_make_tiny --family llava --out models/tiny-llava
	@$(BUILD)/vkvlm devices
	@$(BUILD)/vkvlm selftest

fuzz:
	@tools/setup.sh
	@cmake -S . -B build-fuzz -DCMAKE_C_COMPILER=clang -DVKVLM_FUZZ=ON >/dev/null
	@cmake --build build-fuzz -j $(JOBS) -- --no-print-directory
	@tools/run_fuzzers.sh build-fuzz $${FUZZ_SECONDS:-60}

clean:
	rm -rf $(BUILD) build-fuzz

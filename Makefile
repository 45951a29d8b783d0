# The two commands of the README. Everything else is CMake presets.
PRESET ?= release
BUILD  := build/$(PRESET)
JOBS   ?= $(shell nproc)
OUT    ?= out

.PHONY: run test build deps clean bench

run: build
	$(BUILD)/sim/cli/dctwin run --out $(OUT)

test: build
	ctest --preset $(PRESET) -j $(JOBS)

build: deps
	cmake --preset $(PRESET)
	cmake --build --preset $(PRESET) -j $(JOBS)

deps:
	bash scripts/install-deps.sh

bench: build
	bash bench/run.sh $(BUILD)/sim/cli/dctwin

clean:
	rm -rf build $(OUT)

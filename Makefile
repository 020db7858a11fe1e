# Two entry points for a fresh Debian 12 machine (see README.md):
#   make run    installs dependencies, builds, runs cove's main job
#   make check  installs dependencies, builds with ASan+UBSan and libFuzzer, runs ctest
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
RELEASE_DIR := build/release
CHECK_DIR := build/check

.PHONY: all deps build run check bench clean

all: build

deps:
	@./scripts/install-deps

build: deps
	cmake -S . -B $(RELEASE_DIR) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCOVE_BUILD_TESTS=OFF >/dev/null
	cmake --build $(RELEASE_DIR) -j $(JOBS)

run: build
	$(RELEASE_DIR)/tools/cove demo

check: deps
	CC=clang cmake -S . -B $(CHECK_DIR) -DCMAKE_BUILD_TYPE=Debug -DCOVE_SANITIZE=ON -DCOVE_FUZZ=ON >/dev/null
	cmake --build $(CHECK_DIR) -j $(JOBS)
	cd $(CHECK_DIR) && ctest --output-on-failure -j $(JOBS)

bench: build
	@for b in $(RELEASE_DIR)/bench/bench_*; do echo "== $$(basename $$b)"; COVE_SHARED_DIR=$${COVE_SHARED_DIR:-$(CURDIR)/../shared} $$b || exit 1; done

clean:
	rm -rf build

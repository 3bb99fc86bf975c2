# The two commands: `make run` and `make test`. Both install what is missing first.
#   make run     set up, build release, start `ferry serve` (http://127.0.0.1:8080/mcp)
#   make test    set up, build release, run every test (unit, integration, interop)
# Others: make build, make setup, make bench, make asan (sanitizer build + tests), make clean.

PRESET ?= release
FERRY  := build/$(PRESET)/ferry

.PHONY: all setup build run test asan tsan bench clean

all: build

setup:
	scripts/setup.sh

build: setup
	cmake --preset $(PRESET) >/dev/null
	cmake --build --preset $(PRESET)

run: build
	@echo "ferry: serving MCP on http://127.0.0.1:8080/mcp; Ctrl-C stops it" >&2
	$(FERRY) serve

test: build
	ctest --preset $(PRESET)

asan:
	$(MAKE) test PRESET=asan-ubsan

tsan:
	$(MAKE) test PRESET=tsan

bench: build
	build/$(PRESET)/ferry_benchmarks --benchmark_min_time=0.5
	bench/stdio_echo/run.sh

clean:
	rm -rf build

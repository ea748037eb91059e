# The two front doors (see README.md): `make demo` and `make test`; `make install
# PREFIX=DIR` installs nrnc, its runtime library and headers under DIR.
BUILD ?= build
ASAN_BUILD ?= build-asan
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
PREFIX ?= /usr/local

.PHONY: all deps build demo test test-fast test-asan install clean

all: build

deps:
	@./scripts/install-deps.sh

build: deps
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DNRN_WERROR=ON >/dev/null
	cmake --build $(BUILD) -j $(JOBS)

# Runs the example model; its spikes, traces and summary land in demo-out/.
demo: build
	$(BUILD)/compiler/nrnc run examples/lif.nrn --out demo-out
	$(BUILD)/compiler/nrnc plot demo-out
	@echo "results: demo-out/spikes.csv demo-out/trace_L_v.csv demo-out/summary.json demo-out/plot.svg"

# The whole suite, then again under AddressSanitizer + UndefinedBehaviorSanitizer.
test: test-fast test-asan

test-fast: build
	ctest --test-dir $(BUILD) --output-on-failure -j $(JOBS)

test-asan: deps
	cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=Debug -DNRN_SANITIZE=ON -DNRN_WERROR=ON >/dev/null
	cmake --build $(ASAN_BUILD) -j $(JOBS)
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	    ctest --test-dir $(ASAN_BUILD) --output-on-failure -j $(JOBS) -LE no-sanitizer

# The prefix can be moved afterwards: the installed nrnc finds its files relative to itself.
install: build
	cmake --install $(BUILD) --prefix $(PREFIX)

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) demo-out

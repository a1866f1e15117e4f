# hammertime's front door. `make bench` and `make test` work from a clean clone.
PYTHON ?= /usr/bin/python3
BUILD_DIR ?= build
JOBS ?= $(shell nproc)
HAMMERTIME := $(BUILD_DIR)/bin/hammertime

.PHONY: all deps build test bench bench-quick reproduce plots compare micro \
        test-sanitize format clean

all: build

deps:
	@scripts/install_deps.sh

build: deps
	@cmake -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=Release >/dev/null
	@cmake --build $(BUILD_DIR) -j $(JOBS)

test: build
	@ctest --test-dir $(BUILD_DIR) --output-on-failure -j $(JOBS)

format:
	@clang-format -i $$(git ls-files '*.cpp' '*.hpp')

clean:
	@rm -rf $(BUILD_DIR)

# Plots of any results directory: make plots RESULTS=results/latest
RESULTS ?= results/latest
plots:
	@$(PYTHON) scripts/plot_results.py $(RESULTS)

# Two runs side by side with Google Benchmark's compare.py: make compare A=DIR B=DIR
compare:
	@test -n "$(A)" -a -n "$(B)" || { echo "usage: make compare A=DIR B=DIR" >&2; exit 2; }
	@PYTHON=$(PYTHON) scripts/compare_results.sh $(A) $(B)

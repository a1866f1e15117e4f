# hammertime's front door. `make bench` and `make test` work from a clean clone.
PYTHON ?= /usr/bin/python3
BUILD_DIR ?= build
# The binary whose `list --json` the scripts read the models from (scripts/model_catalog.py).
export HAMMERTIME_BIN ?= $(abspath $(BUILD_DIR))/bin/hammertime
JOBS ?= $(shell nproc)
HAMMERTIME := $(BUILD_DIR)/bin/hammertime

.PHONY: report reference docs docs-check
.PHONY: all deps build test bench bench-quick bench-workloads bench-link-delay \
        bench-peers bench-published reproduce deps-peers plots compare micro \
        test-sanitize fuzz format format-check clean

all: build

# What make build, make test and make bench need (the C++ rows, the plots).
deps:
	@scripts/install_deps.sh

# Every peer's runtime (peers/README.md): Python libraries, Node.js, Go, Rust with
# tokio and hyper, Erlang, Elixir, a JDK. make build then builds the Rust and Java peers.
deps-peers:
	@scripts/install_deps_peers.sh

build: deps
	@cmake -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=Release -DHAMMERTIME_PYTHON=$(PYTHON) >/dev/null
	@cmake --build $(BUILD_DIR) -j $(JOBS)

test: build
	@ctest --test-dir $(BUILD_DIR) --output-on-failure -j $(JOBS)

# The default suite (bench/suites/default.plan), then its plots. Results go to
# results/runs/<timestamp>/, and results/latest points at them.
BENCH_REPETITIONS ?= 3
bench: build
	@$(HAMMERTIME) run --plan bench/suites/default.plan --repetitions $(BENCH_REPETITIONS)
	@$(PYTHON) scripts/plot_results.py results/latest
	@$(PYTHON) scripts/report.py results/latest
	@echo "results: $$(readlink -f results/latest) (report.html, summary.md, results.json, results.csv, plots/)"

bench-quick: build
	@$(HAMMERTIME) run --plan bench/suites/quick.plan --repetitions 1
	@$(PYTHON) scripts/plot_results.py results/latest
	@$(PYTHON) scripts/report.py results/latest
	@echo "results: $$(readlink -f results/latest) (report.html, summary.md, results.json, results.csv, plots/)"

# The hammer, chained and ticker workloads across the models (bench/suites/workloads.plan),
# with their own plots (scripts/plot_workloads.py) beside the usual ones.
bench-workloads: build
	@$(HAMMERTIME) run --plan bench/suites/workloads.plan --repetitions $(BENCH_REPETITIONS)
	@$(PYTHON) scripts/plot_results.py results/latest
	@$(PYTHON) scripts/plot_workloads.py results/latest
	@$(PYTHON) scripts/report.py results/latest
	@echo "results: $$(readlink -f results/latest) (report.html, summary.md, workloads.md, plots/)"

# Latency on the wire: flags with and without hammertime-proxy's 25 ms each way.
bench-link-delay: build
	@$(HAMMERTIME) run --plan bench/suites/link_delay.plan --repetitions 1
	@$(PYTHON) scripts/plot_results.py results/latest
	@$(PYTHON) scripts/report.py results/latest
# The peers (peers/: Python, Node.js, Go, Rust, Erlang, Elixir, Java) at make bench's sizes (bench/suites/peers.plan).
BENCH_PEERS_REPETITIONS ?= 3
bench-peers: deps-peers build
	@$(HAMMERTIME) run --plan bench/suites/peers.plan --repetitions $(BENCH_PEERS_REPETITIONS)
	@$(PYTHON) scripts/plot_results.py results/latest
	@$(PYTHON) scripts/report.py results/latest
	@echo "results: $$(readlink -f results/latest) (report.html, summary.md, results.json, results.csv, plots/)"

# The published 1M-task memory tables' format: 1 to 1,000,000 tasks x 10 s, every C++
# model and peer that can hold them (bench/suites/published.plan), one repetition.
BENCH_PUBLISHED_REPETITIONS ?= 1
bench-published: deps-peers build
	@$(HAMMERTIME) run --plan bench/suites/published.plan --repetitions $(BENCH_PUBLISHED_REPETITIONS)
	@$(PYTHON) scripts/plot_results.py results/latest
	@$(PYTHON) scripts/published_table.py results/latest
	@$(PYTHON) scripts/report.py results/latest
	@echo "results: $$(readlink -f results/latest) (published.md, report.html, summary.md, results.json, results.csv, plots/)"

# The classic flags demo, with the talk's figures beside ours.
reproduce: deps-peers build
	@$(HAMMERTIME) run --plan bench/suites/reproduce.plan --repetitions 1 >/dev/null
	@$(PYTHON) scripts/reproduce_table.py results/latest
	@$(PYTHON) scripts/plot_results.py results/latest
	@$(PYTHON) scripts/report.py results/latest
	@echo "results: $$(readlink -f results/latest) (reproduction.md, report.html, summary.md, plots/)"

# The libFuzzer targets (fuzz/), built with clang into build-fuzz/, each run for
# FUZZ_SECONDS from its committed corpus: make fuzz FUZZ_SECONDS=60
FUZZ_SECONDS ?= 60
fuzz: deps
	@scripts/fuzz.sh $(FUZZ_SECONDS)

format:
	@clang-format -i $$(git ls-files '*.cpp' '*.hpp')

# Fails, naming each file and line, where the code is not as `make format` leaves it.
format-check: deps
	@clang-format --dry-run --Werror $$(git ls-files '*.cpp' '*.hpp')
	@echo "format: every C++ file is as clang-format leaves it"

clean:
	@rm -rf $(BUILD_DIR)

# Plots of any results directory: make plots RESULTS=results/latest
RESULTS ?= results/latest
plots:
	@$(PYTHON) scripts/plot_results.py $(RESULTS)

# A run's plots, then its one page (report.html: summary with flags, warnings, context,
# every plot, the timelines): make report RESULTS=DIR, after a bare `hammertime run`
report:
	@$(PYTHON) scripts/plot_results.py $(RESULTS)
	@$(PYTHON) scripts/report.py $(RESULTS)

# The docs' tables (README.md, docs/results.md), written from results/reference/ by
# scripts/docs_tables.py, and their two pictures (docs/pictures/: the reproduce cells'
# timelines, the report's top) by scripts/docs_pictures.py; docs-check fails, naming the
# block and line, where a page differs from what it writes or quotes a figure without
# its results file.
docs:
	@$(PYTHON) scripts/docs_tables.py
	@$(PYTHON) scripts/docs_pictures.py

docs-check:
	@$(PYTHON) scripts/docs_tables.py --check

# Every suite whose results live in results/reference/, rerun from the current code into
# results/reference/<name>/ with its plots and report; refuses to overwrite a reference
# whose run warned, unless FORCE=1. SUITES=... picks some; DRY_RUN=1 says what it would do.
reference: build
	@PYTHON=$(PYTHON) HAMMERTIME=$(HAMMERTIME) FORCE=$(FORCE) DRY_RUN=$(DRY_RUN) \
	  scripts/make_reference.sh $(SUITES)

# What each model pays per task (spawn, switch, wake, one request), with Google
# Benchmark: make micro RESULTS=DIR writes DIR/micro.json and DIR/plots/micro.png (+ .svg)
MICRO_ARGS ?= --benchmark_repetitions=3
micro: build
	@mkdir -p $(RESULTS)
	@$(BUILD_DIR)/bin/hammertime-micro $(MICRO_ARGS) --benchmark_out_format=json \
	  --benchmark_out=$(RESULTS)/.micro.json.tmp
	@mv $(RESULTS)/.micro.json.tmp $(RESULTS)/micro.json
	@$(PYTHON) scripts/plot_micro.py $(RESULTS)

# Two runs side by side with Google Benchmark's compare.py: make compare A=DIR B=DIR
compare:
	@test -n "$(A)" -a -n "$(B)" || { echo "usage: make compare A=DIR B=DIR" >&2; exit 2; }
	@PYTHON=$(PYTHON) scripts/compare_results.sh $(A) $(B)

# The test suite under AddressSanitizer + UndefinedBehaviorSanitizer, then the models
# that use threads under ThreadSanitizer: the tests labelled "threads" from the models'
# descriptors (tests/test_labels.cmake.in). Separate build folders; run by CI.
TSAN_LABEL ?= threads
TSAN_TARGETS ?= model_test blocking_models_test executor_bridge_test harness_test harness_parts_test \
                harness_input_test workloads_test
# Under ASan the peers' runtimes are not instrumented, only the harness that drives them:
# the go peer's instances (and every C++ model's) cover those paths, the slower
# runtimes' instances run in make test.
ASAN_SKIP ?= /(python_|node_|java_|erlang|elixir|rust_)
test-sanitize: deps
	@cmake -S . -B $(BUILD_DIR)-asan -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  -DHAMMERTIME_SANITIZE=address,undefined -DHAMMERTIME_BUILD_BENCH=OFF >/dev/null
	@cmake --build $(BUILD_DIR)-asan -j $(JOBS)
	@ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
	  ctest --test-dir $(BUILD_DIR)-asan --output-on-failure -j $(JOBS) -E '$(ASAN_SKIP)'
	@cmake -S . -B $(BUILD_DIR)-tsan -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  -DHAMMERTIME_SANITIZE=thread -DHAMMERTIME_BUILD_BENCH=OFF >/dev/null
	@cmake --build $(BUILD_DIR)-tsan -j $(JOBS) --target $(TSAN_TARGETS)
	@TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1:suppressions=$(CURDIR)/tests/tsan.supp \
	  ctest --test-dir $(BUILD_DIR)-tsan --output-on-failure -j $(JOBS) -L '$(TSAN_LABEL)'

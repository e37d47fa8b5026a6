# membptt: the two commands of the README, and the one that rewrites the committed references.
# Everything else is CMake.
#   make run        install missing packages (as root), configure, build, run the default job
#                   (membptt reproduce: the paper's tables and figures into out/results and
#                   out/plots; out/ is git-ignored)
#   make test       the same set-up, then every test through ctest
#   make reference  rerun the analytic part of reproduce into $(BUILD)/reference and copy its
#                   deterministic files over the committed references in results/ (the only
#                   way those change; review the diff before committing it)
BUILD ?= build
JOBS  ?= $(shell nproc 2>/dev/null || echo 2)
CMAKE_FLAGS ?= -DCMAKE_BUILD_TYPE=Release
# The committed reference results that `reproduce` writes: analytic, so a rerun gives the same
# bytes (results/bench_solvers.csv is written by bench_solvers, see README.md).
REFERENCE_FILES = paper-quick.csv plan-quick.csv

.PHONY: all deps configure build run test reference clean

all: build

deps:
	@scripts/install-deps.sh

configure: deps
	@cmake -S . -B $(BUILD) $(CMAKE_FLAGS) > /dev/null

build: configure
	@cmake --build $(BUILD) -j $(JOBS)

run: build
	$(BUILD)/cli/membptt reproduce

test: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

reference: build
	rm -rf $(BUILD)/reference
	$(BUILD)/cli/membptt reproduce --no-measure --quiet --out $(BUILD)/reference > /dev/null
	cp $(addprefix $(BUILD)/reference/results/,$(REFERENCE_FILES)) results/
	@git status --short -- results/ 2>/dev/null || true

clean:
	rm -rf $(BUILD)

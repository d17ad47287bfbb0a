# rdn: build, test, bench.  `make deps` installs the Debian packages; `make check` runs every test
# with what is installed; `make test` is `make deps check`.
# Sources are picked up by wildcard: add a file to runtime/, interp/, tests/unit/, tests/fuzz/,
# tests/sh/ or bench/ and it is built and run without editing this file.

CC       ?= cc
CLANG    ?= clang
OPT      ?= -O2
CFLAGS   ?= $(OPT) -g
WARN     := -Wall -Wextra -Werror -Wmissing-prototypes -Wstrict-prototypes -Wshadow -Wno-unused-parameter \
            -Wno-missing-field-initializers
# builtin rows leave trailing fields (Builtin.on, the overload's kinds) to their zero default:
# -Wno-missing-field-initializers above.
# -ffp-contract=off: the compiler may not fuse a*b+c into an FMA on one machine and not another;
# rdn's numbers are written with explicit fmaf/fma where it wants one (docs/runtime.md).
FPFLAGS  := -ffp-contract=off
# runtime/ sees its own headers only (it never includes interp/: tests/sh/test_layers.sh);
# interp/, the generated parser and the tests see both.
RTCFLAGS  = -std=c11 -D_GNU_SOURCE -pthread $(WARN) $(FPFLAGS) $(CFLAGS) -Iruntime
ALLCFLAGS = $(RTCFLAGS) -Iinterp -I$(B)/gen
LIBS     := -lopenblas -lreadline -lz -lcsv -ljansson -lnettle -lzmq -lm -lpthread
B        := build

RT_SRC   := $(sort $(wildcard runtime/*.c))
IN_SRC   := $(sort $(wildcard interp/*.c))
GEN_SRC  := $(B)/gen/parser.c $(B)/gen/lexer.c $(B)/gen/stdlib_embed.c
RT_OBJ   := $(RT_SRC:%.c=$(B)/obj/%.o)
IN_OBJ   := $(IN_SRC:%.c=$(B)/obj/%.o)
GEN_OBJ  := $(GEN_SRC:$(B)/gen/%.c=$(B)/obj/gen/%.o)
UNIT_SRC := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(B)/tests/%)
FUZZ_SRC := $(sort $(wildcard tests/fuzz/fuzz_*.c))
BENCH_SRC:= $(sort $(wildcard bench/bench_*.c))
BENCH_BIN:= $(BENCH_SRC:bench/%.c=$(B)/bench/%)
FUZZ_SECONDS ?= 10

.PHONY: all deps demo paper test check unit lang shtests san fuzz bench docs clean check-docs
BIN      ?= rdn
all: $(BIN)
# rdn-mpi: rdn plus the MPI scheduler of `rdn sweep` (interp/mpi/), built when mpicc exists; plain
# rdn never needs an MPI library.
MPICC    ?= mpicc
HAVE_MPI := $(if $(filter rdn,$(BIN)),$(shell command -v $(MPICC) 2>/dev/null))
ifneq ($(HAVE_MPI),)
all: rdn-mpi
endif

DEB_PKGS := flex bison libreadline-dev libopenblas-dev zlib1g-dev gnuplot-nox libcsv-dev \
            libjansson-dev nettle-dev clang libclang-rt-14-dev tmux python3-numpy dataset-fashion-mnist \
            qemu-user openmpi-bin libopenmpi-dev \
            libzmq3-dev jupyter-notebook python3-jupyter-client jupyter-nbconvert python3-nbformat
deps:
	@missing=""; for p in $(DEB_PKGS); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  echo "installing:$$missing"; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	fi
$(B)/gen/parser.c $(B)/gen/parser.h &: grammar/parser.y
	@mkdir -p $(B)/gen
	bison -Wall -Werror --defines=$(B)/gen/parser.h -o $(B)/gen/parser.c $<
$(B)/gen/lexer.c $(B)/gen/lexer.h &: grammar/lexer.l $(B)/gen/parser.h
	@mkdir -p $(B)/gen
	flex --header-file=$(B)/gen/lexer.h -o $(B)/gen/lexer.c $<
$(B)/gen/stdlib_embed.c: $(wildcard stdlib/*.rdn) interp/embed.sh
	@mkdir -p $(B)/gen
	sh interp/embed.sh stdlib/*.rdn > $@.tmp && mv $@.tmp $@

# generated sources are compiled with relaxed warnings (flex output has unused functions)
$(B)/obj/gen/%.o: $(B)/gen/%.c
	@mkdir -p $(dir $@)
	$(CC) -std=c11 -D_GNU_SOURCE $(FPFLAGS) $(CFLAGS) -Wall -Werror -Wno-unused-function -Wno-unused-but-set-variable -Iruntime -Iinterp -I$(B)/gen -c $< -o $@
$(B)/obj/%.o: %.c | $(B)/gen/parser.h $(B)/gen/lexer.h
	@mkdir -p $(dir $@)
	$(CC) $(ALLCFLAGS) $(ISAFLAGS) -MMD -MP -c $< -o $@
# the runtime library needs no generated file (make build/librdnrt.a runs no bison or flex)
$(B)/obj/runtime/%.o: runtime/%.c
	@mkdir -p $(dir $@)
	$(CC) $(RTCFLAGS) $(ISAFLAGS) -MMD -MP -c $< -o $@
# CPU-specific kernels: runtime/*_avx2.c and runtime/*_avx512.c get their instruction sets (and
# are chosen at run time, runtime/isa.h); on other architectures they compile to nothing.
ifneq ($(filter x86_64 amd64,$(shell uname -m)),)
$(B)/obj/runtime/%_avx2.o: ISAFLAGS := -mavx2 -mfma
$(B)/obj/runtime/%_avx512.o: ISAFLAGS := -mavx512f -mavx512vl -mavx512bw -mavx512dq -mfma
endif
-include $(RT_OBJ:.o=.d) $(IN_OBJ:.o=.d)

$(B)/librdnrt.a: $(RT_OBJ)
	@rm -f $@; ar rcs $@ $^
$(BIN): $(IN_OBJ) $(GEN_OBJ) $(B)/librdnrt.a
	$(CC) $(ALLCFLAGS) -o $@ $(IN_OBJ) $(GEN_OBJ) $(B)/librdnrt.a $(LIBS)

$(B)/obj/mpi/sweep_mpi.o: interp/mpi/sweep_mpi.c interp/sweep.h
	@mkdir -p $(dir $@)
	$(MPICC) $(ALLCFLAGS) -c $< -o $@
rdn-mpi: $(IN_OBJ) $(GEN_OBJ) $(B)/obj/mpi/sweep_mpi.o $(B)/librdnrt.a
	$(MPICC) $(ALLCFLAGS) -o $@ $(IN_OBJ) $(GEN_OBJ) $(B)/obj/mpi/sweep_mpi.o $(B)/librdnrt.a $(LIBS)

$(B)/tests/%: tests/unit/%.c $(B)/librdnrt.a $(wildcard tests/unit/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(ALLCFLAGS) -Itests/unit -o $@ $< $(B)/librdnrt.a $(LIBS)

unit: $(UNIT_BIN)
	@fail=0; for t in $(UNIT_BIN); do echo "== $$t"; $$t || fail=1; done; exit $$fail
lang: rdn
	@sh tests/run_lang.sh ./rdn
shtests: rdn
	@fail=0; for t in $(sort $(wildcard tests/sh/test_*.sh)); do echo "== $$t"; RDN=$(CURDIR)/rdn sh $$t || fail=1; done; exit $$fail
check-docs: rdn
	@./rdn --reference > $(B)/reference.md && diff -u docs/reference.md $(B)/reference.md \
	  && echo "docs/reference.md matches the builtin table" \
	  || { echo "docs/reference.md is out of date: run 'make docs'"; exit 1; }
docs: rdn
	./rdn --reference > docs/reference.md

# AddressSanitizer + UndefinedBehaviorSanitizer: the whole suite on an instrumented build.
san:
	$(MAKE) B=build/san BIN=build/san/rdn CFLAGS="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined" \
	  LIBS="$(LIBS) -fsanitize=address,undefined" build/san/rdn-san-unit
	@echo "sanitizer build: all tests passed"
$(B)/rdn-san-unit: $(BIN) $(UNIT_BIN)
	@fail=0; for t in $(UNIT_BIN); do ASAN_OPTIONS=detect_leaks=1 $$t >/dev/null 2>$(B)/unit.err || { cat $(B)/unit.err; echo "FAIL(san) $$t"; fail=1; }; done; \
	 RDN_SAN=1 sh tests/run_lang.sh ./$(BIN) || fail=1; exit $$fail

fuzz:
	$(MAKE) B=build/fuzz BIN=build/fuzz/rdn CC=$(CLANG) WARN="-Wall -Wno-unused-parameter" CFLAGS="-O1 -g -fsanitize=fuzzer-no-link,address,undefined -DRDN_FUZZ" \
	  LIBS="$(LIBS) -fsanitize=address,undefined" fuzz-run
FUZZ_BIN := $(FUZZ_SRC:tests/fuzz/%.c=$(B)/fuzzbin/%)
$(B)/fuzzbin/%: tests/fuzz/%.c $(filter-out $(B)/obj/interp/main.o,$(IN_OBJ)) $(GEN_OBJ) $(B)/librdnrt.a
	@mkdir -p $(dir $@)
	$(CC) $(ALLCFLAGS) -fsanitize=fuzzer -o $@ $^ $(LIBS)
# harness=folder: the language tests that also seed a harness (read in place, never copied)
FUZZ_LANG_SEEDS := fuzz_parse=tests/lang/core fuzz_tensor=tests/lang/tensor
fuzz-run: $(FUZZ_BIN)
	@for f in $(FUZZ_BIN); do n=$$(basename $$f); mkdir -p $(B)/corpus/$$n; \
	  seeds=tests/fuzz/seeds/$$n; [ -d $$seeds ] || seeds=""; \
	  for m in $(FUZZ_LANG_SEEDS); do [ "$${m%%=*}" = $$n ] && seeds="$$seeds $${m#*=}"; done; \
	  echo "== fuzz $$n for $(FUZZ_SECONDS)s"; \
	  $$f -max_total_time=$(FUZZ_SECONDS) -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 $(B)/corpus/$$n $$seeds 2>$(B)/$$n.log \
	    || { tail -50 $(B)/$$n.log; exit 1; }; grep -E 'stat::number_of_executed_units|INFO: .*corp' $(B)/$$n.log | tail -2; done

$(B)/bench/%: bench/%.c $(B)/librdnrt.a
	@mkdir -p $(dir $@)
	$(CC) $(ALLCFLAGS) -O3 -march=native -o $@ $< $(B)/librdnrt.a $(LIBS)
bench: rdn $(BENCH_BIN)
	@for b in $(BENCH_BIN); do $$b || exit 1; done
	@for s in $(sort $(wildcard bench/bench_*.sh)); do sh $$s || exit 1; done

demo: deps rdn
	./rdn --out demo examples/quickstart.rdn
	@echo "(the figures, tables and manifest are in demo/)"

# The paper's five claims as studies (docs/paper.md): every examples/paper/N_*.rdn as an rdn sweep
# into paper-runs/ (resumed), then docs/paper.md and docs/paper/ regenerated from the summaries.
# SCALE=small: each script's '# small:' size; QUICK=1: the quick size, into paper-runs/quick and
# PAPER_DOC (default paper-runs/quick/paper.md), not docs/; DATA=DIR: an IDX folder (MNIST).
PAPER_RUNS = $(if $(QUICK),paper-runs/quick,paper-runs)
PAPER_DOC = $(if $(QUICK),$(PAPER_RUNS)/paper.md,docs/paper.md)
PAPER_FIGS = $(if $(QUICK),$(PAPER_RUNS)/paper,docs/paper)
paper: rdn
	python3 tools/paper.py run --rdn ./rdn --runs $(PAPER_RUNS) $(if $(QUICK),--quick,--scale $(or $(SCALE),full)) $(if $(DATA),--data $(DATA))
	python3 tools/paper.py gen --runs $(PAPER_RUNS) --doc $(PAPER_DOC) --figs $(PAPER_FIGS)

# check: build and run every test with what is installed (no network); test: deps first.
test: deps
	$(MAKE) check
check:
	$(MAKE) all
	$(MAKE) unit
	$(MAKE) lang
	$(MAKE) shtests
	$(MAKE) check-docs
	$(MAKE) san
	$(MAKE) fuzz FUZZ_SECONDS=$(FUZZ_SECONDS)
	@echo "make check: all passed"

clean:
	rm -rf build rdn rdn-mpi

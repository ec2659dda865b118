# omx: a thin wrapper over meson. `make run` and `make test` are all a newcomer types.
BUILD      ?= build
ASAN_BUILD ?= build-asan
TSAN_BUILD ?= build-tsan
FUZZ_BUILD ?= build-fuzz
FUZZ_SECONDS ?= 60
MESON_TEST = meson test --print-errorlogs --num-processes 2
RUN_ARGS  ?=

.PHONY: all deps deps-test deps-bench build test run bench asan tsan fuzz clean

all: build

# Package lists: tools/debian-packages.build (compiling, running), .test (test
# peers, sanitizer compiler), .bench (reference tools measured beside omx).
deps:
	@sh tools/install-deps build

deps-test:
	@sh tools/install-deps build test

deps-bench:
	@sh tools/install-deps build bench

$(BUILD)/build.ninja:
	meson setup $(BUILD) --werror

build: deps $(BUILD)/build.ninja
	meson compile -C $(BUILD)

# Runs every suite (unit, conformance, integration); the last line is the summary CI reads.
test: deps-test build
	@$(MESON_TEST) -C $(BUILD) || true; \
	 /usr/bin/python3 tools/test-summary $(BUILD)

# Flags for the program: make run RUN_ARGS='--web.listen-address=:9200'
run: build
	@if [ -x $(BUILD)/exporters/node/omx-node ]; then \
	   exec $(BUILD)/exporters/node/omx-node $(RUN_ARGS); \
	 else exec $(BUILD)/examples/omx-example $(RUN_ARGS); fi

bench: deps-bench build
	@sh bench/run $(BUILD)

asan: deps-test
	@[ -f $(ASAN_BUILD)/build.ninja ] || CC=clang meson setup $(ASAN_BUILD) --werror \
	   -Db_sanitize=address,undefined -Db_lundef=false -Dbuildtype=debug
	meson compile -C $(ASAN_BUILD)
	@ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
	 $(MESON_TEST) -C $(ASAN_BUILD) --suite unit --suite conformance >/dev/null 2>&1 || true; \
	 /usr/bin/python3 tools/test-summary $(ASAN_BUILD)

tsan: deps-test
	@[ -f $(TSAN_BUILD)/build.ninja ] || CC=clang meson setup $(TSAN_BUILD) --werror \
	   -Db_sanitize=thread -Db_lundef=false -Dintegration=false
	meson compile -C $(TSAN_BUILD)
	@TSAN_OPTIONS=halt_on_error=1 $(MESON_TEST) -C $(TSAN_BUILD) --suite unit >/dev/null 2>&1 || true; \
	 /usr/bin/python3 tools/test-summary $(TSAN_BUILD)

fuzz: deps-test
	@[ -f $(FUZZ_BUILD)/build.ninja ] || CC=clang meson setup $(FUZZ_BUILD) -Dfuzz=true \
	   -Db_lundef=false -Dintegration=false
	meson compile -C $(FUZZ_BUILD)
	@sh parser/fuzz/run $(FUZZ_BUILD) $(FUZZ_SECONDS)
	@sh exporters/blackbox/tests/wire/fuzz/run $(FUZZ_BUILD) $(FUZZ_SECONDS)
	@sh exporters/blackbox/tests/dns/fuzz-run $(FUZZ_BUILD) $(FUZZ_SECONDS)
	@sh exporters/logtail/tests/lang/fuzz-run.sh $(FUZZ_BUILD) $(FUZZ_SECONDS)

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(TSAN_BUILD) $(FUZZ_BUILD)

# Fuzzing the parsers of untrusted input (libFuzzer, clang).
#
#   make fuzz              each harness for FUZZ_SECONDS (60) from its corpus
#   make fuzz-regress      each harness once over its corpus and past crashes
#                          (fast: part of make test)
#
# Harnesses: fuzz/fuzz_*.c, linked with the files of ngx_portail_module/lib/
# that include no nginx header (LIB_PLAIN): they are kept free of nginx
# types for this reason.  fuzz_pdf runs the inspector of uploaded PDFs
# (libqpdf, itself not instrumented: coverage is the walk's) in the
# fuzzer's process, without portail-pdfcheck's limits: libFuzzer's own
# (-rss_limit_mb, 2 GB) stand for them.  Seeds: fuzz/corpus/<name>/; a
# crash found is fixed, then its input is kept in fuzz/corpus/<name>/.

FUZZ_SECONDS ?= 60
FUZZ_NAMES   := $(patsubst fuzz/fuzz_%.c,%,$(wildcard fuzz/fuzz_*.c))
FUZZ_BINS    := $(addprefix build/fuzz/,$(FUZZ_NAMES))
FUZZ_CFLAGS  := -g -O1 -fsanitize=fuzzer,address,undefined \
                -fno-sanitize-recover=undefined -Ingx_portail_module/lib \
                $(shell pkg-config --cflags libpcre2-8 jansson libsodium 2>/dev/null)
FUZZ_LIBS    := -lpcre2-8 -ljansson -lsodium -lz -lzxcvbn -lqpdf -lm
LIB_PLAIN    := $(shell grep -L '^\#include <ngx_' ngx_portail_module/lib/*.c)

.PHONY: fuzz fuzz-regress fuzz-build

fuzz-build: $(FUZZ_BINS)

build/fuzz/%: fuzz/fuzz_%.c $(LIB_PLAIN) $(wildcard ngx_portail_module/lib/*.h)
	@mkdir -p build/fuzz
	clang $(FUZZ_CFLAGS) -o $@ $< $(LIB_PLAIN) $(FUZZ_LIBS)

fuzz: fuzz-build
	@mkdir -p build/fuzz/crashes
	@for n in $(FUZZ_NAMES); do \
	    echo "fuzz: $$n for $(FUZZ_SECONDS)s"; \
	    mkdir -p build/fuzz/corpus/$$n; \
	    build/fuzz/$$n -max_total_time=$(FUZZ_SECONDS) -max_len=65536 \
	        -artifact_prefix=build/fuzz/crashes/$$n- \
	        build/fuzz/corpus/$$n fuzz/corpus/$$n >build/fuzz/$$n.log 2>&1 \
	        || { tail -n 40 build/fuzz/$$n.log; exit 1; }; \
	    tail -n 1 build/fuzz/$$n.log; \
	done

fuzz-regress: fuzz-build
	@for n in $(FUZZ_NAMES); do \
	    build/fuzz/$$n -runs=0 fuzz/corpus/$$n >build/fuzz/$$n-regress.log 2>&1 \
	        || { tail -n 40 build/fuzz/$$n-regress.log; exit 1; }; \
	done; echo "fuzz-regress: $(words $(FUZZ_NAMES)) harnesses, corpora replayed, no crash"

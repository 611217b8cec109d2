# portail: build, run and test.
#
#   make          build build/ngx_http_portail_module.so and
#                 build/portail-pdfcheck (the inspector of uploaded PDFs)
#   make run      the portal on 127.0.0.1:8080 with demo data (PORT=...)
#   make test     the whole test suite against a throwaway database
#   make clean    remove what the build made (keeps var/: the dev database)

SHELL := /bin/sh

NGINX_SRC   ?= /usr/share/nginx/src
BUILD       := build
NGX_BUILD   := $(BUILD)/nginx
MODULE      := $(BUILD)/ngx_http_portail_module.so
PDFCHECK    := $(BUILD)/portail-pdfcheck
PDFCHECK_SRCS := pdfcheck/portail-pdfcheck.c ngx_portail_module/lib/ngx_http_portail_pdfcheck.c
MODULE_SRCS := $(wildcard ngx_portail_module/*/*.c ngx_portail_module/*/*.h)
PORT        ?= 8080

# make import/export/demo-load work on the development cluster of make run
# unless told otherwise
export PGHOST     ?= 127.0.0.1
export PGPORT     ?= 5433
export PGUSER     ?= postgres
export PGDATABASE ?= portail

# Debian's own configure flags keep the module binary-compatible with its
# nginx (--with-compat, --with-threads, the same http modules).
NGX_CONF_FLAGS = $(shell sed -n 's/^NGX_CONF_FLAGS=( *\(.*\) *)$$/\1/p' $(NGINX_SRC)/conf_flags)
CC_OPT := -g -O2 -fstack-protector-strong -Wformat -Werror=format-security -fPIC -D_FORTIFY_SOURCE=2
LD_OPT := -Wl,-z,relro -Wl,-z,now -fPIC

.PHONY: all build deps run test clean FORCE

all build: $(MODULE) $(PDFCHECK)

deps:
	@tools/deps build

# Re-run configure when the list of sources changes: nginx's generated
# Makefile names each of them.
$(BUILD)/sources: FORCE
	@mkdir -p $(BUILD)
	@ls ngx_portail_module/*/*.c ngx_portail_module/*/*.h > $@.new
	@cmp -s $@.new $@ || mv $@.new $@
	@rm -f $@.new

$(NGX_BUILD)/objs/Makefile: config $(BUILD)/sources
	@tools/deps build
	rm -rf $(NGX_BUILD)
	mkdir -p $(BUILD)
	cp -r $(NGINX_SRC) $(NGX_BUILD)
	cd $(NGX_BUILD) && ./configure $(NGX_CONF_FLAGS) \
	    --with-cc-opt='$(CC_OPT)' --with-ld-opt='$(LD_OPT)' \
	    --add-dynamic-module=$(CURDIR) >configure.log 2>&1 \
	    || { tail -n 30 configure.log; exit 1; }

$(MODULE): $(NGX_BUILD)/objs/Makefile $(MODULE_SRCS)
	$(MAKE) -s -C $(NGX_BUILD) -f objs/Makefile modules
	@# a shared object links with undefined symbols: ours must all be defined,
	@# or nginx would refuse the module only when loading it
	@! nm -u $(NGX_BUILD)/objs/ngx_http_portail_module.so | grep -w 'ngx_http_portail_[a-z_0-9]*' \
	    || { echo "undefined portail symbols (above)"; exit 1; }
	cp $(NGX_BUILD)/objs/ngx_http_portail_module.so $@.tmp && mv -f $@.tmp $@

# the process the module runs for each uploaded PDF (docs/security.md)
$(PDFCHECK): $(PDFCHECK_SRCS) ngx_portail_module/lib/ngx_http_portail_pdfcheck.h
	@tools/deps build
	@mkdir -p $(BUILD)
	$(CC) $(CC_OPT) -Wall -Wextra -Werror -Ingx_portail_module/lib \
	    $(LD_OPT) -o $@.tmp $(PDFCHECK_SRCS) -lqpdf
	mv -f $@.tmp $@

run:
	@tools/deps run
	@$(MAKE) -s $(MODULE) $(PDFCHECK)
	@PORT=$(PORT) tools/run

test:
	@tools/deps test
	@$(MAKE) -s $(MODULE) $(PDFCHECK)
	@tools/test

clean:
	rm -rf $(BUILD) t/servroot

FORCE:

-include mk/*.mk

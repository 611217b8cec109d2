# Data targets (project issue #3), included by the top-level Makefile.
# The database comes from the PG* environment variables (the top-level
# Makefile exports them for the development cluster).
#
#   make import DIR=path/to/batch            load an ERP batch (tools/import)
#   make export SINCE=2025-11-20T05:00:00+01:00 DIR=out
#                                            tenants' changes since SINCE
#   make demo-data SIZE=small|10000|100000 OUT=dir
#                                            write a demo ERP batch (no database)
#   make demo-load [SIZE=small]              generate + import + demo accounts
#   make purge [LOT=1000]                    delete what is past its retention
#                                            period (tools/purge)

DATA_SIZE_small  := 40
DATA_SIZE_10000  := 10000
DATA_SIZE_100000 := 100000
SIZE ?= small

.PHONY: import export demo-data demo-load purge

import:
	@test -n "$(DIR)" || { echo "usage: make import DIR=dossier-du-lot" >&2; exit 2; }
	tools/import "$(DIR)"

export:
	@test -n "$(SINCE)" -a -n "$(DIR)" || { echo "usage: make export SINCE=AAAA-MM-JJTHH:MM:SS+01:00 DIR=dossier" >&2; exit 2; }
	tools/export --since "$(SINCE)" --dir "$(DIR)"

demo-data:
	@test -n "$(DATA_SIZE_$(SIZE))" || { echo "make demo-data : SIZE=small, 10000 ou 100000" >&2; exit 2; }
	@test -n "$(OUT)" || { echo "usage: make demo-data SIZE=small|10000|100000 OUT=dossier" >&2; exit 2; }
	python3 tools/demo-data --households $(DATA_SIZE_$(SIZE)) --out "$(OUT)"

demo-load:
	@test -n "$(DATA_SIZE_$(SIZE))" || { echo "make demo-load : SIZE=small, 10000 ou 100000" >&2; exit 2; }
	tools/demo-load --households $(DATA_SIZE_$(SIZE))

purge:
	tools/purge --lot $(or $(LOT),1000)

# Benchmark targets (project issue #8), included by the top-level Makefile.
# docs/performance.md explains the method, the targets and the figures.
#
#   make bench        every workload and baseline (bench/run): about 10
#                     minutes once the data are loaded (the first time: a
#                     few more), results in bench/results/<date>-<time>.md
#   make bench BENCH_LARGE=1
#                     workload 5 at 100,000 households too (the first time
#                     generates and imports them: see docs/performance.md)
#   make bench-soak   workload 1 for a million requests: is the workers'
#                     memory flat? (BENCH_SOAK_REQUESTS=1000000)
#
# As root, missing Debian packages are installed (tools/deps bench) and the
# Node peer's packages too (npm ci, from bench/peers/node/package-lock.json).
# Settings are environment variables, listed at the top of bench/run.

.PHONY: bench bench-soak

bench:
	@tools/deps bench
	@$(MAKE) -s $(MODULE) $(PDFCHECK)
	@bench/run

bench-soak:
	@tools/deps bench
	@$(MAKE) -s $(MODULE) $(PDFCHECK)
	@bench/run --soak

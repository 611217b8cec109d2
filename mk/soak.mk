# The long suites (issue #9), kept out of `make test`:
#
#   make soak              the fault suite under load (soak/pannes.t), then
#                          each fuzzing harness for FUZZ_SECONDS, then the
#                          API tests under valgrind (make valgrind)
#   make valgrind          VALGRIND_TESTS with nginx under valgrind memcheck
#                          (one process, master off); a report fails them
#
# SOAK_READERS / SOAK_WRITERS: the load's client processes (6 and 2).

# The API suites: every handler, upload and download.  Left to the sanitizer
# run: the suites that time things (pool, faults, nodes, standby) and those
# made of sign-ins (argon2id's 64 MiB per hash under memcheck: hours).
VALGRIND_TESTS ?= t/010-sante.t t/070-accueil.t t/080-contrats.t t/090-documents.t \
                  t/105-carte.t t/110-sepa.t t/120-demandes.t t/130-enquetes.t

.PHONY: soak soak-faults valgrind

soak-faults:
	@tools/deps test
	@$(MAKE) -s $(MODULE) $(PDFCHECK)
	TESTS="soak/pannes.t" SANITIZE=0 BROWSER=0 DEB_TEST=0 tools/test

valgrind:
	@tools/deps test
	@$(MAKE) -s $(MODULE) $(PDFCHECK)
	TEST_NGINX_USE_VALGRIND=1 TEST_NGINX_TIMEOUT=30 TESTS="$(VALGRIND_TESTS)" SANITIZE=0 BROWSER=0 DEB_TEST=0 tools/test

soak: soak-faults
	$(MAKE) -s fuzz
	$(MAKE) -s valgrind

# The Debian package: libnginx-mod-http-portail, built with Debian's own
# tooling for nginx modules (debhelper + dh_nginx from nginx-dev).
#
#   make deb     build/deb/libnginx-mod-http-portail_<version>_<arch>.deb

DEB_VERSION := $(shell awk -F'[()]' 'NR == 1 { print $$2 }' debian/changelog)

.PHONY: deb

deb:
	@tools/deps build deb
	rm -rf build/deb
	mkdir -p build/deb/portail-$(DEB_VERSION)
	tar --exclude=./build --exclude=./var --exclude=./t/servroot \
	    --exclude=node_modules --exclude=./.git -cf - . \
	    | tar -C build/deb/portail-$(DEB_VERSION) -xf -
	cd build/deb/portail-$(DEB_VERSION) && \
	    dpkg-buildpackage -us -uc -b >../build.log 2>&1 \
	    || { tail -n 40 ../build.log; exit 1; }
	@ls build/deb/*.deb

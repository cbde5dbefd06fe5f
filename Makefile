# strom: thin wrapper over meson. `make demo` and `make check` do the whole set-up on a
# fresh Debian 12 machine (as root, or with sudo available): install the missing Debian
# packages, build, then run the demo or every test (normal build, then ASan+UBSan).

DEB_PACKAGES := gcc pkg-config meson ninja-build libglib2.0-dev libjson-glib-dev \
                libsoup-3.0-dev libsqlite3-dev libreadline-dev sqlite3 tmux graphviz \
                liblz4-dev libgtk-4-dev libadwaita-1-dev libgtksourceview-5-dev \
                libgraphviz-dev xvfb xauth desktop-file-utils
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
BUILD ?= build
ASAN_BUILD ?= build-asan

.PHONY: all deps build demo check test test-asan bench clean

all: build

deps:
	@missing=$$(for p in $(DEB_PACKAGES); do \
	    dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'ok installed' || echo $$p; \
	  done); \
	if [ -n "$$missing" ]; then \
	  echo "Installing: $$missing"; \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi

$(BUILD)/build.ninja:
	meson setup $(BUILD) --buildtype=debugoptimized

build: deps $(BUILD)/build.ninja
	ninja -C $(BUILD)

$(ASAN_BUILD)/build.ninja:
	meson setup $(ASAN_BUILD) --buildtype=debug -Db_sanitize=address,undefined \
	  -Db_lundef=false -Dc_args=-fno-sanitize-recover=all

demo: build
	./$(BUILD)/repl/strom -f share/examples/demo.sql

test: build
	meson test -C $(BUILD) --print-errorlogs --num-processes 2

test-asan: deps $(ASAN_BUILD)/build.ninja
	ninja -C $(ASAN_BUILD)
	meson test -C $(ASAN_BUILD) --print-errorlogs --num-processes 2 --timeout-multiplier 4

check: deps
	@bash tools/check.sh $(BUILD) $(ASAN_BUILD)

bench: build
	meson test -C $(BUILD) --benchmark --verbose

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) build-tsan

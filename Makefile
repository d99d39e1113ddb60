# SPDX-License-Identifier: GPL-2.0-or-later
# rustha — see README.md.  `make demo` and `make test` install what they need (Debian 12, root).
#
# What is built and installed comes from each crate's [package.metadata.rustha] table (read by
# tools/agents.sh; docs/development.md "Adding an agent"): no list of agents is kept here.
#
# Where things go. The resource agents go to $(OCF_ROOT)/resource.d/rustha and the fence agents
# to $(FENCEDIR) whatever PREFIX is: Pacemaker looks for them only in /usr/lib/ocf/resource.d and
# /usr/sbin, so `make install PREFIX=/usr/local` still puts them where it finds them (set
# OCF_ROOT or FENCEDIR explicitly to override). Tools and man pages follow PREFIX.
PREFIX    ?= /usr
DESTDIR   ?=
OCF_ROOT  ?= /usr/lib/ocf
FENCEDIR  ?= /usr/sbin
DRBDDIR   ?= /usr/lib/drbd
BINDIR    ?= $(PREFIX)/bin
MANDIR    ?= $(PREFIX)/share/man
CARGO     ?= cargo
TARGET_DIR := $(or $(CARGO_TARGET_DIR),target)

# The resource agents are installed statically linked (static = true in their table): Pacemaker
# runs a monitor every few seconds, and the dynamic loader is half of what such a call costs.
# They need no name service (the fence agents do, and stay dynamically linked). The static
# build has its own target directory ($(TARGET_DIR)/<host>/release), so it can also have its own
# code generation without costing `cargo test --release` a rebuild: whole-program LTO in one
# codegen unit and panic=abort (the runtime's panic hook already ends the process with an exit
# reason, so unwinding buys nothing), a binary 20% smaller that starts faster (docs/benchmarks.md,
# LVM-activate).
STATIC_PROFILE = CARGO_PROFILE_RELEASE_LTO=fat CARGO_PROFILE_RELEASE_CODEGEN_UNITS=1 \
  CARGO_PROFILE_RELEASE_PANIC=abort
HOST      := $(shell rustc -vV 2>/dev/null | sed -n 's/^host: //p')
# Evaluated when used (each is one `cargo metadata`).
STATIC_PACKAGES  = $(shell tools/agents.sh packages static)
DYNAMIC_PACKAGES = $(shell tools/agents.sh packages dynamic)

.PHONY: all build static deps install uninstall test demo lint bench clean agents

all: build

deps:
	@tools/install-deps.sh

# The registry: kind, package, installed name, linkage, man section.
agents:
	@tools/agents.sh table

build: static
	@tools/agents.sh table >/dev/null
	$(CARGO) build --release $(addprefix -p ,$(DYNAMIC_PACKAGES))

# (The first line fails, naming the mistake, when a [package.metadata.rustha] table is wrong.)
static:
	@tools/agents.sh table >/dev/null
	$(STATIC_PROFILE) RUSTFLAGS="$(RUSTFLAGS) -C target-feature=+crt-static" $(CARGO) build --release --target $(HOST) \
	  $(addprefix -p ,$(STATIC_PACKAGES))

install: build
	@DESTDIR="$(DESTDIR)" OCF_ROOT="$(OCF_ROOT)" FENCEDIR="$(FENCEDIR)" BINDIR="$(BINDIR)" \
	  DRBDDIR="$(DRBDDIR)" MANDIR="$(MANDIR)" TARGET_DIR="$(TARGET_DIR)" tools/install.sh install

# Removes what `make install` installed; files a package owns are left (and named).
uninstall:
	@DESTDIR="$(DESTDIR)" OCF_ROOT="$(OCF_ROOT)" FENCEDIR="$(FENCEDIR)" BINDIR="$(BINDIR)" \
	  DRBDDIR="$(DRBDDIR)" MANDIR="$(MANDIR)" TARGET_DIR="$(TARGET_DIR)" tools/install.sh uninstall

lint:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings

test: deps
	@tools/test.sh

demo: deps
	@tools/demo.sh

bench: deps build
	@bench/run

clean:
	$(CARGO) clean

# Distribution (packaging/README.md): the source tarball with the crates vendored, and the check
# that the Debian and RPM packages build from it offline, install and work (root).
.PHONY: dist package-check
dist:
	@packaging/dist.sh

package-check:
	@packaging/check.sh

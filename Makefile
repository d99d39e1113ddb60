# SPDX-License-Identifier: GPL-2.0-or-later
# rustha — see README.md.  `make demo` and `make test` install what they need (Debian 12, root).
PREFIX    ?= /usr
DESTDIR   ?=
OCF_ROOT  ?= $(PREFIX)/lib/ocf
SBINDIR   ?= $(PREFIX)/sbin
BINDIR    ?= $(PREFIX)/bin
MANDIR    ?= $(PREFIX)/share/man
CARGO     ?= cargo
TARGET_DIR := $(or $(CARGO_TARGET_DIR),target)
RELEASE   := $(TARGET_DIR)/release

# The resource agents are installed statically linked: Pacemaker runs a monitor every few seconds,
# and the dynamic loader is half of what such a call costs. They need no name service (the fence
# agents do, and stay dynamically linked). The static build has its own target directory.
HOST      := $(shell rustc -vV 2>/dev/null | sed -n 's/^host: //p')
STATIC    := $(TARGET_DIR)/$(HOST)/release
STATIC_CRATES := ipaddr2 filesystem

# What gets installed where: resource agents into the OCF root, fence agents into sbin.
OCF_AGENTS   := IPaddr2 IPaddr Filesystem
FENCE_AGENTS := fence_na fence_ipmilan_rs
TOOLS        := na-sim

.PHONY: all build static deps install uninstall test demo lint bench clean

all: build

deps:
	@tools/install-deps.sh

build: static
	$(CARGO) build --release --workspace

static:
	RUSTFLAGS="-C target-feature=+crt-static" $(CARGO) build --release --target $(HOST) \
	  $(addprefix -p ,$(STATIC_CRATES))

install: build
	install -d $(DESTDIR)$(OCF_ROOT)/resource.d/rustha $(DESTDIR)$(SBINDIR) $(DESTDIR)$(BINDIR) \
	  $(DESTDIR)$(MANDIR)/man7 $(DESTDIR)$(MANDIR)/man8
	@for a in $(OCF_AGENTS); do \
	  if [ -x $(STATIC)/$$a ]; then install -m 0755 $(STATIC)/$$a $(DESTDIR)$(OCF_ROOT)/resource.d/rustha/$$a; \
	  else echo "install: $$a not built, skipped" >&2; fi; done
	@for a in $(FENCE_AGENTS); do \
	  if [ -x $(RELEASE)/$$a ]; then install -m 0755 $(RELEASE)/$$a $(DESTDIR)$(SBINDIR)/$$a; \
	    $(RELEASE)/$$a -o manpage > $(DESTDIR)$(MANDIR)/man8/$$a.8; \
	  else echo "install: $$a not built, skipped" >&2; fi; done
	@for a in $(TOOLS); do \
	  if [ -x $(RELEASE)/$$a ]; then install -m 0755 $(RELEASE)/$$a $(DESTDIR)$(BINDIR)/$$a; \
	  else echo "install: $$a not built, skipped" >&2; fi; done
	@if [ -x $(RELEASE)/rustha-metadata ]; then \
	  for a in $(OCF_AGENTS); do $(RELEASE)/rustha-metadata man $$a > $(DESTDIR)$(MANDIR)/man7/ocf_rustha_$$a.7 2>/dev/null || rm -f $(DESTDIR)$(MANDIR)/man7/ocf_rustha_$$a.7; done; fi

uninstall:
	rm -rf $(DESTDIR)$(OCF_ROOT)/resource.d/rustha
	for a in $(FENCE_AGENTS); do rm -f $(DESTDIR)$(SBINDIR)/$$a; done
	for a in $(TOOLS); do rm -f $(DESTDIR)$(BINDIR)/$$a; done
	rm -f $(DESTDIR)$(MANDIR)/man7/ocf_rustha_*.7
	for a in $(FENCE_AGENTS); do rm -f $(DESTDIR)$(MANDIR)/man8/$$a.8; done

lint:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings

test: deps
	@tools/test.sh

demo: deps
	@tools/demo.sh

bench: deps build
	@for b in bench/*.sh; do echo "== $$b"; bash $$b || exit 1; done

clean:
	$(CARGO) clean

# Set-up, build and test. `make mou` and `make test` install what is missing.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
MOU := $(VENV)/bin/mou
SPEC ?= examples/inclusive-care.yaml
OUT ?= out
# Debian's python3 is the one python3-uno serves, so the virtual environment is built on it.
SYSPY := /usr/bin/python3
APT_PACKAGES := libreoffice-writer-nogui python3-uno python3-venv fonts-tlwg-laksaman fonts-tlwg-laksaman-ttf poppler-utils \
                chromium chromium-driver softhsm2
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: install apt venv fonts pyc mou serve check lint test bench fuzz clean

install: apt venv fonts pyc

# The package's and the tests' bytecode, written now: where PYTHONDONTWRITEBYTECODE is set (as on our CI machines)
# Python never writes it, and every `mou` process, server, fork server and test worker compiled the whole pipeline
# again (0.15 s of CPU each, a few hundred times in `make test`). Only what changed is compiled.
pyc: venv
	@$(PY) -m compileall -q pipeline tests scripts >/dev/null

# LibreOffice 25.2 on both releases. Debian 12 ships 7.4, whose PDF export ignores a word joiner after a Thai upper
# vowel or tone mark (2.5 % of Thai line ends fall inside a word there); Debian's own bookworm-backports carry 25.2.3,
# the version Debian 13 ships, so on Debian 12 `make` takes LibreOffice and python3-uno from there.
# MOU_RELEASE_LIBREOFFICE=1 keeps the release's own 7.4 (then the <= 1 % line-break promise does not hold: README).
LO_PACKAGES := libreoffice-writer-nogui python3-uno
BACKPORTS := $(shell . /etc/os-release 2>/dev/null; [ "$$VERSION_CODENAME" = bookworm ] && [ -z "$(MOU_RELEASE_LIBREOFFICE)" ] && echo bookworm-backports)
BPO_LIST := /etc/apt/sources.list.d/mou-bookworm-backports.sources

apt: .stamp-apt
.stamp-apt: Makefile
	@if [ -n "$(BACKPORTS)" ] && [ ! -f $(BPO_LIST) ] && ! grep -rqs "bookworm-backports" /etc/apt/sources.list /etc/apt/sources.list.d/; then \
	  echo "Adding Debian's bookworm-backports (LibreOffice 25.2)"; \
	  printf 'Types: deb\nURIs: http://deb.debian.org/debian\nSuites: bookworm-backports\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' | $(SUDO) tee $(BPO_LIST) >/dev/null; \
	  $(SUDO) apt-get update -qq; \
	fi
	@missing=""; for p in $(filter-out $(if $(BACKPORTS),$(LO_PACKAGES)),$(APT_PACKAGES)); do \
	  dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing:$$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing; \
	fi
	@if [ -n "$(BACKPORTS)" ] && ! dpkg-query -W -f='$${Version}\n' $(LO_PACKAGES) 2>/dev/null | grep -c '^4:25\.' | grep -qx 2; then \
	  echo "Installing LibreOffice 25.2 from bookworm-backports"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends \
	    -t $(BACKPORTS) $(LO_PACKAGES); \
	fi
	@touch $@

venv: $(VENV)/.installed
$(VENV)/.installed: pyproject.toml .stamp-apt
	@[ -x $(PY) ] || $(SYSPY) -m venv --system-site-packages $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test]'
	@touch $@

# TH Sarabun New, the official font, into fonts/ (pinned by sha256; see scripts/install_fonts.py). Without network it
# says so and the PDFs fall back to Laksaman, with a warning from mou build.
fonts: $(VENV)/.installed
	@$(PY) scripts/install_fonts.py

mou: install
	$(MOU) build $(SPEC) --out $(OUT)

# The questionnaire in a browser on http://127.0.0.1:8000/, over workspace/ (seeded with copies of examples/).
WORKSPACE ?= workspace
serve: install
	@mkdir -p $(WORKSPACE); for f in examples/*.yaml; do [ -e "$(WORKSPACE)/$$(basename $$f)" ] || cp "$$f" $(WORKSPACE)/; done
	$(MOU) serve --workspace $(WORKSPACE)

# ruff (lint and format) over the code and the tests, and mypy over the package (its settings in pyproject.toml).
lint: venv
	$(VENV)/bin/ruff check pipeline tests scripts
	$(VENV)/bin/ruff format --check pipeline tests scripts
	$(VENV)/bin/mypy

# The fast loop while editing: lint and every test that needs no LibreOffice, Chromium or batch run (under 30 s), in
# two processes (185 tests: 32 s in one, 22 s in two).
check: lint pyc
	$(PY) -m pytest -q -m "not slow" -n 2

# Two processes (pytest-xdist), each with its own LibreOffice; a test file stays in one of them (its fixtures with it).
test: install lint
	$(PY) -m pytest -q -n 2 --dist loadfile

# N agreements (default 200), batch workers JOBS (2), LOOP specs in the `mou build` loop (all; 0 skips it).
bench: install
	$(PY) scripts/bench.py
	$(PY) scripts/bench_preview.py
	$(PY) scripts/bench_sign.py

# The property-based fuzzing of tests/test_fuzz.py, FUZZ_SCALE (25) times the make-test run, with a random seed.
fuzz: install
	@seed=$${SEED:-$$RANDOM}; echo "make fuzz: seed $$seed (SEED=$$seed make fuzz replays it)"; \
	FUZZ_SCALE=$${FUZZ_SCALE:-25} $(PY) -m pytest -q -p no:cacheprovider tests/test_fuzz.py --hypothesis-show-statistics --hypothesis-seed=$$seed

clean:
	rm -rf out .pytest_cache

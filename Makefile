# Potok. Two commands on a fresh Debian machine:
#   make run    installs what is missing, builds, opens the window (ARGS=--demo for the offline demo)
#   make test   gofmt check, go vet, go test -race, then every fuzz target for
#               FUZZTIME_CI (3s) each (headless: no X11 or GL headers needed)

GO      ?= $(shell command -v go 2>/dev/null || echo /usr/local/go/bin/go)
SUDO    := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
BIN     := bin/potok
ARGS    ?=

# Debian packages Fyne's OpenGL driver builds against (Fyne 2.7 on Debian 12).
GUI_DEPS   := gcc libc6-dev pkg-config libgl1-mesa-dev libx11-dev libxrandr-dev libxxf86vm-dev \
              libxi-dev libxcursor-dev libxinerama-dev
# The peers `make bench` measures against, and its tools.
BENCH_DEPS := aria2 wget2 curl nginx-light hyperfine time bc

.PHONY: rpc-window tray-window bench-lesson bench-wan bench-segments bench-regress bench-pi package deb screenshots run build test vet fmt-check fuzz bench bench-go bench-io bench-peers deps bench-deps go-check clean

run: build
	./$(BIN) $(ARGS)

build: go-check deps
	$(GO) build -o $(BIN) .

# Installs only the packages that are missing, so a second run costs nothing.
deps:
	@./bench/apt-ensure.sh $(GUI_DEPS)

bench-deps:
	@./bench/apt-ensure.sh $(BENCH_DEPS)

go-check:
	@$(GO) version >/dev/null 2>&1 || { echo "Go 1.26 is needed and was not found: install it from go.dev/dl into /usr/local/go"; exit 1; }

# The lesson's π speedup test times 200 million points in each mode and
# counts only runs that had the cores to themselves: it runs alone, after the
# packages' tests, which would otherwise be what keeps the cores busy.
SPEEDUP_TEST := ^TestPiSpeedupByMode$$

test: go-check fmt-check vet
	$(GO) test -race -tags ci -count=1 -skip '$(SPEEDUP_TEST)' ./...
	$(GO) test -race -tags ci -count=1 -run '$(SPEEDUP_TEST)' -v ./compute/lesson/
	$(call run-fuzz,$(FUZZTIME_CI))

# The lesson's figures: downloads and π in every mode (README, "The lesson").
bench-lesson: go-check
	$(GO) build -tags ci -o bin/potok-cli .
	./bin/potok-cli bench lesson

vet:
	$(GO) vet -tags ci ./...

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

# Every fuzz target in the module for a while (FUZZTIME=30s by default; make
# test gives each FUZZTIME_CI). Targets are found, not listed: `go test -list`
# names each package's Fuzz functions, and -fuzz takes one target per run.
FUZZTIME    ?= 30s
FUZZTIME_CI ?= 3s
fuzz: go-check
	$(call run-fuzz,$(FUZZTIME))

define run-fuzz
	@found=$$($(GO) test -tags ci -list '^Fuzz' ./...) || exit 1; \
	targets=$$(echo "$$found" | awk '/^Fuzz/ { n[++k] = $$1; next } /^ok/ { for (i = 1; i <= k; i++) print $$2, n[i]; k = 0 }'); \
	[ -n "$$targets" ] || { echo "no fuzz targets found"; exit 1; }; \
	echo "$$targets" | while read -r pkg name; do \
		echo "fuzz $$name in $$pkg for $(1)"; \
		out=$$($(GO) test -tags ci -run '^$$' -fuzz "^$$name$$" -fuzztime $(1) $$pkg 2>&1); rc=$$?; echo "$$out"; \
		if [ $$rc -ne 0 ] && echo "$$out" | grep -q 'context deadline exceeded' && ! echo "$$out" | grep -q 'Failing input written'; then \
			echo "fuzz $$name: Go 1.26's fuzzer failed on its own -fuzztime deadline with no failing input (golang/go#75804, fixed in 1.27): once more"; \
			$(GO) test -tags ci -run '^$$' -fuzz "^$$name$$" -fuzztime $(1) $$pkg || exit 1; \
		elif [ $$rc -ne 0 ]; then exit 1; fi; \
	done
endef

# The figures in README.md: Go benchmarks, potok bench io, and the side-by-side
# runs against wget2, curl and aria2c from nginx on loopback.
bench: bench-go bench-io bench-pi bench-regress bench-peers bench-segments bench-wan bench-lesson

# potok regress beside scikit-learn, XGBoost (exact and hist) and ranger on
# the same CSV and split (Debian's python3-sklearn, python3-xgboost, r-cran-ranger).
bench-regress: go-check
	@./bench/apt-ensure.sh python3-sklearn python3-pandas python3-xgboost r-cran-ranger
	$(GO) build -tags ci -o bin/potok-cli .
	./bench/regress_peers.sh ./bin/potok-cli

# π throughput beside a C loop doing the same arithmetic.
bench-pi: go-check
	gcc -O2 -o bin/pi_ref bench/pi_ref.c -lm
	$(GO) test -run '^$$' -bench PiPoint -count 5 ./compute/
	./bin/pi_ref 50000000

bench-go:
	$(GO) test -tags ci -run '^$$' -bench . -benchmem ./downloader/ ./compute/...

bench-io: go-check
	$(GO) build -tags ci -o bin/potok-cli .
	./bin/potok-cli bench io

bench-peers: go-check bench-deps
	$(GO) build -tags ci -o bin/potok-cli .
	./bench/peers.sh ./bin/potok-cli

# One 1 GiB file from nginx (limit_rate 20m per connection) over 16
# connections: potok get -x 16 beside aria2c -x16 -s16, with peak memory.
bench-segments: go-check
	$(GO) build -tags ci -o bin/potok-cli .
	./bench/segments.sh ./bin/potok-cli

# HTTPS + HTTP/2 with a 50 ms round trip (bench/wanserve: the demo server
# behind toxiproxy, in process): 500 x 16 KiB at 16 in flight, and 256 MiB
# over 16 connections at 10 MB/s each, beside curl, wget2 and aria2c, with
# each tool's protocol and connections counted at the proxy.
bench-wan: go-check
	$(GO) build -tags ci -o bin/potok-cli .
	GO=$(GO) ./bench/wan.sh ./bin/potok-cli

# An installable archive (Potok.tar.xz: binary, icon, .desktop file) by the
# fyne tool, pinned in go.mod as a tool.
package: go-check deps
	$(GO) tool fyne package -os linux -release
	@ls -l Potok.tar.xz

# potok_VERSION_amd64.deb in dist/, by nfpm (pinned in go.mod as a tool):
# /usr/bin/potok, the .desktop entry, hicolor icons, AppStream metainfo, a
# manual page, changelog and copyright (packaging/). The version is
# FyneApp.toml's, the one `make package` puts in Potok.tar.xz too. The build
# takes the hardening Debian's own packages get (PIE, full RELRO, fortified
# C): lintian asks for it. packaging/check-deb.sh (as root) installs the
# result into a fresh Debian 12 and runs it there.
VERSION        := $(shell sed -n 's/^Version *= *"\(.*\)"$$/\1/p' FyneApp.toml)
DEB            := dist/potok_$(VERSION)_amd64.deb
DEB_MAINTAINER ?= Potok maintainers <maintainers@users.noreply.r-seed-f0aabde6.example>
deb: go-check deps
	CGO_CFLAGS='-O2 -g -D_FORTIFY_SOURCE=2 -fstack-protector-strong' \
		$(GO) build -trimpath -buildmode=pie -ldflags '-s -w -extldflags=-Wl,-z,relro,-z,now' -o $(BIN) .
	$(GO) run ./packaging/debstage -bin $(BIN) -out bin/deb -maintainer '$(DEB_MAINTAINER)' -go $(GO)
	@mkdir -p dist
	POTOK_VERSION='$(VERSION)' POTOK_MAINTAINER='$(DEB_MAINTAINER)' \
		$(GO) tool nfpm package --config packaging/nfpm.yaml --packager deb --target $(DEB)
	@ls -l $(DEB)

# The real window under Xvfb, in English (docs/*.png) and in Russian
# (docs/ru/*.png): mid-download, the speedup chart, the Compute tab, the
# Settings dialog and the Lesson tab. Needs the GUI build and Xvfb.
screenshots: build
	@./bench/apt-ensure.sh xvfb xauth imagemagick
	./docs/screenshots.sh $(BIN) en
	./docs/screenshots.sh $(BIN) ru

# Issue 13's done-when run: the real window under Xvfb takes a link from the
# npm aria2 client over WebSocket and downloads it (docs/rpc-window.png,
# docs/rpc-settings.png). Needs the GUI build, Xvfb, node and npm; not part
# of make test.
rpc-window: build
	@./bench/apt-ensure.sh xvfb xauth imagemagick xdotool nodejs npm
	./bench/rpc_window.sh $(BIN)

# The tray icon's menu of the real window, read and clicked over a private
# D-Bus session under Xvfb (no desktop needed); not part of make test.
tray-window: build
	@./bench/apt-ensure.sh xvfb xauth dbus libglib2.0-bin
	./bench/tray_window.sh $(BIN)

clean:
	rm -rf bin dist

# Two commands a user needs on a fresh Debian 12 machine with Node 20 (README):
#   make demo   the main job on built-in data (htaf compare on churn, a short budget)
#   make test   the test suite
# Each installs what is missing first, idempotently: Debian packages, npm packages, the native build.

SHELL := /bin/bash
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
# libtorch, OpenBLAS so dense layers do not fall back to the reference BLAS (60x slower), the font
# the figures are drawn with, the built-in image data (Fashion-MNIST, IDX files) and the headless
# browser the HTML report is checked in; clang and lld compile the runtime's kernels to WebAssembly; Gloo's
# headers, which libtorch's c10d headers include (the library itself is inside libtorch_cpu).
DEBIAN_PACKAGES := libtorch-dev libopenblas0-pthread fonts-dejavu-core dataset-fashion-mnist chromium clang lld libgloo-dev
NATIVE := native/build/Release/htaf_native.node
# Build against the headers of the Node that runs us (no download): <prefix>/include/node.
NODE_PREFIX := $(shell node -p "require('path').resolve(process.execPath, '../..')")
NODEDIR_FLAG := $(if $(wildcard $(NODE_PREFIX)/include/node/node_api.h),--nodedir=$(NODE_PREFIX))
KERNEL_SOURCES := native/kernels/runtime_kernels.c native/kernels/runtime_kernels.h
NATIVE_SOURCES := $(wildcard native/src/*.cc native/src/*.c native/src/*.h) $(KERNEL_SOURCES) native/binding.gyp native/gen/ops_generated.h
# Generated, not committed: the WebAssembly kernels as base64 (tools/build-wasm.mjs).
WASM_KERNELS := src/runtime/wasm_kernels.generated.ts
TS_SOURCES := $(shell find src test bench examples -name '*.ts' 2>/dev/null)

.PHONY: all deps build demo demo-browser test clean gen

all: build

# Debian packages: installed only when missing (LIBTORCH=/path skips libtorch-dev).
.deps/debian: Makefile
	@missing=""; for p in $(if $(LIBTORCH),$(filter-out libtorch-dev,$(DEBIAN_PACKAGES)),$(DEBIAN_PACKAGES)); do \
	  dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "make: installing Debian packages:$$missing"; \
	  $(SUDO) apt-get update -q && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -q $$missing; \
	fi
	@mkdir -p .deps && touch $@

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund
	@touch $@

deps: .deps/debian node_modules/.package-lock.json

native/gen/ops_generated.h: native/ops.def tools/gen-ops.mjs
	node tools/gen-ops.mjs

gen: native/gen/ops_generated.h

# Configure once (again when binding.gyp changes), then build incrementally.
native/build/config.gypi: native/binding.gyp .deps/debian node_modules/.package-lock.json
	cd native && ../node_modules/.bin/node-gyp configure $(NODEDIR_FLAG)

$(NATIVE): native/build/config.gypi $(NATIVE_SOURCES) $(wildcard native/gen/*.cc)
	cd native && ../node_modules/.bin/node-gyp build --jobs 2

$(WASM_KERNELS): $(KERNEL_SOURCES) tools/build-wasm.mjs .deps/debian
	node tools/build-wasm.mjs

dist/.built: node_modules/.package-lock.json native/gen/ops_generated.h $(WASM_KERNELS) $(TS_SOURCES) tsconfig.json
	node_modules/.bin/tsc -p tsconfig.json
	@touch $@

build: $(NATIVE) dist/.built

# The import check first (no cycle, the layer order of docs/design.md, a light main entry point), then
# only *.test.js files: node would also run every helper module under a folder named test/.
test: build
	node tools/check-imports.mjs
	node --test --test-concurrency=1 $$(find dist/test -name '*.test.js' | sort)

# The paper's protocol (htaf compare) on the built-in churn data at a demo budget: 2 splits, a small grid,
# at most 20 epochs per run; prints the table and writes .demo-out/churn/results.{md,csv,json}.
demo: build
	rm -rf .demo-out/churn
	node bin/htaf.js compare --data churn --splits 2 --budget demo --epochs 20 --out .demo-out/churn

# The browser demo (docs/runtime.md, "In the browser"): the model MODEL=FILE.htafb names, else a DHN trained here once
# (5000 Fashion-MNIST images, 2 epochs, about a minute); builds examples/browser/dist and serves it on
# http://127.0.0.1:$(PORT)/ until Ctrl-C.
DEMO_BROWSER_RUN := .demo-out/browser-run
PORT ?= 8080
$(DEMO_BROWSER_RUN)/model.htafb: | build
	rm -rf $(DEMO_BROWSER_RUN)
	node bin/htaf.js images train --model dhn --depth 10 --dataset fashion-mnist --train-size 5000 --epochs 2 --out $(DEMO_BROWSER_RUN)
	node bin/htaf.js export --run $(DEMO_BROWSER_RUN)

demo-browser: build $(if $(MODEL),,$(DEMO_BROWSER_RUN)/model.htafb)
	node dist/examples/browser/build.js --model $(or $(MODEL),$(DEMO_BROWSER_RUN)/model.htafb) --out examples/browser/dist
	node dist/examples/browser/serve.js --dir examples/browser/dist --port $(PORT)

clean:
	rm -rf native/build dist .deps $(WASM_KERNELS)

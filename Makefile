# kfgitops: KRM functions that make upstream Kubeflow GitOps-ready.
SHELL      := bash
.SHELLFLAGS := -eu -o pipefail -c
BIN        := $(CURDIR)/bin
FUNCTIONS  ?= $(notdir $(wildcard functions/*))
CONTROLLERS ?= $(notdir $(wildcard controllers/*))
MODULES    := kit $(addprefix functions/,$(FUNCTIONS)) $(addprefix controllers/,$(CONTROLLERS)) tests tools/ocibuild
PACKAGES   := $(addprefix ./,$(addsuffix /...,$(MODULES)))
KUSTOMIZE  := $(BIN)/kustomize
KUSTOMIZE_VERSION := v5.8.1
GO_TEST_FLAGS ?=
# make test leaves out the image build tests (every function for two
# platforms, twice): make test-images runs them, and CI runs both.
TEST_PACKAGES := $(filter-out ./tools/ocibuild/...,$(PACKAGES)) ./tools/ocibuild/catalog/...

.PHONY: all build images tools demo test test-images test-apiserver test-translators bench fuzz lint golden clean

all: build

## build: every function's and controller's binary into bin/
build:
	@mkdir -p $(BIN)
	@for f in $(FUNCTIONS); do CGO_ENABLED=0 go build -trimpath -o $(BIN)/$$f ./functions/$$f || exit 1; done
	@for c in $(CONTROLLERS); do CGO_ENABLED=0 go build -trimpath -o $(BIN)/$$c ./controllers/$$c || exit 1; done

## images: every function's image (linux/amd64+arm64), offline, into images/ (see VERSIONING.md)
images:
	go run ./tools/ocibuild -out images

## tools: the real kustomize, into bin/
tools: $(KUSTOMIZE)
$(KUSTOMIZE):
	@mkdir -p $(BIN)
	GOBIN=$(BIN) go install sigs.k8s.io/kustomize/kustomize/v5@$(KUSTOMIZE_VERSION)

## demo: render examples/kubeflow-mini through pipelines/kubeflow and show what changed
demo: build tools
	@go run ./tests/cmd/demo

## test: unit, golden, corpus and end-to-end tests (the corpus ones skip without ../shared/corpus)
test: build tools lint
	go test -timeout 30m $(GO_TEST_FLAGS) $(TEST_PACKAGES)

## test-images: build every image offline (twice, for reproducibility) and test it
test-images:
	go test -count=1 -timeout 40m ./tools/ocibuild/...

## fuzz: every fuzz target for a fixed number of inputs (a fixed budget, unlike -fuzztime=Ns, is reproducible in CI)
FUZZ_INPUTS ?= 3000
fuzz:
	go test -run '^$$' -fuzz '^FuzzFunctions$$' -fuzztime $(FUZZ_INPUTS)x ./tests/krm
	go test -run '^$$' -fuzz '^FuzzFunctionConfig$$' -fuzztime $(FUZZ_INPUTS)x ./tests/krm
	go test -run '^$$' -fuzz '^FuzzDecodeConfig$$' -fuzztime $(FUZZ_INPUTS)x ./kit
	go test -run '^$$' -fuzz '^FuzzMigrateNamespace$$' -fuzztime $(FUZZ_INPUTS)x ./functions/ambient-mesh/ambientmesh
	go test -run '^$$' -fuzz '^FuzzRead$$' -fuzztime $(FUZZ_INPUTS)x -fuzzminimizetime 100x ./kit/krmio
	go test -run '^$$' -fuzz '^FuzzEmitScalar$$' -fuzztime $(FUZZ_INPUTS)x -fuzzminimizetime 100x ./kit/krmio
	go test -run '^$$' -fuzz '^FuzzEmitYAML$$' -fuzztime $(FUZZ_INPUTS)x -fuzzminimizetime 100x ./kit/krmio

## test-apiserver: apply the pipeline's output to a real kube-apiserver + etcd on loopback (built from the
## Go module proxy once, ~10 min cold, then cached in ~/.cache/kfgitops-apiserver); see docs/apiserver-suite.md
test-apiserver: build tools
	KFGITOPS_APISERVER=1 go test -count=1 -timeout 75m -run TestAPIServer -v ./tests/apiserver/

## test-translators: the pipeline's output through kgateway v2.4.0's own translator, the input's VirtualServices
## through Istio's, compared request by request (tests/translators: its own module, outside go.work, run with
## GOWORK=off so kgateway's and Istio's dependencies never change the functions' versions); see docs/translators.md
test-translators: build
	cd tests/translators && GOWORK=off go vet ./... && GOWORK=off go test -count=1 -timeout 30m -v ./... 2>&1 \
		| grep -Ev '^(=== (RUN|PAUSE|CONT)|\{"level")'

## golden: rewrite the golden files from the current behaviour (review the diff!)
golden:
	UPDATE_GOLDEN=1 go test $(PACKAGES) -run Golden

## bench: benchmarks on the corpus, and runtime-sync at scale on the real API server, written to docs/performance.md
# In-process benchmarks run BENCHTIME times; whole-process ones (best of 3
# inside, or one long run) PROCESS_BENCHTIME times. A failed benchmark still
# gets its report (benchreport lists the missing rows); the target fails after.
BENCHTIME ?= 3x
PROCESS_BENCHTIME ?= 1x
bench_machine = echo "bench-machine: $(1) $$(date -u +%Y-%m-%dT%H:%M:%SZ) nproc=$$(nproc) loadavg=$$(cut -d' ' -f1-3 /proc/loadavg)"
bench: build tools
	@mkdir -p out
	@$(call bench_machine,start) | tee out/bench.txt
	-go test -run '^$$' -bench '^Benchmark(Floor|Function|Chain)$$' -benchmem -benchtime $(BENCHTIME) -timeout 90m ./tests/bench | tee -a out/bench.txt
	-go test -run '^$$' -bench '^Benchmark(Process|ProcessScale|ProcessRSS|Kustomize)$$' -benchmem -benchtime $(PROCESS_BENCHTIME) -timeout 90m ./tests/bench | tee -a out/bench.txt
	@$(call bench_machine,corpus-done) | tee -a out/bench.txt
	-KFGITOPS_APISERVER=1 go test -run '^$$' -bench RuntimeSync -benchtime 1x -timeout 60m ./tests/apiserver | tee -a out/bench.txt
	@$(call bench_machine,end) | tee -a out/bench.txt
	go run ./tests/cmd/benchreport < out/bench.txt > docs/performance.md
	@cat docs/performance.md
	@! grep -E '^(FAIL|--- FAIL|panic:)' out/bench.txt

## lint: gofmt and go vet
lint:
	@out=$$(gofmt -l $(MODULES)); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	go vet $(PACKAGES)

clean:
	rm -rf $(BIN) images

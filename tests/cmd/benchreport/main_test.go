package main

import (
	"strings"
	"testing"
)

const sample = `bench-machine: start 2026-12-01T12:30:00Z nproc=2 loadavg=3.10 2.50 2.00
cpu: Test CPU
BenchmarkProcess/strip-istio-sidecar-2         	       1	 600000000 ns/op	         0.90 x-floor	       130.0 peak-RSS-MiB	         1.00 rss-x-floor	        12.00 input-MiB
BenchmarkProcess/kubeflow-gitops-2             	       1	2100000000 ns/op	         0.40 x-floor	       150.0 peak-RSS-MiB	         0.30 rss-x-floor	        12.00 input-MiB
BenchmarkProcess/verify-2                      	       1	 900000000 ns/op	         3.00 x-floor	       260.0 peak-RSS-MiB	         2.00 rss-x-floor	        13.00 input-MiB
BenchmarkProcessRSS/strip-istio-sidecar/x16-2  	       1	9000000000 ns/op	         9.00 x-floor	      1800 peak-RSS-MiB	        13.8 rss-x-floor	       186.0 input-MiB
BenchmarkProcessRSS/strip-istio-sidecar/objects50k-2 	1	5000000000 ns/op	         5.00 x-floor	       550 peak-RSS-MiB	         4.2 rss-x-floor	        11.70 input-MiB
BenchmarkKustomize/plain-build-2 	       1	7000000000 ns/op	        11.61 output-MiB	       341.0 peak-RSS-MiB	       341.0 tree-RSS-MiB
BenchmarkKustomize/one-step-2    	       1	21000000000 ns/op	        11.66 output-MiB	      1205 peak-RSS-MiB	      1300 tree-RSS-MiB
BenchmarkKustomize/one-step+verify-2    	       1	35000000000 ns/op	        11.66 output-MiB	      1205 peak-RSS-MiB	      1310 tree-RSS-MiB
BenchmarkKustomize/pipeline-2    	       1	95000000000 ns/op	        11.66 output-MiB	      1650 peak-RSS-MiB	      1700 tree-RSS-MiB
--- FAIL: BenchmarkProcessRSS/verify/objects50k
bench-machine: corpus-done 2026-12-01T13:00:00Z nproc=2 loadavg=5.00 4.00 3.00
BenchmarkRuntimeSyncScale-2 	       1	459000000000 ns/op	1000 namespaces	459.3 s-until-all	28.3 reconciles/s	362.0 peak-RSS-MiB
bench-machine: end 2026-12-01T13:10:00Z nproc=2 loadavg=6.00 5.00 4.00
`

func sampleRun(t *testing.T) (benchRun, map[string]result) {
	run := parseFrom(strings.NewReader(sample))
	if run.cpu != "Test CPU" || len(run.results) != 10 || len(run.machine) != 3 {
		t.Fatalf("cpu %q, %d results, %d machine lines", run.cpu, len(run.results), len(run.machine))
	}
	byName := map[string]result{}
	for _, r := range run.results {
		byName[r.name] = r
	}
	return run, byName
}

func TestPeakRSSTable(t *testing.T) {
	_, byName := sampleRun(t)
	table := peakRSSTable(byName)
	for _, want := range []string{
		"| function | 1× | 16× | 50,000 objects |",
		"| strip-istio-sidecar | 130 MiB (11× its 12 MiB input) | 1800 MiB (10× its 186 MiB input) | 550 MiB (47× its 12 MiB input) |",
		"| verify | 260 MiB (20× its 13 MiB input) | – | – |",
		"| argocd-apps | – | – | – |",
	} {
		if !strings.Contains(table, want) {
			t.Errorf("table lacks %q:\n%s", want, table)
		}
	}
	// verify's row is not held to the mutators' time target
	for _, v := range verdicts(byName) {
		if strings.Contains(v, "verify") {
			t.Errorf("verdict about verify: %s", v)
		}
	}
}

// The report says what the machine was doing, which rows the run lacks and
// what failed, and compares the kustomize forms from the run's own figures.
func TestRender(t *testing.T) {
	run, _ := sampleRun(t)
	doc := render(run)
	for _, want := range []string{
		"Machine: Test CPU, 2 cores (`nproc`)",
		"started (2026-12-01T12:30:00Z): 3.10 2.50 2.00, finished the corpus benchmarks (2026-12-01T13:00:00Z): 5.00 4.00 3.00 and ended (2026-12-01T13:10:00Z): 6.00 5.00 4.00.",
		"**Incomplete run.** Not measured (missing from the benchmark output): Floor/x1,",
		"ProcessRSS/verify/objects50k",
		"Failures: `--- FAIL: BenchmarkProcessRSS/verify/objects50k`.",
		"| one-step+verify (pipelines/kubeflow-one-step: `kubeflow-gitops`, then `verify`) | 2 | 35.00 s | 1205 MiB | 1310 MiB | 11.7 MiB |",
		"| pipeline (pipelines/kubeflow: six mutators and `verify`, each its own exec transformer) | 7 | 95.00 s | 1650 MiB | 1700 MiB | 11.7 MiB |",
		"**Pick pipelines/kubeflow-one-step** (`kubeflow-gitops`, then `verify`) under kustomize: 35.0 s and 1205 MiB peak against 95.0 s and 1650 MiB",
		"the chain adds 14.0 s to the plain build, of which the chain binary itself runs about 0.7 s",
		"the five extra exec functions of pipelines/kubeflow add 12.0 s each",
		"| 1000 | 5000 | 8000 | 459.30 s | 362 MiB | 28.3 |",
	} {
		if !strings.Contains(doc, want) {
			t.Errorf("report lacks %q:\n%s", want, doc)
		}
	}
	for _, row := range []string{"Process/strip-istio-sidecar", "Kustomize/pipeline", "RuntimeSyncScale"} {
		for _, m := range missingRows(map[string]result{row: {}}) {
			if m == row {
				t.Errorf("%s reported missing although present", row)
			}
		}
	}
	if strings.Contains(doc, "| Kustomize/") {
		t.Errorf("kustomize rows in the main table:\n%s", doc)
	}
}

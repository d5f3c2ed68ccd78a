package main

import (
	"strings"
	"testing"
)

const sample = `cpu: Test CPU
BenchmarkProcess/strip-istio-sidecar-2         	       1	 600000000 ns/op	         0.90 x-floor	       130.0 peak-RSS-MiB	         1.00 rss-x-floor	        12.00 input-MiB
BenchmarkProcess/verify-2                      	       1	 900000000 ns/op	         3.00 x-floor	       260.0 peak-RSS-MiB	         2.00 rss-x-floor	        13.00 input-MiB
BenchmarkProcessRSS/strip-istio-sidecar/x16-2  	       1	9000000000 ns/op	         9.00 x-floor	      1800 peak-RSS-MiB	        13.8 rss-x-floor	       186.0 input-MiB
BenchmarkProcessRSS/strip-istio-sidecar/objects50k-2 	1	5000000000 ns/op	         5.00 x-floor	       550 peak-RSS-MiB	         4.2 rss-x-floor	        11.70 input-MiB
`

func TestPeakRSSTable(t *testing.T) {
	results, cpu := parseFrom(strings.NewReader(sample))
	if cpu != "Test CPU" || len(results) != 4 {
		t.Fatalf("cpu %q, %d results", cpu, len(results))
	}
	byName := map[string]result{}
	for _, r := range results {
		byName[r.name] = r
	}
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

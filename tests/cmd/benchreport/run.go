package main

import (
	"bufio"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"

	"github.com/kfgitops/kfgitops/functions/kubeflow-gitops/chain"
)

// benchRun is what one `make bench` wrote to out/bench.txt.
type benchRun struct {
	results []result
	cpu     string
	// machine are the bench-machine lines the Makefile writes at the start,
	// between the corpus and the API server benchmarks, and at the end.
	machine []machineLine
	// failures are the lines of failed or timed-out benchmarks.
	failures []string
}

// machineLine is `bench-machine: <phase> <time> nproc=<n> loadavg=<1> <5> <15>`.
type machineLine struct {
	phase, time, nproc, loadavg string
}

// parseFrom reads `go test -bench` output and the Makefile's bench-machine lines.
func parseFrom(in io.Reader) benchRun {
	run := benchRun{cpu: "unknown CPU"}
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if c, ok := strings.CutPrefix(line, "cpu: "); ok {
			run.cpu = c
		}
		if m, ok := strings.CutPrefix(line, "bench-machine: "); ok {
			run.machine = append(run.machine, parseMachine(m))
		}
		if strings.HasPrefix(line, "--- FAIL") || strings.HasPrefix(line, "FAIL") || strings.HasPrefix(line, "panic: ") {
			run.failures = append(run.failures, strings.TrimSpace(line))
		}
		if r, ok := parseResult(line); ok {
			run.results = append(run.results, r)
		}
	}
	sort.SliceStable(run.results, func(i, j int) bool { return run.results[i].name < run.results[j].name })
	return run
}

func parseMachine(s string) machineLine {
	var m machineLine
	fields := strings.Fields(s)
	if len(fields) > 0 {
		m.phase = fields[0]
	}
	if len(fields) > 1 {
		m.time = fields[1]
	}
	for _, f := range fields {
		if v, ok := strings.CutPrefix(f, "nproc="); ok {
			m.nproc = v
		}
	}
	if _, load, ok := strings.Cut(s, "loadavg="); ok {
		m.loadavg = strings.TrimSpace(load)
	}
	return m
}

// parseResult reads one benchmark line: name, iterations, then value-unit pairs.
func parseResult(line string) (result, bool) {
	if !strings.HasPrefix(line, "Benchmark") {
		return result{}, false
	}
	fields := strings.Fields(line)
	if len(fields) < 4 {
		return result{}, false
	}
	name := strings.TrimPrefix(fields[0], "Benchmark")
	if i := strings.LastIndex(name, "-"); i > 0 {
		if _, err := strconv.Atoi(name[i+1:]); err == nil {
			name = name[:i] // the GOMAXPROCS suffix
		}
	}
	r := result{name: name, metrics: map[string]float64{}}
	for i := 2; i+1 < len(fields); i += 2 {
		if v, err := strconv.ParseFloat(fields[i], 64); err == nil {
			r.metrics[fields[i+1]] = v
		}
	}
	return r, true
}

// expectedRows are the rows a complete `make bench` reports, in the order of
// the benchmarks in tests/bench and tests/apiserver.
func expectedRows() []string {
	var rows []string
	scales := []string{"x1", "x4", "x16"}
	for _, s := range scales {
		rows = append(rows, "Floor/"+s)
	}
	for _, f := range chain.Steps {
		rows = append(rows, "Function/"+f.Name())
	}
	for _, s := range scales {
		rows = append(rows, "Chain/"+s)
	}
	rows = append(rows, "Process/floor")
	for _, f := range chain.Steps {
		rows = append(rows, "Process/"+f.Name())
	}
	rows = append(rows, "Process/separate-processes", "Process/kubeflow-gitops", "Process/verify")
	for _, s := range scales {
		rows = append(rows, "ProcessScale/"+s)
	}
	for _, s := range rssScales[1:] {
		for _, f := range rssFunctions() {
			rows = append(rows, fmt.Sprintf(s.row, f))
		}
	}
	for _, k := range kustomizeForms {
		rows = append(rows, "Kustomize/"+k.row)
	}
	return append(rows, "RuntimeSyncScale")
}

// missingRows are the expected rows this run did not report.
func missingRows(r map[string]result) []string {
	var missing []string
	for _, row := range expectedRows() {
		if _, ok := r[row]; !ok {
			missing = append(missing, row)
		}
	}
	return missing
}

// machineSection says on what and under what load the figures were taken.
func machineSection(b *strings.Builder, run benchRun, cores int, memory string) {
	nproc := strconv.Itoa(cores)
	if len(run.machine) > 0 && run.machine[0].nproc != "" {
		nproc = run.machine[0].nproc
	}
	fmt.Fprintf(b, "Machine: %s, %s cores (`nproc`), %s. ", run.cpu, nproc, memory)
	if len(run.machine) == 0 {
		b.WriteString("The load during the run was not recorded.\n\n")
		return
	}
	b.WriteString("The machine is shared, so the times carry other work's load; load average (1, 5, 15 min) when the run")
	for i, m := range run.machine {
		sep := ","
		if i == 0 {
			sep = ""
		} else if i == len(run.machine)-1 {
			sep = " and"
		}
		fmt.Fprintf(b, "%s %s (%s): %s", sep, phaseWords[m.phase], m.time, m.loadavg)
	}
	b.WriteString(". A load above the core count means the benchmarks waited for CPU: their times are inflated by up to that factor, peak RSS is not.\n\n")
}

var phaseWords = map[string]string{
	"start":       "started",
	"corpus-done": "finished the corpus benchmarks",
	"end":         "ended",
}

// completeness lists the rows a run lacks and the failures it printed.
func completeness(b *strings.Builder, run benchRun, byName map[string]result) {
	missing := missingRows(byName)
	if len(missing) == 0 && len(run.failures) == 0 {
		return
	}
	b.WriteString("**Incomplete run.**")
	if len(missing) > 0 {
		fmt.Fprintf(b, " Not measured (missing from the benchmark output): %s.", strings.Join(missing, ", "))
	}
	if len(run.failures) > 0 {
		fmt.Fprintf(b, " Failures: `%s`.", strings.Join(run.failures, "`; `"))
	}
	b.WriteString("\n\n")
}

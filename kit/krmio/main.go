package krmio

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"runtime/debug"

	"github.com/kfgitops/kfgitops/kit"
)

// GCPercent is the GOGC function binaries run with unless GOGC is set. A
// function holds the whole parsed bundle (hundreds of MiB of YAML nodes for
// Kubeflow) live while it emits, and every GC cycle scans all of it: at the
// default GOGC=100 a third of the run is spent marking. Fewer, larger cycles
// cost some memory (still well under what the SDK's whole-document emit
// needs) and save that time.
const GCPercent = 400

// Main runs a function as a KRM function program over stdin and stdout and
// returns the exit code. Call it as os.Exit(krmio.Main(f)).
func Main(f kit.Function) int {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(GCPercent)
	}
	return Run(f, os.Stdin, os.Stdout, os.Stderr)
}

// Run is Main with explicit streams, for tests.
//
// Input that Read refuses gives nothing on stdout (refused input is never
// echoed back), one line on stderr and exit 1. Otherwise the ResourceList is
// always written, with the results, and stderr gets every warning and error
// result, one line each, and one summary line per function (per step of the
// chain): kustomize shows only stderr. The exit code is 1 when a function
// failed or appended an error result.
func Run(f kit.Function, stdin io.Reader, stdout, stderr io.Writer) int {
	in, err := io.ReadAll(stdin)
	if err != nil {
		fmt.Fprintf(stderr, "%s: reading stdin: %v\n", f.Name(), err)
		return 1
	}
	rl, err := Read(in)
	if err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", f.Name(), err)
		return 1
	}
	ok, reports := process(f, rl)
	out := bufio.NewWriterSize(stdout, 1<<20) // one write per MiB, not per item
	err = Write(out, rl)
	if err == nil {
		err = out.Flush()
	}
	if err != nil {
		fmt.Fprintf(stderr, "%s: writing output: %v\n", f.Name(), err)
		return 1
	}
	if hasErrors := writeReport(stderr, reports); hasErrors || !ok {
		return 1
	}
	return 0
}

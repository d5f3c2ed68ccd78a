package bench

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kfgitops/kfgitops/tests/harness"
)

// measurement is one process run: wall time and peak RSS.
type measurement struct {
	wall time.Duration
	rss  int64 // KiB: the largest single process (the kernel's maxrss)
	tree int64 // KiB: the largest sampled sum over the process tree, when asked for
}

// processRun is one command to measure.
type processRun struct {
	bin   string
	args  []string
	stdin []byte
	// findingsOK accepts exit code 1, with which a validator reports
	// findings in its output.
	findingsOK bool
	// tree samples the summed RSS of the command and its children (kustomize
	// and the exec function it runs).
	tree bool
}

func runProcess(b *testing.B, bin string, args []string, stdin []byte) ([]byte, measurement) {
	b.Helper()
	return run(b, processRun{bin: bin, args: args, stdin: stdin})
}

// run starts the command through peakrss, with stdin and stdout on files.
func run(b *testing.B, p processRun) ([]byte, measurement) {
	b.Helper()
	tmp := b.TempDir()
	rssFile, treeFile := filepath.Join(tmp, "rss"), filepath.Join(tmp, "tree-rss")
	cmd := exec.Command(tool(b, "peakrss"), append([]string{p.bin}, p.args...)...)
	cmd.Env = append(os.Environ(), "PEAKRSS_OUT="+rssFile)
	if p.tree {
		cmd.Env = append(cmd.Env, "PEAKRSS_TREE_OUT="+treeFile)
	}
	// stdin and stdout are files, so the child reads and writes the kernel's
	// page cache directly: through pipes, this (large) process would copy
	// every byte in and out while the child runs, on the same cores.
	inFile, outFile := filepath.Join(tmp, "stdin.yaml"), filepath.Join(tmp, "stdout.yaml")
	if err := os.WriteFile(inFile, p.stdin, 0o644); err != nil {
		b.Fatal(err)
	}
	in, err := os.Open(inFile)
	if err != nil {
		b.Fatal(err)
	}
	defer in.Close()
	outF, err := os.Create(outFile)
	if err != nil {
		b.Fatal(err)
	}
	defer outF.Close()
	var errb bytes.Buffer
	cmd.Stdin, cmd.Stdout, cmd.Stderr = in, outF, &errb
	start := time.Now()
	if err := cmd.Run(); err != nil {
		var exit *exec.ExitError
		if !p.findingsOK || !errors.As(err, &exit) || exit.ExitCode() != 1 {
			b.Fatalf("%s %s: %v\n%s", p.bin, strings.Join(p.args, " "), err, errb.String())
		}
	}
	m := measurement{wall: time.Since(start), rss: readKiB(b, rssFile)}
	if p.tree {
		m.tree = readKiB(b, treeFile)
	}
	out, err := os.ReadFile(outFile)
	if err != nil {
		b.Fatal(err)
	}
	return out, m
}

func readKiB(b *testing.B, file string) int64 {
	raw, err := os.ReadFile(file)
	if err != nil {
		b.Fatal(err)
	}
	var kib int64
	if _, err := fmt.Sscan(string(raw), &kib); err != nil {
		b.Fatalf("%s: %v", file, err)
	}
	return kib
}

var (
	toolsMu  sync.Mutex
	tools    = map[string]string{}
	toolsDir string
)

// tool builds a helper command of tests/cmd once per run, into a directory
// of this run's own (another checkout's benchmarks may build other versions).
func tool(b *testing.B, name string) string {
	toolsMu.Lock()
	defer toolsMu.Unlock()
	if p, ok := tools[name]; ok {
		return p
	}
	if toolsDir == "" {
		dir, err := os.MkdirTemp("", "kfgitops-bench-tools-")
		if err != nil {
			b.Fatal(err)
		}
		toolsDir = dir
	}
	p := filepath.Join(toolsDir, name)
	build := exec.Command("go", "build", "-o", p, "./cmd/"+name)
	build.Dir = filepath.Join(root(b), "tests")
	if out, err := build.CombinedOutput(); err != nil {
		b.Fatalf("building %s: %v\n%s", name, err, out)
	}
	tools[name] = p
	return p
}

func root(b *testing.B) string {
	r, err := harness.RepoRoot()
	if err != nil {
		b.Fatal(err)
	}
	return r
}

func binary(b *testing.B, name string) string {
	p := filepath.Join(root(b), "bin", name)
	if _, err := os.Stat(p); err != nil {
		b.Skipf("%s missing: run `make build` (make bench does)", p)
	}
	return p
}

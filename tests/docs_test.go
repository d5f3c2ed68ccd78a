package tests

import (
	"bufio"
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kfgitops/kfgitops/tests/harness"
	"sigs.k8s.io/kustomize/kyaml/kio"
)

// The documentation cannot drift: every relative link resolves, every YAML
// snippet parses, every shell block marked `sh runnable` runs from the
// repository root (with bin/ on PATH), and every block marked `sh check`
// names only files that exist.

// codeBlock is one fenced block of a Markdown file.
type codeBlock struct {
	file, info, body string
	line             int
}

// markdownFiles are the repository's Markdown files, as absolute paths.
func markdownFiles(t *testing.T) []string {
	t.Helper()
	files := repoFiles(t, func(name string) bool { return strings.HasSuffix(name, ".md") })
	for i, f := range files {
		files[i] = filepath.Join(root, filepath.FromSlash(f))
	}
	return files
}

func codeBlocks(t *testing.T, file string) []codeBlock {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var blocks []codeBlock
	var cur *codeBlock
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		trimmed := strings.TrimSpace(line)
		switch {
		case cur == nil && strings.HasPrefix(trimmed, "```"):
			cur = &codeBlock{file: file, info: strings.TrimSpace(strings.TrimPrefix(trimmed, "```")), line: n}
		case cur != nil && trimmed == "```":
			blocks = append(blocks, *cur)
			cur = nil
		case cur != nil:
			cur.body += line + "\n"
		}
	}
	return blocks
}

var mdLink = regexp.MustCompile(`\]\(([^)\s]+)\)`)

func TestDocsLinks(t *testing.T) {
	for _, file := range markdownFiles(t) {
		b, _ := os.ReadFile(file)
		for _, m := range mdLink.FindAllStringSubmatch(string(b), -1) {
			target := m[1]
			if strings.Contains(target, "://") || strings.HasPrefix(target, "#") || strings.HasPrefix(target, "mailto:") {
				continue
			}
			target, _, _ = strings.Cut(target, "#")
			if _, err := os.Stat(filepath.Join(filepath.Dir(file), target)); err != nil {
				rel, _ := filepath.Rel(root, file)
				t.Errorf("%s: dead link %s", rel, m[1])
			}
		}
	}
}

func TestDocsYAMLParses(t *testing.T) {
	for _, file := range markdownFiles(t) {
		for _, blk := range codeBlocks(t, file) {
			if lang, _, _ := strings.Cut(blk.info, " "); lang != "yaml" {
				continue
			}
			if _, err := (&kio.ByteReader{Reader: strings.NewReader(blk.body), OmitReaderAnnotations: true}).Read(); err != nil {
				rel, _ := filepath.Rel(root, file)
				t.Errorf("%s:%d: YAML snippet does not parse: %v", rel, blk.line, err)
			}
		}
	}
}

func TestDocsShellBlocks(t *testing.T) {
	for _, file := range markdownFiles(t) {
		rel, _ := filepath.Rel(root, file)
		for _, blk := range codeBlocks(t, file) {
			fields := strings.Fields(blk.info)
			if len(fields) < 2 || fields[0] != "sh" {
				continue
			}
			switch fields[1] {
			case "runnable":
				t.Run(rel+":"+strconv.Itoa(blk.line), func(t *testing.T) { runShell(t, blk.body) })
			case "check":
				checkShellPaths(t, rel, blk)
			}
		}
	}
}

func runShell(t *testing.T, script string) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", "-euo", "pipefail", "-c", script)
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "PATH="+filepath.Join(root, "bin")+":"+os.Getenv("PATH"))
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%v\n%s\n--- output:\n%s", err, script, tail(out))
	}
}

// checkShellPaths: arguments that look like repository paths must exist.
func checkShellPaths(t *testing.T, rel string, blk codeBlock) {
	for _, line := range strings.Split(blk.body, "\n") {
		for _, word := range strings.Fields(line) {
			if strings.HasPrefix(word, "-") || !strings.Contains(word, "/") || strings.Contains(word, "://") || strings.ContainsAny(word, "$<>|=") {
				continue
			}
			if strings.HasPrefix(word, "pipelines/") || strings.HasPrefix(word, "examples/") || strings.HasPrefix(word, "functions/") || strings.HasPrefix(word, "docs/") {
				if _, err := os.Stat(filepath.Join(root, word)); err != nil {
					t.Errorf("%s:%d: %s does not exist", rel, blk.line, word)
				}
			}
		}
	}
}

func tail(b []byte) string {
	if len(b) > 4000 {
		b = b[len(b)-4000:]
	}
	return string(b)
}

// The README's set-up is exactly two commands.
func TestReadmeSetUpIsTwoCommands(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, setUp, ok := strings.Cut(string(b), "\n## Set up\n")
	if !ok {
		t.Fatal("README.md has no \"## Set up\" section")
	}
	setUp, _, _ = strings.Cut(setUp, "\n## ")
	var commands []string
	for _, blk := range codeBlocks(t, filepath.Join(root, "README.md")) {
		if !strings.Contains(setUp, blk.body) {
			continue
		}
		for _, line := range strings.Split(blk.body, "\n") {
			if cmd, _, _ := strings.Cut(line, "#"); strings.TrimSpace(cmd) != "" {
				commands = append(commands, strings.TrimSpace(cmd))
			}
		}
	}
	if strings.Join(commands, "; ") != "make demo; make test" {
		t.Errorf("README.md set-up commands %q, want exactly make demo and make test", commands)
	}
}

var execPath = regexp.MustCompile(`(?m)^(\s*)exec:\s*\n\s+path:\s*(\S+)`)

// Exec paths in the docs are written one way: ../../bin/<function>, relative
// to a kustomization two levels below the repository root.
func TestDocsExecPaths(t *testing.T) {
	for _, file := range markdownFiles(t) {
		rel, _ := filepath.Rel(root, file)
		for _, blk := range codeBlocks(t, file) {
			for _, m := range execPath.FindAllStringSubmatch(blk.body, -1) {
				fn, ok := strings.CutPrefix(m[2], "../../bin/")
				if _, err := os.Stat(filepath.Join(root, "functions", fn)); !ok || err != nil {
					t.Errorf("%s:%d: exec path %s is not ../../bin/<function>", rel, blk.line, m[2])
				}
			}
		}
	}
}

// Every function's README shows its example package and both exec forms,
// and quotes what kustomize says without --enable-alpha-plugins exactly as
// kustomize says it. Every example package's README runs its kustomize build
// (a `sh runnable` block) and shows the kpt exec form.
func TestReadmesShowExecForms(t *testing.T) {
	quote := regexp.MustCompile("`(Error: external plugins disabled; [^`]*)`")
	for _, fn := range functionNames(t) {
		t.Run(fn, func(t *testing.T) {
			readme := readDoc(t, filepath.Join("functions", fn, "README.md"))
			for _, want := range []string{"../../examples/" + fn + "/README.md", "--allow-exec", "--exec bin/" + fn,
				"bin/kustomize build --enable-alpha-plugins --enable-exec examples/" + fn} {
				if !strings.Contains(readme, want) {
					t.Errorf("functions/%s/README.md does not show %q", fn, want)
				}
			}
			m := quote.FindStringSubmatch(readme)
			if m == nil {
				t.Fatalf("functions/%s/README.md does not quote what kustomize says without --enable-alpha-plugins", fn)
			}
			_, stderr, err := harness.Build(root, filepath.Join(root, "examples", fn))
			if err == nil || strings.TrimSpace(stderr) != m[1] {
				t.Errorf("kustomize build without flags: %v, %q; functions/%s/README.md quotes %q", err, stderr, fn, m[1])
			}
			example := readDoc(t, filepath.Join("examples", fn, "README.md"))
			if !strings.Contains(example, "kpt fn render --allow-exec") {
				t.Errorf("examples/%s/README.md does not show kpt fn render --allow-exec", fn)
			}
			runs := false
			for _, blk := range codeBlocks(t, filepath.Join(root, "examples", fn, "README.md")) {
				runs = runs || blk.info == "sh runnable" && strings.Contains(blk.body, "bin/kustomize build --enable-alpha-plugins --enable-exec examples/"+fn)
			}
			if !runs {
				t.Errorf("examples/%s/README.md has no `sh runnable` block building the package", fn)
			}
		})
	}
}

func functionNames(t *testing.T) []string {
	t.Helper()
	entries, err := os.ReadDir(filepath.Join(root, "functions"))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		if e.IsDir() {
			names = append(names, e.Name())
		}
	}
	return names
}

func readDoc(t *testing.T, rel string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(root, rel))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

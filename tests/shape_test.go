package tests

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strings"
	"testing"
)

// The size rules of the developers' guide, over every non-test Go file of
// the repository (every module, tests/translators included): no file over
// maxFileLines lines, no function over maxFuncLines lines once the lines of
// its tables (multi-line composite literals) are left out. Generated files
// are not held to them.
const (
	maxFileLines = 400
	maxFuncLines = 80
)

// fileLinesExempt are the files allowed over maxFileLines, with the reason.
var fileLinesExempt = map[string]string{
	"kit/krmio/emit.go": "a port of kyaml's emitter, kept in its upstream order so that it can be compared with it",
}

func TestGoFileAndFunctionSizes(t *testing.T) {
	files := nonTestGoFiles(t)
	if len(files) == 0 {
		t.Fatal("no Go files found")
	}
	for _, rel := range files {
		for _, problem := range sizeProblems(t, rel) {
			t.Error(problem)
		}
	}
}

// sizeProblems lists the rule breaks of one file (relative to root).
func sizeProblems(t *testing.T, rel string) []string {
	t.Helper()
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, filepath.Join(root, rel), nil, parser.ParseComments)
	if err != nil {
		t.Fatal(err)
	}
	if ast.IsGenerated(f) {
		return nil
	}
	var problems []string
	if n := fset.File(f.Pos()).LineCount(); n > maxFileLines && fileLinesExempt[rel] == "" {
		problems = append(problems, fmt.Sprintf("%s: %d lines, over %d: split it by job", rel, n, maxFileLines))
	}
	for _, d := range f.Decls {
		fd, ok := d.(*ast.FuncDecl)
		if !ok || fd.Body == nil {
			continue
		}
		if n := codeLines(fset, fd); n > maxFuncLines {
			problems = append(problems, fmt.Sprintf("%s:%d: %s is %d lines without its tables, over %d: split it into named steps",
				rel, fset.Position(fd.Pos()).Line, funcName(fd), n, maxFuncLines))
		}
	}
	return problems
}

// codeLines is the function's length in lines, from its declaration to its
// closing brace, less the lines its tables take: the lines of every
// composite literal spanning several lines but its first and last, which
// hold the code around it (outermost literals only).
func codeLines(fset *token.FileSet, fd *ast.FuncDecl) int {
	line := func(p token.Pos) int { return fset.Position(p).Line }
	n := line(fd.End()) - line(fd.Pos()) + 1
	ast.Inspect(fd.Body, func(node ast.Node) bool {
		lit, ok := node.(*ast.CompositeLit)
		if !ok {
			return true
		}
		if inner := line(lit.End()) - line(lit.Pos()) - 1; inner > 0 {
			n -= inner
		}
		return false
	})
	return n
}

func funcName(fd *ast.FuncDecl) string {
	if fd.Recv == nil || len(fd.Recv.List) == 0 {
		return fd.Name.Name
	}
	recv := fd.Recv.List[0].Type
	if star, ok := recv.(*ast.StarExpr); ok {
		recv = star.X
	}
	if idx, ok := recv.(*ast.IndexExpr); ok {
		recv = idx.X
	}
	if id, ok := recv.(*ast.Ident); ok {
		return "(" + id.Name + ")." + fd.Name.Name
	}
	return fd.Name.Name
}

// nonTestGoFiles lists the repository's Go files that are not tests,
// relative to root: not *_test.go, not under testdata/ or the build
// outputs.
func nonTestGoFiles(t *testing.T) []string {
	t.Helper()
	return repoFiles(t, func(name string) bool {
		return strings.HasSuffix(name, ".go") && !strings.HasSuffix(name, "_test.go")
	}, "testdata", "vendor")
}

// codeLines leaves out the inner lines of multi-line composite literals,
// and only those.
func TestCodeLines(t *testing.T) {
	for _, c := range []struct {
		name, src string
		want      int
	}{
		{"one line", "func f() {}", 1},
		{"statements", "func f() {\n\ta := 1\n\t_ = a\n}", 4},
		{"a table", "func f() []int {\n\treturn []int{\n\t\t1,\n\t\t2,\n\t}\n}", 4},
		{"nested tables count once", "func f() any {\n\treturn []any{\n\t\t[]int{\n\t\t\t1,\n\t\t},\n\t}\n}", 4},
		{"a one-line literal is code", "func f() any {\n\treturn []int{1, 2}\n}", 3},
		{"a func literal is code", "func f() {\n\tg := func() {\n\t\t_ = 1\n\t}\n\tg()\n}", 6},
	} {
		fset := token.NewFileSet()
		f, err := parser.ParseFile(fset, "x.go", "package x\n"+c.src+"\n", 0)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if got := codeLines(fset, f.Decls[0].(*ast.FuncDecl)); got != c.want {
			t.Errorf("%s: %d lines, want %d", c.name, got, c.want)
		}
	}
}

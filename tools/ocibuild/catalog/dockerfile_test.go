package catalog_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kfgitops/kfgitops/tools/ocibuild/catalog"
)

// Every function has a Dockerfile, and it follows the rules.
func TestDockerfiles(t *testing.T) {
	names, err := catalog.Names(root)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			f, err := catalog.Load(root, name)
			if err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(f.Dir, "Dockerfile")
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("every function and controller needs a Dockerfile (see functions/strip-istio-sidecar/Dockerfile): %v", err)
			}
			for _, err := range catalog.CheckDockerfile(f, string(b)) {
				t.Errorf("%s: %v", path, err)
			}
		})
	}
}

const goodDockerfile = `# syntax=docker/dockerfile:1
FROM golang:1.26 AS build
WORKDIR /src
COPY . .
RUN CGO_ENABLED=0 \
    go build -trimpath -o /out/fn ./functions/fn

FROM gcr.io/distroless/static:nonroot
COPY --from=build /out/fn /fn
USER 65534
ENTRYPOINT ["/fn"]
`

// Each broken variant of a good Dockerfile is caught with a message that
// names the rule.
func TestCheckDockerfileRejects(t *testing.T) {
	f := catalog.Function{Name: "fn", Path: "functions/fn"}
	if errs := catalog.CheckDockerfile(f, goodDockerfile); len(errs) > 0 {
		t.Fatalf("good Dockerfile rejected: %v", errs)
	}
	for _, tc := range []struct{ name, old, new, want string }{
		{"single stage", "FROM gcr.io/distroless/static:nonroot\n", "", "multi-stage"},
		{"other Go", "golang:1.26 AS", "golang:1.22 AS", "want golang:1.26"},
		{"cgo", "CGO_ENABLED=0 \\\n", "", "CGO_ENABLED=0"},
		{"no trimpath", "-trimpath ", "", "-trimpath"},
		{"other package", "./functions/fn", "./functions/other", "does not build ./functions/fn"},
		{"shell base", "gcr.io/distroless/static:nonroot", "alpine:3.21", "no shell"},
		{"debug base", "static:nonroot", "static:debug-nonroot", "no shell"},
		{"root", "USER 65534", "USER 0", "want 65534"},
		{"no user", "USER 65534\n", "", "want 65534"},
		{"run in final", "USER 65534", "RUN chmod 755 /fn\nUSER 65534", "RUN needs a shell"},
		{"shell form", `ENTRYPOINT ["/fn"]`, "ENTRYPOINT /fn", "exec form"},
		{"other path", `ENTRYPOINT ["/fn"]`, `ENTRYPOINT ["/usr/local/bin/fn"]`, `want ["/fn"]`},
		{"binary elsewhere", "/out/fn /fn", "/out/fn /bin/fn", "no COPY of the binary to /fn"},
		{"cmd", `ENTRYPOINT ["/fn"]`, "ENTRYPOINT [\"/fn\"]\nCMD [\"--help\"]", "CMD"},
		{"secret", "USER 65534", "ENV GITHUB_TOKEN=abc\nUSER 65534", "looks like a secret"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			broken := strings.Replace(goodDockerfile, tc.old, tc.new, 1)
			if broken == goodDockerfile {
				t.Fatalf("fixture: %q not found", tc.old)
			}
			errs := catalog.CheckDockerfile(f, broken)
			for _, err := range errs {
				if strings.Contains(err.Error(), tc.want) {
					return
				}
			}
			t.Errorf("want an error containing %q, got %v", tc.want, errs)
		})
	}
}

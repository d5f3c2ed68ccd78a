package catalog

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// The rules every functions/<name>/Dockerfile (and controllers/<name>/Dockerfile) follows, so that an image built
// with Docker is laid out as the offline build lays it out: a Go builder
// stage on the project's Go version, a static binary, and a final stage
// without a shell, running as nobody, whose entrypoint is the binary.
var (
	builderBase = regexp.MustCompile(`^golang:1\.26(\.[0-9]+)?(@sha256:[0-9a-f]{64})?$`)
	// distroless static (nonroot tag, any Debian variant, optionally pinned)
	// or scratch: neither has a shell; the :debug variants do.
	finalBase  = regexp.MustCompile(`^(scratch|gcr\.io/distroless/static(-debian[0-9]+)?:nonroot(@sha256:[0-9a-f]{64})?)$`)
	nobody     = regexp.MustCompile(`^65534(:65534)?$`)
	secretName = regexp.MustCompile(`(?i)(secret|token|passw|credential|api_?key|private_?key|auth)`)
)

// instruction is one Dockerfile instruction, continuation lines joined.
type instruction struct {
	line int
	cmd  string // upper case
	args string
}

type stage struct {
	from, name   string
	instructions []instruction
}

func parseDockerfile(content string) []stage {
	var stages []stage
	lines := strings.Split(content, "\n")
	for i := 0; i < len(lines); i++ {
		start := i
		text := strings.TrimSpace(lines[i])
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		for strings.HasSuffix(text, `\`) && i+1 < len(lines) {
			i++
			next := strings.TrimSpace(lines[i])
			if strings.HasPrefix(next, "#") {
				continue
			}
			text = strings.TrimSuffix(text, `\`) + " " + next
		}
		cmd, args, _ := strings.Cut(text, " ")
		in := instruction{line: start + 1, cmd: strings.ToUpper(cmd), args: strings.TrimSpace(args)}
		if in.cmd == "FROM" {
			fields := strings.Fields(in.args)
			st := stage{}
			for _, f := range fields {
				if !strings.HasPrefix(f, "--") { // skip --platform=...
					st.from = f
					break
				}
			}
			if n := len(fields); n >= 3 && strings.EqualFold(fields[n-2], "AS") {
				st.name = fields[n-1]
			}
			stages = append(stages, st)
			continue
		}
		if len(stages) > 0 {
			stages[len(stages)-1].instructions = append(stages[len(stages)-1].instructions, in)
		}
	}
	return stages
}

// CheckDockerfile lists how the Dockerfile of function f breaks the rules.
func CheckDockerfile(f Function, content string) []error {
	var errs []error
	fail := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	stages := parseDockerfile(content)
	if len(stages) < 2 {
		return []error{fmt.Errorf("want a multi-stage build (a Go builder stage and a final stage), got %d FROM", len(stages))}
	}
	builders, final := stages[:len(stages)-1], stages[len(stages)-1]

	if !builderBase.MatchString(builders[0].from) {
		fail("builder stage: FROM %q, want golang:1.26", builders[0].from)
	}
	var buildRun string
	cgoOff := false
	for _, st := range builders {
		for _, in := range st.instructions {
			if in.cmd == "ENV" && strings.Contains(in.args, "CGO_ENABLED=0") {
				cgoOff = true
			}
			if in.cmd == "RUN" && strings.Contains(in.args, "go build") {
				buildRun = in.args
			}
		}
	}
	switch {
	case buildRun == "":
		fail("builder stage: no RUN with `go build`")
	default:
		if !cgoOff && !strings.Contains(buildRun, "CGO_ENABLED=0") {
			fail("builder stage: `go build` without CGO_ENABLED=0 (the final stage has no libc)")
		}
		if !strings.Contains(buildRun, "-trimpath") {
			fail("builder stage: `go build` without -trimpath")
		}
		if !regexp.MustCompile(`\./` + regexp.QuoteMeta(f.Path) + `/?(\s|$)`).MatchString(buildRun) {
			fail("builder stage: `go build` does not build ./%s (the build context is the repository root)", f.Path)
		}
	}

	if !finalBase.MatchString(final.from) {
		fail("final stage: FROM %q, want gcr.io/distroless/static:nonroot or scratch (no shell)", final.from)
	}
	var user, entrypoint string
	var entrypointLine int
	copied := map[string]bool{}
	for _, in := range final.instructions {
		switch in.cmd {
		case "RUN", "SHELL":
			fail("final stage, line %d: %s needs a shell; the final stage has none", in.line, in.cmd)
		case "CMD":
			fail("final stage, line %d: CMD; the function takes no arguments, ENTRYPOINT alone runs it", in.line)
		case "USER":
			user = in.args
		case "ENTRYPOINT":
			entrypoint, entrypointLine = in.args, in.line
		case "COPY", "ADD":
			if fields := strings.Fields(in.args); len(fields) >= 2 {
				copied[fields[len(fields)-1]] = true
			}
		case "ENV", "ARG":
			if secretName.MatchString(in.args) {
				fail("final stage, line %d: %s %s looks like a secret; images are public", in.line, in.cmd, in.args)
			}
		}
	}
	if !nobody.MatchString(user) {
		fail("final stage: USER %q, want 65534 (nobody; the last USER counts)", user)
	}
	var ep []string
	want := []string{f.Entrypoint()}
	if err := json.Unmarshal([]byte(entrypoint), &ep); err != nil {
		fail("final stage: ENTRYPOINT %q, want the exec form %q (no shell to run the shell form)", entrypoint, `["`+f.Entrypoint()+`"]`)
	} else if !slices.Equal(ep, want) {
		fail("final stage, line %d: ENTRYPOINT %q, want %q (the path the offline build uses)", entrypointLine, ep, want)
	}
	if !copied[f.Entrypoint()] {
		fail("final stage: no COPY of the binary to %s", f.Entrypoint())
	}
	return errs
}

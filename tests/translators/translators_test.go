package translators

import (
	"fmt"
	"log/slog"
	"os"
	"strings"
	"sync"
	"testing"

	istiolog "istio.io/istio/pkg/log"
)

// TestMain keeps the translators' own logs (Istio's scopes, kgateway's
// slog) to warnings and errors, so that the summary lines stand out.
func TestMain(m *testing.M) {
	for _, s := range istiolog.Scopes() {
		s.SetOutputLevel(istiolog.WarnLevel)
	}
	slog.SetDefault(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))
	os.Exit(m.Run())
}

// TestTranslators runs every input through kfgitops and both translators
// and prints a summary line per input. An input fails on a probe that
// routes differently without kgateway-route reporting it, an HTTPRoute not
// accepted with its references resolved, a policy not attached, or an auth
// filter chain not as the login flow needs it.
func TestTranslators(t *testing.T) {
	root, err := repoRoot()
	if err != nil {
		t.Fatal(err)
	}
	var cases []inputCase
	for _, f := range []func() ([]inputCase, error){
		func() ([]inputCase, error) { return goldenCases(root) },
		runtimeCases,
		func() ([]inputCase, error) { return exampleCases(root) },
	} {
		cs, err := f()
		if err != nil {
			t.Fatal(err)
		}
		cases = append(cases, cs...)
	}
	if dir := corpusDir(); dir != "" {
		cs, err := corpusCases(dir)
		if err != nil {
			t.Fatal(err)
		}
		cases = append(cases, cs...)
		if cs, err = identityCases(root, dir); err != nil {
			t.Fatal(err)
		}
		cases = append(cases, cs...)
	} else if os.Getenv("KFGITOPS_REQUIRE_CORPUS") == "1" {
		t.Fatal("corpus not found (../shared/corpus or $KFGITOPS_CORPUS) and KFGITOPS_REQUIRE_CORPUS is 1")
	} else {
		t.Log("corpus not found (../shared/corpus or $KFGITOPS_CORPUS): the corpus renders are not run")
	}
	var mu sync.Mutex
	var summary []string
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res := runCase(t, c)
			for _, p := range res.problems {
				t.Error(p)
			}
			line := res.summary(c.name)
			t.Log(line)
			mu.Lock()
			summary = append(summary, line)
			mu.Unlock()
		})
	}
	fmt.Printf("translators summary (%d inputs):\n  %s\n", len(summary), strings.Join(summary, "\n  "))
}

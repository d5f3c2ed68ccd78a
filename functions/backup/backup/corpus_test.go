package backup_test

import (
	"bytes"
	"slices"
	"strings"
	"testing"

	"github.com/kfgitops/kfgitops/functions/backup/backup"
	"github.com/kfgitops/kfgitops/kit/corpus"
	"github.com/kfgitops/kfgitops/kit/golden"
	"github.com/kfgitops/kfgitops/kit/krmio"
	"github.com/kptdev/krm-functions-sdk/go/fn"
)

const enabled = `apiVersion: fn.kfgitops.dev/v1alpha1
kind: Backup
metadata: {name: backup}
schedule: "0 2 * * *"
`

// On the real platform renders: off, the output is the input; on, it is
// the input plus three Schedules that validate against Velero's CRD, hook
// the Pipelines and Katib databases in the containers that run them, and
// cover the declared profile and dex's namespace.
func TestCorpus(t *testing.T) {
	v := velero(t)
	for _, file := range []string{corpus.Master, corpus.Release} {
		t.Run(file, func(t *testing.T) {
			in := corpus.ResourceList(t, file)
			off, stderr, code := krmio.Process(backup.Function, in)
			if code != 0 {
				t.Fatalf("off: exit %d: %s", code, stderr)
			}
			if got, want := golden.ItemsOnly(t, off), golden.ItemsOnly(t, in); !bytes.Equal(got, want) {
				t.Errorf("off: the items changed:\n%s", golden.Diff(string(want), string(got)))
			}
			on := corpus.WithFunctionConfig(in, enabled)
			out, stderr, code := krmio.Process(backup.Function, on)
			if code != 0 {
				t.Fatalf("on: exit %d: %s", code, stderr)
			}
			again, _, _ := krmio.Process(backup.Function, on)
			if !bytes.Equal(out, again) {
				t.Fatal("output is not byte-deterministic")
			}
			golden.AssertIdempotent(t, backup.Function, out)
			if n := checkSchedules(t, v, out); n != 3 {
				t.Errorf("%d Schedules, want 3", n)
			}
			checkCoverage(t, schedules(t, out))
			checkOnlyAdded(t, in, out)
		})
	}
}

func schedules(t *testing.T, out []byte) map[string]*fn.KubeObject {
	rl, err := krmio.Read(out)
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]*fn.KubeObject{}
	for _, o := range rl.Items {
		if o.GetKind() == "Schedule" {
			m[o.GetName()] = o
		}
	}
	return m
}

func checkCoverage(t *testing.T, s map[string]*fn.KubeObject) {
	t.Helper()
	for name, want := range map[string][]string{
		"kubeflow-platform": {"kubeflow"},
		"kubeflow-profiles": {"kubeflow-user-example-com"},
		"kubeflow-auth":     {"auth"},
	} {
		o := s[name]
		if o == nil {
			t.Errorf("no Schedule %s", name)
			continue
		}
		got, _, _ := o.NestedStringSlice("spec", "template", "includedNamespaces")
		for _, ns := range want {
			if !slices.Contains(got, ns) {
				t.Errorf("Schedule %s: includedNamespaces %v lacks %s", name, got, ns)
			}
		}
	}
	hooks := map[string]string{}
	for _, h := range s["kubeflow-platform"].GetMap("spec").GetMap("template").GetMap("hooks").GetSlice("resources") {
		for _, pre := range h.GetSlice("pre") {
			hooks[h.GetString("name")] = pre.GetMap("exec").GetString("container") + ": " + strings.Join(sliceOf(pre.GetMap("exec")), " ")
		}
	}
	for name, want := range map[string]string{
		"mysqldump-kubeflow-mysql":       `mysql: /bin/sh -c set -eu; umask 077; f='/var/lib/mysql/kfgitops-mysqldump.sql'; mysqldump --user=root --single-transaction`,
		"mysqldump-kubeflow-katib-mysql": `katib-mysql: /bin/sh -c set -eu; umask 077; f='/var/lib/mysql/kfgitops-mysqldump.sql'; MYSQL_PWD="$MYSQL_ROOT_PASSWORD" mysqldump --user=root --single-transaction`,
	} {
		if !strings.HasPrefix(hooks[name], want) {
			t.Errorf("hook %s = %q, want it to start with %q", name, hooks[name], want)
		}
	}
}

func sliceOf(o *fn.SubObject) []string {
	s, _, _ := o.NestedStringSlice("command")
	return s
}

// checkOnlyAdded: every input item is in the output unchanged, and what is
// new is a Schedule.
func checkOnlyAdded(t *testing.T, in, out []byte) {
	t.Helper()
	before, err := krmio.Read(in)
	if err != nil {
		t.Fatal(err)
	}
	after, err := krmio.Read(out)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, o := range before.Items {
		seen[o.String()] = true
	}
	for _, o := range after.Items {
		if !seen[o.String()] && o.GetKind() != "Schedule" {
			t.Errorf("%s: changed or added", describe(o))
		}
		delete(seen, o.String())
	}
	if len(seen) > 0 {
		t.Errorf("%d input items changed or dropped", len(seen))
	}
}

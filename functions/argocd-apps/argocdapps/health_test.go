package argocdapps_test

import (
	"testing"

	"github.com/kfgitops/kfgitops/functions/argocd-apps/argocdapps"
	lua "github.com/yuin/gopher-lua"
	"sigs.k8s.io/yaml"
)

// The health check runs in the Lua interpreter Argo CD embeds (gopher-lua),
// with the libraries Argo CD opens for health scripts, over Application
// statuses of each case it must tell apart.
func TestApplicationHealthLua(t *testing.T) {
	const spec = `
spec:
  source: {repoURL: https://git.example.com/r.git, targetRevision: HEAD, path: crds}
`
	cases := []struct {
		name, object, status, message string
	}{
		{"new", spec, "Progressing", "waiting for the Application to be reconciled"},
		{"healthy and synced", spec + `
status:
  health: {status: Healthy}
  sync: {status: Synced, comparedTo: {source: {repoURL: https://git.example.com/r.git, targetRevision: HEAD, path: crds}}}
`, "Healthy", ""},
		{"healthy but out of sync", spec + `
status:
  health: {status: Healthy}
  sync: {status: OutOfSync}
`, "Progressing", "health Healthy, sync OutOfSync"},
		{"synced but progressing", spec + `
status:
  health: {status: Progressing}
  sync: {status: Synced}
`, "Progressing", "health Progressing, sync Synced"},
		{"missing", spec + `
status:
  health: {status: Missing}
  sync: {status: OutOfSync}
`, "Progressing", "health Missing, sync OutOfSync"},
		{"degraded", spec + `
status:
  health: {status: Degraded, message: Deployment exceeded its progress deadline}
  sync: {status: Synced}
`, "Degraded", "Deployment exceeded its progress deadline"},
		{"comparison error", spec + `
status:
  health: {status: Healthy}
  sync: {status: Synced}
  conditions:
  - {type: SyncError, message: ignored}
  - {type: ComparisonError, message: "path crds does not exist"}
`, "Degraded", "SyncError: ignored"},
		{"operation requested", spec + `
operation: {sync: {}}
status:
  health: {status: Healthy}
  sync: {status: Synced}
`, "Progressing", "sync operation requested"},
		{"sync running", spec + `
status:
  health: {status: Healthy}
  sync: {status: Synced}
  operationState: {phase: Running}
`, "Progressing", "sync operation Running"},
		{"stale comparison", spec + `
status:
  health: {status: Healthy}
  sync: {status: Synced, comparedTo: {source: {repoURL: https://git.example.com/r.git, targetRevision: HEAD, path: old}}}
`, "Progressing", "comparison is of an older source"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			status, message := runHealth(t, c.object)
			if status != c.status || message != c.message {
				t.Errorf("got %s %q, want %s %q", status, message, c.status, c.message)
			}
		})
	}
}

func runHealth(t *testing.T, object string) (status, message string) {
	t.Helper()
	var obj map[string]any
	if err := yaml.Unmarshal([]byte(object), &obj); err != nil {
		t.Fatal(err)
	}
	L := lua.NewState(lua.Options{SkipOpenLibs: true})
	defer L.Close()
	for _, lib := range []struct {
		name string
		open lua.LGFunction
	}{{lua.BaseLibName, lua.OpenBase}, {lua.TabLibName, lua.OpenTable}, {lua.StringLibName, lua.OpenString}, {lua.MathLibName, lua.OpenMath}} {
		L.Push(L.NewFunction(lib.open))
		L.Push(lua.LString(lib.name))
		L.Call(1, 0)
	}
	L.SetGlobal("obj", toLua(L, obj))
	if err := L.DoString(argocdapps.ApplicationHealthLua); err != nil {
		t.Fatalf("script error: %v", err)
	}
	result, ok := L.Get(-1).(*lua.LTable)
	if !ok {
		t.Fatalf("the script returned %s, not a table", L.Get(-1).Type())
	}
	return result.RawGetString("status").String(), result.RawGetString("message").String()
}

// toLua converts decoded JSON as Argo CD does: objects and arrays become
// tables, arrays indexed from 1.
func toLua(L *lua.LState, v any) lua.LValue {
	switch v := v.(type) {
	case map[string]any:
		t := L.NewTable()
		for k, e := range v {
			t.RawSetString(k, toLua(L, e))
		}
		return t
	case []any:
		t := L.NewTable()
		for _, e := range v {
			t.Append(toLua(L, e))
		}
		return t
	case string:
		return lua.LString(v)
	case bool:
		return lua.LBool(v)
	case float64:
		return lua.LNumber(v)
	case nil:
		return lua.LNil
	}
	return lua.LString("")
}

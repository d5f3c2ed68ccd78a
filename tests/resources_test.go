package tests

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/kfgitops/kfgitops/functions/placement/placement"
	"github.com/kfgitops/kfgitops/kit/corpus"
	"github.com/kfgitops/kfgitops/kit/krmio"
	"github.com/kfgitops/kfgitops/tests/harness"
	"github.com/kptdev/krm-functions-sdk/go/fn"
	"k8s.io/apimachinery/pkg/api/resource"
)

// docs/resources.md is computed from the real render: what every workload
// requests, as upstream ships it and with pipelines/kubeflow-day2's placement
// profile. The test regenerates the tables and fails if the committed file
// differs (UPDATE_GOLDEN=1 rewrites it).
func TestResourcesDoc(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join(corpus.Require(t), corpus.Master))
	if err != nil {
		t.Fatal(err)
	}
	objs, err := harness.Objects(raw)
	if err != nil {
		t.Fatal(err)
	}
	got := resourcesDoc(objs, placedObjects(t))
	path := filepath.Join(root, "docs", "resources.md")
	if os.Getenv("UPDATE_GOLDEN") != "" {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, _ := os.ReadFile(path)
	if string(want) != got {
		t.Errorf("docs/resources.md is stale: run UPDATE_GOLDEN=1 go test ./tests -run ResourcesDoc")
	}
}

// placementProfile is the placement config pipelines/kubeflow-day2 runs.
const placementProfile = "pipelines/kubeflow-day2/placement.yaml"

// placedObjects is the master render after placement with the profile.
func placedObjects(t *testing.T) map[string]harness.Object {
	t.Helper()
	config, err := os.ReadFile(filepath.Join(root, placementProfile))
	if err != nil {
		t.Fatal(err)
	}
	in := corpus.WithFunctionConfig(corpus.ResourceList(t, corpus.Master), string(config))
	out, stderr, code := krmio.Process(placement.Function, in)
	if code != 0 {
		t.Fatalf("placement: exit %d: %s", code, stderr)
	}
	rl, err := fn.ParseResourceList(out)
	if err != nil {
		t.Fatal(err)
	}
	var stream strings.Builder
	for _, o := range rl.Items {
		stream.WriteString(o.String() + "\n---\n")
	}
	objs, err := harness.Objects([]byte(stream.String()))
	if err != nil {
		t.Fatal(err)
	}
	return objs
}

type workload struct {
	namespace, kind, name string
	replicas              int64
	cpuReq, memReq        resource.Quantity
	cpuLim, memLim        resource.Quantity
	unset                 int    // containers without requests
	autoscaled            string // the HorizontalPodAutoscaler's range
}

func resourcesDoc(upstream, placed map[string]harness.Object) string {
	var b strings.Builder
	b.WriteString("# What the platform needs\n\n")
	b.WriteString("Generated from `kubeflow-master-2026-04-05.yaml` by `tests/resources_test.go`; do not edit by hand.\n")
	b.WriteString("Requests and limits are summed over each workload's containers and multiplied by its replicas (DaemonSets: per node).\n")
	b.WriteString("A workload with containers that request nothing is marked: the scheduler counts them as zero, so real usage is higher.\n\n")
	writeTables(&b, workloadsOf(upstream), "##")
	b.WriteString("\n## With the production placement profile\n\n")
	b.WriteString("The same render after `placement` with `" + placementProfile + "` (the profile `pipelines/kubeflow-day2` runs):\n")
	b.WriteString("the web apps and oauth2-proxy autoscaled, counted here at the autoscaler's `minReplicas`; the leader-elected\n")
	b.WriteString("controllers with a standby replica; the `small` preset on every container upstream ships without resources.\n\n")
	writeTables(&b, workloadsOf(placed), "###")
	return b.String()
}

// workloadsOf lists the Deployments, StatefulSets and DaemonSets with their
// summed resources, sorted by namespace and name; an autoscaled workload
// counts its autoscaler's minReplicas.
func workloadsOf(objs map[string]harness.Object) []workload {
	autoscalers := map[string]map[string]any{}
	for _, o := range objs {
		if o.Kind() == "HorizontalPodAutoscaler" {
			md, _ := o["metadata"].(map[string]any)
			spec, _ := o["spec"].(map[string]any)
			ref, _ := spec["scaleTargetRef"].(map[string]any)
			autoscalers[fmt.Sprint(md["namespace"], "/", ref["kind"], "/", ref["name"])] = spec
		}
	}
	var wls []workload
	for _, id := range harness.SortedIDs(objs) {
		o := objs[id]
		kind := o.Kind()
		if kind != "Deployment" && kind != "StatefulSet" && kind != "DaemonSet" {
			continue
		}
		md, _ := o["metadata"].(map[string]any)
		spec, _ := o["spec"].(map[string]any)
		w := workload{namespace: fmt.Sprint(md["namespace"]), kind: kind, name: fmt.Sprint(md["name"]), replicas: 1}
		if r, ok := spec["replicas"].(float64); ok {
			w.replicas = int64(r)
		}
		if hpa, ok := autoscalers[w.namespace+"/"+kind+"/"+w.name]; ok {
			if r, ok := hpa["minReplicas"].(float64); ok {
				w.replicas = int64(r)
			}
			w.autoscaled = fmt.Sprintf("autoscaled %v–%v", hpa["minReplicas"], hpa["maxReplicas"])
		}
		tmpl, _ := spec["template"].(map[string]any)
		pod, _ := tmpl["spec"].(map[string]any)
		containers, _ := pod["containers"].([]any)
		for _, c := range containers {
			cm, _ := c.(map[string]any)
			res, _ := cm["resources"].(map[string]any)
			req, _ := res["requests"].(map[string]any)
			lim, _ := res["limits"].(map[string]any)
			if len(req) == 0 {
				w.unset++
			}
			add(&w.cpuReq, req["cpu"])
			add(&w.memReq, req["memory"])
			add(&w.cpuLim, lim["cpu"])
			add(&w.memLim, lim["memory"])
		}
		wls = append(wls, w)
	}
	sort.Slice(wls, func(i, j int) bool {
		if wls[i].namespace != wls[j].namespace {
			return wls[i].namespace < wls[j].namespace
		}
		return wls[i].name < wls[j].name
	})
	return wls
}

// writeTables writes the per-namespace and per-workload tables under
// headings of the given level.
func writeTables(b *strings.Builder, wls []workload, level string) {
	b.WriteString(level + " Per namespace\n\n| namespace | workloads | CPU requests | memory requests | CPU limits | memory limits |\n|---|---|---|---|---|---|\n")
	var total workload
	byNS := map[string]*workload{}
	var order []string
	for _, w := range wls {
		ns, ok := byNS[w.namespace]
		if !ok {
			ns = &workload{namespace: w.namespace}
			byNS[w.namespace] = ns
			order = append(order, w.namespace)
		}
		for _, acc := range []*workload{ns, &total} {
			acc.replicas++
			acc.cpuReq.Add(times(w.cpuReq, w.replicas))
			acc.memReq.Add(times(w.memReq, w.replicas))
			acc.cpuLim.Add(times(w.cpuLim, w.replicas))
			acc.memLim.Add(times(w.memLim, w.replicas))
		}
	}
	for _, n := range order {
		ns := byNS[n]
		fmt.Fprintf(b, "| %s | %d | %s | %s | %s | %s |\n", n, ns.replicas, cpu(ns.cpuReq), mem(ns.memReq), cpu(ns.cpuLim), mem(ns.memLim))
	}
	fmt.Fprintf(b, "| **total** | %d | %s | %s | %s | %s |\n", total.replicas, cpu(total.cpuReq), mem(total.memReq), cpu(total.cpuLim), mem(total.memLim))
	b.WriteString("\n" + level + " Per workload\n\n| namespace | workload | replicas | CPU requests | memory requests | CPU limits | memory limits | note |\n|---|---|---|---|---|---|---|---|\n")
	for _, w := range wls {
		var notes []string
		if w.autoscaled != "" {
			notes = append(notes, w.autoscaled)
		}
		if w.unset > 0 {
			notes = append(notes, fmt.Sprintf("%d container(s) without requests", w.unset))
		}
		fmt.Fprintf(b, "| %s | %s %s | %d | %s | %s | %s | %s | %s |\n", w.namespace, w.kind, w.name, w.replicas,
			cpu(w.cpuReq), mem(w.memReq), cpu(w.cpuLim), mem(w.memLim), strings.Join(notes, "; "))
	}
}

func add(q *resource.Quantity, v any) {
	if v == nil {
		return
	}
	if p, err := resource.ParseQuantity(fmt.Sprint(v)); err == nil {
		q.Add(p)
	}
}

func times(q resource.Quantity, n int64) resource.Quantity {
	out := resource.Quantity{}
	for range n {
		out.Add(q)
	}
	return out
}

func cpu(q resource.Quantity) string {
	if q.IsZero() {
		return "–"
	}
	return fmt.Sprintf("%dm", q.MilliValue())
}

func mem(q resource.Quantity) string {
	if q.IsZero() {
		return "–"
	}
	return fmt.Sprintf("%.0f MiB", float64(q.Value())/(1<<20))
}

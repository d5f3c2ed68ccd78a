package placement

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/kfgitops/kfgitops/kit"
	"github.com/kfgitops/kfgitops/kit/preset"
	"github.com/kptdev/krm-functions-sdk/go/fn"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// scalingOf is how the workload scales, and why: the preset kubeflow's
// table first, then the rule (disagreeing is an error of place).
func (p *planner) scalingOf(id kit.ObjectID, r *Rule) (Scaling, string) {
	if e, ok := p.tableEntry(id); ok {
		return e.Scaling, e.Reason
	}
	if r.Scaling != "" {
		return r.Scaling, "the rule's scaling"
	}
	return "", ""
}

func (p *planner) tableEntry(id kit.ObjectID) (knownScaling, bool) {
	if p.preset != preset.Kubeflow {
		return knownScaling{}, false
	}
	return tableScaling(id)
}

// disagrees reports a rule whose scaling contradicts the table: the table
// records what upstream supports.
func (p *planner) disagrees(id kit.ObjectID, r *Rule) (knownScaling, bool) {
	e, ok := p.tableEntry(id)
	return e, ok && r.Scaling != "" && r.Scaling != e.Scaling
}

// setReplicas sets spec.replicas; more than one only on a workload known to
// run several.
func (p *planner) setReplicas(rn *yaml.RNode, id kit.ObjectID, r *Rule, fs *findings) error {
	if r.Replicas == nil {
		return nil
	}
	if !isOneOf(id.GroupKind, replicatedKinds) {
		fs.fail("spec.replicas", "a %s has no replicas", id.Kind)
		return nil
	}
	want := *r.Replicas
	if want > 1 {
		switch s, why := p.scalingOf(id, r); s {
		case Stateless, LeaderElected:
		case Singleton:
			fs.fail("spec.replicas", "replicas %d: this workload must run one replica: %s", want, why)
			return nil
		default:
			fs.fail("spec.replicas", "replicas %d: not known to run several replicas safely; if it does, say how with scaling: stateless or leaderElected on the rule", want)
			return nil
		}
	}
	old, _ := replicasOf(rn)
	if old == want {
		return nil
	}
	fs.info("spec.replicas", "replicas %d (was %d)", want, old)
	return rn.PipeE(yaml.LookupCreate(yaml.MappingNode, "spec"), yaml.SetField("replicas", yaml.NewRNode(&yaml.Node{Kind: yaml.ScalarNode, Tag: yaml.NodeTagInt, Value: strconv.Itoa(int(want))})))
}

// replicasOf is spec.replicas, 1 when absent (the API server's default),
// and whether it is set.
func replicasOf(rn *yaml.RNode) (int32, bool) {
	n, err := rn.Pipe(yaml.Lookup("spec", "replicas"))
	if err != nil || n == nil {
		return 1, false
	}
	v, err := strconv.ParseInt(yaml.GetValue(n), 10, 32)
	if err != nil {
		return 1, true
	}
	return int32(v), true
}

// autoscale renders the rule's HorizontalPodAutoscaler for the workload.
func (p *planner) autoscale(o *fn.KubeObject, r *Rule, fs *findings) error {
	if r.Autoscaling == nil {
		return nil
	}
	if !isOneOf(kit.GroupKindOf(o), autoscaledKinds) {
		fs.fail("", "autoscaling: a %s is not autoscaled by this function (Deployment and StatefulSet are)", o.GetKind())
		return nil
	}
	if prev, ok := p.hpaRule[o]; ok {
		fs.fail("", "autoscaling: rule %s already renders its HorizontalPodAutoscaler", prev)
		return nil
	}
	if other := p.existingHPA(o); other != nil {
		fs.fail("", "autoscaling: %s already scales it; drop that one or this rule", kit.Describe(other))
		return nil
	}
	switch s, why := p.scalingOf(kit.IDOf(o), r); s {
	case Stateless:
	case LeaderElected:
		fs.fail("", "autoscaling: one replica works at a time (%s): set replicas for failover instead", why)
		return nil
	case Singleton:
		fs.fail("", "autoscaling: this workload must run one replica: %s", why)
		return nil
	default:
		fs.fail("", "autoscaling: not known to run several replicas safely; if it is stateless, say so with scaling: stateless on the rule")
		return nil
	}
	if !p.requestsFor(o, r.Autoscaling, fs) {
		return nil
	}
	hpa, err := newHPA(o, r.Name, r.Autoscaling)
	if err != nil {
		return err
	}
	if err := kit.EditRNode(o, func(rn *yaml.RNode) error {
		if n, set := replicasOf(rn); set {
			fs.info("spec.replicas", "replicas %d removed: the HorizontalPodAutoscaler owns the count (Argo CD would reset it on every sync)", n)
			return rn.PipeE(yaml.Lookup("spec"), yaml.Clear("replicas"))
		}
		return nil
	}); err != nil {
		return err
	}
	fs.info("", "HorizontalPodAutoscaler %s: %d to %d replicas on %s", hpa.GetName(), r.Autoscaling.MinReplicas, r.Autoscaling.MaxReplicas, describeTargets(r.Autoscaling))
	p.hpaRule[o], p.hpaMin[o] = r.Name, r.Autoscaling.MinReplicas
	p.rendered = append(p.rendered, hpa)
	return nil
}

func describeTargets(a *Autoscaling) string {
	var parts []string
	for _, t := range a.targets() {
		parts = append(parts, fmt.Sprintf("%d%% of the %s requests", t.percent, t.resource))
	}
	return strings.Join(parts, " and ")
}

// requestsFor reports whether every container requests each resource the
// autoscaler measures: utilization is a percentage of the requests, and the
// HorizontalPodAutoscaler controller computes none for pods with a container
// that requests nothing.
func (p *planner) requestsFor(o *fn.KubeObject, a *Autoscaling, fs *findings) bool {
	ok, gk := true, kit.GroupKindOf(o)
	err := kit.EditRNode(o, func(rn *yaml.RNode) error {
		tmpl, found := podTemplate(rn, gk)
		if !found {
			ok = false
			fs.fail("", "autoscaling: no pod template at %s", templatePath(gk))
			return nil
		}
		for _, t := range a.targets() {
			missing, err := missingRequests(tmpl, t.resource)
			if err != nil {
				return err
			}
			if len(missing) > 0 {
				ok = false
				fs.fail(tmpl.FieldPath("spec.containers"), "autoscaling on %s utilization: container(s) %s request no %s; give them requests (resources in the rule)",
					t.resource, strings.Join(missing, ", "), t.resource)
			}
		}
		return nil
	})
	return ok && err == nil
}

// existingHPA is an autoscaler of the bundle, not rendered by this
// function, that targets the workload.
func (p *planner) existingHPA(o *fn.KubeObject) *fn.KubeObject {
	for _, h := range p.items {
		if !kit.HorizontalPodAutoscalerKind.Is(h) || h.GetNamespace() != o.GetNamespace() {
			continue
		}
		kind, _, _ := h.NestedString("spec", "scaleTargetRef", "kind")
		name, _, _ := h.NestedString("spec", "scaleTargetRef", "name")
		apiVersion, _, _ := h.NestedString("spec", "scaleTargetRef", "apiVersion")
		if (kind == o.GetKind() && name == o.GetName() && kit.GroupOf(apiVersion) == kit.GroupOf(o.GetAPIVersion())) || h.GetName() == o.GetName() {
			return h
		}
	}
	return nil
}

// budget renders the rule's PodDisruptionBudget for the workload, when it
// runs more than one replica.
func (p *planner) budget(o *fn.KubeObject, r *Rule, fs *findings) error {
	if r.DisruptionBudget == nil {
		return nil
	}
	if !isOneOf(kit.GroupKindOf(o), replicatedKinds) {
		fs.fail("", "disruptionBudget: a %s has no replicas to budget", o.GetKind())
		return nil
	}
	if s, why := p.scalingOf(kit.IDOf(o), r); s == Singleton {
		fs.fail("", "disruptionBudget: this workload must run one replica (%s): a budget would only block node drains", why)
		return nil
	}
	replicas, from := p.replicas(o)
	if replicas < 2 {
		fs.warn("", "disruptionBudget: no PodDisruptionBudget, as it runs %d replica (%s): a budget on one pod blocks every node drain or protects nothing", replicas, from)
		return nil
	}
	if prev, ok := p.pdbRule[o]; ok {
		fs.fail("", "disruptionBudget: rule %s already renders its PodDisruptionBudget", prev)
		return nil
	}
	sel, podLabels, err := p.selectorOf(o, fs)
	if err != nil || sel == nil {
		return err
	}
	if clash := p.budgetClash(o, sel, podLabels); clash != "" {
		fs.fail("spec.selector", "disruptionBudget: %s", clash)
		return nil
	}
	pdb, err := newPDB(o, r.Name, r.DisruptionBudget, sel)
	if err != nil {
		return err
	}
	fs.info("", "PodDisruptionBudget %s over its %d replicas (%s)", pdb.GetName(), replicas, from)
	p.pdbRule[o] = r.Name
	p.rendered = append(p.rendered, pdb)
	return nil
}

// replicas is how many replicas the workload runs at least, and what says
// so.
func (p *planner) replicas(o *fn.KubeObject) (int32, string) {
	if n, ok := p.hpaMin[o]; ok {
		return n, "the HorizontalPodAutoscaler's minReplicas"
	}
	n, set := int32(1), false
	_ = kit.EditRNode(o, func(rn *yaml.RNode) error {
		n, set = replicasOf(rn)
		return nil
	})
	if !set {
		return n, "spec.replicas left out"
	}
	return n, "spec.replicas"
}

// selectorOf is the workload's spec.selector, which its pod template's
// labels satisfy, and those labels. The budget takes the workload's
// selector rather than the template's whole label set: later steps of the
// pipeline (strip-istio-sidecar) edit template labels, never a selector,
// which is immutable.
func (p *planner) selectorOf(o *fn.KubeObject, fs *findings) (*metav1.LabelSelector, map[string]string, error) {
	var sel metav1.LabelSelector
	if obj := o.GetMap("spec").GetMap("selector"); obj != nil {
		if err := kit.As(obj, &sel); err != nil {
			return nil, nil, fmt.Errorf("spec.selector: %w", err)
		}
	}
	podLabels := templateLabels(o)
	if !selects(&sel, podLabels) {
		fs.fail("spec.selector", "disruptionBudget: the workload's selector is empty or does not select its own pod template's labels")
		return nil, nil, nil
	}
	return &sel, podLabels, nil
}

// budgetClash names what makes a budget with this selector wrong: pods of
// another workload it would count, or a budget of the bundle that covers
// the same pods (the eviction API refuses pods under two budgets).
func (p *planner) budgetClash(o *fn.KubeObject, sel *metav1.LabelSelector, podLabels map[string]string) string {
	for _, w := range p.workloads {
		if w == o || w.GetNamespace() != o.GetNamespace() {
			continue
		}
		if l := templateLabels(w); selects(sel, l) {
			return fmt.Sprintf("its selector also selects the pods of %s; the budget would count them", kit.Describe(w))
		}
	}
	for _, b := range p.items {
		if !kit.PodDisruptionBudgetKind.Is(b) || b.GetNamespace() != o.GetNamespace() {
			continue
		}
		var other metav1.LabelSelector
		if obj := b.GetMap("spec").GetMap("selector"); obj == nil || kit.As(obj, &other) != nil {
			continue
		}
		if selects(&other, podLabels) {
			return fmt.Sprintf("its pods are already covered by %s; pods under two budgets cannot be evicted", kit.Describe(b))
		}
	}
	return ""
}

func templateLabels(o *fn.KubeObject) map[string]string {
	out, gk := map[string]string{}, kit.GroupKindOf(o)
	_ = kit.EditRNode(o, func(rn *yaml.RNode) error {
		if tmpl, ok := podTemplate(rn, gk); ok {
			if m, err := tmpl.Template.Pipe(yaml.Lookup("metadata", "labels")); err == nil && m != nil {
				_ = decodeNode(m, &out)
			}
		}
		return nil
	})
	return out
}

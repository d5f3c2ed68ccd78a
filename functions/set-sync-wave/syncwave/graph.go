package syncwave

import (
	"fmt"
	"strings"

	"github.com/kfgitops/kfgitops/kit"
	"github.com/kptdev/krm-functions-sdk/go/fn"
)

// node is one object and its wave.
type node struct {
	obj *fn.KubeObject
	gk  kit.GroupKind
	// namespace is where the object really lives ("" if cluster-scoped).
	namespace string
	// rank is Argo CD's in-wave rank of the kind (argocd.KindRank). A
	// dependency on an object whose kind comes strictly earlier is met inside
	// one wave when it only needs to exist; anything else needs a wave boundary.
	rank int
	// initial is the wave before dependencies: the kept annotation or the
	// first matching rule's wave; source says which.
	initial int
	source  string
	// assigned is the wave the annotation or rule gave, before a Namespace
	// is pulled forward.
	assigned int
	// pinned waves may not be raised; kept ones are the object's own
	// annotation, left as written.
	pinned, kept bool
	wave         int
	// raisedBy is the edge that set the final wave when it is above initial.
	raisedBy *edge
	out      []*edge
}

// String names the object in messages: Kind namespace/name, or Kind name
// when it is cluster-scoped (whatever its metadata.namespace says).
func (n *node) String() string {
	if n.namespace != "" {
		return n.obj.GetKind() + " " + n.namespace + "/" + n.obj.GetName()
	}
	return n.obj.GetKind() + " " + n.obj.GetName()
}

// edge says that to comes after from.
type edge struct {
	from, to *node
	// ready: to needs from ready (healthy), which only a wave boundary
	// gives; otherwise to needs from only to exist.
	ready bool
	// why ends the message "<from> must exist/be ready before <to>: <why>".
	why string
	// webhook, when set, makes the edge conditional: to is intercepted by
	// this webhook only if it is created after the webhook is registered.
	webhook *kit.AdmissionWebhook
	// webhookNode is the webhook configuration's node.
	webhookNode *node
}

// gap is how many waves must separate the two ends.
func (e *edge) gap() int {
	if !e.ready && e.from.rank < e.to.rank {
		return 0 // Argo CD applies from's kind first inside the wave
	}
	return 1
}

// active reports whether the edge applies with the current waves. An object
// a webhook intercepts needs the webhook's backend only if it is created
// after the webhook configuration is registered: in a later wave, or in the
// same wave when Argo CD's kind order does not apply it first.
func (e *edge) active() bool {
	if e.webhook == nil {
		return true
	}
	w := e.webhookNode
	createdBefore := e.to.wave < w.wave || (e.to.wave == w.wave && e.to.rank < w.rank)
	return !createdBefore
}

func (e *edge) String() string {
	kind := "exist"
	if e.ready {
		kind = "be ready"
	}
	return fmt.Sprintf("%s must %s before %s: %s", e.from, kind, e.to, e.why)
}

// graph is the dependency graph of a bundle.
type graph struct {
	nodes []*node
	edges []*edge
}

func (g *graph) add(from, to *node, ready bool, why string) *edge {
	e := &edge{from: from, to: to, ready: ready, why: why}
	g.edges = append(g.edges, e)
	return e
}

// conflict is an edge the waves cannot satisfy: a cycle, or an edge into a
// pinned object.
type conflict struct {
	at      *node
	message string
}

// solve raises waves along the active edges until every active edge holds.
// Conditional (webhook) edges become active as waves rise; once active they
// stay active. It returns the edges that cannot hold.
func (g *graph) solve() []conflict {
	active := make(map[*edge]bool, len(g.edges))
	for _, n := range g.nodes {
		n.wave = n.initial
	}
	for {
		changed := false
		for _, e := range g.edges {
			if !active[e] && e.active() {
				active[e] = true
				e.from.out = append(e.from.out, e)
				changed = true
			}
		}
		if !changed {
			return nil
		}
		order, cycle := g.topological()
		if cycle != nil {
			return []conflict{cycleConflict(cycle)}
		}
		if conflicts := g.propagate(order); len(conflicts) > 0 {
			return conflicts
		}
	}
}

// propagate computes every wave in topological order: the highest of its
// initial wave and what each active edge into it requires.
func (g *graph) propagate(order []*node) []conflict {
	for _, n := range g.nodes {
		n.wave, n.raisedBy = n.initial, nil
	}
	var conflicts []conflict
	for _, n := range order {
		for _, e := range n.out {
			need := n.wave + e.gap()
			if need <= e.to.wave {
				continue
			}
			if e.to.pinned {
				conflicts = append(conflicts, conflict{e.to, fmt.Sprintf(
					"wave %d (%s) contradicts a dependency: %s; %s is in wave %d, so this object needs wave %d or later",
					e.to.initial, e.to.source, e, e.from, n.wave, need)})
				continue
			}
			e.to.wave, e.to.raisedBy = need, e
		}
	}
	return conflicts
}

// topological orders the nodes along active edges (Kahn), or returns a
// cycle.
func (g *graph) topological() ([]*node, []*edge) {
	indegree := make(map[*node]int, len(g.nodes))
	for _, n := range g.nodes {
		for _, e := range n.out {
			indegree[e.to]++
		}
	}
	queue := make([]*node, 0, len(g.nodes))
	for _, n := range g.nodes {
		if indegree[n] == 0 {
			queue = append(queue, n)
		}
	}
	for i := 0; i < len(queue); i++ {
		for _, e := range queue[i].out {
			if indegree[e.to]--; indegree[e.to] == 0 {
				queue = append(queue, e.to)
			}
		}
	}
	if len(queue) == len(g.nodes) {
		return queue, nil
	}
	return nil, findCycle(g.nodes, indegree)
}

// findCycle returns a cycle among the nodes Kahn's algorithm left over.
// Each of them still has a predecessor that is left over too, so walking
// backwards from any of them must come round to a node already visited.
func findCycle(nodes []*node, indegree map[*node]int) []*edge {
	into := map[*node][]*edge{}
	var start *node
	for _, n := range nodes {
		if indegree[n] == 0 {
			continue
		}
		if start == nil {
			start = n
		}
		for _, e := range n.out {
			into[e.to] = append(into[e.to], e)
		}
	}
	seen := map[*node]int{}
	var back []*edge // edges walked backwards
	for n := start; ; {
		if i, ok := seen[n]; ok {
			cycle := back[i:]
			// reverse into forward order
			for l, r := 0, len(cycle)-1; l < r; l, r = l+1, r-1 {
				cycle[l], cycle[r] = cycle[r], cycle[l]
			}
			return cycle
		}
		seen[n] = len(back)
		for _, e := range into[n] {
			if indegree[e.from] > 0 {
				back = append(back, e)
				n = e.from
				break
			}
		}
	}
}

func cycleConflict(cycle []*edge) conflict {
	parts := make([]string, len(cycle))
	for i, e := range cycle {
		parts[i] = e.String()
	}
	return conflict{cycle[0].from, "dependency cycle, no wave order can satisfy it: " + strings.Join(parts, "; ")}
}

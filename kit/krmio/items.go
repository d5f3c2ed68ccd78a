package krmio

import (
	"fmt"

	"github.com/kfgitops/kfgitops/kit/yamltree"
	"github.com/kptdev/krm-functions-sdk/go/fn"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// item is one object of the input and where it came from, for messages:
// "items[3]", or "items[3].items[0]" inside a List.
type item struct {
	node   *yaml.Node
	origin string
	list   *yaml.Node // the List it came from, or nil
}

func (it item) String() string {
	return it.origin + " (" + describeNode(it.node) + ")"
}

// prepareItems turns the parsed items into the objects functions see, or
// refuses them: Lists expanded into their objects, every object within the
// limits with aliases expanded and every key once (yamltree.Check, on all
// cores), aliases and merge keys expanded, and apiVersion, kind and
// metadata.name present as strings.
func prepareItems(nodes []*yaml.Node, inputBytes int) (fn.KubeObjects, error) {
	items, err := expandLists(nodes)
	if err != nil {
		return nil, err
	}
	sizes := make([]yamltree.Size, len(items))
	errs := make([]error, len(items))
	_ = forEachParallel(len(items), func() struct{} { return struct{}{} }, func(_ struct{}, i int) error {
		sizes[i], errs[i] = yamltree.Check(items[i].node, objectLimits)
		return nil
	})
	added := 0
	for i, err := range errs {
		if err != nil {
			return nil, fmt.Errorf("%s: %s", items[i], limitMessage(err))
		}
		added += sizes[i].AddedBytes + sizes[i].AddedNodes
	}
	if budget := aliasBudget(inputBytes); added > budget {
		return nil, fmt.Errorf("YAML aliases expand the items by more than %d bytes (the input's %d bytes plus %d): refused as an alias bomb", budget, inputBytes, MaxObjectBytes)
	}
	objects := make(fn.KubeObjects, len(items))
	for i, it := range items {
		if sizes[i].NeedsExpand() {
			it.node = yamltree.Expand(it.node)
		}
		if err := checkIdentity(it.node); err != nil {
			return nil, fmt.Errorf("%s: %v", it, err)
		}
		objects[i] = moveObject(it.node)
		if it.list != nil {
			if err := inheritPath(objects[i], it.list); err != nil {
				return nil, fmt.Errorf("%s: %v", it, err)
			}
		}
	}
	return objects, nil
}

// checkIdentity checks the fields that identify an object: apiVersion,
// kind and metadata.name strings, metadata a mapping, metadata.namespace a
// string when set.
func checkIdentity(n *yaml.Node) error {
	for _, key := range []string{"apiVersion", "kind"} {
		if err := requireString(field(n, key), key, true); err != nil {
			return err
		}
	}
	meta := field(n, "metadata")
	switch {
	case meta == nil:
		return fmt.Errorf("metadata.name is missing")
	case meta.Kind != yaml.MappingNode:
		return fmt.Errorf("metadata must be a mapping, got %s", yamltree.KindOf(meta))
	}
	if err := requireString(field(meta, "name"), "metadata.name", true); err != nil {
		return err
	}
	if ns := field(meta, "namespace"); ns != nil && !isNull(ns) {
		return requireString(ns, "metadata.namespace", false)
	}
	return nil
}

func requireString(v *yaml.Node, path string, nonEmpty bool) error {
	switch {
	case v == nil || nonEmpty && isString(v) && v.Value == "":
		return fmt.Errorf("%s is missing", path)
	case !isString(v):
		return fmt.Errorf("%s must be a string, got %s", path, yamltree.KindOf(v))
	}
	return nil
}

// describeNode names an object for a message from its raw node (the SDK's
// accessors cannot be trusted on input refused for its shape).
func describeNode(n *yaml.Node) string {
	kind, name := "", ""
	if v := field(n, "kind"); v != nil && v.Kind == yaml.ScalarNode {
		kind = truncate(v.Value)
	}
	if meta := field(n, "metadata"); meta != nil && meta.Kind == yaml.MappingNode {
		if v := field(meta, "name"); v != nil && v.Kind == yaml.ScalarNode {
			name = truncate(v.Value)
		}
	}
	switch {
	case kind == "" && name == "":
		return "no kind, no name"
	case name == "":
		return kind
	}
	return fmt.Sprintf("%s %q", kind, name)
}

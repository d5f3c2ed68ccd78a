package krmio

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/kfgitops/kfgitops/kit/yamltree"
	"github.com/kptdev/krm-functions-sdk/go/fn"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// expandLists replaces every List item (kind List, or any kind ending in
// List, with an items field: what kubectl applies and kustomize inlines when
// it loads resources) by its objects, recursively, in place. Functions then
// see, edit and check each object, and the output holds the objects instead
// of the List: what kubectl would have applied anyway.
func expandLists(nodes []*yaml.Node) ([]item, error) {
	items := make([]item, 0, len(nodes))
	var add func(n *yaml.Node, origin string, list *yaml.Node) error
	add = func(n *yaml.Node, origin string, list *yaml.Node) error {
		inner, isList, err := listItems(n)
		if err != nil {
			return fmt.Errorf("%s: %v", item{node: n, origin: origin}, err)
		}
		if !isList {
			items = append(items, item{node: n, origin: origin, list: list})
			return nil
		}
		if list == nil {
			list = n
		}
		for j, o := range inner {
			if err := add(o, origin+".items["+strconv.Itoa(j)+"]", list); err != nil {
				return err
			}
		}
		return nil
	}
	for i, n := range nodes {
		if err := add(n, "items["+strconv.Itoa(i)+"]", nil); err != nil {
			return nil, err
		}
	}
	return items, nil
}

// listItems returns a List's objects; isList is false for any other object.
func listItems(n *yaml.Node) (inner []*yaml.Node, isList bool, err error) {
	kind := field(n, "kind")
	list := field(n, "items")
	if kind == nil || !isString(kind) || !strings.HasSuffix(kind.Value, "List") || list == nil {
		return nil, false, nil
	}
	if err := yamltree.CheckKeys(n); err != nil {
		return nil, true, err
	}
	switch {
	case isNull(list):
		return nil, true, nil
	case list.Kind != yaml.SequenceNode:
		return nil, true, fmt.Errorf("a %s's items must be a list of objects, got %s", kind.Value, yamltree.KindOf(list))
	}
	for j, o := range list.Content {
		if o.Kind != yaml.MappingNode {
			return nil, true, fmt.Errorf("items[%d] of the %s must be an object (a mapping), got %s", j, kind.Value, yamltree.KindOf(o))
		}
	}
	return list.Content, true, nil
}

// listPathAnnotations are the annotations by which kpt writes an object
// back to its file: an object from a List goes where the List was.
var listPathAnnotations = []string{
	"config.kubernetes.io/path", "config.kubernetes.io/index",
	"internal.config.kubernetes.io/path", "internal.config.kubernetes.io/index",
}

// inheritPath gives an object of a List the List's path and index
// annotations, unless it has any of its own.
func inheritPath(o *fn.KubeObject, list *yaml.Node) error {
	for _, key := range listPathAnnotations {
		if o.GetAnnotation(key) != "" {
			return nil
		}
	}
	meta := field(list, "metadata")
	if meta == nil || meta.Kind != yaml.MappingNode {
		return nil
	}
	annotations := field(meta, "annotations")
	if annotations == nil || annotations.Kind != yaml.MappingNode {
		return nil
	}
	for _, key := range listPathAnnotations {
		v := field(annotations, key)
		if v == nil || v.Kind != yaml.ScalarNode {
			continue
		}
		if err := o.SetAnnotation(key, v.Value); err != nil {
			return err
		}
	}
	return nil
}

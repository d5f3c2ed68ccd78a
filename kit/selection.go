package kit

import (
	"slices"

	"github.com/kptdev/krm-functions-sdk/go/fn"
)

// Editable reports whether a function may touch the object: local-config
// objects (function configs, kpt's own files) and the Kptfile pass through
// every function untouched.
func Editable(o *fn.KubeObject) bool {
	if o.IsLocalConfig() {
		return false
	}
	return !(o.GetKind() == "Kptfile" && GroupOf(o.GetAPIVersion()) == "kpt.dev")
}

// EditableItems is the subset of items a function may touch, in order.
func EditableItems(items fn.KubeObjects) fn.KubeObjects {
	out := make(fn.KubeObjects, 0, len(items))
	for _, o := range items {
		if Editable(o) {
			out = append(out, o)
		}
	}
	return out
}

// RemoveItems drops the given objects (by identity of pointer) from items.
func RemoveItems(items fn.KubeObjects, drop map[*fn.KubeObject]bool) fn.KubeObjects {
	if len(drop) == 0 {
		return items
	}
	out := items[:0]
	for _, o := range items {
		if !drop[o] {
			out = append(out, o)
		}
	}
	return out
}

// RemoveRendered drops from items what an earlier run of a function
// rendered, so that the run renders it afresh: the editable objects of one of
// kinds whose ManagedByLabel is managedBy.
func RemoveRendered(items fn.KubeObjects, managedBy string, kinds []GroupKind) fn.KubeObjects {
	drop := map[*fn.KubeObject]bool{}
	for _, o := range EditableItems(items) {
		if o.GetLabel(ManagedByLabel) == managedBy && slices.Contains(kinds, GroupKindOf(o)) {
			drop[o] = true
		}
	}
	return RemoveItems(items, drop)
}

package kit

import (
	"github.com/kptdev/krm-functions-sdk/go/fn"
)

// ObjectID identifies an object as the API server stores it: one object per
// group, kind, namespace and name, whatever apiVersion it is written in
// (apps/v1 and apps/v1beta2 of one Deployment are the same object).
type ObjectID struct {
	GroupKind
	Namespace, Name string
}

// IDOf is the object's identity.
func IDOf(o *fn.KubeObject) ObjectID {
	return ObjectID{GroupKind: GroupKindOf(o), Namespace: o.GetNamespace(), Name: o.GetName()}
}

func (id ObjectID) String() string {
	if id.Namespace == "" {
		return id.GroupKind.String() + " " + id.Name
	}
	return id.GroupKind.String() + " " + id.Namespace + "/" + id.Name
}

// CheckUnique reports the first object that appears twice among items, as
// an error about its second appearance. Every function runs it on its
// input (Definition): a function cannot safely edit what it cannot tell
// apart, and the API server would keep only one of them.
func CheckUnique(items fn.KubeObjects) error {
	seen := make(map[ObjectID]*fn.KubeObject, len(items))
	for _, o := range items {
		id := IDOf(o)
		first, dup := seen[id]
		if !dup {
			seen[id] = o
			continue
		}
		if first.GetAPIVersion() == o.GetAPIVersion() {
			return Errorf(o, "", "duplicate object: %s appears twice (as %s)", id, o.GetAPIVersion())
		}
		return Errorf(o, "", "duplicate object: %s appears twice, as %s and as %s (one object whatever the version)",
			id, first.GetAPIVersion(), o.GetAPIVersion())
	}
	return nil
}

// RefAt reads the object reference at sub (a Gateway API parentRef,
// backendRef, targetRef or certificateRef; an RBAC subject, whose apiGroup
// is not read): the fields group and kind as written, def's where the field
// is absent (written empty, it stays empty: "" is the core group);
// namespace as written, def's where it is absent or empty (def's is the
// referring object's namespace, which the Gateway API and RBAC default it
// to); name as written.
func RefAt(sub *fn.SubObject, def ObjectID) ObjectID {
	ref := ObjectID{GroupKind: def.GroupKind, Namespace: def.Namespace}
	if g, found, _ := sub.NestedString("group"); found {
		ref.Group = g
	}
	if k, found, _ := sub.NestedString("kind"); found {
		ref.Kind = k
	}
	if ns, _, _ := sub.NestedString("namespace"); ns != "" {
		ref.Namespace = ns
	}
	ref.Name, _, _ = sub.NestedString("name")
	return ref
}

package kit

import (
	"github.com/kptdev/krm-functions-sdk/go/fn"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// EditRNode lends the object's YAML tree to edit as a kyaml RNode (the model
// of kustomize's api/filters) for work the KubeObject accessors cannot do,
// such as editing lists of scalars or reading arbitrary nodes. Ownership moves
// back afterwards, so nothing is copied and comments and order survive.
// While edit runs, o itself is empty: read what you need from o before.
func EditRNode(o *fn.KubeObject, edit func(rn *yaml.RNode) error) error {
	rn := o.MoveToResourceNode()
	err := edit(rn)
	*o = *fn.MoveToKubeObject(rn)
	return err
}

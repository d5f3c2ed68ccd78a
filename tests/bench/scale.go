// Package bench measures the functions against the floor (a do-nothing SDK
// function) on the real corpus and on synthetic scale-ups of it.
package bench

import (
	"bytes"
	"fmt"
	"strings"

	"sigs.k8s.io/kustomize/kyaml/kio"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// ScaleUp returns the stream with n copies of every object: copy k of a
// namespaced object lives in namespace <ns>-c<k> under name <name>-c<k>; a
// cluster-scoped one is renamed <name>-c<k>, and a CRD defines its kind in
// group c<k>.<group> so that the copies stay distinct APIs. The result is n
// times the input's size (the Kubeflow render is mostly CRD schemas).
func ScaleUp(stream []byte, n int) ([]byte, error) {
	nodes, err := (&kio.ByteReader{Reader: bytes.NewReader(stream), OmitReaderAnnotations: true}).Read()
	if err != nil {
		return nil, err
	}
	var out bytes.Buffer
	out.Write(stream)
	for copyIndex := 1; copyIndex < n; copyIndex++ {
		suffix := fmt.Sprintf("-c%d", copyIndex)
		for _, node := range nodes {
			ns := node.GetNamespace()
			c := node.Copy()
			name := node.GetName() + suffix
			if node.GetKind() == "CustomResourceDefinition" {
				group, err := c.Pipe(yaml.Lookup("spec", "group"))
				if err != nil || group == nil {
					return nil, fmt.Errorf("CRD %s: no spec.group", node.GetName())
				}
				group.YNode().Value = fmt.Sprintf("c%d.%s", copyIndex, group.YNode().Value)
				plural, _ := c.Pipe(yaml.Lookup("spec", "names", "plural"))
				if plural != nil {
					name = plural.YNode().Value + "." + group.YNode().Value
				}
			}
			if err := c.SetName(name); err != nil {
				return nil, err
			}
			if ns != "" {
				if err := c.SetNamespace(ns + suffix); err != nil {
					return nil, err
				}
			}
			s, err := c.String()
			if err != nil {
				return nil, err
			}
			out.WriteString("\n---\n")
			out.WriteString(strings.TrimRight(s, "\n"))
		}
	}
	out.WriteString("\n")
	return out.Bytes(), nil
}

// SmallObjects returns a stream of n small objects, the shape of a large
// multi-tenant bundle rather than of Kubeflow's (whose bytes are mostly CRD
// schemas): namespaces of 100 objects each, every one a Namespace followed
// by apps of a ServiceAccount, a ConfigMap, a Deployment and a Service that
// selects it.
func SmallObjects(n int) []byte {
	var out bytes.Buffer
	const perNamespace = 100
	for i := 0; i < n; i++ {
		if i > 0 {
			out.WriteString("---\n")
		}
		ns := fmt.Sprintf("team-%d", i/perNamespace)
		app := fmt.Sprintf("app-%d", (i%perNamespace-1)/4)
		switch {
		case i%perNamespace == 0:
			fmt.Fprintf(&out, "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: %s\n  labels:\n    team: %q\n", ns, ns)
		case (i%perNamespace-1)%4 == 0:
			fmt.Fprintf(&out, "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: %s\n  namespace: %s\n", app, ns)
		case (i%perNamespace-1)%4 == 1:
			fmt.Fprintf(&out, "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: %s-config\n  namespace: %s\n  labels:\n    app: %s\ndata:\n  LOG_LEVEL: info\n  PORT: \"8080\"\n", app, ns, app)
		case (i%perNamespace-1)%4 == 2:
			fmt.Fprintf(&out, "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: %s\n  namespace: %s\n  labels:\n    app: %s\nspec:\n  replicas: 1\n  selector:\n    matchLabels:\n      app: %s\n  template:\n    metadata:\n      labels:\n        app: %s\n    spec:\n      serviceAccountName: %s\n      containers:\n      - name: main\n        image: registry.example.com/%s:1.0.0\n        ports:\n        - containerPort: 8080\n        envFrom:\n        - configMapRef:\n            name: %s-config\n", app, ns, app, app, app, app, app, app)
		default:
			fmt.Fprintf(&out, "apiVersion: v1\nkind: Service\nmetadata:\n  name: %s\n  namespace: %s\nspec:\n  selector:\n    app: %s\n  ports:\n  - name: http\n    port: 80\n    targetPort: 8080\n", app, ns, app)
		}
	}
	return out.Bytes()
}

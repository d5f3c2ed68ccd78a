// Package translators checks kfgitops' output on kgateway's and Istio's own
// translation code: the routes kgateway programs from the pipeline's
// HTTPRoutes and policies against the routes Istio programmed from the
// VirtualServices they replace, request by request, and kgateway's status
// reports and listener filter chain. See docs/translators.md.
package translators

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/yaml"
)

// object is one decoded KRM object.
type object = map[string]any

// repoRoot is the repository root, two levels above this package.
func repoRoot() (string, error) {
	return filepath.Abs(filepath.Join("..", ".."))
}

// readObjects decodes a multi-document YAML stream.
func readObjects(r io.Reader) ([]object, error) {
	dec := utilyaml.NewYAMLOrJSONDecoder(r, 1<<20)
	var out []object
	for {
		var o object
		if err := dec.Decode(&o); errors.Is(err, io.EOF) {
			return out, nil
		} else if err != nil {
			return nil, err
		}
		if len(o) > 0 {
			out = append(out, o)
		}
	}
}

func readFileObjects(path string) ([]object, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	objs, err := readObjects(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return objs, nil
}

// writeObjects writes objs as a YAML stream ("\n---\n" between documents,
// the separator kgateway's loader splits on).
func writeObjects(path string, objs []object) error {
	var b bytes.Buffer
	for i, o := range objs {
		y, err := yaml.Marshal(o)
		if err != nil {
			return err
		}
		if i > 0 {
			b.WriteString("\n---\n")
		}
		b.Write(y)
	}
	return os.WriteFile(path, b.Bytes(), 0o644)
}

// runFunction runs bin/<name> on a ResourceList of items and fnConfig and
// returns the output items and results.
func runFunction(name string, items []object, fnConfig object) (out, results []object, err error) {
	root, err := repoRoot()
	if err != nil {
		return nil, nil, err
	}
	bin := filepath.Join(root, "bin", name)
	if _, err := os.Stat(bin); err != nil {
		return nil, nil, fmt.Errorf("%s not built (make build): %w", bin, err)
	}
	rl := object{"apiVersion": "config.kubernetes.io/v1", "kind": "ResourceList", "items": items}
	if fnConfig != nil {
		rl["functionConfig"] = fnConfig
	}
	in, err := yaml.Marshal(rl)
	if err != nil {
		return nil, nil, err
	}
	var stdout, stderr bytes.Buffer
	cmd := exec.Command(bin)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = bytes.NewReader(in), &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return nil, nil, fmt.Errorf("%s: %w\n%s", name, err, stderr.String())
	}
	var res struct {
		Items   []object `json:"items"`
		Results []object `json:"results"`
	}
	if err := yaml.Unmarshal(stdout.Bytes(), &res); err != nil {
		return nil, nil, fmt.Errorf("%s output: %w", name, err)
	}
	return res.Items, res.Results, nil
}

func group(o object) string {
	av, _ := o["apiVersion"].(string)
	if i := strings.IndexByte(av, '/'); i >= 0 {
		return av[:i]
	}
	return ""
}

func kind(o object) string { s, _ := o["kind"].(string); return s }

func meta(o object) (ns, name string) {
	md, _ := o["metadata"].(map[string]any)
	ns, _ = md["namespace"].(string)
	name, _ = md["name"].(string)
	return ns, name
}

func id(o object) string {
	ns, name := meta(o)
	return kind(o) + " " + ns + "/" + name
}

func spec(o object) map[string]any { m, _ := o["spec"].(map[string]any); return m }

// isKind reports whether o is of group and kind (any version).
func isKind(o object, g, k string) bool { return group(o) == g && kind(o) == k }

const istioNetworking = "networking.istio.io"

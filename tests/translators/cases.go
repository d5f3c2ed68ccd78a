package translators

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"sigs.k8s.io/yaml"
)

// Corpus renders, by base name.
var corpusRenders = []string{"kubeflow-master-2026-04-05.yaml", "kubeflow-26.03.yaml"}

// inputCase is one bundle the suite runs: its objects before the pipeline
// and the function that converts them.
type inputCase struct {
	name     string
	items    []object
	function string   // bin/<function>: kubeflow-gitops (the whole chain) or kgateway-route
	fnConfig object   // nil: the function's defaults
	partial  bool     // a slice of a platform: Services its routes name may be missing
	jwt      *jwtWant // the Gateway's JWT provider must be this one
}

// corpusDir is the corpus directory ($KFGITOPS_CORPUS, or ../shared/corpus
// beside the repository), or "" when there is none.
func corpusDir() string {
	if d := os.Getenv("KFGITOPS_CORPUS"); d != "" {
		return d
	}
	root, err := repoRoot()
	if err != nil {
		return ""
	}
	d := filepath.Join(root, "..", "shared", "corpus")
	if _, err := os.Stat(d); err != nil {
		return ""
	}
	return d
}

// corpusCases are the two platform renders through the whole chain.
func corpusCases(dir string) ([]inputCase, error) {
	var out []inputCase
	for _, f := range corpusRenders {
		items, err := readFileObjects(filepath.Join(dir, f))
		if err != nil {
			return nil, err
		}
		out = append(out, inputCase{name: "corpus/" + f, items: items, function: "kubeflow-gitops"})
	}
	return out, nil
}

// exampleCases are the examples with VirtualServices (their kustomization's
// resources) through the whole chain.
func exampleCases(root string) ([]inputCase, error) {
	dirs, _ := filepath.Glob(filepath.Join(root, "examples", "*", "kustomization.yaml"))
	var out []inputCase
	for _, k := range dirs {
		dir := filepath.Dir(k)
		b, err := os.ReadFile(k)
		if err != nil {
			return nil, err
		}
		var kust struct {
			Resources []string `json:"resources"`
		}
		if err := yaml.Unmarshal(b, &kust); err != nil {
			return nil, fmt.Errorf("%s: %w", k, err)
		}
		var items []object
		for _, r := range kust.Resources {
			objs, err := readFileObjects(filepath.Join(dir, r))
			if err != nil {
				return nil, err
			}
			items = append(items, objs...)
		}
		if hasVirtualServices(items) {
			out = append(out, inputCase{name: "example/" + filepath.Base(dir), items: items, function: "kubeflow-gitops", partial: true})
		}
	}
	return out, nil
}

// goldenCases are kgateway-route's golden cases with VirtualServices that
// kgateway-route does not refuse, through kgateway-route.
func goldenCases(root string) ([]inputCase, error) {
	dirs, _ := filepath.Glob(filepath.Join(root, "functions", "kgateway-route", "kgatewayroute", "testdata", "*"))
	slices.Sort(dirs)
	var out []inputCase
	for _, dir := range dirs {
		files, _ := filepath.Glob(filepath.Join(dir, "*.yaml"))
		c := inputCase{name: "golden/" + filepath.Base(dir), function: "kgateway-route", partial: true}
		for _, f := range files {
			objs, err := readFileObjects(f)
			if err != nil {
				return nil, err
			}
			switch base := filepath.Base(f); {
			case base == "_fnconfig.yaml":
				c.fnConfig = objs[0]
			case !strings.HasPrefix(base, "_"):
				c.items = append(c.items, objs...)
			}
		}
		if hasVirtualServices(c.items) && !refused(dir) {
			out = append(out, c)
		}
	}
	return out, nil
}

// runtimeCases are the VirtualServices Kubeflow's controllers create at run
// time (the notebook, tensorboard and PVC viewer controllers), in the shapes
// the controllers write them, with their Services, through kgateway-route.
func runtimeCases() ([]inputCase, error) {
	b, err := os.ReadFile(filepath.Join("testdata", "runtime-virtualservices.yaml"))
	if err != nil {
		return nil, err
	}
	items, err := readObjects(strings.NewReader(string(b)))
	if err != nil {
		return nil, err
	}
	return []inputCase{{name: "runtime/controllers", items: items, function: "kgateway-route", partial: true}}, nil
}

// refused reports whether kgateway-route refuses the case's input (an
// invalid config, a subset no Service stands for, several Istio Gateways):
// its expected output has an error result, and there is nothing to compare.
func refused(dir string) bool {
	b, err := os.ReadFile(filepath.Join(dir, "_expected.yaml"))
	return err != nil || strings.Contains(string(b), "\n  severity: error\n")
}

func hasVirtualServices(items []object) bool {
	return slices.ContainsFunc(items, func(o object) bool { return isKind(o, istioNetworking, "VirtualService") })
}

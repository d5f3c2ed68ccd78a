package main

import (
	"fmt"
	"strings"
)

// kustomizeForms are the rows of tests/bench BenchmarkKustomize.
var kustomizeForms = []struct {
	row, what string
	functions int // exec functions kustomize runs
}{
	{"plain-build", "`kustomize build` of the render alone, no transformers", 0},
	{"one-step", "pipelines/kubeflow-one-step without verify: the chain binary `kubeflow-gitops` as the only exec transformer", 1},
	{"one-step+verify", "pipelines/kubeflow-one-step: `kubeflow-gitops`, then `verify`", 2},
	{"pipeline", "pipelines/kubeflow: six mutators and `verify`, each its own exec transformer", 7},
}

// kustomizeSection is the kustomize path on the master corpus.
func kustomizeSection(b *strings.Builder, r map[string]result) {
	b.WriteString("\n## kustomize: which form to pick\n\n")
	b.WriteString("tests/bench BenchmarkKustomize: `bin/kustomize build --enable-alpha-plugins --enable-exec` on `kubeflow-master-2026-04-05.yaml`, one whole process tree per run (one run per row), wall time from start to exit. ")
	b.WriteString("Peak RSS is the largest single process (the kernel's maxrss over kustomize and the functions it ran); the process tree column is the largest sum of kustomize's and its running function's RSS, sampled every 50 ms. ")
	b.WriteString("The benchmark checks that the outputs of pipelines/kubeflow-one-step and pipelines/kubeflow are equal byte for byte.\n\n")
	b.WriteString("| form | exec functions | wall time | peak RSS | process tree | output |\n|---|---|---|---|---|---|\n")
	for _, k := range kustomizeForms {
		res, ok := r["Kustomize/"+k.row]
		if !ok {
			fmt.Fprintf(b, "| %s (%s) | %d | not measured | – | – | – |\n", k.row, k.what, k.functions)
			continue
		}
		fmt.Fprintf(b, "| %s (%s) | %d | %s | %s | %s | %s |\n", k.row, k.what, k.functions, seconds(res.metrics["ns/op"]),
			num(res.metrics, "peak-RSS-MiB", "%.0f MiB"), num(res.metrics, "tree-RSS-MiB", "%.0f MiB"), num(res.metrics, "output-MiB", "%.1f MiB"))
	}
	b.WriteString("\n")
	b.WriteString(kustomizeAdvice(r))
}

// kustomizeAdvice compares the forms from the figures of this run.
func kustomizeAdvice(r map[string]result) string {
	wall := func(row string) (float64, bool) {
		res, ok := r["Kustomize/"+row]
		return res.metrics["ns/op"] / 1e9, ok
	}
	plain, okPlain := wall("plain-build")
	one, okOne := wall("one-step")
	oneV, okOneV := wall("one-step+verify")
	pipeline, okPipe := wall("pipeline")
	if !okOneV || !okPipe {
		return "The comparison of the one-step form with pipelines/kubeflow needs both rows; this run lacks one.\n"
	}
	var b strings.Builder
	rss := func(row string) float64 { return r["Kustomize/"+row].metrics["peak-RSS-MiB"] }
	if oneV < pipeline {
		fmt.Fprintf(&b, "**Pick pipelines/kubeflow-one-step** (`kubeflow-gitops`, then `verify`) under kustomize: %.1f s and %.0f MiB peak against %.1f s and %.0f MiB for the seven exec functions of pipelines/kubeflow (%.1f× faster), for the same output. ",
			oneV, rss("one-step+verify"), pipeline, rss("pipeline"), pipeline/oneV)
	} else {
		fmt.Fprintf(&b, "In this run pipelines/kubeflow-one-step (%.1f s) was not faster than pipelines/kubeflow (%.1f s): check the load figures above before drawing a conclusion. ", oneV, pipeline)
	}
	b.WriteString("Keep the separate steps only to run one concern alone or in another order (the chain's `skip` drops steps).")
	if okPlain && okOne {
		fmt.Fprintf(&b, " Where the time goes: the chain adds %.1f s to the plain build", one-plain)
		if chainRun, ok := r["Process/kubeflow-gitops"]; ok {
			fmt.Fprintf(&b, ", of which the chain binary itself runs about %.1f s (Process/kubeflow-gitops, mean of 3)", chainRun.metrics["ns/op"]/3/1e9)
		}
		fmt.Fprintf(&b, "; the rest is kustomize writing the ResourceList to the function and parsing its output back (kyaml, the whole list as one YAML document). Each further exec function costs that again: the five extra exec functions of pipelines/kubeflow add %.1f s each.", (pipeline-oneV)/5)
	}
	b.WriteString("\n")
	return b.String()
}

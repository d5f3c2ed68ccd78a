package placement

import (
	"maps"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
)

// builtinPresets are requests and limits for the Kubeflow web apps and
// controllers, which upstream ships with none. Requests are what the
// scheduler reserves and what an autoscaler's utilization is a percentage
// of; the memory limit is twice the request (Node.js and gunicorn workers
// grow under load and are killed past it). There is no CPU limit: CPU is
// compressible, and a limit throttles a pod that the autoscaler would
// otherwise see busy and scale out.
var builtinPresets = map[string]Resources{
	"small":  requestsAndMemoryLimit("50m", "128Mi", "256Mi"),
	"medium": requestsAndMemoryLimit("100m", "256Mi", "512Mi"),
	"large":  requestsAndMemoryLimit("250m", "512Mi", "1Gi"),
}

func requestsAndMemoryLimit(cpu, memory, memoryLimit string) Resources {
	return Resources{
		Requests: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse(cpu), corev1.ResourceMemory: resource.MustParse(memory)},
		Limits:   corev1.ResourceList{corev1.ResourceMemory: resource.MustParse(memoryLimit)},
	}
}

// resolve is the container's requests and limits: the preset's, with the
// explicit values on top.
func (c ContainerResources) resolve(presets map[string]Resources) Resources {
	out := Resources{Requests: corev1.ResourceList{}, Limits: corev1.ResourceList{}}
	if p, ok := presets[c.Preset]; ok {
		maps.Copy(out.Requests, p.Requests)
		maps.Copy(out.Limits, p.Limits)
	}
	maps.Copy(out.Requests, c.Requests)
	maps.Copy(out.Limits, c.Limits)
	return out
}

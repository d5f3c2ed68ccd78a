package kit_test

import (
	"testing"

	"github.com/kfgitops/kfgitops/kit"
)

func TestConversionAndAPIServiceBackends(t *testing.T) {
	items := parse(t,
		"apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: a.example.com\nspec:\n  conversion:\n    strategy: Webhook\n    webhook:\n      clientConfig:\n        service: {namespace: sys, name: conv}\n",
		"apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: b.example.com\nspec:\n  conversion: {strategy: None}\n",
		"apiVersion: apiregistration.k8s.io/v1\nkind: APIService\nmetadata:\n  name: v1.metrics.example.com\nspec:\n  group: metrics.example.com\n  version: v1\n  service: {namespace: sys, name: metrics}\n",
	)
	if svc := kit.ConversionWebhookService(items[0]); svc == nil || svc.String() != "sys/conv" {
		t.Errorf("conversion service %v", svc)
	}
	if svc := kit.ConversionWebhookService(items[1]); svc != nil {
		t.Errorf("conversion service %v for strategy None", svc)
	}
	if g, v, svc := kit.APIServiceBackend(items[2]); g != "metrics.example.com" || v != "v1" || svc.String() != "sys/metrics" {
		t.Errorf("APIService backend %s %s %v", g, v, svc)
	}
}

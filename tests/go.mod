module github.com/kfgitops/kfgitops/tests

go 1.26.5

require (
	github.com/kfgitops/kfgitops/kit v0.0.0-00010101000000-000000000000
	sigs.k8s.io/yaml v1.6.0
)

require go.yaml.in/yaml/v2 v2.4.4 // indirect

replace github.com/kfgitops/kfgitops/kit => ../kit

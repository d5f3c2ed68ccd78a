// Command floor is the performance floor of issue #8: a KRM function built
// the usual way on the SDK (fn.AsMain) that changes nothing. Every kfgitops
// function is measured against it.
package main

import (
	"os"

	"github.com/kptdev/krm-functions-sdk/go/fn"
)

func main() {
	noop := fn.ResourceListProcessorFunc(func(*fn.ResourceList) (bool, error) { return true, nil })
	if err := fn.AsMain(noop); err != nil {
		os.Exit(1)
	}
}

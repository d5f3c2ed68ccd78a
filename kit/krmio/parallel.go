package krmio

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// forEachParallel calls work(i) for every i in [0, n) on all cores, handing
// out indexes one at a time (items differ in size by three orders of
// magnitude: a CRD against a ServiceAccount). Each worker gets its own
// state from newState. It stops handing out work after the first error and
// returns that error.
func forEachParallel[S any](n int, newState func() S, work func(state S, i int) error) error {
	var next atomic.Int64
	var firstErr error
	var once sync.Once
	var failed atomic.Bool
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), n) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			state := newState()
			for !failed.Load() {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				if err := work(state, i); err != nil {
					once.Do(func() { firstErr = err })
					failed.Store(true)
					return
				}
			}
		}()
	}
	wg.Wait()
	return firstErr
}

// Package parallel runs independent, indexed pieces of work on a bounded
// number of goroutines. Work is handed out dynamically; callers that need
// deterministic results write each index's result to its own slot.
package parallel

import (
	"runtime"
	"sync"
)

// For calls fn(i) for i in [0, n) on workers goroutines (GOMAXPROCS when
// workers <= 0), handing out indices dynamically, and returns when all calls are done.
func For(n, workers int, fn func(i int)) {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	if workers > n {
		workers = n
	}
	var mu sync.Mutex
	next := 0
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				mu.Lock()
				i := next
				next++
				mu.Unlock()
				if i >= n {
					return
				}
				fn(i)
			}
		}()
	}
	wg.Wait()
}

package kernel

import (
	"runtime"
	"sync/atomic"
	"time"
)

// A crew is a set of persistent worker goroutines that run the pieces of one
// task at a time (a parallel GEMM) together with the goroutine that posts it.
//
// Starting goroutines per product, or waking parked ones, costs tens of
// microseconds, as much as a whole product of a few million multiply-adds.
// So a worker that has finished a piece keeps polling for the next task for
// crewSpin before it parks, and the poster waits for the last piece the same
// way before it blocks. Pieces are claimed from a shared counter, the poster
// first: a worker that starts late (parked, or its core busy with another
// process) finds its piece already taken and done by the poster, so a split
// product is never much slower than the serial one. Idle workers are parked
// (no CPU); the crew holds at most maxWorkers-1 goroutines, started as
// GOMAXPROCS asks for them and never stopped.
type crew struct {
	busy atomic.Bool // held by the poster of the running task
	_    [56]byte
	// state is the posted task's piece count (high 32 bits) and the next
	// piece to claim (low 32 bits).
	state atomic.Uint64
	_     [56]byte
	// pending counts the posted pieces not yet finished.
	pending atomic.Int64
	// waiting is set by the poster before it blocks on done.
	waiting atomic.Bool
	done    chan struct{}
	// task is the posted task; written by the poster before state, read by
	// a worker after it claimed a piece.
	task    crewTask
	workers []*crewWorker // only the poster (holding busy) reads or grows it
}

// crewTask is work cut into pieces: piece(i, w) computes piece i of w.
type crewTask interface {
	piece(i, w int)
}

// crewWorker is one worker goroutine's parking place.
type crewWorker struct {
	sleeping atomic.Bool // set by the worker before it blocks on wake
	wake     chan struct{}
	_        [48]byte
}

// crewSpin is how long an idle worker polls for a task, and the poster for
// its last pieces, before blocking.
const crewSpin = 100 * time.Microsecond

var theCrew = crew{done: make(chan struct{}, 1)}

// acquire takes the crew for one task; false if another goroutine holds it.
func (c *crew) acquire() bool { return !c.busy.Load() && c.busy.CompareAndSwap(false, true) }

// release gives the crew back after run.
func (c *crew) release() { c.busy.Store(false) }

// run computes the w pieces of t on the caller and up to w-1 workers and
// returns when all are done. The caller must hold the crew.
func (c *crew) run(t crewTask, w int) {
	for len(c.workers) < w-1 {
		wk := &crewWorker{wake: make(chan struct{}, 1)}
		c.workers = append(c.workers, wk)
		go c.work(wk)
	}
	c.task = t
	c.pending.Store(int64(w))
	c.state.Store(uint64(w) << 32)
	for _, wk := range c.workers[:w-1] {
		if wk.sleeping.Load() && wk.sleeping.CompareAndSwap(true, false) {
			wk.wake <- struct{}{}
		}
	}
	c.claim()
	if c.pending.Load() != 0 {
		c.wait()
	}
	c.task = nil
}

// claimable reports whether the posted task has pieces nobody has claimed.
func (c *crew) claimable() bool {
	v := c.state.Load()
	return uint32(v) < uint32(v>>32)
}

// claim runs pieces of the posted task until none is left to claim.
func (c *crew) claim() {
	for {
		v := c.state.Load()
		w, i := uint32(v>>32), uint32(v)
		if i >= w {
			return
		}
		if !c.state.CompareAndSwap(v, v+1) {
			continue
		}
		c.task.piece(int(i), int(w))
		if c.pending.Add(-1) == 0 && c.waiting.Load() && c.waiting.CompareAndSwap(true, false) {
			c.done <- struct{}{}
		}
	}
}

// wait returns when every piece of the posted task is finished: it polls
// for crewSpin, then blocks until the worker finishing the last piece wakes
// it.
func (c *crew) wait() {
	if spinUntil(func() bool { return c.pending.Load() == 0 }) {
		return
	}
	c.waiting.Store(true)
	if c.pending.Load() == 0 && c.waiting.CompareAndSwap(true, false) {
		return
	}
	<-c.done
}

// work is a worker goroutine: it claims pieces of posted tasks, polls for
// crewSpin after the last one, then parks until a poster wakes it.
func (c *crew) work(wk *crewWorker) {
	for {
		if !spinUntil(c.claimable) {
			wk.sleeping.Store(true)
			if c.claimable() && wk.sleeping.CompareAndSwap(true, false) {
				// a task was posted meanwhile; its poster saw us awake
			} else {
				<-wk.wake
			}
		}
		c.claim()
	}
}

// spinUntil polls cond for about crewSpin and reports whether it came true;
// it yields the processor now and then, so that polling never keeps other
// goroutines from running.
func spinUntil(cond func() bool) bool {
	var start time.Time
	for i := 1; ; i++ {
		if cond() {
			return true
		}
		if i%64 == 0 {
			if start.IsZero() {
				start = time.Now()
			} else if time.Since(start) > crewSpin {
				return false
			}
			runtime.Gosched()
		}
	}
}

package batch

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// Submitted is the outcome of Submit.
type Submitted struct {
	Jobs      int // jobs in the plan
	Unique    int // distinct keys
	Cached    int // distinct keys with a stored ok result
	Submitted int // distinct keys put on the queue now
	Queued    int // distinct keys already on the queue (an earlier submitter's)
}

// Submit puts every job of the plan without a stored ok result on the queue
// (a failed one's result is removed first, so it runs again), each with the
// given attempts (0: DefaultAttempts).
func (q *Queue) Submit(ctx context.Context, p *Plan, attempts int) (*Submitted, error) {
	if attempts <= 0 {
		attempts = DefaultAttempts
	}
	s := &Submitted{Jobs: len(p.Jobs)}
	seen := map[string]bool{}
	for _, j := range p.Jobs {
		if seen[j.Key] {
			continue
		}
		seen[j.Key] = true
		s.Unique++
		r, err := q.Result(ctx, j.Key)
		switch {
		case err == nil && r.Status == StatusOK:
			s.Cached++
			continue
		case err == nil:
			if err := q.results.Delete(ctx, j.Key); err != nil {
				return s, err
			}
		case !errors.Is(err, jetstream.ErrKeyNotFound):
			return s, err
		}
		b, err := json.Marshal(message{Job: j, Attempts: attempts})
		if err != nil {
			return s, err
		}
		if _, err := q.js.Publish(ctx, subjectPrefix+j.Key, b); err != nil {
			if strings.Contains(err.Error(), "maximum messages per subject") {
				s.Queued++ // queued or running already
				continue
			}
			return s, fmt.Errorf("batch: submitting job %d: %w", j.Index, err)
		}
		s.Submitted++
	}
	return s, nil
}

// Progress is the state of a sweep while it runs.
type Progress struct {
	Unique, Done, Failed, Running, Cached int
	Elapsed                               time.Duration
	ETA                                   time.Duration // -1 when unknown
}

func (p Progress) String() string {
	eta := "?"
	if p.ETA >= 0 {
		eta = p.ETA.Round(time.Second).String()
	}
	return fmt.Sprintf("%d/%d done, %d running, %d failed; %s elapsed, ETA %s",
		p.Done, p.Unique, p.Running, p.Failed, p.Elapsed.Round(100*time.Millisecond), eta)
}

// Wait waits until every job of the plan has a stored result (ok or
// failed) and returns them by key; progress, when not nil, is called about
// every interval with the state of the sweep.
func (q *Queue) Wait(ctx context.Context, p *Plan, interval time.Duration, progress func(Progress)) (map[string]*Result, error) {
	if interval <= 0 {
		interval = time.Second
	}
	pending := map[string]bool{}
	for _, j := range p.Jobs {
		pending[j.Key] = true
	}
	unique := len(pending)
	results := map[string]*Result{}
	start := time.Now()
	cached := -1
	take := func(key string, value []byte) {
		if !pending[key] {
			return
		}
		var r Result
		if json.Unmarshal(value, &r) == nil {
			results[key] = &r
			delete(pending, key)
		}
	}
	// A watcher delivers the stored results, then each new one; a scan of
	// the keys every few seconds catches anything a watcher lost while the
	// server restarted.
	var w jetstream.KeyWatcher
	defer func() {
		if w != nil {
			w.Stop()
		}
	}()
	var updates <-chan jetstream.KeyValueEntry
	scan := time.Now()
	tick := time.NewTicker(min(interval, 250*time.Millisecond))
	defer tick.Stop()
	var lastReport time.Time
	for {
		if w == nil {
			var err error
			if w, err = q.results.WatchAll(ctx); err == nil {
				updates = w.Updates()
			} else {
				w, updates = nil, nil
			}
		}
		if time.Since(scan) > 5*time.Second {
			scan = time.Now()
			if keys, err := q.results.ListKeys(ctx); err == nil {
				for k := range keys.Keys() {
					if pending[k] {
						if e, err := q.results.Get(ctx, k); err == nil {
							take(k, e.Value())
						}
					}
				}
				keys.Stop()
			}
		}
		done := len(pending) == 0
		if progress != nil && (done || time.Since(lastReport) >= interval) && cached >= 0 {
			lastReport = time.Now()
			pr := Progress{Unique: unique, Cached: cached, Elapsed: time.Since(start), ETA: -1}
			for _, r := range results {
				if r.Status == StatusOK {
					pr.Done++
				} else {
					pr.Failed++
				}
			}
			if ci, err := q.cons.Info(ctx); err == nil {
				pr.Running = min(ci.NumAckPending, len(pending))
			}
			if now := pr.Done + pr.Failed - pr.Cached; now > 0 && len(pending) > 0 {
				pr.ETA = time.Duration(float64(pr.Elapsed) / float64(now) * float64(len(pending)))
			} else if len(pending) == 0 {
				pr.ETA = 0
			}
			progress(pr)
		}
		if done {
			return results, nil
		}
		select {
		case <-ctx.Done():
			return results, ctx.Err()
		case e, ok := <-updates:
			switch {
			case !ok:
				w.Stop()
				w = nil
			case e == nil: // the stored results are all in
				if cached < 0 {
					cached = len(results)
				}
			case e.Operation() == jetstream.KeyValuePut:
				take(e.Key(), e.Value())
			}
		case <-tick.C:
		}
	}
}

// SweepOptions configure Sweep.
type SweepOptions struct {
	Queue    QueueOptions
	Out      string // the results folder
	Workers  int    // jobs run in this process at once; -1 none, 0 GOMAXPROCS with an embedded server, none with an external one
	Attempts int    // runs of a failing job; 0 means DefaultAttempts
	Stdout   io.Writer
	Stderr   io.Writer // progress line
	// Interval between progress lines; 0 means one second.
	Interval time.Duration
}

// Sweep runs a plan: it opens the queue (an embedded server by default,
// storing under Out/state), prints the plan, submits the jobs that have no
// result yet, runs workers in this process, waits with a progress line, and
// writes the results table and each job's folder under Out.
func Sweep(ctx context.Context, p *Plan, opts SweepOptions) (*Table, error) {
	if opts.Stdout == nil {
		opts.Stdout = io.Discard
	}
	if opts.Stderr == nil {
		opts.Stderr = io.Discard
	}
	if opts.Queue.URL == "" && opts.Queue.StateDir == "" {
		opts.Queue.StateDir = filepath.Join(opts.Out, "state")
	}
	if err := os.MkdirAll(opts.Out, 0o755); err != nil {
		return nil, err
	}
	if err := WritePlan(filepath.Join(opts.Out, "plan.json"), p); err != nil {
		return nil, err
	}
	q, err := OpenQueue(ctx, opts.Queue)
	if err != nil {
		return nil, err
	}
	defer q.Close()
	sub, err := q.Submit(ctx, p, opts.Attempts)
	if err != nil {
		return nil, err
	}
	workers := opts.Workers
	if workers == 0 {
		if opts.Queue.URL == "" {
			workers = runtime.GOMAXPROCS(0)
		} else {
			workers = -1
		}
	}
	where := "embedded server, store " + opts.Queue.StateDir
	if opts.Queue.URL != "" {
		where = opts.Queue.URL
	}
	fmt.Fprintf(opts.Stdout, "plan: %d %s jobs (%d distinct), %d cached, %d submitted, %d already queued; %s; %s\n",
		sub.Jobs, p.Kind, sub.Unique, sub.Cached, sub.Submitted, sub.Queued, where, workerWords(workers))
	wctx, stop := context.WithCancel(ctx)
	var wg sync.WaitGroup
	if workers > 0 && sub.Cached < sub.Unique {
		wg.Go(func() { q.Work(wctx, WorkerOptions{Jobs: workers}) })
	}
	results, err := q.Wait(ctx, p, opts.Interval, func(pr Progress) {
		fmt.Fprintf(opts.Stderr, "\rbatch: %s   ", pr)
	})
	stop()
	wg.Wait()
	fmt.Fprintln(opts.Stderr)
	if err != nil {
		return nil, err
	}
	t, err := q.collect(ctx, p, results, opts.Out)
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(opts.Stdout, "results: %d ok, %d failed; %s, %s\n", t.OK, t.Failed,
		filepath.Join(opts.Out, "results.csv"), filepath.Join(opts.Out, "results.json"))
	return t, nil
}

func workerWords(n int) string {
	if n < 0 {
		return "no workers in this process"
	}
	return fmt.Sprintf("%d jobs at once in this process", n)
}

// WritePlan writes a plan as JSON (Collect reads it back), through a
// temporary file renamed into place.
func WritePlan(path string, p *Plan) error {
	b, err := json.MarshalIndent(p, "", " ")
	if err != nil {
		return err
	}
	return writeFileAtomic(path, append(b, '\n'))
}

// ReadPlan reads a plan WritePlan wrote.
func ReadPlan(path string) (*Plan, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var p Plan
	if err := json.Unmarshal(b, &p); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &p, nil
}

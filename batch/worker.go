package batch

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"sync"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// DefaultAttempts is how many times a failing job is run before it is
// reported failed.
const DefaultAttempts = 3

// Result is what the results bucket holds under a job's key.
type Result struct {
	Key      string          `json:"key"`
	Kind     string          `json:"kind"`
	Version  string          `json:"version"`
	Settings json.RawMessage `json:"settings"`
	Status   string          `json:"status"` // StatusOK or StatusFailed
	Error    string          `json:"error,omitempty"`
	Figures  Figures         `json:"figures,omitempty"`
	Files    []string        `json:"files,omitempty"` // in the files store as KEY/PATH
	Attempts int             `json:"attempts"`        // deliveries of the job until this result
	Seconds  float64         `json:"seconds"`         // wall time of the last attempt
	Worker   string          `json:"worker"`
	Finished time.Time       `json:"finished"`
}

// Result statuses.
const (
	StatusOK     = "ok"
	StatusFailed = "failed"
)

// message is a job on the queue.
type message struct {
	Job
	Attempts int `json:"attempts"` // runs before the job is reported failed
}

// WorkerOptions configure Work.
type WorkerOptions struct {
	// Jobs is the number of jobs run at once; 0 means GOMAXPROCS.
	Jobs int
	// Name identifies the worker in results; empty means host:pid.
	Name string
	// Idle, when positive, makes Work return after that long without a job.
	Idle time.Duration
	// Log, when not nil, receives one line as each job starts and ends.
	Log io.Writer
}

// Work pulls jobs from the queue and runs them until ctx is done (or
// opts.Idle passes without a job). Each job is acknowledged only after its
// result and files are stored; while it runs the worker reports it in
// progress every third of the ack wait, so that the server redelivers it
// only if the worker dies. A job that fails is retried (on any worker) up to
// its attempts, then stored as failed with its error; a job delivered more
// often than that (its workers died) is stored as failed too.
func (q *Queue) Work(ctx context.Context, opts WorkerOptions) error {
	n := opts.Jobs
	if n <= 0 {
		n = runtime.GOMAXPROCS(0)
	}
	name := opts.Name
	if name == "" {
		host, _ := os.Hostname()
		name = fmt.Sprintf("%s:%d", host, os.Getpid())
	}
	var logMu sync.Mutex
	logf := func(format string, a ...any) {
		if opts.Log != nil {
			logMu.Lock()
			fmt.Fprintf(opts.Log, format+"\n", a...)
			logMu.Unlock()
		}
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var lastMu sync.Mutex
	last := time.Now()
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			for ctx.Err() == nil {
				msg, err := q.cons.Next(jetstream.FetchMaxWait(time.Second))
				if err != nil {
					if opts.Idle > 0 {
						lastMu.Lock()
						idle := time.Since(last) > opts.Idle
						lastMu.Unlock()
						if idle {
							cancel()
						}
					}
					if !errors.Is(err, jetstream.ErrNoMessages) && !errors.Is(err, context.DeadlineExceeded) {
						select { // the server may be restarting: retry
						case <-ctx.Done():
						case <-time.After(200 * time.Millisecond):
						}
					}
					continue
				}
				q.handle(ctx, msg, name, logf)
				lastMu.Lock()
				last = time.Now()
				lastMu.Unlock()
			}
		})
	}
	wg.Wait()
	return nil
}

func (q *Queue) handle(ctx context.Context, msg jetstream.Msg, worker string, logf func(string, ...any)) {
	var m message
	if err := json.Unmarshal(msg.Data(), &m); err != nil || m.Key == "" {
		logf("dropping a malformed job message on %s: %v", msg.Subject(), err)
		msg.Term()
		return
	}
	attempt := 1
	if meta, err := msg.Metadata(); err == nil {
		attempt = int(meta.NumDelivered)
	}
	if m.Attempts <= 0 {
		m.Attempts = DefaultAttempts
	}
	if r, err := q.Result(ctx, m.Key); err == nil && r.Status == StatusOK {
		msg.Ack() // done already: an acknowledgement was lost
		return
	}
	res := &Result{Key: m.Key, Kind: m.Kind, Version: m.Version, Settings: m.Settings, Attempts: attempt, Worker: worker}
	if attempt > m.Attempts {
		res.Status = StatusFailed
		res.Error = fmt.Sprintf("delivered %d times without a result: its workers died or lost the server", attempt-1)
		if q.putResult(ctx, res) == nil {
			msg.Ack()
		}
		logf("failed %s: %s", m.Key, res.Error)
		return
	}
	logf("start %s (%s, attempt %d)", m.Key, m.Kind, attempt)
	hbCtx, stopHB := context.WithCancel(ctx)
	go func() {
		t := time.NewTicker(max(q.ackWait/3, 10*time.Millisecond))
		defer t.Stop()
		for {
			select {
			case <-hbCtx.Done():
				return
			case <-t.C:
				msg.InProgress()
			}
		}
	}()
	start := time.Now()
	dir, err := os.MkdirTemp("", "neurograd-batch-"+m.Key[:8]+"-")
	var figs Figures
	if err == nil {
		defer os.RemoveAll(dir)
		figs, err = runJob(ctx, &m.Job, dir, attempt)
	}
	res.Seconds = time.Since(start).Seconds()
	if err == nil {
		res.Files, err = q.putFiles(ctx, m.Key, dir)
	}
	stopHB()
	if ctx.Err() != nil { // shutting down: let another worker have it
		msg.Nak()
		return
	}
	if err != nil {
		if attempt < m.Attempts {
			logf("error %s (attempt %d of %d): %v", m.Key, attempt, m.Attempts, err)
			msg.NakWithDelay(time.Duration(attempt) * 100 * time.Millisecond)
			return
		}
		res.Status, res.Error, res.Files = StatusFailed, err.Error(), nil
	} else {
		res.Status, res.Figures = StatusOK, figs
	}
	if err := q.putResult(ctx, res); err != nil {
		logf("error %s: storing the result: %v", m.Key, err)
		msg.Nak()
		return
	}
	if err := msg.DoubleAck(ctx); err != nil {
		logf("error %s: acknowledging: %v", m.Key, err)
	}
	logf("%s %s in %.3f s", map[bool]string{true: "done", false: "failed"}[res.Status == StatusOK], m.Key, res.Seconds)
}

// runJob decodes and runs one job in dir, turning a panic into an error.
func runJob(ctx context.Context, j *Job, dir string, attempt int) (f Figures, err error) {
	k, err := LookupKind(j.Kind)
	if err != nil {
		return nil, err
	}
	st := k.NewSettings()
	if err := json.Unmarshal(j.Settings, st); err != nil {
		return nil, fmt.Errorf("decoding the settings: %w", err)
	}
	if err := k.Check(st); err != nil {
		return nil, err
	}
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panic: %v\n%s", p, debug.Stack())
		}
	}()
	return k.Run(ctx, st, &Env{Dir: dir, Attempt: attempt, Inputs: j.Inputs})
}

// putFiles stores the files under dir as KEY/PATH and returns their paths.
func (q *Queue) putFiles(ctx context.Context, key, dir string) ([]string, error) {
	var names []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		rel = filepath.ToSlash(rel)
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if _, err := q.files.PutBytes(ctx, key+"/"+rel, b); err != nil {
			return fmt.Errorf("storing %s: %w", rel, err)
		}
		names = append(names, rel)
		return nil
	})
	return names, err
}

func (q *Queue) putResult(ctx context.Context, r *Result) error {
	r.Finished = time.Now().UTC()
	b, err := json.Marshal(r)
	if err != nil {
		return err
	}
	_, err = q.results.Put(ctx, r.Key, b)
	return err
}

// Result returns the stored result of a job key (jetstream.ErrKeyNotFound
// when there is none).
func (q *Queue) Result(ctx context.Context, key string) (*Result, error) {
	e, err := q.results.Get(ctx, key)
	if err != nil {
		return nil, err
	}
	var r Result
	if err := json.Unmarshal(e.Value(), &r); err != nil {
		return nil, fmt.Errorf("batch: result %s: %w", key, err)
	}
	return &r, nil
}

// ResultPuts returns how many times a key's result was stored (the bucket
// keeps the last 8).
func (q *Queue) ResultPuts(ctx context.Context, key string) (int, error) {
	h, err := q.results.History(ctx, key)
	return len(h), err
}

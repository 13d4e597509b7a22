package batch

import (
	"context"
	"fmt"
	"net"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

func openTest(t *testing.T, opts QueueOptions) *Queue {
	t.Helper()
	if opts.StateDir == "" && opts.URL == "" {
		opts.StateDir = t.TempDir()
	}
	q, err := OpenQueue(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(q.Close)
	return q
}

// work runs in-process workers until the returned stop is called.
func work(q *Queue, jobs int) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() { q.Work(ctx, WorkerOptions{Jobs: jobs}) })
	return func() { cancel(); wg.Wait() }
}

func waitAll(t *testing.T, q *Queue, p *Plan) map[string]*Result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	res, err := q.Wait(ctx, p, time.Second, nil)
	if err != nil {
		t.Fatalf("wait: %v (%d of %d results)", err, len(res), len(p.Jobs))
	}
	return res
}

func checkOncePerKey(t *testing.T, q *Queue, p *Plan) {
	t.Helper()
	for _, j := range p.Jobs {
		n, err := q.ResultPuts(context.Background(), j.Key)
		if err != nil || n != 1 {
			t.Errorf("job %d: result stored %d times (%v), want once", j.Index, n, err)
		}
	}
}

// A job running much longer than the ack wait is kept by its heartbeats:
// delivered once, stored once.
func TestHeartbeatsKeepLongJobs(t *testing.T) {
	q := openTest(t, QueueOptions{AckWait: 200 * time.Millisecond})
	p := mustPlan(t, `{"kind": "sleep", "grid": {"ms": [1200], "value": [1, 2]}}`)
	if _, err := q.Submit(context.Background(), p, 1); err != nil {
		t.Fatal(err)
	}
	stop := work(q, 2)
	res := waitAll(t, q, p)
	stop()
	for _, j := range p.Jobs {
		if r := res[j.Key]; r.Status != StatusOK || r.Attempts != 1 {
			t.Errorf("job %d: status %s after %d deliveries, want ok after 1", j.Index, r.Status, r.Attempts)
		}
	}
	checkOncePerKey(t, q, p)
}

// A job taken by a worker that dies (never acknowledges) is delivered again
// after the ack wait; one delivered more often than its attempts is stored
// as failed; submitting a job already on the queue does not queue it twice.
func TestLostJobsAreRedeliveredAndBounded(t *testing.T) {
	q := openTest(t, QueueOptions{AckWait: 300 * time.Millisecond})
	ctx := context.Background()
	p1 := mustPlan(t, `{"kind": "sleep", "grid": {"value": [1, 2, 3]}}`)
	sub, err := q.Submit(ctx, p1, 2)
	if err != nil || sub.Submitted != 3 {
		t.Fatalf("submit: %+v, %v", sub, err)
	}
	if sub, err = q.Submit(ctx, p1, 2); err != nil || sub.Queued != 3 || sub.Submitted != 0 {
		t.Fatalf("resubmit: %+v, %v; want 3 already queued", sub, err)
	}
	if n := streamMsgs(t, q); n != 3 {
		t.Fatalf("%d messages on the queue, want 3", n)
	}
	// The dying worker takes everything and never answers.
	b, err := q.cons.Fetch(3, jetstream.FetchMaxWait(2*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for range b.Messages() {
		n++
	}
	if n != 3 {
		t.Fatalf("fetched %d, want 3", n)
	}
	stop := work(q, 2)
	res := waitAll(t, q, p1)
	for _, j := range p1.Jobs {
		if r := res[j.Key]; r.Status != StatusOK || r.Attempts != 2 {
			t.Errorf("job %d: %s after %d deliveries, want ok after 2", j.Index, r.Status, r.Attempts)
		}
	}
	stop()
	// Attempts 1: the second delivery gives up.
	p2 := mustPlan(t, `{"kind": "sleep", "grid": {"value": [4]}}`)
	if _, err := q.Submit(ctx, p2, 1); err != nil {
		t.Fatal(err)
	}
	if b, err = q.cons.Fetch(1, jetstream.FetchMaxWait(2*time.Second)); err != nil {
		t.Fatal(err)
	}
	for range b.Messages() {
	}
	stop = work(q, 1)
	r := waitAll(t, q, p2)[p2.Jobs[0].Key]
	stop()
	if r.Status != StatusFailed || !strings.Contains(r.Error, "delivered 1 times without a result") {
		t.Errorf("lost job: %s %q, want failed after one lost delivery", r.Status, r.Error)
	}
	if n := streamMsgs(t, q); n != 0 {
		t.Errorf("%d messages left on the queue, want 0", n)
	}
}

func streamMsgs(t *testing.T, q *Queue) uint64 {
	info, err := q.stream.Info(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return info.State.Msgs
}

// The server stops mid-sweep and starts again from its store: workers and
// submitter reconnect and every job's result is stored exactly once.
func TestServerRestartMidSweep(t *testing.T) {
	dir := t.TempDir()
	ns, err := StartServer(dir, "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ns.Addr().(*net.TCPAddr)
	url := fmt.Sprintf("nats://127.0.0.1:%d", addr.Port)
	defer func() { ns.Shutdown() }()
	sub := openTest(t, QueueOptions{URL: url, AckWait: time.Second})
	wq, err := ConnectQueue(context.Background(), QueueOptions{URL: url})
	if err != nil {
		t.Fatal(err)
	}
	defer wq.Close()
	p := mustPlan(t, `{"kind": "sleep", "settings": {"ms": 100}, "grid": {"value": [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]}}`)
	if _, err := sub.Submit(context.Background(), p, 0); err != nil {
		t.Fatal(err)
	}
	stop := work(wq, 2)
	defer stop()
	var res map[string]*Result
	var werr error
	done := make(chan struct{})
	go func() {
		defer close(done)
		ctx, cancel := context.WithTimeout(context.Background(), 40*time.Second)
		defer cancel()
		res, werr = sub.Wait(ctx, p, time.Second, nil)
	}()
	// Stop the server once a few results are in.
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		keys, _ := sub.results.Keys(context.Background())
		if len(keys) >= 3 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no results before the restart")
		}
	}
	ns.Shutdown()
	ns.WaitForShutdown()
	time.Sleep(300 * time.Millisecond)
	if ns, err = StartServer(dir, addr.String()); err != nil {
		t.Fatal(err)
	}
	<-done
	if werr != nil {
		t.Fatalf("wait: %v (%d of %d)", werr, len(res), len(p.Jobs))
	}
	for _, j := range p.Jobs {
		if r := res[j.Key]; r == nil || r.Status != StatusOK {
			t.Errorf("job %d: %+v", j.Index, r)
		}
	}
	checkOncePerKey(t, sub, p)
}

// TestLoad runs many tiny jobs through the embedded server with two
// in-process workers and reports throughput and the queue's overhead per
// job (the job itself does nothing).
func TestLoad(t *testing.T) {
	n := 1000
	if testing.Short() {
		n = 200
	}
	vals := make([]string, n)
	for i := range vals {
		vals[i] = fmt.Sprint(i)
	}
	p := mustPlan(t, `{"kind": "sleep", "grid": {"value": [`+strings.Join(vals, ",")+`]}}`)
	q := openTest(t, QueueOptions{StateDir: filepath.Join(t.TempDir(), "state")})
	ctx := context.Background()
	t0 := time.Now()
	if _, err := q.Submit(ctx, p, 0); err != nil {
		t.Fatal(err)
	}
	t1 := time.Now()
	const workers = 2
	stop := work(q, workers)
	res := waitAll(t, q, p)
	t2 := time.Now()
	stop()
	if len(res) != n {
		t.Fatalf("%d results, want %d", len(res), n)
	}
	run := t2.Sub(t1).Seconds()
	t.Logf("%d tiny jobs, %d workers: submit %.2f s (%.0f jobs/s), run %.2f s: %.0f jobs/s, queue overhead %.2f ms per job per worker",
		n, workers, t1.Sub(t0).Seconds(), float64(n)/t1.Sub(t0).Seconds(), run, float64(n)/run, 1000*run*workers/float64(n))
}

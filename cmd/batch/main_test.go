package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/neurograd/neurograd/batch"
)

// buildBinary builds cmd/batch into a temporary folder.
func buildBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "batch")
	cmd := exec.Command("go", "build", "-o", bin, ".")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

func TestBadSpecExitsBeforeSubmitting(t *testing.T) {
	dir := t.TempDir()
	spec := filepath.Join(dir, "s.json")
	os.WriteFile(spec, []byte(`{"kind": "optimize", "grid": {"seed": [1, 2], "epoch": [2]}}`), 0o644)
	var out, errb bytes.Buffer
	err := run(context.Background(), []string{"-spec", spec, "-out", filepath.Join(dir, "out")}, &out, &errb)
	var ie inputError
	if err == nil || !errors.As(err, &ie) || !strings.Contains(err.Error(), "$.grid.epoch") {
		t.Fatalf("got %v, want an input error naming $.grid.epoch", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "out")); err == nil {
		t.Error("a bad spec created the output folder")
	}
}

// Two worker processes pull jobs from a server on 127.0.0.1; one is killed
// with SIGKILL in the middle of a job. Every job's result must be stored
// exactly once and the table must equal the one an embedded sweep makes.
func TestTwoWorkerProcessesOneKilled(t *testing.T) {
	bin := buildBinary(t)
	dir := t.TempDir()
	ns, err := batch.StartServer(filepath.Join(dir, "state"), "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ns.Shutdown()
	url := fmt.Sprintf("nats://127.0.0.1:%d", ns.Addr().(*net.TCPAddr).Port)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()

	specText := `{"kind": "sleep", "settings": {"ms": 300}, "grid": {"value": [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]}}`
	s, err := batch.ParseSpec([]byte(specText))
	if err != nil {
		t.Fatal(err)
	}
	p, err := s.Plan("test")
	if err != nil {
		t.Fatal(err)
	}
	q, err := batch.OpenQueue(ctx, batch.QueueOptions{URL: url, AckWait: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer q.Close()
	if _, err := q.Submit(ctx, p, 0); err != nil {
		t.Fatal(err)
	}

	start := func(name string) (*exec.Cmd, io.Reader) {
		cmd := exec.CommandContext(ctx, bin, "worker", "-queue", url, "-jobs", "1", "-name", name)
		pr, pw := io.Pipe()
		cmd.Stderr = pw
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		go func() { cmd.Wait(); pw.Close() }()
		return cmd, pr
	}
	victim, vout := start("victim")
	survivor, sout := start("survivor")
	defer func() { survivor.Process.Kill() }()
	go io.Copy(io.Discard, sout)
	// Kill the victim 100 ms into its first job.
	killed := ""
	sc := bufio.NewScanner(vout)
	for sc.Scan() {
		if f := strings.Fields(sc.Text()); len(f) > 1 && f[0] == "start" {
			killed = f[1]
			time.Sleep(100 * time.Millisecond)
			victim.Process.Signal(syscall.SIGKILL)
			break
		}
	}
	go io.Copy(io.Discard, vout)
	if killed == "" {
		t.Fatal("the victim never started a job")
	}
	res, err := q.Wait(ctx, p, time.Second, nil)
	if err != nil {
		t.Fatalf("wait: %v (%d of %d results)", err, len(res), len(p.Jobs))
	}
	for _, j := range p.Jobs {
		r := res[j.Key]
		if r.Status != batch.StatusOK {
			t.Errorf("job %d: %s %s", j.Index, r.Status, r.Error)
		}
		if n, err := q.ResultPuts(ctx, j.Key); err != nil || n != 1 {
			t.Errorf("job %d: result stored %d times (%v), want once", j.Index, n, err)
		}
		if j.Key == killed && (r.Attempts != 2 || r.Worker != "survivor") {
			t.Errorf("the killed job: %d deliveries, worker %s; want 2, survivor", r.Attempts, r.Worker)
		}
	}
	tab, err := q.Collect(ctx, p, filepath.Join(dir, "queue"))
	if err != nil {
		t.Fatal(err)
	}
	// The same sweep in one process, embedded.
	ref, err := batch.Sweep(ctx, p, batch.SweepOptions{Out: filepath.Join(dir, "embedded")})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(tab.CSV(), ref.CSV()) {
		t.Errorf("two killed-and-surviving worker processes and one embedded sweep give different tables:\n%s\n%s", tab.CSV(), ref.CSV())
	}
	if tab.OK != len(p.Jobs) || len(tab.Rows) != len(p.Jobs) {
		t.Errorf("table: %d ok of %d rows, want %d", tab.OK, len(tab.Rows), len(p.Jobs))
	}
}

// Command batch runs sweeps of neurograd jobs (optimizations, network
// simulations) on NATS JetStream: embedded in this process by default, or on
// a NATS server that workers on any number of machines pull jobs from.
//
// Usage:
//
//	batch -spec sweep.json -out sweeps/NAME [-state DIR] [-queue nats://HOST:4222] [-workers N] [-attempts 3] [-ack-wait 30s]
//	batch worker -queue nats://HOST:4222 [-jobs N] [-idle 0] [-name NAME]
//	batch collect -out sweeps/NAME [-spec sweep.json] [-state DIR | -queue nats://...]
//	batch server -listen 127.0.0.1:4222 -state DIR
//	batch kinds
//
// A sweep prints its plan (N jobs, M cached) on stdout, a progress line
// (done / running / failed, ETA) on stderr, and writes results.csv,
// results.json, plan.json and jobs/NNNN_KEY/ (each job's files) under -out.
// Bad input exits with status 2, other failures with status 1.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"reflect"
	"syscall"

	"github.com/neurograd/neurograd/batch"
	"github.com/neurograd/neurograd/cmd/internal/cli"
)

// inputError marks a failure caused by the user's input (exit status 2).
type inputError = cli.InputError

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := runMain(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// runMain runs the command and returns its exit status: 0, 1 for a runtime
// failure, 2 for bad input (the error is printed on stderr).
func runMain(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return cli.ExitCode("batch", run(ctx, args, stdout, stderr), stderr)
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) > 0 {
		switch args[0] {
		case "worker":
			return runWorker(ctx, args[1:], stderr)
		case "collect":
			return runCollect(ctx, args[1:], stdout, stderr)
		case "server":
			return runServer(ctx, args[1:], stdout, stderr)
		case "kinds":
			return runKinds(stdout)
		}
	}
	return runSweep(ctx, args, stdout, stderr)
}

func parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return cli.Input(err)
	}
	if fs.NArg() > 0 {
		return cli.Input(fmt.Errorf("unexpected arguments %q", fs.Args()))
	}
	return nil
}

func runSweep(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("batch", flag.ContinueOnError)
	fs.SetOutput(stderr)
	spec := fs.String("spec", "", "sweep spec (JSON): kind, settings, grid and/or jobs (see docs/batch.md)")
	out := fs.String("out", "", "results folder: results.csv, results.json, plan.json, jobs/")
	state := fs.String("state", "", "embedded server's JetStream store (default OUT/state); keeps the results, so reruns do only new jobs")
	queue := fs.String("queue", "", "NATS server to submit to (nats://HOST:4222) instead of the embedded one; workers: batch worker -queue URL")
	workers := fs.Int("workers", 0, "jobs run at once in this process (0: GOMAXPROCS with the embedded server, none with -queue; -1: none)")
	attempts := fs.Int("attempts", batch.DefaultAttempts, "runs of a failing job before it is reported failed")
	ackWait := fs.Duration("ack-wait", batch.DefaultAckWait, "redeliver a job whose worker went silent for this long (workers report progress every third of it)")
	dry := fs.Bool("n", false, "print the plan and exit without submitting")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: batch -spec sweep.json -out DIR [flags]\n       batch worker|collect|server|kinds [flags]\n\nRuns a sweep of jobs on NATS JetStream (embedded by default). -out is checked writable before any\njob runs; it is never replaced (a rerun or an enlarged grid runs only the new jobs).\n\nflags:")
		fs.PrintDefaults()
	}
	if err := parse(fs, args); err != nil {
		return err
	}
	if *spec == "" || *out == "" {
		return cli.Input(errors.New("-spec FILE and -out DIR are required"))
	}
	if *attempts < 1 || *ackWait <= 0 || *workers < -1 {
		return cli.Input(errors.New("-attempts must be >= 1, -ack-wait positive, -workers >= -1"))
	}
	s, err := batch.LoadSpec(*spec)
	if err != nil {
		return cli.Input(err)
	}
	p, err := s.Plan(batch.CodeVersion())
	if err != nil {
		return cli.Input(fmt.Errorf("%s: %w", *spec, err))
	}
	if *dry {
		fmt.Fprintf(stdout, "plan: %d %s jobs (%d distinct), code version %s\n", len(p.Jobs), p.Kind, p.Unique(), p.Version)
		return nil
	}
	if err := cli.CheckWritable("out", *out); err != nil {
		return cli.Input(err)
	}
	tab, err := batch.Sweep(ctx, p, batch.SweepOptions{
		Queue: batch.QueueOptions{URL: *queue, StateDir: *state, AckWait: *ackWait},
		Out:   *out, Workers: *workers, Attempts: *attempts, Stdout: stdout, Stderr: stderr,
	})
	if err != nil {
		return err
	}
	if tab.Failed > 0 {
		for _, r := range tab.Rows {
			if r.Status == batch.StatusFailed {
				fmt.Fprintf(stderr, "job %d failed: %s\n", r.Index, r.Error)
			}
		}
	}
	return nil
}

func runWorker(ctx context.Context, args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet("batch worker", flag.ContinueOnError)
	fs.SetOutput(stderr)
	queue := fs.String("queue", "", "NATS server with the sweep's queue (nats://HOST:4222)")
	jobs := fs.Int("jobs", 0, "jobs run at once (0: GOMAXPROCS)")
	idle := fs.Duration("idle", 0, "exit after this long without a job (0: run until stopped)")
	wait := fs.Duration("wait", 0, "give up when no sweep has created the queue within this long (0: wait forever)")
	name := fs.String("name", "", "worker name in the results (default HOST:PID)")
	quiet := fs.Bool("quiet", false, "no line per job on stderr")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *queue == "" {
		return cli.Input(errors.New("-queue nats://HOST:PORT is required"))
	}
	q, err := batch.ConnectQueue(ctx, batch.QueueOptions{URL: *queue, MaxWait: *wait})
	if err != nil {
		return err
	}
	defer q.Close()
	opts := batch.WorkerOptions{Jobs: *jobs, Idle: *idle, Name: *name}
	if !*quiet {
		opts.Log = stderr
	}
	fmt.Fprintf(stderr, "worker: pulling jobs from %s, code version %s\n", *queue, batch.CodeVersion())
	return q.Work(ctx, opts)
}

func runCollect(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("batch collect", flag.ContinueOnError)
	fs.SetOutput(stderr)
	out := fs.String("out", "", "results folder of the sweep (its plan.json names the jobs)")
	spec := fs.String("spec", "", "spec to collect instead of OUT/plan.json")
	state := fs.String("state", "", "embedded store (default OUT/state)")
	queue := fs.String("queue", "", "NATS server holding the results instead of the embedded store")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *out == "" {
		return cli.Input(errors.New("-out DIR is required"))
	}
	var p *batch.Plan
	var err error
	if *spec != "" {
		s, err := batch.LoadSpec(*spec)
		if err != nil {
			return cli.Input(err)
		}
		if p, err = s.Plan(batch.CodeVersion()); err != nil {
			return cli.Input(err)
		}
	} else if p, err = batch.ReadPlan(filepath.Join(*out, "plan.json")); err != nil {
		return cli.Input(err)
	}
	if *queue == "" && *state == "" {
		*state = filepath.Join(*out, "state")
		if _, err := os.Stat(*state); err != nil {
			return cli.Input(fmt.Errorf("no store %s: give -state DIR or -queue URL", *state))
		}
	}
	q, err := batch.OpenQueue(ctx, batch.QueueOptions{URL: *queue, StateDir: *state})
	if err != nil {
		return err
	}
	defer q.Close()
	if err := os.MkdirAll(*out, 0o755); err != nil {
		return err
	}
	tab, err := q.Collect(ctx, p, *out)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "results: %d ok, %d failed, %d missing; %s\n", tab.OK, tab.Failed, tab.Missing, filepath.Join(*out, "results.csv"))
	return nil
}

func runServer(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("batch server", flag.ContinueOnError)
	fs.SetOutput(stderr)
	listen := fs.String("listen", "127.0.0.1:4222", "address to accept NATS clients on (port 0: any)")
	state := fs.String("state", "", "JetStream store (created)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *state == "" {
		return cli.Input(errors.New("-state DIR is required"))
	}
	ns, err := batch.StartServer(*state, *listen)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "NATS server with JetStream at %s, store %s (stop with Ctrl-C)\n", ns.ClientURL(), *state)
	<-ctx.Done()
	ns.Shutdown()
	ns.WaitForShutdown()
	return nil
}

func runKinds(stdout io.Writer) error {
	for _, name := range batch.Kinds() {
		k, _ := batch.LookupKind(name)
		fmt.Fprintf(stdout, "%s: %s\n", name, k.Doc())
		def := reflect.ValueOf(k.NewSettings()).Elem()
		b, _ := json.Marshal(def.Interface())
		var m map[string]json.RawMessage
		json.Unmarshal(b, &m)
		for _, s := range batch.SettingNames(k) {
			fmt.Fprintf(stdout, "  %-16s default %s\n", s, m[s])
		}
	}
	return nil
}

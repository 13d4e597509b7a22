package batch

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"strconv"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// Names of the JetStream resources a sweep uses.
const (
	StreamName    = "NEUROGRAD_BATCH"         // the work queue
	ConsumerName  = "workers"                 // its one durable pull consumer, shared by all workers
	ResultsBucket = "NEUROGRAD_BATCH_RESULTS" // key-value bucket: job key -> Result JSON
	FilesBucket   = "NEUROGRAD_BATCH_FILES"   // object store: "KEY/PATH" -> a job's file
	subjectPrefix = "neurograd.batch.job."    // a job's message goes to subjectPrefix + key
)

// DefaultAckWait is the consumer's ack wait: a delivered job not acknowledged
// (nor reported in progress) within it is delivered again. Workers report
// progress every third of it, so jobs may run for any length of time.
const DefaultAckWait = 30 * time.Second

// QueueOptions say which NATS server to use.
type QueueOptions struct {
	// URL of a NATS server with JetStream ("nats://host:4222"); empty means
	// an embedded server in this process.
	URL string
	// StateDir is the embedded server's JetStream store (created); results
	// kept there make reruns and resumed sweeps skip finished jobs.
	StateDir string
	// Listen, for an embedded server, is "host:port" to also accept network
	// clients on (port 0: any free one); empty means no listener at all
	// (in-process connections only).
	Listen string
	// AckWait is set on the consumer when this side creates or updates it
	// (submitters); 0 means DefaultAckWait. Workers use whatever is set.
	AckWait time.Duration
	// MaxWait bounds how long workers wait for a submitter to create the
	// queue; 0 means forever.
	MaxWait time.Duration
}

// Queue is a connection to the sweep's JetStream resources.
type Queue struct {
	Server  *server.Server // the embedded server, nil for an external one
	nc      *nats.Conn
	js      jetstream.JetStream
	stream  jetstream.Stream
	cons    jetstream.Consumer
	results jetstream.KeyValue
	files   jetstream.ObjectStore
	ackWait time.Duration
	owned   bool
}

// StartServer starts an embedded JetStream server storing in dir; listen is
// "" (no network listener) or "host:port".
func StartServer(dir, listen string) (*server.Server, error) {
	if dir == "" {
		return nil, errors.New("batch: the embedded server needs a state directory")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	opts := &server.Options{
		ServerName: "neurograd-batch", JetStream: true, StoreDir: dir,
		NoSigs: true, NoLog: true, DontListen: listen == "",
	}
	if listen != "" {
		host, port, err := net.SplitHostPort(listen)
		if err != nil {
			return nil, fmt.Errorf("batch: listen address %q: %w", listen, err)
		}
		opts.Host = host
		if opts.Port, err = strconv.Atoi(port); err != nil {
			return nil, fmt.Errorf("batch: listen address %q: bad port", listen)
		}
		if opts.Port == 0 {
			opts.Port = server.RANDOM_PORT
		}
	}
	ns, err := server.NewServer(opts)
	if err != nil {
		return nil, fmt.Errorf("batch: embedded NATS server: %w", err)
	}
	ns.Start()
	if !ns.ReadyForConnections(30 * time.Second) {
		ns.Shutdown()
		return nil, errors.New("batch: embedded NATS server did not start within 30 s")
	}
	return ns, nil
}

// OpenQueue connects to the server (starting the embedded one when opts.URL
// is empty) and creates or updates the stream, consumer, bucket and object
// store.
func OpenQueue(ctx context.Context, opts QueueOptions) (*Queue, error) {
	q, err := connect(opts)
	if err != nil {
		return nil, err
	}
	if err := q.setup(ctx, opts); err != nil {
		q.Close()
		return nil, err
	}
	return q, nil
}

// ConnectQueue connects a worker: it waits until a submitter has created
// the queue (at most opts.MaxWait when positive) and changes nothing.
func ConnectQueue(ctx context.Context, opts QueueOptions) (*Queue, error) {
	q, err := connect(opts)
	if err != nil {
		return nil, err
	}
	var deadline time.Time
	if opts.MaxWait > 0 {
		deadline = time.Now().Add(opts.MaxWait)
	}
	for {
		err = q.bind(ctx)
		if err == nil {
			return q, nil
		}
		if ctx.Err() != nil || (!deadline.IsZero() && time.Now().After(deadline)) {
			q.Close()
			return nil, fmt.Errorf("batch: no queue on the server yet (start a sweep with -queue): %w", err)
		}
		select {
		case <-ctx.Done():
		case <-time.After(500 * time.Millisecond):
		}
	}
}

func connect(opts QueueOptions) (*Queue, error) {
	q := &Queue{}
	copts := []nats.Option{nats.Name("neurograd-batch"), nats.MaxReconnects(-1), nats.ReconnectWait(200 * time.Millisecond)}
	url := opts.URL
	if url == "" {
		ns, err := StartServer(opts.StateDir, opts.Listen)
		if err != nil {
			return nil, err
		}
		q.Server, q.owned = ns, true
		url = ns.ClientURL()
		if opts.Listen == "" {
			copts = append(copts, nats.InProcessServer(ns))
		}
	}
	nc, err := nats.Connect(url, copts...)
	if err != nil {
		if q.Server != nil {
			q.Server.Shutdown()
		}
		return nil, fmt.Errorf("batch: connecting to %s: %w", url, err)
	}
	q.nc = nc
	if q.js, err = jetstream.New(nc); err != nil {
		q.Close()
		return nil, err
	}
	return q, nil
}

func (q *Queue) setup(ctx context.Context, opts QueueOptions) error {
	q.ackWait = opts.AckWait
	if q.ackWait <= 0 {
		q.ackWait = DefaultAckWait
	}
	var err error
	q.stream, err = q.js.CreateOrUpdateStream(ctx, jetstream.StreamConfig{
		Name: StreamName, Subjects: []string{subjectPrefix + "*"},
		Retention: jetstream.WorkQueuePolicy, Storage: jetstream.FileStorage,
		// One message per job key: submitting a job that is already queued
		// (or running) is refused rather than queued twice.
		MaxMsgsPerSubject: 1, Discard: jetstream.DiscardNew, DiscardNewPerSubject: true,
	})
	if err != nil {
		return fmt.Errorf("batch: creating the work queue: %w", err)
	}
	q.cons, err = q.stream.CreateOrUpdateConsumer(ctx, jetstream.ConsumerConfig{
		Durable: ConsumerName, AckPolicy: jetstream.AckExplicitPolicy, AckWait: q.ackWait,
		// Redelivery is bounded by the workers (Job attempts), who record
		// the failure; the server only keeps redelivering.
		MaxDeliver: -1, MaxAckPending: -1,
	})
	if err != nil {
		return fmt.Errorf("batch: creating the consumer: %w", err)
	}
	if q.results, err = q.js.CreateOrUpdateKeyValue(ctx, jetstream.KeyValueConfig{
		Bucket: ResultsBucket, History: 8, Storage: jetstream.FileStorage,
	}); err != nil {
		return fmt.Errorf("batch: creating the results bucket: %w", err)
	}
	if q.files, err = q.js.CreateOrUpdateObjectStore(ctx, jetstream.ObjectStoreConfig{
		Bucket: FilesBucket, Storage: jetstream.FileStorage,
	}); err != nil {
		return fmt.Errorf("batch: creating the files store: %w", err)
	}
	return nil
}

func (q *Queue) bind(ctx context.Context) error {
	var err error
	if q.stream, err = q.js.Stream(ctx, StreamName); err != nil {
		return err
	}
	if q.cons, err = q.stream.Consumer(ctx, ConsumerName); err != nil {
		return err
	}
	q.ackWait = q.cons.CachedInfo().Config.AckWait
	if q.results, err = q.js.KeyValue(ctx, ResultsBucket); err != nil {
		return err
	}
	q.files, err = q.js.ObjectStore(ctx, FilesBucket)
	return err
}

// Close closes the connection and shuts an embedded server down.
func (q *Queue) Close() {
	if q.nc != nil {
		q.nc.Drain()
		q.nc.Close()
	}
	if q.Server != nil && q.owned {
		q.Server.Shutdown()
		q.Server.WaitForShutdown()
	}
}

// URL is the address other processes reach an embedded, listening server at
// (empty without a listener), or the external server's.
func (q *Queue) URL() string {
	if q.Server != nil {
		if q.Server.Addr() == nil {
			return ""
		}
		return q.Server.ClientURL()
	}
	return q.nc.ConnectedUrl()
}

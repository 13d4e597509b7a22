package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"

	"github.com/neurograd/neurograd/batch"
	"github.com/neurograd/neurograd/neuron"
	"github.com/neurograd/neurograd/train"
)

// queueFlags are cmd/train's settings for generating training data as batch
// jobs (docs/batch.md): -queue "" simulates in this process as before.
type queueFlags struct {
	queue   string // "", "embedded" or a NATS URL
	shards  int    // shards per split
	workers int    // jobs run in this process (-1 none, 0 the default)
}

// generator returns how the splits' simulations are made: train.Generate in
// this process, or, with -queue, their shards as train-data jobs of a batch
// sweep (an embedded JetStream server, or the NATS server at the URL with
// workers started elsewhere by `cmd/batch worker -queue URL`) whose stored
// results make a rerun or an interrupted generation resume.
func (q queueFlags) generator(dataDir string) train.Generator {
	if q.queue == "" {
		return train.Generate
	}
	return func(r train.Recipe, log io.Writer) (map[neuron.CellType]*train.Dataset, error) {
		return q.generate(dataDir, r, log)
	}
}

// generate runs the split's shards as a sweep under dataDir/shards/SPLIT and
// merges their datasets in order.
func (q queueFlags) generate(dataDir string, r train.Recipe, log io.Writer) (map[neuron.CellType]*train.Dataset, error) {
	shards := r.Shards(q.shards)
	jobs := make([]map[string]any, len(shards))
	for i, sh := range shards {
		jobs[i] = batch.TrainDataSettings(r, sh)
	}
	specJSON, err := json.Marshal(map[string]any{"kind": "train-data", "jobs": jobs})
	if err != nil {
		return nil, err
	}
	spec, err := batch.ParseSpec(specJSON)
	if err != nil {
		return nil, err
	}
	plan, err := spec.Plan(batch.CodeVersion())
	if err != nil {
		return nil, fmt.Errorf("the train-data jobs of split %s: %w", r.Split, err)
	}
	if log == nil {
		log = io.Discard
	}
	opts := batch.SweepOptions{Out: filepath.Join(dataDir, "shards", r.Split), Workers: q.workers, Stdout: log, Stderr: log}
	if q.queue != "embedded" {
		opts.Queue.URL = q.queue
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	tab, err := batch.Sweep(ctx, plan, opts)
	if err != nil {
		return nil, fmt.Errorf("split %s through %s: %w", r.Split, q.queue, err)
	}
	parts := make([]map[neuron.CellType]*train.Dataset, len(tab.Rows))
	for i, row := range tab.Rows {
		if row.Status != batch.StatusOK {
			return nil, fmt.Errorf("split %s: shard %d (%+v) %s: %s", r.Split, i, shards[i], row.Status, row.Error)
		}
		parts[i] = map[neuron.CellType]*train.Dataset{}
		for _, ct := range neuron.CellTypes {
			path := filepath.Join(opts.Out, row.Dir, batch.TrainDataFile(ct))
			if parts[i][ct], err = train.LoadDataset(path); err != nil {
				return nil, fmt.Errorf("split %s: shard %d: %w", r.Split, i, err)
			}
		}
	}
	return train.MergeShards(r, parts)
}

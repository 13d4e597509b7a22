package train

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/neurograd/neurograd/autograd"
	"github.com/neurograd/neurograd/nn"
	"github.com/neurograd/neurograd/nn/safetensors"
)

// Training checkpoints (Config.Checkpoint, Config.Resume): a safetensors file
// whose tensors are the parameters ("param/<name>"), the kept best
// ("best/…"), the moving average and the raw iterates with EMA ("ema/…",
// "raw/…"), Adam's moments ("adam_m/…", "adam_v/…") and the loss history
// ("history/…"), and whose metadata holds the step reached, the counters,
// the random streams' states and fingerprints of the configuration, the
// model and the data, so that a resumed run is the uninterrupted one bit for
// bit, and a checkpoint of anything else is refused.

// checkpointFormat names the file format in its metadata.
const checkpointFormat = "neurograd-train-checkpoint-1"

// ErrCheckpointMismatch is wrapped by the error of a resumed run whose
// checkpoint is of another configuration, model or data, or not a
// checkpoint at all: the user's input, not a failure of the run.
var ErrCheckpointMismatch = errors.New("the checkpoint does not fit this run")

// errStopped ends a run at Config.stopAfter (tests).
var errStopped = errors.New("train: stopped after the checkpoint (test)")

// fingerprint identifies what a checkpoint can continue: the configuration
// (without the log, the wall-clock cap and the checkpoint settings), the
// model's architecture and parameter sizes, and a hash of the prepared data.
func (t *Trainer[T]) fingerprint() (cfgFP, modelFP, dataFP string) {
	c := t.cfg
	c.Log, c.MaxDuration, c.Checkpoint, c.Resume, c.stopAfter = nil, 0, "", false, 0
	cfgFP = fmt.Sprintf("%+v", c)
	modelFP = fmt.Sprintf("%s %+v", t.m.CellType(), t.m.Arch())
	for _, p := range t.m.Params() {
		modelFP += fmt.Sprintf(" %s:%d", p.Name, p.Tensor.Len())
	}
	if t.dataFP != "" {
		return cfgFP, modelFP, t.dataFP
	}
	h := fnv.New64a()
	var b [4]byte
	put := func(xs []float32) {
		for _, x := range xs {
			u := math.Float32bits(x)
			b[0], b[1], b[2], b[3] = byte(u), byte(u>>8), byte(u>>16), byte(u>>24)
			h.Write(b[:])
		}
	}
	for _, set := range [][]prepared{t.ptrain, t.pval} {
		for _, p := range set {
			put(p.feat)
			put(p.target)
			put(p.label)
			put(p.weight)
		}
	}
	t.dataFP = fmt.Sprintf("%d train, %d val, %d bins, fnv64a %016x", len(t.ptrain), len(t.pval), t.bins, h.Sum64())
	return cfgFP, modelFP, t.dataFP
}

// saveCheckpoint writes the state after step steps to cfg.Checkpoint (no-op
// when it is empty).
func (t *Trainer[T]) saveCheckpoint(steps int) error {
	path := t.cfg.Checkpoint
	if path == "" {
		return nil
	}
	var ts []safetensors.Tensor
	add := func(prefix string, vals [][]T) {
		for i, p := range t.params {
			ts = append(ts, floatTensor(prefix+"/"+p.Name, vals[i]))
		}
	}
	cur := make([][]T, len(t.params))
	for i, p := range t.params {
		cur[i] = p.Tensor.Data
	}
	add("param", cur)
	add("best", t.best)
	if t.ema != nil {
		add("ema", t.ema)
		add("raw", t.raw)
	}
	st := t.opt.State()
	add("adam_m", st.M)
	add("adam_v", st.V)
	res := t.res
	for _, h := range []struct {
		name string
		v    []float64
	}{{"train_loss", res.TrainLoss}, {"val_loss", res.ValLoss}, {"val_score", res.ValScore}} {
		ts = append(ts, safetensors.FromFloat64("history/"+h.name, []int{len(h.v)}, h.v))
	}
	rng, err := t.src.MarshalBinary()
	if err != nil {
		return err
	}
	drop, err := t.m.DropoutRNGState()
	if err != nil {
		return err
	}
	cfgFP, modelFP, dataFP := t.fingerprint()
	bits := func(x float64) string { return strconv.FormatUint(math.Float64bits(x), 16) }
	meta := map[string]string{
		"format": checkpointFormat, "config": cfgFP, "model": modelFP, "data": dataFP,
		"steps": strconv.Itoa(steps), "adam_steps": strconv.Itoa(st.Steps),
		"best_step": strconv.Itoa(res.BestStep), "best_val_loss": bits(res.BestValLoss), "best_val_score": bits(res.BestScore),
		"best_crit": bits(t.bestCrit), "since_best": strconv.Itoa(t.sinceBest),
		"acc_loss": bits(t.accLoss), "acc_n": strconv.Itoa(t.accN),
		"elapsed_ns": strconv.FormatInt(int64(time.Since(t.start)), 10),
		"rng":        base64.StdEncoding.EncodeToString(rng), "dropout_rng": base64.StdEncoding.EncodeToString(drop),
	}
	var buf bytes.Buffer
	if err := safetensors.Write(&buf, ts, meta); err != nil {
		return fmt.Errorf("train: checkpoint %s: %w", path, err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".tmp*")
	if err != nil {
		return fmt.Errorf("train: checkpoint: %w", err)
	}
	if _, err := tmp.Write(buf.Bytes()); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return fmt.Errorf("train: checkpoint %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("train: checkpoint %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("train: checkpoint %s: %w", path, err)
	}
	return nil
}

// resume loads cfg.Checkpoint when cfg.Resume is set and the file exists,
// and returns the step to continue from (0: a fresh run).
func (t *Trainer[T]) resume() (int, error) {
	path := t.cfg.Checkpoint
	if !t.cfg.Resume || path == "" {
		return 0, nil
	}
	raw, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("train: resume: %w", err)
	}
	steps, err := t.loadCheckpoint(raw)
	if err != nil {
		return 0, fmt.Errorf("train: resume from %s: %w (%w)", path, err, ErrCheckpointMismatch)
	}
	if t.cfg.Log != nil {
		fmt.Fprintf(t.cfg.Log, "%s: resumed from %s at step %d/%d\n", t.m.CellType(), path, steps, t.cfg.Steps)
	}
	return steps, nil
}

// loadCheckpoint restores the state a checkpoint file's bytes hold and
// returns its step count; nothing is changed when it returns an error.
func (t *Trainer[T]) loadCheckpoint(raw []byte) (int, error) {
	f, err := safetensors.Parse(raw)
	if err != nil {
		return 0, err
	}
	md := f.Metadata
	if md["format"] != checkpointFormat {
		return 0, fmt.Errorf("format %q, want %q", md["format"], checkpointFormat)
	}
	cfgFP, modelFP, dataFP := t.fingerprint()
	for _, c := range []struct{ what, got, want string }{{"configuration", md["config"], cfgFP}, {"model", md["model"], modelFP}, {"data", md["data"], dataFP}} {
		if c.got != c.want {
			return 0, fmt.Errorf("the checkpoint's %s differs from this run's:\n  checkpoint: %s\n  this run:   %s", c.what, c.got, c.want)
		}
	}
	ints := map[string]int{}
	for _, k := range []string{"steps", "adam_steps", "best_step", "since_best", "acc_n"} {
		v, err := strconv.Atoi(md[k])
		if err != nil || v < 0 {
			return 0, fmt.Errorf("metadata %s = %q: want a count", k, md[k])
		}
		ints[k] = v
	}
	if ints["steps"] > t.cfg.Steps {
		return 0, fmt.Errorf("the checkpoint is at step %d, past the run's %d", ints["steps"], t.cfg.Steps)
	}
	flt := map[string]float64{}
	for _, k := range []string{"best_val_loss", "best_val_score", "best_crit", "acc_loss"} {
		u, err := strconv.ParseUint(md[k], 16, 64)
		if err != nil {
			return 0, fmt.Errorf("metadata %s = %q: want a float's bits", k, md[k])
		}
		flt[k] = math.Float64frombits(u)
	}
	elapsed, err := strconv.ParseInt(md["elapsed_ns"], 10, 64)
	if err != nil || elapsed < 0 {
		return 0, fmt.Errorf("metadata elapsed_ns = %q", md["elapsed_ns"])
	}
	rng, err1 := base64.StdEncoding.DecodeString(md["rng"])
	drop, err2 := base64.StdEncoding.DecodeString(md["dropout_rng"])
	if err1 != nil || err2 != nil {
		return 0, fmt.Errorf("metadata rng / dropout_rng: not base64")
	}
	read := func(prefix string) ([][]T, error) {
		out := make([][]T, len(t.params))
		for i, p := range t.params {
			ten := f.Tensor(prefix + "/" + p.Name)
			if ten == nil {
				return nil, fmt.Errorf("no tensor %s/%s", prefix, p.Name)
			}
			v := make([]float64, p.Tensor.Len())
			if err := ten.DecodeFloat(v); err != nil {
				return nil, err
			}
			out[i] = make([]T, len(v))
			for j, x := range v {
				out[i][j] = T(x)
			}
		}
		return out, nil
	}
	vals := map[string][][]T{}
	names := []string{"param", "best", "adam_m", "adam_v"}
	if t.ema != nil {
		names = append(names, "ema", "raw")
	}
	for _, n := range names {
		if vals[n], err = read(n); err != nil {
			return 0, err
		}
	}
	hist := map[string][]float64{}
	for _, n := range []string{"train_loss", "val_loss", "val_score"} {
		ten := f.Tensor("history/" + n)
		if ten == nil || len(ten.Shape) != 1 {
			return 0, fmt.Errorf("no history/%s", n)
		}
		hist[n] = make([]float64, ten.Shape[0])
		if err := ten.DecodeFloat(hist[n]); err != nil {
			return 0, err
		}
	}
	// everything read and checked: apply
	if err := rngProbe(rng); err != nil {
		return 0, err
	}
	if err := rngProbe(drop); err != nil {
		return 0, fmt.Errorf("dropout: %w", err)
	}
	if err := t.opt.SetState(nn.AdamState[T]{Steps: ints["adam_steps"], M: vals["adam_m"], V: vals["adam_v"]}); err != nil {
		return 0, err
	}
	if err := t.m.SetDropoutRNGState(drop); err != nil {
		return 0, err
	}
	_ = t.src.UnmarshalBinary(rng) // checked by rngProbe
	restoreSnapshot(t.params, vals["param"])
	setAll(t.best, vals["best"])
	if t.ema != nil {
		setAll(t.ema, vals["ema"])
		setAll(t.raw, vals["raw"])
	}
	r := t.res
	r.TrainLoss, r.ValLoss, r.ValScore = hist["train_loss"], hist["val_loss"], hist["val_score"]
	if len(r.ValScore) == 0 {
		r.ValScore = nil
	}
	r.BestStep, r.BestValLoss, r.BestScore, r.Steps = ints["best_step"], flt["best_val_loss"], flt["best_val_score"], ints["steps"]
	t.bestCrit, t.sinceBest, t.accLoss, t.accN = flt["best_crit"], ints["since_best"], flt["acc_loss"], ints["acc_n"]
	t.start = time.Now().Add(-time.Duration(elapsed))
	return ints["steps"], nil
}

// rngProbe checks that b is a valid PCG state.
func rngProbe(b []byte) error {
	var p rand.PCG
	if err := p.UnmarshalBinary(b); err != nil {
		return fmt.Errorf("metadata rng: %w", err)
	}
	return nil
}

// floatTensor stores vals in the checkpoint exactly (F32 for float32, F64
// for float64).
func floatTensor[T autograd.Float](name string, vals []T) safetensors.Tensor {
	switch v := any(vals).(type) {
	case []float32:
		return safetensors.FromFloat32(name, []int{len(v)}, v)
	case []float64:
		return safetensors.FromFloat64(name, []int{len(v)}, v)
	}
	panic("train: unreachable float type")
}

// setAll copies src into dst, slice by slice.
func setAll[T any](dst, src [][]T) {
	for i := range dst {
		copy(dst[i], src[i])
	}
}

package cli

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"strings"

	"github.com/neurograd/neurograd/network"
	"github.com/neurograd/neurograd/network/snn"
	"github.com/neurograd/neurograd/neuron"
)

// Bytes is a memory size in bytes, the value of a -max-memory flag: a plain
// number of bytes or one with a unit, K, M, G or T (powers of 1024, an
// optional B or iB after them), e.g. 1.5G or 800MB.
type Bytes int64

// String formats b with a binary unit, e.g. "1.5 GiB".
func (b Bytes) String() string {
	v := float64(b)
	for _, u := range []string{"B", "KiB", "MiB", "GiB", "TiB"} {
		if math.Abs(v) < 1024 || u == "TiB" {
			if u == "B" {
				return fmt.Sprintf("%d B", int64(b))
			}
			return fmt.Sprintf("%.3g %s", v, u)
		}
		v /= 1024
	}
	return ""
}

// Set parses a size (flag.Value).
func (b *Bytes) Set(s string) error {
	t := strings.ToUpper(strings.TrimSpace(s))
	t = strings.TrimSuffix(strings.TrimSuffix(t, "B"), "I")
	mult := 1.0
	if n := len(t); n > 0 {
		if i := strings.IndexByte("KMGT", t[n-1]); i >= 0 {
			mult = math.Pow(1024, float64(i+1))
			t = strings.TrimSpace(t[:n-1])
		}
	}
	v, err := strconv.ParseFloat(t, 64)
	if err != nil || !(v > 0) || v*mult > math.MaxInt64/2 {
		return fmt.Errorf("want a positive size such as 6G, 800M or 123456 (bytes), got %q", s)
	}
	*b = Bytes(v * mult)
	return nil
}

// DefaultMaxMemory returns the default of -max-memory: three quarters of the
// machine's memory (MemTotal of /proc/meminfo), or 4 GiB where that cannot
// be read.
func DefaultMaxMemory() Bytes {
	f, err := os.Open("/proc/meminfo")
	if err == nil {
		defer f.Close()
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			fields := strings.Fields(sc.Text())
			if len(fields) >= 2 && fields[0] == "MemTotal:" {
				if kb, err := strconv.ParseInt(fields[1], 10, 64); err == nil && kb > 0 {
					return Bytes(kb * 1024 / 4 * 3)
				}
			}
		}
	}
	return 4 << 30
}

// MaxMemoryFlag defines -max-memory on fs, the memory a command may plan to
// use, with DefaultMaxMemory as its default.
func MaxMemoryFlag(fs *flag.FlagSet) *Bytes {
	b := DefaultMaxMemory()
	fs.Var(&b, "max-memory", "largest memory the run may plan to use (bytes, or with K, M, G: 6G); runs estimated above it are refused (default: 3/4 of the machine's memory)")
	return &b
}

// Estimate is what a run will take, computed from its settings before it
// starts: peak memory (bytes) and CPU time (s, rough), and the flags that
// change them most.
type Estimate struct {
	Bytes   int64
	Seconds float64 // CPU time, rough (the machine's speed varies)
	What    string  // what is estimated, e.g. "1200 steps of 132 cells"
	Flags   string  // the flags to change, e.g. "-tstop or -mesh"
}

// MemoryError is the error of a run refused by Estimate.Check, which
// returns it wrapped as an InputError (commands exit with status 2 on it).
type MemoryError struct {
	Estimate Estimate
	Max      Bytes
}

func (e *MemoryError) Error() string {
	need := "more than " + Bytes(math.MaxInt64).String()
	if e.Estimate.Bytes >= 0 && e.Estimate.Bytes < math.MaxInt64 {
		need = Bytes(e.Estimate.Bytes).String()
	}
	return fmt.Sprintf("-max-memory: %s would need about %s of memory (estimate), more than -max-memory %s: change %s, or raise -max-memory",
		e.Estimate.What, need, e.Max, e.Estimate.Flags)
}

// Check returns an input error wrapping a *MemoryError, naming the
// estimate, max and the flags to change, when the estimate exceeds max,
// else nil.
func (e Estimate) Check(max Bytes) error {
	if e.Bytes >= 0 && e.Bytes <= int64(max) {
		return nil
	}
	return InputError{&MemoryError{Estimate: e, Max: max}}
}

// Report writes the estimate as one line, "estimate: ...", to w (nothing
// for the zero estimate of invalid settings).
func (e Estimate) Report(w io.Writer) {
	if e.What == "" {
		return
	}
	fmt.Fprintf(w, "estimate: %s: about %s of memory, %s of CPU time\n", e.What, Bytes(e.Bytes), roughTime(e.Seconds))
}

// roughTime formats a duration in seconds to one significant figure's
// precision.
func roughTime(s float64) string {
	switch {
	case s < 1:
		return "under a second"
	case s < 120:
		return fmt.Sprintf("%.2g s", s)
	case s < 7200:
		return fmt.Sprintf("%.2g min", s/60)
	case s < 2*86400:
		return fmt.Sprintf("%.2g h", s/3600)
	}
	return fmt.Sprintf("%.2g days", s/86400)
}

// satMul multiplies non-negative factors, saturating at math.MaxInt64 (so
// that absurd settings give an estimate above any budget, not an overflow).
func satMul(xs ...float64) int64 {
	p := 1.0
	for _, x := range xs {
		p *= x
	}
	if !(p < math.MaxInt64/2) {
		return math.MaxInt64
	}
	return int64(p)
}

// satAdd adds non-negative byte counts, saturating at math.MaxInt64.
func satAdd(xs ...int64) int64 {
	var s int64
	for _, x := range xs {
		if x >= math.MaxInt64-s {
			return math.MaxInt64
		}
		s += x
	}
	return s
}

// invalidTimes reports whether a simulated time or a step is not positive
// and finite: the estimate is then zero (nothing to refuse), and the
// command's own validation names the bad value.
func invalidTimes(tstop, dt float64) bool {
	return !(tstop > 0) || !(dt > 0) || math.IsInf(tstop, 0) || math.IsInf(dt, 0)
}

// baseBytes is the memory of a command before its job: the runtime, the
// embedded weights and templates.
const baseBytes = 64 << 20

// CellEstimate estimates a biophysical single-cell run of tstop ms at dt ms
// recording every every-th step of probes traces (plus time and dipole).
// Like the other estimates it is zero for a tstop or dt that is not
// positive and finite.
func CellEstimate(tstop, dt float64, every, probes int) Estimate {
	if invalidTimes(tstop, dt) {
		return Estimate{}
	}
	steps := tstop / dt
	samples := steps/float64(max(every, 1)) + 1
	return Estimate{
		Bytes:   satAdd(baseBytes, satMul(samples, float64(probes+2), 8, 2)), // float64 traces, and their CSV rows
		Seconds: steps * 2e-6,
		What:    fmt.Sprintf("%.3g steps of %g ms recording %.3g samples", steps, dt, samples),
		Flags:   "-tstop, -dt or -record-every",
	}
}

// SurrogateCellEstimate estimates a surrogate single-cell run of bins
// 0.5 ms bins with channels inputs and outputs outputs.
func SurrogateCellEstimate(tstop, binDt float64, channels, outputs int) Estimate {
	if invalidTimes(tstop, binDt) {
		return Estimate{}
	}
	bins := tstop / binDt
	return Estimate{
		Bytes:   satAdd(baseBytes, satMul(bins, float64(channels+outputs)*4+float64(outputs+2)*8*2+2048)), // inputs, outputs, traces, the run's tape
		Seconds: bins * 2e-5,
		What:    fmt.Sprintf("%.3g surrogate bins of %g ms", bins, binDt),
		Flags:   "-tstop",
	}
}

// MaxConnections returns an upper bound on the cell-to-cell connections of
// conn (nil: HNN's default) on col: every class connects each source cell
// to each target cell. It costs nothing like building them.
func MaxConnections(col *network.Column, conn *network.Connectivity) float64 {
	if conn == nil {
		conn = network.DefaultConnectivity()
	}
	var n float64
	for _, cc := range conn.Classes {
		n += float64(col.Count(cc.Source)) * float64(col.Count(cc.Target))
	}
	return n
}

// inputChannels returns the input channels summed over col's cells.
func inputChannels(col *network.Column) int {
	n := 0
	for _, ct := range neuron.CellTypes {
		if d, err := neuron.Template(ct); err == nil {
			n += col.Count(ct) * len(d.Channels())
		}
	}
	return n
}

// BiophysNetworkEstimate estimates a biophysical network run of col for
// tstop ms at dt ms recording vsoma somatic traces, with drive events at
// about eventsHz per cell.
func BiophysNetworkEstimate(col *network.Column, conn *network.Connectivity, tstop, dt float64, vsoma int, eventsHz float64) Estimate {
	if invalidTimes(tstop, dt) {
		return Estimate{}
	}
	steps := tstop / dt
	cells := float64(col.NumCells())
	b := satAdd(baseBytes,
		satMul(cells, 64<<10),                   // compartments, channels, synapses
		satMul(MaxConnections(col, conn), 96),   // links
		satMul(steps+1, float64(4+vsoma), 8),    // times, dipoles, somatic traces
		satMul(cells, eventsHz, tstop/1000, 48)) // drive events and spikes
	return Estimate{
		Bytes:   b,
		Seconds: steps * cells * 1.5e-6,
		What:    fmt.Sprintf("%.3g steps of %g ms of %d cells", steps, dt, col.NumCells()),
		Flags:   "-tstop, -dt or -mesh",
	}
}

// SurrogateNetworkEstimate estimates the surrogate network of col for
// tstop ms at binDt ms: a training run of trainReps replicas (forward and
// backward, checkpointed in segments of every steps: 0 the default,
// negative none; trainReps 0 for none) beside an evaluation run of evalReps
// replicas (0 for none), whose buffers are kept at once; elem is the bytes
// per element (4 or 8). It counts the network's structure once (an upper
// bound on the connections) and the drive events (about eventsHz per cell).
func SurrogateNetworkEstimate(col *network.Column, conn *network.Connectivity, tstop, binDt float64, trainReps, evalReps, every, elem int, eventsHz float64) Estimate {
	if invalidTimes(tstop, binDt) {
		return Estimate{}
	}
	steps := int(math.Min(math.Round(tstop/binDt), math.MaxInt32))
	if every == 0 {
		every = snn.DefaultCheckpointEvery(steps)
	}
	cells := float64(col.NumCells())
	conns := MaxConnections(col, conn)
	b := int64(math.MaxInt64)
	if conns*128 < math.MaxInt64/4 && float64(steps)*cells < math.MaxInt64/1e5 {
		shape := snn.MemoryShape{Cells: col.NumCells(), Channels: inputChannels(col), Connections: int(conns),
			Slots: steps + 1, Steps: steps, ElemSize: elem}
		b = 0
		if trainReps > 0 {
			s := shape
			s.Replicas, s.Every, s.Grad = trainReps, every, true
			b += snn.EstimateBytes(s)
			shape.Connections = 0
		}
		if evalReps > 0 {
			s := shape
			s.Replicas, s.Every = evalReps, snn.DefaultCheckpointEvery(steps)
			b += snn.EstimateBytes(s)
		}
	}
	reps := float64(trainReps + evalReps)
	b = satAdd(b, baseBytes, satMul(cells, reps, eventsHz, tstop/1000, 48))
	return Estimate{
		Bytes:   b,
		Seconds: float64(steps) * cells * (float64(trainReps)*7.5e-6 + float64(evalReps)*2.5e-6),
		What:    fmt.Sprintf("%d steps of %d cells", steps, col.NumCells()),
		Flags:   "-tstop or -mesh",
	}
}

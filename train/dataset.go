package train

import (
	"bufio"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"slices"

	"github.com/neurograd/neurograd/neuron"
	"github.com/neurograd/neurograd/neuron/surrogate"
)

// Dataset is a set of binned biophysical simulations of one cell type.
type Dataset struct {
	CellType neuron.CellType     `json:"cell_type"`
	Inputs   []string            `json:"inputs"`  // "section/receptor" per channel
	Outputs  []string            `json:"outputs"` // output names (mV, nAm)
	BinMS    float64             `json:"bin_ms"`
	Bins     int                 `json:"bins"`  // bins per sample
	Count    int                 `json:"count"` // number of samples
	Recipe   string              `json:"recipe"`
	Samples  []*surrogate.Sample `json:"-"`
}

// datasetMagic starts every dataset file.
const datasetMagic = "NGSURDS1"

// NewDataset returns an empty dataset of cell type ct with samples of bins bins.
func NewDataset(ct neuron.CellType, bins int, recipe string) (*Dataset, error) {
	cio, err := ioFor(ct)
	if err != nil {
		return nil, err
	}
	return &Dataset{CellType: ct, Inputs: channelNames(cio.channels), Outputs: cio.outputs, BinMS: surrogate.BinDt, Bins: bins, Recipe: recipe}, nil
}

// WriteTo writes the dataset in its binary format (docs/surrogate.md): the
// 8-byte magic "NGSURDS1", a little-endian uint32 header length and a JSON
// header (cell_type, inputs, outputs, bin_ms, bins, count, recipe), then per
// sample a uint32 spike count, the spike times (float64 ms), X (float32,
// bins·inputs, µS) and Y (float32, bins·outputs, mV / nAm), all little-endian.
func (d *Dataset) WriteTo(w io.Writer) (int64, error) {
	d.Count = len(d.Samples)
	hdr, err := json.Marshal(d)
	if err != nil {
		return 0, err
	}
	bw := bufio.NewWriter(w)
	bw.WriteString(datasetMagic)
	binary.Write(bw, binary.LittleEndian, uint32(len(hdr)))
	bw.Write(hdr)
	for _, s := range d.Samples {
		binary.Write(bw, binary.LittleEndian, uint32(len(s.Spikes)))
		binary.Write(bw, binary.LittleEndian, s.Spikes)
		binary.Write(bw, binary.LittleEndian, s.X)
		binary.Write(bw, binary.LittleEndian, s.Y)
	}
	return 0, bw.Flush()
}

// Save writes the dataset to a file.
func (d *Dataset) Save(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("train: %w", err)
	}
	if _, err := d.WriteTo(f); err != nil {
		f.Close()
		return fmt.Errorf("train: writing %s: %w", path, err)
	}
	return f.Close()
}

// ReadDataset reads a dataset written by WriteTo, validating its header
// against this build's cell templates.
func ReadDataset(r io.Reader) (*Dataset, error) {
	br := bufio.NewReader(r)
	magic := make([]byte, len(datasetMagic))
	if _, err := io.ReadFull(br, magic); err != nil || string(magic) != datasetMagic {
		return nil, fmt.Errorf("train: not a dataset file (bad magic)")
	}
	var n uint32
	if err := binary.Read(br, binary.LittleEndian, &n); err != nil || n > 1<<20 {
		return nil, fmt.Errorf("train: dataset header length invalid")
	}
	hdr := make([]byte, n)
	if _, err := io.ReadFull(br, hdr); err != nil {
		return nil, fmt.Errorf("train: dataset header: %w", err)
	}
	var d Dataset
	if err := json.Unmarshal(hdr, &d); err != nil {
		return nil, fmt.Errorf("train: dataset header: %w", err)
	}
	want, err := NewDataset(d.CellType, d.Bins, "")
	if err != nil {
		return nil, err
	}
	if !slices.Equal(d.Inputs, want.Inputs) || !slices.Equal(d.Outputs, want.Outputs) || d.BinMS != surrogate.BinDt || d.Bins < 1 || d.Count < 0 {
		return nil, fmt.Errorf("train: dataset header does not match %s's inputs and outputs at %v ms", d.CellType, surrogate.BinDt)
	}
	C, O := len(d.Inputs), len(d.Outputs)
	for i := 0; i < d.Count; i++ {
		var ns uint32
		if err := binary.Read(br, binary.LittleEndian, &ns); err != nil || ns > uint32(d.Bins)*10 {
			return nil, fmt.Errorf("train: dataset sample %d: bad spike count", i)
		}
		s := &surrogate.Sample{Bins: d.Bins, Spikes: make([]float64, ns), X: make([]float32, d.Bins*C), Y: make([]float32, d.Bins*O)}
		for _, v := range []any{s.Spikes, s.X, s.Y} {
			if err := binary.Read(br, binary.LittleEndian, v); err != nil {
				return nil, fmt.Errorf("train: dataset sample %d: %w", i, err)
			}
		}
		for _, v := range s.Y {
			if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
				return nil, fmt.Errorf("train: dataset sample %d: non-finite target", i)
			}
		}
		d.Samples = append(d.Samples, s)
	}
	return &d, nil
}

// LoadDataset reads a dataset file.
func LoadDataset(path string) (*Dataset, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("train: %w", err)
	}
	defer f.Close()
	d, err := ReadDataset(f)
	if err != nil {
		return nil, fmt.Errorf("%w (%s)", err, path)
	}
	return d, nil
}

package surrogate

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strconv"

	"github.com/neurograd/neurograd/autograd"
	"github.com/neurograd/neurograd/neuron"
	"github.com/neurograd/neurograd/nn"
	"github.com/neurograd/neurograd/nn/safetensors"
)

// FormatName is the value of the "format" metadata key of surrogate weight
// files.
const FormatName = "neurograd-surrogate-v1"

// Metadata keys of a surrogate weight file (safetensors __metadata__).
const (
	MetaFormat     = "format"
	MetaCellType   = "cell_type"
	MetaArch       = "arch"           // JSON Arch
	MetaInputs     = "inputs"         // JSON ["section/receptor", ...]
	MetaOutputs    = "outputs"        // JSON output names
	MetaDt         = "dt_ms"          // surrogate step (ms)
	MetaRefWeights = "ref_weights_uS" // JSON per-channel reference weights of the log compression
	MetaOutScale   = "out_scale"      // JSON per-output scale
	MetaOutOffset  = "out_offset"     // JSON per-output offset
	MetaThreshold  = "spike_threshold_mV"
	MetaSpikePeak  = "spike_peak_mV"
	MetaProvenance = "provenance" // JSON: data recipe, seeds, training time, metrics
)

// SetProvenance records free-form provenance (JSON text) saved with the weights.
func (m *Model[T]) SetProvenance(s string) {
	if m.meta == nil {
		m.meta = map[string]string{}
	}
	m.meta[MetaProvenance] = s
}

func channelNames(chs []neuron.Channel) []string {
	var s []string
	for _, c := range chs {
		s = append(s, c.Section+"/"+c.Receptor.String())
	}
	return s
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// Save writes the model as a safetensors file: the parameters (F32 for
// float32 models, F64 for float64) and, in the metadata, the cell type,
// architecture, input and output order, time step, normalisation constants,
// spike threshold and provenance.
func (m *Model[T]) Save(w io.Writer) error {
	sc, off := m.OutputNorm()
	meta := map[string]string{
		MetaFormat:     FormatName,
		MetaCellType:   m.ct.String(),
		MetaArch:       mustJSON(m.arch),
		MetaInputs:     mustJSON(channelNames(m.io.channels)),
		MetaOutputs:    mustJSON(m.io.outputs),
		MetaDt:         strconv.FormatFloat(BinDt, 'g', -1, 64),
		MetaRefWeights: mustJSON(m.refW),
		MetaOutScale:   mustJSON(sc),
		MetaOutOffset:  mustJSON(off),
		MetaThreshold:  strconv.FormatFloat(m.threshold, 'g', -1, 64),
		MetaSpikePeak:  strconv.FormatFloat(m.spikePeak, 'g', -1, 64),
	}
	if p, ok := m.meta[MetaProvenance]; ok {
		meta[MetaProvenance] = p
	}
	if err := nn.Save(w, m.Params(), meta); err != nil {
		return fmt.Errorf("surrogate: saving %s: %w", m.ct, err)
	}
	return nil
}

// Load reads a surrogate saved by Save and validates it: format, a known
// cell type, the architecture, the input and output order and time step
// against this build's cell templates, finite positive normalisation
// constants, a finite threshold, and every parameter present with the right
// shape and finite values. Errors name the problem.
func Load[T autograd.Float](r io.Reader) (*Model[T], error) {
	buf, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("surrogate: reading weights: %w", err)
	}
	return loadBytes[T](buf, nil)
}

// Want is what a caller of LoadFor asks of a weight file.
type Want struct {
	// CellType is the cell type the weights must be of.
	CellType neuron.CellType
	// Arch, when not nil, is the architecture they must have.
	Arch *Arch
}

// LoadFor reads a surrogate as Load does and checks it against want: a
// file of another cell type is an error naming both types (before anything
// else of the file is read), and so are another architecture and input
// channels or outputs other than the asked type's.
func LoadFor[T autograd.Float](r io.Reader, want Want) (*Model[T], error) {
	buf, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("surrogate: reading weights: %w", err)
	}
	return loadBytes[T](buf, &want)
}

func loadBytes[T autograd.Float](buf []byte, want *Want) (*Model[T], error) {
	f, err := safetensors.Parse(buf)
	if err != nil {
		return nil, fmt.Errorf("surrogate: weights: %w", err)
	}
	md := f.Metadata
	if md[MetaFormat] != FormatName {
		return nil, fmt.Errorf("surrogate: weights: format %q, want %q", md[MetaFormat], FormatName)
	}
	ct, err := neuron.ParseCellType(md[MetaCellType])
	if err != nil {
		return nil, fmt.Errorf("surrogate: weights: metadata %s: %w", MetaCellType, err)
	}
	if want != nil && ct != want.CellType {
		return nil, fmt.Errorf("surrogate: weights are of cell type %s, asked for %s", ct, want.CellType)
	}
	var arch Arch
	if err := json.Unmarshal([]byte(md[MetaArch]), &arch); err != nil {
		return nil, fmt.Errorf("surrogate: weights: metadata %s: %w", MetaArch, err)
	}
	if want != nil && want.Arch != nil && arch != *want.Arch {
		return nil, fmt.Errorf("surrogate: %s weights have architecture %+v, asked for %+v", ct, arch, *want.Arch)
	}
	if err := arch.Validate(); err != nil {
		return nil, fmt.Errorf("surrogate: weights: %w", err)
	}
	// The parameters the architecture needs must be in the file: a bound
	// checked before building the model, so that a corrupt architecture
	// cannot ask for gigabytes.
	if need := minParams(arch); need*4 > int64(len(buf)) {
		return nil, fmt.Errorf("surrogate: weights: architecture %+v needs at least %d parameters, the file has %d bytes", arch, need, len(buf))
	}
	m, err := New[T](ct, arch, 0)
	if err != nil {
		return nil, fmt.Errorf("surrogate: weights: %w", err)
	}
	var inputs, outputs []string
	if err := json.Unmarshal([]byte(md[MetaInputs]), &inputs); err != nil {
		return nil, fmt.Errorf("surrogate: weights: metadata %s: %w", MetaInputs, err)
	}
	if err := json.Unmarshal([]byte(md[MetaOutputs]), &outputs); err != nil {
		return nil, fmt.Errorf("surrogate: weights: metadata %s: %w", MetaOutputs, err)
	}
	if want := channelNames(m.io.channels); !equalStrings(inputs, want) {
		return nil, fmt.Errorf("surrogate: weights: inputs %v do not match %s's channels %v", inputs, ct, want)
	}
	if !equalStrings(outputs, m.io.outputs) {
		return nil, fmt.Errorf("surrogate: weights: outputs %v do not match %s's outputs %v", outputs, ct, m.io.outputs)
	}
	if dt, err := strconv.ParseFloat(md[MetaDt], 64); err != nil || dt != BinDt {
		return nil, fmt.Errorf("surrogate: weights: %s = %q, want %v", MetaDt, md[MetaDt], BinDt)
	}
	var ref, sc, off []float64
	for _, kv := range []struct {
		k string
		v *[]float64
	}{{MetaRefWeights, &ref}, {MetaOutScale, &sc}, {MetaOutOffset, &off}} {
		if err := json.Unmarshal([]byte(md[kv.k]), kv.v); err != nil {
			return nil, fmt.Errorf("surrogate: weights: metadata %s: %w", kv.k, err)
		}
	}
	if len(ref) != len(m.refW) {
		return nil, fmt.Errorf("surrogate: weights: %d reference weights for %d inputs", len(ref), len(m.refW))
	}
	for c, r := range ref {
		if !(r > 0) || math.IsInf(r, 0) {
			return nil, fmt.Errorf("surrogate: weights: reference weight %v of input %s must be positive and finite", r, inputs[c])
		}
		m.refW[c] = r
		m.invRef.Data[c] = T(1 / r)
	}
	if err := m.SetOutputNorm(sc, off); err != nil {
		return nil, fmt.Errorf("surrogate: weights: %w", err)
	}
	th, err := strconv.ParseFloat(md[MetaThreshold], 64)
	if err != nil {
		return nil, fmt.Errorf("surrogate: weights: metadata %s: %w", MetaThreshold, err)
	}
	if err := m.SetSpikeThreshold(th); err != nil {
		return nil, fmt.Errorf("surrogate: weights: %w", err)
	}
	pk, err := strconv.ParseFloat(md[MetaSpikePeak], 64)
	if err != nil {
		return nil, fmt.Errorf("surrogate: weights: metadata %s: %w", MetaSpikePeak, err)
	}
	if err := m.SetSpikePeak(pk); err != nil {
		return nil, fmt.Errorf("surrogate: weights: %w", err)
	}
	if _, err := nn.LoadBytes(buf, m.Params()); err != nil {
		return nil, fmt.Errorf("surrogate: weights of %s: %w", ct, err)
	}
	m.meta = md
	return m, nil
}

// minParams is a lower bound of the number of parameters of arch: the
// convolution's, the LSTM's recurrent matrices and the head's first layer.
func minParams(a Arch) int64 {
	h := int64(a.Hidden)
	return int64(a.ConvChannels)*int64(a.ConvKernel) + int64(a.Layers)*4*h*h + h*int64(a.HeadHidden)
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

//go:embed weights
var shipped embed.FS

// ShippedFile returns the file name of the embedded weights of cell type ct.
func ShippedFile(ct neuron.CellType) string { return "weights/" + ct.String() + ".safetensors" }

// Shipped returns the embedded trained surrogate of cell type ct.
func Shipped[T autograd.Float](ct neuron.CellType) (*Model[T], error) {
	b, err := shipped.ReadFile(ShippedFile(ct))
	if err != nil {
		return nil, fmt.Errorf("surrogate: no shipped weights for cell type %q", ct)
	}
	return LoadFor[T](bytes.NewReader(b), Want{CellType: ct})
}

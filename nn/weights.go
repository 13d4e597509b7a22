package nn

import (
	"bytes"
	"fmt"
	"io"
	"math"

	"github.com/neurograd/neurograd/autograd"
	"github.com/neurograd/neurograd/nn/safetensors"
)

// Save writes params to w as a safetensors file (dtype F32 for float32 models,
// F64 for float64) with metadata (architecture hyper-parameters, normalisation
// constants, provenance; may be nil) in the header's __metadata__.
func Save[T autograd.Float](w io.Writer, params []Param[T], metadata map[string]string) error {
	ts := make([]safetensors.Tensor, len(params))
	for i, p := range params {
		shape := p.Tensor.Shape()
		switch d := any(p.Tensor.Data).(type) {
		case []float32:
			ts[i] = safetensors.FromFloat32(p.Name, shape, d)
		case []float64:
			ts[i] = safetensors.FromFloat64(p.Name, shape, d)
		}
	}
	if err := safetensors.Write(w, ts, metadata); err != nil {
		return fmt.Errorf("nn: save: %w", err)
	}
	return nil
}

// Load reads a safetensors file from r into params and returns its metadata.
// It validates everything before changing any parameter: the file's structure
// (see safetensors.Parse), that every parameter is present with the model's
// shape and a floating-point dtype (F64, F32, F16 or BF16, converted to T),
// that the file holds no other tensors, and that no value is NaN or infinite
// (also after conversion to T). Errors name the tensor and the problem.
func Load[T autograd.Float](r io.Reader, params []Param[T]) (map[string]string, error) {
	buf, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("nn: load: %w", err)
	}
	return LoadBytes(buf, params)
}

// LoadBytes is Load from a byte slice (for example an embedded file).
func LoadBytes[T autograd.Float](buf []byte, params []Param[T]) (map[string]string, error) {
	f, err := safetensors.Parse(buf)
	if err != nil {
		return nil, fmt.Errorf("nn: load: %w", err)
	}
	want := make(map[string]bool, len(params))
	for _, p := range params {
		want[p.Name] = true
	}
	for _, t := range f.Tensors {
		if !want[t.Name] {
			return nil, fmt.Errorf("nn: load: tensor %q is not a parameter of the model", t.Name)
		}
	}
	vals := make([][]float64, len(params))
	for i, p := range params {
		t := f.Tensor(p.Name)
		if t == nil {
			return nil, fmt.Errorf("nn: load: parameter %q missing from the file", p.Name)
		}
		if !sameInts(t.Shape, p.Tensor.Shape()) {
			return nil, fmt.Errorf("nn: load: tensor %q has shape %v, the model needs %v", p.Name, t.Shape, p.Tensor.Shape())
		}
		v := make([]float64, t.NumElements())
		if err := t.DecodeFloat(v); err != nil {
			return nil, fmt.Errorf("nn: load: %w", err)
		}
		for j, x := range v {
			if y := float64(T(x)); math.IsNaN(y) || math.IsInf(y, 0) {
				return nil, fmt.Errorf("nn: load: tensor %q element %d is %v (as %T: %v)", p.Name, j, x, T(0), y)
			}
		}
		vals[i] = v
	}
	for i, p := range params {
		for j, x := range vals[i] {
			p.Tensor.Data[j] = T(x)
		}
	}
	WeightsChanged()
	if f.Metadata == nil {
		f.Metadata = map[string]string{}
	}
	return f.Metadata, nil
}

// MarshalParams returns params as safetensors bytes (see Save).
func MarshalParams[T autograd.Float](params []Param[T], metadata map[string]string) ([]byte, error) {
	var b bytes.Buffer
	err := Save(&b, params, metadata)
	return b.Bytes(), err
}

func sameInts(a, b []int) bool {
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

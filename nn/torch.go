package nn

import (
	"fmt"
	"math"

	"github.com/neurograd/neurograd/autograd"
	"github.com/neurograd/neurograd/nn/safetensors"
)

// PyTorch interchange. Save and Load write and read nn's own parameter layouts
// under nn's names. The functions here translate to and from the names and
// layouts of PyTorch's nn.Linear, nn.Conv1d and nn.LSTM state dicts, so weights
// trained in either framework load in the other:
//
//	Linear: weight [out, in], bias [out] (identical layouts)
//	Conv1d: weight [out, in, K] (nn: [out, K, in]), bias [out]
//	LSTM:   weight_ih_l{k} [4H, in], weight_hh_l{k} [4H, H], bias_ih_l{k},
//	        bias_hh_l{k} [4H] (nn: w_ih [in, 4H], w_hh [H, 4H], bias = sum)
//
// Names are prefixed as in a state dict (for example "lstm." for a module
// attribute called lstm). Only F32 and F64 files are written; F16 and BF16 are
// read as well.

// TorchTensors returns the layer's parameters as PyTorch's nn.Linear state-dict
// entries under prefix, in float32.
func (l *Linear[T]) TorchTensors(prefix string) []safetensors.Tensor {
	ts := []safetensors.Tensor{safetensors.FromFloat32(prefix+"weight", []int{l.Out, l.In}, toF32(l.Weight.Data))}
	if l.Bias != nil {
		ts = append(ts, safetensors.FromFloat32(prefix+"bias", []int{l.Out}, toF32(l.Bias.Data)))
	}
	return ts
}

// LoadTorch sets the layer's parameters from PyTorch's nn.Linear entries under
// prefix in f, after checking their shapes and values.
func (l *Linear[T]) LoadTorch(f *safetensors.File, prefix string) error {
	w, err := torchValues(f, prefix+"weight", l.Out, l.In)
	if err != nil {
		return err
	}
	var b []float64
	if l.Bias != nil {
		if b, err = torchValues(f, prefix+"bias", l.Out); err != nil {
			return err
		}
	}
	setValues(l.Weight.Data, w)
	if b != nil {
		setValues(l.Bias.Data, b)
	}
	return nil
}

// TorchTensors returns the layer's parameters as PyTorch's nn.Conv1d state-dict
// entries under prefix (weight permuted to [out, in, K]), in float32.
func (c *Conv1d[T]) TorchTensors(prefix string) []safetensors.Tensor {
	w := make([]float32, c.Weight.Len())
	for o := 0; o < c.Out; o++ {
		for k := 0; k < c.Kernel; k++ {
			for i := 0; i < c.In; i++ {
				w[(o*c.In+i)*c.Kernel+k] = float32(c.Weight.Data[(o*c.Kernel+k)*c.In+i])
			}
		}
	}
	ts := []safetensors.Tensor{safetensors.FromFloat32(prefix+"weight", []int{c.Out, c.In, c.Kernel}, w)}
	if c.Bias != nil {
		ts = append(ts, safetensors.FromFloat32(prefix+"bias", []int{c.Out}, toF32(c.Bias.Data)))
	}
	return ts
}

// LoadTorch sets the layer's parameters from PyTorch's nn.Conv1d entries under
// prefix in f (weight [out, in, K]), after checking their shapes and values.
// PyTorch's padding is not stored in the weights: the model must have applied
// the causal left padding (K-1)·dilation that Conv1d computes.
func (c *Conv1d[T]) LoadTorch(f *safetensors.File, prefix string) error {
	w, err := torchValues(f, prefix+"weight", c.Out, c.In, c.Kernel)
	if err != nil {
		return err
	}
	var b []float64
	if c.Bias != nil {
		if b, err = torchValues(f, prefix+"bias", c.Out); err != nil {
			return err
		}
	}
	for o := 0; o < c.Out; o++ {
		for k := 0; k < c.Kernel; k++ {
			for i := 0; i < c.In; i++ {
				c.Weight.Data[(o*c.Kernel+k)*c.In+i] = T(w[(o*c.In+i)*c.Kernel+k])
			}
		}
	}
	if b != nil {
		setValues(c.Bias.Data, b)
	}
	return nil
}

// TorchTensors returns the LSTM's parameters as PyTorch's nn.LSTM state-dict
// entries under prefix, in float32: weight_ih_l{k}, weight_hh_l{k}, and the
// bias as bias_ih_l{k} with bias_hh_l{k} zero.
func (l *LSTM[T]) TorchTensors(prefix string) []safetensors.Tensor {
	h := l.Hidden
	var ts []safetensors.Tensor
	for k, ly := range l.Layers {
		wih := make([]float32, 4*h*ly.In)
		for i := 0; i < ly.In; i++ {
			for r := 0; r < 4*h; r++ {
				wih[r*ly.In+i] = float32(ly.WIH.Data[i*4*h+r])
			}
		}
		whh := make([]float32, 4*h*h)
		for j := 0; j < h; j++ {
			for r := 0; r < 4*h; r++ {
				whh[r*h+j] = float32(ly.WHH.Data[j*4*h+r])
			}
		}
		s := itoa(k)
		ts = append(ts,
			safetensors.FromFloat32(prefix+"weight_ih_l"+s, []int{4 * h, ly.In}, wih),
			safetensors.FromFloat32(prefix+"weight_hh_l"+s, []int{4 * h, h}, whh),
			safetensors.FromFloat32(prefix+"bias_ih_l"+s, []int{4 * h}, toF32(ly.B.Data)),
			safetensors.FromFloat32(prefix+"bias_hh_l"+s, []int{4 * h}, make([]float32, 4*h)))
	}
	return ts
}

// LoadTorch sets the LSTM's parameters from PyTorch's nn.LSTM entries under
// prefix in f (weight_ih_l{k}, weight_hh_l{k}, and the biases bias_ih_l{k} and
// bias_hh_l{k}, which are summed; a model without biases may omit both), after
// checking every shape and value. Nothing is changed when an error is returned.
func (l *LSTM[T]) LoadTorch(f *safetensors.File, prefix string) error {
	h := l.Hidden
	type layer struct{ wih, whh, bias []float64 }
	vals := make([]layer, len(l.Layers))
	for k, ly := range l.Layers {
		s := itoa(k)
		var v layer
		var err error
		if v.wih, err = torchValues(f, prefix+"weight_ih_l"+s, 4*h, ly.In); err != nil {
			return err
		}
		if v.whh, err = torchValues(f, prefix+"weight_hh_l"+s, 4*h, h); err != nil {
			return err
		}
		v.bias = make([]float64, 4*h)
		for _, name := range []string{"bias_ih_l", "bias_hh_l"} {
			if f.Tensor(prefix+name+s) == nil {
				continue
			}
			b, err := torchValues(f, prefix+name+s, 4*h)
			if err != nil {
				return err
			}
			for r := range b {
				v.bias[r] += b[r]
			}
		}
		vals[k] = v
	}
	for k, ly := range l.Layers {
		v := vals[k]
		for r := 0; r < 4*h; r++ {
			for i := 0; i < ly.In; i++ {
				ly.WIH.Data[i*4*h+r] = T(v.wih[r*ly.In+i])
			}
			for j := 0; j < h; j++ {
				ly.WHH.Data[j*4*h+r] = T(v.whh[r*h+j])
			}
		}
		setValues(ly.B.Data, v.bias)
	}
	return nil
}

// torchValues returns the values of tensor name in f, checking that it exists,
// has the given shape, and holds finite floating-point values.
func torchValues(f *safetensors.File, name string, shape ...int) ([]float64, error) {
	t := f.Tensor(name)
	if t == nil {
		return nil, fmt.Errorf("nn: tensor %q missing", name)
	}
	if !sameInts(t.Shape, shape) {
		return nil, fmt.Errorf("nn: tensor %q has shape %v, the model needs %v", name, t.Shape, shape)
	}
	v := make([]float64, t.NumElements())
	if err := t.DecodeFloat(v); err != nil {
		return nil, fmt.Errorf("nn: %w", err)
	}
	for i, x := range v {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return nil, fmt.Errorf("nn: tensor %q element %d is %v", name, i, x)
		}
	}
	return v, nil
}

func setValues[T autograd.Float](dst []T, v []float64) {
	defer WeightsChanged()
	for i, x := range v {
		dst[i] = T(x)
	}
}

func toF32[T autograd.Float](v []T) []float32 {
	out := make([]float32, len(v))
	for i, x := range v {
		out[i] = float32(x)
	}
	return out
}

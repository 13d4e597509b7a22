package nn

import (
	"bytes"
	"strings"
	"testing"

	"github.com/neurograd/neurograd/nn/safetensors"
)

// TestTorchRoundTrip exports a model in PyTorch's layouts, checks them against
// the layouts the scalar references use, and loads them into a second model.
func TestTorchRoundTrip(t *testing.T) {
	mk := func(seed uint64) (*Conv1d[float64], *LSTM[float64], *Linear[float64]) {
		c, _ := NewConv1d[float64](Conv1dConfig{In: 2, Out: 3, Kernel: 4, Init: PyTorchUniform, Seed: seed})
		l, _ := NewLSTM[float64](LSTMConfig{In: 3, Hidden: 2, Layers: 2, Seed: seed})
		h, _ := NewLinear[float64](LinearConfig{In: 2, Out: 1, Init: PyTorchUniform, Seed: seed})
		return c, l, h
	}
	c1, l1, h1 := mk(1)
	var ts []safetensors.Tensor
	ts = append(ts, c1.TorchTensors("conv.")...)
	ts = append(ts, l1.TorchTensors("lstm.")...)
	ts = append(ts, h1.TorchTensors("head.")...)
	var buf bytes.Buffer
	if err := safetensors.Write(&buf, ts, map[string]string{"format": "pt"}); err != nil {
		t.Fatal(err)
	}
	f, err := safetensors.Parse(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	// Layouts: the conv weight as refConv1d reads it, the LSTM as refLSTM does.
	v := make([]float64, 3*2*4)
	_ = f.Tensor("conv.weight").DecodeFloat(v)
	if d := maxAbsDiff(v, toF64(toF32(torchConvWeight(c1)))); d != 0 {
		t.Fatalf("conv weight layout differs by %g", d)
	}
	wih, whh, _ := torchWeights(l1)
	v = make([]float64, 8*2)
	_ = f.Tensor("lstm.weight_hh_l1").DecodeFloat(v)
	for r := 0; r < 8; r++ {
		for j := 0; j < 2; j++ {
			if v[r*2+j] != float64(float32(whh[1][r][j])) {
				t.Fatalf("weight_hh_l1[%d,%d] = %v, want %v", r, j, v[r*2+j], whh[1][r][j])
			}
		}
	}
	v = make([]float64, 8*3)
	_ = f.Tensor("lstm.weight_ih_l0").DecodeFloat(v)
	for r := 0; r < 8; r++ {
		for i := 0; i < 3; i++ {
			if v[r*3+i] != float64(float32(wih[0][r][i])) {
				t.Fatalf("weight_ih_l0[%d,%d] = %v, want %v", r, i, v[r*3+i], wih[0][r][i])
			}
		}
	}
	c2, l2, h2 := mk(2)
	if err := c2.LoadTorch(f, "conv."); err != nil {
		t.Fatal(err)
	}
	if err := l2.LoadTorch(f, "lstm."); err != nil {
		t.Fatal(err)
	}
	if err := h2.LoadTorch(f, "head."); err != nil {
		t.Fatal(err)
	}
	pairs := [][2][]float64{{c1.Weight.Data, c2.Weight.Data}, {c1.Bias.Data, c2.Bias.Data}, {h1.Weight.Data, h2.Weight.Data}}
	for k := range l1.Layers {
		pairs = append(pairs, [2][]float64{l1.Layers[k].W.Data, l2.Layers[k].W.Data}, [2][]float64{l1.Layers[k].B.Data, l2.Layers[k].B.Data})
	}
	for i, p := range pairs {
		if d := maxAbsDiff(toF64(toF32(p[0])), p[1]); d != 0 {
			t.Fatalf("parameter %d differs by %g after the round trip", i, d)
		}
	}
	// Errors name the tensor.
	if err := l2.LoadTorch(f, "nope."); err == nil || !strings.Contains(err.Error(), `"nope.weight_ih_l0" missing`) {
		t.Fatalf("missing tensor: %v", err)
	}
	wrong, _ := NewLSTM[float64](LSTMConfig{In: 4, Hidden: 2, Layers: 1})
	if err := wrong.LoadTorch(f, "lstm."); err == nil || !strings.Contains(err.Error(), "has shape [8 3]") {
		t.Fatalf("shape mismatch: %v", err)
	}
}

func toF64(v []float32) []float64 {
	out := make([]float64, len(v))
	for i, x := range v {
		out[i] = float64(x)
	}
	return out
}

package nn

import (
	"bytes"
	"math"
	"strings"
	"testing"

	"github.com/neurograd/neurograd/nn/safetensors"
)

// testModel returns a small registry with every layer kind.
func testModel(seed uint64) *Registry[float32] {
	conv, _ := NewConv1d[float32](Conv1dConfig{In: 2, Out: 3, Kernel: 3, Seed: seed})
	lstm, _ := NewLSTM[float32](LSTMConfig{In: 3, Hidden: 4, Layers: 2, Seed: seed})
	head, _ := NewLinear[float32](LinearConfig{In: 4, Out: 2, Seed: seed})
	reg := NewRegistry[float32]()
	for _, m := range []struct {
		name string
		m    Module[float32]
	}{{"conv.0", conv}, {"lstm", lstm}, {"head", head}} {
		if err := reg.Add(m.name, m.m); err != nil {
			panic(err)
		}
	}
	return reg
}

func TestSaveLoadRoundTrip(t *testing.T) {
	src, dst := testModel(1), testModel(2)
	meta := map[string]string{"hidden": "4", "norm_mean": "[-65.0]"}
	var buf bytes.Buffer
	if err := Save(&buf, src.Params(), meta); err != nil {
		t.Fatal(err)
	}
	got, err := Load(bytes.NewReader(buf.Bytes()), dst.Params())
	if err != nil {
		t.Fatal(err)
	}
	if got["hidden"] != "4" || got["norm_mean"] != "[-65.0]" {
		t.Fatalf("metadata %v", got)
	}
	for i, p := range src.Params() {
		if maxAbsDiff(p.Tensor.Data, dst.Params()[i].Tensor.Data) != 0 {
			t.Fatalf("parameter %s differs after the round trip", p.Name)
		}
	}
	// A float64 model loads the same file (dtype conversion).
	l64, _ := NewLSTM[float64](LSTMConfig{In: 3, Hidden: 4, Layers: 2})
	reg64 := NewRegistry[float64]()
	_ = reg64.Add("lstm", l64)
	var only bytes.Buffer
	var lstmParams []Param[float32]
	for _, p := range src.Params() {
		if strings.HasPrefix(p.Name, "lstm.") {
			lstmParams = append(lstmParams, p)
		}
	}
	_ = Save(&only, lstmParams, nil)
	if _, err := Load(&only, reg64.Params()); err != nil {
		t.Fatal(err)
	}
	if float32(l64.Layers[1].WHH.Data[3]) != src.Get("lstm.1.w_hh").Data[3] {
		t.Fatal("float32 -> float64 load changed a value")
	}
	// The stacked LSTM matrix sees the loaded views.
	if l64.Layers[1].W.Data[l64.Layers[1].In*16+3] != l64.Layers[1].WHH.Data[3] {
		t.Fatal("w_hh view does not alias the stacked matrix")
	}
}

func TestLoadRejects(t *testing.T) {
	src := testModel(1)
	good, _ := MarshalParams(src.Params(), nil)
	tamper := func(f func([]safetensors.Tensor) []safetensors.Tensor) []byte {
		file, err := safetensors.Parse(good)
		if err != nil {
			t.Fatal(err)
		}
		ts := f(append([]safetensors.Tensor(nil), file.Tensors...))
		var b bytes.Buffer
		if err := safetensors.Write(&b, ts, nil); err != nil {
			t.Fatal(err)
		}
		return b.Bytes()
	}
	find := func(ts []safetensors.Tensor, name string) int {
		for i := range ts {
			if ts[i].Name == name {
				return i
			}
		}
		t.Fatalf("no %s", name)
		return -1
	}
	cases := []struct {
		name string
		buf  []byte
		want string
	}{
		{"truncated", good[:len(good)-3], "beyond"},
		{"missing", tamper(func(ts []safetensors.Tensor) []safetensors.Tensor {
			i := find(ts, "head.bias")
			return append(ts[:i], ts[i+1:]...)
		}), `"head.bias" missing`},
		{"extra", tamper(func(ts []safetensors.Tensor) []safetensors.Tensor {
			return append(ts, safetensors.FromFloat32("extra", []int{1}, []float32{1}))
		}), `"extra" is not a parameter`},
		{"shape", tamper(func(ts []safetensors.Tensor) []safetensors.Tensor {
			i := find(ts, "conv.0.weight")
			ts[i].Shape = []int{3, 2, 3}
			return ts
		}), `"conv.0.weight" has shape [3 2 3]`},
		{"nan", tamper(func(ts []safetensors.Tensor) []safetensors.Tensor {
			i := find(ts, "lstm.0.w_ih")
			ts[i] = safetensors.FromFloat32(ts[i].Name, ts[i].Shape, make([]float32, ts[i].NumElements()))
			ts[i].Data[7*4+3] = 0x7f
			ts[i].Data[7*4+2] = 0xc0
			return ts
		}), `"lstm.0.w_ih" element 7 is NaN`},
		{"overflow", tamper(func(ts []safetensors.Tensor) []safetensors.Tensor {
			i := find(ts, "head.weight")
			v := make([]float64, ts[i].NumElements())
			v[2] = 1e300
			ts[i] = safetensors.FromFloat64(ts[i].Name, ts[i].Shape, v)
			return ts
		}), `"head.weight" element 2 is 1e+300`},
		{"integer", tamper(func(ts []safetensors.Tensor) []safetensors.Tensor {
			i := find(ts, "head.bias")
			ts[i].DType = safetensors.I32
			return ts
		}), "not floating point"},
	}
	for _, c := range cases {
		dst := testModel(2)
		before := append([]float32(nil), dst.Get("lstm.0.w_ih").Data...)
		_, err := LoadBytes(c.buf, dst.Params())
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one containing %q", c.name, err, c.want)
		}
		if maxAbsDiff(before, dst.Get("lstm.0.w_ih").Data) != 0 {
			t.Errorf("%s: a failed load changed the parameters", c.name)
		}
	}
}

// FuzzLoad checks that loading arbitrary bytes into a model never panics and
// that a successful load leaves only finite parameters.
func FuzzLoad(f *testing.F) {
	good, _ := MarshalParams(testModel(1).Params(), map[string]string{"a": "b"})
	f.Add(good)
	f.Add(good[:100])
	f.Fuzz(func(t *testing.T, b []byte) {
		reg := testModel(3)
		if _, err := LoadBytes(b, reg.Params()); err != nil {
			return
		}
		for _, p := range reg.Params() {
			for _, v := range p.Tensor.Data {
				if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
					t.Fatalf("%s holds %v after a successful load", p.Name, v)
				}
			}
		}
	})
}

package safetensors

import (
	"bytes"
	"encoding/binary"
	"math"
	"strings"
	"testing"
)

// file builds a raw safetensors file from a header string and data bytes.
func file(header string, data []byte) []byte {
	b := make([]byte, 8, 8+len(header)+len(data))
	binary.LittleEndian.PutUint64(b, uint64(len(header)))
	return append(append(b, header...), data...)
}

func TestRoundTrip(t *testing.T) {
	a := FromFloat32("layer.weight", []int{2, 3}, []float32{1, 2, 3, 4, 5, -6.5})
	b := FromFloat64("layer.bias", []int{2}, []float64{math.Pi, -1e300})
	z := FromFloat32("empty", []int{0, 4}, nil)
	s := FromFloat64("scalar", []int{}, []float64{7})
	var buf bytes.Buffer
	meta := map[string]string{"arch": `{"hidden":64}`, "seed": "1"}
	if err := Write(&buf, []Tensor{a, b, z, s}, meta); err != nil {
		t.Fatal(err)
	}
	if n := binary.LittleEndian.Uint64(buf.Bytes()); (8+n)%8 != 0 {
		t.Fatal("data section not 8-byte aligned")
	}
	f, err := Parse(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if f.Metadata["arch"] != meta["arch"] || f.Metadata["seed"] != "1" || len(f.Tensors) != 4 {
		t.Fatalf("metadata %v, %d tensors", f.Metadata, len(f.Tensors))
	}
	got := make([]float64, 6)
	if err := f.Tensor("layer.weight").DecodeFloat(got); err != nil {
		t.Fatal(err)
	}
	for i, v := range []float64{1, 2, 3, 4, 5, -6.5} {
		if got[i] != v {
			t.Fatalf("element %d = %v", i, got[i])
		}
	}
	g2 := make([]float64, 2)
	if err := f.Tensor("layer.bias").DecodeFloat(g2); err != nil || g2[0] != math.Pi || g2[1] != -1e300 {
		t.Fatalf("F64 round trip %v %v", g2, err)
	}
	if st := f.Tensor("scalar"); st == nil || len(st.Shape) != 0 || st.NumElements() != 1 {
		t.Fatal("scalar tensor lost")
	}
}

// TestPyTorchFile parses a file laid out as the reference Python writer does
// (keys sorted, metadata first, header padded with spaces), including half types.
func TestPyTorchFile(t *testing.T) {
	data := []byte{0x00, 0x3c, 0x00, 0xc0, 0x80, 0x3f, 0x00, 0x40} // F16 1, -2; BF16 1, 2
	h := `{"__metadata__":{"format":"pt"},"a":{"dtype":"F16","shape":[2],"data_offsets":[0,4]},"b":{"dtype":"BF16","shape":[2],"data_offsets":[4,8]}}   `
	f, err := Parse(file(h, data))
	if err != nil {
		t.Fatal(err)
	}
	v := make([]float64, 2)
	if err := f.Tensor("a").DecodeFloat(v); err != nil || v[0] != 1 || v[1] != -2 {
		t.Fatalf("F16 decoded to %v (%v)", v, err)
	}
	if err := f.Tensor("b").DecodeFloat(v); err != nil || v[0] != 1 || v[1] != 2 {
		t.Fatalf("BF16 decoded to %v (%v)", v, err)
	}
	for h, want := range map[uint16]float64{0x7c00: math.Inf(1), 0x0001: math.Ldexp(1, -24), 0x3555: 0.333251953125} {
		if got := halfToFloat(h); got != want {
			t.Fatalf("half %#x = %v, want %v", h, got, want)
		}
	}
	if !math.IsNaN(halfToFloat(0x7e00)) {
		t.Fatal("half NaN")
	}
}

func TestParseRejects(t *testing.T) {
	ok := `{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}`
	d8 := make([]byte, 8)
	cases := []struct {
		name string
		buf  []byte
		want string
	}{
		{"short", []byte{1, 2, 3}, "shorter than"},
		{"header too long", append([]byte{0xff, 0, 0, 0, 0, 0, 0, 0}, ok...), "exceeds"},
		{"not json", file(`{"w":`, nil), "malformed"},
		{"not object", file(`[1,2]`, nil), "not a JSON object"},
		{"trailing", file(ok+`x`, d8), "trailing"},
		{"dtype", file(`{"w":{"dtype":"F33","shape":[2],"data_offsets":[0,8]}}`, d8), `unknown dtype "F33"`},
		{"negative dim", file(`{"w":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}}`, d8), "non-negative"},
		{"fractional dim", file(`{"w":{"dtype":"F32","shape":[1.5],"data_offsets":[0,8]}}`, d8), "non-negative"},
		{"size mismatch", file(`{"w":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}`, d8), "needs 12 bytes"},
		{"huge shape", file(`{"w":{"dtype":"F64","shape":[2147483647,2147483647,2147483647],"data_offsets":[0,8]}}`, d8), "2^64"},
		{"beyond data", file(`{"w":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}`, d8), "beyond"},
		{"reversed", file(`{"w":{"dtype":"F32","shape":[0],"data_offsets":[8,0]}}`, d8), "end before"},
		{"overlap", file(`{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"v":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}`, d8), "overlap"},
		{"gap", file(`{"w":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}`, d8), "gap"},
		{"uncovered", file(`{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}`, d8), "cover 4 bytes"},
		{"duplicate", file(`{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"w":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}`, d8), "duplicate key"},
		{"unknown field", file(`{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8],"x":1}}`, d8), "unknown field"},
		{"missing field", file(`{"w":{"dtype":"F32","data_offsets":[0,8]}}`, d8), "needs dtype"},
		{"meta not string", file(`{"__metadata__":{"a":1}}`, nil), "not a string"},
		{"offsets count", file(`{"w":{"dtype":"F32","shape":[2],"data_offsets":[0]}}`, d8), "2"},
	}
	for _, c := range cases {
		_, err := Parse(c.buf)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one containing %q", c.name, err, c.want)
		}
	}
	if _, err := Parse(file(ok, d8)); err != nil {
		t.Fatalf("valid file rejected: %v", err)
	}
}

func TestWriteRejects(t *testing.T) {
	var buf bytes.Buffer
	bad := [][]Tensor{
		{{Name: "", DType: F32}},
		{{Name: "__metadata__", DType: F32, Shape: []int{}, Data: make([]byte, 4)}},
		{{Name: "a", DType: "X", Shape: []int{1}, Data: make([]byte, 4)}},
		{{Name: "a", DType: F32, Shape: []int{2}, Data: make([]byte, 4)}},
		{{Name: "a", DType: F32, Shape: []int{-1}, Data: nil}},
		{FromFloat32("a", []int{1}, []float32{1}), FromFloat32("a", []int{1}, []float32{1})},
	}
	for i, ts := range bad {
		if err := Write(&buf, ts, nil); err == nil {
			t.Errorf("case %d accepted", i)
		}
	}
}

// FuzzParse checks that Parse never panics and that whatever it accepts is
// self-consistent and survives a write/parse round trip.
func FuzzParse(f *testing.F) {
	var buf bytes.Buffer
	_ = Write(&buf, []Tensor{FromFloat32("a.weight", []int{2, 2}, []float32{1, 2, 3, 4}), FromFloat64("b", []int{1}, []float64{5})}, map[string]string{"k": "v"})
	f.Add(buf.Bytes())
	f.Add(file(`{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}`, make([]byte, 8)))
	f.Add(file(`{}`, nil))
	f.Fuzz(func(t *testing.T, b []byte) {
		file, err := Parse(b)
		if err != nil {
			return
		}
		for i := range file.Tensors {
			tt := &file.Tensors[i]
			if tt.NumElements()*tt.DType.Size() != len(tt.Data) {
				t.Fatalf("tensor %q: shape %v and %d bytes disagree", tt.Name, tt.Shape, len(tt.Data))
			}
			if tt.DType == F32 || tt.DType == F64 || tt.DType == F16 || tt.DType == BF16 {
				if err := tt.DecodeFloat(make([]float64, tt.NumElements())); err != nil {
					t.Fatal(err)
				}
			}
		}
		var out bytes.Buffer
		if err := Write(&out, file.Tensors, file.Metadata); err != nil {
			t.Fatalf("accepted file does not write back: %v", err)
		}
		again, err := Parse(out.Bytes())
		if err != nil || len(again.Tensors) != len(file.Tensors) {
			t.Fatalf("round trip failed: %v", err)
		}
	})
}

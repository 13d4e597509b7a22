package safetensors_test

import (
	"bytes"
	"fmt"

	"github.com/neurograd/neurograd/nn/safetensors"
)

// Write two tensors with metadata, then parse the file back.
func Example() {
	var file bytes.Buffer
	err := safetensors.Write(&file, []safetensors.Tensor{
		safetensors.FromFloat32("head.weight", []int{2, 3}, []float32{1, 2, 3, 4, 5, 6}),
		safetensors.FromFloat64("head.bias", []int{2}, []float64{0.5, -0.5}),
	}, map[string]string{"units": "mV"})
	if err != nil {
		panic(err)
	}
	f, err := safetensors.Parse(file.Bytes())
	if err != nil {
		panic(err)
	}
	for _, t := range f.Tensors {
		v := make([]float64, t.NumElements())
		_ = t.DecodeFloat(v)
		fmt.Println(t.Name, t.DType, t.Shape, v)
	}
	fmt.Println("units:", f.Metadata["units"])

	// A truncated file is rejected with the reason.
	_, err = safetensors.Parse(file.Bytes()[:file.Len()-4])
	fmt.Println(err)
	// Output:
	// head.weight F32 [2 3] [1 2 3 4 5 6]
	// head.bias F64 [2] [0.5 -0.5]
	// units: mV
	// safetensors: tensor "head.bias": data offsets [24, 40] beyond the 36-byte data section
}

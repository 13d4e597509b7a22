package safetensors

import (
	"encoding/binary"
	"fmt"
	"math"
)

// FromFloat32 returns a tensor of dtype F32 holding data (copied) with shape.
func FromFloat32(name string, shape []int, data []float32) Tensor {
	b := make([]byte, 4*len(data))
	for i, v := range data {
		binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(v))
	}
	return Tensor{Name: name, DType: F32, Shape: append([]int(nil), shape...), Data: b}
}

// FromFloat64 returns a tensor of dtype F64 holding data (copied) with shape.
func FromFloat64(name string, shape []int, data []float64) Tensor {
	b := make([]byte, 8*len(data))
	for i, v := range data {
		binary.LittleEndian.PutUint64(b[8*i:], math.Float64bits(v))
	}
	return Tensor{Name: name, DType: F64, Shape: append([]int(nil), shape...), Data: b}
}

// DecodeFloat writes the tensor's elements, converted to float64, to dst (of
// length NumElements) and calls nothing else. It supports F64, F32, F16 and BF16
// and returns an error naming the tensor for other dtypes or a wrong length.
func (t *Tensor) DecodeFloat(dst []float64) error {
	n := t.NumElements()
	if len(dst) != n || len(t.Data) != n*t.DType.Size() {
		return fmt.Errorf("safetensors: tensor %q: %d elements do not fit a destination of %d", t.Name, n, len(dst))
	}
	b := t.Data
	switch t.DType {
	case F64:
		for i := range dst {
			dst[i] = math.Float64frombits(binary.LittleEndian.Uint64(b[8*i:]))
		}
	case F32:
		for i := range dst {
			dst[i] = float64(math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:])))
		}
	case BF16:
		for i := range dst {
			dst[i] = float64(math.Float32frombits(uint32(binary.LittleEndian.Uint16(b[2*i:])) << 16))
		}
	case F16:
		for i := range dst {
			dst[i] = halfToFloat(binary.LittleEndian.Uint16(b[2*i:]))
		}
	default:
		return fmt.Errorf("safetensors: tensor %q: dtype %s is not floating point", t.Name, t.DType)
	}
	return nil
}

// halfToFloat converts an IEEE 754 binary16 value.
func halfToFloat(h uint16) float64 {
	sign := 1.0
	if h&0x8000 != 0 {
		sign = -1
	}
	exp := int(h>>10) & 0x1f
	frac := float64(h & 0x3ff)
	switch exp {
	case 0:
		return sign * frac * math.Ldexp(1, -24)
	case 0x1f:
		if frac == 0 {
			return math.Inf(int(sign))
		}
		return math.NaN()
	}
	return sign * (1 + frac/1024) * math.Ldexp(1, exp-15)
}

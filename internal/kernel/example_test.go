package kernel_test

import (
	"fmt"

	"github.com/neurograd/neurograd/internal/kernel"
)

func ExampleGemm() {
	// C = A*B for A 2x3 and B 3x2, row-major.
	a := []float32{1, 2, 3, 4, 5, 6}
	b := []float32{7, 8, 9, 10, 11, 12}
	c := make([]float32, 4)
	kernel.Gemm(false, false, 2, 2, 3, 1, a, 3, b, 2, 0, c, 2)
	fmt.Println(c)
	// C += op(A)*B' where op(A) is the transpose of the 2x2 block [1 2; 4 5] of
	// a (stride 3) and B' the 2x2 block [7 8; 9 10] of b.
	kernel.Gemm(true, false, 2, 2, 2, 1, a, 3, b, 2, 1, c, 2)
	fmt.Println(c)
	// Output:
	// [58 64 139 154]
	// [101 112 198 220]
}

func ExampleLSTMCell() {
	const batch, hidden = 1, 2
	gates := []float64{0, 0, 0, 0, 1, -1, 0, 0} // [i f g o] pre-activations
	cPrev := []float64{1, 2}
	c, h, tanhC := make([]float64, 2), make([]float64, 2), make([]float64, 2)
	kernel.LSTMCell(gates, cPrev, c, h, tanhC, batch, hidden)
	fmt.Printf("c=%.4f h=%.4f\n", c, h)
	// Output:
	// c=[0.8808 0.6192] h=[0.3534 0.2753]
}

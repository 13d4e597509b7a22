package autograd

import "fmt"

// bcast describes how two operands broadcast to an output shape (NumPy rules,
// dimensions aligned from the right, size-1 dimensions stretched). The output is
// walked as rows of its last dimension; each operand row starts at a computed
// offset and steps by 1 or 0 (stretched) along the row.
type bcast struct {
	out        [MaxDims]int
	rank       int
	strideA    [MaxDims]int // 0 where a is stretched
	strideB    [MaxDims]int
	rowLen     int
	stepA      int // step along the last dimension: 1 or 0
	stepB      int
	rows       int
	sameShapes bool
}

func newBcast[T Float](op string, a, b *Tensor[T]) bcast {
	var bc bcast
	bc.rank = max(a.rank, b.rank)
	sa, sb := 1, 1
	for i := bc.rank - 1; i >= 0; i-- {
		da, db := 1, 1
		if j := i - (bc.rank - a.rank); j >= 0 {
			da = a.shapeBuf[j]
		}
		if j := i - (bc.rank - b.rank); j >= 0 {
			db = b.shapeBuf[j]
		}
		switch {
		case da == db:
			bc.out[i] = da
		case da == 1:
			bc.out[i] = db
		case db == 1:
			bc.out[i] = da
		default:
			panic(fmt.Sprintf("autograd: %s: shapes %v and %v do not broadcast", op, a.Shape(), b.Shape()))
		}
		if da != 1 || bc.out[i] == 1 {
			bc.strideA[i] = sa
		}
		if db != 1 || bc.out[i] == 1 {
			bc.strideB[i] = sb
		}
		sa *= da
		sb *= db
	}
	bc.sameShapes = sameShape(a, b)
	bc.rowLen = 1
	bc.stepA, bc.stepB = 1, 1
	if bc.rank > 0 {
		bc.rowLen = bc.out[bc.rank-1]
		bc.stepA = bc.strideA[bc.rank-1]
		bc.stepB = bc.strideB[bc.rank-1]
	}
	bc.rows = 1
	for i := 0; i < bc.rank-1; i++ {
		bc.rows *= bc.out[i]
	}
	if bc.rowLen == 0 {
		bc.rows = 0
	}
	return bc
}

func (bc *bcast) shape() []int { return bc.out[:bc.rank] }

// forRows calls f for every output row with the row's offsets into out, a and b.
func (bc *bcast) forRows(f func(oo, oa, ob int)) {
	var idx [MaxDims]int
	oa, ob := 0, 0
	for r := 0; r < bc.rows; r++ {
		f(r*bc.rowLen, oa, ob)
		// Advance the multi-index over all but the last dimension.
		for d := bc.rank - 2; d >= 0; d-- {
			idx[d]++
			oa += bc.strideA[d]
			ob += bc.strideB[d]
			if idx[d] < bc.out[d] {
				break
			}
			oa -= bc.strideA[d] * idx[d]
			ob -= bc.strideB[d] * idx[d]
			idx[d] = 0
		}
	}
}

package kernel

// The vector wrappers run the implementation's SIMD routine on the largest
// multiple of its vector width and finish the remaining elements in Go.

func simdLen(n, lanes int) int { return n - n%lanes }

func axpy[T Float](o *ops[T], alpha T, x, y []T) {
	y = y[:len(x)]
	i := 0
	if o.axpy != nil {
		i = simdLen(len(x), o.lanes)
		o.axpy(alpha, x[:i], y[:i])
	}
	for ; i < len(x); i++ {
		y[i] += alpha * x[i]
	}
}

func scal[T Float](o *ops[T], alpha T, x []T) {
	i := 0
	if o.scal != nil {
		i = simdLen(len(x), o.lanes)
		o.scal(alpha, x[:i])
	}
	for ; i < len(x); i++ {
		x[i] *= alpha
	}
}

func dot[T Float](o *ops[T], x, y []T) T {
	y = y[:len(x)]
	i := 0
	var s T
	if o.dot != nil {
		i = simdLen(len(x), o.lanes)
		s = o.dot(x[:i], y[:i])
	} else {
		var s0, s1, s2, s3 T
		for ; i+4 <= len(x); i += 4 {
			s0 += x[i] * y[i]
			s1 += x[i+1] * y[i+1]
			s2 += x[i+2] * y[i+2]
			s3 += x[i+3] * y[i+3]
		}
		s = (s0 + s1) + (s2 + s3)
	}
	for ; i < len(x); i++ {
		s += x[i] * y[i]
	}
	return s
}

func sum[T Float](o *ops[T], x []T) T {
	i := 0
	var s T
	if o.sum != nil {
		i = simdLen(len(x), o.lanes)
		s = o.sum(x[:i])
	} else {
		var s0, s1, s2, s3 T
		for ; i+4 <= len(x); i += 4 {
			s0 += x[i]
			s1 += x[i+1]
			s2 += x[i+2]
			s3 += x[i+3]
		}
		s = (s0 + s1) + (s2 + s3)
	}
	for ; i < len(x); i++ {
		s += x[i]
	}
	return s
}

type binaryOp int

const (
	opAdd binaryOp = iota
	opSub
	opMul
	opMulAdd
)

func binaryOps[T Float](o *ops[T], op binaryOp, dst, a, b []T) {
	n := len(dst)
	a, b = a[:n], b[:n]
	var f func(dst, a, b []T)
	switch op {
	case opAdd:
		f = o.add
	case opSub:
		f = o.sub
	case opMul:
		f = o.mul
	case opMulAdd:
		f = o.mulAdd
	}
	i := 0
	if f != nil {
		i = simdLen(n, o.lanes)
		f(dst[:i], a[:i], b[:i])
	}
	switch op {
	case opAdd:
		for ; i < n; i++ {
			dst[i] = a[i] + b[i]
		}
	case opSub:
		for ; i < n; i++ {
			dst[i] = a[i] - b[i]
		}
	case opMul:
		for ; i < n; i++ {
			dst[i] = a[i] * b[i]
		}
	case opMulAdd:
		for ; i < n; i++ {
			dst[i] += a[i] * b[i]
		}
	}
}

type unaryFn int

const (
	fnExp unaryFn = iota
	fnSigmoid
	fnTanh
)

func unaryOps[T Float](o *ops[T], fn unaryFn, dst, x []T) {
	n := len(dst)
	x = x[:n]
	var f func(dst, x []T)
	switch fn {
	case fnExp:
		f = o.exp
	case fnSigmoid:
		f = o.sigmoid
	case fnTanh:
		f = o.tanh
	}
	i := 0
	if f != nil {
		i = simdLen(n, o.lanes)
		f(dst[:i], x[:i])
	}
	if i < n && o.unaryTail != nil {
		o.unaryTail(fn, dst[i:], x[i:])
		return
	}
	switch fn {
	case fnExp:
		for ; i < n; i++ {
			dst[i] = T(expGo(float64(x[i])))
		}
	case fnSigmoid:
		for ; i < n; i++ {
			dst[i] = T(sigmoidGo(float64(x[i])))
		}
	case fnTanh:
		for ; i < n; i++ {
			dst[i] = T(tanhGo(float64(x[i])))
		}
	}
}

package spectral

import (
	"fmt"

	"github.com/neurograd/neurograd/autograd"
)

// PSDOp records the plan's PSD (Welch or periodogram) of x on tp and returns it.
// x is [N] or [batch, N]; the result is [NFreq] or [batch, NFreq] in u²/Hz
// (density) or u² (spectrum). Its backward is Plan.VJP, the exact adjoint (see
// there). float32 tensors are computed in float64 and rounded. It returns an error
// when x has the wrong length or holds NaN or Inf.
func PSDOp[T autograd.Float](tp *autograd.Tape[T], pl *Plan, x *autograd.Tensor[T]) (*autograd.Tensor[T], error) {
	n := pl.p.N
	var batch int
	switch {
	case x.Rank() == 1 && x.Dim(0) == n:
		batch = 1
	case x.Rank() == 2 && x.Dim(1) == n:
		batch = x.Dim(0)
	default:
		return nil, fmt.Errorf("spectral: PSDOp input shape %v, want [%d] or [batch, %d]", x.Shape(), n, n)
	}
	nf := pl.NFreq()
	var out *autograd.Tensor[T]
	if x.Rank() == 1 {
		out = tp.NewTensor(nf)
	} else {
		out = tp.NewTensor(batch, nf)
	}
	switch xd := any(x.Data).(type) {
	case []float64:
		if _, err := pl.PSD(any(out.Data).([]float64), xd); err != nil {
			return nil, err
		}
	default:
		pw, err := pl.PSD(nil, toFloat64(x.Data))
		if err != nil {
			return nil, err
		}
		fromFloat64(out.Data, pw)
	}
	tp.Record(psdOp[T]{pl}, out, x)
	return out, nil
}

type psdOp[T autograd.Float] struct{ pl *Plan }

func (o psdOp[T]) Backward(tp *autograd.Tape[T], nd *autograd.Node[T]) {
	x := nd.In[0]
	if !x.RequiresGrad() {
		return
	}
	gx := tp.GradOf(x)
	var err error
	switch xd := any(x.Data).(type) {
	case []float64:
		dx := any(tp.Scratch(len(gx))).([]float64)
		_, err = o.pl.VJP(dx, xd, any(nd.Out.Grad).([]float64))
		for i, v := range dx {
			gx[i] += T(v)
		}
	default:
		var dx []float64
		dx, err = o.pl.VJP(nil, toFloat64(x.Data), toFloat64(nd.Out.Grad))
		for i, v := range dx {
			gx[i] += T(v)
		}
	}
	if err != nil {
		panic(fmt.Sprintf("spectral: PSD backward: %v", err)) // inputs were validated by the forward pass
	}
}

// bandKind selects the reduction of a band op.
type bandKind int

const (
	bandPower bandKind = iota
	bandLogPower
	bandRelative
)

// BandPowerOp records the band power Σ_k a_k P_k of each PSD row on tp (see
// Band): psd is [NBins] or [batch, NBins], the result [] (rank 0) or [batch].
func BandPowerOp[T autograd.Float](tp *autograd.Tape[T], b *Band, psd *autograd.Tensor[T]) (*autograd.Tensor[T], error) {
	return bandOp(tp, b, psd, bandPower)
}

// LogBandPowerOp records the natural log of each PSD row's band power on tp.
func LogBandPowerOp[T autograd.Float](tp *autograd.Tape[T], b *Band, psd *autograd.Tensor[T]) (*autograd.Tensor[T], error) {
	return bandOp(tp, b, psd, bandLogPower)
}

// RelativeBandPowerOp records each PSD row's band power divided by its total
// power on tp.
func RelativeBandPowerOp[T autograd.Float](tp *autograd.Tape[T], b *Band, psd *autograd.Tensor[T]) (*autograd.Tensor[T], error) {
	return bandOp(tp, b, psd, bandRelative)
}

func bandOp[T autograd.Float](tp *autograd.Tape[T], b *Band, psd *autograd.Tensor[T], kind bandKind) (*autograd.Tensor[T], error) {
	nf := b.NBins()
	var out *autograd.Tensor[T]
	switch {
	case psd.Rank() == 1 && psd.Dim(0) == nf:
		out = tp.NewTensor()
	case psd.Rank() == 2 && psd.Dim(1) == nf:
		out = tp.NewTensor(psd.Dim(0))
	default:
		return nil, fmt.Errorf("spectral: band op input shape %v, want [%d] or [batch, %d]", psd.Shape(), nf, nf)
	}
	p := toFloat64(psd.Data)
	var res []float64
	var err error
	switch kind {
	case bandPower:
		res, err = b.Power(nil, p)
	case bandLogPower:
		res, err = b.LogPower(nil, p)
	default:
		res, err = b.Relative(nil, p)
	}
	if err != nil {
		return nil, err
	}
	fromFloat64(out.Data, res)
	if nd := tp.Record(bandOpNode[T]{b}, out, psd); nd != nil {
		nd.I[0] = int(kind)
	}
	return out, nil
}

type bandOpNode[T autograd.Float] struct{ b *Band }

func (o bandOpNode[T]) Backward(tp *autograd.Tape[T], nd *autograd.Node[T]) {
	psd := nd.In[0]
	if !psd.RequiresGrad() {
		return
	}
	p, g := toFloat64(psd.Data), toFloat64(nd.Out.Grad)
	var d []float64
	var err error
	switch bandKind(nd.I[0]) {
	case bandPower:
		d, err = o.b.PowerVJP(nil, p, g)
	case bandLogPower:
		d, err = o.b.LogPowerVJP(nil, p, g)
	default:
		d, err = o.b.RelativeVJP(nil, p, g)
	}
	if err != nil {
		panic(fmt.Sprintf("spectral: band backward: %v", err))
	}
	gp := tp.GradOf(psd)
	for i, v := range d {
		gp[i] += T(v)
	}
}

// toFloat64 returns x as []float64: x itself for float64, a converted copy otherwise.
func toFloat64[T autograd.Float](x []T) []float64 {
	if d, ok := any(x).([]float64); ok {
		return d
	}
	d := make([]float64, len(x))
	for i, v := range x {
		d[i] = float64(v)
	}
	return d
}

func fromFloat64[T autograd.Float](dst []T, x []float64) {
	for i, v := range x {
		dst[i] = T(v)
	}
}

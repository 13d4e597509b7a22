package spectral

import (
	"fmt"

	"github.com/neurograd/neurograd/autograd"
)

// PSDOp records the plan's PSD (Welch or periodogram) of x on tp and returns it.
// x is [N] or [batch, N]; the result is [NFreq] or [batch, NFreq] in u²/Hz
// (density) or u² (spectrum). float32 tensors are computed in float64 and
// rounded. When the op is recorded, the segments' spectra are kept in tape memory
// (Plan.SavedLen(batch) elements) and the backward pass is Plan.VJPSaved, the
// exact adjoint (see Plan.VJP), accumulated into x's gradient. It returns an
// error when x has the wrong shape or holds NaN or Inf.
func PSDOp[T autograd.Float](tp *autograd.Tape[T], pl *Plan, x *autograd.Tensor[T]) (*autograd.Tensor[T], error) {
	n := pl.p.N
	var out *autograd.Tensor[T]
	switch {
	case x.Rank() == 1 && x.Dim(0) == n:
		out = tp.NewTensor(pl.NFreq())
	case x.Rank() == 2 && x.Dim(1) == n && x.Dim(0) > 0:
		out = tp.NewTensor(x.Dim(0), pl.NFreq())
	default:
		return nil, fmt.Errorf("spectral: PSDOp input shape %v, want [%d] or [batch, %d]", x.Shape(), n, n)
	}
	batch, err := checkBatch(pl, x.Data)
	if err != nil {
		return nil, err
	}
	var saved []T
	if tp.NeedsGrad(x) {
		saved = tp.Scratch(pl.SavedLen(batch))
	}
	computePSD(pl, out.Data, x.Data, saved)
	if nd := tp.Record(psdOp[T]{pl}, out, x); nd != nil {
		nd.Saved = saved
		psdArgs{batch: batch}.pack(&nd.Args)
	}
	return out, nil
}

type psdOp[T autograd.Float] struct{ pl *Plan }

// psdArgs are the parameters of a psdOp node: the number of signals.
type psdArgs struct {
	batch int
}

func (a psdArgs) pack(s *autograd.Args) { s.Ints[0] = a.batch }

func unpackPSDArgs(s *autograd.Args) psdArgs { return psdArgs{batch: s.Ints[0]} }

func (o psdOp[T]) Backward(tp *autograd.Tape[T], nd *autograd.Node[T]) {
	computeVJP(o.pl, tp.GradOf(nd.In[0]), nil, nd.Saved, nd.Out.Grad, unpackPSDArgs(&nd.Args).batch)
}

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
	bandForward(b, kind, out.Data, psd.Data)
	if nd := tp.Record(bandOpNode[T]{b}, out, psd); nd != nil {
		bandArgs{kind: kind}.pack(&nd.Args)
	}
	return out, nil
}

type bandOpNode[T autograd.Float] struct{ b *Band }

// bandArgs are the parameters of a bandOpNode node: the reduction.
type bandArgs struct {
	kind bandKind
}

func (a bandArgs) pack(s *autograd.Args) { s.Ints[0] = int(a.kind) }

func unpackBandArgs(s *autograd.Args) bandArgs { return bandArgs{kind: bandKind(s.Ints[0])} }

func (o bandOpNode[T]) Backward(tp *autograd.Tape[T], nd *autograd.Node[T]) {
	psd := nd.In[0]
	bandBackward(o.b, unpackBandArgs(&nd.Args).kind, tp.GradOf(psd), psd.Data, nd.Out.Grad)
}

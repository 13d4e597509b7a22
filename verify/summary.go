package verify

// summarise fills in the report from the measurements: the means of every
// condition, the surrogate's agreement with the biophysical column and the
// comparison of the optimized with the initial connectivity in each model.
func (v *verification) summarise() {
	for ci := range v.rep.Conditions {
		v.summariseCondition(&v.rep.Conditions[ci])
	}
	ini, opt := &v.rep.Conditions[0], &v.rep.Conditions[1]
	v.rep.Biophysical = compare(ini.measurements(ModelBiophysical), opt.measurements(ModelBiophysical), v.target)
	if v.opts.Surrogate != nil {
		c := compare(ini.measurements(ModelSurrogate), opt.measurements(ModelSurrogate), v.target)
		v.rep.Surrogate = &c
	}
}

// summariseCondition averages one condition's seeds per model, correlates
// the surrogate network's dipoles with the biophysical ones and records how
// the two models agree.
func (v *verification) summariseCondition(cr *ConditionResult) {
	cr.Mean.Biophysical = meanOf(cr.measurements(ModelBiophysical))
	var rs, ro float64
	for i := range cr.Seeds {
		sr := &cr.Seeds[i]
		if sr.Surrogate != nil {
			r := v.spec.dipoleR(sr.Biophysical, sr.Surrogate)
			sr.SurrogateDipoleR = &r
			rs += r / float64(len(cr.Seeds))
		}
		if sr.OpenLoopDipoleR != nil {
			ro += *sr.OpenLoopDipoleR / float64(len(cr.Seeds))
		}
	}
	if v.openLoop != nil {
		cr.Mean.OpenLoopDipoleR = &ro
		cr.Mean.OpenLoop = meanOf(cr.measurements(ModelOpenLoop))
	}
	if v.opts.Surrogate != nil {
		cr.Mean.SurrogateDipoleR = &rs
		cr.Mean.Surrogate = meanOf(cr.measurements(ModelSurrogate))
		v.rep.SurrogateVsBiophysical = append(v.rep.SurrogateVsBiophysical, agreement(cr))
	}
}

// measurements returns the named model's measurement of every seed.
func (cr *ConditionResult) measurements(model string) []*Measurement {
	out := make([]*Measurement, len(cr.Seeds))
	for i := range cr.Seeds {
		switch model {
		case ModelBiophysical:
			out[i] = cr.Seeds[i].Biophysical
		case ModelSurrogate:
			out[i] = cr.Seeds[i].Surrogate
		case ModelOpenLoop:
			out[i] = cr.Seeds[i].OpenLoop
		}
	}
	return out
}

// agreement compares the surrogate network's seed means of a condition
// with the biophysical ones.
func agreement(cr *ConditionResult) ModelAgreement {
	b, s := cr.Mean.Biophysical, cr.Mean.Surrogate
	ag := ModelAgreement{
		Condition:      cr.Name,
		BandPowerRatio: s.BandPower / b.BandPower,
		PeakHzDiff:     s.PeakHz - b.PeakHz,
		RateDiffHz:     map[string]float64{},
	}
	for k, v := range b.RatesHz {
		ag.RateDiffHz[k] = s.RatesHz[k] - v
	}
	return ag
}

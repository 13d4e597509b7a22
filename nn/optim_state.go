package nn

import "fmt"

// AdamState is what an Adam optimizer carries between steps: the number of
// updates applied and, per parameter (in the optimizer's order), the first
// and second moment estimates. With the parameters' values it is all a
// training checkpoint needs to continue bit for bit.
type AdamState[T any] struct {
	Steps int
	M, V  [][]T
}

// State returns a copy of the optimizer's state.
func (a *Adam[T]) State() AdamState[T] {
	s := AdamState[T]{Steps: a.t}
	for i := range a.m {
		s.M = append(s.M, append([]T(nil), a.m[i]...))
		s.V = append(s.V, append([]T(nil), a.v[i]...))
	}
	return s
}

// SetState replaces the optimizer's state with s (a State of an optimizer
// over parameters of the same sizes); it returns an error, changing
// nothing, when the sizes differ or the step count is negative.
func (a *Adam[T]) SetState(s AdamState[T]) error {
	if s.Steps < 0 {
		return fmt.Errorf("nn: Adam state with %d steps", s.Steps)
	}
	if len(s.M) != len(a.m) || len(s.V) != len(a.v) {
		return fmt.Errorf("nn: Adam state for %d/%d parameters, the optimizer has %d", len(s.M), len(s.V), len(a.m))
	}
	for i := range a.m {
		if len(s.M[i]) != len(a.m[i]) || len(s.V[i]) != len(a.v[i]) {
			return fmt.Errorf("nn: Adam state of parameter %d has %d/%d values, want %d", i, len(s.M[i]), len(s.V[i]), len(a.m[i]))
		}
	}
	a.t = s.Steps
	for i := range a.m {
		copy(a.m[i], s.M[i])
		copy(a.v[i], s.V[i])
	}
	return nil
}

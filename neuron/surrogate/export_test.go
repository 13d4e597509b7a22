package surrogate

import "github.com/neurograd/neurograd/autograd"

// Internals the external tests (package surrogate_test) need.
const ExactDt = exactDt

// ExactStateWidth is exactStateWidth for the external tests.
var ExactStateWidth = exactStateWidth

// ResetExactState points an ExactBasket state back at its own memory (the
// state NewState made), as a new simulation on a reset tape would start.
func ResetExactState[T autograd.Float](st *ExactState[T]) { st.S = st.own }

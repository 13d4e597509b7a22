package autograd

// Generation returns the number of times the tape was Reset. Values derived
// from parameters for one pass (for example weights packed for the GEMMs of
// every time step) may be kept for as long as the generation stays the same,
// since parameters are updated between passes, not during one.
func (tp *Tape[T]) Generation() uint64 { return tp.gen }

// Memo returns the value stored under key by SetMemo, or nil. Memo values
// survive Reset (check Generation to tell whether one is current) and live as
// long as the tape: a place for a layer to keep per-tape work buffers without
// locking, since a tape belongs to one goroutine.
func (tp *Tape[T]) Memo(key any) any { return tp.memo[key] }

// SetMemo stores v under key (a comparable value; see Memo).
func (tp *Tape[T]) SetMemo(key, v any) {
	if tp.memo == nil {
		tp.memo = map[any]any{}
	}
	tp.memo[key] = v
}

// Package nn holds the neural-network layers, losses, optimizers and weight files
// that neurograd's surrogate neurons and spiking network are built from, on top of
// the reverse-mode autodiff of package autograd.
//
// Every layer works on a caller-owned *autograd.Tape in two ways: over a whole
// sequence of shape [batch, time, channels] (training on windows), and one time
// step at a time on [batch, channels] with state carried across steps by a state
// value the caller owns (the spiking network, where each step's input depends on
// the previous steps' outputs). Both are recorded on the tape, so full
// backpropagation through time works across any number of steps; a tape that is
// Reset and rebuilt with the same graph allocates nothing per iteration.
//
// Carried state (LSTMState, ConvState) refers to tensors on the tape until
// Detach copies it into memory the state owns; call Detach before Reset when the
// state must outlive the tape's contents (truncated backpropagation through time,
// long inference runs).
//
// Parameters are heap tensors (autograd.NewParam) listed by each layer under
// PyTorch-like dotted names (Params), which optimizers, gradient clipping and the
// safetensors weight files (Save, Load) iterate over generically.
//
// Layouts: sequences are [batch, time, channels], row-major. Linear and Conv1d
// weights use PyTorch's layouts ([out, in] and [out, in, kernel]); the LSTM keeps
// its input and recurrent weights transposed and stacked, [in+hidden, 4*hidden],
// so that one GEMM per step computes all four gates (see LSTM).
package nn

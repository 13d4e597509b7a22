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
// As everywhere in autograd, the backward pass reads the inputs of recorded ops,
// so a tensor passed to an op must not be modified until Backward has run. The
// Step methods are the exception for inputs that need no gradient: they save the
// values they need, so a caller may refill one input tensor at every step.
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
// Layouts: sequences are [batch, time, channels], row-major. Linear weights use
// PyTorch's layout [out, in]. Conv1d weights are [out, kernel, in] (PyTorch's
// [out, in, kernel] permuted) so every tap is a GEMM operand as stored. The LSTM
// keeps its input and recurrent weights transposed and stacked, [in+hidden,
// 4*hidden], so that one GEMM per step computes all four gates; its parameters
// w_ih and w_hh are views of the two blocks (see LSTM for the PyTorch mapping).
// The TorchTensors and LoadTorch methods of Linear, Conv1d and LSTM translate to
// and from PyTorch's state-dict names and layouts, so weights move between the
// two frameworks in safetensors files.
//
// Concurrency: a tape belongs to one goroutine. Several tapes may run the same
// layers at once only without recording gradients (parameters' gradients are
// shared); the layers' backward passes use a helper goroutine for independent
// GEMMs when GOMAXPROCS > 1.
package nn

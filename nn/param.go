package nn

import (
	"fmt"
	"strings"

	"github.com/neurograd/neurograd/autograd"
)

// Param is a named trainable tensor. Names are dotted paths such as
// "lstm.0.w_ih"; they are the keys of weight files.
type Param[T autograd.Float] struct {
	Name   string
	Tensor *autograd.Tensor[T]
}

// Module is anything that owns parameters. Params lists them with names relative
// to the module (for example "weight", "0.w_ih"), in a fixed order.
type Module[T autograd.Float] interface {
	Params() []Param[T]
}

// Registry is an ordered list of uniquely named parameters collected from modules.
// Optimizers, gradient clipping and weight files iterate over it.
type Registry[T autograd.Float] struct {
	params []Param[T]
	index  map[string]int
}

// NewRegistry returns an empty registry.
func NewRegistry[T autograd.Float]() *Registry[T] {
	return &Registry[T]{index: map[string]int{}}
}

// Add registers every parameter of m under prefix + "." + its name (or its bare
// name when prefix is empty). It returns an error naming the first duplicate.
func (r *Registry[T]) Add(prefix string, m Module[T]) error {
	for _, p := range m.Params() {
		name := p.Name
		if prefix != "" {
			name = prefix + "." + name
		}
		if err := r.AddTensor(name, p.Tensor); err != nil {
			return err
		}
	}
	return nil
}

// AddTensor registers one tensor under name. It returns an error when the name is
// empty, contains white space, or is already taken.
func (r *Registry[T]) AddTensor(name string, t *autograd.Tensor[T]) error {
	if name == "" || strings.ContainsAny(name, " \t\n") {
		return fmt.Errorf("nn: invalid parameter name %q", name)
	}
	if t == nil {
		return fmt.Errorf("nn: parameter %q is nil", name)
	}
	if r.index == nil {
		r.index = map[string]int{}
	}
	if _, dup := r.index[name]; dup {
		return fmt.Errorf("nn: duplicate parameter name %q", name)
	}
	r.index[name] = len(r.params)
	r.params = append(r.params, Param[T]{Name: name, Tensor: t})
	return nil
}

// Params returns the registered parameters in registration order (the registry
// itself is a Module). The slice aliases the registry: do not modify it.
func (r *Registry[T]) Params() []Param[T] { return r.params }

// Get returns the parameter registered under name, or nil.
func (r *Registry[T]) Get(name string) *autograd.Tensor[T] {
	if i, ok := r.index[name]; ok {
		return r.params[i].Tensor
	}
	return nil
}

// Len returns the number of registered parameters.
func (r *Registry[T]) Len() int { return len(r.params) }

// NumElements returns the total number of scalar parameters.
func (r *Registry[T]) NumElements() int {
	n := 0
	for _, p := range r.params {
		n += p.Tensor.Len()
	}
	return n
}

// ZeroGrad clears the accumulated gradient of every parameter.
func (r *Registry[T]) ZeroGrad() { ZeroGrad(r.params) }

// ZeroGrad clears the accumulated gradient of every parameter in ps.
func ZeroGrad[T autograd.Float](ps []Param[T]) {
	for _, p := range ps {
		p.Tensor.ZeroGrad()
	}
}

// prefixed returns ps with prefix + "." prepended to every name.
func prefixed[T autograd.Float](prefix string, ps []Param[T]) []Param[T] {
	for i := range ps {
		ps[i].Name = prefix + "." + ps[i].Name
	}
	return ps
}

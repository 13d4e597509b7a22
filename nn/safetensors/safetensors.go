package safetensors

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"math/bits"
	"sort"
)

// MaxHeaderBytes is the largest header Parse accepts (as the reference
// implementation, 100 MB).
const MaxHeaderBytes = 100 << 20

// MetadataKey is the reserved header key of the free-form string metadata.
const MetadataKey = "__metadata__"

// DType names an element type as the format spells it.
type DType string

// The element types this package knows. Parse accepts all of them; Float64s
// converts the floating-point ones.
const (
	F64  DType = "F64"
	F32  DType = "F32"
	F16  DType = "F16"
	BF16 DType = "BF16"
	I64  DType = "I64"
	I32  DType = "I32"
	I16  DType = "I16"
	I8   DType = "I8"
	U8   DType = "U8"
	BOOL DType = "BOOL"
)

// Size returns the number of bytes of one element, or 0 for an unknown dtype.
func (d DType) Size() int {
	switch d {
	case F64, I64:
		return 8
	case F32, I32:
		return 4
	case F16, BF16, I16:
		return 2
	case I8, U8, BOOL:
		return 1
	}
	return 0
}

// Tensor is one named tensor: its dtype, shape and raw little-endian bytes.
type Tensor struct {
	Name  string
	DType DType
	Shape []int
	Data  []byte
}

// NumElements returns the product of the shape.
func (t *Tensor) NumElements() int {
	n := 1
	for _, d := range t.Shape {
		n *= d
	}
	return n
}

// File is a parsed safetensors file. Tensors are in data-offset order; their
// Data slices alias the parsed buffer.
type File struct {
	Metadata map[string]string
	Tensors  []Tensor
	byName   map[string]int
}

// Tensor returns the tensor called name, or nil.
func (f *File) Tensor(name string) *Tensor {
	if i, ok := f.byName[name]; ok {
		return &f.Tensors[i]
	}
	return nil
}

// Parse validates buf as a safetensors file and returns its tensors and
// metadata. It never panics on malformed input.
func Parse(buf []byte) (*File, error) {
	if len(buf) < 8 {
		return nil, fmt.Errorf("safetensors: file of %d bytes is shorter than the 8-byte header length", len(buf))
	}
	n := binary.LittleEndian.Uint64(buf[:8])
	if n > uint64(len(buf)-8) {
		return nil, fmt.Errorf("safetensors: header length %d exceeds the %d bytes after it", n, len(buf)-8)
	}
	if n > MaxHeaderBytes {
		return nil, fmt.Errorf("safetensors: header length %d exceeds the limit of %d bytes", n, MaxHeaderBytes)
	}
	header, data := buf[8:8+n], buf[8+n:]
	entries, meta, err := parseHeader(header)
	if err != nil {
		return nil, err
	}
	f := &File{Metadata: meta, byName: make(map[string]int, len(entries))}
	sort.SliceStable(entries, func(i, j int) bool {
		if entries[i].begin != entries[j].begin {
			return entries[i].begin < entries[j].begin
		}
		return entries[i].end < entries[j].end
	})
	var pos uint64
	for _, e := range entries {
		if e.end > uint64(len(data)) {
			return nil, fmt.Errorf("safetensors: tensor %q: data offsets [%d, %d] beyond the %d-byte data section", e.name, e.begin, e.end, len(data))
		}
		if e.begin < pos {
			return nil, fmt.Errorf("safetensors: tensor %q: data offsets [%d, %d] overlap the previous tensor (ending at %d)", e.name, e.begin, e.end, pos)
		}
		if e.begin > pos {
			return nil, fmt.Errorf("safetensors: tensor %q: gap of %d bytes before its data at %d", e.name, e.begin-pos, e.begin)
		}
		pos = e.end
		f.byName[e.name] = len(f.Tensors)
		f.Tensors = append(f.Tensors, Tensor{Name: e.name, DType: e.dtype, Shape: e.shape, Data: data[e.begin:e.end:e.end]})
	}
	if pos != uint64(len(data)) {
		return nil, fmt.Errorf("safetensors: tensors cover %d bytes of the %d-byte data section", pos, len(data))
	}
	return f, nil
}

// entry is one tensor's header record.
type entry struct {
	name       string
	dtype      DType
	shape      []int
	begin, end uint64
}

// parseHeader decodes the JSON header token by token, so duplicate keys and
// unknown fields are caught rather than silently merged.
func parseHeader(h []byte) ([]entry, map[string]string, error) {
	dec := json.NewDecoder(bytes.NewReader(h))
	dec.UseNumber()
	var entries []entry
	var meta map[string]string
	seen := map[string]bool{}
	err := readObject(dec, "header", func(key string) error {
		if seen[key] {
			return fmt.Errorf("duplicate key %q", key)
		}
		seen[key] = true
		if key == MetadataKey {
			m, err := readMetadata(dec)
			meta = m
			return err
		}
		if key == "" {
			return errors.New("tensor with an empty name")
		}
		e, err := readEntry(dec, key)
		if err != nil {
			return fmt.Errorf("tensor %q: %w", key, err)
		}
		entries = append(entries, e)
		return nil
	})
	if err != nil {
		return nil, nil, fmt.Errorf("safetensors: header: %w", err)
	}
	// Only white space may follow the object (the format pads with spaces).
	if tok, err := dec.Token(); err != io.EOF {
		return nil, nil, fmt.Errorf("safetensors: header: trailing data after the JSON object (%v, %v)", tok, err)
	}
	return entries, meta, nil
}

// readObject reads a JSON object, calling field for each key with the decoder
// positioned at its value.
func readObject(dec *json.Decoder, what string, field func(key string) error) error {
	tok, err := dec.Token()
	if err != nil {
		return fmt.Errorf("%s: malformed JSON: %w", what, err)
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return fmt.Errorf("%s is not a JSON object", what)
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return fmt.Errorf("%s: malformed JSON: %w", what, err)
		}
		key, ok := tok.(string)
		if !ok {
			return fmt.Errorf("%s: malformed JSON key", what)
		}
		if err := field(key); err != nil {
			return err
		}
	}
	if _, err := dec.Token(); err != nil { // the closing brace
		return fmt.Errorf("%s: malformed JSON: %w", what, err)
	}
	return nil
}

func readMetadata(dec *json.Decoder) (map[string]string, error) {
	m := map[string]string{}
	err := readObject(dec, MetadataKey, func(key string) error {
		if _, dup := m[key]; dup {
			return fmt.Errorf("%s: duplicate key %q", MetadataKey, key)
		}
		tok, err := dec.Token()
		if err != nil {
			return fmt.Errorf("%s: malformed JSON: %w", MetadataKey, err)
		}
		s, ok := tok.(string)
		if !ok {
			return fmt.Errorf("%s: value of %q is not a string", MetadataKey, key)
		}
		m[key] = s
		return nil
	})
	return m, err
}

func readEntry(dec *json.Decoder, name string) (entry, error) {
	e := entry{name: name}
	var haveD, haveS, haveO bool
	err := readObject(dec, "entry", func(key string) error {
		switch key {
		case "dtype":
			if haveD {
				return errors.New("duplicate field dtype")
			}
			haveD = true
			var s string
			if err := dec.Decode(&s); err != nil {
				return fmt.Errorf("dtype: %w", err)
			}
			e.dtype = DType(s)
			if e.dtype.Size() == 0 {
				return fmt.Errorf("unknown dtype %q", s)
			}
		case "shape":
			if haveS {
				return errors.New("duplicate field shape")
			}
			haveS = true
			var dims []json.Number
			if err := dec.Decode(&dims); err != nil {
				return fmt.Errorf("shape: %w", err)
			}
			e.shape = make([]int, len(dims))
			for i, d := range dims {
				v, err := d.Int64()
				if err != nil || v < 0 || v > math.MaxInt32 {
					return fmt.Errorf("shape %v: dimension %q is not a non-negative integer below 2^31", dims, d)
				}
				e.shape[i] = int(v)
			}
		case "data_offsets":
			if haveO {
				return errors.New("duplicate field data_offsets")
			}
			haveO = true
			var offs []json.Number
			if err := dec.Decode(&offs); err != nil {
				return fmt.Errorf("data_offsets: %w", err)
			}
			if len(offs) != 2 {
				return fmt.Errorf("data_offsets has %d values, want 2", len(offs))
			}
			var v [2]uint64
			for i, o := range offs {
				u, err := o.Int64()
				if err != nil || u < 0 {
					return fmt.Errorf("data_offsets %v: %q is not a non-negative integer", offs, o)
				}
				v[i] = uint64(u)
			}
			if v[0] > v[1] {
				return fmt.Errorf("data_offsets [%d, %d] end before they begin", v[0], v[1])
			}
			e.begin, e.end = v[0], v[1]
		default:
			return fmt.Errorf("unknown field %q", key)
		}
		return nil
	})
	if err != nil {
		return e, err
	}
	if !haveD || !haveS || !haveO {
		return e, errors.New("needs dtype, shape and data_offsets")
	}
	// Size consistency, without overflow: elements·size must equal end-begin.
	span := e.end - e.begin
	want := uint64(e.dtype.Size())
	zero := false
	for _, d := range e.shape {
		zero = zero || d == 0
	}
	if zero {
		want = 0
	}
	for _, d := range e.shape {
		if zero {
			break
		}
		hi, lo := bits.Mul64(want, uint64(d))
		if hi != 0 {
			return e, fmt.Errorf("shape %v of %s needs more than 2^64 bytes", e.shape, e.dtype)
		}
		want = lo
	}
	if want != span {
		return e, fmt.Errorf("shape %v of %s needs %d bytes, data_offsets [%d, %d] hold %d", e.shape, e.dtype, want, e.begin, e.end, span)
	}
	return e, nil
}

// Write encodes tensors (data in the given order) and metadata (may be nil) as a
// safetensors file. It returns an error for an empty, reserved or repeated name,
// an unknown dtype, a negative dimension, or data whose length does not match the
// shape.
func Write(w io.Writer, tensors []Tensor, metadata map[string]string) error {
	var hb bytes.Buffer
	hb.WriteByte('{')
	first := true
	comma := func() {
		if !first {
			hb.WriteByte(',')
		}
		first = false
	}
	if len(metadata) > 0 {
		comma()
		k, _ := json.Marshal(MetadataKey)
		v, err := json.Marshal(metadata) // keys sorted
		if err != nil {
			return fmt.Errorf("safetensors: metadata: %w", err)
		}
		hb.Write(k)
		hb.WriteByte(':')
		hb.Write(v)
	}
	seen := map[string]bool{}
	var off uint64
	for _, t := range tensors {
		if t.Name == "" || t.Name == MetadataKey || seen[t.Name] {
			return fmt.Errorf("safetensors: invalid or repeated tensor name %q", t.Name)
		}
		seen[t.Name] = true
		if t.DType.Size() == 0 {
			return fmt.Errorf("safetensors: tensor %q: unknown dtype %q", t.Name, t.DType)
		}
		n := 1
		for _, d := range t.Shape {
			if d < 0 {
				return fmt.Errorf("safetensors: tensor %q: negative dimension in shape %v", t.Name, t.Shape)
			}
			n *= d
		}
		if n*t.DType.Size() != len(t.Data) {
			return fmt.Errorf("safetensors: tensor %q: shape %v of %s needs %d bytes, got %d", t.Name, t.Shape, t.DType, n*t.DType.Size(), len(t.Data))
		}
		comma()
		k, _ := json.Marshal(t.Name)
		hb.Write(k)
		shape := t.Shape
		if shape == nil {
			shape = []int{}
		}
		s, _ := json.Marshal(shape)
		fmt.Fprintf(&hb, `:{"dtype":"%s","shape":%s,"data_offsets":[%d,%d]}`, t.DType, s, off, off+uint64(len(t.Data)))
		off += uint64(len(t.Data))
	}
	hb.WriteByte('}')
	for hb.Len()%8 != 0 { // align the data section to 8 bytes, as the reference writer
		hb.WriteByte(' ')
	}
	var lenBuf [8]byte
	binary.LittleEndian.PutUint64(lenBuf[:], uint64(hb.Len()))
	if _, err := w.Write(lenBuf[:]); err != nil {
		return fmt.Errorf("safetensors: write: %w", err)
	}
	if _, err := w.Write(hb.Bytes()); err != nil {
		return fmt.Errorf("safetensors: write: %w", err)
	}
	for _, t := range tensors {
		if _, err := w.Write(t.Data); err != nil {
			return fmt.Errorf("safetensors: write tensor %q: %w", t.Name, err)
		}
	}
	return nil
}

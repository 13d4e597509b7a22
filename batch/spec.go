package batch

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
)

// A Spec is a sweep: a job kind, settings shared by every job, and a grid
// and/or a list of jobs over the kind's settings. In JSON:
//
//	{
//	  "kind": "optimize",
//	  "settings": {"epochs": 2, "restarts": 1},
//	  "grid": {"seed": [1, 2, 3], "band": ["15-60", "8-12"]},
//	  "jobs": [{"objective": "absolute"}, {"objective": "relative"}]
//	}
//
// The jobs are every entry of "jobs" (one empty entry when absent) crossed
// with every point of "grid" (the cartesian product of its lists, the first
// setting varying slowest), in that order: the spec order of the results
// table. A job's settings are the kind's defaults, then "settings", then its
// "jobs" entry, then its grid point; a setting may not be both in the grid
// and in a "jobs" entry.
type Spec struct {
	Kind     string
	Settings []Setting
	Grid     []GridAxis
	Jobs     [][]Setting
	hasGrid  bool
}

// Setting is one named setting of a spec, as raw JSON, with its JSON path.
type Setting struct {
	Name  string
	Value json.RawMessage
	Path  string
}

// GridAxis is one setting of a grid and its values.
type GridAxis struct {
	Name   string
	Values []json.RawMessage
	Path   string
}

// SpecError is a bad spec: the JSON path of the problem and what it is.
type SpecError struct {
	Path string
	Err  error
}

func (e *SpecError) Error() string { return e.Path + ": " + e.Err.Error() }
func (e *SpecError) Unwrap() error { return e.Err }

func specErr(path, format string, a ...any) error {
	return &SpecError{path, fmt.Errorf(format, a...)}
}

// LoadSpec reads and parses a spec file.
func LoadSpec(path string) (*Spec, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	s, err := ParseSpec(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return s, nil
}

// ParseSpec parses a spec; it checks the structure only (Plan checks the
// settings against the kind).
func ParseSpec(data []byte) (*Spec, error) {
	top, err := parseObject(data, "$")
	if err != nil {
		return nil, err
	}
	s := &Spec{}
	for _, m := range top {
		switch m.Name {
		case "kind":
			if err := json.Unmarshal(m.Value, &s.Kind); err != nil {
				return nil, specErr(m.Path, "want a job kind name (a string)")
			}
		case "settings":
			if s.Settings, err = parseObject(m.Value, m.Path); err != nil {
				return nil, err
			}
		case "grid":
			s.hasGrid = true
			axes, err := parseObject(m.Value, m.Path)
			if err != nil {
				return nil, err
			}
			if len(axes) == 0 {
				return nil, specErr(m.Path, "empty grid: give at least one setting and its list of values")
			}
			for _, a := range axes {
				var vals []json.RawMessage
				if err := json.Unmarshal(a.Value, &vals); err != nil {
					return nil, specErr(a.Path, "want a list of values")
				}
				if len(vals) == 0 {
					return nil, specErr(a.Path, "empty list of values: the grid would have no jobs")
				}
				s.Grid = append(s.Grid, GridAxis{a.Name, vals, a.Path})
			}
		case "jobs":
			var list []json.RawMessage
			if err := json.Unmarshal(m.Value, &list); err != nil {
				return nil, specErr(m.Path, "want a list of objects of settings")
			}
			if len(list) == 0 {
				return nil, specErr(m.Path, "empty list of jobs")
			}
			for j, raw := range list {
				obj, err := parseObject(raw, fmt.Sprintf("%s[%d]", m.Path, j))
				if err != nil {
					return nil, err
				}
				s.Jobs = append(s.Jobs, obj)
			}
		default:
			return nil, specErr(m.Path, "unknown field (a spec has kind, settings, grid and jobs)")
		}
	}
	if s.Kind == "" {
		return nil, specErr("$.kind", "missing: name a job kind (%s)", strings.Join(Kinds(), ", "))
	}
	if !s.hasGrid && len(s.Jobs) == 0 {
		return nil, specErr("$.grid", "no grid and no jobs: nothing to run (give \"grid\" or \"jobs\")")
	}
	return s, nil
}

// parseObject parses a JSON object keeping its members' order; it refuses
// duplicate names.
func parseObject(data []byte, path string) ([]Setting, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	tok, err := dec.Token()
	if err != nil {
		return nil, specErr(path, "not JSON: %v", err)
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return nil, specErr(path, "want an object")
	}
	var out []Setting
	seen := map[string]bool{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, specErr(path, "not JSON: %v", err)
		}
		name := tok.(string)
		p := path + "." + name
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, specErr(p, "not JSON: %v", err)
		}
		if seen[name] {
			return nil, specErr(p, "given twice")
		}
		seen[name] = true
		out = append(out, Setting{name, v, p})
	}
	if _, err := dec.Token(); err != nil {
		return nil, specErr(path, "not JSON: %v", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, specErr(path, "trailing data after the object")
	}
	return out, nil
}

// Job is one job of a plan.
type Job struct {
	Index    int               `json:"index"`    // position in spec order, from 0
	Key      string            `json:"key"`      // hash of kind, settings, inputs and code version
	Kind     string            `json:"kind"`     // job kind
	Version  string            `json:"version"`  // code version the key was made with
	Settings json.RawMessage   `json:"settings"` // every setting of the kind, defaults included
	Inputs   map[string][]byte `json:"inputs,omitempty"`
}

// Plan is a validated, expanded spec: its jobs in spec order.
type Plan struct {
	Kind    string   `json:"kind"`
	Version string   `json:"version"`
	Columns []string `json:"columns"` // the settings the spec names, in order of appearance
	Jobs    []Job    `json:"jobs"`
}

// Unique returns the number of distinct job keys.
func (p *Plan) Unique() int {
	seen := map[string]bool{}
	for _, j := range p.Jobs {
		seen[j.Key] = true
	}
	return len(seen)
}

// MaxJobs bounds the jobs of one spec.
const MaxJobs = 1_000_000

// Plan expands and validates the spec for its kind: every setting must be
// one the kind takes and of its type, and every job must pass the kind's
// check; errors name the JSON path. It reads the input files the jobs name
// and computes each job's key with the code version.
func (s *Spec) Plan(version string) (*Plan, error) {
	k, err := LookupKind(s.Kind)
	if err != nil {
		return nil, &SpecError{"$.kind", err}
	}
	p := &Plan{Kind: s.Kind, Version: version}
	col := map[string]bool{}
	addCol := func(name string) {
		if !col[name] {
			col[name] = true
			p.Columns = append(p.Columns, name)
		}
	}
	// Every value on its own: a name the kind takes, a value of its type.
	check := func(name string, v json.RawMessage, path string) error {
		if err := decodeSettings(k, []Setting{{name, v, path}}, k.NewSettings()); err != nil {
			return err
		}
		addCol(name)
		return nil
	}
	for _, st := range s.Settings {
		if err := check(st.Name, st.Value, st.Path); err != nil {
			return nil, err
		}
	}
	gridNames := map[string]string{}
	n := 1
	for _, a := range s.Grid {
		if err := decodeSettings(k, []Setting{{a.Name, nil, a.Path}}, nil); err != nil {
			return nil, err
		}
		for i, v := range a.Values {
			if err := check(a.Name, v, fmt.Sprintf("%s[%d]", a.Path, i)); err != nil {
				return nil, err
			}
		}
		gridNames[a.Name] = a.Path
		if n *= len(a.Values); n > MaxJobs {
			return nil, specErr("$.grid", "more than %d jobs", MaxJobs)
		}
	}
	entries := s.Jobs
	if len(entries) == 0 {
		entries = [][]Setting{nil}
	}
	for _, e := range entries {
		for _, st := range e {
			if gp, ok := gridNames[st.Name]; ok {
				return nil, specErr(st.Path, "also varied by the grid (%s)", gp)
			}
			if err := check(st.Name, st.Value, st.Path); err != nil {
				return nil, err
			}
		}
	}
	if n*len(entries) > MaxJobs {
		return nil, specErr("$", "more than %d jobs", MaxJobs)
	}
	inputs := map[string][]byte{}
	for _, e := range entries {
		for g := range n {
			list := append(append([]Setting{}, s.Settings...), e...)
			rem := g
			point := make([]Setting, len(s.Grid))
			for a := len(s.Grid) - 1; a >= 0; a-- {
				ax := s.Grid[a]
				i := rem % len(ax.Values)
				rem /= len(ax.Values)
				point[a] = Setting{ax.Name, ax.Values[i], fmt.Sprintf("%s[%d]", ax.Path, i)}
			}
			list = append(list, point...)
			job, err := makeJob(k, list, version, inputs)
			if err != nil {
				return nil, err
			}
			job.Index = len(p.Jobs)
			p.Jobs = append(p.Jobs, *job)
		}
	}
	return p, nil
}

// makeJob resolves one job's settings (later entries of list win), checks
// them and computes its key.
func makeJob(k Kind, list []Setting, version string, inputs map[string][]byte) (*Job, error) {
	st := k.NewSettings()
	if err := decodeSettings(k, list, st); err != nil {
		return nil, err
	}
	where := map[string]string{}
	for _, s := range list {
		where[s.Name] = s.Path
	}
	if err := k.Check(st); err != nil {
		var se *SettingError
		if errors.As(err, &se) {
			if p, ok := where[se.Setting]; ok {
				return nil, &SpecError{p, se.Err}
			}
			return nil, &SpecError{"$", err}
		}
		return nil, &SpecError{"$", err}
	}
	resolved, err := json.Marshal(st)
	if err != nil {
		return nil, err
	}
	job := &Job{Kind: k.Name(), Version: version, Settings: resolved}
	hashes := map[string]string{}
	for _, f := range k.Files(st) {
		b, ok := inputs[f]
		if !ok {
			if b, err = os.ReadFile(f); err != nil {
				return nil, &SpecError{fileSettingPath(list, f), err}
			}
			inputs[f] = b
		}
		if job.Inputs == nil {
			job.Inputs = map[string][]byte{}
		}
		job.Inputs[f] = b
		h := sha256.Sum256(b)
		hashes[f] = hex.EncodeToString(h[:])
	}
	canon, _ := json.Marshal(struct {
		Kind     string            `json:"kind"`
		Version  string            `json:"version"`
		Settings json.RawMessage   `json:"settings"`
		Inputs   map[string]string `json:"inputs"`
	}{k.Name(), version, resolved, hashes})
	h := sha256.Sum256(canon)
	job.Key = hex.EncodeToString(h[:16])
	return job, nil
}

// fileSettingPath finds the path of the setting whose value names file f.
func fileSettingPath(list []Setting, f string) string {
	q, _ := json.Marshal(f)
	for i := len(list) - 1; i >= 0; i-- {
		if bytes.Equal(bytes.TrimSpace(list[i].Value), q) {
			return list[i].Path
		}
	}
	return "$"
}

// decodeSettings decodes settings into st (a kind's settings pointer), in
// order, naming the path of a setting the kind does not take or of a value
// of the wrong type.
func decodeSettings(k Kind, list []Setting, st any) error {
	names := SettingNames(k)
	for _, s := range list {
		known := false
		for _, n := range names {
			known = known || n == s.Name
		}
		if !known {
			return &SpecError{s.Path, fmt.Errorf("%w: job kind %s takes %s", errUnknownSetting, k.Name(), strings.Join(names, ", "))}
		}
		if st == nil {
			continue // names only
		}
		obj, _ := json.Marshal(map[string]json.RawMessage{s.Name: s.Value})
		dec := json.NewDecoder(bytes.NewReader(obj))
		dec.DisallowUnknownFields()
		if err := dec.Decode(st); err != nil {
			var te *json.UnmarshalTypeError
			if errors.As(err, &te) {
				return specErr(s.Path, "want %s, not %s %s", typeName(te.Type.String()), te.Value, string(s.Value))
			}
			return specErr(s.Path, "%v", err)
		}
	}
	return nil
}

func typeName(t string) string {
	switch {
	case strings.HasPrefix(t, "int"), strings.HasPrefix(t, "uint"):
		return "an integer"
	case strings.HasPrefix(t, "float"):
		return "a number"
	case t == "string":
		return "a string"
	case t == "bool":
		return "true or false"
	case strings.HasPrefix(t, "[]"):
		return "a list"
	}
	return t
}

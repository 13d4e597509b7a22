package batch

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"reflect"
	"sort"
	"strconv"
	"strings"
)

// Kind is one kind of job a sweep runs: a name, a settings struct (whose JSON
// field names are the settings a spec may give, and whose values from
// NewSettings are the defaults), a check of the settings, and a run that
// writes the job's files into a folder and returns its headline figures.
type Kind interface {
	// Name is the job kind's name in a spec ("optimize").
	Name() string
	// Doc is one line on what the job does.
	Doc() string
	// NewSettings returns a pointer to a settings struct holding the
	// defaults; its exported fields' JSON names are the settings.
	NewSettings() any
	// Check validates settings (a pointer from NewSettings, filled from a
	// spec); a problem with one setting is reported as a *SettingError.
	Check(settings any) error
	// Files lists the input files settings names (read by the submitter and
	// sent with the job, so that workers on other machines need not see
	// them; their contents are part of the job's key).
	Files(settings any) []string
	// Run performs the job, writing its files under env.Dir.
	Run(ctx context.Context, settings any, env *Env) (Figures, error)
}

// Env is what a running job gets besides its settings.
type Env struct {
	Dir     string            // the job's output folder (empty at start)
	Attempt int               // 1 on the first delivery
	Inputs  map[string][]byte // contents of the files Kind.Files named, by path
}

// ReadFile returns an input file's contents: from the job's message when the
// submitter sent it, else from disk.
func (e *Env) ReadFile(path string) ([]byte, error) {
	if b, ok := e.Inputs[path]; ok {
		return b, nil
	}
	return os.ReadFile(path)
}

// Figure is one headline figure of a job: a column of the results table.
type Figure struct {
	Name  string `json:"name"`
	Value Num    `json:"value"`
}

// Figures are a job's headline figures, in column order.
type Figures []Figure

// Add appends a figure.
func (f *Figures) Add(name string, v float64) { *f = append(*f, Figure{name, Num(v)}) }

// SettingError is a Kind.Check failure of one setting.
type SettingError struct {
	Setting string
	Err     error
}

func (e *SettingError) Error() string { return fmt.Sprintf("%s: %v", e.Setting, e.Err) }
func (e *SettingError) Unwrap() error { return e.Err }

// settingErr returns a *SettingError.
func settingErr(name, format string, a ...any) error {
	return &SettingError{name, fmt.Errorf(format, a...)}
}

var kinds = map[string]Kind{}

// Register adds a job kind; it panics on a duplicate name. The built-in kinds
// (optimize, simulate-network, sleep) are registered by this package.
func Register(k Kind) {
	if _, dup := kinds[k.Name()]; dup {
		panic("batch: job kind " + k.Name() + " registered twice")
	}
	kinds[k.Name()] = k
}

// Kinds returns the names of the registered job kinds, sorted.
func Kinds() []string {
	var names []string
	for n := range kinds {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// LookupKind returns the job kind of that name.
func LookupKind(name string) (Kind, error) {
	k, ok := kinds[name]
	if !ok {
		return nil, fmt.Errorf("unknown job kind %q (known: %s)", name, strings.Join(Kinds(), ", "))
	}
	return k, nil
}

// SettingNames returns the settings a kind takes, in its struct's order.
func SettingNames(k Kind) []string {
	t := reflect.TypeOf(k.NewSettings()).Elem()
	var names []string
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" {
			continue
		}
		if name == "" {
			name = f.Name
		}
		names = append(names, name)
	}
	return names
}

// errUnknownSetting is wrapped by the error for a setting a kind does not take.
var errUnknownSetting = errors.New("not a setting of this job kind")

// Num is a float64 that JSON-encodes NaN and infinities as the strings
// "NaN", "+Inf" and "-Inf" (a ratio over a silent column is infinite).
type Num float64

// MarshalJSON implements json.Marshaler.
func (n Num) MarshalJSON() ([]byte, error) {
	f := float64(n)
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return []byte(`"` + strconv.FormatFloat(f, 'g', -1, 64) + `"`), nil
	}
	return strconv.AppendFloat(nil, f, 'g', -1, 64), nil
}

// UnmarshalJSON implements json.Unmarshaler.
func (n *Num) UnmarshalJSON(b []byte) error {
	s := strings.Trim(string(b), `"`)
	f, err := strconv.ParseFloat(s, 64)
	*n = Num(f)
	return err
}

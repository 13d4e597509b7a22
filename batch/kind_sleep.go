package batch

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// sleepSettings are the settings of the sleep job kind.
type sleepSettings struct {
	MS        int     `json:"ms"`         // wall time asleep (ms)
	SpinMS    int     `json:"spin_ms"`    // CPU time busy (ms), after the sleep
	Value     float64 `json:"value"`      // echoed as the figure "value"
	Fail      bool    `json:"fail"`       // fail on every attempt
	FailTimes int     `json:"fail_times"` // fail the first N attempts
}

type sleepKind struct{}

func (sleepKind) Name() string { return "sleep" }
func (sleepKind) Doc() string {
	return "test job for the queue itself: sleeps ms, spins spin_ms of CPU, echoes value, fails on request (fail, fail_times)"
}
func (sleepKind) NewSettings() any   { return &sleepSettings{} }
func (sleepKind) Files(any) []string { return nil }
func (sleepKind) Check(st any) error {
	s := st.(*sleepSettings)
	switch {
	case s.MS < 0:
		return settingErr("ms", "must be >= 0")
	case s.SpinMS < 0:
		return settingErr("spin_ms", "must be >= 0")
	case s.FailTimes < 0:
		return settingErr("fail_times", "must be >= 0")
	}
	return nil
}

func (sleepKind) Run(ctx context.Context, st any, env *Env) (Figures, error) {
	s := st.(*sleepSettings)
	select {
	case <-time.After(time.Duration(s.MS) * time.Millisecond):
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	x := 0.0
	for end := time.Now().Add(time.Duration(s.SpinMS) * time.Millisecond); time.Now().Before(end); {
		for i := range 10000 {
			x += float64(i) * 1e-9
		}
	}
	if s.Fail || env.Attempt <= s.FailTimes {
		return nil, fmt.Errorf("failed on request (attempt %d)", env.Attempt)
	}
	if err := os.WriteFile(filepath.Join(env.Dir, "value.txt"), fmt.Appendf(nil, "%g\n", s.Value), 0o644); err != nil {
		return nil, err
	}
	var f Figures
	f.Add("value", s.Value)
	f.Add("double", 2*s.Value+0*x)
	return f, nil
}

func init() { Register(sleepKind{}) }

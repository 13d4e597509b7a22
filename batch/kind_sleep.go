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
	Spin      int     `json:"spin"`       // fixed CPU work after the sleep: millions of loop iterations (about 1.4 ms of one core each on the development machine)
	Value     float64 `json:"value"`      // echoed as the figure "value"
	Fail      bool    `json:"fail"`       // fail on every attempt
	FailTimes int     `json:"fail_times"` // fail the first N attempts
}

type sleepKind struct{}

func (sleepKind) Name() string { return "sleep" }
func (sleepKind) Doc() string {
	return "test job for the queue itself: sleeps ms, does spin million loop iterations of CPU work, echoes value, fails on request (fail, fail_times)"
}
func (sleepKind) NewSettings() any   { return &sleepSettings{} }
func (sleepKind) Files(any) []string { return nil }
func (sleepKind) Check(st any) error {
	s := st.(*sleepSettings)
	switch {
	case s.MS < 0:
		return settingErr("ms", "must be >= 0")
	case s.Spin < 0:
		return settingErr("spin", "must be >= 0")
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
	x := uint64(1)
	for i := range s.Spin {
		if i%100 == 0 && ctx.Err() != nil {
			return nil, ctx.Err()
		}
		for range 1_000_000 {
			x = x*6364136223846793005 + 1442695040888963407 // a serial chain: fixed work
		}
	}
	if s.Fail || env.Attempt <= s.FailTimes {
		return nil, fmt.Errorf("failed on request (attempt %d)", env.Attempt)
	}
	if err := os.WriteFile(filepath.Join(env.Dir, "value.txt"), fmt.Appendf(nil, "%g\n%d\n", s.Value, x), 0o644); err != nil {
		return nil, err
	}
	var f Figures
	f.Add("value", s.Value)
	f.Add("double", 2*s.Value)
	return f, nil
}

func init() { Register(sleepKind{}) }

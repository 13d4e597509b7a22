package summary_test

import (
	"encoding/json"
	"fmt"

	"github.com/neurograd/neurograd/cmd/internal/summary"
)

// The part of a summary.json a verification reads: the configuration.
func Example() {
	var s summary.Summary
	if err := json.Unmarshal([]byte(`{"seed": 1, "config": {"mesh": "published", "band_hz": [15, 60], "tstop_ms": 600}}`), &s); err != nil {
		panic(err)
	}
	fmt.Println(s.Config.Mesh, s.Config.Band, s.Config.TStop)
	// Output: published [15 60] 600
}

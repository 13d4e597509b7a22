package batch

import (
	"bytes"
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/neurograd/neurograd/network"
	"github.com/neurograd/neurograd/optimize"
)

// Parsers of the settings the network job kinds share, as cmd/internal/cli
// parses the same flags (batch sits below cmd/internal, so it cannot use it).

// maxMeshCells bounds NX·NY of a mesh, as cmd/internal/cli.MaxMeshCells.
const maxMeshCells = 10000

// parseBand parses "LO-HI" (Hz) with 0 <= LO < HI.
func parseBand(s string) (lo, hi float64, err error) {
	a, b, ok := strings.Cut(s, "-")
	if ok {
		lo, err = strconv.ParseFloat(strings.TrimSpace(a), 64)
		if err == nil {
			hi, err = strconv.ParseFloat(strings.TrimSpace(b), 64)
		}
	}
	if !ok || err != nil || !(lo >= 0 && hi > lo) || math.IsInf(hi, 0) {
		return 0, 0, fmt.Errorf("%q: want \"LO-HI\" in Hz with 0 <= LO < HI, e.g. \"15-60\"", s)
	}
	return lo, hi, nil
}

// parseMesh parses "NXxNY" (or "N").
func parseMesh(s string) (nx, ny int, err error) {
	a, b, found := strings.Cut(strings.ToLower(strings.TrimSpace(s)), "x")
	if !found {
		b = a
	}
	nx, err1 := strconv.Atoi(a)
	ny, err2 := strconv.Atoi(b)
	if err1 != nil || err2 != nil || nx < 1 || ny < 1 || nx*ny > maxMeshCells {
		return 0, 0, fmt.Errorf("%q: want \"NXxNY\" with positive integers and NX·NY <= %d, e.g. \"10x10\"", s, maxMeshCells)
	}
	return nx, ny, nil
}

// parseColumn builds "published" or a mesh column.
func parseColumn(s string) (*network.Column, error) {
	if s == "published" {
		return network.NewPublishedColumn()
	}
	nx, ny, err := parseMesh(s)
	if err != nil {
		return nil, fmt.Errorf("%w (or \"published\")", err)
	}
	return network.NewColumn(nx, ny)
}

// parseGains parses "NAME=GAIN,...".
func parseGains(s string) (map[string]float64, error) {
	out := map[string]float64{}
	if s == "" {
		return out, nil
	}
	for _, kv := range strings.Split(s, ",") {
		k, v, ok := strings.Cut(kv, "=")
		g, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
		if !ok || err != nil || !(g > 0) || math.IsInf(g, 0) {
			return nil, fmt.Errorf("%q: want NAME=GAIN,... with gains > 0", kv)
		}
		out[strings.TrimSpace(k)] = g
	}
	return out, nil
}

// loadConnectivity returns the connectivity of a job: the file's (or HNN's
// default) with the gains applied.
func loadConnectivity(env *Env, file, gains string) (*network.Connectivity, error) {
	conn := network.DefaultConnectivity()
	if file != "" {
		b, err := env.ReadFile(file)
		if err != nil {
			return nil, err
		}
		if conn, err = network.ReadConnectivity(bytes.NewReader(b)); err != nil {
			return nil, fmt.Errorf("connectivity %s: %w", file, err)
		}
	}
	g, err := parseGains(gains)
	if err != nil {
		return nil, err
	}
	for _, name := range slices.Sorted(maps.Keys(g)) {
		if err := conn.SetGain(name, g[name]); err != nil {
			return nil, err
		}
	}
	return conn, nil
}

func positive(name string, v float64) error {
	if !(v > 0) || math.IsInf(v, 0) {
		return settingErr(name, "must be positive and finite, not %v", v)
	}
	return nil
}

// setUp are the settings of the column, its noise drive and the spectrum
// that the optimize and verify kinds share, checked once.
type setUp struct {
	Mesh, Band, Dipole, Gains, DriveLoc, Models string
	TStop, Warmup, Resolution, DriveRate        float64
	DriveWeight                                 float64
	EventSeed                                   int64
}

// check validates the shared settings, naming the one at fault.
func (u setUp) check() error {
	switch {
	case u.Warmup < 0 || u.Warmup >= u.TStop:
		return settingErr("warmup", "must be >= 0 and below tstop")
	case u.DriveWeight < 0 || math.IsInf(u.DriveWeight, 0):
		return settingErr("drive_weight", "must be >= 0")
	case u.Models != "shipped" && u.Models != "random":
		return settingErr("models", "want shipped or random, not %q", u.Models)
	}
	for _, p := range []struct {
		name string
		v    float64
	}{{"tstop", u.TStop}, {"resolution", u.Resolution}, {"drive_rate", u.DriveRate}} {
		if err := positive(p.name, p.v); err != nil {
			return err
		}
	}
	if _, _, err := parseBand(u.Band); err != nil {
		return settingErr("band", "%v", err)
	}
	if _, err := optimize.ParseDipoleSignal(u.Dipole); err != nil {
		return settingErr("dipole", "%v", err)
	}
	if _, err := parseColumn(u.Mesh); err != nil {
		return settingErr("mesh", "%v", err)
	}
	if _, err := parseGains(u.Gains); err != nil {
		return settingErr("gains", "%v", err)
	}
	if _, err := network.PoissonNoise(u.DriveLoc, u.DriveRate, u.DriveWeight, nil, u.EventSeed); err != nil {
		return settingErr("drive_location", "%v", err)
	}
	return nil
}

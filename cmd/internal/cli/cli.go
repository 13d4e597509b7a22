// Package cli holds the parsers of the settings that several commands share,
// so that one flag means one thing everywhere: a frequency band ("15-60"), a
// pyramidal mesh ("10x10") and a column ("published" or a mesh); and the
// -max-memory flag with the estimates of memory and time that every command
// checks against it before starting (memory.go).
package cli

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/neurograd/neurograd/network"
)

// MaxMeshCells bounds NX·NY of a mesh: HNN's column has 100 pyramidal cells
// per layer; 10,000 is a 100x100 mesh, already far beyond what fits a laptop.
const MaxMeshCells = 10000

// ParseBand parses a frequency band "LO-HI" in Hz with 0 <= LO < HI, both finite.
// flag names the flag in the error.
func ParseBand(flag, s string) (lo, hi float64, err error) {
	a, b, ok := strings.Cut(s, "-")
	if ok {
		lo, err = strconv.ParseFloat(strings.TrimSpace(a), 64)
		if err == nil {
			hi, err = strconv.ParseFloat(strings.TrimSpace(b), 64)
		}
	}
	if !ok || err != nil || !(lo >= 0 && hi > lo) || math.IsInf(hi, 0) {
		return 0, 0, fmt.Errorf("-%s %q: want LO-HI in Hz with 0 <= LO < HI, e.g. 15-60", flag, s)
	}
	return lo, hi, nil
}

// ParseMesh parses a pyramidal mesh "NXxNY" (or one N for a square mesh) with
// positive integers and NX·NY <= MaxMeshCells. flag names the flag in the error.
func ParseMesh(flag, s string) (nx, ny int, err error) {
	a, b, found := strings.Cut(strings.ToLower(strings.TrimSpace(s)), "x")
	if !found {
		b = a
	}
	nx, err1 := strconv.Atoi(a)
	ny, err2 := strconv.Atoi(b)
	if err1 != nil || err2 != nil || nx < 1 || ny < 1 || nx > MaxMeshCells || ny > MaxMeshCells || nx*ny > MaxMeshCells {
		return 0, 0, fmt.Errorf("-%s %q: want NXxNY with positive integers and NX·NY <= %d, e.g. 10x10", flag, s, MaxMeshCells)
	}
	return nx, ny, nil
}

// ParseColumn builds the column a flag names: "published" (the surrogate
// network's 10x5 pyramidal mesh with 16 baskets per layer) or a mesh NXxNY
// with HNN's basket rule (10x10 is HNN's 270-cell column).
func ParseColumn(flag, s string) (*network.Column, error) {
	if s == "published" {
		return network.NewPublishedColumn()
	}
	nx, ny, err := ParseMesh(flag, s)
	if err != nil {
		return nil, fmt.Errorf("%w (or published)", err)
	}
	return network.NewColumn(nx, ny)
}

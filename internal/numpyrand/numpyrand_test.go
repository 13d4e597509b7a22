package numpyrand

import (
	"encoding/json"
	"os"
	"slices"
	"strconv"
	"testing"
)

type golden struct {
	Numpy string `json:"numpy"`
	Seeds []struct {
		Seed     string             `json:"seed"`
		Raw      []string           `json:"raw"`
		Random   []string           `json:"random"`
		Integers map[string][]int64 `json:"integers"`
		Choice   []struct {
			Pop, K      int
			Idx         []int64
			Sum         int64
			First, Last []int64
		} `json:"choice"`
	} `json:"seeds"`
}

func readGolden(t *testing.T) golden {
	data, err := os.ReadFile("testdata/golden.json")
	if err != nil {
		t.Fatal(err)
	}
	var g golden
	if err := json.Unmarshal(data, &g); err != nil {
		t.Fatal(err)
	}
	if len(g.Seeds) == 0 {
		t.Fatal("no golden seeds")
	}
	return g
}

// Every draw matches numpy's (testdata/golden.py, Debian's numpy 1.24.2).
func TestGolden(t *testing.T) {
	g := readGolden(t)
	for _, s := range g.Seeds {
		seed, err := strconv.ParseUint(s.Seed, 10, 64)
		if err != nil {
			t.Fatal(err)
		}
		r := New(seed)
		for i, w := range s.Raw {
			want, _ := strconv.ParseUint(w, 10, 64)
			if got := r.Uint64(); got != want {
				t.Errorf("seed %d: raw[%d] = %d, want %d", seed, i, got, want)
			}
		}
		r = New(seed)
		for i, w := range s.Random {
			want, _ := strconv.ParseFloat(w, 64)
			if got := r.Float64(); got != want {
				t.Errorf("seed %d: random[%d] = %x, want %x", seed, i, got, want)
			}
		}
		for ns, want := range s.Integers {
			n, _ := strconv.ParseInt(ns, 10, 64)
			r := New(seed)
			got := make([]int64, len(want))
			for i := range got {
				got[i] = r.Integers(n)
			}
			if !slices.Equal(got, want) {
				t.Errorf("seed %d: integers(0, %d) = %v, want %v", seed, n, got, want)
			}
		}
		for _, c := range s.Choice {
			got, err := New(seed).ChoiceWithoutReplacement(c.Pop, c.K)
			if err != nil {
				t.Fatal(err)
			}
			if c.Idx != nil {
				if !slices.Equal(got, c.Idx) {
					t.Errorf("seed %d: choice(%d, %d) = %v, want %v", seed, c.Pop, c.K, got, c.Idx)
				}
				continue
			}
			var sum int64
			for _, v := range got {
				sum += v
			}
			n := len(c.First)
			if sum != c.Sum || !slices.Equal(got[:n], c.First) || !slices.Equal(got[len(got)-n:], c.Last) {
				t.Errorf("seed %d: choice(%d, %d): sum %d, first %v, last %v; want %d, %v, %v", seed, c.Pop, c.K, sum, got[:n], got[len(got)-n:], c.Sum, c.First, c.Last)
			}
		}
	}
}

func TestChoiceErrors(t *testing.T) {
	if _, err := New(1).ChoiceWithoutReplacement(3, 4); err == nil {
		t.Error("4 of 3 without replacement")
	}
	if got, err := New(1).ChoiceWithoutReplacement(5, 0); err != nil || len(got) != 0 {
		t.Errorf("0 of 5: %v %v", got, err)
	}
}

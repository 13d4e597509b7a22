package surrogate

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/neurograd/neurograd/neuron"
)

// tinyArch is a small architecture for weight-file tests.
var tinyArch = Arch{ConvChannels: 2, ConvKernel: 2, Hidden: 3, Layers: 1, HeadHidden: 2}

func savedBytes(t testing.TB, ct neuron.CellType, arch Arch) []byte {
	m, err := New[float32](ct, arch, 1)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := m.Save(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestLoadForChecksWhatIsAsked(t *testing.T) {
	b := savedBytes(t, neuron.L2Basket, tinyArch)
	if _, err := LoadFor[float32](bytes.NewReader(b), Want{CellType: neuron.L2Basket, Arch: &tinyArch}); err != nil {
		t.Fatalf("the right type and arch: %v", err)
	}
	_, err := LoadFor[float32](bytes.NewReader(b), Want{CellType: neuron.L5Pyramidal})
	if err == nil || !strings.Contains(err.Error(), "L2_basket") || !strings.Contains(err.Error(), "L5_pyramidal") {
		t.Errorf("wrong type: error %v, want one naming L2_basket and L5_pyramidal", err)
	}
	other := tinyArch
	other.Hidden = 4
	_, err = LoadFor[float32](bytes.NewReader(b), Want{CellType: neuron.L2Basket, Arch: &other})
	if err == nil || !strings.Contains(err.Error(), "architecture") {
		t.Errorf("wrong arch: error %v, want one naming the architecture", err)
	}
	// A shipped file of the wrong type, as cmd/optimize -models would read it.
	sb, err := shipped.ReadFile(ShippedFile(neuron.L5Basket))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := LoadFor[float32](bytes.NewReader(sb), Want{CellType: neuron.L2Pyramidal}); err == nil || !strings.Contains(err.Error(), "L5_basket") {
		t.Errorf("shipped L5_basket as L2_pyramidal: error %v", err)
	}
}

func TestLoadRefusesHugeArchitecture(t *testing.T) {
	b := savedBytes(t, neuron.L2Basket, tinyArch)
	// Same length field, larger architecture in the metadata: the file
	// cannot hold the parameters, and Load must say so before allocating.
	huge := bytes.Replace(b, []byte(`\"hidden\":3`), []byte(`\"hidden\":4096`), 1)
	huge = bytes.Replace(huge, []byte(`\"layers\":1`), []byte(`\"layers\":4096`), 1)
	if bytes.Equal(huge, b) {
		t.Fatal("test set-up: the architecture was not found in the metadata")
	}
	// Keep the header length right: it is the first 8 bytes.
	n := int(b[0]) | int(b[1])<<8
	n += len(huge) - len(b)
	huge[0], huge[1] = byte(n), byte(n>>8)
	_, err := Load[float32](bytes.NewReader(huge))
	if err == nil || !strings.Contains(err.Error(), "needs at least") {
		t.Errorf("error %v, want the architecture refused for the file's size", err)
	}
}

// FuzzLoad checks that reading arbitrary bytes as surrogate weights never
// panics, that a file is never accepted for another cell type, and that a
// successful load holds only finite parameters. The seed corpus is in
// testdata/fuzz/FuzzLoad (a tiny model, truncated, of another type).
func FuzzLoad(f *testing.F) {
	good := savedBytes(f, neuron.L2Basket, tinyArch)
	f.Add(good)
	f.Add(good[:len(good)/2])
	f.Fuzz(func(t *testing.T, b []byte) {
		if _, err := LoadFor[float32](bytes.NewReader(b), Want{CellType: neuron.L5Pyramidal}); err == nil {
			// Only an L5_pyramidal file may load; check what it holds.
			m, _ := Load[float32](bytes.NewReader(b))
			if m == nil || m.CellType() != neuron.L5Pyramidal {
				t.Fatalf("accepted as L5_pyramidal a file of another type")
			}
		}
		m, err := Load[float64](bytes.NewReader(b))
		if err != nil {
			return
		}
		for _, p := range m.Params() {
			for _, v := range p.Tensor.Data {
				if math.IsNaN(v) || math.IsInf(v, 0) {
					t.Fatalf("%s holds %v after a successful load", p.Name, v)
				}
			}
		}
	})
}

// TestWriteFuzzCorpus regenerates testdata/fuzz/FuzzLoad when
// NEUROGRAD_WRITE_CORPUS=1.
func TestWriteFuzzCorpus(t *testing.T) {
	if os.Getenv("NEUROGRAD_WRITE_CORPUS") != "1" {
		t.Skip("set NEUROGRAD_WRITE_CORPUS=1 to rewrite testdata/fuzz/FuzzLoad")
	}
	dir := filepath.Join("testdata", "fuzz", "FuzzLoad")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	good := savedBytes(t, neuron.L2Basket, tinyArch)
	for name, b := range map[string][]byte{
		"tiny_L2_basket":  good,
		"tiny_L5_pyr":     savedBytes(t, neuron.L5Pyramidal, tinyArch),
		"truncated":       good[:len(good)-7],
		"header_only":     good[:8],
		"bad_format_name": bytes.Replace(good, []byte(FormatName), []byte("neurograd-surrogate-v0"), 1),
	} {
		s := "go test fuzz v1\n[]byte(" + strconv.Quote(string(b)) + ")\n"
		if err := os.WriteFile(filepath.Join(dir, name), []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

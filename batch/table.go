package batch

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"

	"github.com/nats-io/nats.go/jetstream"
)

// StatusMissing marks a row whose job has no result yet (Collect before the
// sweep is finished).
const StatusMissing = "missing"

// Table is a sweep's results: one row per job of the plan, in spec order. It
// depends only on the plan and the jobs' results, never on how many workers
// ran them or where.
type Table struct {
	Kind     string   `json:"kind"`
	Version  string   `json:"version"`
	Settings []string `json:"settings"` // setting columns: those the spec names
	Figures  []string `json:"figures"`  // figure columns, in order of first appearance
	Rows     []Row    `json:"rows"`
	OK       int      `json:"ok"`
	Failed   int      `json:"failed"`
	Missing  int      `json:"missing"`
}

// Row is one job's line of the table.
type Row struct {
	Index    int                        `json:"index"`
	Key      string                     `json:"key"`
	Status   string                     `json:"status"`
	Settings map[string]json.RawMessage `json:"settings"`
	Figures  map[string]Num             `json:"figures,omitempty"`
	Error    string                     `json:"error,omitempty"`
	Dir      string                     `json:"dir,omitempty"` // the job's folder, relative to the table
}

// Collect assembles the table of a plan from the stored results (jobs
// without one are rows of status missing), writes results.csv and
// results.json under out and each finished job's files under
// out/jobs/NNNN_KEY/.
func (q *Queue) Collect(ctx context.Context, p *Plan, out string) (*Table, error) {
	results := map[string]*Result{}
	for _, j := range p.Jobs {
		if _, ok := results[j.Key]; ok {
			continue
		}
		r, err := q.Result(ctx, j.Key)
		if errors.Is(err, jetstream.ErrKeyNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		results[j.Key] = r
	}
	return q.collect(ctx, p, results, out)
}

func (q *Queue) collect(ctx context.Context, p *Plan, results map[string]*Result, out string) (*Table, error) {
	t := BuildTable(p, results)
	for i := range t.Rows {
		row := &t.Rows[i]
		r := results[row.Key]
		if r == nil {
			continue
		}
		row.Dir = filepath.ToSlash(filepath.Join("jobs", fmt.Sprintf("%04d_%s", row.Index, row.Key[:12])))
		dir := filepath.Join(out, filepath.FromSlash(row.Dir))
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, err
		}
		for _, f := range r.Files {
			path := filepath.Join(dir, filepath.FromSlash(f))
			if _, err := os.Stat(path); err == nil {
				continue
			}
			b, err := q.files.GetBytes(ctx, r.Key+"/"+f)
			if err != nil {
				return nil, fmt.Errorf("batch: job %d's file %s: %w", row.Index, f, err)
			}
			if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
				return nil, err
			}
			if err := os.WriteFile(path, b, 0o644); err != nil {
				return nil, err
			}
		}
		b, _ := json.MarshalIndent(r, "", "  ")
		if err := os.WriteFile(filepath.Join(dir, "job.json"), append(b, '\n'), 0o644); err != nil {
			return nil, err
		}
	}
	return t, t.Write(out)
}

// BuildTable assembles the table of a plan from results by key.
func BuildTable(p *Plan, results map[string]*Result) *Table {
	t := &Table{Kind: p.Kind, Version: p.Version, Settings: p.Columns, Figures: []string{}}
	seenFig := map[string]bool{}
	for _, j := range p.Jobs {
		var all map[string]json.RawMessage
		json.Unmarshal(j.Settings, &all)
		row := Row{Index: j.Index, Key: j.Key, Status: StatusMissing, Settings: map[string]json.RawMessage{}}
		for _, c := range p.Columns {
			row.Settings[c] = all[c]
		}
		if r := results[j.Key]; r != nil {
			row.Status, row.Error = r.Status, r.Error
			if len(r.Figures) > 0 {
				row.Figures = map[string]Num{}
			}
			for _, f := range r.Figures {
				row.Figures[f.Name] = f.Value
				if !seenFig[f.Name] {
					seenFig[f.Name] = true
					t.Figures = append(t.Figures, f.Name)
				}
			}
		}
		switch row.Status {
		case StatusOK:
			t.OK++
		case StatusFailed:
			t.Failed++
		default:
			t.Missing++
		}
		t.Rows = append(t.Rows, row)
	}
	return t
}

// Write writes results.csv and results.json into dir, and the table as
// NumPy arrays (params.npy, features.npy, npy_columns.json; see WriteNPY),
// each through a temporary file renamed into place, so that a reader (or a
// crash) never sees a half-written table.
func (t *Table) Write(dir string) error {
	b, err := json.MarshalIndent(t, "", " ")
	if err != nil {
		return err
	}
	if err := writeFileAtomic(filepath.Join(dir, "results.json"), append(b, '\n')); err != nil {
		return err
	}
	if err := writeFileAtomic(filepath.Join(dir, "results.csv"), t.CSV()); err != nil {
		return err
	}
	return t.WriteNPY(dir)
}

// writeFileAtomic writes b to path through a temporary file beside it.
func writeFileAtomic(path string, b []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-")
	if err != nil {
		return err
	}
	_, err = f.Write(b)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(f.Name(), 0o644)
	}
	if err == nil {
		err = os.Rename(f.Name(), path)
	}
	if err != nil {
		os.Remove(f.Name())
	}
	return err
}

// CSV returns the table as CSV: index, key, status, the settings, the
// figures, error, dir.
func (t *Table) CSV() []byte {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	head := append(append(append([]string{"index", "key", "status"}, t.Settings...), t.Figures...), "error", "dir")
	w.Write(head)
	for _, r := range t.Rows {
		rec := []string{strconv.Itoa(r.Index), r.Key, r.Status}
		for _, c := range t.Settings {
			rec = append(rec, csvValue(r.Settings[c]))
		}
		for _, f := range t.Figures {
			v, ok := r.Figures[f]
			if ok {
				rec = append(rec, strconv.FormatFloat(float64(v), 'g', -1, 64))
			} else {
				rec = append(rec, "")
			}
		}
		rec = append(rec, r.Error, r.Dir)
		w.Write(rec)
	}
	w.Flush()
	return buf.Bytes()
}

// csvValue writes a JSON value as a CSV cell: strings unquoted.
func csvValue(v json.RawMessage) string {
	var s string
	if json.Unmarshal(v, &s) == nil {
		return s
	}
	return string(v)
}

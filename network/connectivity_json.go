package network

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
)

// ReadConnectivity decodes a connectivity from JSON of the form written by
// WriteJSON: {"classes": [{"name", "source", "target", "location",
// "receptor", "weight", "delay", "lamtha", "allow_autapses", "gain"}, …],
// "gains": {"e_e", "e_i", "i_e", "i_i"}}. Absent "delay" defaults to 1 ms,
// absent "gain" and global gains to 1. Unknown fields are errors, except
// that an object holding the connectivity under "connectivity" (the
// config.json of "simulate network") is read from that key. The result is
// validated.
func ReadConnectivity(r io.Reader) (*Connectivity, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("network: reading connectivity: %w", err)
	}
	var top map[string]json.RawMessage
	if json.Unmarshal(data, &top) == nil {
		if inner, ok := top["connectivity"]; ok {
			data = inner
		}
	}
	var raw struct {
		Classes []json.RawMessage `json:"classes"`
		Gains   json.RawMessage   `json:"gains"`
	}
	if err := decodeStrict(bytes.NewReader(data), &raw); err != nil {
		return nil, fmt.Errorf("network: reading connectivity: %w", err)
	}
	if raw.Classes == nil {
		return nil, fmt.Errorf("network: reading connectivity: no \"classes\" list")
	}
	c := &Connectivity{Gains: UnitGains}
	if len(raw.Gains) > 0 {
		if err := decodeStrict(bytes.NewReader(raw.Gains), &c.Gains); err != nil {
			return nil, fmt.Errorf("network: reading connectivity gains: %w", err)
		}
	}
	for i, msg := range raw.Classes {
		cc := ConnectionClass{Delay: DefaultCellDelay, Gain: 1}
		if err := decodeStrict(bytes.NewReader(msg), &cc); err != nil {
			return nil, fmt.Errorf("network: reading connection class %d: %w", i, err)
		}
		c.Classes = append(c.Classes, cc)
	}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	return c, nil
}

// LoadConnectivity reads a connectivity JSON file (see ReadConnectivity).
func LoadConnectivity(path string) (*Connectivity, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("network: %w", err)
	}
	defer f.Close()
	c, err := ReadConnectivity(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return c, nil
}

// WriteJSON writes the connectivity as indented JSON readable by
// ReadConnectivity.
func (c *Connectivity) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(c); err != nil {
		return fmt.Errorf("network: writing connectivity: %w", err)
	}
	return nil
}

// Save writes the connectivity to a JSON file.
func (c *Connectivity) Save(path string) error {
	var buf bytes.Buffer
	if err := c.WriteJSON(&buf); err != nil {
		return err
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		return fmt.Errorf("network: %w", err)
	}
	return nil
}

// decodeStrict decodes one JSON value, rejecting unknown fields and
// trailing data.
func decodeStrict(r io.Reader, v any) error {
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if dec.More() {
		return fmt.Errorf("unexpected data after the JSON value")
	}
	return nil
}

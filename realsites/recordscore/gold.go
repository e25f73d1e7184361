// Package recordscore scores the structured records that reach the
// bundle (staff, contacts, documents) against the hand labels of real
// pages in gold-real's records.tsv: staff matched by name, contacts by
// normalised value, documents by link, with the labels' optional rows
// neither required nor penalised. The real-site harness (package
// realsites) gathers what the pipeline delivered for each labelled page
// and calls Score; its JSON is the benchmark report.
package recordscore

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"strings"
)

// Kind is what a labelled row is.
type Kind string

// The kinds of records.tsv.
const (
	Staff    Kind = "staff"
	Contact  Kind = "contact"
	Document Kind = "document"
)

// Part is the split a labelled page belongs to.
type Part string

// The parts of records.tsv.
const (
	Tuning  Part = "tuning"
	Heldout Part = "heldout"
)

// Row is one labelled record.
type Row struct {
	Site, Path string
	Part       Part
	Kind       Kind
	// Optional rows (kind «opt-…») are neither required nor penalised.
	Optional bool
	// Key is the record's identity on its page: a person's name as
	// written, a contact's normalised value, a document's link.
	Key string
	// Fields: post and subjects of staff, type of a contact (phone,
	// email, address, hours), title of a document; note is not scored.
	Fields map[string]string
	// Line is the row's line in the file, for messages.
	Line int
}

// PageRef names a labelled page.
type PageRef struct {
	Site, Path string
	Part       Part
}

// Gold is the labelled records of records.tsv.
type Gold struct {
	// File is where the labels were read from.
	File string
	Rows []Row
}

// Load reads records.tsv (columns site, path, part, kind, key, fields as
// a JSON object), reporting a bad line by its number.
func Load(path string) (*Gold, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("records labels: %w", err)
	}
	defer f.Close()
	g := &Gold{File: path}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	line := 0
	for sc.Scan() {
		line++
		text := strings.TrimRight(sc.Text(), "\r")
		if line == 1 && strings.HasPrefix(text, "site\t") || strings.TrimSpace(text) == "" || strings.HasPrefix(text, "#") {
			continue
		}
		cols := strings.Split(text, "\t")
		if len(cols) != 6 {
			return nil, fmt.Errorf("%s line %d: %d columns, want 6 (site, path, part, kind, key, fields); fix the line", path, line, len(cols))
		}
		r := Row{Site: cols[0], Path: cols[1], Part: Part(cols[2]), Key: cols[4], Line: line}
		if r.Part != Tuning && r.Part != Heldout {
			return nil, fmt.Errorf("%s line %d: part %q is neither tuning nor heldout", path, line, cols[2])
		}
		kind, opt := strings.CutPrefix(cols[3], "opt-")
		r.Kind, r.Optional = Kind(kind), opt
		if r.Kind != Staff && r.Kind != Contact && r.Kind != Document {
			return nil, fmt.Errorf("%s line %d: kind %q is not staff, contact or document (with or without opt-)", path, line, cols[3])
		}
		if r.Site == "" || r.Path == "" || strings.TrimSpace(r.Key) == "" {
			return nil, fmt.Errorf("%s line %d: site, path and key must not be empty", path, line)
		}
		if err := json.Unmarshal([]byte(cols[5]), &r.Fields); err != nil {
			return nil, fmt.Errorf("%s line %d: fields are not a JSON object of strings: %w", path, line, err)
		}
		if r.Kind == Contact && !validContactType(r.Fields["type"]) {
			return nil, fmt.Errorf("%s line %d: contact type %q is not phone, email, address or hours", path, line, r.Fields["type"])
		}
		g.Rows = append(g.Rows, r)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("records labels %s: %w", path, err)
	}
	if len(g.Rows) == 0 {
		return nil, fmt.Errorf("records labels %s: no rows", path)
	}
	return g, nil
}

func validContactType(t string) bool {
	switch t {
	case "phone", "email", "address", "hours":
		return true
	}
	return false
}

// Pages lists the labelled pages in the order they first appear.
func (g *Gold) Pages() []PageRef {
	var out []PageRef
	seen := map[string]bool{}
	for _, r := range g.Rows {
		k := r.Site + "\x00" + r.Path
		if !seen[k] {
			seen[k] = true
			out = append(out, PageRef{Site: r.Site, Path: r.Path, Part: r.Part})
		}
	}
	return out
}

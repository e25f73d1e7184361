// Package registry reads a region's list of organisations (the registry an
// operator receives as a spreadsheet: CSV in whatever encoding Excel
// wrote it, or XLSX; English or Russian headers) into ledger records,
// within limits on sizes and characters, reporting every bad row with its
// line, column and reason while the good rows import.
package registry

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
	"unicode/utf8"

	"perenos/charset"
	"perenos/store"
)

// Columns every registry must have.
var required = []string{"id", "name", "type", "region", "district", "legacy_url", "portal_site"}

// RowError is a bad row: its line, the column at fault and what to do.
type RowError struct {
	File   string
	Line   int
	Column string // the column's canonical or header name
	Col    int    // the column's position, 1 for A; 0 if unknown
	Msg    string
}

func (e *RowError) Error() string {
	where := fmt.Sprintf("%s:%d", e.File, e.Line)
	switch {
	case e.Column != "" && e.Col > 0:
		where += fmt.Sprintf(" (%s, column %s)", e.Column, columnLetter(e.Col-1))
	case e.Column != "":
		where += " (" + e.Column + ")"
	}
	return where + ": " + e.Msg
}

// Result is the outcome of reading a registry.
type Result struct {
	Orgs []store.Org
	Bad  []*RowError
}

var (
	idPattern   = regexp.MustCompile(`^[0-9A-Za-z][0-9A-Za-z_.-]{0,63}$`)
	sitePattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$`)
)

// ReadCSV reads a registry in CSV: UTF-8 with or without BOM, UTF-16 with
// a BOM, or windows-1251 (what Russian Excel saves as «CSV (разделители —
// запятые)»), separated by commas, semicolons or tabs, a header row
// naming the columns in any order, in English or in Russian. Columns
// beyond the required ones are kept as per-site settings.
func ReadCSV(name string, r io.Reader) (*Result, error) {
	raw, err := io.ReadAll(io.LimitReader(r, maxFileBytes+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	if len(raw) > maxFileBytes {
		return nil, fmt.Errorf("%s is larger than %d MB; a registry is far smaller: is it the right file?", name, maxFileBytes>>20)
	}
	if line, bad := damagedUTF8(raw); bad {
		return nil, fmt.Errorf("%s:%d: a byte that is not UTF-8 in a file that otherwise is: the file is damaged; save it again as «CSV UTF-8» and import again", name, line)
	}
	text := charset.Decode(raw, "text/csv").Text
	cr := csv.NewReader(strings.NewReader(text))
	cr.Comma = sniffComma(text)
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = cr.Comma != '\t' // it would swallow the tabs of empty cells
	header, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("%s: cannot read the header row: %w", name, err)
	}
	var rows [][]string
	var lines []int
	var bad []*RowError
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				bad = append(bad, &RowError{File: name, Line: pe.Line, Msg: "malformed CSV: " + pe.Err.Error()})
				continue
			}
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		if allEmpty(rec) {
			continue
		}
		if len(rows) == maxRows {
			return nil, fmt.Errorf("%s has more than %d organisations; split it into several files", name, maxRows)
		}
		line, _ := cr.FieldPos(0)
		rows = append(rows, rec)
		lines = append(lines, line)
	}
	res, err := FromRows(name, header, rows, lines)
	if err != nil {
		return nil, err
	}
	res.Bad = append(bad, res.Bad...)
	return res, nil
}

// FromRows validates rows under header; lines gives each row's line number.
func FromRows(name string, header []string, rows [][]string, lines []int) (*Result, error) {
	cols, err := readHeader(header)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	res := &Result{}
	seen := map[string]int{}
	for i, rec := range rows {
		line := lines[i]
		if allEmpty(rec) {
			continue
		}
		o, rerr := parseRow(cols, rec)
		if rerr != nil {
			rerr.File, rerr.Line = name, line
			res.Bad = append(res.Bad, rerr)
			continue
		}
		if first, dup := seen[o.ID]; dup {
			res.Bad = append(res.Bad, &RowError{File: name, Line: line, Column: "id", Col: cols.index["id"] + 1, Msg: fmt.Sprintf("id %s already appears on line %d; each organisation must appear once", o.ID, first)})
			continue
		}
		seen[o.ID] = line
		res.Orgs = append(res.Orgs, o)
	}
	return res, nil
}

// parseRow checks every cell of a row and makes the organisation.
func parseRow(cols *columns, rec []string) (store.Org, *RowError) {
	var o store.Org
	cells := map[string]string{}
	for _, k := range cols.order {
		j := cols.index[k]
		if j >= len(rec) {
			continue
		}
		limit := maxSetting
		switch k {
		case "name":
			limit = maxName
		case "type", "region", "district":
			limit = maxPlace
		case "legacy_url":
			limit = maxURL
		}
		if ferr := checkText(rec[j], limit); ferr != nil {
			return o, &RowError{Column: k, Col: j + 1, Msg: "the cell " + ferr.msg}
		}
		cells[k] = cleanText(rec[j])
	}
	bad := func(col, msg string) (store.Org, *RowError) {
		return o, &RowError{Column: col, Col: cols.index[col] + 1, Msg: msg}
	}
	o = store.Org{ID: cells["id"], Name: cells["name"], Region: cells["region"], District: cells["district"], PortalSite: cells["portal_site"]}
	switch {
	case o.ID == "":
		return bad("id", "empty id: give the organisation's ИНН or another stable ID")
	case !idPattern.MatchString(o.ID):
		return bad("id", fmt.Sprintf("id %q may hold only letters, digits, '.', '_' and '-' (at most 64)", o.ID))
	case o.Name == "":
		return bad("name", "empty name")
	case o.PortalSite == "":
		return bad("portal_site", "empty portal_site: give the target site's ID on the portal")
	case !sitePattern.MatchString(o.PortalSite):
		return bad("portal_site", fmt.Sprintf("portal_site %q may hold only letters, digits, '.', '_' and '-' (at most 100)", o.PortalSite))
	}
	t, err := parseType(cells["type"])
	if err != nil {
		return bad("type", err.Error())
	}
	o.Type = t
	if raw := cells["legacy_url"]; raw != "" {
		u, ferr := parseLegacyURL(raw)
		if ferr != nil {
			return bad("legacy_url", ferr.msg)
		}
		o.LegacyURL = u
	}
	for k, v := range cells {
		if isRequired(k) || v == "" {
			continue
		}
		if o.Settings == nil {
			o.Settings = map[string]string{}
		}
		o.Settings[k] = v
	}
	if o.Settings != nil {
		if rerr := checkSettings(o.Settings); rerr != nil {
			if j, ok := cols.index[rerr.Column]; ok {
				rerr.Col = j + 1
			}
			return o, rerr
		}
		if len(o.Settings) == 0 {
			o.Settings = nil
		}
	}
	return o, nil
}

func isRequired(h string) bool {
	for _, c := range required {
		if c == h {
			return true
		}
	}
	return false
}

func allEmpty(rec []string) bool {
	for _, f := range rec {
		if strings.TrimSpace(f) != "" {
			return false
		}
	}
	return true
}

// damagedUTF8 reports a file that is UTF-8 but for a few bytes, and the
// line of the first bad one. Decoded as windows-1251, which is what a file
// that is not valid UTF-8 is taken for, all its Russian text would turn
// into mojibake; a real windows-1251 file has next to no valid UTF-8
// sequences.
func damagedUTF8(data []byte) (line int, damaged bool) {
	if bytes.HasPrefix(data, []byte{0xFF, 0xFE}) || bytes.HasPrefix(data, []byte{0xFE, 0xFF}) {
		return 0, false // UTF-16
	}
	good, bad, first := 0, 0, -1
	for i := 0; i < len(data); {
		r, n := utf8.DecodeRune(data[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			bad++
			if first < 0 {
				first = i
			}
		case n > 1:
			good++
		}
		i += n
	}
	if bad == 0 || good < 4*bad {
		return 0, false
	}
	return 1 + bytes.Count(data[:first], []byte("\n")), true
}

// sniffComma picks the separator the header line uses most: ';' (Excel
// in Russian locales), '\t' (Excel's «Unicode text») or ','.
func sniffComma(text string) rune {
	line, _, _ := strings.Cut(text, "\n")
	best, n := ',', strings.Count(line, ",")
	for _, c := range []rune{';', '\t'} {
		if k := strings.Count(line, string(c)); k > n {
			best, n = c, k
		}
	}
	return best
}

// Apply upserts the organisations into the ledger and counts what changed.
// A row that would move a site whose act is signed to another portal site
// is held back (the others import) and the error wraps
// store.ErrMovesSigned; ApplyWith can force such moves.
func Apply(ws *store.Workspace, actor string, orgs []store.Org) (created, updated, unchanged int, err error) {
	a, err := ApplyWith(ws, actor, orgs, ApplyOptions{})
	if err == nil && len(a.Held) > 0 {
		err = fmt.Errorf("%d organisations held back: %w", len(a.Held), a.Held[0])
	}
	return a.Created, a.Updated, a.Unchanged, err
}

// ApplyOptions tune ApplyWith.
type ApplyOptions struct {
	// Force moves sites whose act is signed to another portal site, and
	// the event log records that it was forced.
	Force bool
	// Signed tells whether a site's act is signed (default: its state is
	// act_signed); the command passes the acts' own records.
	Signed func(store.Reader, *store.Org) bool
}

// Applied is what ApplyWith did.
type Applied struct {
	Created, Updated, Unchanged int
	// Held are the rows not applied: they move a signed site to another
	// portal site, and Force was not given.
	Held []*store.SignedMoveError
	// Moved are the signed sites moved with Force.
	Moved []*store.SignedMoveError
}

// ApplyWith upserts the organisations into the ledger with options.
func ApplyWith(ws *store.Workspace, actor string, orgs []store.Org, opt ApplyOptions) (*Applied, error) {
	a := &Applied{}
	for _, o := range orgs {
		var prev *store.Org
		if opt.Force {
			prev, _ = ws.Org(o.ID)
		}
		r, err := ws.UpsertOrgWith(actor, o, store.UpsertOptions{Force: opt.Force, Signed: opt.Signed})
		var held *store.SignedMoveError
		switch {
		case errors.As(err, &held):
			a.Held = append(a.Held, held)
			continue
		case err != nil:
			return a, fmt.Errorf("organisation %s: %w", o.ID, err)
		}
		switch r {
		case store.OrgCreated:
			a.Created++
		case store.OrgForced:
			a.Updated++
			a.Moved = append(a.Moved, &store.SignedMoveError{Org: o.ID, From: prev.PortalSite, To: o.PortalSite})
		case store.OrgUpdated:
			a.Updated++
		default:
			a.Unchanged++
		}
	}
	return a, nil
}

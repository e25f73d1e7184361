// Package registry reads a region's list of organisations (the registry an
// operator receives as a spreadsheet) into ledger records, reporting every
// bad row with its line number and reason while the good rows import.
package registry

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"net/url"
	"regexp"
	"strings"
	"unicode/utf8"

	"perenos/store"
)

// Columns every registry must have.
var required = []string{"id", "name", "type", "region", "district", "legacy_url", "portal_site"}

// RowError is a bad row: its line, the column at fault and what to do.
type RowError struct {
	File   string
	Line   int
	Column string
	Msg    string
}

func (e *RowError) Error() string {
	where := fmt.Sprintf("%s:%d", e.File, e.Line)
	if e.Column != "" {
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

// ReadCSV reads a registry in CSV: UTF-8 with or without BOM, comma or
// semicolon separated, a header row naming the columns in any order.
// Columns beyond the required ones are kept as per-site settings.
func ReadCSV(name string, r io.Reader) (*Result, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	data = bytes.TrimPrefix(data, []byte{0xEF, 0xBB, 0xBF})
	if !utf8.Valid(data) {
		return nil, fmt.Errorf("%s is not UTF-8: save it as «CSV UTF-8» and import again", name)
	}
	cr := csv.NewReader(bytes.NewReader(data))
	cr.Comma = sniffComma(data)
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = true
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
	col := map[string]int{}
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(h))
		if h != "" {
			col[h] = i
		}
	}
	var missing []string
	for _, c := range required {
		if _, ok := col[c]; !ok {
			missing = append(missing, c)
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("%s: the header lacks column(s) %s; the registry needs %s", name, strings.Join(missing, ", "), strings.Join(required, ", "))
	}
	res := &Result{}
	seen := map[string]int{}
	for i, rec := range rows {
		line := lines[i]
		get := func(c string) string {
			j := col[c]
			if j >= len(rec) {
				return ""
			}
			return strings.TrimSpace(rec[j])
		}
		if allEmpty(rec) {
			continue
		}
		o, rerr := parseRow(get)
		if rerr != nil {
			rerr.File, rerr.Line = name, line
			res.Bad = append(res.Bad, rerr)
			continue
		}
		if first, dup := seen[o.ID]; dup {
			res.Bad = append(res.Bad, &RowError{File: name, Line: line, Column: "id", Msg: fmt.Sprintf("id %s already appears on line %d; each organisation must appear once", o.ID, first)})
			continue
		}
		seen[o.ID] = line
		for h, j := range col {
			if isRequired(h) || j >= len(rec) || strings.TrimSpace(rec[j]) == "" {
				continue
			}
			if o.Settings == nil {
				o.Settings = map[string]string{}
			}
			o.Settings[h] = strings.TrimSpace(rec[j])
		}
		res.Orgs = append(res.Orgs, o)
	}
	return res, nil
}

func parseRow(get func(string) string) (store.Org, *RowError) {
	o := store.Org{ID: get("id"), Name: get("name"), Region: get("region"), District: get("district"), LegacyURL: get("legacy_url"), PortalSite: get("portal_site")}
	switch {
	case o.ID == "":
		return o, &RowError{Column: "id", Msg: "empty id: give the organisation's ИНН or another stable ID"}
	case !idPattern.MatchString(o.ID):
		return o, &RowError{Column: "id", Msg: fmt.Sprintf("id %q may hold only letters, digits, '.', '_' and '-'", o.ID)}
	case o.Name == "":
		return o, &RowError{Column: "name", Msg: "empty name"}
	case o.PortalSite == "":
		return o, &RowError{Column: "portal_site", Msg: "empty portal_site: give the target site's ID on the portal"}
	case !sitePattern.MatchString(o.PortalSite):
		return o, &RowError{Column: "portal_site", Msg: fmt.Sprintf("portal_site %q may hold only letters, digits, '.', '_' and '-'", o.PortalSite)}
	}
	t, err := store.ParseOrgType(strings.ToLower(get("type")))
	if err != nil {
		return o, &RowError{Column: "type", Msg: err.Error()}
	}
	o.Type = t
	if o.LegacyURL != "" {
		if !strings.Contains(o.LegacyURL, "://") {
			o.LegacyURL = "http://" + o.LegacyURL
		}
		u, err := url.Parse(o.LegacyURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return o, &RowError{Column: "legacy_url", Msg: fmt.Sprintf("%q is not an http(s) address; leave it empty if the organisation has no site", get("legacy_url"))}
		}
		if u.Path == "" {
			u.Path = "/"
		}
		o.LegacyURL = u.String()
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

// sniffComma picks ';' when the header line has more semicolons than commas
// (Excel in Russian locales writes ';').
func sniffComma(data []byte) rune {
	line, _ := bufio.NewReader(bytes.NewReader(data)).ReadString('\n')
	if strings.Count(line, ";") > strings.Count(line, ",") {
		return ';'
	}
	return ','
}

// Apply upserts the organisations into the ledger and counts what changed.
func Apply(ws *store.Workspace, actor string, orgs []store.Org) (created, updated, unchanged int, err error) {
	for _, o := range orgs {
		r, err := ws.UpsertOrg(actor, o)
		if err != nil {
			return created, updated, unchanged, fmt.Errorf("organisation %s: %w", o.ID, err)
		}
		switch r {
		case store.OrgCreated:
			created++
		case store.OrgUpdated:
			updated++
		default:
			unchanged++
		}
	}
	return created, updated, unchanged, nil
}

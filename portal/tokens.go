package portal

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
)

// ReadTokens reads per-site bearer tokens from a CSV with the header
// portal_site,token (comma or semicolon separated). A line with a missing
// site or token, or a site named twice, is an error naming the line.
func ReadTokens(r io.Reader) (map[string]string, error) {
	data, err := io.ReadAll(io.LimitReader(r, 16<<20))
	if err != nil {
		return nil, fmt.Errorf("read tokens: %w", err)
	}
	text := strings.TrimPrefix(string(data), "\ufeff")
	cr := csv.NewReader(strings.NewReader(text))
	if first, _, _ := strings.Cut(text, "\n"); strings.Count(first, ";") > strings.Count(first, ",") {
		cr.Comma = ';'
	}
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = true
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, errors.New("tokens file is empty: write a header portal_site,token and one line per site")
	}
	if err != nil {
		return nil, fmt.Errorf("tokens header: %w", err)
	}
	siteCol, tokCol := -1, -1
	for i, h := range header {
		switch strings.ToLower(strings.TrimSpace(h)) {
		case "portal_site", "site":
			siteCol = i
		case "token":
			tokCol = i
		}
	}
	if siteCol < 0 || tokCol < 0 {
		return nil, fmt.Errorf("tokens header %q lacks the columns portal_site and token", strings.Join(header, ","))
	}
	out := map[string]string{}
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		line, _ := cr.FieldPos(0)
		if err != nil {
			return nil, fmt.Errorf("tokens line %d: %w", line, err)
		}
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue
		}
		if siteCol >= len(rec) || tokCol >= len(rec) {
			return nil, fmt.Errorf("tokens line %d: expected portal_site and token, got %d fields", line, len(rec))
		}
		site, tok := strings.TrimSpace(rec[siteCol]), strings.TrimSpace(rec[tokCol])
		switch {
		case !ValidKey(site):
			return nil, fmt.Errorf("tokens line %d: portal site %q is not a valid site ID (letters, digits, '.', '_', '-')", line, site)
		case len(tok) < 16:
			return nil, fmt.Errorf("tokens line %d: the token of site %s is shorter than 16 characters", line, site)
		case out[site] != "":
			return nil, fmt.Errorf("tokens line %d: site %s is named twice", line, site)
		}
		out[site] = tok
	}
	return out, nil
}

// WriteTokens writes tokens in the format ReadTokens reads, sorted by site.
func WriteTokens(w io.Writer, tokens map[string]string) error {
	cw := csv.NewWriter(w)
	if err := cw.Write([]string{"portal_site", "token"}); err != nil {
		return err
	}
	for _, site := range slices.Sorted(maps.Keys(tokens)) {
		if err := cw.Write([]string{site, tokens[site]}); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

package registry

import (
	"fmt"
	"slices"
	"strings"
	"unicode"
)

// headerNames are the names a registry's header may give each required
// column: the English column name first, then the Russian headers of the
// spreadsheets officials keep (compared case- and ё-insensitively, with
// spaces folded). When a header holds two names of one column (ИНН and
// ОГРН), the one listed first here is the column; the other is kept as a
// setting under its own name.
var headerNames = map[string][]string{
	"id":          {"id", "инн", "огрн", "код"},
	"name":        {"name", "наименование", "название", "организация"},
	"type":        {"type", "тип", "вид"},
	"region":      {"region", "регион", "субъект"},
	"district":    {"district", "район", "муниципальный район", "округ", "муниципальное образование"},
	"legacy_url":  {"legacy_url", "адрес сайта", "сайт", "старый сайт"},
	"portal_site": {"portal_site", "сайт на портале", "портал"},
}

// headerKey folds a header cell for comparison: lower case, ё as е,
// spaces (including non-breaking ones and line breaks) folded to one, and
// the marks spreadsheets add to headers (a trailing colon, asterisk or
// full stop) dropped.
func headerKey(h string) string {
	h = strings.ToLower(strings.ReplaceAll(strings.ReplaceAll(h, "ё", "е"), "Ё", "Е"))
	h = strings.Join(strings.FieldsFunc(h, unicode.IsSpace), " ")
	return strings.TrimRight(h, ":*. ")
}

// columns maps a header row to column indexes: the required columns by
// their canonical names, every other non-empty header by its folded text
// (kept as a per-site setting).
type columns struct {
	index map[string]int    // canonical or setting name → column index
	title map[string]string // the name as the header wrote it, for messages
	order []string          // the names in column order
}

func readHeader(header []string) (*columns, error) {
	c := &columns{index: map[string]int{}, title: map[string]string{}}
	rank := map[string]int{} // canonical column → rank of the name that gave it
	seen := map[string]int{}
	for i, raw := range header {
		k := headerKey(raw)
		if k == "" {
			continue
		}
		if err := checkText(raw, maxHeader); err != nil {
			return nil, fmt.Errorf("header, column %s: %s", columnLetter(i), err.msg)
		}
		if j, dup := seen[k]; dup {
			return nil, fmt.Errorf("the header names %q twice (columns %s and %s); keep one", strings.TrimSpace(raw), columnLetter(j), columnLetter(i))
		}
		seen[k] = i
		canon, r := canonicalColumn(k)
		if canon != "" {
			if prev, ok := rank[canon]; !ok || r < prev {
				if ok {
					// the lower-ranked name stays as a setting under its own name
					old := c.index[canon]
					c.index[headerKey(header[old])], c.title[headerKey(header[old])] = old, strings.TrimSpace(header[old])
				}
				rank[canon] = r
				c.index[canon], c.title[canon] = i, strings.TrimSpace(raw)
				continue
			}
		}
		c.index[k], c.title[k] = i, strings.TrimSpace(raw)
	}
	for k := range c.index {
		c.order = append(c.order, k)
	}
	slices.SortFunc(c.order, func(a, b string) int { return c.index[a] - c.index[b] })
	if len(seen) > maxColumns {
		return nil, fmt.Errorf("the header has %d columns, more than the %d a registry may have", len(seen), maxColumns)
	}
	var missing []string
	for _, col := range required {
		if _, ok := rank[col]; !ok {
			missing = append(missing, fmt.Sprintf("%s (%s)", col, strings.Join(headerNames[col][1:], ", ")))
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("the header lacks column(s) %s; the registry needs %s", strings.Join(missing, "; "), strings.Join(required, ", "))
	}
	return c, nil
}

// canonicalColumn names the required column a folded header gives, with
// the rank of the name among that column's names; "" if none.
func canonicalColumn(k string) (string, int) {
	for canon, names := range headerNames {
		for r, n := range names {
			if k == n {
				return canon, r
			}
		}
	}
	return "", 0
}

// columnLetter is a column index as Excel names it: 0 → A, 26 → AA.
func columnLetter(i int) string {
	s := ""
	for i++; i > 0; i = (i - 1) / 26 {
		s = string(rune('A'+(i-1)%26)) + s
	}
	return s
}

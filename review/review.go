// Package review shows a site's migration plan to the people who check it
// before anything is published: as text for the operator's terminal, as
// JSON for scripts, and as a self-contained HTML page in which every piece
// of legacy content is escaped; and as the web UI (Server) in which
// organisation admins correct and approve their own site and the operator
// watches every site of the region and starts batch stages.
package review

import (
	"fmt"
	"html/template"
	"io"
	"strings"

	"perenos/mapping"
	"perenos/store"
)

// Formats are the plan's output formats.
var Formats = []string{"text", "json", "html"}

// Item is a plan item as reviewers see it: no body, the reasons in words.
type Item struct {
	SourceURL  string              `json:"source_url"`
	Kind       string              `json:"kind"`
	Title      string              `json:"title"`
	Label      string              `json:"label"` // the title as people read it (see Label)
	Confidence float64             `json:"confidence,omitempty"`
	Reasons    []string            `json:"reasons,omitempty"`
	Candidates []mapping.Candidate `json:"candidates,omitempty"`
	Reason     string              `json:"reason,omitempty"`
}

// Section is a section of the mandated structure with what the plan puts in it.
type Section struct {
	ID         string `json:"id"`
	Title      string `json:"title"`
	PortalPath string `json:"portal_path"`
	Mandated   bool   `json:"mandated,omitempty"`
	Items      []Item `json:"items"`
}

// View is a plan as reviewers see it.
type View struct {
	Org      string        `json:"org"`
	Name     string        `json:"name,omitempty"`
	Type     store.OrgType `json:"type"`
	State    store.State   `json:"state,omitempty"`
	Placed   int           `json:"placed"`
	Sections []Section     `json:"sections"`
	Unplaced []Item        `json:"unplaced"`
	Excluded []Item        `json:"excluded"`
	Gaps     []mapping.Gap `json:"gaps"`
}

func items(in []mapping.Item, excluded map[string]bool) []Item {
	out := make([]Item, 0, len(in))
	for _, it := range in {
		out = append(out, Item{it.SourceURL, it.Kind, it.Title, Label(&it), it.Confidence, it.Reasons, it.Candidates, excludedReason(it.Reason, excluded)})
	}
	return out
}

// NewView builds the reviewers' view of org's plan.
func NewView(org *store.Org, p *mapping.Plan) *View {
	excluded := map[string]bool{}
	for _, it := range p.Excluded {
		excluded[it.SourceURL] = true
	}
	v := &View{Org: p.Org, Type: p.Type, Unplaced: items(p.Unplaced, nil), Excluded: items(p.Excluded, excluded), Gaps: p.Gaps}
	if org != nil {
		v.Name, v.State = org.Name, org.State
	}
	if v.Gaps == nil {
		v.Gaps = []mapping.Gap{}
	}
	for _, s := range p.Sections {
		v.Placed += len(s.Items)
		v.Sections = append(v.Sections, Section{s.ID, s.Title, s.PortalPath, s.Mandated, items(s.Items, nil)})
	}
	return v
}

// WriteText writes the plan for a terminal: the sections that hold
// something, the items left for review with their candidates, the
// exclusions with their reasons, and the gaps.
func WriteText(w io.Writer, v *View) error {
	ew := &errWriter{w: w}
	ew.printf("Plan of %s (%s): %d placed, %d for review, %d excluded, %d gaps\n", v.Org, v.Type, v.Placed, len(v.Unplaced), len(v.Excluded), len(v.Gaps))
	for _, s := range v.Sections {
		if len(s.Items) == 0 {
			continue
		}
		ew.printf("\n%s  %s  →  %s\n", s.ID, s.Title, s.PortalPath)
		for _, it := range s.Items {
			ew.printf("  [%s] %s  (%.2f: %s)\n      %s\n", it.Kind, it.Title, it.Confidence, strings.Join(it.Reasons, "; "), it.SourceURL)
		}
	}
	if len(v.Unplaced) > 0 {
		ew.printf("\nFor review (not placed):\n")
		for _, it := range v.Unplaced {
			ew.printf("  [%s] %s  %s\n      candidates: %s\n", it.Kind, it.Title, it.SourceURL, candidates(it.Candidates))
		}
	}
	if len(v.Excluded) > 0 {
		ew.printf("\nExcluded:\n")
		for _, it := range v.Excluded {
			ew.printf("  [%s] %s  %s\n      %s\n", it.Kind, it.Title, it.SourceURL, it.Reason)
		}
	}
	if len(v.Gaps) > 0 {
		ew.printf("\nGaps (to fill by hand or on the old site):\n")
		for _, g := range v.Gaps {
			ew.printf("  %s: %s\n", gapName(g), g.Why)
		}
	}
	return ew.err
}

func candidates(cs []mapping.Candidate) string {
	if len(cs) == 0 {
		return "none"
	}
	parts := make([]string, len(cs))
	for i, c := range cs {
		parts[i] = fmt.Sprintf("%s %.2f", c.Section, c.Confidence)
	}
	return strings.Join(parts, ", ")
}

func gapName(g mapping.Gap) string {
	if g.Item != "" {
		return g.Section + " / " + g.Item
	}
	return g.Section
}

type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) printf(format string, args ...any) {
	if e.err == nil {
		_, e.err = fmt.Fprintf(e.w, format, args...)
	}
}

var page = template.Must(template.New("plan").Funcs(template.FuncMap{
	"pct":       func(f float64) string { return fmt.Sprintf("%.0f%%", f*100) },
	"reasons":   func(rs []string) string { return strings.Join(mapStrings(rs, Reason), "; ") },
	"kindName":  func(k string) string { return nameOr(kindNames[k], "материал") },
	"typeName":  func(t store.OrgType) string { return nameOr(typeNames[t], "организация") },
	"stateName": StateName,
	"count":     countAny,
}).Parse(`<!doctype html>
<html lang="ru"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>План переноса: {{.Name}}</title>
<style>body{font-family:sans-serif;max-width:70em;margin:1em auto;padding:0 1em}table{border-collapse:collapse;width:100%}td,th{border:1px solid #ccc;padding:.3em;text-align:left;vertical-align:top}.why{color:#555;font-size:.9em}.gap{color:#a00}.kind{color:#555;font-size:.85em}</style>
</head><body>
<h1>План переноса{{if .Name}}: {{.Name}}{{end}}</h1>
<p>Организация {{.Org}}, {{typeName .Type}}{{if .State}}; {{stateName .State}}{{end}}. Размещено {{.Placed}}, не размещено {{len .Unplaced}}, исключено {{len .Excluded}}, пробелов {{len .Gaps}}.</p>
{{range .Sections}}<h2>{{.Title}} <small>{{.PortalPath}}</small></h2>
{{if .Items}}<table><tr><th>что</th><th>откуда</th><th>уверенность и причины</th></tr>
{{range .Items}}<tr><td>{{.Label}} <span class="kind">{{kindName .Kind}}</span></td><td>{{.SourceURL}}</td><td>{{pct .Confidence}} <span class="why">{{reasons .Reasons}}</span></td></tr>
{{end}}</table>{{else}}<p class="why">{{if .Mandated}}Пусто: обязательный раздел.{{else}}Пусто.{{end}}</p>{{end}}
{{end}}
{{if .Unplaced}}<h2>Не размещено: нужен выбор раздела</h2><table><tr><th>что</th><th>откуда</th><th>куда может пойти</th></tr>
{{range .Unplaced}}<tr><td>{{.Label}} <span class="kind">{{kindName .Kind}}</span></td><td>{{.SourceURL}}</td><td>{{range $i, $c := .Candidates}}{{if $i}}, {{end}}{{index $.Titles $c.Section}} ({{pct $c.Confidence}}){{end}}</td></tr>{{end}}</table>{{end}}
{{if .Excluded}}<h2>Исключено</h2>
{{with .Other}}<table><tr><th>что</th><th>откуда</th><th>почему</th></tr>
{{range .}}<tr><td>{{.Label}} <span class="kind">{{kindName .Kind}}</span></td><td>{{.SourceURL}}</td><td>{{.Reason}}</td></tr>{{end}}</table>{{end}}
{{with .Copies}}<details><summary>Копии страниц для слабовидящих и версии для печати: {{count (len .) "материал" "материала" "материалов"}} — не переносятся</summary><ul>{{range .}}<li>{{.Label}}: {{.SourceURL}}</li>{{end}}</ul></details>{{end}}
{{with .Repeats}}<details><summary>Повторы записей: {{count (len .) "запись" "записи" "записей"}} — каждая переносится один раз</summary><ul>{{range .}}<li>{{.Label}}: {{.Reason}}</li>{{end}}</ul></details>{{end}}
{{end}}
{{if .Gaps}}<h2>Пробелы</h2><ul>{{range .Gaps}}<li class="gap">{{index $.Titles .Section}}: {{.Why}}</li>{{end}}</ul>{{end}}
</body></html>
`))

func mapStrings(in []string, f func(string) string) []string {
	out := make([]string, len(in))
	for i, s := range in {
		out[i] = f(s)
	}
	return out
}

// htmlView is a View with its exclusions split for the page.
type htmlView struct {
	*View
	Other, Copies, Repeats []Item
	Titles                 map[string]string // section ID → title
}

// WriteHTML writes the plan as one self-contained HTML page. Legacy
// titles, URLs and reasons are escaped; links are shown, not followed.
func WriteHTML(w io.Writer, v *View) error {
	h := htmlView{View: v, Titles: map[string]string{}}
	for _, s := range v.Sections {
		h.Titles[s.ID] = s.Title
	}
	for _, it := range v.Excluded {
		switch {
		case isCopy(it.Reason):
			h.Copies = append(h.Copies, it)
		case isRepeat(it.Reason):
			h.Repeats = append(h.Repeats, it)
		default:
			h.Other = append(h.Other, it)
		}
	}
	return page.Execute(w, h)
}

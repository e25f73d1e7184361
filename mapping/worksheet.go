package mapping

import (
	"fmt"
	"html/template"
	"io"

	"perenos/sheet"
	"perenos/store"
)

// WorksheetFormats are the formats of the manual-entry worksheet.
var WorksheetFormats = []string{"csv", "xlsx", "html"}

// WorksheetRow is one thing the admin must enter by hand in the portal's
// constructor: what is missing, where it goes, and the act requiring it.
type WorksheetRow struct {
	N            int    `json:"n"`
	Section      string `json:"section"`
	SectionTitle string `json:"section_title"`
	PortalPath   string `json:"portal_path"`
	Item         string `json:"item,omitempty"`
	What         string `json:"what"`
	Basis        string `json:"basis"`
	Why          string `json:"why"`
}

// Worksheet turns a plan's gaps into the rows of the manual-entry
// worksheet, in the order of the profile's sections.
func Worksheet(prof *Profile, p *Plan) []WorksheetRow {
	out := []WorksheetRow{}
	for _, g := range p.Gaps {
		row := WorksheetRow{Section: g.Section, Item: g.Item, Why: g.Why, SectionTitle: g.Section}
		row.What = g.Item
		if s := prof.Section(g.Section); s != nil {
			row.SectionTitle, row.PortalPath, row.Basis = s.Title, s.PortalPath, s.Basis
			if g.Item == "" {
				row.What = "весь раздел «" + s.Title + "»"
			}
			for _, mi := range s.Items {
				if g.Item != "" && mi.ID == g.Item {
					row.What = mi.Title
				}
			}
		} else if sp := p.Section(g.Section); sp != nil {
			row.SectionTitle, row.PortalPath = sp.Title, sp.PortalPath
		}
		row.N = len(out) + 1
		out = append(out, row)
	}
	return out
}

var worksheetHeader = []string{"№", "Раздел", "Куда на портале", "Что отсутствует", "Правовое основание", "Почему в списке", "Заполнено (дата, кто)"}

// cells are the row's cells: its number as a number, the rest as text,
// the last column left for the admin.
func (r WorksheetRow) cells() []sheet.Cell {
	wrap := sheet.Style{Wrap: true} // long legal references wrap in the workbook; CSV ignores it
	return []sheet.Cell{sheet.Int(r.N), sheet.Text(r.SectionTitle).With(wrap), sheet.Text(r.PortalPath), sheet.Text(r.What).With(wrap),
		sheet.Text(r.Basis).With(wrap), sheet.Text(r.Why).With(wrap), sheet.Blank()}
}

// WriteWorksheet writes the worksheet of org as csv (UTF-8 with a BOM and
// semicolons, as Excel in Russian locales reads it), xlsx or html. CSV and
// XLSX go through package sheet, which keeps text that looks like a
// formula from running.
func WriteWorksheet(w io.Writer, format string, org *store.Org, rows []WorksheetRow) error {
	switch format {
	case "csv":
		cw := sheet.NewCSV(w, sheet.ExcelRU)
		cw.Row(sheet.Texts(worksheetHeader...)...)
		for _, r := range rows {
			cw.Row(r.cells()...)
		}
		if err := cw.Close(); err != nil {
			return fmt.Errorf("worksheet: %w", err)
		}
		return nil
	case "xlsx":
		return writeXLSX(w, org, rows)
	case "html":
		if err := worksheetPage.Execute(w, struct {
			Org    *store.Org
			Header []string
			Rows   []WorksheetRow
		}{org, worksheetHeader, rows}); err != nil {
			return fmt.Errorf("worksheet: %w", err)
		}
		return nil
	}
	return fmt.Errorf("worksheet format %q: want csv, xlsx or html", format)
}

// writeXLSX writes the worksheet as a workbook: a title naming the
// organisation, then the table with a frozen header, a filter and widths.
func writeXLSX(w io.Writer, org *store.Org, rows []WorksheetRow) error {
	b := sheet.NewWorkbook()
	s := b.Sheet("Пробелы")
	title := "Сведения для ручного ввода в конструкторе портала"
	if org != nil {
		title += ": " + org.Name + " (" + org.ID + ")"
	}
	s.Row(sheet.Text(title).With(sheet.Style{Bold: true, Size: 13}))
	s.Skip()
	s.Header(worksheetHeader...)
	for _, r := range rows {
		s.Row(r.cells()...)
	}
	s.Widths(5, 40, 45, 45, 60, 45, 22)
	if err := b.Write(w); err != nil {
		return fmt.Errorf("worksheet: %w", err)
	}
	return nil
}

var worksheetPage = template.Must(template.New("worksheet").Parse(`<!doctype html>
<html lang="ru"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>Сведения для ручного ввода{{if .Org}}: {{.Org.Name}}{{end}}</title>
<style>body{font-family:sans-serif;max-width:80em;margin:1em auto;padding:0 1em}table{border-collapse:collapse;width:100%}td,th{border:1px solid #999;padding:.3em;text-align:left;vertical-align:top}td.blank{min-width:10em}</style>
</head><body>
<h1>Сведения для ручного ввода в конструкторе портала</h1>
{{if .Org}}<p>{{.Org.Name}} ({{.Org.ID}}, {{.Org.Type}})</p>{{end}}
<p>Этих сведений нет на старом сайте. Внесите их вручную в указанный раздел портала и отметьте в последнем столбце.</p>
{{if .Rows}}<table><tr>{{range .Header}}<th>{{.}}</th>{{end}}</tr>
{{range .Rows}}<tr><td>{{.N}}</td><td>{{.SectionTitle}}</td><td>{{.PortalPath}}</td><td>{{.What}}</td><td>{{.Basis}}</td><td>{{.Why}}</td><td class="blank"></td></tr>
{{end}}</table>{{else}}<p>Пробелов нет: все обязательные сведения найдены на старом сайте.</p>{{end}}
</body></html>
`))

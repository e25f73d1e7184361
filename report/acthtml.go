package report

import (
	"embed"
	"html/template"
	"io"
)

//go:embed templates/*.html
var templateFS embed.FS

var actTemplate = template.Must(template.ParseFS(templateFS, "templates/act.html"))

// actHTMLData adds to the view what the template cannot compute.
type actHTMLData struct {
	*actView
	Intro            string
	LegacyText       string
	NoGaps           string
	AllMigrated      string
	NotMigrated      []itemRow
	NotMigratedCount string
	ItemsCount       string
}

// writeActHTML writes the act as a standalone, printable HTML page; all
// text is escaped by html/template.
func writeActHTML(w io.Writer, v *actView) error {
	nm := append(append([]itemRow(nil), v.Excluded...), v.Unplaced...)
	return actTemplate.Execute(w, actHTMLData{
		actView: v, Intro: v.intro(), LegacyText: v.legacyText(), NoGaps: noGapsText, AllMigrated: v.allMigratedText(),
		NotMigrated: nm, NotMigratedCount: countOf(len(nm), "материал", "материала", "материалов"),
		ItemsCount: countOf(v.Items, "позиция", "позиции", "позиций"),
	})
}

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
	Intro       string
	LegacyText  string
	NoGaps      string
	AllMigrated string // "" when something was left out
	DecidedText string
	Rest        string
	ItemsCount  string
}

// writeActHTML writes the act as a standalone, printable HTML page with
// the same content as its PDF; all text is escaped by html/template.
func writeActHTML(w io.Writer, v *actView) error {
	d := actHTMLData{
		actView: v, Intro: v.intro(), LegacyText: v.legacyText(), NoGaps: noGapsText,
		DecidedText: v.decidedText(), Rest: v.restText(),
		ItemsCount: countOf(v.Items, "позиция", "позиции", "позиций"),
	}
	if len(v.Decided) == 0 && d.Rest == "" {
		d.AllMigrated = v.allMigratedText()
	}
	return actTemplate.Execute(w, d)
}

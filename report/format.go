package report

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"
	"unicode/utf8"

	"perenos/sheet"
	"perenos/store"
)

// Formats are the report's output formats.
var Formats = []string{"table", "csv", "json", "xlsx", "html"}

// Write writes the report in format (one of Formats).
func Write(w io.Writer, r *Report, format string) error {
	switch format {
	case "table", "":
		return WriteTable(w, r)
	case "csv":
		return WriteCSV(w, r)
	case "json":
		return WriteJSON(w, r)
	case "xlsx":
		return WriteXLSX(w, r)
	case "html":
		return WriteHTML(w, r)
	}
	return fmt.Errorf("unknown report format %q (want %s)", format, strings.Join(Formats, ", "))
}

// shortTypes are the organisation types as narrow table columns name them.
var shortTypes = map[store.OrgType]string{store.School: "школы", store.Preschool: "дет. сады", store.Medical: "мед. орг.", store.Municipal: "органы МСУ"}

// heading is the report's title line.
func (r *Report) heading() string {
	d, _ := time.Parse("2006-01-02", r.Date)
	return fmt.Sprintf("Отчёт координатора о переносе официальных сайтов на %s", shortDate(d))
}

// subheading says where the numbers come from.
func (r *Report) subheading() string {
	return fmt.Sprintf("по журналу событий на конец дня (%s), организаций в реестре: %d", r.Zone, r.All.Total)
}

// actualText is a milestone's count, with today's when it differs.
func (m *MilestoneResult) actualText() string {
	if m.Actual == nil {
		return "не отслеживается"
	}
	s := fmt.Sprint(*m.Actual)
	if m.Now != nil && *m.Now != *m.Actual {
		s += fmt.Sprintf(" (сейчас %d)", *m.Now)
	}
	return s
}

// targetText is a milestone's goal as printed.
func (m *MilestoneResult) targetText() string {
	switch {
	case !m.Metric.Tracked():
		return m.TargetText
	case m.TargetText != "":
		return fmt.Sprintf("%s (%d)", m.TargetText, m.Target)
	}
	return fmt.Sprint(m.Target)
}

func (m *MilestoneResult) expectedText() string {
	if m.Expected == nil {
		return "—"
	}
	return fmt.Sprint(*m.Expected)
}

func (m *MilestoneResult) dueText() string {
	d, err := time.Parse("2006-01-02", m.Due)
	if err != nil {
		return m.Due
	}
	s := shortDate(d)
	if f, err := time.Parse("2006-01-02", m.From); err == nil {
		s = shortDate(f) + "–" + s
	}
	return s
}

// WriteTable writes the report as aligned plain-text tables.
func WriteTable(out io.Writer, r *Report) error {
	var w strings.Builder
	if err := writeTable(&w, r); err != nil {
		return err
	}
	lines := strings.Split(w.String(), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " ")
	}
	_, err := io.WriteString(out, strings.Join(lines, "\n"))
	return err
}

func writeTable(w io.Writer, r *Report) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
	p := func(format string, a ...any) { fmt.Fprintf(tw, format, a...) }
	fmt.Fprintln(w, r.heading())
	fmt.Fprintln(w, r.subheading())
	if r.Roadmap != nil {
		fmt.Fprintf(w, "Дорожная карта: %s\n", r.Roadmap.Title)
	}

	fmt.Fprint(w, "\nПо типам организаций\n")
	p("\t")
	for _, g := range r.ByType {
		p("%s\t", shortTypes[store.OrgType(g.Key)])
	}
	p("всего\t\n")
	labelW := 0
	for _, st := range reportStates() {
		labelW = max(labelW, utf8.RuneCountInString(StateName(st)))
	}
	for _, m := range []Metric{MetricMigrated, MetricActIssued, MetricActSigned, MetricDomainBound} {
		labelW = max(labelW, utf8.RuneCountInString(MetricName(m)+" (всего к дате)"))
	}
	row := func(label string, val func(g *Group) int) {
		// Numbers align right; labels are padded so that they read left-aligned.
		p("%s\t", label+strings.Repeat(" ", labelW-utf8.RuneCountInString(label)))
		for i := range r.ByType {
			p("%d\t", val(&r.ByType[i]))
		}
		p("%d\t\n", val(&r.All))
	}
	for _, st := range reportStates() {
		row(StateName(st), func(g *Group) int { return g.Count(st) })
	}
	row("итого", func(g *Group) int { return g.Total })
	for _, m := range []Metric{MetricMigrated, MetricActIssued, MetricActSigned, MetricDomainBound} {
		row(MetricName(m)+" (всего к дате)", func(g *Group) int { return g.Metric(m) })
	}
	if err := tw.Flush(); err != nil {
		return err
	}

	fmt.Fprint(w, "\nПо муниципальным образованиям\n")
	tw = tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	p = func(format string, a ...any) { fmt.Fprintf(tw, format, a...) }
	p("район\tвсего\tв работе\tошибка\tперенесено\tакт выдан\tакт подписан\tдомен подключён\n")
	for _, g := range append(append([]Group(nil), r.ByDistrict...), r.All) {
		p("%s\t%d\t%d\t%d\t%d\t%d\t%d\t%d\n", g.Label, g.Total, g.InWork(), g.Count(store.Failed), g.Migrated, g.ActIssued, g.ActSigned, g.DomainBound)
	}
	if err := tw.Flush(); err != nil {
		return err
	}

	if len(r.Milestones) > 0 {
		fmt.Fprint(w, "\nВехи дорожной карты\n")
		tw = tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		p = func(format string, a ...any) { fmt.Fprintf(tw, format, a...) }
		p("срок\tпоказатель\tкого считаем\tцель\tфакт\tожидалось\tстатус\tещё не достигли\n")
		for i := range r.Milestones {
			m := &r.Milestones[i]
			p("%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", m.dueText(), m.Label, m.Scope, m.targetText(), m.actualText(), m.expectedText(), StatusName(m.Status), pendingText(m.Pending))
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	return nil
}

// WriteCSV writes the report as one long table (раздел; группа;
// показатель; значение), separated by semicolons and starting with a BOM,
// as Excel in a Russian locale opens it. Counts are numbers; district
// names and other text from the registry are neutralised (package sheet).
func WriteCSV(w io.Writer, r *Report) error {
	cw := sheet.NewCSV(w, sheet.ExcelRU)
	text := func(section, group, metric, value string) {
		cw.Row(sheet.Text(section), sheet.Text(group), sheet.Text(metric), sheet.Text(value))
	}
	num := func(section, group, metric string, n int) {
		cw.Row(sheet.Text(section), sheet.Text(group), sheet.Text(metric), sheet.Int(n))
	}
	text("раздел", "группа", "показатель", "значение")
	cw.Row(sheet.Text("отчёт"), sheet.Text(""), sheet.Text("дата"), sheet.Day(r.Date))
	text("отчёт", "", "часовой пояс", r.Zone)
	if r.Roadmap != nil {
		text("отчёт", "", "дорожная карта", r.Roadmap.Title)
	}
	groups := func(section string, gs []Group) {
		for _, g := range gs {
			for _, c := range g.States {
				num(section, g.Label, StateName(c.State), c.Count)
			}
			num(section, g.Label, "итого", g.Total)
			for _, m := range []Metric{MetricMigrated, MetricActIssued, MetricActSigned, MetricDomainBound} {
				num(section, g.Label, MetricName(m)+" (всего к дате)", g.Metric(m))
			}
		}
	}
	groups("по типам", append(append([]Group(nil), r.ByType...), r.All))
	groups("по районам", r.ByDistrict)
	for i := range r.Milestones {
		m := &r.Milestones[i]
		name := fmt.Sprintf("%s: %s — %s", m.dueText(), m.Label, m.Scope)
		text("вехи", name, "цель", m.targetText())
		if m.Actual != nil {
			num("вехи", name, "факт", *m.Actual)
			num("вехи", name, "сейчас", *m.Now)
		} else {
			text("вехи", name, "факт", "не отслеживается")
		}
		if m.Expected != nil {
			num("вехи", name, "ожидалось к дате отчёта", *m.Expected)
		}
		text("вехи", name, "статус", StatusName(m.Status))
		for _, c := range m.Pending {
			num("вехи", name, "ещё не достигли: "+StateName(c.State), c.Count)
		}
	}
	return cw.Close()
}

// WriteJSON writes the report as indented JSON, codes rather than labels.
func WriteJSON(w io.Writer, r *Report) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(r)
}

package report

import (
	"fmt"
	"io"

	"github.com/xuri/excelize/v2"
)

// WriteXLSX writes the report as an Excel workbook with four sheets: by
// type, by district, the roadmap's milestones, and the history of
// migrations and signed acts.
func WriteXLSX(w io.Writer, r *Report) error {
	f := excelize.NewFile()
	defer f.Close()
	x := &xlsxWriter{f: f}
	x.styles()

	// Sheet 1: by type.
	const byType = "По типам"
	if err := f.SetSheetName("Sheet1", byType); err != nil {
		return err
	}
	x.put(byType, 1, []any{r.heading()}, x.title)
	x.put(byType, 2, []any{r.subheading()}, 0)
	if r.Roadmap != nil {
		x.put(byType, 3, []any{"Дорожная карта: " + r.Roadmap.Title}, 0)
	}
	head := []any{"Состояние / показатель"}
	for _, g := range r.ByType {
		head = append(head, capitalize(g.Label))
	}
	head = append(head, "Всего")
	row := 5
	x.put(byType, row, head, x.head)
	line := func(label string, val func(*Group) int, style int) {
		row++
		cells := []any{label}
		for i := range r.ByType {
			cells = append(cells, val(&r.ByType[i]))
		}
		x.put(byType, row, append(cells, val(&r.All)), style)
	}
	for _, st := range reportStates() {
		line(capitalize(StateName(st)), func(g *Group) int { return g.Count(st) }, 0)
	}
	line("Итого организаций", func(g *Group) int { return g.Total }, x.bold)
	for _, m := range []Metric{MetricMigrated, MetricActIssued, MetricActSigned, MetricDomainBound} {
		line(capitalize(MetricName(m))+" (всего к дате)", func(g *Group) int { return g.Metric(m) }, 0)
	}
	x.widths(byType, []float64{38, 16, 16, 24, 30, 10})
	x.freeze(byType, 5)

	// Sheet 2: by district.
	const byDistrict = "По районам"
	if _, err := f.NewSheet(byDistrict); err != nil {
		return err
	}
	head = []any{"Муниципальное образование", "Всего"}
	for _, st := range reportStates() {
		head = append(head, capitalize(StateName(st)))
	}
	head = append(head, "Перенесено", "Акт выдан", "Акт подписан", "Домен подключён")
	x.put(byDistrict, 1, head, x.head)
	for i, g := range append(append([]Group(nil), r.ByDistrict...), r.All) {
		cells := []any{g.Label, g.Total}
		for _, c := range g.States {
			cells = append(cells, c.Count)
		}
		style := 0
		if g.Key == "all" {
			style = x.bold
			cells[0] = "Всего"
		}
		x.put(byDistrict, i+2, append(cells, g.Migrated, g.ActIssued, g.ActSigned, g.DomainBound), style)
	}
	x.widths(byDistrict, []float64{36})
	x.freeze(byDistrict, 1)

	// Sheet 3: milestones.
	if r.Roadmap != nil {
		const ms = "Вехи"
		if _, err := f.NewSheet(ms); err != nil {
			return err
		}
		x.put(ms, 1, []any{r.Roadmap.Title}, x.title)
		x.put(ms, 3, []any{"Срок", "Показатель", "Кого считаем", "Цель", "Факт", "Сейчас", "Ожидалось к дате отчёта", "Статус", "Ещё не достигли (по состояниям)"}, x.head)
		for i := range r.Milestones {
			m := &r.Milestones[i]
			cells := []any{m.dueText(), m.Label, m.Scope, m.targetText()}
			if m.Actual != nil {
				cells = append(cells, *m.Actual, *m.Now)
			} else {
				cells = append(cells, "не отслеживается", "")
			}
			if m.Expected != nil {
				cells = append(cells, *m.Expected)
			} else {
				cells = append(cells, "")
			}
			cells = append(cells, StatusName(m.Status), pendingText(m.Pending))
			x.put(ms, i+4, cells, 0)
			cell, _ := excelize.CoordinatesToCellName(8, i+4)
			if err := f.SetCellStyle(ms, cell, cell, x.status[m.Status]); err != nil {
				return err
			}
		}
		x.widths(ms, []float64{24, 44, 34, 14, 10, 10, 14, 16, 60})
		x.freeze(ms, 3)
	}

	// Sheet 4: history.
	const hist = "Динамика"
	if _, err := f.NewSheet(hist); err != nil {
		return err
	}
	x.put(hist, 1, []any{"Кого считаем", "Показатель", "Дата", "Нарастающим итогом"}, x.head)
	row = 1
	for _, c := range r.Charts {
		for _, l := range c.Lines {
			for _, p := range l.Points {
				row++
				x.put(hist, row, []any{c.Title, capitalize(l.Label), p.Date, p.Value}, 0)
			}
		}
		for _, t := range c.Targets {
			row++
			x.put(hist, row, []any{c.Title, "Цель: " + MetricName(t.Metric), t.Date, t.Value}, 0)
		}
	}
	x.widths(hist, []float64{40, 26, 12, 20})
	x.freeze(hist, 1)

	if x.err != nil {
		return fmt.Errorf("report workbook: %w", x.err)
	}
	f.SetActiveSheet(0)
	return f.Write(w)
}

// xlsxWriter keeps the first error of a run of cell writes.
type xlsxWriter struct {
	f                 *excelize.File
	err               error
	title, head, bold int
	status            map[Status]int
}

func (x *xlsxWriter) styles() {
	style := func(s *excelize.Style) int {
		id, err := x.f.NewStyle(s)
		if err != nil && x.err == nil {
			x.err = err
		}
		return id
	}
	x.title = style(&excelize.Style{Font: &excelize.Font{Bold: true, Size: 13}})
	x.head = style(&excelize.Style{Font: &excelize.Font{Bold: true}, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"ECEFF3"}},
		Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"}})
	x.bold = style(&excelize.Style{Font: &excelize.Font{Bold: true}})
	fill := func(c string) int {
		return style(&excelize.Style{Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{c}}})
	}
	x.status = map[Status]int{StatusMet: fill("C6EFCE"), StatusOnTrack: fill("DDEBF7"), StatusBehind: fill("FFEB9C"), StatusMissed: fill("FFC7CE"), StatusUntracked: fill("EDEDED")}
}

func (x *xlsxWriter) put(sheet string, row int, cells []any, style int) {
	if x.err != nil {
		return
	}
	first, _ := excelize.CoordinatesToCellName(1, row)
	if err := x.f.SetSheetRow(sheet, first, &cells); err != nil {
		x.err = err
		return
	}
	if style != 0 {
		last, _ := excelize.CoordinatesToCellName(len(cells), row)
		x.err = x.f.SetCellStyle(sheet, first, last, style)
	}
}

func (x *xlsxWriter) widths(sheet string, ws []float64) {
	for i, w := range ws {
		if x.err != nil {
			return
		}
		col, _ := excelize.ColumnNumberToName(i + 1)
		x.err = x.f.SetColWidth(sheet, col, col, w)
	}
}

func (x *xlsxWriter) freeze(sheet string, rows int) {
	if x.err != nil {
		return
	}
	cell, _ := excelize.CoordinatesToCellName(1, rows+1)
	x.err = x.f.SetPanes(sheet, &excelize.Panes{Freeze: true, YSplit: rows, TopLeftCell: cell, ActivePane: "bottomLeft"})
}

package report

import (
	"io"
	"time"

	"perenos/sheet"
)

// Styles of the report's workbook.
var (
	titleStyle = sheet.Style{Bold: true, Size: 13}
	boldStyle  = sheet.Style{Bold: true}
	// statusStyles colour a milestone's status cell.
	statusStyles = map[Status]sheet.Style{
		StatusMet: {Fill: "C6EFCE"}, StatusOnTrack: {Fill: "DDEBF7"}, StatusBehind: {Fill: "FFEB9C"},
		StatusMissed: {Fill: "FFC7CE"}, StatusUntracked: {Fill: "EDEDED"}, StatusNoScope: {Fill: "EDEDED"},
	}
)

// WriteXLSX writes the report as an Excel workbook: by type, by
// district, the roadmap's milestones, a row per organisation, and the
// history of migrations and signed acts. Counts are numbers and dates are
// dates; every table has a frozen header, a filter and column widths; text
// from the registry is written through package sheet, which neutralises
// formulas.
func WriteXLSX(w io.Writer, r *Report) error {
	b := sheet.NewWorkbook()
	loc := r.At.Location()

	// By type.
	s := b.Sheet("По типам")
	s.Row(sheet.Text(r.heading()).With(titleStyle))
	s.Row(sheet.Text(r.subheading()))
	if r.Roadmap != nil {
		s.Row(sheet.Text("Дорожная карта: " + r.Roadmap.Title))
	} else {
		s.Skip()
	}
	s.Skip()
	head := []string{"Состояние / показатель"}
	for _, g := range r.ByType {
		head = append(head, capitalize(g.Label))
	}
	s.Header(append(head, "Всего")...)
	line := func(label string, val func(*Group) int, style sheet.Style) {
		cells := []sheet.Cell{sheet.Text(label).With(style)}
		for i := range r.ByType {
			cells = append(cells, sheet.Int(val(&r.ByType[i])).With(style))
		}
		s.Row(append(cells, sheet.Int(val(&r.All)).With(style))...)
	}
	for _, st := range reportStates() {
		line(capitalize(StateName(st)), func(g *Group) int { return g.Count(st) }, sheet.Style{})
	}
	line("Итого организаций", func(g *Group) int { return g.Total }, boldStyle)
	for _, m := range []Metric{MetricMigrated, MetricActIssued, MetricActSigned, MetricDomainBound} {
		line(capitalize(MetricName(m))+" (всего к дате)", func(g *Group) int { return g.Metric(m) }, sheet.Style{})
	}
	s.Widths(38, 16, 16, 24, 30, 10)

	// By district.
	s = b.Sheet("По районам")
	head = []string{"Муниципальное образование", "Всего"}
	for _, st := range reportStates() {
		head = append(head, capitalize(StateName(st)))
	}
	s.Header(append(head, "Перенесено", "Акт выдан", "Акт подписан", "Домен подключён")...)
	for _, g := range append(append([]Group(nil), r.ByDistrict...), r.All) {
		style, label := sheet.Style{}, g.Label
		if g.Key == "all" {
			style, label = boldStyle, "Всего"
		}
		cells := []sheet.Cell{sheet.Text(label).With(style), sheet.Int(g.Total).With(style)}
		for _, c := range g.States {
			cells = append(cells, sheet.Int(c.Count).With(style))
		}
		for _, n := range []int{g.Migrated, g.ActIssued, g.ActSigned, g.DomainBound} {
			cells = append(cells, sheet.Int(n).With(style))
		}
		s.Row(cells...)
	}
	s.Widths(36)

	// Milestones.
	if r.Roadmap != nil {
		s = b.Sheet("Вехи")
		s.Row(sheet.Text(r.Roadmap.Title).With(titleStyle))
		s.Skip()
		s.Header("Срок", "Показатель", "Кого считаем", "Цель", "Факт", "Сейчас", "Ожидалось к дате отчёта", "Статус", "Ещё не достигли (по состояниям)")
		for i := range r.Milestones {
			m := &r.Milestones[i]
			cells := []sheet.Cell{sheet.Text(m.dueText()), sheet.Text(m.Label), sheet.Text(m.Scope), sheet.Text(m.targetText())}
			if m.Actual != nil {
				cells = append(cells, sheet.Int(*m.Actual), sheet.Int(*m.Now))
			} else {
				cells = append(cells, sheet.Text("не отслеживается"), sheet.Blank())
			}
			if m.Expected != nil {
				cells = append(cells, sheet.Int(*m.Expected))
			} else {
				cells = append(cells, sheet.Blank())
			}
			cells = append(cells, sheet.Text(StatusName(m.Status)).With(statusStyles[m.Status]), sheet.Text(pendingText(m.Pending)))
			s.Row(cells...)
		}
		s.Widths(24, 44, 34, 14, 10, 10, 14, 16, 60)
	}

	// A row per organisation.
	s = b.Sheet("Организации")
	s.Header("ИНН / код", "Наименование", "Тип", "Муниципальное образование", "Старый сайт", "Этап", "С какого числа на этапе",
		"В реестре с", "Перенесено", "Акт выдан", "Номер акта", "Версия акта", "Акт подписан", "Акт аннулирован", "Домен подключён", "Домен проверен")
	for _, o := range r.Orgs {
		act := []sheet.Cell{sheet.Blank(), sheet.Blank()}
		if o.ActNumber != "" {
			act = []sheet.Cell{sheet.Text(o.ActNumber), sheet.Int(o.ActVersion)}
		}
		bound := sheet.Text("нет")
		if o.DomainBound {
			bound = sheet.Text("да")
		}
		cells := []sheet.Cell{sheet.Text(o.ID), sheet.Text(o.Name), sheet.Text(TypeName(o.Type)), sheet.Text(districtLabel(o.District)), sheet.Text(o.LegacyURL),
			sheet.Text(capitalize(StateName(o.State))), sheet.Date(o.StateSince.In(loc)), sheet.Date(o.Registered.In(loc)),
			dateOf(o.Migrated, loc), dateOf(o.ActIssued, loc)}
		cells = append(cells, act...)
		cells = append(cells, sheet.Day(o.ActSigned), dateOf(o.ActVoided, loc), bound, dateOf(o.DomainCheck, loc))
		s.Row(cells...)
	}
	s.Widths(13, 50, 24, 28, 28, 24, 12, 12, 12, 12, 11, 8, 12, 14, 10, 12)

	// History.
	s = b.Sheet("Динамика")
	s.Header("Кого считаем", "Показатель", "Дата", "Нарастающим итогом")
	for _, c := range r.Charts {
		for _, l := range c.Lines {
			for _, p := range l.Points {
				s.Row(sheet.Text(c.Title), sheet.Text(capitalize(l.Label)), sheet.Day(p.Date), sheet.Int(p.Value))
			}
		}
		for _, t := range c.Targets {
			s.Row(sheet.Text(c.Title), sheet.Text("Цель: "+MetricName(t.Metric)), sheet.Day(t.Date), sheet.Int(t.Value))
		}
	}
	s.Widths(40, 26, 12, 20)

	return b.Write(w)
}

// dateOf is a day cell for an optional moment, on loc's calendar.
func dateOf(t *time.Time, loc *time.Location) sheet.Cell {
	if t == nil {
		return sheet.Blank()
	}
	return sheet.Date(t.In(loc))
}

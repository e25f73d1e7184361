package report

import (
	"bytes"
	"fmt"
	"html/template"
	"io"
	"math"
	"net/http"
	"strings"
	"time"

	"perenos/store"
)

var reportTemplate = template.Must(template.New("report.html").Funcs(template.FuncMap{
	"stateName":  StateName,
	"statusName": StatusName,
	"metricName": MetricName,
	"cap":        capitalize,
	"pending":    pendingText,
}).ParseFS(templateFS, "templates/report.html"))

// WriteHTML writes the report as one standalone HTML page: tables and an
// inline SVG chart per milestone scope, no scripts, all text escaped.
func WriteHTML(w io.Writer, r *Report) error {
	data := htmlReport{Report: r, Heading: r.heading(), Sub: r.subheading(), States: reportStates()}
	for i := range r.Milestones {
		m := &r.Milestones[i]
		data.Rows = append(data.Rows, milestoneRow{MilestoneResult: m, DueText: m.dueText(), TargetText: m.targetText(), ActualText: m.actualText(), ExpectedText: m.expectedText()})
	}
	for _, c := range r.Charts {
		data.Charts = append(data.Charts, newSVGChart(c, r.Date))
	}
	var buf bytes.Buffer
	if err := reportTemplate.Execute(&buf, data); err != nil {
		return err
	}
	_, err := w.Write(buf.Bytes())
	return err
}

type htmlReport struct {
	*Report
	Heading, Sub string
	States       []store.State
	Rows         []milestoneRow
	Charts       []svgChart
}

type milestoneRow struct {
	*MilestoneResult
	DueText, TargetText, ActualText, ExpectedText string
}

// Chart geometry, in SVG user units.
const (
	chartW, chartH                   = 760.0, 280.0
	padL, padR, padT, padB           = 48.0, 16.0, 16.0, 44.0
	plotW, plotH                     = chartW - padL - padR, chartH - padT - padB
	colorMigrated, colorSigned, grey = "#1f6feb", "#1a7f37", "#8c959f"
)

// svgChart is a chart laid out for the template.
type svgChart struct {
	Title          string
	W, H           float64
	PlotX, PlotY   float64
	PlotW, PlotH   float64
	Bottom, Right  float64
	XTicks, YTicks []tick
	Lines          []svgLine
	Targets        []svgTarget
	Plans          []svgLine // the targets joined from zero at the start, dashed
	Today          *tick
}

type tick struct {
	Pos    float64
	Label  string
	Anchor string
}

type svgLine struct {
	Label, Color, Path string
	Last               int
}

type svgTarget struct {
	X, Y   float64
	Color  string
	Points string // a diamond
	Title  string
	Missed bool
}

func newSVGChart(c Chart, today string) svgChart {
	from, _ := time.Parse("2006-01-02", c.From)
	to, _ := time.Parse("2006-01-02", c.To)
	if !to.After(from) {
		to = from.AddDate(0, 0, 1)
	}
	days := to.Sub(from).Hours() / 24
	x := func(d string) float64 {
		t, err := time.Parse("2006-01-02", d)
		if err != nil {
			return padL
		}
		return padL + math.Max(0, math.Min(1, t.Sub(from).Hours()/24/days))*plotW
	}
	top := 1
	for _, l := range c.Lines {
		for _, p := range l.Points {
			top = max(top, p.Value)
		}
	}
	for _, t := range c.Targets {
		top = max(top, t.Value)
	}
	step := niceStep(top)
	top = int(math.Ceil(float64(top)/float64(step))) * step
	y := func(v int) float64 { return padT + plotH - float64(v)/float64(top)*plotH }

	s := svgChart{Title: c.Title, W: chartW, H: chartH, PlotX: padL, PlotY: padT, PlotW: plotW, PlotH: plotH, Bottom: padT + plotH, Right: padL + plotW}
	for v := 0; v <= top; v += step {
		s.YTicks = append(s.YTicks, tick{Pos: y(v), Label: fmt.Sprint(v)})
	}
	for m := time.Date(from.Year(), from.Month(), 1, 0, 0, 0, 0, time.UTC); !m.After(to); m = m.AddDate(0, 1, 0) {
		if m.Before(from) {
			continue
		}
		s.XTicks = append(s.XTicks, tick{Pos: x(m.Format("2006-01-02")), Label: m.Format("01.2006")})
	}
	if len(s.XTicks) > 12 { // long ranges: label every few months
		var keep []tick
		every := (len(s.XTicks) + 11) / 12
		for i, t := range s.XTicks {
			if i%every == 0 {
				keep = append(keep, t)
			}
		}
		s.XTicks = keep
	}
	if today >= c.From && today <= c.To {
		s.Today = &tick{Pos: x(today), Label: "дата отчёта", Anchor: "middle"}
		if s.Today.Pos > padL+plotW-40 {
			s.Today.Anchor = "end"
		}
	}
	colors := map[Metric]string{MetricMigrated: colorMigrated, MetricActSigned: colorSigned}
	for _, l := range c.Lines {
		var b strings.Builder
		for i, p := range l.Points {
			if i == 0 {
				fmt.Fprintf(&b, "M%.1f %.1f", x(p.Date), y(p.Value))
				continue
			}
			fmt.Fprintf(&b, " H%.1f V%.1f", x(p.Date), y(p.Value))
		}
		last := 0
		if len(l.Points) > 0 {
			last = l.Points[len(l.Points)-1].Value
		}
		s.Lines = append(s.Lines, svgLine{Label: capitalize(l.Label), Color: colors[l.Metric], Path: b.String(), Last: last})
	}
	for _, m := range chartMetrics {
		path := fmt.Sprintf("M%.1f %.1f", x(c.From), y(0))
		n := 0
		for _, t := range c.Targets {
			if t.Metric == m {
				path += fmt.Sprintf(" L%.1f %.1f", x(t.Date), y(t.Value))
				n++
			}
		}
		if n > 0 {
			s.Plans = append(s.Plans, svgLine{Label: "План: " + MetricName(m), Color: colors[m], Path: path})
		}
	}
	for _, t := range c.Targets {
		cx, cy := x(t.Date), y(t.Value)
		d, _ := time.Parse("2006-01-02", t.Date)
		s.Targets = append(s.Targets, svgTarget{
			X: cx, Y: cy, Color: colors[t.Metric], Missed: t.Status == StatusMissed || t.Status == StatusBehind,
			Points: fmt.Sprintf("%.1f,%.1f %.1f,%.1f %.1f,%.1f %.1f,%.1f", cx, cy-6, cx+6, cy, cx, cy+6, cx-6, cy),
			Title:  fmt.Sprintf("%s: цель %d к %s — %s", capitalize(MetricName(t.Metric)), t.Value, shortDate(d), StatusName(t.Status)),
		})
	}
	return s
}

// niceStep picks a round grid step for values up to top.
func niceStep(top int) int {
	for _, s := range []int{1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000, 10000} {
		if top/s <= 6 {
			return s
		}
	}
	return int(math.Pow10(int(math.Log10(float64(top)))))
}

// Handler serves the coordinator report computed from the ledger at each
// request: HTML, or ?format=table|csv|json|xlsx; ?at=YYYY-MM-DD gives the
// numbers as they were at the end of that day. rm may be nil.
func Handler(ws *store.Workspace, rm *Roadmap) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		loc, _, err := Zone(ws, rm)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		opt := Options{Roadmap: rm, Location: loc}
		if at := req.URL.Query().Get("at"); at != "" {
			t, err := ParseDate(at, loc)
			if err != nil {
				http.Error(w, "at: "+err.Error(), http.StatusBadRequest)
				return
			}
			opt.At = t
		}
		format := req.URL.Query().Get("format")
		if format == "" {
			format = "html"
		}
		rep, err := Build(ws, opt)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		var buf bytes.Buffer
		if err := Write(&buf, rep, format); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		types := map[string]string{
			"html": "text/html; charset=utf-8", "table": "text/plain; charset=utf-8", "csv": "text/csv; charset=utf-8",
			"json": "application/json", "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
		}
		w.Header().Set("Content-Type", types[format])
		if format == "xlsx" || format == "csv" {
			w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="report-%s.%s"`, rep.Date, format))
		}
		w.Write(buf.Bytes())
	})
}

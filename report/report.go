package report

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"perenos/report/binding"
	"perenos/store"
)

// Status is how a milestone stands.
type Status string

// Milestone statuses: met and missed for due dates that have passed, on
// track and behind for those to come.
const (
	StatusMet       Status = "met"
	StatusMissed    Status = "missed"
	StatusOnTrack   Status = "on_track"
	StatusBehind    Status = "behind"
	StatusUntracked Status = "untracked"
	// StatusNoScope is a milestone whose target is "all" of no organisations:
	// the registry holds none it counts, so it is neither met nor missed.
	StatusNoScope Status = "no_scope"
)

var statusNames = map[Status]string{
	StatusMet: "выполнено", StatusMissed: "не выполнено", StatusOnTrack: "в графике", StatusBehind: "отстаёт", StatusUntracked: "не отслеживается",
	StatusNoScope: "нет организаций в охвате",
}

// StatusName is a status in Russian.
func StatusName(s Status) string { return statusNames[s] }

// Report is the coordinator report: organisations counted by type, state
// and district as the event log stood at At, and the roadmap's milestones.
type Report struct {
	At         time.Time         `json:"at"`
	Date       string            `json:"date"` // the report's day in its time zone
	Zone       string            `json:"zone"`
	Roadmap    *RoadmapRef       `json:"roadmap,omitempty"`
	All        Group             `json:"all"`
	ByType     []Group           `json:"by_type"`
	ByDistrict []Group           `json:"by_district"`
	Milestones []MilestoneResult `json:"milestones,omitempty"`
	Charts     []Chart           `json:"charts"`
	Orgs       []OrgRow          `json:"orgs"`
}

// OrgRow is one organisation as the report saw it: its state, when it
// reached each milestone, its act and its domain.
type OrgRow struct {
	ID          string        `json:"id"`
	Name        string        `json:"name"`
	Type        store.OrgType `json:"type"`
	District    string        `json:"district"`
	LegacyURL   string        `json:"legacy_url,omitempty"`
	State       store.State   `json:"state"`
	Registered  time.Time     `json:"registered"`
	StateSince  time.Time     `json:"state_since"`
	Migrated    *time.Time    `json:"migrated,omitempty"`   // first reached verified
	ActIssued   *time.Time    `json:"act_issued,omitempty"` // first act issued
	ActNumber   string        `json:"act_number,omitempty"`
	ActVersion  int           `json:"act_version,omitempty"`
	ActSigned   string        `json:"act_signed,omitempty"` // the date on the signed paper, YYYY-MM-DD
	ActVoided   *time.Time    `json:"act_voided,omitempty"` // the act was voided then (a rollback, an operator)
	DomainBound bool          `json:"domain_bound"`
	DomainCheck *time.Time    `json:"domain_checked,omitempty"` // the last check, bound or not
}

// RoadmapRef names the roadmap a report compares with.
type RoadmapRef struct {
	ID     string `json:"id"`
	Title  string `json:"title"`
	Region string `json:"region"`
}

// Group counts the organisations of one type, one district, or all.
type Group struct {
	Key         string       `json:"key"`
	Label       string       `json:"label"`
	Total       int          `json:"total"`
	States      []StateCount `json:"states"` // every state, in pipeline order, failed last
	Migrated    int          `json:"migrated"`
	ActIssued   int          `json:"act_issued"`
	ActSigned   int          `json:"act_signed"`
	DomainBound int          `json:"domain_bound"`
}

// StateCount is how many organisations are in one state.
type StateCount struct {
	State store.State `json:"state"`
	Count int         `json:"count"`
}

// Count returns a group's count of state s.
func (g *Group) Count(s store.State) int {
	for _, c := range g.States {
		if c.State == s {
			return c.Count
		}
	}
	return 0
}

// Metric returns a group's count of a tracked metric.
func (g *Group) Metric(m Metric) int {
	switch m {
	case MetricMigrated:
		return g.Migrated
	case MetricActIssued:
		return g.ActIssued
	case MetricActSigned:
		return g.ActSigned
	case MetricDomainBound:
		return g.DomainBound
	}
	return 0
}

// InWork is how many organisations have not reached verified and did not fail.
func (g *Group) InWork() int {
	n := 0
	for _, c := range g.States {
		if c.State != store.Failed && c.State.Rank() < store.Verified.Rank() {
			n += c.Count
		}
	}
	return n
}

// MilestoneResult is a roadmap milestone compared with the ledger.
type MilestoneResult struct {
	Metric     Metric          `json:"metric"`
	Label      string          `json:"label"`
	Scope      string          `json:"scope"`
	Types      []store.OrgType `json:"types,omitempty"`
	LegacyOnly bool            `json:"legacy_only,omitempty"`
	From       string          `json:"from,omitempty"`
	Due        string          `json:"due"`
	Target     int             `json:"target,omitempty"`      // resolved: "all" becomes the organisations in scope
	TargetText string          `json:"target_text,omitempty"` // "все", or the roadmap's words for untracked rows
	Actual     *int            `json:"actual,omitempty"`      // at the due date when it has passed, else at the report's date
	Now        *int            `json:"now,omitempty"`         // at the report's date
	Expected   *int            `json:"expected,omitempty"`    // where the targets put the count at the report's date, for due dates to come
	InScope    int             `json:"in_scope"`              // organisations the milestone counts, at the report's date
	Pending    []StateCount    `json:"pending,omitempty"`     // of those, not yet counted: by state at the report's date
	Status     Status          `json:"status"`
}

// Chart is the history of completed migrations and signed acts of one
// milestone scope, against the scope's targets.
type Chart struct {
	Title   string        `json:"title"`
	From    string        `json:"from"`
	To      string        `json:"to"`
	Lines   []Line        `json:"lines"`
	Targets []TargetPoint `json:"targets,omitempty"`
}

// Line is a metric's count over time: a point where it changed.
type Line struct {
	Metric Metric  `json:"metric"`
	Label  string  `json:"label"`
	Points []Point `json:"points"`
}

// Point is a count on a day.
type Point struct {
	Date  string `json:"date"`
	Value int    `json:"value"`
}

// TargetPoint is a milestone on a chart.
type TargetPoint struct {
	Metric Metric `json:"metric"`
	Date   string `json:"date"`
	Value  int    `json:"value"`
	Status Status `json:"status"`
}

// Options say what a report covers.
type Options struct {
	// At is the moment the report describes; zero means now.
	At time.Time
	// Roadmap, if set, is compared with the counts; its milestones end at
	// midnight in its own time zone.
	Roadmap *Roadmap
	// Location sets the report's days: the region's zone. Default: the
	// roadmap's zone, else time.Local.
	Location *time.Location
}

// Build computes the report by replaying the event log up to opt.At.
func Build(ws *store.Workspace, opt Options) (*Report, error) {
	h, err := loadHistory(ws)
	if err != nil {
		return nil, err
	}
	loc := opt.Location
	if loc == nil && opt.Roadmap != nil {
		loc = opt.Roadmap.loc
	}
	if loc == nil {
		loc = time.Local
	}
	at := opt.At
	if at.IsZero() {
		at = ws.Now()
	}
	at = at.In(loc)
	rep := &Report{At: at, Date: at.Format("2006-01-02"), Zone: loc.String(), Charts: []Chart{}}
	snap := h.snapshot(at)
	rep.All = group("all", "всего", snap, func(*store.Org) bool { return true })
	for _, t := range store.OrgTypes {
		rep.ByType = append(rep.ByType, group(string(t), typePlural(t), snap, func(o *store.Org) bool { return o.Type == t }))
	}
	rep.ByDistrict = []Group{}
	for _, d := range snap.districts() {
		rep.ByDistrict = append(rep.ByDistrict, group(d, districtLabel(d), snap, func(o *store.Org) bool { return o.District == d }))
	}
	if rm := opt.Roadmap; rm != nil {
		rep.Roadmap = &RoadmapRef{ID: rm.ID, Title: rm.Title, Region: rm.Region}
		rep.Milestones = milestones(rm, h, snap, at)
	}
	rep.Charts = charts(opt.Roadmap, h, snap, at, rep.Milestones)
	if rep.Orgs, err = orgRows(ws, snap, at); err != nil {
		return nil, err
	}
	return rep, nil
}

// orgRows lists the organisations present at moment at, with the act
// each had then (issued, and signed, by that moment).
func orgRows(ws *store.Workspace, sn snap, at time.Time) ([]OrgRow, error) {
	out := []OrgRow{}
	loc := at.Location()
	local := func(t time.Time) *time.Time {
		if t.IsZero() {
			return nil
		}
		t = t.In(loc)
		return &t
	}
	for _, s := range sn {
		if !s.present {
			continue
		}
		r := OrgRow{ID: s.org.ID, Name: s.org.Name, Type: s.org.Type, District: s.org.District, LegacyURL: s.org.LegacyURL,
			State: s.state, Registered: s.registered.In(loc), StateSince: s.since.In(loc),
			Migrated: local(s.first[MetricMigrated]), ActIssued: local(s.first[MetricActIssued]),
			DomainBound: s.bound, DomainCheck: local(s.checked)}
		acts, err := Acts(ws, s.org.ID)
		if err != nil {
			return nil, err
		}
		for _, a := range acts {
			if a.Issued.After(at) {
				break
			}
			r.ActNumber, r.ActVersion, r.ActSigned, r.ActVoided = a.Number, a.Version, "", nil
			if sig := a.signatureAt(at); sig != nil {
				r.ActSigned = sig.Date
			}
			if v := a.Void; v != nil && !v.At.After(at) {
				r.ActVoided = local(v.At)
			}
		}
		out = append(out, r)
	}
	slices.SortFunc(out, func(a, b OrgRow) int {
		if c := strings.Compare(a.District, b.District); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	return out, nil
}

func districtLabel(d string) string {
	if d == "" {
		return "(район не указан)"
	}
	return d
}

// history is the ledger's organisations and event log.
type history struct {
	orgs   []*store.Org
	events []store.Event
}

func loadHistory(ws *store.Workspace) (*history, error) {
	orgs, err := ws.Orgs()
	if err != nil {
		return nil, err
	}
	h := &history{orgs: orgs}
	err = ws.AllEvents(func(e store.Event) error {
		switch e.Kind {
		case store.EventImport, store.EventState, binding.EventKind, EventAct, EventRollback:
			h.events = append(h.events, e)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read the event log: %w", err)
	}
	return h, nil
}

// siteAt is one organisation as the log stood at a moment.
type siteAt struct {
	org        *store.Org
	present    bool
	state      store.State
	registered time.Time            // its first import (or creation, in older ledgers)
	since      time.Time            // when it entered state
	first      map[Metric]time.Time // when the site first counted for a monotone metric
	bound      bool
	checked    time.Time // the last domain check
}

func (s *siteAt) counts(m Metric) bool {
	if m == MetricDomainBound {
		return s.bound
	}
	_, ok := s.first[m]
	return ok
}

// snap is every organisation as the log stood at a moment.
type snap []*siteAt

// snapshot replays the events up to and including t.
func (h *history) snapshot(t time.Time) snap {
	by := map[string]*siteAt{}
	out := make(snap, 0, len(h.orgs))
	for _, o := range h.orgs {
		s := &siteAt{org: o, first: map[Metric]time.Time{}}
		by[o.ID] = s
		out = append(out, s)
	}
	seenImport := map[string]bool{}
	for _, e := range h.events {
		if e.Time.After(t) {
			continue
		}
		s := by[e.Org]
		if s == nil {
			continue // an event of an organisation no longer in the registry
		}
		switch e.Kind {
		case binding.EventKind:
			s.bound, s.checked = e.To == binding.Bound, e.Time
			continue
		case EventRollback:
			// The content is off the portal: the site counts again when it
			// is migrated again.
			delete(s.first, MetricMigrated)
			delete(s.first, MetricActIssued)
			continue
		case EventAct:
			switch e.To {
			case ActVoided:
				delete(s.first, MetricActIssued)
			case SignatureVoided:
				delete(s.first, MetricActSigned)
			}
			continue
		case store.EventImport:
			if !seenImport[e.Org] {
				s.registered = e.Time
			}
			seenImport[e.Org] = true
		}
		st := store.State(e.To)
		if e.To == "" {
			continue
		}
		if !s.present || st != s.state {
			s.since = e.Time
		}
		s.present, s.state = true, st
		reach := func(m Metric, ok bool) {
			if _, done := s.first[m]; ok && !done {
				s.first[m] = e.Time
			}
		}
		reach(MetricMigrated, st.Rank() >= store.Verified.Rank())
		reach(MetricActIssued, st.Rank() >= store.ActIssued.Rank())
		reach(MetricActSigned, st == store.ActSigned)
	}
	for _, s := range out {
		// An organisation without an import event (older ledgers) counts
		// from its creation.
		if !s.present && !seenImport[s.org.ID] && !s.org.Created.After(t) {
			s.present, s.state = true, store.Registered
			s.registered, s.since = s.org.Created, s.org.Created
		}
	}
	return out
}

func (sn snap) districts() []string {
	var ds []string
	for _, s := range sn {
		if s.present && !slices.Contains(ds, s.org.District) {
			ds = append(ds, s.org.District)
		}
	}
	slices.Sort(ds)
	return ds
}

func group(key, label string, sn snap, in func(*store.Org) bool) Group {
	g := Group{Key: key, Label: label}
	counts := map[store.State]int{}
	for _, s := range sn {
		if !s.present || !in(s.org) {
			continue
		}
		g.Total++
		counts[s.state]++
		for _, m := range []Metric{MetricMigrated, MetricActIssued, MetricActSigned, MetricDomainBound} {
			if s.counts(m) {
				switch m {
				case MetricMigrated:
					g.Migrated++
				case MetricActIssued:
					g.ActIssued++
				case MetricActSigned:
					g.ActSigned++
				case MetricDomainBound:
					g.DomainBound++
				}
			}
		}
	}
	for _, st := range reportStates() {
		g.States = append(g.States, StateCount{State: st, Count: counts[st]})
	}
	return g
}

// count is how many organisations in scope count for m, and how many are in scope.
func (sn snap) count(m Metric, types []store.OrgType, legacyOnly bool) (n, scope int) {
	for _, s := range sn {
		if !s.present || !inScope(s.org, types, legacyOnly) {
			continue
		}
		scope++
		if s.counts(m) {
			n++
		}
	}
	return n, scope
}

func milestones(rm *Roadmap, h *history, now snap, at time.Time) []MilestoneResult {
	var out []MilestoneResult
	for i := range rm.Milestones {
		m := &rm.Milestones[i]
		r := MilestoneResult{Metric: m.Metric, Label: m.Label, Scope: scopeName(m.Types, m.LegacyOnly), Types: m.Types, LegacyOnly: m.LegacyOnly, From: m.From, Due: m.Due}
		if !m.Metric.Tracked() {
			r.Status, r.TargetText = StatusUntracked, m.Target.Text
			if len(m.Types) == 0 {
				r.Scope = "—"
			}
			if r.TargetText == "" && m.Target.N > 0 {
				r.TargetText = fmt.Sprint(m.Target.N)
			}
			out = append(out, r)
			continue
		}
		cur, scope := now.count(m.Metric, m.Types, m.LegacyOnly)
		r.Now, r.InScope = &cur, scope
		r.Target = m.Target.N
		if m.Target.All {
			r.TargetText = "все"
		}
		deadline := endOfDay(m.due)
		if !at.Before(deadline) {
			past := h.snapshot(deadline)
			n, pscope := past.count(m.Metric, m.Types, m.LegacyOnly)
			if m.Target.All {
				r.Target = pscope
			}
			r.Actual = &n
			r.Status = StatusMissed
			switch {
			case m.Target.All && pscope == 0:
				r.Status = StatusNoScope
			case n >= r.Target:
				r.Status = StatusMet
			}
		} else {
			if m.Target.All {
				r.Target = scope
			}
			r.Actual = &cur
			exp := expected(rm, m, scope, at)
			r.Expected = &exp
			switch {
			case m.Target.All && scope == 0:
				r.Status = StatusNoScope
			case cur >= r.Target:
				r.Status = StatusMet
			case cur >= exp:
				r.Status = StatusOnTrack
			default:
				r.Status = StatusBehind
			}
		}
		if r.Status != StatusNoScope && (cur < r.Target || r.Status == StatusMissed) {
			counts := map[store.State]int{}
			for _, s := range now {
				if s.present && inScope(s.org, m.Types, m.LegacyOnly) && !s.counts(m.Metric) {
					counts[s.state]++
				}
			}
			for _, st := range reportStates() {
				if counts[st] > 0 {
					r.Pending = append(r.Pending, StateCount{State: st, Count: counts[st]})
				}
			}
		}
		out = append(out, r)
	}
	return out
}

// expected is where the roadmap's targets for m's metric and scope put the
// count at moment at: the targets joined by straight lines, from zero at
// the roadmap's start.
func expected(rm *Roadmap, m *Milestone, scope int, at time.Time) int {
	type pt struct {
		t time.Time
		v float64
	}
	pts := []pt{{rm.start, 0}}
	for i := range rm.Milestones {
		o := &rm.Milestones[i]
		if o.Metric != m.Metric || o.scopeKey() != m.scopeKey() {
			continue
		}
		v := float64(o.Target.N)
		if o.Target.All {
			v = float64(scope)
		}
		pts = append(pts, pt{endOfDay(o.due), v})
	}
	slices.SortFunc(pts, func(a, b pt) int { return a.t.Compare(b.t) })
	if !at.After(pts[0].t) {
		return 0
	}
	for i := 1; i < len(pts); i++ {
		if at.Before(pts[i].t) {
			a, b := pts[i-1], pts[i]
			f := float64(at.Sub(a.t)) / float64(b.t.Sub(a.t))
			return int(math.Floor(a.v + (b.v-a.v)*f))
		}
	}
	return int(pts[len(pts)-1].v)
}

// chartMetrics are the lines every chart draws.
var chartMetrics = []Metric{MetricMigrated, MetricActSigned}

func charts(rm *Roadmap, h *history, now snap, at time.Time, ms []MilestoneResult) []Chart {
	type scope struct {
		key        string
		types      []store.OrgType
		legacyOnly bool
	}
	var scopes []scope
	from, to := time.Time{}, at
	if rm != nil {
		from = rm.start
		if rm.end.After(to) {
			to = endOfDay(rm.end)
		}
		for i := range rm.Milestones {
			m := &rm.Milestones[i]
			if !slices.Contains(chartMetrics, m.Metric) {
				continue
			}
			if endOfDay(m.due).After(to) {
				to = endOfDay(m.due)
			}
			if !slices.ContainsFunc(scopes, func(s scope) bool { return s.key == m.scopeKey() }) {
				scopes = append(scopes, scope{m.scopeKey(), m.Types, m.LegacyOnly})
			}
		}
	}
	if len(scopes) == 0 {
		scopes = append(scopes, scope{key: "/legacy=false"})
	}
	if from.IsZero() {
		for _, e := range h.events {
			if from.IsZero() || e.Time.Before(from) {
				from = e.Time
			}
		}
		if from.IsZero() {
			from = at
		}
	}
	loc := at.Location()
	day := func(t time.Time) string { return t.In(loc).Format("2006-01-02") }
	var out []Chart
	for _, sc := range scopes {
		c := Chart{Title: capitalize(scopeName(sc.types, sc.legacyOnly)), From: day(from), To: day(to)}
		for _, m := range chartMetrics {
			var times []time.Time
			for _, s := range now {
				if t, ok := s.first[m]; ok && s.present && inScope(s.org, sc.types, sc.legacyOnly) {
					times = append(times, t)
				}
			}
			slices.SortFunc(times, time.Time.Compare)
			l := Line{Metric: m, Label: MetricName(m), Points: []Point{{Date: day(from), Value: 0}}}
			for i, t := range times {
				d := day(t)
				if d < l.Points[0].Date {
					d = l.Points[0].Date
				}
				if last := &l.Points[len(l.Points)-1]; last.Date == d {
					last.Value = i + 1
				} else {
					l.Points = append(l.Points, Point{Date: d, Value: i + 1})
				}
			}
			if last := l.Points[len(l.Points)-1]; last.Date != day(at) && day(at) > last.Date {
				l.Points = append(l.Points, Point{Date: day(at), Value: last.Value})
			}
			c.Lines = append(c.Lines, l)
		}
		if rm != nil {
			for i := range rm.Milestones {
				m := &rm.Milestones[i]
				if slices.Contains(chartMetrics, m.Metric) && m.scopeKey() == sc.key {
					c.Targets = append(c.Targets, TargetPoint{Metric: m.Metric, Date: m.Due, Value: ms[i].Target, Status: ms[i].Status})
				}
			}
		}
		out = append(out, c)
	}
	return out
}

// pendingText lists pending states: "зарегистрировано 2; ошибка 1".
func pendingText(p []StateCount) string {
	parts := make([]string, len(p))
	for i, c := range p {
		parts[i] = fmt.Sprintf("%s %d", StateName(c.State), c.Count)
	}
	return strings.Join(parts, "; ")
}

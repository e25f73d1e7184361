package report

import (
	"bytes"
	"embed"
	"fmt"
	"io/fs"
	"os"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"perenos/store"

	_ "time/tzdata" // roadmaps name their region's time zone; hosts without tzdata still know it
)

//go:embed roadmaps/*.yaml
var roadmapFS embed.FS

// Metric is what a roadmap milestone counts.
type Metric string

// The metrics perenos counts from its ledger. Any other metric a roadmap
// names (staff trained, reports to the ministry) is shown as «не
// отслеживается».
const (
	MetricMigrated    Metric = "migrated"     // the site reached verified at some point
	MetricActIssued   Metric = "act_issued"   // an act was issued at some point
	MetricActSigned   Metric = "act_signed"   // an act was signed at some point
	MetricDomainBound Metric = "domain_bound" // the old domain points at the new site (last check)
)

// Tracked reports whether perenos can count m from its ledger.
func (m Metric) Tracked() bool {
	switch m {
	case MetricMigrated, MetricActIssued, MetricActSigned, MetricDomainBound:
		return true
	}
	return false
}

// metricNames are the tracked metrics as report columns name them.
var metricNames = map[Metric]string{
	MetricMigrated:    "перенесено",
	MetricActIssued:   "акт выдан",
	MetricActSigned:   "акт подписан",
	MetricDomainBound: "домен подключён",
}

// MetricName is a metric's Russian name.
func MetricName(m Metric) string {
	if n, ok := metricNames[m]; ok {
		return n
	}
	return string(m)
}

// Roadmap is a regional act's table of milestones, loaded from YAML.
type Roadmap struct {
	ID         string      `yaml:"id" json:"id"`
	Title      string      `yaml:"title" json:"title"`
	Region     string      `yaml:"region" json:"region"`
	Timezone   string      `yaml:"timezone" json:"timezone"`
	Start      string      `yaml:"start" json:"start"` // the act's date: targets grow from zero here
	End        string      `yaml:"end" json:"end"`     // end of the pilot
	Milestones []Milestone `yaml:"milestones" json:"milestones"`

	loc        *time.Location
	namedZone  bool // the file names its time zone
	start, end time.Time
}

// Milestone is one row of a roadmap: at least Target organisations of
// Types (all types when empty) counted by Metric by the end of Due.
type Milestone struct {
	Metric     Metric          `yaml:"metric" json:"metric"`
	Label      string          `yaml:"label" json:"label"`
	Types      []store.OrgType `yaml:"types" json:"types,omitempty"`
	LegacyOnly bool            `yaml:"legacy_only" json:"legacy_only,omitempty"` // only organisations that had a site of their own
	From       string          `yaml:"from" json:"from,omitempty"`               // start of a period, for rows given as a range
	Due        string          `yaml:"due" json:"due"`
	Target     Target          `yaml:"target" json:"target"`

	due time.Time
}

// Target is a milestone's goal: a number, "all" organisations in scope,
// or, for rows perenos does not track, the roadmap's own words.
type Target struct {
	N    int    `json:"n,omitempty"`
	All  bool   `json:"all,omitempty"`
	Text string `json:"text,omitempty"`
}

// UnmarshalYAML reads 30, all, or any text.
func (t *Target) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.ScalarNode {
		return fmt.Errorf("line %d: target must be a number, all, or text", n.Line)
	}
	v := strings.TrimSpace(n.Value)
	if i, err := strconv.Atoi(v); err == nil && n.Tag == "!!int" {
		*t = Target{N: i}
		return nil
	}
	if strings.EqualFold(v, "all") {
		*t = Target{All: true}
		return nil
	}
	*t = Target{Text: v}
	return nil
}

// Location is the roadmap's time zone: its dates end at midnight there.
func (r *Roadmap) Location() *time.Location { return r.loc }

// NamedZone is the time zone the roadmap's file names, or "" when it names
// none (its dates are then read in Europe/Moscow).
func (r *Roadmap) NamedZone() string {
	if !r.namedZone {
		return ""
	}
	return r.Timezone
}

// Zone is the region's time zone for reports and acts: the workspace's
// setting (perenos config tz) when there is one, else the roadmap's when
// one is given, else time.Local. set says whether it came from either.
func Zone(ws *store.Workspace, rm *Roadmap) (loc *time.Location, set bool, err error) {
	c, err := ws.Config()
	if err != nil {
		return nil, false, err
	}
	switch {
	case c.TimeZone != "":
		loc, err = store.LoadZone(c.TimeZone)
		return loc, err == nil, err
	case rm != nil:
		return rm.loc, true, nil
	}
	return time.Local, false, nil
}

// EmbeddedRoadmaps names the roadmaps built into perenos.
func EmbeddedRoadmaps() []string {
	ents, _ := fs.ReadDir(roadmapFS, "roadmaps")
	var out []string
	for _, e := range ents {
		out = append(out, strings.TrimSuffix(e.Name(), ".yaml"))
	}
	return out
}

// LoadRoadmap loads a built-in roadmap by name (irkutsk-460rp,
// kherson-63pp) or a roadmap file by path.
func LoadRoadmap(nameOrPath string) (*Roadmap, error) {
	name := strings.TrimSuffix(nameOrPath, ".yaml")
	if !strings.ContainsAny(nameOrPath, `/\`) && slices.Contains(EmbeddedRoadmaps(), name) {
		data, err := roadmapFS.ReadFile(path.Join("roadmaps", name+".yaml"))
		if err != nil {
			return nil, err
		}
		return ParseRoadmap(name, data)
	}
	data, err := os.ReadFile(nameOrPath)
	if err != nil {
		return nil, fmt.Errorf("roadmap %s: %w (built-in roadmaps: %s)", nameOrPath, err, strings.Join(EmbeddedRoadmaps(), ", "))
	}
	return ParseRoadmap(nameOrPath, data)
}

// ParseRoadmap reads and checks a roadmap; name is for messages.
func ParseRoadmap(name string, data []byte) (*Roadmap, error) {
	var r Roadmap
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&r); err != nil {
		return nil, fmt.Errorf("roadmap %s: %w", name, err)
	}
	if err := r.validate(); err != nil {
		return nil, fmt.Errorf("roadmap %s: %w", name, err)
	}
	return &r, nil
}

func (r *Roadmap) validate() error {
	if r.ID == "" || r.Title == "" {
		return fmt.Errorf("id and title are required")
	}
	r.namedZone = r.Timezone != ""
	if r.Timezone == "" {
		r.Timezone = "Europe/Moscow"
	}
	loc, err := time.LoadLocation(r.Timezone)
	if err != nil {
		return fmt.Errorf("timezone %q: %w", r.Timezone, err)
	}
	r.loc = loc
	if r.start, err = parseDay(r.Start, loc); err != nil {
		return fmt.Errorf("start: %w", err)
	}
	if r.End != "" {
		if r.end, err = parseDay(r.End, loc); err != nil {
			return fmt.Errorf("end: %w", err)
		}
	}
	if len(r.Milestones) == 0 {
		return fmt.Errorf("no milestones")
	}
	for i := range r.Milestones {
		m := &r.Milestones[i]
		where := fmt.Sprintf("milestone %d (%s, due %s)", i+1, m.Metric, m.Due)
		if m.Metric == "" {
			return fmt.Errorf("%s: metric is required (migrated, act_issued, act_signed, domain_bound, or any untracked name)", where)
		}
		if m.due, err = parseDay(m.Due, loc); err != nil {
			return fmt.Errorf("%s: due: %w", where, err)
		}
		if m.From != "" {
			if _, err := parseDay(m.From, loc); err != nil {
				return fmt.Errorf("%s: from: %w", where, err)
			}
		}
		for _, t := range m.Types {
			if _, err := store.ParseOrgType(string(t)); err != nil {
				return fmt.Errorf("%s: %w", where, err)
			}
		}
		if m.Metric.Tracked() && m.Target.N <= 0 && !m.Target.All {
			return fmt.Errorf("%s: target must be a positive number or all", where)
		}
		if m.Label == "" {
			m.Label = MetricName(m.Metric)
		}
	}
	return nil
}

// ParseDay reads a date as YYYY-MM-DD or DD.MM.YYYY: midnight in loc.
func ParseDay(s string, loc *time.Location) (time.Time, error) { return parseDay(s, loc) }

func parseDay(s string, loc *time.Location) (time.Time, error) {
	for _, layout := range []string{"2006-01-02", "02.01.2006"} {
		if t, err := time.ParseInLocation(layout, strings.TrimSpace(s), loc); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is not a date (want YYYY-MM-DD)", s)
}

// ParseDate reads the date a report is wanted for: the end of that day in
// loc (YYYY-MM-DD or DD.MM.YYYY), or an exact RFC 3339 time.
func ParseDate(s string, loc *time.Location) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	d, err := parseDay(s, loc)
	if err != nil {
		return time.Time{}, err
	}
	return endOfDay(d), nil
}

// endOfDay is the last instant of the day that starts at midnight d.
func endOfDay(d time.Time) time.Time {
	return time.Date(d.Year(), d.Month(), d.Day()+1, 0, 0, 0, 0, d.Location()).Add(-time.Nanosecond)
}

// scopeKey groups milestones counting the same organisations.
func (m *Milestone) scopeKey() string {
	ts := make([]string, len(m.Types))
	for i, t := range m.Types {
		ts[i] = string(t)
	}
	slices.Sort(ts)
	return strings.Join(ts, "+") + fmt.Sprintf("/legacy=%v", m.LegacyOnly)
}

// scopeName is who a milestone counts, in Russian.
func scopeName(types []store.OrgType, legacyOnly bool) string {
	s := "все организации"
	if len(types) > 0 {
		names := make([]string, len(types))
		for i, t := range types {
			names[i] = typePlural(t)
		}
		s = strings.Join(names, " и ")
	}
	if legacyOnly {
		s += " (у которых был свой сайт)"
	}
	return s
}

// inScope reports whether o is counted by a milestone of these types.
func inScope(o *store.Org, types []store.OrgType, legacyOnly bool) bool {
	if legacyOnly && !o.HasLegacy() {
		return false
	}
	return len(types) == 0 || slices.Contains(types, o.Type)
}

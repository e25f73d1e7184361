package mapping

import (
	"fmt"
	"strings"

	"perenos/extract"
)

// part is a piece of a page that belongs to a section of its own.
type part struct {
	section string
	title   string
	body    string
	cands   []Candidate
}

// split divides a page made of parts that belong to different mandated
// sections (the old combined «Руководство. Педагогический состав» page)
// into one part per section. A page is split only when every heading of
// its top level (the page's own title aside) names a mandated subsection,
// at least two different ones are named, and the page's own best section
// is among them; otherwise it stays one piece.
func (c *classifier) split(d *extract.Document, cands []Candidate) []part {
	if len(cands) == 0 || d.Markdown == "" {
		return nil
	}
	lines := strings.Split(d.Markdown, "\n")
	type heading struct {
		line, level   int
		text, section string
	}
	var hs []heading
	title := norm(d.Title)
	level := 0
	for i, line := range lines {
		t := strings.TrimSpace(line)
		if !strings.HasPrefix(t, "#") {
			continue
		}
		lv := len(t) - len(strings.TrimLeft(t, "#"))
		h := strings.TrimSpace(strings.TrimLeft(t, "#"))
		if h == "" || norm(h) == title {
			continue
		}
		sec := c.headingSection(h)
		hs = append(hs, heading{i, lv, h, sec})
		if sec != "" && (level == 0 || lv < level) {
			level = lv
		}
	}
	if level == 0 {
		return nil
	}
	var top []heading
	distinct := map[string]bool{}
	for _, h := range hs {
		if h.level > level {
			continue
		}
		if h.section == "" {
			return nil // a top-level part that belongs to no section: the page is one piece
		}
		top = append(top, h)
		distinct[h.section] = true
	}
	if len(distinct) < 2 || !distinct[cands[0].Section] {
		return nil
	}
	var order []string
	bodies := map[string][]string{}
	heads := map[string]string{}
	for i, h := range top {
		end := len(lines)
		if i+1 < len(top) {
			end = top[i+1].line
		}
		start := h.line
		if i == 0 {
			start = 0 // what precedes the first part belongs to it
		}
		if _, ok := bodies[h.section]; !ok {
			order = append(order, h.section)
			heads[h.section] = h.text
		}
		bodies[h.section] = append(bodies[h.section], lines[start:end]...)
	}
	out := make([]part, 0, len(order))
	for _, s := range order {
		sigs := []signal{{s, wTitleExact, fmt.Sprintf("часть страницы под заголовком «%s»", heads[s]), false}}
		for _, pc := range cands {
			if pc.Section == s {
				for _, r := range pc.Reasons {
					sigs = append(sigs, signal{s, pc.Confidence, r, false})
				}
				break
			}
		}
		out = append(out, part{section: s, title: heads[s], body: strings.TrimSpace(strings.Join(bodies[s], "\n")), cands: combineParts(sigs)})
	}
	return out
}

// combineParts combines a part's signals: its heading, and the page's own
// evidence for the section counted once.
func combineParts(sigs []signal) []Candidate {
	if len(sigs) <= 1 {
		return combine(sigs)
	}
	c := combine(sigs[:2])
	for _, s := range sigs[2:] {
		c[0].Reasons = append(c[0].Reasons, s.reason)
	}
	return c
}

// headingSection returns the mandated subsection a heading names on its
// own («Руководство», «Педагогический состав»), or "" when it names none
// or more than one.
func (c *classifier) headingSection(h string) string {
	hs := stems(h)
	found := ""
	for _, s := range c.secs {
		if !s.Mandated || s.Parent == "" {
			continue
		}
		if m, _ := matchShort(hs, c.phrases[s.ID]); m >= matchMost {
			if found != "" {
				return ""
			}
			found = s.ID
		}
	}
	return found
}

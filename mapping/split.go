package mapping

import (
	"fmt"
	"strings"
	"unicode/utf8"

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
// sections into one part per section. Two kinds of page are split:
//
//   - the old combined page («Руководство. Педагогический состав»): every
//     heading of its top level (the page's own title aside) names a
//     mandated subsection, at least two different ones, and the page's
//     own best section is among them;
//   - one page holding the whole «Сведения», named so (by its address,
//     title, menu item or links): headings (or lines in bold,
//     as anchored blocks often have instead) name at least three
//     different subsections. Each named block becomes a part of its
//     subsection; what precedes the first and the blocks that name none
//     stay together as the page of the whole section (the profile's root).
//
// Otherwise the page stays one piece.
func (c *classifier) split(d *extract.Document, cands []Candidate, sigs []signal) []part {
	if len(cands) == 0 || d.Markdown == "" {
		return nil
	}
	lines := strings.Split(d.Markdown, "\n")
	if c.namedSubsection(sigs) {
		// The page's name is one subsection's («Документы»): its headings
		// group what it lists («Финансово-хозяйственная деятельность» over
		// the plan of that activity); they are not parts of other
		// subsections. A combined page's name names two of them.
		return nil
	}
	hs := c.headingsOf(lines, norm(d.Title), false)
	if out := c.splitCombined(lines, hs, cands); out != nil {
		return out
	}
	if !c.namesRoot(sigs) {
		// Only the page the site calls the whole section holds it whole:
		// a page about something else («Центр «Точка роста»») may have
		// headings that read like subsections («Общая информация о
		// центре», «Документы») without being them.
		return nil
	}
	if out := c.splitWhole(lines, hs, d.Title, cands); out != nil {
		return out
	}
	return c.splitWhole(lines, c.headingsOf(lines, norm(d.Title), true), d.Title, cands)
}

// namesRoot reports whether the page's own name (its address, title, menu
// item or the links to it) names the profile's root section («Сведения об
// образовательной организации»).
func (c *classifier) namesRoot(sigs []signal) bool {
	for _, s := range sigs {
		if !s.context && s.src.named() && s.section == c.prof.Root.ID {
			return true
		}
	}
	return false
}

// namedSubsection reports whether the page's own name (its title, menu
// item, address or the links to it) names one subsection of the root
// outright, and only one: not the root, not two, not nothing.
func (c *classifier) namedSubsection(sigs []signal) bool {
	named, mentioned := "", map[string]bool{}
	for _, s := range sigs {
		if s.context || !c.isRootChild(s.section) {
			continue
		}
		if s.src.named() && s.weight >= wTitleMost {
			named = s.section
		}
		if (s.src == evTitle || s.src == evMenu) && s.weight >= wTitleWord {
			mentioned[s.section] = true // «Руководство. Педагогический состав» mentions two
		}
	}
	return named != "" && len(mentioned) <= 1
}

// heading is a heading line of a page's Markdown and the subsection it names.
type heading struct {
	line, level   int
	text, section string
}

// headingsOf lists a page's headings (with bold, lines wholly in bold as
// headings of level 7), leaving out the page's own title.
func (c *classifier) headingsOf(lines []string, title string, bold bool) []heading {
	var hs []heading
	for i, line := range lines {
		t := strings.TrimSpace(line)
		var lv int
		var h string
		switch {
		case strings.HasPrefix(t, "#"):
			lv = len(t) - len(strings.TrimLeft(t, "#"))
			h = strings.TrimSpace(strings.TrimLeft(t, "#"))
		case bold && len(t) > 4 && (strings.HasPrefix(t, "**") && strings.HasSuffix(t, "**") || strings.HasPrefix(t, "__") && strings.HasSuffix(t, "__")):
			lv, h = 7, strings.TrimSpace(t[2:len(t)-2])
			if strings.Contains(h, "**") || utf8.RuneCountInString(h) > maxLabel {
				continue
			}
		default:
			continue
		}
		h = strings.Trim(h, "*_ ")
		if h == "" || norm(h) == title {
			continue
		}
		hs = append(hs, heading{i, lv, h, c.headingSection(h)})
	}
	return hs
}

// splitCombined splits the old combined page: every top-level heading
// names a mandated subsection.
func (c *classifier) splitCombined(lines []string, hs []heading, cands []Candidate) []part {
	level := 0
	for _, h := range hs {
		if h.section != "" && h.level < 7 && (level == 0 || h.level < level) {
			level = h.level
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
	return c.parts(lines, top, cands, "", "")
}

// wholeSubsections is how many different subsections a page's headings
// must name for it to be the page of the whole section.
const wholeSubsections = 3

// splitWhole splits a page that holds the whole section: at the level
// where its headings name the most subsections, at least three.
func (c *classifier) splitWhole(lines []string, hs []heading, title string, cands []Candidate) []part {
	best, bestN := 0, 0
	for lv := 1; lv <= 7; lv++ {
		distinct := map[string]bool{}
		for _, h := range hs {
			if h.level == lv && h.section != "" {
				distinct[h.section] = true
			}
		}
		if len(distinct) > bestN {
			best, bestN = lv, len(distinct)
		}
	}
	if bestN < wholeSubsections {
		return nil
	}
	var top []heading
	for _, h := range hs {
		if h.level <= best {
			top = append(top, h)
		}
	}
	return c.parts(lines, top, cands, c.prof.Root.ID, title)
}

// parts cuts the page at the headings. A block whose heading names no
// subsection, and what precedes the first heading, go to the part of
// rest (the page of the whole section) when rest is set, and else to the
// part before them.
func (c *classifier) parts(lines []string, top []heading, cands []Candidate, rest, restTitle string) []part {
	var order []string
	bodies := map[string][]string{}
	heads := map[string]string{}
	add := func(sec, head string, ls []string) {
		if _, ok := bodies[sec]; !ok {
			order = append(order, sec)
			heads[sec] = head
		}
		bodies[sec] = append(bodies[sec], ls...)
	}
	if rest != "" && len(top) > 0 {
		add(rest, restTitle, lines[:top[0].line])
	}
	cur := ""
	for i, h := range top {
		end := len(lines)
		if i+1 < len(top) {
			end = top[i+1].line
		}
		start := h.line
		if i == 0 && rest == "" {
			start = 0 // what precedes the first part belongs to it
		}
		sec, head := h.section, h.text
		switch {
		case sec == "" && rest != "":
			sec, head = rest, restTitle
		case sec == "":
			sec = cur
		}
		cur = sec
		add(sec, head, lines[start:end])
	}
	out := make([]part, 0, len(order))
	for _, s := range order {
		body := strings.TrimSpace(strings.Join(bodies[s], "\n"))
		if body == "" || s == rest && body == "#" {
			continue
		}
		why := fmt.Sprintf("часть страницы под заголовком «%s»", heads[s])
		if s == rest {
			why = "вводная часть страницы и блоки, которые не называют подраздела: страница всего раздела"
		}
		sigs := []signal{own(s, wTitleExact, evHeading, why)}
		for _, pc := range cands {
			if pc.Section == s {
				for _, r := range pc.Reasons {
					sigs = append(sigs, own(s, pc.Confidence, evHeading, r))
				}
				break
			}
		}
		out = append(out, part{section: s, title: heads[s], body: body, cands: combineParts(sigs)})
	}
	if len(out) < 2 {
		return nil
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

// headingSection returns the subsection of the root a heading names on
// its own («Руководство», «Педагогический состав»), or "" when it names
// none or more than one.
func (c *classifier) headingSection(h string) string {
	hs := c.st.stems(h)
	found := ""
	for _, s := range c.secs {
		if s.Parent != c.prof.Root.ID {
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

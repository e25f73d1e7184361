package realsites

import (
	"fmt"
	"net/url"
	"path"
	"slices"
	"sort"
	"strings"

	"perenos/mapping"
)

// Score is how a set of sites fared. Counts are integers; rates are
// fractions of the labelled pages (of the labelled documents for
// docs_accuracy, of the linked documents for docs_in_plan). A rate with
// nothing to count is 1 for documents (none was misplaced or lost).
type Score struct {
	Sites        int     `json:"sites"`
	Pages        int     `json:"pages"`
	Right        int     `json:"right"`
	Accuracy     float64 `json:"accuracy"`
	Wrong        int     `json:"wrong"`
	WrongRate    float64 `json:"wrong_rate"`
	Flagged      int     `json:"flagged"`
	FlaggedRate  float64 `json:"flagged_rate"`
	NotInPlan    int     `json:"not_in_plan"`
	Docs         int     `json:"docs"`
	DocsRight    int     `json:"docs_right"`
	DocsAccuracy float64 `json:"docs_accuracy"`
	DocsInPlan   float64 `json:"docs_in_plan"`
	// Calibration says, for the labelled pages placed with no review, how
	// often a placement of each confidence is right: are 0.6 placements
	// right 60 % of the time?
	Calibration []Bin `json:"calibration"`

	linked, linkedInPlan int // documents linked from the site's pages, and those of them in the plan
	placed, placedRight  [len(binEdges)]int
}

// Bin is the placed labelled pages whose confidence is at least From and
// below To (up to 1 for the last), and how many of them are right.
type Bin struct {
	From   float64 `json:"from"`
	To     float64 `json:"to"`
	Placed int     `json:"placed"`
	Right  int     `json:"right"`
	Rate   float64 `json:"rate"`
}

// binEdges are the lower edges of the calibration bins; the threshold of
// placement is 0.6, so lower confidences are rare (parts of split pages).
var binEdges = [...]float64{0, 0.6, 0.7, 0.8, 0.9}

// binOf is the bin of a confidence.
func binOf(conf float64) int {
	i := 0
	for j, e := range binEdges {
		if conf >= e {
			i = j
		}
	}
	return i
}

func (s *Score) add(o Score) {
	s.Sites += o.Sites
	s.Pages += o.Pages
	s.Right += o.Right
	s.Wrong += o.Wrong
	s.Flagged += o.Flagged
	s.NotInPlan += o.NotInPlan
	s.Docs += o.Docs
	s.DocsRight += o.DocsRight
	s.linked += o.linked
	s.linkedInPlan += o.linkedInPlan
	for i := range s.placed {
		s.placed[i] += o.placed[i]
		s.placedRight[i] += o.placedRight[i]
	}
	s.rates()
}

func (s *Score) rates() {
	s.Accuracy = ratio(s.Right, s.Pages, 0)
	s.WrongRate = ratio(s.Wrong, s.Pages, 0)
	s.FlaggedRate = ratio(s.Flagged, s.Pages, 0)
	s.DocsAccuracy = ratio(s.DocsRight, s.Docs, 1)
	s.DocsInPlan = ratio(s.linkedInPlan, s.linked, 1)
	s.Calibration = make([]Bin, len(binEdges))
	for i, e := range binEdges {
		to := 1.0
		if i+1 < len(binEdges) {
			to = binEdges[i+1]
		}
		s.Calibration[i] = Bin{From: e, To: to, Placed: s.placed[i], Right: s.placedRight[i], Rate: ratio(s.placedRight[i], s.placed[i], 0)}
	}
}

func ratio(a, b int, empty float64) float64 {
	if b == 0 {
		return empty
	}
	return float64(int(float64(a)/float64(b)*10000+0.5)) / 10000
}

// Miss is a labelled page or document not placed right: what the plan
// did with it (a section, "+"-joined for the parts of a split page;
// "review"; "excluded"; "not_in_plan"), what was accepted, and the plan's
// reasons or candidates.
type Miss struct {
	Site string `json:"site"`
	Path string `json:"path"`
	Got  string `json:"got"`
	Want string `json:"want"`
	Why  string `json:"why"`
}

// Outcomes of one label.
const (
	outRight     = "right"
	outWrong     = "wrong"
	outFlagged   = "review"
	outNotInPlan = "not_in_plan"
)

// entry is one plan item with where the plan put it.
type entry struct {
	it      *mapping.Item
	section string // "" when unplaced or excluded
	state   string // placed, unplaced, excluded
}

// planIndex finds a plan's items by path: the pages' own items (pages,
// news items, parts of split pages; never records) and the documents.
type planIndex struct {
	pages, docs map[string][]entry
}

func indexPlan(p *mapping.Plan) *planIndex {
	ix := &planIndex{pages: map[string][]entry{}, docs: map[string][]entry{}}
	add := func(it *mapping.Item, section, state string) {
		var m map[string][]entry
		switch it.Kind {
		case mapping.KindPage, mapping.KindNews:
			m = ix.pages
		case mapping.KindDocument:
			m = ix.docs
		default:
			return
		}
		k := pathKey(it.SourceURL)
		m[k] = append(m[k], entry{it, section, state})
	}
	for si := range p.Sections {
		for i := range p.Sections[si].Items {
			add(&p.Sections[si].Items[i], p.Sections[si].ID, "placed")
		}
	}
	for i := range p.Unplaced {
		add(&p.Unplaced[i], "", "unplaced")
	}
	for i := range p.Excluded {
		add(&p.Excluded[i], "", "excluded")
	}
	return ix
}

// pathKey is a URL's path under the site's root, unescaped, without the
// leading slash and the fragment, with its query: what a label's path
// names, whichever host of the site the URL is on.
func pathKey(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	k := strings.TrimPrefix(u.Path, "/")
	if u.RawQuery != "" {
		k += "?" + u.RawQuery
	}
	return k
}

// lookup returns the items a label's path names. A path naming a folder's
// index file (sveden/index.html) also names the folder's URL (sveden/)
// when that is the index the site's server answers the folder with
// (served says which, "" for none), and the folder's URL without its
// slash (sveden/common, a link the server redirects to sveden/common/:
// the crawl keeps the page under the address it was linked by).
func lookup(m map[string][]entry, p string, served func(dir string) string) []entry {
	if es := m[p]; len(es) > 0 {
		return es
	}
	base := path.Base(p)
	if dir := strings.TrimSuffix(p, base); strings.HasPrefix(base, "index.") && served(dir) == base {
		if es := m[dir]; len(es) > 0 || dir == "" {
			return es
		}
		return m[strings.TrimSuffix(dir, "/")]
	}
	return nil
}

// resolveCopies replaces each item excluded as a copy of another (copy_of)
// by that other's items, following chains a few steps.
func resolveCopies(m map[string][]entry, es []entry) []entry {
	for range 5 {
		var out []entry
		changed := false
		for _, e := range es {
			if e.state == "excluded" && e.it.CopyOf != "" {
				out = append(out, m[pathKey(e.it.CopyOf)]...)
				changed = true
				continue
			}
			out = append(out, e)
		}
		es = out
		if !changed {
			break
		}
	}
	return es
}

// judge scores one label against the plan's items for its path. A page is
// right when all its own items are placed, none left for review, each in
// an accepted section; a part of a split page also counts as right in a
// subsection of an accepted section (the label names the page that holds
// the whole section). It is flagged when any is left for review, and wrong
// otherwise (an excluded page is wrong: it will not be migrated).
func judge(m map[string][]entry, l Label, served func(string) string, parent func(string) string) (string, Miss) {
	out, miss, _ := judgeConf(m, l, served, parent)
	return out, miss
}

// judgeConf is judge, and for a page placed with no review the least
// confidence of its items (-1 otherwise).
func judgeConf(m map[string][]entry, l Label, served func(string) string, parent func(string) string) (string, Miss, float64) {
	miss := Miss{Site: l.Site, Path: l.Path, Want: strings.Join(l.Accept, "|")}
	es := resolveCopies(m, lookup(m, l.Path, served))
	if len(es) == 0 {
		miss.Got = outNotInPlan
		return outNotInPlan, miss, -1
	}
	var live []entry
	for _, e := range es {
		if e.state != "excluded" {
			live = append(live, e)
		}
	}
	if len(live) == 0 {
		miss.Got, miss.Why = "excluded", es[0].it.Reason
		return outWrong, miss, -1
	}
	for _, e := range live {
		if e.state == "unplaced" {
			miss.Got, miss.Why = outFlagged, describeUnplaced(e.it)
			return outFlagged, miss, -1
		}
	}
	var got, why []string
	right := true
	conf := 1.0
	for _, e := range live {
		conf = min(conf, e.it.Confidence)
		ok := slices.Contains(l.Accept, e.section) ||
			strings.Contains(e.it.Key, "#") && slices.Contains(l.Accept, parent(e.section))
		right = right && ok
		if !slices.Contains(got, e.section) {
			got = append(got, e.section)
			why = append(why, e.section+": "+strings.Join(e.it.Reasons, "; "))
		}
	}
	if right {
		return outRight, miss, conf
	}
	sort.Strings(got)
	miss.Got, miss.Why = strings.Join(got, "+"), strings.Join(why, " | ")
	return outWrong, miss, conf
}

func describeUnplaced(it *mapping.Item) string {
	var b strings.Builder
	b.WriteString(strings.Join(it.Reasons, "; "))
	if len(it.Candidates) == 0 {
		if b.Len() > 0 {
			b.WriteString("; ")
		}
		b.WriteString("no candidate")
	}
	for i, c := range it.Candidates {
		if b.Len() > 0 || i > 0 {
			b.WriteString(" | ")
		}
		fmt.Fprintf(&b, "%s %.2f: %s", c.Section, c.Confidence, strings.Join(c.Reasons, "; "))
	}
	return b.String()
}

// siteRules are what scoring needs to know of a site and its profile:
// which index file its server answers a folder with, and a section's parent.
type siteRules struct {
	served func(dir string) string
	parent func(section string) string
}

// scoreSite scores one site's plan against its labels. linked are the path
// keys of the documents linked from the site's pages; lost are those of
// them the plan does not have.
func scoreSite(p *mapping.Plan, pages, docs []Label, linked []string, r siteRules) (sc Score, misses []Miss, lost []string) {
	ix := indexPlan(p)
	sc = Score{Sites: 1}
	for _, l := range pages {
		sc.Pages++
		out, miss, conf := judgeConf(ix.pages, l, r.served, r.parent)
		if conf >= 0 {
			sc.placed[binOf(conf)]++
			if out == outRight {
				sc.placedRight[binOf(conf)]++
			}
		}
		switch out {
		case outRight:
			sc.Right++
			continue
		case outWrong:
			sc.Wrong++
		case outFlagged:
			sc.Flagged++
		case outNotInPlan:
			sc.NotInPlan++
		}
		misses = append(misses, miss)
	}
	for _, l := range docs {
		sc.Docs++
		out, miss := judge(ix.docs, l, r.served, func(string) string { return "" })
		if out == outRight {
			sc.DocsRight++
			continue
		}
		misses = append(misses, miss)
	}
	for _, k := range linked {
		sc.linked++
		if len(ix.docs[k]) > 0 {
			sc.linkedInPlan++
		} else {
			lost = append(lost, k)
		}
	}
	sc.rates()
	return sc, misses, lost
}

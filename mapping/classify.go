package mapping

import (
	"fmt"
	"net/url"
	"path"
	"regexp"
	"slices"
	"sort"
	"strings"

	"perenos/extract"
	"perenos/store"
)

// Signal weights. Each is the confidence one piece of evidence gives on its
// own; independent pieces combine by noisy-or.
const (
	wSlugUnderRoot = 0.95 // /sveden/paid_edu
	wSlug          = 0.85 // /paid_edu.html anywhere
	wSlugAncestor  = 0.6  // /patients/zapis/ lies under /patients/
	wNewsAncestor  = 0.8  // a page inside the news folder is a news item
	wDatedURL      = 0.85 // /2023/10/12/slug/, /news/slug/2023-10-12-5
	wMonthArchive  = 0.8  // /2023/10/
	wHome          = 0.9
	wTitleExact    = 0.8
	wTitleMost     = 0.7
	wTitlePhrase   = 0.55
	wTitleWord     = 0.4
	wHeadingExact  = 0.5
	wHeadingPhrase = 0.35
	wMenuExact     = 0.8
	wMenuMost      = 0.7
	wMenuPhrase    = 0.55
	wMenuWord      = 0.35
	wCrumb         = 0.6
	wCrumbWeak     = 0.35
	wRefExact      = 0.6 // the anchor text of a link to the page (not the menu's) is the section's name
	wRefMost       = 0.5
	wRefPhrase     = 0.35
	wSkelExact     = 0.75 // the address, transliterated, is the section's name (pitanie, vakansii_mesta_dlya_priema)
	wSkelMost      = 0.65
	wSkelPhrase    = 0.45
	wSkelAncestor  = 0.45 // ... of a folder the page lies in
	wNavRoot       = 0.3  // the page's menu item is under «Сведения…»: a boost for the subsections, no more
	wNavGroup      = 0.5  // the page's menu item is in a group named like a section («Пациентам», «Новости»)
	wNavParent     = 0.45 // the page's menu item is under the item of a page placed in a section
	wBodyFew       = 0.3
	wBodyMany      = 0.45
	wPropsOne      = 0.6
	wPropsMany     = 0.85
	// wStrong is the least weight of a signal that can contradict another
	// section: weaker ones (a single word of a title, a few phrases in the
	// text) only add to a section's confidence.
	wStrong = 0.5
)

// classifier scores sections for a site's items from independent signals.
type classifier struct {
	prof      *Profile
	secs      []*Section
	phrases   map[string][]phrase   // section id → keywords and title, stemmed
	slugs     map[string][]phrase   // section id → keywords, title and slugs as Latin skeletons
	menus     map[string][]string   // page URL → anchor texts of template links pointing to it
	refs      map[string][]string   // page URL → anchor texts of other links to it (the ledger's referrers)
	nav       map[string][]navEntry // page URL → its places in the old site's menu tree
	st        stemmer               // the site's words and their stems
	rootGroup map[string]string     // page URL → the menu group above it that names the root (underRoot)
	template  map[string]bool       // itemprops on most pages of the site (footers, headers)
	common    map[string]bool       // title parts on most pages of the site (the site's name)
}

func newClassifier(prof *Profile, in Input) *classifier {
	c := &classifier{prof: prof, phrases: map[string][]phrase{}, slugs: map[string][]phrase{}, menus: map[string][]string{}, refs: map[string][]string{},
		template: map[string]bool{}, common: map[string]bool{}, st: stemmer{}, rootGroup: map[string]string{}}
	c.secs = append(c.secs, &prof.Root)
	for i := range prof.Sections {
		c.secs = append(c.secs, &prof.Sections[i])
	}
	c.phrases, c.slugs = prof.matchers()
	propPages := map[string]int{}
	titleParts := map[string]int{}
	pages := 0
	for _, d := range in.Docs {
		pages++
		seen := map[string]bool{}
		for _, t := range append(titleSplit(d.HTMLTitle), d.Title) {
			if n := norm(t); n != "" && !seen[n] {
				seen[n] = true
				titleParts[n]++
			}
		}
		for _, p := range d.Itemprops {
			propPages[p]++
		}
		for _, l := range d.Links {
			if l.InContent || strings.TrimSpace(l.Text) == "" {
				continue
			}
			t := collapse(l.Text)
			key := normURL(l.URL)
			if !slices.Contains(c.menus[key], t) {
				c.menus[key] = append(c.menus[key], t)
			}
		}
	}
	for _, p := range in.Pages {
		key := normURL(p.URL)
		for _, r := range p.Referrers {
			t := collapse(r.Anchor)
			if t == "" || t == "sitemap" || slices.Contains(c.menus[key], t) || slices.Contains(c.refs[key], t) {
				continue
			}
			c.refs[key] = append(c.refs[key], t)
		}
	}
	c.nav = siteNav(in, in.Pages)
	for t, n := range titleParts {
		if pages >= 3 && n*2 > pages {
			c.common[t] = true
		}
	}
	for p, n := range propPages {
		if pages >= 3 && n*2 > pages {
			c.template[p] = true // on most pages: part of the site's template, not of a page
		}
	}
	return c
}

// matchers returns the profile's sections' phrases (keywords and a
// title no other section has, stemmed) and slug phrases (the same with
// the slugs, as Latin skeletons), prepared once per profile.
func (p *Profile) matchers() (phrases, slugs map[string][]phrase) {
	p.prepare.Do(func() {
		p.phrases, p.slugs = map[string][]phrase{}, map[string][]phrase{}
		secs := append([]*Section{&p.Root}, nil...)
		for i := range p.Sections {
			secs = append(secs, &p.Sections[i])
		}
		titles := map[string]int{}
		for _, s := range secs {
			titles[norm(s.Title)]++
		}
		for _, s := range secs {
			kws := append([]string(nil), s.Keywords...)
			if titles[norm(s.Title)] == 1 && s.ID != OtherSection && s.ID != HomeSection {
				kws = append(kws, s.Title)
			}
			p.phrases[s.ID] = newPhrases(kws)
			if s.ID != OtherSection && s.ID != HomeSection {
				p.slugs[s.ID] = slugPhrases(append(append([]string(nil), kws...), s.Slugs...))
			}
		}
		p.bodyIdx = newBodyIndex(p.phrases)
	})
	return p.phrases, p.slugs
}

// body returns the profile's phrases indexed for finding them in text.
func (p *Profile) body() bodyIndex {
	p.matchers()
	return p.bodyIdx
}

// signal is one piece of evidence for a section. Context evidence (the
// folder or breadcrumb the page sits under) says where the page's parent
// is: it places a page on its own, but does not contradict direct evidence
// (the page's own address, title, menu item, text or microdata).
// Conflicts are judged on strong direct evidence only (see wStrong).
type signal struct {
	section string
	weight  float64
	reason  string
	context bool
}

// classify returns the candidate sections of a page, best first.
func (c *classifier) classify(p *store.Page, d *extract.Document) []Candidate {
	return combine(c.pageSignals(p, d))
}

// pageSignals returns the evidence a page gives on its own and from its
// place in the site's navigation.
func (c *classifier) pageSignals(p *store.Page, d *extract.Document) []signal {
	var sigs []signal
	u, _ := url.Parse(p.URL)
	key := normURL(p.URL)
	sigs = append(sigs, c.urlSignals(u)...)
	// Each text is stemmed once, not once per section.
	type short struct {
		text  string
		stems []string
	}
	prep := func(ts []string) []short {
		out := make([]short, len(ts))
		for i, t := range ts {
			out[i] = short{t, c.st.stems(t)}
		}
		return out
	}
	titles := prep(c.pageTitles(d))
	crumbs := prep(c.ancestorCrumbs(d))
	var heads []short
	if len(d.Headings) > 1 {
		heads = prep(d.Headings[1:min(len(d.Headings), 5)])
	}
	menus, refs := prep(c.menus[key]), prep(c.refs[key])
	var groups []short
	for _, e := range c.nav[key] {
		if len(e.groups) > 0 {
			groups = append(groups, short{e.groups[len(e.groups)-1], c.st.stems(e.groups[len(e.groups)-1])})
		}
	}
	body := c.bodyPhrases(c.st.stems(d.Text))
	for _, s := range c.secs {
		ps := c.phrases[s.ID]
		if len(ps) == 0 {
			continue
		}
		tm, shown := matchNone, ""
		for _, t := range titles {
			if m, _ := matchShort(t.stems, ps); m > tm {
				tm, shown = m, t.text
			}
		}
		switch tm {
		case matchExact:
			sigs = append(sigs, signal{s.ID, wTitleExact, fmt.Sprintf("заголовок страницы «%s»", shown), false})
		case matchMost:
			sigs = append(sigs, signal{s.ID, wTitleMost, fmt.Sprintf("заголовок страницы «%s»", shown), false})
		case matchPhrase:
			sigs = append(sigs, signal{s.ID, wTitlePhrase, fmt.Sprintf("в заголовке страницы «%s»", shown), false})
		case matchWord:
			sigs = append(sigs, signal{s.ID, wTitleWord, fmt.Sprintf("слово в заголовке «%s»", shown), false})
		}
		for _, h := range heads {
			m, _ := matchShort(h.stems, ps)
			if m >= matchMost {
				sigs = append(sigs, signal{s.ID, wHeadingExact, fmt.Sprintf("подзаголовок «%s»", h.text), false})
				break
			}
			if m == matchPhrase {
				sigs = append(sigs, signal{s.ID, wHeadingPhrase, fmt.Sprintf("подзаголовок «%s»", h.text), false})
				break
			}
		}
		best, bestAnchor := matchNone, ""
		for _, a := range menus {
			if m, _ := matchShort(a.stems, ps); m > best {
				best, bestAnchor = m, a.text
			}
		}
		if w := [...]float64{0, wMenuWord, wMenuPhrase, wMenuMost, wMenuExact}[best]; w > 0 {
			sigs = append(sigs, signal{s.ID, w, fmt.Sprintf("пункт меню «%s»", bestAnchor), false})
		}
		best, bestAnchor = matchNone, ""
		for _, a := range refs {
			if m, _ := matchShort(a.stems, ps); m > best {
				best, bestAnchor = m, a.text
			}
		}
		if w := [...]float64{0, 0, wRefPhrase, wRefMost, wRefExact}[best]; w > 0 {
			sigs = append(sigs, signal{s.ID, w, fmt.Sprintf("ссылка «%s» на страницу", bestAnchor), false})
		}
		if s.ID != OtherSection && s.ID != HomeSection && s.ID != c.prof.Root.ID {
			for _, g := range groups {
				if m, _ := matchShort(g.stems, ps); m >= matchMost {
					sigs = append(sigs, signal{s.ID, wNavGroup, fmt.Sprintf("в меню старого сайта в группе «%s»", g.text), true})
					break
				}
			}
		}
		for _, cr := range crumbs {
			m, _ := matchShort(cr.stems, ps)
			if m >= matchMost {
				sigs = append(sigs, signal{s.ID, wCrumb, fmt.Sprintf("страница в разделе «%s» (навигационная цепочка)", cr.text), s.ID != NewsSection})
				break
			}
			if m == matchPhrase {
				sigs = append(sigs, signal{s.ID, wCrumbWeak, fmt.Sprintf("страница в разделе «%s» (навигационная цепочка)", cr.text), s.ID != NewsSection})
				break
			}
		}
		if found := body[s.ID]; len(found) >= 2 {
			n := len(found)
			w := wBodyFew
			if n >= 4 {
				w = wBodyMany
			}
			sigs = append(sigs, signal{s.ID, w, fmt.Sprintf("в тексте страницы: %s", strings.Join(quote(found[:min(3, len(found))]), ", ")), false})
		}
		if props := c.matchedProps(d.Itemprops, s.Itemprops); len(props) > 0 {
			w := wPropsOne
			if len(props) >= 2 {
				w = wPropsMany
			}
			sigs = append(sigs, signal{s.ID, w, "микроразметка itemprop: " + strings.Join(props, ", "), false})
		}
	}
	return append(sigs, c.navRootSignals(key, sigs)...)
}

// bodyPhrases finds the sections' phrases in a page's text.
func (c *classifier) bodyPhrases(text []string) map[string][]string {
	return c.prof.body().find(text)
}

// underRoot returns the menu group above the page that names the profile's
// root («Сведения об образовательной организации», «Сведения»), or "".
func (c *classifier) underRoot(key string) string {
	if g, ok := c.rootGroup[key]; ok {
		return g
	}
	g := ""
outer:
	for _, e := range c.nav[key] {
		for _, x := range e.groups {
			if m, _ := matchShort(c.st.stems(x), c.phrases[c.prof.Root.ID]); m >= matchMost {
				g = x
				break outer
			}
		}
	}
	c.rootGroup[key] = g
	return g
}

// navRootSignals adds, for a page whose menu item is under the root's
// group, a boost to every subsection the page already has evidence for:
// the menu says it is one of them, not which.
func (c *classifier) navRootSignals(key string, sigs []signal) []signal {
	g := c.underRoot(key)
	if g == "" {
		return nil
	}
	var out []signal
	seen := map[string]bool{}
	for _, sg := range sigs {
		s := c.prof.Section(sg.section)
		if s == nil || s.Parent != c.prof.Root.ID || seen[s.ID] {
			continue
		}
		seen[s.ID] = true
		out = append(out, signal{s.ID, wNavRoot, fmt.Sprintf("в меню старого сайта под пунктом «%s»", g), true})
	}
	return out
}

func quote(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = "«" + s + "»"
	}
	return out
}

// titleSplit splits an HTML <title> at the separators legacy CMSs put
// between the site's name and the page's («Школа № 3 - Документы»).
func titleSplit(t string) []string {
	for _, sep := range []string{" - ", " | ", " — ", " – ", " :: ", " » ", " / "} {
		t = strings.ReplaceAll(t, sep, "\x00")
	}
	var out []string
	for _, p := range strings.Split(t, "\x00") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// pageTitles returns what names the page: its extracted title and the
// parts of its HTML title, less those shared by most pages of the site.
func (c *classifier) pageTitles(d *extract.Document) []string {
	var out []string
	for _, t := range append([]string{d.Title}, titleSplit(d.HTMLTitle)...) {
		n := norm(t)
		if n == "" || c.common[n] || slices.ContainsFunc(out, func(o string) bool { return norm(o) == n }) {
			continue
		}
		out = append(out, t)
	}
	return out
}

// ancestorCrumbs returns the breadcrumb entries above the page, without
// the home page and without the page itself.
func (c *classifier) ancestorCrumbs(d *extract.Document) []string {
	var out []string
	t := norm(d.Title)
	for _, b := range d.Breadcrumbs {
		n := norm(b)
		if n == "" || n == t || n == "главная" || n == "главная страница" || n == "home" {
			continue
		}
		out = append(out, b)
	}
	return out
}

var (
	reYear    = regexp.MustCompile(`^(19|20)\d\d$`)
	reMonth   = regexp.MustCompile(`^(0?[1-9]|1[0-2])$`)
	reDay     = regexp.MustCompile(`^(0?[1-9]|[12]\d|3[01])$`)
	reISODate = regexp.MustCompile(`(?:^|\D)((?:19|20)\d\d)-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])(?:\D|$)`)
)

// urlSignals reads the page's address: the mandated slug under the root
// (/sveden/), a known slug anywhere in the path, the folder it lies in,
// dated news addresses, the site's home page.
func (c *classifier) urlSignals(u *url.URL) []signal {
	if u == nil {
		return nil
	}
	segs := pathSegments(u.Path)
	shown := u.Path
	if len(segs) == 0 {
		if u.RawQuery == "" {
			return []signal{{HomeSection, wHome, "главная страница старого сайта", false}}
		}
		return nil
	}
	var out []signal
	if date, ok := datedPath(segs); ok {
		out = append(out, signal{NewsSection, wDatedURL, "адрес новости с датой " + date, false})
	} else if month, ok := archivePath(segs); ok {
		out = append(out, signal{NewsSection, wMonthArchive, "архив новостей за " + month, false})
	}
	last := segs[len(segs)-1]
	rootSlug := strings.ToLower(c.prof.Root.ID)
	under := slices.Contains(segs[:len(segs)-1], rootSlug)
	if last == rootSlug {
		out = append(out, signal{c.prof.Root.ID, 0.9, fmt.Sprintf("адрес страницы %s", shown), false})
	}
	lastBare := trimNumber(last)
	lastSk := skeletons(lastBare)
	for _, s := range c.secs {
		found := false
		for _, slug := range s.Slugs {
			slug = slugNorm(slug)
			switch {
			case (last == slug || lastBare == slug) && under:
				out = append(out, signal{s.ID, wSlugUnderRoot, fmt.Sprintf("адрес страницы %s", shown), false})
			case last == slug || lastBare == slug:
				out = append(out, signal{s.ID, wSlug, fmt.Sprintf("адрес страницы %s", shown), false})
			case slices.Contains(segs[:len(segs)-1], slug):
				sig := signal{s.ID, wSlugAncestor, fmt.Sprintf("страница находится в разделе /%s/ старого сайта", slug), true}
				if s.ID == NewsSection {
					sig.weight, sig.context = wNewsAncestor, false
				}
				out = append(out, sig)
			default:
				continue
			}
			found = true
			break
		}
		if found || len(c.slugs[s.ID]) == 0 {
			continue
		}
		// The address in the author's own transliteration.
		if m, which := matchSlug(lastSk, c.slugs[s.ID]); m >= matchPhrase {
			w := [...]float64{0, 0, wSkelPhrase, wSkelMost, wSkelExact}[m]
			out = append(out, signal{s.ID, w, fmt.Sprintf("адрес страницы %s (транслитерация: «%s»)", shown, which), false})
			continue
		}
		for _, seg := range segs[:len(segs)-1] {
			if m, which := matchSlug(skeletons(trimNumber(seg)), c.slugs[s.ID]); m >= matchMost {
				out = append(out, signal{s.ID, wSkelAncestor, fmt.Sprintf("страница находится в разделе /%s/ старого сайта («%s»)", seg, which), s.ID != NewsSection})
				break
			}
		}
	}
	return out
}

// trimNumber drops a number a mirror or a constructor appended to a page
// name (common.1, document_3, vacant-2), leaving a name of letters.
func trimNumber(seg string) string {
	i := len(seg)
	for i > 0 && seg[i-1] >= '0' && seg[i-1] <= '9' {
		i--
	}
	if i == len(seg) || i < 4 {
		return seg
	}
	if c := seg[i-1]; c == '.' || c == '-' || c == '_' {
		return seg[:i-1]
	}
	return seg
}

// datedPath recognises the address of a dated news item: WordPress
// /YYYY/MM/DD/slug/, or an ISO date inside a segment (/news/2023-10-05.html,
// uCoz /news/slug/2023-10-05-17).
func datedPath(segs []string) (string, bool) {
	for i := 0; i+3 < len(segs); i++ {
		if reYear.MatchString(segs[i]) && reMonth.MatchString(segs[i+1]) && reDay.MatchString(segs[i+2]) {
			return fmt.Sprintf("%s-%02s-%02s", segs[i], pad(segs[i+1]), pad(segs[i+2])), true
		}
	}
	for _, s := range segs {
		if m := reISODate.FindStringSubmatch(s); m != nil {
			return m[1] + "-" + m[2] + "-" + m[3], true
		}
	}
	return "", false
}

// archivePath recognises a month or year archive: /2023/10/ or /2023/.
func archivePath(segs []string) (string, bool) {
	n := len(segs)
	switch {
	case n >= 2 && reYear.MatchString(segs[n-2]) && reMonth.MatchString(segs[n-1]):
		return segs[n-2] + "-" + pad(segs[n-1]), true
	case reYear.MatchString(segs[n-1]) && (n == 1 || !reYear.MatchString(segs[n-2])):
		return segs[n-1] + " год", true
	}
	return "", false
}

func pad(s string) string {
	if len(s) == 1 {
		return "0" + s
	}
	return s
}

// newsDate returns the date in a news item's address, if any.
func newsDate(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	d, _ := datedPath(pathSegments(u.Path))
	return d
}

// slugNorm makes "paid-edu" and "paid_edu" compare equal.
func slugNorm(s string) string { return strings.ReplaceAll(strings.ToLower(s), "_", "-") }

// pathSegments splits a path into lower-case segments without file
// extensions and index files.
func pathSegments(p string) []string {
	if un, err := url.PathUnescape(p); err == nil {
		p = un
	}
	var out []string
	for _, s := range strings.Split(strings.ToLower(p), "/") {
		s = strings.TrimSuffix(s, path.Ext(s))
		if s == "" || s == "index" || s == "default" {
			continue
		}
		out = append(out, slugNorm(s))
	}
	return out
}

// combine merges signals per section by noisy-or and sorts candidates.
func combine(sigs []signal) []Candidate {
	by := map[string]*Candidate{}
	miss, missDirect := map[string]float64{}, map[string]float64{}
	for _, s := range sigs {
		if s.weight <= 0 {
			continue
		}
		c := by[s.section]
		if c == nil {
			c = &Candidate{Section: s.section}
			by[s.section] = c
			miss[s.section], missDirect[s.section] = 1, 1
		}
		miss[s.section] *= 1 - s.weight
		if !s.context && s.weight >= wStrong {
			missDirect[s.section] *= 1 - s.weight
		}
		if !slices.Contains(c.Reasons, s.reason) {
			c.Reasons = append(c.Reasons, s.reason)
		}
	}
	out := make([]Candidate, 0, len(by))
	for id, c := range by {
		c.Confidence = round2(1 - miss[id])
		c.direct = round2(1 - missDirect[id])
		out = append(out, *c)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Confidence != out[j].Confidence {
			return out[i].Confidence > out[j].Confidence
		}
		return out[i].Section < out[j].Section
	})
	return out
}

// norm lower-cases, folds ё to е and collapses spaces.
func norm(s string) string {
	s = strings.ToLower(s)
	s = strings.ReplaceAll(s, "ё", "е")
	return strings.Join(strings.Fields(s), " ")
}

func collapse(s string) string { return strings.Join(strings.Fields(s), " ") }

func stripFragment(s string) string {
	if i := strings.IndexByte(s, '#'); i >= 0 {
		return s[:i]
	}
	return s
}

// matchedProps lists the section's microdata names present on the page,
// leaving out those on most pages of the site (the template's).
func (c *classifier) matchedProps(have, want []string) []string {
	var out []string
	for _, w := range want {
		lw := strings.ToLower(w)
		if slices.Contains(have, lw) && !c.template[lw] {
			out = append(out, w)
		}
	}
	return out
}

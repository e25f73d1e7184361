package mapping

import (
	"fmt"
	"net/url"
	"path"
	"slices"
	"sort"
	"strings"

	"perenos/extract"
	"perenos/store"
)

// classifier scores sections for a site's items from independent signals.
type classifier struct {
	prof  *Profile
	menus map[string][]string // page URL → anchor texts of template links pointing to it
}

func newClassifier(prof *Profile, in Input) *classifier {
	c := &classifier{prof: prof, menus: map[string][]string{}}
	for _, d := range in.Docs {
		for _, l := range d.Links {
			if l.InContent || l.Text == "" {
				continue
			}
			t := norm(l.Text)
			if !slices.Contains(c.menus[l.URL], t) {
				c.menus[l.URL] = append(c.menus[l.URL], t)
			}
		}
		for _, b := range d.Breadcrumbs {
			_ = b // breadcrumbs name the page's ancestors; used per page below
		}
	}
	return c
}

// signal is one piece of evidence for a section.
type signal struct {
	section string
	weight  float64
	reason  string
}

// classify returns the candidate sections of a page, best first.
func (c *classifier) classify(p *store.Page, d *extract.Document) []Candidate {
	var sigs []signal
	u, _ := url.Parse(p.URL)
	sigs = append(sigs, c.urlSignals(u)...)
	title := norm(d.Title)
	for _, s := range c.sections() {
		if kw := matchKeyword(title, s.Keywords); kw != "" {
			sigs = append(sigs, signal{s.ID, 0.75, fmt.Sprintf("заголовок страницы «%s»", d.Title)})
		} else if len(d.Headings) > 0 {
			for _, h := range d.Headings[1:min(len(d.Headings), 4)] {
				if kw := matchKeyword(norm(h), s.Keywords); kw != "" {
					sigs = append(sigs, signal{s.ID, 0.45, fmt.Sprintf("подзаголовок «%s»", h)})
					break
				}
			}
		}
		for _, anchor := range c.menus[p.URL] {
			if kw := matchKeyword(anchor, s.Keywords); kw != "" {
				sigs = append(sigs, signal{s.ID, 0.7, fmt.Sprintf("пункт меню «%s»", anchor)})
				break
			}
		}
		if n := countProps(d.Itemprops, s.Itemprops); n > 0 {
			w := 0.6
			if n >= 2 {
				w = 0.85
			}
			sigs = append(sigs, signal{s.ID, w, fmt.Sprintf("микроразметка itemprop: %s", strings.Join(matchedProps(d.Itemprops, s.Itemprops), ", "))})
		}
	}
	return combine(sigs)
}

// sections lists the root and every section of the profile.
func (c *classifier) sections() []*Section {
	out := []*Section{&c.prof.Root}
	for i := range c.prof.Sections {
		out = append(out, &c.prof.Sections[i])
	}
	return out
}

// urlSignals reads the page's address: the mandated slug under /sveden/,
// a known slug anywhere in the path, the site's home page.
func (c *classifier) urlSignals(u *url.URL) []signal {
	if u == nil {
		return nil
	}
	segs := pathSegments(u.Path)
	shown := u.Path
	if len(segs) == 0 {
		return []signal{{HomeSection, 0.9, "главная страница старого сайта"}}
	}
	var out []signal
	last := segs[len(segs)-1]
	under := len(segs) >= 2 && segs[len(segs)-2] == c.prof.Root.ID
	if last == c.prof.Root.ID {
		out = append(out, signal{c.prof.Root.ID, 0.9, fmt.Sprintf("адрес страницы %s", shown)})
	}
	for _, s := range c.sections() {
		for _, slug := range s.Slugs {
			slug = strings.ToLower(slug)
			switch {
			case last == slug && under:
				out = append(out, signal{s.ID, 0.95, fmt.Sprintf("адрес страницы %s", shown)})
			case last == slug:
				out = append(out, signal{s.ID, 0.8, fmt.Sprintf("адрес страницы %s", shown)})
			case slices.Contains(segs[:len(segs)-1], slug):
				out = append(out, signal{s.ID, 0.65, fmt.Sprintf("страница находится в разделе /%s/ старого сайта", slug)})
			default:
				continue
			}
			break
		}
	}
	return out
}

// pathSegments splits a path into lower-case segments without file
// extensions and index files.
func pathSegments(p string) []string {
	var out []string
	for _, s := range strings.Split(strings.ToLower(p), "/") {
		s = strings.TrimSuffix(s, path.Ext(s))
		if s == "" || s == "index" || s == "default" {
			continue
		}
		out = append(out, s)
	}
	return out
}

// combine merges signals per section by noisy-or and sorts candidates.
func combine(sigs []signal) []Candidate {
	by := map[string]*Candidate{}
	miss := map[string]float64{}
	for _, s := range sigs {
		if s.weight <= 0 {
			continue
		}
		c := by[s.section]
		if c == nil {
			c = &Candidate{Section: s.section}
			by[s.section] = c
			miss[s.section] = 1
		}
		miss[s.section] *= 1 - s.weight
		if !slices.Contains(c.Reasons, s.reason) {
			c.Reasons = append(c.Reasons, s.reason)
		}
	}
	out := make([]Candidate, 0, len(by))
	for id, c := range by {
		c.Confidence = round2(1 - miss[id])
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

// classifyDocument places a file with the page that links it; its kind
// (устав, лицензия, …) and its anchor text are signals of their own.
func (c *classifier) classifyDocument(p *store.Page, it Item, placedAt map[string]string) []Candidate {
	var sigs []signal
	for _, r := range p.Referrers {
		if sec, ok := placedAt[r.URL]; ok {
			sigs = append(sigs, signal{sec, 0.7, fmt.Sprintf("файл по ссылке «%s» со страницы %s", r.Anchor, r.URL)})
			break
		}
	}
	text := norm(it.Title)
	for _, s := range c.sections() {
		if kw := matchKeyword(text, s.Keywords); kw != "" {
			sigs = append(sigs, signal{s.ID, 0.5, fmt.Sprintf("название документа «%s»", it.Title)})
		}
		for _, mi := range s.Items {
			if mi.DocKind != "" && mi.DocKind == it.DocKind {
				sigs = append(sigs, signal{s.ID, 0.85, fmt.Sprintf("вид документа: %s", it.DocKind)})
			}
		}
	}
	return combine(sigs)
}

// docKinds recognises the kind of a document from its title or file name.
var docKinds = []struct{ kind, stem string }{
	{"устав", "устав"},
	{"лицензия", "лиценз"},
	{"аккредитация", "аккредит"},
	{"отчёт о самообследовании", "самообслед"},
	{"ПФХД", "финансово-хозяйств"},
	{"ПФХД", "пфхд"},
	{"предписание", "предписан"},
	{"правила приёма", "правила прием"},
	{"правила приёма", "правила приём"},
	{"коллективный договор", "коллективный договор"},
	{"правила внутреннего распорядка", "внутреннего распорядка"},
	{"муниципальное задание", "муниципальное задание"},
	{"постановление", "постановлен"},
	{"распоряжение", "распоряжен"},
	{"прейскурант", "прейскурант"},
	{"меню", "меню"},
}

func docKind(s string) string {
	s = norm(s)
	for _, k := range docKinds {
		if strings.Contains(s, k.stem) {
			return k.kind
		}
	}
	return ""
}

// norm lower-cases, folds ё to е and collapses spaces.
func norm(s string) string {
	s = strings.ToLower(s)
	s = strings.ReplaceAll(s, "ё", "е")
	return strings.Join(strings.Fields(s), " ")
}

func matchKeyword(text string, kws []string) string {
	if text == "" {
		return ""
	}
	for _, k := range kws {
		if strings.Contains(text, norm(k)) {
			return k
		}
	}
	return ""
}

func countProps(have, want []string) int { return len(matchedProps(have, want)) }

func matchedProps(have, want []string) []string {
	var out []string
	for _, w := range want {
		if slices.Contains(have, strings.ToLower(w)) {
			out = append(out, w)
		}
	}
	return out
}

// gaps lists mandated sections with no content and mandated items not found.
func gaps(prof *Profile, plan *Plan, in Input) []Gap {
	out := []Gap{}
	for _, s := range prof.Sections {
		if !s.Mandated {
			continue
		}
		sp := plan.Section(s.ID)
		if sp == nil || len(sp.Items) == 0 {
			out = append(out, Gap{Section: s.ID, Why: "на старом сайте нет раздела «" + s.Title + "»"})
			continue
		}
		props := map[string]bool{}
		kinds := map[string]bool{}
		for _, it := range sp.Items {
			if d := in.Docs[it.SourceURL]; d != nil {
				for _, p := range d.Itemprops {
					props[p] = true
				}
			}
			if it.DocKind != "" {
				kinds[it.DocKind] = true
			}
		}
		for _, mi := range s.Items {
			if props[strings.ToLower(mi.ID)] || (mi.DocKind != "" && kinds[mi.DocKind]) {
				continue
			}
			out = append(out, Gap{Section: s.ID, Item: mi.ID, Why: "не найдено: " + mi.Title})
		}
	}
	return out
}

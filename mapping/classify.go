package mapping

import (
	"fmt"
	"net/url"
	"path"
	"regexp"
	"slices"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

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
	wHeadingExact  = 0.4 // a heading may head a list of other things: never strong enough to contradict
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
	prof        *Profile
	secs        []*Section
	phrases     map[string][]phrase   // section id → keywords and title, stemmed
	names       map[string][]phrase   // section id → the phrases and its document kinds' words, stemmed
	slugs       map[string][]phrase   // section id → keywords, title and slugs as Latin skeletons
	menus       map[string][]string   // page URL → anchor texts of template links pointing to it
	refs        map[string][]string   // page URL → anchor texts of other links to it (the ledger's referrers)
	nav         map[string][]navEntry // page URL → its places in the old site's menu tree
	groupPages  map[string][]string   // a menu group's labels (joined) → the pages under it, made by broadGroup
	groupCounts map[string][2]int     // a group and a section → how many of its pages are of the section and of others (broadGroup)
	st          stemmer               // the site's words and their stems
	rootGroup   map[string]string     // page URL → the menu group above it that names the root (underRoot)
	rootFolder  map[string]string     // page URL → the folder it lies in that is named like the root (urlSignals)
	template    map[string]bool       // itemprops on most pages of the site (footers, headers)
	common      map[string]bool       // title parts on most pages of the site (the site's name)
	attach      map[string]AttachText // what was read from the site's attachments, by URL
	docs        map[string]*extract.Document
	docKinds    map[string]string    // attachment URL → its kind (documentSignals)
	sameTitle   map[string][]string  // a page title (norm) → the pages with it
	newsList    map[string]newsEntry // page URL (normURL) → the news list's record that names it (decide)
	pageKinds   map[string][2]string // page URL → the kind its title or menu item names, and which (listingKind)
	fragments   map[string]bool      // page URL → it is a piece of the template that pages load (templateFragments)
	homeFrames  map[string]bool      // page URL (normURL) → the old home page is a frameset that shows it, and it is not the menu
	spent       bool                 // Input.spent: a document's Text may go once its page's signals are read
}

func newClassifier(prof *Profile, in Input) *classifier {
	c := &classifier{prof: prof, phrases: map[string][]phrase{}, slugs: map[string][]phrase{}, menus: map[string][]string{}, refs: map[string][]string{},
		template: map[string]bool{}, common: map[string]bool{}, st: stemmer{}, rootGroup: map[string]string{}, rootFolder: map[string]string{}}
	c.secs = append(c.secs, &prof.Root)
	for i := range prof.Sections {
		c.secs = append(c.secs, &prof.Sections[i])
	}
	c.phrases, c.slugs = prof.matchers()
	c.names = prof.names
	c.attach, c.docs = in.Attach, in.Docs
	c.docKinds, c.pageKinds = map[string]string{}, map[string][2]string{}
	c.fragments = templateFragments(in)
	c.homeFrames = homeFrames(in, c.fragments)
	c.spent = in.spent
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
			if strings.TrimSpace(l.Text) == "" || l.URL == d.URL {
				continue
			}
			t := collapse(l.Text)
			key := normURL(l.URL)
			switch {
			case !l.InContent || c.fragments[d.URL]: // a fragment's links are all the template's
				if !slices.Contains(c.menus[key], t) {
					c.menus[key] = append(c.menus[key], t)
				}
			case !l.Attachment && !slices.Contains(c.refs[key], t):
				// a link in another page's text: the ledger keeps a page's
				// first referrer only, the documents have them all
				c.refs[key] = append(c.refs[key], t)
			}
		}
	}
	for _, ts := range c.menus { // in a stable order, whatever the order of the documents
		slices.Sort(ts)
	}
	for key, ts := range c.refs { // the same, none a menu's too
		ts = slices.DeleteFunc(ts, func(t string) bool { return slices.Contains(c.menus[key], t) })
		slices.Sort(ts)
		c.refs[key] = ts
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
	c.nav = siteNav(in, in.Pages, c.fragments)
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
// the slugs and the words of the section's document kinds, as Latin
// skeletons), prepared once per profile. Names (what a title, a menu
// item or a link may call a section's page) are the phrases and the
// words of the section's document kinds: a page called «Устав» or
// «Самообследование» is a page of the section those documents go in.
func (p *Profile) matchers() (phrases, slugs map[string][]phrase) {
	p.prepare.Do(func() {
		p.phrases, p.slugs, p.names, p.postPhrases = map[string][]phrase{}, map[string][]phrase{}, map[string][]phrase{}, map[string][]phrase{}
		secs := append([]*Section{&p.Root}, nil...)
		for i := range p.Sections {
			secs = append(secs, &p.Sections[i])
		}
		titles := map[string]int{}
		for _, s := range secs {
			titles[norm(s.Title)]++
		}
		kindWords := map[string][]string{} // section id → its document kinds' words
		for _, k := range p.Kinds {
			for _, sec := range p.sectionsOfKind(k.kind) {
				kindWords[sec] = append(kindWords[sec], k.words...)
			}
		}
		for _, s := range secs {
			kws := append([]string(nil), s.Keywords...)
			if titles[norm(s.Title)] == 1 && s.ID != OtherSection && s.ID != HomeSection {
				kws = append(kws, s.Title)
			}
			p.phrases[s.ID] = newPhrases(kws)
			p.postPhrases[s.ID] = newPhrases(s.Posts)
			p.names[s.ID] = append(append(newPhrases(kws), newPhrases(kindWords[s.ID])...), newPhrases(s.Names)...)
			if s.ID != OtherSection && s.ID != HomeSection {
				p.slugs[s.ID] = slugPhrases(append(append(append([]string(nil), kws...), s.Slugs...), kindWords[s.ID]...))
			}
		}
		p.bodyIdx = newBodyIndex(p.phrases)
		p.shortIdx = newShortIndex(p, secs)
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
	src     evidence
	// spelled: an address signal read from the page's name in the
	// author's transliteration (matchSlug), not from a known slug.
	spelled bool
}

// evidence is the kind of thing a signal was read from. When two
// sections disagree, the kinds say whom to believe: the site's own
// navigation (the menu item, the address) names the page it links, while
// a title or a heading may have been copied from another page.
type evidence uint8

const (
	evContext evidence = iota // where the page sits: folder, breadcrumb, menu group
	evAddress                 // the page's own address
	evTitle                   // its title
	evHeading                 // a heading inside it
	evMenu                    // its item in the old menu
	evRef                     // the text of other links to it
	evBody                    // words of its text
	evProps                   // microdata on it
	evRecords                 // the records found on it (a table of teachers)
	evDocs                    // the documents it consists of
	evGroup                   // context: the menu group the page's item is in
)

// named reports whether the evidence names the page (its address, title,
// menu item or links): what says which page it is, as opposed to what
// its text mentions.
func (e evidence) named() bool {
	return e == evAddress || e == evTitle || e == evMenu || e == evRef
}

// own is a signal of the page's own evidence.
func own(section string, w float64, src evidence, reason string) signal {
	return signal{section: section, weight: w, reason: reason, src: src}
}

// around is a signal of where the page sits: context, which places a page
// on its own but does not contradict its own evidence.
func around(section string, w float64, reason string) signal {
	return signal{section: section, weight: w, reason: reason, context: true}
}

// classify returns the candidate sections of a page, best first.
func (c *classifier) classify(p *store.Page, d *extract.Document) []Candidate {
	return combine(c.pageSignals(p, d))
}

// pageSignals returns the evidence a page gives on its own and from its
// place in the site's navigation.
func (c *classifier) pageSignals(p *store.Page, d *extract.Document) []signal {
	var sigs []signal
	key := normURL(p.URL)
	addr := p.URL
	if d.MirroredFrom != "" {
		addr = d.MirroredFrom // a mirror's copy is named by the original's address
	}
	u, _ := url.Parse(addr)
	sigs = append(sigs, c.urlSignals(key, u)...)
	if c.homeFrames[key] {
		sigs = append(sigs, own(HomeSection, wHome, evAddress, "главная страница старого сайта — набор рамок (frameset), эта страница — её содержимое"))
	}
	// Each text is stemmed once, not once per section.
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
	var groupAudience []bool
	for _, e := range c.nav[key] {
		if len(e.groups) > 0 {
			g := e.groups[len(e.groups)-1]
			groups = append(groups, short{g, c.st.stems(g)})
			groupAudience = append(groupAudience, audience(g))
		}
	}
	body := c.bodyPhrases(c.st.stems(d.Text))
	tmatch, mmatch := c.nameMatches(titles), c.nameMatches(menus)
	for si, s := range c.secs {
		ps := c.names[s.ID]
		if len(ps) == 0 {
			continue
		}
		tm, shown := matchNone, ""
		for i, t := range titles {
			if m := tmatch.at(i, si); m > tm {
				tm, shown = m, t.text
			}
		}
		switch tm {
		case matchExact:
			sigs = append(sigs, own(s.ID, wTitleExact, evTitle, fmt.Sprintf("заголовок страницы «%s»", shown)))
		case matchMost:
			sigs = append(sigs, own(s.ID, wTitleMost, evTitle, fmt.Sprintf("заголовок страницы «%s»", shown)))
		case matchPhrase:
			sigs = append(sigs, own(s.ID, wTitlePhrase, evTitle, fmt.Sprintf("в заголовке страницы «%s»", shown)))
		case matchWord:
			sigs = append(sigs, own(s.ID, wTitleWord, evTitle, fmt.Sprintf("слово в заголовке «%s»", shown)))
		}
		for _, h := range heads {
			m, _ := matchShort(h.stems, c.phrases[s.ID])
			if m >= matchMost {
				sigs = append(sigs, own(s.ID, wHeadingExact, evHeading, fmt.Sprintf("подзаголовок «%s»", h.text)))
				break
			}
			if m == matchPhrase {
				sigs = append(sigs, own(s.ID, wHeadingPhrase, evHeading, fmt.Sprintf("подзаголовок «%s»", h.text)))
				break
			}
		}
		best, bestAnchor := matchNone, ""
		for i, a := range menus {
			if m := mmatch.at(i, si); m > best {
				best, bestAnchor = m, a.text
			}
		}
		if w := [...]float64{0, wMenuWord, wMenuPhrase, wMenuMost, wMenuExact}[best]; w > 0 {
			sigs = append(sigs, own(s.ID, w, evMenu, fmt.Sprintf("пункт меню «%s»", bestAnchor)))
		}
		best, bestAnchor = matchNone, ""
		for _, a := range refs {
			if m, _ := matchShort(a.stems, ps); m > best {
				best, bestAnchor = m, a.text
			}
		}
		if w := [...]float64{0, 0, wRefPhrase, wRefMost, wRefExact}[best]; w > 0 {
			sigs = append(sigs, own(s.ID, w, evRef, fmt.Sprintf("ссылка «%s» на страницу", bestAnchor)))
		}
		if s.ID != OtherSection && s.ID != HomeSection && s.ID != c.prof.Root.ID {
			for gi, g := range groups {
				m, _ := matchShort(g.stems, c.phrases[s.ID])
				if groupAudience[gi] {
					m = audienceMatch(g.text, c.phrases[s.ID])
				}
				if m >= matchMost {
					sig := around(s.ID, wNavGroup, fmt.Sprintf("в меню старого сайта в группе «%s»", g.text))
					sig.src = evGroup
					sigs = append(sigs, sig)
					break
				}
			}
		}
		for _, cr := range crumbs {
			m, _ := matchShort(cr.stems, c.phrases[s.ID])
			w := wCrumb
			if m == matchPhrase {
				w = wCrumbWeak
			} else if m < matchMost {
				continue
			}
			sig := around(s.ID, w, fmt.Sprintf("страница в разделе «%s» (навигационная цепочка)", cr.text))
			sig.context = s.ID != NewsSection // a page under «Новости» is a news item, not their neighbour
			sigs = append(sigs, sig)
			break
		}
		if found := body[s.ID]; len(found) >= 2 {
			n := len(found)
			w := wBodyFew
			if n >= 4 {
				w = wBodyMany
			}
			sigs = append(sigs, own(s.ID, w, evBody, fmt.Sprintf("в тексте страницы: %s", strings.Join(quote(found[:min(3, len(found))]), ", "))))
		}
		if props := c.matchedProps(d.Itemprops, s.Itemprops); len(props) > 0 {
			w := wPropsOne
			if len(props) >= 2 {
				w = wPropsMany
			}
			sigs = append(sigs, own(s.ID, w, evProps, "микроразметка itemprop: "+strings.Join(props, ", ")))
		}
	}
	sigs = spelledNames(u, sigs, titles, append(menus[:len(menus):len(menus)], refs...))
	sigs = append(sigs, c.shortenedNames(titles, menus, sigs)...)
	sigs = append(sigs, c.recordSignals(d)...)
	sigs = append(sigs, c.documentSignals(d)...)
	return append(sigs, c.navRootSignals(key, sigs)...)
}

// spelledNames drops what the page's address says in transliteration
// when the address is only the page's own name written in Latin
// (/osnovnaya.html for «Основная школа»), or the page is named for an
// audience (teacher.html for «Учителям»): the name was read already, and
// its one word that a section's name shares («основн», «Основные
// сведения») is not the section. A section the name itself says keeps
// the address as a second witness (/pitanie.html for «Питание»).
func spelledNames(u *url.URL, sigs []signal, titles, names []short) []signal {
	if u == nil || !slices.ContainsFunc(sigs, func(s signal) bool { return s.spelled }) {
		return sigs
	}
	segs := addressSegments(u)
	if len(segs) == 0 {
		return sigs
	}
	addr := skeletons(trimNumber(segs[len(segs)-1]))
	if len(addr) != 1 {
		// An address of several words that match a section's name
		// (vakansii_mesta_dlya_priema, under a link with the typo
		// «Вакансии места для приема») is that name, whatever the link
		// says: only one shared word is chance.
		return sigs
	}
	spells := func(name string) bool {
		words := skeletons(name)
		for _, a := range addr {
			if !slices.ContainsFunc(words, func(w string) bool { return sameWord(a, w) || sameWord(w, a) }) {
				return false
			}
		}
		return true
	}
	// A page named for its audience («Учителям») is named so in its
	// address as well (teacher.html): the address is whom it is for, not
	// a section («teachers», «Педагогический состав»).
	named := func(t short) bool { return spells(t.text) || audience(t.text) }
	if !slices.ContainsFunc(titles, named) && !slices.ContainsFunc(names, named) {
		return sigs
	}
	return slices.DeleteFunc(sigs, func(s signal) bool {
		return s.spelled && !slices.ContainsFunc(sigs, func(n signal) bool {
			return n.section == s.section && (n.src == evTitle || n.src == evMenu || n.src == evRef) && n.weight >= wTitlePhrase
		})
	})
}

// nameMatches are how well each section's names match each of some short
// texts (titles, menu items): [text][section].
type nameMatches [][]int

// at is the match of text i for section si, leaving out a single word of
// a text that another section's name covers («Основные сведения» is the
// name of «Основные сведения», not a word for «Сведения»).
func (m nameMatches) at(i, si int) int {
	v := m[i][si]
	if v != matchWord {
		return v
	}
	for sj, w := range m[i] {
		if sj != si && w >= matchMost {
			return matchNone
		}
	}
	return v
}

func (c *classifier) nameMatches(ts []short) nameMatches {
	out := make(nameMatches, len(ts))
	for i, t := range ts {
		out[i] = make([]int, len(c.secs))
		aud := audience(t.text)
		for si, s := range c.secs {
			ps := c.names[s.ID]
			switch {
			case len(ps) == 0:
			case aud:
				out[i][si] = audienceMatch(t.text, ps)
			default:
				out[i][si], _ = matchShort(t.stems, ps)
				if out[i][si] == matchPhrase && headOutside(t.text, t.stems, ps) {
					out[i][si] = matchWord
				}
			}
		}
	}
	return out
}

// headOutside reports whether a name's head (its first content word)
// lies outside every phrase of a section it holds, so that the name is
// about something else that concerns the section: «Аттестация
// педагогических работников» is about attestation. A head that only says
// what kind of text follows («Порядок…», «Положение о…», «Памятка…»)
// leaves the subject to the rest; a name of two sentences
// («Руководство. Педагогический состав») has a head in each.
func headOutside(text string, ts []string, ps []phrase) bool {
	if strings.ContainsAny(text, ".:;()|") {
		return false
	}
	head := subjectHead(ts)
	if head == "" || genericShort[head] {
		return false
	}
	for _, p := range ps { // any phrase the name holds may be the one that holds its head
		if slices.Contains(p.stems, head) && subsequence(ts, p.stems) {
			return false
		}
	}
	return true
}

// genericHeads are first words of a name that say only what kind of text
// it is, besides the kinds of text that may themselves name a section
// (kindHeads).
var genericHeads = map[string]bool{"услов": true, "режим": true, "график": true, "приказ": true, "итог": true,
	"результат": true, "вопрос": true, "реестр": true,
	// what is done with the subject: «Порядок оказания платных услуг», «Положение об организации питания»
	"оказан": true, "организац": true, "предоставлен": true, "проведен": true, "осуществлен": true,
	"действ": true, // «Памятка о действиях при чрезвычайных ситуациях»
	// acts, and what they do with their subject: «Постановление об установлении размера родительской платы»
	"постановлен": true, "распоряжен": true, "установлен": true, "утвержден": true,
}

// audience reports whether a menu item or title names the people a page
// is for rather than what it is: «Педагогам», «Учащимся», «Для
// родителей». Their stems are those of a section's words («педагоги»,
// «учащиеся»), but a page for teachers is not «Педагогический состав».
func audience(text string) bool {
	ws := splitWords(text)
	if len(ws) == 0 {
		return false
	}
	if ws[0] == "для" || ws[0] == "всем" {
		return true
	}
	w := ws[0]
	return len(ws) == 1 && utf8.RuneCountInString(w) >= 5 && (strings.HasSuffix(w, "ам") || strings.HasSuffix(w, "ям"))
}

// dativeSlug reports whether a page's name is one transliterated word in
// the dative plural (pedagogam, roditelyam, uchenikam): an audience.
func dativeSlug(seg string) bool {
	return !strings.ContainsAny(seg, "-_.") && len(seg) >= 6 && (strings.HasSuffix(seg, "am") || strings.HasSuffix(seg, "yam"))
}

// audienceMatch is how an audience label matches a section's names: only
// as a name written the same way («Пациентам» for «Информация для
// пациентов»), never by its stems.
func audienceMatch(text string, ps []phrase) int {
	n := norm(text)
	for _, p := range ps {
		if norm(p.text) == n {
			return matchExact
		}
	}
	return matchNone
}

// short is a short text (a title, a menu item) and its stems.
type short struct {
	text  string
	stems []string
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

// inRoot says where a page sits inside the profile's root, as a reason:
// under the root's group in the old menu, or in a folder named like the
// root (/sveden/, /svedeniya/); "" when neither.
func (c *classifier) inRoot(key string) string {
	if g := c.underRoot(key); g != "" {
		return fmt.Sprintf("в меню старого сайта под пунктом «%s»", g)
	}
	if f := c.rootFolder[key]; f != "" {
		return fmt.Sprintf("в папке /%s/ старого сайта", f)
	}
	return ""
}

// navRootSignals adds, for a page inside the root (its menu item under
// the root's group, its address in the root's folder), a boost to every
// subsection the page already has evidence for: the place says it is
// one of them, not which.
func (c *classifier) navRootSignals(key string, sigs []signal) []signal {
	g := c.inRoot(key)
	if g == "" {
		return nil
	}
	var out []signal
	seen := map[string]bool{}
	for _, sg := range sigs {
		s := c.prof.Section(sg.section)
		if s == nil || s.Parent != c.prof.Root.ID || seen[s.ID] || sg.context {
			continue // only what the page itself says: two places of a page («Сведения», and «Документы» in it) are not its name
		}
		seen[s.ID] = true
		out = append(out, around(s.ID, wNavRoot, g))
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
	for _, sep := range []string{" - ", "|", " — ", " – ", " :: ", " » ", " / "} {
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
func (c *classifier) urlSignals(key string, u *url.URL) []signal {
	if u == nil {
		return nil
	}
	segs := addressSegments(u)
	shown := u.Path
	if u.RawQuery != "" {
		shown += "?" + u.RawQuery
	}
	if len(segs) == 0 {
		if u.RawQuery == "" {
			return []signal{own(HomeSection, wHome, evAddress, "главная страница старого сайта")}
		}
		return nil
	}
	var out []signal
	if date, ok := datedPath(segs); ok {
		out = append(out, own(NewsSection, wDatedURL, evAddress, "адрес новости с датой "+date))
	} else if month, ok := archivePath(segs); ok {
		out = append(out, own(NewsSection, wMonthArchive, evAddress, "архив новостей за "+month))
	}
	last := segs[len(segs)-1]
	rootSlug := strings.ToLower(c.prof.Root.ID)
	under := slices.Contains(segs[:len(segs)-1], rootSlug)
	if last == rootSlug {
		out = append(out, own(c.prof.Root.ID, 0.9, evAddress, fmt.Sprintf("адрес страницы %s", shown)))
	}
	lastBare := trimNumber(last)
	lastSk := skeletons(lastBare)
	// «post_687» under /dokumenty/: a numbered item's name says it is an
	// item, the folder says of what («post» is a blog's post, and a
	// municipality's «постановление»)
	itemOfFolder := lastBare != last && slices.ContainsFunc(c.secs, func(s *Section) bool {
		return s.ID != NewsSection && s != &c.prof.Root && slices.ContainsFunc(s.Slugs, func(slug string) bool {
			return slices.Contains(segs[:len(segs)-1], slugNorm(slug))
		})
	})
	for _, s := range c.secs {
		found := false
		for _, slug := range s.Slugs {
			slug = slugNorm(slug)
			if itemOfFolder && s.ID == NewsSection && lastBare == slug {
				continue
			}
			switch {
			case (last == slug || lastBare == slug) && under:
				out = append(out, own(s.ID, wSlugUnderRoot, evAddress, fmt.Sprintf("адрес страницы %s", shown)))
			case last == slug || lastBare == slug:
				out = append(out, own(s.ID, wSlug, evAddress, fmt.Sprintf("адрес страницы %s", shown)))
			case slices.Contains(segs[:len(segs)-1], slug) && s == &c.prof.Root:
				// inside the root's folder: one of its subsections, not the root (navRootSignals)
				c.rootFolder[key] = slug
			case slices.Contains(segs[:len(segs)-1], slug):
				sig := around(s.ID, wSlugAncestor, fmt.Sprintf("страница находится в разделе /%s/ старого сайта", slug))
				if s.ID == NewsSection {
					sig.weight, sig.context, sig.src = wNewsAncestor, false, evAddress
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
		// The address in the author's own transliteration (not an audience:
		// /pedagogam.html is for teachers, /roditelyam.html for parents).
		if m, which := matchSlug(lastSk, c.slugs[s.ID]); m >= matchPhrase && !dativeSlug(lastBare) && !(itemOfFolder && s.ID == NewsSection) {
			w := [...]float64{0, 0, wSkelPhrase, wSkelMost, wSkelExact}[m]
			sig := own(s.ID, w, evAddress, fmt.Sprintf("адрес страницы %s (транслитерация: «%s»)", shown, which))
			sig.spelled = true
			out = append(out, sig)
			continue
		}
		for _, seg := range segs[:len(segs)-1] {
			if dativeSlug(trimNumber(seg)) {
				continue // a folder for an audience (/uchitelyam/, /roditelyam/) says whom its pages are for, not what they are
			}
			if m, which := matchSlug(skeletons(trimNumber(seg)), c.slugs[s.ID]); m >= matchMost && s == &c.prof.Root {
				c.rootFolder[key] = seg
				break
			} else if m >= matchMost {
				sig := around(s.ID, wSkelAncestor, fmt.Sprintf("страница находится в разделе /%s/ старого сайта («%s»)", seg, which))
				if s.ID == NewsSection {
					sig.context, sig.src = false, evAddress
				}
				out = append(out, sig)
				break
			}
		}
	}
	return out
}

// addressSegments are the segments a page's address names it by: its
// path's, then its query's (querySegments), without a site builder's
// trailing page number (builderID).
func addressSegments(u *url.URL) []string {
	p, q := mirroredQuery(u.Path)
	segs := pathSegments(p)
	if q != nil {
		segs = append(segs, querySegments(q)...)
	}
	segs = append(segs, querySegments(u.Query())...)
	if n := len(segs); n > 1 && builderID(segs[n-1]) {
		segs = segs[:n-1]
	}
	return segs
}

// mirroredQuery splits off the query a mirror wrote into a file name:
// wget saves index.php?page=pitanie as index.php@page=pitanie (or with
// the ? escaped, %3F, which the decoded path p shows as ?) and may append
// .html. It returns the path without it and the query, or the path as it
// is and nil.
func mirroredQuery(p string) (string, url.Values) {
	dir, file := path.Split(p)
	i := strings.IndexAny(file, "@?")
	if i <= 0 || !strings.Contains(file[i:], "=") {
		return p, nil
	}
	raw := strings.TrimSuffix(strings.TrimSuffix(file[i+1:], ".html"), ".htm")
	q, err := url.ParseQuery(raw)
	if err != nil || len(q) == 0 {
		return p, nil
	}
	return dir + file[:i], q
}

// reBuilderID is a page number in the form uCoz and its kin give every
// page (/index/osnovnye_svedenija/0-12, /publ/dokumenty/ustav/1-1-0-5).
var reBuilderID = regexp.MustCompile(`^\d+(-\d+)+$`)

// builderID reports whether a segment is only a site builder's page
// number, so that the segment before it is the page's own name: uCoz's
// 0-12 for a page, 1-1-0-5 for a catalogue's entry. A date with an item
// number (/news/vypusknoi/2023-06-24-17) is a news item's address, which
// datedPath reads, and two numbers that do not begin with 0 are no
// builder's (/otchety/2023-2024, a school year).
func builderID(seg string) bool {
	if !reBuilderID.MatchString(seg) || reISODate.MatchString(seg) {
		return false
	}
	return strings.Count(seg, "-") >= 2 || strings.HasPrefix(seg, "0-")
}

// queryNameKeys are the query parameters that hand-made PHP sites and
// old CMSs name a page by (index.php?page=pitanie, ?razdel=sveden/food),
// in the order they are read.
var queryNameKeys = []string{"page", "p", "pg", "str", "razdel", "section", "sec", "menu", "mod", "module", "act", "action", "go", "id", "pid", "name", "view"}

// queryWords are values of those parameters that name the CMS's machinery,
// not the page (index.php?option=com_content&view=article&id=12).
var queryWords = map[string]bool{
	"article": true, "category": true, "section": true, "blog": true, "content": true, "item": true, "items": true,
	"show": true, "list": true, "view": true, "default": true, "index": true, "page": true, "pages": true, "frontpage": true,
	"featured": true, "com_content": true, "detail": true, "details": true, "full": true, "print": true,
}

// querySegments are the path segments a page's query names it by: the
// value of the first of queryNameKeys that holds letters and not the
// CMS's own words («?page=sveden/pitanie» is /sveden/pitanie); nothing
// for numbers (?page_id=12, ?id=45), which only a menu can name.
func querySegments(q url.Values) []string {
	for _, k := range queryNameKeys {
		v := strings.ToLower(strings.TrimSpace(q.Get(k)))
		if v == "" || queryWords[v] || strings.HasPrefix(v, "com_") || !strings.ContainsFunc(v, unicode.IsLetter) {
			continue
		}
		if segs := pathSegments(v); len(segs) > 0 {
			return segs
		}
	}
	return nil
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
//
// A page's title, its menu item and the links to it mostly repeat one
// name: they are one piece of evidence more than three. Of a section's
// signals of these kinds the strongest counts in full and each other at
// half its weight, so that «Документы газеты» as title and menu item (one
// word of a section's name, twice) does not add up to a placement.
func combine(sigs []signal) []Candidate {
	by := map[string]*Candidate{}
	miss, missDirect := map[string]float64{}, map[string]float64{}
	strongestName := map[string]int{} // section → index of its strongest name signal
	for i, s := range sigs {
		if s.weight > 0 && !s.context && (s.src == evTitle || s.src == evMenu || s.src == evRef) {
			if j, ok := strongestName[s.section]; !ok || s.weight > sigs[j].weight {
				strongestName[s.section] = i
			}
		}
	}
	for i, s := range sigs {
		if s.weight <= 0 {
			continue
		}
		if j, ok := strongestName[s.section]; ok && j != i && !s.context && (s.src == evTitle || s.src == evMenu || s.src == evRef) {
			s.weight /= 2
		}
		c := by[s.section]
		if c == nil {
			c = &Candidate{Section: s.section}
			by[s.section] = c
			miss[s.section], missDirect[s.section] = 1, 1
		}
		miss[s.section] *= 1 - s.weight
		c.self = c.self || !s.context
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
	s = lowerText(s)
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

// preferOwn puts first, of a page's candidates, the one its own strong
// evidence names when every candidate before it is known only from
// context: context says where the page's parent is, not what the page is
// (a page in the folder «Пациентам» whose address and title say
// «Госпитализация»).
func preferOwn(cands []Candidate, threshold float64) []Candidate {
	for j := range cands {
		if cands[j].self {
			if j > 0 && cands[j].direct >= threshold {
				top := cands[j]
				copy(cands[1:j+1], cands[:j])
				cands[0] = top
			}
			break
		}
	}
	return cands
}

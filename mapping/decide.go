package mapping

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"perenos/extract"
	"perenos/extract/records"
	"perenos/store"
)

// pageCase is one page of the site on its way into the plan: its evidence,
// and what the whole-site reasoning decided.
type pageCase struct {
	p     *store.Page
	d     *extract.Document
	it    Item
	key   string // the page's URL, normalised (normURL)
	sigs  []signal
	cands []Candidate
	parts []part // when the page is split

	prelim  string   // the section its own evidence places it in, or ""
	section string   // decided section; "" when left for review
	conf    float64  // confidence of the decision
	reasons []string // why
	review  string   // why it is left for review
	free    bool     // a free page: no mandated section, kept where the old menu had it
	menu    []string // free pages: the old menu's path to the page
	parent  string   // free pages: the URL of the page it was under
	date    string   // a news item's date, from the news list that names it
	item    bool     // a news item the news list names (pullItems)
}

// decide places a site's pages by reasoning about the whole site, not
// page by page: each page's own evidence, its place in the old site's
// menu (under a page placed in a section, inside or outside «Сведения»),
// one main page per section chosen jointly (a page that alone carries a
// section's signals is that section's page), and the main pages' own
// links pulling in the pages only they link. A page with no mandated
// section becomes a free page where the old menu had it; only a real
// conflict between two mandated sections is left for review.
//
// bodies, when set, reads each page's Markdown and Text, which its
// document lacks (Input.bodies): they are read for the page's own
// signals and its split, and let go after.
func (c *classifier) decide(cases []*pageCase, threshold float64, bodies *docBodies) {
	byKey := make(map[string]*pageCase, len(cases))
	c.sameTitle = map[string][]string{}
	c.newsList = map[string]newsEntry{}
	for _, pc := range cases {
		if t := norm(pc.d.Title); t != "" {
			c.sameTitle[t] = append(c.sameTitle[t], pc.p.URL)
		}
	}
	for _, pc := range cases { // cases are in URL order: the same list names a page whichever runs first
		for _, r := range pc.d.Records {
			k := normURL(r.Fields["url"])
			if _, ok := c.newsList[k]; r.Type != "news" || r.Fields["url"] == "" || k == pc.key || ok {
				continue
			}
			c.newsList[k] = newsEntry{list: pc.p.URL, title: collapse(r.Fields["title"]), date: r.Fields["date"]}
		}
	}
	for _, pc := range cases {
		if bodies != nil {
			pc.d.Markdown, pc.d.Text = bodies.read(pc.p.URL, true)
		}
		pc.sigs = c.pageSignals(pc.p, pc.d)
		pc.cands = preferOwn(combine(pc.sigs), threshold)
		pc.parts = c.split(pc.d, pc.cands, pc.sigs)
		pc.prelim = confident(pc.cands, threshold)
		byKey[pc.key] = pc
		if c.spent {
			pc.d.Text = "" // read: the plan keeps the Markdown
		}
		if bodies != nil {
			pc.d.Markdown = "" // read: the plan's item reads it again (Item.src)
		}
	}
	// The menu item a page sits under says where its parent is.
	for _, pc := range cases {
		if len(pc.parts) > 1 {
			continue
		}
		if sig, ok := c.navParentSignal(pc, byKey); ok {
			pc.sigs = append(pc.sigs, sig)
			pc.cands = preferOwn(combine(pc.sigs), threshold)
			pc.prelim = confident(pc.cands, threshold)
		}
	}
	main := c.mainPages(cases)
	// Whether the old site keeps its «Сведения» together: under the root's
	// menu group or in the root's folder (/sveden/).
	rootNav := false
	for _, pc := range cases {
		if c.inRoot(pc.key) != "" {
			rootNav = true
			break
		}
	}
	for _, pc := range cases {
		if len(pc.parts) > 1 {
			continue
		}
		c.decideOne(pc, main, byKey, rootNav, threshold)
	}
	c.pull(main, byKey)
	c.pullItems(cases, byKey)
	for _, pc := range cases {
		if pc.free {
			c.freePage(pc, byKey)
		}
	}
	if c.spent {
		for _, pc := range cases {
			pc.sigs = nil // decided: the plan keeps the candidates and reasons
		}
	}
}

// confident returns the section a page's own evidence places it in: the
// best candidate, above the threshold and without a close rival.
func confident(cands []Candidate, threshold float64) string {
	if len(cands) == 0 || cands[0].Confidence < threshold || conflicts(cands, threshold) {
		return ""
	}
	return cands[0].Section
}

// conflicts reports whether two sections fit about equally well on the
// item's own evidence. A runner-up known only from context (the folder
// the page sits in) does not contradict the best.
func conflicts(cands []Candidate, threshold float64) bool {
	return len(cands) > 1 && cands[1].direct >= threshold && cands[0].Confidence-cands[1].Confidence < 0.15
}

// placeable reports whether a section can lend its place to the pages
// under it: any but the catch-all, the home page and the news.
func placeable(id string) bool {
	return id != "" && id != OtherSection && id != HomeSection && id != NewsSection
}

// navParentSignal is the evidence of the menu item a page sits under: when
// that item links a page placed in a section, the page is probably part of
// that section too.
func (c *classifier) navParentSignal(pc *pageCase, byKey map[string]*pageCase) (signal, bool) {
	for _, e := range c.nav[pc.key] {
		if e.parent == "" || e.parent == pc.key {
			continue
		}
		q := byKey[e.parent]
		if q == nil {
			continue
		}
		sec := q.prelim
		if len(q.parts) > 1 {
			sec = q.parts[0].section
		}
		if !placeable(sec) || sec == c.prof.Root.ID {
			continue
		}
		if slices.ContainsFunc(pc.sigs, func(g signal) bool { return g.src == evGroup && g.section == sec }) {
			// The group the page's item is in is that parent item: its
			// name already said so, and one menu item is one piece of
			// evidence, not two.
			return signal{}, false
		}
		s := c.prof.Section(sec)
		sig := around(sec, wNavParent, fmt.Sprintf("в меню старого сайта под пунктом «%s» (страница раздела «%s»)", e.groups[len(e.groups)-1], s.Title))
		sig.src = evGroup
		return sig, true
	}
	return signal{}, false
}

// menuGroup reports whether the old menu has the page under a section:
// in a group named like it, or under the item of a page placed in it.
func menuGroup(sigs []signal, section string) bool {
	return slices.ContainsFunc(sigs, func(s signal) bool { return s.section == section && s.src == evGroup })
}

// jointSection reports whether a section normally has one main page per
// site, chosen jointly: every section but the catch-all, the home page,
// the news and the root.
func (c *classifier) jointSection(id string) bool {
	return placeable(id) && id != c.prof.Root.ID
}

// wNamedMore is the least weight of what names a page (its title, menu
// item, address, links) that is more than one word of a section's name:
// a shortening of the name, a phrase of it.
const wNamedMore = 0.45

// named reports whether what names a page (not its text, records or
// documents) says a section with a weight of at least w: outside
// «Сведения» one word («Центр образования «Точка роста»») does not make a
// page the one page of «Образование», nor does a table of teachers make
// «Фортепианное отделение» the one page of «Педагогический состав».
func named(sigs []signal, section string, w float64) bool {
	for _, s := range sigs {
		if s.section == section && !s.context && s.src.named() && s.weight >= w {
			return true
		}
	}
	return false
}

// qualifies reports whether a page's evidence for a section is more than
// a few of its words in the page's text.
func qualifies(sigs []signal, section string) bool {
	for _, s := range sigs {
		if s.section == section && !s.context && s.weight >= 0.35 {
			return true
		}
	}
	return false
}

// mainPages chooses one main page per section jointly: claims sorted by
// confidence, each section taking the best page not yet taken by another.
// A page split into parts is the main page of each part's section.
func (c *classifier) mainPages(cases []*pageCase) map[string]*pageCase {
	type claim struct {
		pc   *pageCase
		sec  string
		conf float64
	}
	var claims []claim
	for _, pc := range cases {
		if len(pc.parts) > 1 {
			for _, pt := range pc.parts {
				if c.jointSection(pt.section) && len(pt.cands) > 0 {
					claims = append(claims, claim{pc, pt.section, pt.cands[0].Confidence + 1}) // a heading of its own outranks any page
				}
			}
			continue
		}
		for _, cd := range pc.cands {
			if c.jointSection(cd.Section) && qualifies(pc.sigs, cd.Section) {
				claims = append(claims, claim{pc, cd.Section, cd.Confidence})
			}
		}
	}
	sort.SliceStable(claims, func(i, j int) bool {
		if claims[i].conf != claims[j].conf {
			return claims[i].conf > claims[j].conf
		}
		return claims[i].pc.p.URL < claims[j].pc.p.URL
	})
	main := map[string]*pageCase{}
	taken := map[*pageCase]bool{}
	for _, cl := range claims {
		if main[cl.sec] != nil || taken[cl.pc] && len(cl.pc.parts) <= 1 {
			continue
		}
		main[cl.sec] = cl.pc
		taken[cl.pc] = true
	}
	return main
}

// decideOne decides a page that is not split.
func (c *classifier) decideOne(pc *pageCase, main, byKey map[string]*pageCase, rootNav bool, threshold float64) {
	if len(pc.cands) == 0 {
		pc.free = true
		return
	}
	best := pc.cands[0]
	place := func(cd Candidate, why ...string) {
		pc.section, pc.conf = cd.Section, cd.Confidence
		pc.reasons = append(append([]string(nil), cd.Reasons...), why...)
	}
	if news, ok := c.newsByAddress(pc); ok && best.Section != NewsSection {
		// A news item's address is its headline: the words of a section in
		// it («Утверждён учебный план») are news about that section.
		place(news, fmt.Sprintf("новость: её адрес в ленте новостей, а слова раздела «%s» — из её заголовка", c.prof.Section(best.Section).Title))
		return
	}
	if e, ok := c.newsByList(pc); ok && best.Section != NewsSection {
		// A page the site's news list names is a news item: the words of a
		// section in its headline («Организация питания: новое меню») are
		// news about that section, unless the menu, the address or the
		// page's own content names it as the section's page.
		pc.section, pc.conf, pc.date, pc.item = NewsSection, 0.7, e.date, true
		pc.reasons = []string{fmt.Sprintf("новость из ленты новостей на странице %s: «%s»; слова раздела «%s» — из её заголовка", shown(e.list), e.title, c.prof.Section(best.Section).Title)}
		return
	}
	switch {
	case conflicts(pc.cands, threshold):
		a, b := pc.cands[0], pc.cands[1]
		sa, sb := c.prof.Section(a.Section), c.prof.Section(b.Section)
		switch {
		case a.Section == c.prof.Root.ID && sb != nil && sb.Parent == a.Section || b.Section == c.prof.Root.ID && sa != nil && sa.Parent == b.Section:
			root, sub := a, b
			if b.Section == c.prof.Root.ID {
				root, sub = b, a
			}
			if n := c.hubOf(pc, byKey); n >= hubSubsections {
				place(root, fmt.Sprintf("страница ведёт на %d подразделов: это страница всего раздела", n))
			} else {
				place(sub, fmt.Sprintf("подраздел «%s», а не весь раздел: страница не ведёт на другие подразделы", c.prof.Section(sub.Section).Title))
			}
		case c.navBeatsTitle(pc, a.Section, b.Section) != "":
			place(a, c.navBeatsTitle(pc, a.Section, b.Section))
		case c.navBeatsTitle(pc, b.Section, a.Section) != "":
			place(b, c.navBeatsTitle(pc, b.Section, a.Section))
		case sa == nil || sb == nil || !sa.Mandated || !sb.Mandated:
			if (sa == nil || !sa.Mandated) && sb != nil && sb.Mandated && a.Confidence == b.Confidence {
				a, b = b, a
			}
			place(a, fmt.Sprintf("подходит и раздел %s, но он не обязательный", b.Section))
		case main[a.Section] == pc && main[b.Section] != nil && main[b.Section] != pc:
			place(a, fmt.Sprintf("главная страница раздела %s на сайте — другая: %s", b.Section, shown(main[b.Section].p.URL)))
		case main[b.Section] == pc && main[a.Section] != nil && main[a.Section] != pc:
			place(b, fmt.Sprintf("главная страница раздела %s на сайте — другая: %s", a.Section, shown(main[a.Section].p.URL)))
		default:
			pc.review = "противоречивые признаки: подходят разделы " + a.Section + " и " + b.Section
		}
	case (!best.self || best.Confidence < threshold) && c.isRootChild(best.Section) && menuGroup(pc.sigs, best.Section) && !c.namesFreeTopic(pc, best.Section) &&
		(c.inRoot(pc.key) != "" || !c.broadGroup(pc, best.Section, byKey, threshold)):
		// In the old menu under one subsection's item («Сведения» ›
		// «Образование» › «Начальная школа», or «Образование» ›
		// «Дополнительное образование» on its own), with nothing of its
		// own that says otherwise: the old site's author filed it as a
		// page of that subsection, and inside «Сведения» there is no place
		// for a free page. Outside «Сведения» a group that holds other
		// subsections' pages («Об учреждении» › «Структура», «Документы»)
		// is the site's own heading, not the subsection's.
		where := c.inRoot(pc.key)
		if where == "" {
			where = "в меню старого сайта"
		}
		place(best, fmt.Sprintf("%s, в подразделе «%s»: ещё одна страница подраздела", where, c.prof.Section(best.Section).Title))
	case best.Confidence >= threshold && !best.self && !c.itemsUnder(best.Section):
		// Only where the page sits (a folder, a breadcrumb, a menu group)
		// says this section: that is where its parent is, not what the
		// page is («Документы» › «Охрана труда»).
		pc.free = true
		pc.reasons = []string{fmt.Sprintf("о разделе «%s» говорит только место страницы на старом сайте (%s), а не она сама", c.prof.Section(best.Section).Title, best.Reasons[0])}
	case best.Confidence >= threshold:
		s := c.prof.Section(best.Section)
		if rootNav && s != nil && s.Parent == c.prof.Root.ID && len(c.nav[pc.key]) > 0 && c.inRoot(pc.key) == "" &&
			main[best.Section] != nil && main[best.Section] != pc {
			// The old site keeps «Сведения» together (a menu group or a
			// folder), this page is in the menu elsewhere, and the
			// subsection has its own page inside.
			if c.strongName(pc, best.Section) != "" {
				// Named as the subsection («Учебный план», «Преподаватели»):
				// its content is the subsection's, wherever the menu had it.
				place(best, fmt.Sprintf("на старом сайте вне раздела «%s», но названа как подраздел: ещё одна страница подраздела, его главная страница — %s", c.prof.Root.Title, shown(main[best.Section].p.URL)))
				return
			}
			if menuGroup(pc.sigs, best.Section) && !c.namesFreeTopic(pc, best.Section) && !c.broadGroup(pc, best.Section, byKey, threshold) {
				// In the menu under the subsection's own group
				// («Образование» › «Дополнительное образование»).
				place(best, fmt.Sprintf("на старом сайте вне раздела «%s», но в меню под пунктом подраздела: ещё одна страница подраздела, его главная страница — %s", c.prof.Root.Title, shown(main[best.Section].p.URL)))
				return
			}
			pc.free = true
			pc.reasons = []string{fmt.Sprintf("на старом сайте вне раздела «%s»; подраздел «%s» на сайте — страница %s", c.prof.Root.Title, s.Title, shown(main[best.Section].p.URL))}
			return
		}
		place(best)
	case main[best.Section] == pc && c.jointSection(best.Section) && c.required(best.Section) && (c.inRoot(pc.key) != "" || named(pc.sigs, best.Section, wNamedMore)):
		place(best, fmt.Sprintf("главная страница раздела «%s» на сайте: у других страниц признаков этого раздела меньше", c.prof.Section(best.Section).Title))
	case c.inRoot(pc.key) != "" && qualifies(pc.sigs, best.Section) && c.isRootChild(best.Section):
		// Under «Сведения» in the old menu or its folder, with some sign of
		// one subsection whose main page is another: a further page of
		// that subsection.
		place(best, fmt.Sprintf("%s; ещё одна страница подраздела, его главная страница — %s", c.inRoot(pc.key), mainURL(main[best.Section])))
	default:
		pc.free = true
	}
}

// broadGroup reports whether a menu group that is named like a section
// holds more pages of other sections, by their own evidence, than of
// that section («Об учреждении» over «Сведения…» and «История школы»):
// the site's own heading rather than the section's page and its further
// pages. A group whose pages are of the section or free pages is the
// section's.
func (c *classifier) broadGroup(pc *pageCase, section string, byKey map[string]*pageCase, threshold float64) bool {
	if c.groupPages == nil {
		c.groupPages = map[string][]string{}
		c.groupCounts = map[string][2]int{}
		for key, es := range c.nav {
			for _, e := range es {
				if len(e.groups) > 0 {
					g := strings.Join(e.groups, "\x00")
					c.groupPages[g] = append(c.groupPages[g], key)
				}
			}
		}
	}
	// what a page of the group says of itself: this section, another, or nothing
	of := func(q *pageCase) (same, other int) {
		if q == nil || len(q.cands) == 0 || !q.cands[0].self || q.cands[0].Confidence < threshold {
			return 0, 0
		}
		switch q.cands[0].Section {
		case section:
			return 1, 0
		case OtherSection:
			return 0, 0
		}
		return 0, 1
	}
	same, other := 0, 0
	for _, e := range c.nav[pc.key] {
		if len(e.groups) == 0 {
			continue
		}
		g := strings.Join(e.groups, "\x00")
		n, ok := c.groupCounts[g+"\x01"+section] // counted once per group: a group may hold thousands of pages
		if !ok {
			for _, key := range c.groupPages[g] {
				s, o := of(byKey[key])
				n[0], n[1] = n[0]+s, n[1]+o
			}
			c.groupCounts[g+"\x01"+section] = n
		}
		s, o := of(pc) // the page itself does not count
		same, other = same+n[0]-s, other+n[1]-o
	}
	return other > same
}

// hubSubsections is how many subsections a page's own links must reach for
// it to be the page of the whole section (the «Сведения» page that lists
// its subsections) rather than one subsection's.
const hubSubsections = 3

// hubOf counts the subsections of the root that the pages a page links in
// its own text belong to, by their own evidence.
func (c *classifier) hubOf(pc *pageCase, byKey map[string]*pageCase) int {
	seen := map[string]bool{}
	for _, l := range pc.d.Links {
		if !l.InContent || l.Attachment {
			continue
		}
		q := byKey[normURL(l.URL)]
		if q == nil || q == pc || len(q.cands) == 0 {
			continue
		}
		if s := c.prof.Section(q.cands[0].Section); s != nil && s.Parent == c.prof.Root.ID {
			seen[s.ID] = true
		}
	}
	return len(seen)
}

// required reports whether every site of the type has a page of the
// section: a mandated one or a subsection of the root. Only for such a
// section is the one page with a few of its signals its page: a school
// must have «Вакантные места», but need not have «История», so the word
// «истории» in a title («Страничка учителя истории») names no page.
func (c *classifier) required(id string) bool {
	s := c.prof.Section(id)
	return s != nil && (s.Mandated || s.Parent == c.prof.Root.ID)
}

// itemsUnder reports whether the pages under a section's page are its
// items, so that where a page sits may place it: the news and their
// items, the gallery and its albums, the doctors and each doctor's page,
// a municipality's legal acts.
func (c *classifier) itemsUnder(id string) bool {
	s := c.prof.Section(id)
	return s != nil && (s.PersonPages || s.ItemPages || slices.Contains(listSections, id))
}

func (c *classifier) isRootChild(id string) bool {
	s := c.prof.Section(id)
	return s != nil && s.Parent == c.prof.Root.ID
}

func mainURL(pc *pageCase) string {
	if pc == nil {
		return "не найдена"
	}
	return shown(pc.p.URL)
}

// pull places the pages a section's main page links in its own text, when
// nothing else places them and the old menu does not list them: they are
// that section's pages on the old site. A page that other pages link in
// their text as well is not the main page's own: a list of links every
// page of a part of the site shows (a side menu of «Информация» that the
// template learning did not take for the template) is that part's menu.
func (c *classifier) pull(main map[string]*pageCase, byKey map[string]*pageCase) {
	linkedBy := map[string]map[string]bool{} // page key → the pages that link it in their text
	for _, pc := range byKey {
		for _, l := range pc.d.Links {
			if l.InContent && !l.Attachment {
				k := normURL(l.URL)
				if linkedBy[k] == nil {
					linkedBy[k] = map[string]bool{}
				}
				linkedBy[k][pc.key] = true
			}
		}
	}
	secs := make([]string, 0, len(main))
	for s := range main {
		secs = append(secs, s)
	}
	sort.Strings(secs)
	for _, sec := range secs {
		m := main[sec]
		if m.section != sec && (len(m.parts) <= 1 || m.parts[0].section != sec) {
			continue
		}
		title := c.prof.Section(sec).Title
		for _, l := range m.d.Links {
			if !l.InContent || l.Attachment {
				continue
			}
			q := byKey[normURL(l.URL)]
			if q == nil || q == m || !q.free || len(c.nav[q.key]) > 0 {
				continue
			}
			if len(linkedBy[q.key]) > 1 {
				continue // linked by other pages too: not this page's own
			}
			if records.IsPersonName(l.Text) && !c.prof.Section(sec).PersonPages {
				continue // a person's own page, linked from a row of the table of people
			}
			q.free, q.section, q.conf = false, sec, 0.6
			q.reasons = []string{fmt.Sprintf("страница по ссылке «%s» с главной страницы раздела «%s» (%s)", l.Text, title, shown(m.p.URL))}
		}
	}
}

// freePage makes a page with no mandated section a free page of the new
// site, in the place the old site's menu gave it (its menu path, and the
// page of the menu item it was under), or under the page that links it.
func (c *classifier) freePage(pc *pageCase, byKey map[string]*pageCase) {
	pc.section = OtherSection
	outside := len(pc.reasons) > 0 // the menu has it outside «Сведения», the subsection's page is another
	var why string
	entries := c.nav[pc.key]
	for _, e := range entries {
		if pc.menu == nil || len(e.groups) > 0 && len(pc.menu) == 1 {
			pc.menu, pc.parent = e.path(), e.parent
		}
	}
	switch {
	case len(pc.menu) > 0:
		why = "свободная страница нового сайта на месте, где она была в меню старого сайта: " + menuPath(pc.menu)
	default:
		for _, r := range pc.p.Referrers {
			if q := byKey[normURL(r.URL)]; q != nil && q != pc {
				pc.parent = q.key
				why = fmt.Sprintf("свободная страница нового сайта: на старом сайте — по ссылке «%s» со страницы %s", r.Anchor, shown(r.URL))
				break
			}
		}
		if why == "" {
			why = "свободная страница нового сайта: признаков обязательного раздела нет"
		}
	}
	if pc.parent == pc.key {
		pc.parent = ""
	}
	pc.conf = c.freeConfidence(pc, outside, len(pc.menu) > 0 || pc.parent != "")
	reasons := []string{why}
	if len(pc.cands) > 0 && pc.cands[0].Section != OtherSection && len(pc.reasons) == 0 {
		reasons = append(reasons, fmt.Sprintf("признаков раздела %s мало (%.2f): %s", pc.cands[0].Section, pc.cands[0].Confidence, pc.cands[0].Reasons[0]))
	}
	pc.reasons = append(reasons, pc.reasons...)
}

func menuPath(p []string) string {
	out := ""
	for i, s := range p {
		if i > 0 {
			out += " › "
		}
		out += "«" + s + "»"
	}
	return out
}

// navBeatsTitle decides a conflict by the kinds of evidence: the site's
// navigation (the menu item that links the page, its address) names the
// page, while its title or headings may have been copied from another
// page. It returns why section nav wins over section title, or "" when
// nav has no strong navigation evidence or title has more than a title.
func (c *classifier) navBeatsTitle(pc *pageCase, nav, title string) string {
	type kinds struct {
		navigation, content, other bool
		shown                      string
	}
	strong := func(sec string) kinds {
		var k kinds
		for _, s := range pc.sigs {
			if s.section != sec || s.context || s.weight < wStrong {
				continue
			}
			switch s.src {
			case evMenu, evAddress:
				k.navigation = true
			case evTitle, evHeading:
				k.content = true
				if k.shown == "" {
					k.shown = s.reason
				}
			default:
				k.other = true
			}
		}
		return k
	}
	n, t := strong(nav), strong(title)
	if !n.navigation || t.navigation || t.other || !t.content {
		return ""
	}
	why := fmt.Sprintf("пункт меню и адрес страницы говорят о разделе «%s»; %s мог быть скопирован с другой страницы", c.prof.Section(nav).Title, t.shown)
	if q := c.sameTitle[norm(pc.d.Title)]; len(q) > 1 {
		for _, u := range q {
			if u != pc.p.URL {
				why += " (такой же заголовок у страницы " + shown(u) + ")"
				break
			}
		}
	}
	return why
}

// newsByAddress returns the news candidate of a page whose address says
// it is a news item (a dated address, a page in the news folder), when
// nothing but its headline (its title, its address, the links to it)
// names another section: no menu item, microdata or records.
func (c *classifier) newsByAddress(pc *pageCase) (Candidate, bool) {
	byAddress := false
	for _, s := range pc.sigs {
		if s.section == NewsSection && s.src == evAddress && !s.context && s.weight >= wNewsAncestor {
			byAddress = true
		}
		if s.section != NewsSection && !s.context && (s.src == evMenu || s.src == evProps || s.src == evRecords) && s.weight >= wStrong {
			return Candidate{}, false
		}
	}
	if !byAddress {
		return Candidate{}, false
	}
	for _, cd := range pc.cands {
		if cd.Section == NewsSection {
			return cd, true
		}
	}
	return Candidate{}, false
}

// newsEntry is a news list's record naming a page: the list, the
// headline, the date.
type newsEntry struct{ list, title, date string }

// newsByList returns the news list's record that names a page, when
// nothing but the page's headline (its title, headings, the links to it,
// words of its text) names another section: no menu item, no address
// that is a section's name, no microdata, records or documents of one.
func (c *classifier) newsByList(pc *pageCase) (newsEntry, bool) {
	e, ok := c.newsList[pc.key]
	if !ok {
		return newsEntry{}, false
	}
	for _, s := range pc.sigs {
		if s.section == NewsSection || s.context || s.weight < wStrong {
			continue
		}
		switch s.src {
		case evMenu, evProps, evRecords, evDocs:
			return newsEntry{}, false
		case evAddress:
			if s.weight >= wSkelExact {
				return newsEntry{}, false
			}
		}
	}
	return e, true
}

// freeConfidence is how sure the plan is that a page belongs to no
// mandated section: the less evidence it has for the likeliest mandated
// one, the surer; a page the old site placed (its menu, the page linking
// it) is surer than a stray one. A page kept free because the old menu
// has it outside «Сведения» while the subsection has its own page there
// rests on that rule alone.
func (c *classifier) freeConfidence(pc *pageCase, outside, placed bool) float64 {
	if outside {
		return 0.7
	}
	base := 0.8
	if placed {
		base = 0.9
	}
	best := 0.0
	for _, cd := range pc.cands {
		if s := c.prof.Section(cd.Section); s != nil && (s.Mandated || c.isRootChild(cd.Section)) {
			best = max(best, cd.Confidence)
		}
	}
	return round2(base * (1 - best))
}

// listSections are the sections whose page is a list of items that are
// pages of their own: the news and their items, the gallery and its
// albums.
var listSections = []string{NewsSection, "gallery"}

// pullItems places the pages a list names: a page a news list's record
// points to is a news item (with the list's date), and so is one the news
// list links in its text, an album one the gallery links, when nothing
// else places them and the old menu does not list them (a news item in a
// flat address, /konkurs.html, says nothing of itself).
func (c *classifier) pullItems(cases []*pageCase, byKey map[string]*pageCase) {
	item := func(q *pageCase) bool { return q != nil && q.free && len(c.nav[q.key]) == 0 }
	for _, pc := range cases {
		for _, r := range pc.d.Records {
			if r.Type != "news" || r.Fields["url"] == "" {
				continue
			}
			if q := byKey[normURL(r.Fields["url"])]; item(q) && q != pc {
				q.free, q.section, q.conf, q.date, q.item = false, NewsSection, 0.7, r.Fields["date"], true
				q.reasons = []string{fmt.Sprintf("новость из ленты новостей на странице %s: «%s»", shown(pc.p.URL), collapse(r.Fields["title"]))}
			}
		}
	}
	for _, pc := range cases {
		if !slices.Contains(listSections, pc.section) {
			continue
		}
		title := c.prof.Section(pc.section).Title
		for _, l := range pc.d.Links {
			if !l.InContent || l.Attachment {
				continue
			}
			if q := byKey[normURL(l.URL)]; item(q) && q != pc {
				q.free, q.section, q.conf, q.item = false, pc.section, 0.6, pc.section == NewsSection
				q.reasons = []string{fmt.Sprintf("страница по ссылке «%s» со страницы раздела «%s» (%s)", l.Text, title, shown(pc.p.URL))}
			}
		}
	}
}

// strongName returns the reason of the strongest evidence that names a
// page as a section outright (its title, menu item or address matching
// the section's name, not a word of it), or "".
func (c *classifier) strongName(pc *pageCase, sec string) string {
	why, w := "", 0.0
	for _, s := range pc.sigs {
		if s.section == sec && !s.context && s.src.named() && s.src != evRef && s.weight >= wTitleMost && s.weight > w {
			why, w = s.reason, s.weight
		}
	}
	return why
}

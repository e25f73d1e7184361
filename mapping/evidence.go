package mapping

import (
	"fmt"
	"path"
	"sort"
	"strings"
	"unicode/utf8"

	"perenos/extract"
	"perenos/extract/records"
	"perenos/store"
)

// Weights of the evidence read in this file.
const (
	wMenuShort  = 0.45 // the menu item is a shortening of the section's name («Стандарты», «Структура»)
	wTitleShort = 0.4  // ... the title is
	wRecords    = 0.5  // the page's records are the section's (a table of teachers)
	wDocsOnly   = 0.55 // the page is little more than documents of the section's kinds
	wDocsMostly = 0.4  // the page's documents are of the section's kinds, among other text
)

// shortIndex finds the section whose official name a short text
// shortens: real menus say «Структура», «Стандарты», «Финансы» for
// «Структура и органы управления образовательной организацией»,
// «Образовательные стандарты и требования», «Финансово-хозяйственная
// деятельность». Only the sections' own titles (the law's names) are
// shortened, never the other phrases of their vocabulary: «Поступление»
// shortens «поступление и расходование финансовых средств», a phrase of
// a page's text, not a name. A shortening counts only when one section
// alone has a title holding all its words.
type shortIndex []shortName

type shortName struct {
	section string
	text    string
	words   []string // content words (stems)
}

func newShortIndex(p *Profile, secs []*Section) shortIndex {
	var out shortIndex
	for _, s := range secs {
		if s.ID == p.Root.ID || s.ID == HomeSection || s.ID == OtherSection {
			continue
		}
		var ws []string
		for _, w := range stems(s.Title) {
			if !stopWords[w] {
				ws = append(ws, w)
			}
		}
		if len(ws) >= 2 {
			out = append(out, shortName{s.ID, s.Title, ws})
		}
	}
	return out
}

// genericShort are words too general to name a section when a text has
// nothing else («Информация», «Деятельность», «Наши программы»).
var genericShort = map[string]bool{"информац": true, "сведен": true, "деятельн": true, "организац": true, "учрежден": true,
	"работ": true, "общ": true, "раздел": true, "страниц": true, "материал": true, "данн": true, "документ": true,
	"образовательн": true, "программ": true, "план": true, "отчет": true, "положен": true, "порядок": true, "правил": true,
	"услуг": true, "мест": true, "прием": true, "совет": true, "орган": true, "поддержк": true, "обеспечен": true}

// compatibleStem reports whether two stems are one word: equal, or one a
// prefix of the other of five letters or more (финанс, финансов).
func compatibleStem(a, b string) bool {
	if a == b {
		return true
	}
	if len(a) > len(b) {
		a, b = b, a
	}
	return utf8.RuneCountInString(a) >= 5 && strings.HasPrefix(b, a)
}

// shortened returns the one section whose name text shortens, and that
// name, or "" when none or several do.
func (x shortIndex) shortened(text []string) (section, name string) {
	var ws []string
	generic := true
	for _, w := range text {
		if stopWords[w] || len(w) < 2 {
			continue
		}
		ws = append(ws, w)
		generic = generic && genericShort[w]
	}
	if len(ws) == 0 || len(ws) > 3 || generic {
		return "", ""
	}
outer:
	for _, n := range x {
		if len(n.words) <= len(ws) {
			continue
		}
		for _, w := range ws {
			found := false
			for _, v := range n.words {
				if compatibleStem(w, v) {
					found = true
					break
				}
			}
			if !found {
				continue outer
			}
		}
		switch {
		case section == "":
			section, name = n.section, n.text
		case section != n.section:
			return "", ""
		}
	}
	return section, name
}

// shortenedNames reads titles and menu items that shorten a section's
// name, for the pages that no section's name matches outright.
func (c *classifier) shortenedNames(titles, menus []short, sigs []signal) []signal {
	named := map[evidence]bool{}
	for _, s := range sigs {
		if s.src == evTitle || s.src == evMenu {
			named[s.src] = true
		}
	}
	idx := c.prof.shortIdx
	var out []signal
	read := func(ts []short, src evidence, w float64, what string) {
		if named[src] {
			return
		}
		for _, t := range ts {
			if audience(t.text) {
				continue // «Педагогам» is for teachers, not a shortening of «Педагогический состав»
			}
			if sec, name := idx.shortened(t.stems); sec != "" {
				out = append(out, own(sec, w, src, fmt.Sprintf("%s «%s» — сокращение названия «%s»", what, t.text, name)))
				return
			}
		}
	}
	read(menus, evMenu, wMenuShort, "пункт меню")
	read(titles, evTitle, wTitleShort, "заголовок страницы")
	return out
}

// recordSignals reads the people a page lists: a page whose staff records
// are mostly teachers is «Педагогический состав», mostly the head and
// deputies «Руководство».
func (c *classifier) recordSignals(d *extract.Document) []signal {
	count := map[string]int{}
	staff := 0
	for _, r := range d.Records {
		if r.Type != "staff" {
			continue
		}
		staff++
		if sec := c.postSection(r.Fields["post"]); sec != "" {
			count[sec]++
		}
	}
	best, n := "", 0
	for sec, k := range count {
		if k > n || k == n && sec < best {
			best, n = sec, k
		}
	}
	if n < 2 || n*5 < staff*3 {
		return nil
	}
	return []signal{own(best, wRecords, evRecords, fmt.Sprintf("на странице %d записей о сотрудниках с должностями раздела «%s»", n, c.prof.Section(best).Title))}
}

// postSection returns the section a staff member's post sends the record
// to (a teacher to «Педагогический состав», a director to «Руководство»).
func (c *classifier) postSection(post string) string {
	post = strings.TrimSpace(post)
	if post == "" {
		return ""
	}
	ps := c.st.stems(post)
	best, bestLen := "", 0
	for _, s := range c.secs {
		for _, ph := range c.prof.posts(s.ID) {
			if subsequence(ps, ph.stems) && len(ph.stems) > bestLen {
				best, bestLen = s.ID, len(ph.stems)
			}
		}
	}
	return best
}

// docsOnlyText is how much text besides its links a page may have and
// still be little more than its documents.
const docsOnlyText = 200

// documentSignals reads the documents a page links in its text: when
// those whose kind is known are all of one section's kinds, the page is
// probably that section's (a page that is one PDF of the plan of
// financial activity is «Финансово-хозяйственная деятельность»).
func (c *classifier) documentSignals(d *extract.Document) []signal {
	atts := d.Attachments()
	if len(atts) == 0 {
		return nil
	}
	titles := documentRecordTitles(d)
	sec, known := "", 0
	var kinds []string
	linkText := 0
	for _, l := range atts {
		linkText += utf8.RuneCountInString(l.Text)
		k := c.attachmentKind(l.URL, l.Text, titles[normURL(l.URL)])
		if k == "" {
			continue
		}
		ss := c.prof.sectionsOfKind(k)
		if len(ss) == 0 {
			continue
		}
		switch {
		case sec == "":
			sec = ss[0]
		case sec != ss[0]:
			return nil // documents of several sections' kinds: a list of documents, not one section's page
		}
		known++
		if !containsString(kinds, k) {
			kinds = append(kinds, k)
		}
	}
	if known == 0 || known*2 < len(atts) {
		return nil
	}
	w, why := wDocsMostly, "документы на странице — вида «%s»"
	if utf8.RuneCountInString(d.Text)-linkText <= docsOnlyText {
		w, why = wDocsOnly, "страница — это документы вида «%s»"
	}
	return []signal{own(sec, w, evDocs, fmt.Sprintf(why, strings.Join(kinds, "», «")))}
}

// attachmentKind tells the kind of a linked file from what names it: the
// title of its row in the page's list of documents or its link text, its
// file name, and its text when it was read. Kinds are remembered by URL.
func (c *classifier) attachmentKind(u, anchor, recordTitle string) string {
	key := normURL(u)
	if k, ok := c.docKinds[key]; ok {
		return k
	}
	title := anchor
	if genericTitle(anchor) && recordTitle != "" {
		title = recordTitle
	}
	name := ""
	if pu := stripFragment(u); pu != "" {
		name = path.Base(strings.SplitN(pu, "?", 2)[0])
	}
	k, _ := c.prof.kindOf(c.st, title, name, c.attach[key].Text)
	c.docKinds[key] = k
	return k
}

// documentRecordTitles maps the files a page's list of documents names
// (by normalised URL) to their titles as the list gives them: the words
// around a bare «скачать».
func documentRecordTitles(d *extract.Document) map[string]string {
	var out map[string]string
	for _, r := range d.Records {
		if r.Type != "document" || r.Fields["url"] == "" || strings.TrimSpace(r.Fields["title"]) == "" {
			continue
		}
		if out == nil {
			out = map[string]string{}
		}
		k := normURL(r.Fields["url"])
		if _, ok := out[k]; !ok {
			out[k] = collapse(r.Fields["title"])
		}
	}
	return out
}

// elsewhereRecord reports whether a record is a document stored on
// another host, which the migration cannot carry as bytes.
func elsewhereRecord(r records.Record) bool {
	return r.Type == "document" && r.Fields[records.ElsewhereField] != ""
}

func containsString(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

// listedTitles maps every file the site's lists of documents name (by
// normalised URL) to the title the list gives it, where that says more
// than a bare «скачать» or a file name.
func listedTitles(docs map[string]*extract.Document) map[string]string {
	out := map[string]string{}
	urls := make([]string, 0, len(docs))
	for u := range docs {
		urls = append(urls, u)
	}
	sort.Strings(urls) // the same title whichever page lists the file
	for _, u := range urls {
		for k, t := range documentRecordTitles(docs[u]) {
			if _, ok := out[k]; !ok && !genericTitle(t) {
				out[k] = t
			}
		}
	}
	return out
}

// listingKind tells the kind of a file that says nothing of itself from
// the page that lists it, when that page's title or menu item names a
// kind («Рабочие программы» listing «Математика, 5–9 классы»).
func (c *classifier) listingKind(p *store.Page) (kind, from string) {
	for _, r := range p.Referrers {
		key := normURL(r.URL)
		pk, ok := c.pageKinds[key]
		if !ok {
			if d := c.docs[stripFragment(r.URL)]; d != nil {
				for _, t := range append(c.pageTitles(d), c.menus[key]...) {
					if k := c.prof.kindInText(c.st.tokens(t)); k != "" {
						pk = [2]string{k, t}
						break
					}
				}
			}
			c.pageKinds[key] = pk
		}
		if pk[0] != "" {
			return pk[0], fmt.Sprintf("по заголовку «%s» страницы, где он перечислен", pk[1])
		}
	}
	return "", ""
}

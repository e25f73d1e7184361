package recordscore

import (
	"net/url"
	"sort"
	"strings"
	"unicode"

	"perenos/portal"
)

// Page is what reached the bundle from one labelled page.
type Page struct {
	Site, Path string
	// Base is the URL the site's root was served at; links under it are
	// compared as paths from the root, as the labels write them.
	Base string
	// Records are the page's structured records as the bundle has them:
	// staff (any record with a fio field: staff, rucovodstvo,
	// teachingStaff, ...), contacts (contact, sveden and other records'
	// phone, telephone, email, address, worktime, workTime fields) and
	// documents kept as records (record_type document, fields url and
	// title: those the migration cannot carry as a file).
	Records []portal.Record
	// Documents are the files linked from the page, with their titles
	// and source URLs.
	Documents []portal.Document
	// News are the news items made from the page. None of the labelled
	// pages is a news item, so every one is spurious.
	News []portal.NewsItem
}

// Counts are the figures of one kind.
type Counts struct {
	Labelled  int     `json:"labelled"`
	Found     int     `json:"found"`
	Matched   int     `json:"matched"`
	Precision float64 `json:"precision"`
	Recall    float64 `json:"recall"`
	F1        float64 `json:"f1"`
}

// StaffScore adds how often the post of a matched person is right.
type StaffScore struct {
	Counts
	PostAccuracy float64 `json:"post_accuracy"`
	postRight    int
}

// ContactScore adds how often a matched value is clean (no label, nothing
// cut off).
type ContactScore struct {
	Counts
	ValueAccuracy float64 `json:"value_accuracy"`
	valueRight    int
}

// DocumentScore adds how often a matched document's title is right.
type DocumentScore struct {
	Counts
	TitleAccuracy float64 `json:"title_accuracy"`
	titleRight    int
}

// Scores are the figures of a set of pages.
type Scores struct {
	Staff        StaffScore    `json:"staff"`
	Contact      ContactScore  `json:"contact"`
	Document     DocumentScore `json:"document"`
	SpuriousNews int           `json:"spurious_news"`
}

// Report is the benchmark's answer: all labelled pages, then the tuning
// and held-out parts apart, and what each miss was.
type Report struct {
	Scores
	Tuning  Scores `json:"tuning"`
	Heldout Scores `json:"heldout"`
	Misses  []Miss `json:"misses,omitempty"`
}

// Miss is one record the extraction got wrong.
type Miss struct {
	Part Part   `json:"part"`
	Site string `json:"site"`
	Path string `json:"path"`
	Kind Kind   `json:"kind"`
	// What: missed (labelled, not found), spurious (found, not labelled),
	// post, value or title (matched, that field wrong), news.
	What string `json:"what"`
	Key  string `json:"key"`
	Want string `json:"want,omitempty"`
	Got  string `json:"got,omitempty"`
}

// Score compares what reached the bundle with the labels. Pages that are
// not labelled are ignored; a labelled page missing from pages counts as
// found empty.
func Score(g *Gold, pages []Page) Report {
	byPage := map[string]*Page{}
	for i := range pages {
		byPage[pages[i].Site+"\x00"+pages[i].Path] = &pages[i]
	}
	var rep Report
	for _, ref := range g.Pages() {
		var rows []Row
		for _, r := range g.Rows {
			if r.Site == ref.Site && r.Path == ref.Path {
				rows = append(rows, r)
			}
		}
		p := byPage[ref.Site+"\x00"+ref.Path]
		if p == nil {
			p = &Page{Site: ref.Site, Path: ref.Path}
		}
		part := &rep.Tuning
		if ref.Part == Heldout {
			part = &rep.Heldout
		}
		misses := scorePage(ref, rows, p, part)
		scorePage(ref, rows, p, &rep.Scores)
		rep.Misses = append(rep.Misses, misses...)
	}
	for _, s := range []*Scores{&rep.Scores, &rep.Tuning, &rep.Heldout} {
		s.finish()
	}
	return rep
}

func (s *Scores) finish() {
	s.Staff.Counts.finish()
	s.Staff.PostAccuracy = ratio(s.Staff.postRight, s.Staff.Matched)
	s.Contact.Counts.finish()
	s.Contact.ValueAccuracy = ratio(s.Contact.valueRight, s.Contact.Matched)
	s.Document.Counts.finish()
	s.Document.TitleAccuracy = ratio(s.Document.titleRight, s.Document.Matched)
}

func (c *Counts) finish() {
	c.Precision = ratio(c.Matched, c.Found)
	c.Recall = ratio(c.Matched, c.Labelled)
	if c.Precision+c.Recall > 0 {
		c.F1 = 2 * c.Precision * c.Recall / (c.Precision + c.Recall)
	}
}

// ratio is a/b, and 1 when there is nothing to get right (b = 0).
func ratio(a, b int) float64 {
	if b == 0 {
		return 1
	}
	return float64(a) / float64(b)
}

// found is one extracted item of a kind, with the field scored beside its key.
type found struct {
	key, field, typ string
	raw             string // the value as extracted, for contacts
}

func scorePage(ref PageRef, rows []Row, p *Page, s *Scores) []Miss {
	var misses []Miss
	miss := func(k Kind, what, key, want, got string) {
		misses = append(misses, Miss{Part: ref.Part, Site: ref.Site, Path: ref.Path, Kind: k, What: what, Key: key, Want: want, Got: got})
	}
	staff, contacts, docs := collect(p)

	// staff: by folded name; the post beside it
	var want, opt []Row
	split := func(k Kind) {
		want, opt = nil, nil
		for _, r := range rows {
			switch {
			case r.Kind != k:
			case r.Optional:
				opt = append(opt, r)
			default:
				want = append(want, r)
			}
		}
	}
	split(Staff)
	s.Staff.Labelled += len(want)
	used := make([]bool, len(staff))
	for _, r := range want {
		i := indexOf(staff, used, func(f found) bool { return f.key == foldName(r.Key) })
		if i < 0 {
			miss(Staff, "missed", r.Key, r.Fields["post"], "")
			continue
		}
		used[i] = true
		s.Staff.Matched++
		s.Staff.Found++
		if foldText(staff[i].field) == foldText(r.Fields["post"]) {
			s.Staff.postRight++
		} else {
			miss(Staff, "post", r.Key, r.Fields["post"], staff[i].field)
		}
	}
	for i, f := range staff {
		if used[i] {
			continue
		}
		if anyRow(opt, func(r Row) bool { return foldName(r.Key) == f.key }) {
			continue
		}
		s.Staff.Found++
		miss(Staff, "spurious", f.raw, "", f.field)
	}

	// contacts: by type and normalised value; exact matches first, then
	// values that hold the labelled one or are held by it
	split(Contact)
	s.Contact.Labelled += len(want)
	used = make([]bool, len(contacts))
	matchedRow := make([]int, len(want))
	for i := range matchedRow {
		matchedRow[i] = -1
	}
	for pass := range 2 {
		for wi, r := range want {
			if matchedRow[wi] >= 0 {
				continue
			}
			typ := r.Fields["type"]
			i := indexOf(contacts, used, func(f found) bool {
				return f.typ == typ && (pass == 0 && f.key == contactKey(typ, r.Key) || pass == 1 && sameContact(typ, f.key, contactKey(typ, r.Key)))
			})
			if i >= 0 {
				used[i] = true
				matchedRow[wi] = i
			}
		}
	}
	for wi, r := range want {
		i := matchedRow[wi]
		if i < 0 {
			miss(Contact, "missed", r.Key, r.Fields["type"], "")
			continue
		}
		s.Contact.Matched++
		s.Contact.Found++
		if contacts[i].key == contactKey(r.Fields["type"], r.Key) {
			s.Contact.valueRight++
		} else {
			miss(Contact, "value", r.Key, r.Key, contacts[i].raw)
		}
	}
	for i, f := range contacts {
		if used[i] {
			continue
		}
		if anyRow(opt, func(r Row) bool {
			return r.Fields["type"] == f.typ && sameContact(f.typ, f.key, contactKey(f.typ, r.Key))
		}) {
			continue
		}
		s.Contact.Found++
		miss(Contact, "spurious", f.raw, f.typ, "")
	}

	// documents: by link; the title beside it
	split(Document)
	s.Document.Labelled += len(want)
	used = make([]bool, len(docs))
	for _, r := range want {
		k := docKey("", r.Key)
		i := indexOf(docs, used, func(f found) bool { return f.key == k })
		if i < 0 {
			miss(Document, "missed", r.Key, r.Fields["title"], "")
			continue
		}
		used[i] = true
		s.Document.Matched++
		s.Document.Found++
		if foldTitle(docs[i].field) == foldTitle(r.Fields["title"]) {
			s.Document.titleRight++
		} else {
			miss(Document, "title", r.Key, r.Fields["title"], docs[i].field)
		}
	}
	for i, f := range docs {
		if used[i] {
			continue
		}
		if anyRow(opt, func(r Row) bool { return docKey("", r.Key) == f.key }) {
			continue
		}
		s.Document.Found++
		miss(Document, "spurious", f.key, "", f.field)
	}

	for _, n := range p.News {
		s.SpuriousNews++
		miss("news", "news", n.Title, "", n.Date)
	}
	for _, r := range p.Records {
		if r.RecordType == "news" {
			s.SpuriousNews++
			miss("news", "news", r.Fields["title"], "", r.Fields["date"])
		}
	}
	return misses
}

func indexOf(fs []found, used []bool, ok func(found) bool) int {
	for i, f := range fs {
		if !used[i] && ok(f) {
			return i
		}
	}
	return -1
}

func anyRow(rows []Row, ok func(Row) bool) bool {
	for _, r := range rows {
		if ok(r) {
			return true
		}
	}
	return false
}

// contactFields map the field names of records to contact types.
var contactFields = map[string]string{
	"phone": "phone", "telephone": "phone", "email": "email", "address": "address",
	"worktime": "hours", "workTime": "hours",
}

// collect reads the page's staff, contacts and documents as found items.
func collect(p *Page) (staff, contacts, docs []found) {
	for _, r := range p.Records {
		if r.RecordType == "news" {
			continue
		}
		if r.RecordType == "document" {
			if u := strings.TrimSpace(r.Fields["url"]); u != "" {
				docs = append(docs, found{key: docKey(p.Base, u), field: r.Fields["title"]})
			}
			continue
		}
		if fio := strings.TrimSpace(r.Fields["fio"]); fio != "" {
			// a person's own phone and e-mail are theirs, not the
			// organisation's contacts
			staff = append(staff, found{key: foldName(fio), field: r.Fields["post"], raw: fio})
			continue
		}
		keys := make([]string, 0, len(r.Fields))
		for k := range r.Fields {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			typ := contactFields[k]
			if typ == "" {
				continue
			}
			for _, v := range contactValues(typ, r.Fields[k]) {
				contacts = append(contacts, found{key: contactKey(typ, v), typ: typ, raw: v})
			}
		}
	}
	for _, d := range p.Documents {
		docs = append(docs, found{key: docKey(p.Base, d.SourceURL), field: d.Title})
	}
	// one value is one record however often the page repeats it (a
	// phone given again as the fax, a document linked twice)
	return dedupe(staff, false), dedupe(contacts, true), dedupe(docs, false)
}

func dedupe(fs []found, byType bool) []found {
	seen := map[string]bool{}
	out := fs[:0]
	for _, f := range fs {
		k := f.key
		if byType {
			k = f.typ + "\x00" + k
		}
		if seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, f)
	}
	return out
}

// contactValues splits a field holding several phones or e-mails («; »
// between them, as records write them); an address or hours is one value.
func contactValues(typ, v string) []string {
	if typ != "phone" && typ != "email" {
		if v = strings.TrimSpace(v); v != "" {
			return []string{v}
		}
		return nil
	}
	var out []string
	for _, part := range strings.FieldsFunc(v, func(r rune) bool { return r == ';' || r == ',' }) {
		if part = strings.TrimSpace(part); part != "" {
			out = append(out, part)
		}
	}
	return out
}

// foldName folds a person's name for matching: case, ё, spaces.
func foldName(s string) string { return foldText(s) }

// foldText lower-cases s, folds ё to е, collapses spaces and trims the
// punctuation around it.
func foldText(s string) string {
	s = strings.ToLower(strings.Join(strings.Fields(s), " "))
	s = strings.ReplaceAll(s, "ё", "е")
	return strings.Trim(s, " .,;:")
}

// foldTitle folds a document title as the labels write it: foldText, and
// quotes of any kind read as one.
func foldTitle(s string) string {
	return foldText(strings.NewReplacer("«", "\"", "»", "\"", "“", "\"", "”", "\"", "„", "\"").Replace(s))
}

// contactKey normalises a contact value per the labels' conventions: a
// phone as its digits with 7 for a leading 8 (and before ten digits), an
// e-mail lower-cased, an address or hours with spacing, dashes and case
// folded and a final full stop dropped.
func contactKey(typ, v string) string {
	switch typ {
	case "phone":
		var d []rune
		for _, r := range v {
			if r >= '0' && r <= '9' {
				d = append(d, r)
			}
		}
		switch {
		case len(d) == 11 && d[0] == '8':
			d[0] = '7'
		case len(d) == 10:
			d = append([]rune{'7'}, d...)
		}
		return string(d)
	case "email":
		return strings.ToLower(strings.TrimSpace(v))
	}
	s := strings.NewReplacer("–", "-", "—", "-", "−", "-", " ,", ",").Replace(v)
	s = foldText(s)
	s = strings.ReplaceAll(s, " - ", "-")
	return strings.TrimSuffix(s, ".")
}

// sameContact reports whether a found value is the labelled one though
// not clean: an e-mail or phone inside a longer value, an address or
// hours that hold the labelled text or are most of it.
func sameContact(typ, got, want string) bool {
	if got == want {
		return true
	}
	switch typ {
	case "phone", "email":
		return want != "" && strings.Contains(got, want)
	}
	if want == "" || got == "" {
		return false
	}
	if strings.Contains(got, want) {
		return true
	}
	if strings.Contains(want, got) && len([]rune(got))*2 >= len([]rune(want)) {
		return true
	}
	return wordOverlap(got, want) >= 0.6
}

// wordOverlap is the share of the words of both that they have in common.
func wordOverlap(a, b string) float64 {
	words := func(s string) map[string]bool {
		m := map[string]bool{}
		for _, w := range strings.FieldsFunc(s, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
			m[w] = true
		}
		return m
	}
	wa, wb := words(a), words(b)
	if len(wa) == 0 || len(wb) == 0 {
		return 0
	}
	common := 0
	for w := range wa {
		if wb[w] {
			common++
		}
	}
	return float64(common) / float64(len(wa)+len(wb)-common)
}

// docKey is a document's link as the labels write it: the path from the
// site's root (percent-decoding undone, backslashes read as slashes, «./»
// dropped) for a link under base, else the full URL.
func docKey(base, link string) string {
	link = strings.ReplaceAll(strings.TrimSpace(link), "\\", "/")
	u, err := url.Parse(link)
	if err != nil {
		return link
	}
	if u.Host == "" {
		// a label's relative key
		return strings.TrimPrefix(strings.TrimPrefix(unescape(u.Path), "./"), "/")
	}
	if b, err := url.Parse(base); err == nil && base != "" && strings.EqualFold(b.Host, u.Host) {
		p := strings.ReplaceAll(unescape(u.Path), "\\", "/")
		root := strings.TrimSuffix(b.Path, "/") + "/"
		if strings.HasPrefix(p, root) {
			p = p[len(root):]
		} else {
			p = strings.TrimPrefix(p, "/")
		}
		if u.RawQuery != "" {
			p += "?" + u.RawQuery
		}
		return p
	}
	u.Fragment = ""
	return u.String()
}

func unescape(p string) string {
	if s, err := url.PathUnescape(p); err == nil {
		return s
	}
	return p
}

package mapping

import (
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"perenos/extract"
	"perenos/store"
)

// Item kinds in a plan.
const (
	KindPage     = "page"
	KindDocument = "document"
	KindRecord   = "record"
	KindNews     = "news"
)

// Candidate is a section an item might belong to.
type Candidate struct {
	Section    string   `json:"section"`
	Confidence float64  `json:"confidence"`
	Reasons    []string `json:"reasons"`
	direct     float64  // the part of Confidence from the item's own strong evidence, not its context
	self       bool     // some of the evidence is the item's own
}

// Item is one piece of legacy content in a plan.
type Item struct {
	Key        string      `json:"key"` // the item's path within its site, stable across hosts
	SourceURL  string      `json:"source_url"`
	Kind       string      `json:"kind"`
	Title      string      `json:"title"`
	Confidence float64     `json:"confidence,omitempty"`
	Reasons    []string    `json:"reasons,omitempty"`
	Candidates []Candidate `json:"candidates,omitempty"` // unplaced items: where they might go
	Reason     string      `json:"reason,omitempty"`     // excluded items: why
	// CopyOf is, for an item excluded because another item of the plan
	// carries the same content (a copy or print version of a page, an
	// address that redirects to it, the same file under another address),
	// that item's URL: the item counts where the original is.
	CopyOf     string            `json:"copy_of,omitempty"`
	Body       string            `json:"body,omitempty"` // Markdown of a page or news item
	Date       string            `json:"date,omitempty"`
	Blob       string            `json:"blob,omitempty"` // documents: SHA-256 of the file
	FileName   string            `json:"file_name,omitempty"`
	Size       int64             `json:"size,omitempty"`
	DocKind    string            `json:"doc_kind,omitempty"`
	Fields     map[string]string `json:"fields,omitempty"` // records
	SourceHash string            `json:"source_hash,omitempty"`
	Changed    bool              `json:"changed,omitempty"` // the source changed since it was reviewed
	Edited     bool              `json:"edited,omitempty"`  // title or body edited in review
	// Menu and Parent place a free page (one of no mandated section) on
	// the new site where the old site had it: the old menu's path to it,
	// and the key of the page it was under.
	Menu   []string `json:"menu,omitempty"`
	Parent string   `json:"parent,omitempty"`
	// Warning is a problem a person must fix that does not stop the
	// migration, such as a scanned document that is not machine-readable.
	Warning string `json:"warning,omitempty"`
	// Elsewhere is, for a document whose file is stored on another host
	// (a cloud drive, another site), that host: the migration cannot
	// carry the file as bytes, so the item has its link and no file until
	// the admin downloads and attaches it (Warning says so).
	Elsewhere string `json:"elsewhere,omitempty"`
	// PersonalData says why the item looks like personal data of private
	// persons (a list of children, patients, birth dates, home addresses;
	// 152-ФЗ), "" when it does not: the admin decides whether it goes.
	PersonalData string `json:"personal_data,omitempty"`
	home         string
	// src is, for a page whose body is its document's whole Markdown in
	// a plan built by RebuildPlan, that page's URL: Body is empty, and
	// the Markdown is read from the ledger when it is needed
	// (Plan.withBody); "" when Body is the body.
	src string
	// pending says the item's PersonalData and SourceHash are not made
	// yet: they are made from its body, read once, as the item is written
	// or when a review decision is applied to it (Plan.settle).
	pending bool
}

// SectionPlan is a target section with the items placed in it.
type SectionPlan struct {
	ID         string `json:"id"`
	Title      string `json:"title"`
	PortalPath string `json:"portal_path"`
	Parent     string `json:"parent,omitempty"`
	Mandated   bool   `json:"mandated,omitempty"`
	Items      []Item `json:"items"`
}

// Gap is a mandated section or item the old site does not have.
type Gap struct {
	Section string `json:"section"`
	Item    string `json:"item,omitempty"`
	Why     string `json:"why"`
}

// Plan is a site's migration plan: where every piece of legacy content
// goes, what waits for review, what is excluded and why, and the gaps.
type Plan struct {
	Org      string        `json:"org"`
	Type     store.OrgType `json:"type"`
	Sections []SectionPlan `json:"sections"`
	Unplaced []Item        `json:"unplaced"`
	Excluded []Item        `json:"excluded"`
	Gaps     []Gap         `json:"gaps"`
	// bodies reads the Markdown of the items that hold theirs by
	// reference (Item.src); nil when every item holds its body.
	bodies *docBodies
}

// withBody calls fn with the item, its Body read from the ledger first
// when the item holds it by reference, and let go after.
func (p *Plan) withBody(it *Item, fn func(*Item)) {
	if it.src == "" || p.bodies == nil {
		fn(it)
		return
	}
	it.Body, _ = p.bodies.read(it.src, false)
	fn(it)
	it.Body = ""
}

// settle makes the PersonalData and SourceHash of an item whose making
// was left until its body is read (Item.pending).
func (p *Plan) settle(it *Item) {
	if !it.pending {
		return
	}
	p.withBody(it, checkItem)
	it.pending = false
}

// checkItem makes an item's personal-data flag and source hash from what
// it holds.
func checkItem(it *Item) {
	it.PersonalData, _ = PersonalData(it)
	it.SourceHash = SourceHash(it)
}

// bodyOf returns an item's body, read from the ledger when the item
// holds it by reference.
func (p *Plan) bodyOf(it *Item) string {
	if it.src == "" || p.bodies == nil {
		return it.Body
	}
	md, _ := p.bodies.read(it.src, false)
	return md
}

// Counts returns how many items the plan places, leaves unplaced and excludes.
func (p *Plan) Counts() (placed, unplaced, excluded int) {
	for _, s := range p.Sections {
		placed += len(s.Items)
	}
	return placed, len(p.Unplaced), len(p.Excluded)
}

// Section returns the plan's section with id, or nil.
func (p *Plan) Section(id string) *SectionPlan {
	for i := range p.Sections {
		if p.Sections[i].ID == id {
			return &p.Sections[i]
		}
	}
	return nil
}

// Input is what mapping needs of a site: its fetched URLs and the
// documents extracted from its pages (keyed by URL).
type Input struct {
	Org   *store.Org
	Pages []*store.Page
	Docs  map[string]*extract.Document
	// Attach is what was read from the site's attachments, by URL; a
	// file missing here was not read (the plan says nothing about it).
	Attach map[string]AttachText
	// Blobs reads the pages' stored bytes, for the old site's menu tree
	// (read from a few pages). Without it the menu is known only by the
	// anchor texts of its links.
	Blobs BlobReader
	// spent says Build may let go of what it has read of the documents
	// (the map stage's, decoded for this plan alone): each document's
	// Text once the page's signals are read from it, the links outside
	// its main content once the site's menus are known. On a site of
	// 20,000 pages the texts are a large part of what the stage holds.
	spent bool
	// bodies, when set, holds what Docs lack: their Markdown and Text
	// are empty, summed up in bodies and read from the ledger one page at
	// a time where the plan needs them (readDocs). The plan's pages then
	// hold their bodies by reference (Item.src).
	bodies *docBodies
}

// keepContentLinks lets go of the documents' links that are not in their
// main content (the template's menus, most of a page's links): the
// classifier reads those once, for the site's menus (newClassifier), and
// only the links of the main content after.
func keepContentLinks(docs map[string]*extract.Document) {
	for _, d := range docs {
		n := 0
		for _, l := range d.Links {
			if l.InContent {
				n++
			}
		}
		if n == len(d.Links) {
			continue
		}
		var kept []extract.Link
		if n > 0 {
			kept = make([]extract.Link, 0, n)
			for _, l := range d.Links {
				if l.InContent {
					kept = append(kept, l)
				}
			}
		}
		d.Links = kept
	}
}

// textSum returns normHash of the Text of page u's document d and its
// runes.
func (in *Input) textSum(u string, d *extract.Document) (uint64, int) {
	if in.bodies != nil {
		s := in.bodies.sums[u]
		return s.text, int(s.runes)
	}
	return normHash(d.Text)
}

// blankText reports whether the Text of page u's document d is only white
// space.
func (in *Input) blankText(u string, d *extract.Document) bool {
	if in.bodies != nil {
		return in.bodies.sums[u].blank
	}
	return strings.TrimSpace(d.Text) == ""
}

// AttachText is what the extract stage read from an attachment.
type AttachText = extract.AttachText

// ScanWarning is what an admin reads about a scanned document.
const ScanWarning = "скан без текстового слоя: документ не машиночитаем, а правила требуют машиночитаемые документы; замените файл версией с текстом"

// Options tune the classifier.
type Options struct {
	// Threshold is the confidence below which an item is left for review.
	Threshold float64
}

// Build makes the plan of one site. Every page, document and record of
// the input appears exactly once: placed in a section (a page split across
// sections once per part), left unplaced with its candidates, or excluded
// with the reason.
func Build(prof *Profile, in Input, opt Options) *Plan {
	if opt.Threshold == 0 {
		opt.Threshold = 0.6
	}
	plan := &Plan{Org: in.Org.ID, Type: in.Org.Type, Unplaced: []Item{}, Excluded: []Item{}, Gaps: []Gap{}}
	plan.Sections = append(plan.Sections, SectionPlan{ID: prof.Root.ID, Title: prof.Root.Title, PortalPath: prof.Root.PortalPath, Items: []Item{}})
	for _, s := range prof.Sections {
		plan.Sections = append(plan.Sections, SectionPlan{ID: s.ID, Title: s.Title, PortalPath: s.PortalPath, Parent: s.Parent, Mandated: s.Mandated, Items: []Item{}})
	}
	cl := newClassifier(prof, in)
	if in.spent {
		keepContentLinks(in.Docs)
	}
	placedAt := map[string]string{} // page URL → section, for its attachments and records
	pages := append([]*store.Page(nil), in.Pages...)
	sort.Slice(pages, func(i, j int) bool { return pages[i].URL < pages[j].URL })
	known := map[string]bool{}
	for _, p := range pages {
		if p.OK() {
			known[p.URL] = true
		}
	}
	copyOf := findCopies(pages, &in, known)
	frames := framesets(in)
	pageCands := map[string][]Candidate{}
	var recs []pageRecord
	var cases []*pageCase
	for _, p := range pages {
		if p.Kind != store.KindPage {
			continue
		}
		it := Item{Key: itemKey(p.URL), SourceURL: p.URL, Kind: KindPage}
		d := in.Docs[p.URL]
		switch {
		case p.OK() && redirected(p, known):
			it.Reason, it.CopyOf = "перенаправление на "+shown(p.FinalURL)+", страница учтена там", p.FinalURL
		case !p.OK():
			it.Reason = excludedWhy(p)
		case d == nil:
			it.Reason = "содержимое не извлечено (см. журнал извлечения)"
		case copyOf[p.URL] != "":
			it.Reason, it.CopyOf = "копия страницы "+shown(copyOf[p.URL]), copyOf[p.URL]
			if d.Print {
				it.Reason += " (версия для печати или для слабовидящих)"
			}
		case cl.fragments[p.URL]:
			it.Reason = fragmentReason
			if shownInFrame(p) {
				it.Reason = frameReason
			}
			it.Title = d.Title
			plan.Excluded = append(plan.Excluded, it)
			for i, r := range d.Records {
				recs = append(recs, pageRecord{p.URL, i, r}) // the site's, shown by every page
			}
			continue
		case frameHolder(frames, p, d):
			it.Reason = "набор рамок (frameset) старого сайта: своего содержимого нет, страницы в его рамках учтены каждая сама: " + shownList(frames[normURL(p.URL)])
		case in.blankText(p.URL, d) && len(d.Attachments()) == 0 && len(d.Records) == 0:
			it.Reason = "пустая страница: после удаления шаблона сайта не осталось содержимого"
		}
		if d != nil {
			it.Title = d.Title
		}
		if it.Reason != "" {
			plan.Excluded = append(plan.Excluded, it)
			if d != nil {
				cl.excludeRecords(plan, p.URL, d, "запись страницы, исключённой из переноса: "+it.Reason)
			}
			continue
		}
		it.Body = d.Markdown
		if in.bodies != nil {
			it.src = p.URL // d.Markdown is read again where needed
		}
		cases = append(cases, &pageCase{p: p, d: d, it: it, key: normURL(p.URL)})
	}
	cl.decide(cases, opt.Threshold, in.bodies)
	for _, pc := range cases {
		p, d, it := pc.p, pc.d, pc.it
		pageCands[p.URL] = pc.cands
		if len(pc.parts) > 1 {
			for _, pt := range pc.parts {
				part := it
				part.Key = it.Key + "#" + pt.section
				part.Title, part.Body, part.src = pt.title, pt.body, ""
				place(plan, part, pt.cands, opt.Threshold, nil)
			}
			placedAt[p.URL] = pc.parts[0].section
		} else {
			if pc.section == NewsSection {
				if date, ok := newsItem(p.URL, prof.Section(NewsSection)); ok {
					it.Kind, it.Date = KindNews, date
				} else if pc.item {
					it.Kind, it.Date = KindNews, pc.date // named by the news list
				}
			}
			placeCase(plan, it, pc, placedAt)
		}
		for i, r := range d.Records {
			recs = append(recs, pageRecord{p.URL, i, r})
		}
	}
	// The cases are placed: what they held to decide (each page's
	// signals, its item) is garbage before the records, the largest part
	// of a large site's plan, are made.
	cases = nil
	blobs := map[store.BlobID]string{}
	listed := listedTitles(in.Docs)
	for _, p := range pages {
		if p.Kind != store.KindAttachment {
			continue
		}
		it := Item{Key: itemKey(p.URL), SourceURL: p.URL, Kind: KindDocument, FileName: p.FileName, Size: p.Size, Blob: p.Blob.String()}
		it.Title = documentTitle(p)
		if t := listed[normURL(p.URL)]; t != "" && (it.Title == p.FileName || genericTitle(it.Title) || continues(t, it.Title)) {
			// «Устав — скачать»: the list's words, not the link's; and
			// «<a>свидетельство</a> о государственной аккредитации»: the
			// item's words that go on from the link's
			it.Title = t
		}
		at, read := in.Attach[p.URL]
		var kindFrom string
		it.DocKind, kindFrom = prof.kindOf(cl.st, it.Title, p.FileName, at.Text)
		if it.DocKind == "" {
			it.DocKind, kindFrom = cl.listingKind(p)
		}
		if read {
			switch {
			case at.Scan:
				it.Warning = ScanWarning
			case at.Error != "":
				it.Warning = "текст документа не прочитан: " + at.Error
			}
		}
		if !p.OK() {
			it.Reason, it.Blob = excludedWhy(p), ""
			plan.Excluded = append(plan.Excluded, it)
			continue
		}
		if first, ok := blobs[p.Blob]; ok && !p.Blob.IsZero() {
			it.Reason, it.CopyOf = "копия файла "+shown(first)+" (тот же файл по другому адресу)", first
			plan.Excluded = append(plan.Excluded, it)
			continue
		}
		blobs[p.Blob] = p.URL
		place(plan, it, cl.classifyDocument(p, it, kindFrom, placedAt), opt.Threshold, nil)
	}
	// Records last: one that only points to a page or file says whether
	// that one is migrated.
	placeRecords(plan, cl, recs, known, placedAt, pageCands, opt.Threshold)
	plan.bodies = in.bodies
	plan.Gaps = gaps(prof, plan, in, cl.st)
	// Each item's personal-data flag and source hash; for an item that
	// holds its body by reference, when the body is read anyway: as the
	// item is written (or a decision is applied to it).
	plan.eachItem(func(it *Item) {
		if it.src != "" && plan.bodies != nil {
			it.pending = true
			return
		}
		checkItem(it)
	})
	return plan
}

// newsItem reports whether a page placed in the news section is one news
// item (not the news list or an archive), and its date when the address
// has one: a dated address, or a page inside the old site's news folder.
func newsItem(u string, news *Section) (date string, ok bool) {
	pu, err := url.Parse(u)
	if err != nil || news == nil {
		return "", false
	}
	segs := pathSegments(pu.Path)
	if d, ok := datedPath(segs); ok {
		return d, true
	}
	if len(segs) < 2 {
		return "", false
	}
	if _, archive := archivePath(segs); archive {
		return "", false
	}
	for _, slug := range news.Slugs {
		if slices.Contains(segs[:len(segs)-1], slugNorm(slug)) && segs[len(segs)-1] != "page" && !isNumberedPage(segs) {
			return "", true
		}
	}
	return "", false
}

// isNumberedPage recognises the pages of a paged list (/news/page/2/).
func isNumberedPage(segs []string) bool {
	n := len(segs)
	return n >= 2 && segs[n-2] == "page" && strings.Trim(segs[n-1], "0123456789") == ""
}

// findCopies finds pages that repeat another page: the same path on
// another host of the site (its www twin, an alias, http and https), print
// and low-vision versions (same title), and pages with the same text under
// another address (known: the URLs of the pages fetched). It maps each
// copy's URL to its original's.
func findCopies(pages []*store.Page, in *Input, known map[string]bool) map[string]string {
	docs, legacy := in.Docs, in.Org.LegacyURL
	out := map[string]string{}
	home := ""
	if u, err := url.Parse(legacy); err == nil {
		home = strings.ToLower(u.Host)
	}
	// A page that redirects to another page of the site is excluded as
	// the redirect (Build): it is no original of a copy, or the copy
	// (/sveden/ of /sveden, which redirects to it) would be excluded as
	// well and the page lost (redirected below).
	byKey := map[string]string{}
	for _, p := range pages { // sorted by URL: the first is kept, unless another is on the registry's host
		if p.Kind != store.KindPage || !p.OK() || docs[p.URL] == nil || redirected(p, known) {
			continue
		}
		k := itemKey(p.URL)
		first, ok := byKey[k]
		switch {
		case !ok:
			byKey[k] = p.URL
		case hostOf(p.URL) == home && hostOf(first) != home:
			out[first], byKey[k] = p.URL, p.URL
		default:
			out[p.URL] = first
		}
	}
	type cand struct {
		url   string
		print bool
		title string // norm
	}
	better := func(a, b cand) bool { // is a a better original than b?
		if a.print != b.print {
			return !a.print
		}
		if len(a.url) != len(b.url) {
			return len(a.url) < len(b.url)
		}
		return a.url < b.url
	}
	// A text is a copy only under the same title (or one that begins with
	// the other's: «Основные сведения (печать)»), or where a title says
	// nothing (none, or the site's name on most pages): pages that say
	// «Страница в разработке», or whose main text the extraction could
	// not tell from the template, are different pages when their titles
	// say so.
	titles := map[string]int{}
	n := 0
	for _, p := range pages {
		if d := docs[p.URL]; p.Kind == store.KindPage && p.OK() && d != nil {
			titles[norm(d.Title)]++
			n++
		}
	}
	sameTitle := func(a, b cand) bool {
		common := func(t string) bool { return t == "" || n >= 5 && titles[t]*2 > n }
		return a.print || b.print || common(a.title) || common(b.title) ||
			strings.HasPrefix(a.title, b.title) || strings.HasPrefix(b.title, a.title)
	}
	byTitle := map[string]cand{}
	byText := map[uint64][]cand{}
	texts := map[string]uint64{} // page URL → its normalised text's hash, when long enough to compare
	for _, p := range pages {
		d := docs[p.URL]
		if p.Kind != store.KindPage || !p.OK() || d == nil || out[p.URL] != "" || redirected(p, known) {
			continue
		}
		t, size := in.textSum(p.URL, d)
		c := cand{p.URL, d.Print, norm(d.Title)}
		if !d.Print && c.title != "" {
			if o, ok := byTitle[c.title]; !ok || better(c, o) {
				byTitle[c.title] = c
			}
		}
		if size >= 80 {
			texts[p.URL] = t
			byText[t] = append(byText[t], c)
		}
	}
	for _, p := range pages {
		d := docs[p.URL]
		if p.Kind != store.KindPage || !p.OK() || d == nil || out[p.URL] != "" || redirected(p, known) {
			continue
		}
		if d.Print {
			if o, ok := byTitle[norm(d.Title)]; ok && o.url != p.URL {
				out[p.URL] = o.url
				continue
			}
		}
		t, ok := texts[p.URL]
		if !ok {
			continue
		}
		self := cand{}
		for _, c := range byText[t] {
			if c.url == p.URL {
				self = c
			}
		}
		var orig *cand
		for i, c := range byText[t] {
			if c.url != p.URL && sameTitle(self, c) && better(c, self) && (orig == nil || better(c, *orig)) {
				orig = &byText[t][i]
			}
		}
		if orig != nil {
			out[p.URL] = orig.url
		}
	}
	return out
}

// normHash fingerprints a text as norm would write it (lower case, ё as
// е, spaces collapsed) without building the string, and counts its runes.
func normHash(s string) (uint64, int) {
	const offset, prime = 14695981039346656037, 1099511628211 // FNV-1a, 64 bits
	h := uint64(offset)
	var buf [4]byte
	n, space := 0, false
	for _, r := range s {
		if r < utf8.RuneSelf && asciiSpace[r] || r >= utf8.RuneSelf && !(0x400 <= r && r <= 0x45F) && unicode.IsSpace(r) {
			space = n > 0
			continue
		}
		if space {
			h = (h ^ ' ') * prime
			n++
			space = false
		}
		r = lowerRune(r)
		if r == 'ё' {
			r = 'е'
		}
		if r < utf8.RuneSelf {
			h = (h ^ uint64(r)) * prime
		} else {
			for _, b := range buf[:utf8.EncodeRune(buf[:], r)] {
				h = (h ^ uint64(b)) * prime
			}
		}
		n++
	}
	return h, n
}

// asciiSpace is unicode.IsSpace for the ASCII runes.
var asciiSpace = [utf8.RuneSelf]bool{'\t': true, '\n': true, '\v': true, '\f': true, '\r': true, ' ': true}

func hostOf(raw string) string {
	if u, err := url.Parse(raw); err == nil {
		return strings.ToLower(u.Host)
	}
	return ""
}

// redirected reports whether the crawl was answered for p from another
// page of the site (known: the URLs of the pages fetched), which is where
// p's content is migrated.
func redirected(p *store.Page, known map[string]bool) bool {
	return p.FinalURL != "" && known[p.FinalURL]
}

// place puts an item in its best section, or leaves it for review.
func place(plan *Plan, it Item, cands []Candidate, threshold float64, placedAt map[string]string) {
	if len(cands) == 0 {
		it.Candidates = []Candidate{}
		plan.Unplaced = append(plan.Unplaced, it)
		return
	}
	best := cands[0]
	// Two sections fit about equally well on the item's own evidence:
	// flag it rather than guess. A runner-up known only from context (the
	// folder the page sits in) does not contradict the best.
	conflict := len(cands) > 1 && cands[1].direct >= threshold && best.Confidence-cands[1].Confidence < 0.15
	if best.Confidence < threshold || conflict {
		if conflict {
			it.Reasons = []string{"противоречивые признаки: подходят разделы " + cands[0].Section + " и " + cands[1].Section}
		}
		it.Candidates = cands[:min(3, len(cands))]
		plan.Unplaced = append(plan.Unplaced, it)
		return
	}
	it.Confidence, it.Reasons = round2(best.Confidence), best.Reasons
	sp := plan.Section(best.Section)
	sp.Items = append(sp.Items, it)
	if placedAt != nil {
		placedAt[it.SourceURL] = best.Section
	}
}

// placeCase puts a page where the whole-site reasoning decided, or leaves
// it for review with its candidates.
func placeCase(plan *Plan, it Item, pc *pageCase, placedAt map[string]string) {
	if pc.section == "" {
		it.Reasons = nil
		if pc.review != "" {
			it.Reasons = []string{pc.review}
		}
		it.Candidates = pc.cands[:min(3, len(pc.cands))]
		if it.Candidates == nil {
			it.Candidates = []Candidate{}
		}
		plan.Unplaced = append(plan.Unplaced, it)
		return
	}
	it.Confidence, it.Reasons = round2(pc.conf), pc.reasons
	if pc.free {
		it.Menu = pc.menu
		if pc.parent != "" {
			it.Parent = itemKey(pc.parent)
		}
	}
	sp := plan.Section(pc.section)
	sp.Items = append(sp.Items, it)
	placedAt[it.SourceURL] = pc.section
}

func excludedWhy(p *store.Page) string {
	switch {
	case p.Excluded != nil:
		return "не загружено: " + exclusionText(*p.Excluded)
	case p.Error != "" && p.Status != 0:
		return "недоступно на старом сайте (HTTP " + strconv.Itoa(p.Status) + ")"
	case p.Error != "":
		return "не удалось загрузить: " + p.Error
	default:
		return "недоступно на старом сайте (HTTP " + strconv.Itoa(p.Status) + ")"
	}
}

// itemKey is an item's path within its site: path and query, no host, so
// that the site keeps its identity when its address changes.
func itemKey(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	k := u.EscapedPath()
	if k == "" {
		k = "/"
	}
	if u.RawQuery != "" {
		k += "?" + u.RawQuery
	}
	return k
}

// exclusionText says in Russian why a URL was left out on purpose.
func exclusionText(e store.Exclusion) string {
	switch e.Kind {
	case store.ExcludedRobots:
		return "robots.txt сайта запрещает этот адрес"
	case store.ExcludedGuard:
		return "сработало ограничение обхода " + e.Detail
	case store.ExcludedNoSitemap:
		return "карты сайта по этому адресу нет"
	case store.ExcludedNotSitemap:
		return "файл по этому адресу не является картой сайта"
	}
	return string(e.Kind)
}

func round2(f float64) float64 { return float64(int(f*100+0.5)) / 100 }

// AcceptCandidates places every unplaced item in its best candidate
// section, or in "other" when it has none, noting why. It returns how
// many items it moved.
func AcceptCandidates(p *Plan, reason string) int {
	n := 0
	for _, it := range p.Unplaced {
		target := OtherSection
		if len(it.Candidates) > 0 && p.Section(it.Candidates[0].Section) != nil {
			target = it.Candidates[0].Section
			it.Confidence, it.Reasons = it.Candidates[0].Confidence, it.Candidates[0].Reasons
		}
		it.Candidates = nil
		it.Reasons = append(it.Reasons, reason)
		sp := p.Section(target)
		sp.Items = append(sp.Items, it)
		n++
	}
	p.Unplaced = []Item{}
	return n
}

// eachItem calls fn for every item of the plan.
func (p *Plan) eachItem(fn func(*Item)) {
	for si := range p.Sections {
		for i := range p.Sections[si].Items {
			fn(&p.Sections[si].Items[i])
		}
	}
	for i := range p.Unplaced {
		fn(&p.Unplaced[i])
	}
	for i := range p.Excluded {
		fn(&p.Excluded[i])
	}
}

// firstWords returns the first n words of s.
func firstWords(s string, n int) string {
	f := strings.Fields(s)
	return strings.Join(f[:min(n, len(f))], " ")
}

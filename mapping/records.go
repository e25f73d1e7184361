package mapping

import (
	"fmt"
	"net/url"
	"path"
	"slices"
	"sort"
	"strconv"
	"strings"

	"perenos/extract"
	"perenos/extract/records"
	"perenos/store"
)

// recordItem makes the plan item of the i-th structured record of a page.
// Its key and source URL carry the record's place on the page, so that
// each record is one item. The item's Fields are the record's own map, not
// a copy: the copies of a record the site's template repeats on every page
// share one map (compact), and a plan item's fields are only read.
func (c *classifier) recordItem(pageURL string, i int, r records.Record) Item {
	frag := "record-" + strconv.Itoa(i+1) + "-" + r.Type
	it := Item{Key: itemKey(pageURL) + "#" + frag, SourceURL: stripFragment(pageURL) + "#" + frag, Kind: KindRecord, DocKind: r.Type, Fields: r.Fields}
	if strings.HasSuffix(it.SourceURL, it.Key) {
		// the key is the end of the address (a page without a query's
		// escapes): held once, in the address's bytes
		it.Key = it.SourceURL[len(it.SourceURL)-len(it.Key):]
	}
	if it.Fields == nil {
		it.Fields = map[string]string{}
	}
	it.Title = recordTitle(r.Type, r.Fields, c.postSection(r.Fields["post"]))
	return it
}

// excludeRecords excludes the records of an excluded page, for the same reason.
func (c *classifier) excludeRecords(plan *Plan, pageURL string, d *extract.Document, why string) {
	for i, r := range d.Records {
		it := c.recordItem(pageURL, i, r)
		it.Reason = why
		plan.Excluded = append(plan.Excluded, it)
	}
}

// duplicateOf returns the page or file a record merely points to (a news
// teaser that links its own news page, a document-list row that links a
// file), when that target is migrated on its own.
func duplicateOf(r records.Record, pageURL string, known map[string]bool) string {
	if r.Type != "news" && r.Type != "document" {
		return ""
	}
	base, err := url.Parse(pageURL)
	if err != nil {
		return ""
	}
	keys := make([]string, 0, len(r.Fields))
	for k := range r.Fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		v := strings.TrimSpace(r.Fields[k])
		if v == "" || strings.ContainsAny(v, " \n") {
			continue
		}
		u, err := base.Parse(v)
		if err != nil {
			continue
		}
		u.Fragment = ""
		if s := u.String(); s != stripFragment(pageURL) && known[s] {
			return s
		}
	}
	return ""
}

// detectedKinds are the record types found by their shape (a table of
// people, an address block) rather than named by microdata.
var detectedKinds = map[string]bool{"staff": true, "contact": true, "news": true, "document": true}

// classifyRecord places a record: by its type (a microdata main tag names
// its subsection), by the post of a staff record, and with its page.
func (c *classifier) classifyRecord(r records.Record, pageURL, pageSection string, pageCands []Candidate) []Candidate {
	var sigs []signal
	typ := strings.ToLower(r.Type)
	if typ == "document" && pageSection != "" {
		// a row of a document list whose file is not migrated on its own
		// (absent, or not a file): placed as its document would be, by
		// what it is, and by its page only when it says nothing
		title := collapse(r.Fields["title"])
		file := ""
		if u, err := url.Parse(strings.TrimSpace(r.Fields["url"])); err == nil {
			file = path.Base(u.Path)
		}
		kind, from := c.prof.kindOf(c.st, title, file, "")
		ref := &store.Page{Referrers: []store.Ref{{URL: pageURL, Anchor: title}}}
		return c.classifyDocument(ref, Item{Title: title, DocKind: kind}, from, map[string]string{stripFragment(pageURL): pageSection})
	}
	w := 0.85 // a microdata main tag names its subsection
	if detectedKinds[typ] {
		w = 0.5 // a kind found by its shape says less than the page it is on
	}
	for _, s := range c.secs {
		for _, t := range s.Records {
			if strings.ToLower(t) == typ {
				sigs = append(sigs, own(s.ID, w, evRecords, fmt.Sprintf("запись вида «%s»", lowerFirst(RecordKindName(r.Type)))))
				break
			}
		}
	}
	if best := c.postSection(r.Fields["post"]); best != "" {
		sigs = append(sigs, own(best, 0.75, evRecords, fmt.Sprintf("должность «%s»", strings.TrimSpace(r.Fields["post"]))))
	}
	switch {
	case pageSection != "":
		sigs = append(sigs, around(pageSection, 0.65, "запись со страницы "+shown(stripFragment(pageURL))))
	case len(pageCands) > 0:
		for _, pc := range pageCands[:min(2, len(pageCands))] {
			sigs = append(sigs, around(pc.Section, pc.Confidence*0.6, "запись со страницы "+shown(stripFragment(pageURL))+", которая сама ждёт проверки"))
		}
	}
	return combine(sigs)
}

// pageRecord is a record found on a page, waiting to be placed.
type pageRecord struct {
	page string
	i    int
	r    records.Record
}

// recordSignature identifies a record by its type and values, so that the
// same record repeated on many pages (a contact block in the site's
// footer) is migrated once.
func recordSignature(r records.Record) string {
	keys := make([]string, 0, len(r.Fields))
	for k := range r.Fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	b.WriteString(strings.ToLower(r.Type))
	for _, k := range keys {
		b.WriteString("\x00" + k + "=" + strings.Join(strings.Fields(r.Fields[k]), " "))
	}
	return b.String()
}

// placeRecords places the records of the site's pages. A record that only
// points to a page or file migrated on its own is excluded, and of the
// copies of one record only one is placed: the copy on a page of the
// section its type belongs to, or else the first.
//
// On a large site most records are such exclusions (the footer's
// contacts on each of 20,000 pages, the teasers of every news list), and
// they are most of the plan's items: the copies of a record share their
// title and their reason, and the excluded list grows once, to its size.
func placeRecords(plan *Plan, cl *classifier, recs []pageRecord, known map[string]bool, placedAt map[string]string, pageCands map[string][]Candidate, threshold float64) {
	owner := map[string]bool{} // "type\x00section" where a record type belongs
	for _, s := range cl.secs {
		for _, t := range s.Records {
			owner[strings.ToLower(t)+"\x00"+s.ID] = true
		}
	}
	ids := map[string]int32{}         // signature → its number
	sigOf := make([]int32, len(recs)) // record → the number of its signature
	var keep []int                    // signature number → index of the copy that is placed
	for i, pr := range recs {
		sig := recordSignature(pr.r)
		id, seen := ids[sig]
		if !seen {
			id = int32(len(keep))
			ids[sig] = id
			keep = append(keep, i)
		} else if j := keep[id]; owner[strings.ToLower(pr.r.Type)+"\x00"+placedAt[pr.page]] && !owner[strings.ToLower(recs[j].r.Type)+"\x00"+placedAt[recs[j].page]] {
			keep[id] = i
		}
		sigOf[i] = id
	}
	ids = nil
	// what each record is: its duplicate (a page or file migrated on its
	// own), and whether it is excluded
	dups := make([]string, len(recs))
	excludedN := 0
	for i, pr := range recs {
		dups[i] = duplicateOf(pr.r, pr.page, known)
		if elsewhereRecord(pr.r) && dups[i] == "" {
			continue
		}
		if dups[i] != "" || keep[sigOf[i]] != i {
			excludedN++
		}
	}
	excluded := map[string]bool{} // items the plan excludes, by URL
	for _, it := range plan.Excluded {
		excluded[it.SourceURL] = true
	}
	plan.Excluded = slices.Grow(plan.Excluded, excludedN)
	titles := interner{}            // the copies of a record have one title
	repeatWhy := map[int32]string{} // signature number → why its copies are excluded
	elsewhere := map[string]bool{}  // documents stored elsewhere already in the plan, by URL
	for i, pr := range recs {
		dup := dups[i]
		if elsewhereRecord(pr.r) && dup == "" {
			// on another host, and not fetched with the site (an alias of the
			// site's, or its old domain, is fetched: then it is that file)
			it, ok := cl.elsewhereItem(pr.page, pr.r)
			if !ok || elsewhere[it.SourceURL] {
				continue // the same file listed again: once is enough
			}
			elsewhere[it.SourceURL] = true
			ref := &store.Page{URL: it.SourceURL, Referrers: []store.Ref{{URL: pr.page, Anchor: it.Title}}}
			place(plan, it.Item, cl.classifyDocument(ref, it.Item, it.kindFrom, placedAt), threshold, nil)
			continue
		}
		it := cl.recordItem(pr.page, pr.i, pr.r)
		if dup != "" {
			it.Title = titles.of(it.Title)
			it.Reason = "запись повторяет " + shown(dup) + ", которая переносится отдельно"
			if excluded[dup] {
				it.Reason = "запись лишь ссылается на " + shown(dup) + ", а та тоже исключена из переноса"
			}
			plan.Excluded = append(plan.Excluded, it)
			continue
		}
		if k := keep[sigOf[i]]; k != i {
			it.Title = titles.of(it.Title)
			why, ok := repeatWhy[sigOf[i]]
			if !ok {
				why = "повтор записи со страницы " + recs[k].page + " (одна и та же запись на нескольких страницах, например в шаблоне сайта)"
				repeatWhy[sigOf[i]] = why
			}
			it.Reason = why
			plan.Excluded = append(plan.Excluded, it)
			continue
		}
		place(plan, it, cl.classifyRecord(pr.r, pr.page, placedAt[pr.page], pageCands[pr.page]), threshold, nil)
	}
}

// ElsewhereWarning is what the admin reads about a document stored on
// another host.
const ElsewhereWarning = "файл хранится на другом сайте: скачайте и приложите файл"

// elsewhereItem makes the document item of a listed file stored on
// another host: its link, its title and kind, no file.
func (c *classifier) elsewhereItem(pageURL string, r records.Record) (elsewhereDoc, bool) {
	u, err := url.Parse(strings.TrimSpace(r.Fields["url"]))
	if err != nil || u.Host == "" {
		return elsewhereDoc{}, false
	}
	u.Fragment = ""
	host := r.Fields[records.ElsewhereField]
	it := Item{Key: "//" + strings.ToLower(u.Host) + itemKey(u.String()), SourceURL: u.String(), Kind: KindDocument, Elsewhere: host,
		Warning: ElsewhereWarning + " (" + host + ")"}
	if name := path.Base(u.Path); extract.IsAttachmentURL(u) {
		it.FileName = name
	}
	it.Title = collapse(r.Fields["title"])
	if genericTitle(it.Title) {
		it.Title = nameOr(it.FileName, "документ на "+host)
	}
	d := elsewhereDoc{Item: it}
	d.DocKind, d.kindFrom = c.prof.kindOf(c.st, it.Title, it.FileName, "")
	return d, true
}

// elsewhereDoc is a document item stored elsewhere and how its kind was told.
type elsewhereDoc struct {
	Item
	kindFrom string
}

func nameOr(s, fallback string) string {
	if s == "" {
		return fallback
	}
	return s
}

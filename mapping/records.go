package mapping

import (
	"fmt"
	"net/url"
	"sort"
	"strings"

	"perenos/extract"
	"perenos/extract/records"
)

// recordItem makes the plan item of the i-th structured record of a page.
// Its key and source URL carry the record's place on the page, so that
// each record is one item.
func recordItem(pageURL string, i int, r records.Record) Item {
	frag := fmt.Sprintf("record-%d-%s", i+1, r.Type)
	it := Item{Key: itemKey(pageURL) + "#" + frag, SourceURL: stripFragment(pageURL) + "#" + frag, Kind: KindRecord, DocKind: r.Type}
	it.Fields = make(map[string]string, len(r.Fields))
	for k, v := range r.Fields {
		it.Fields[k] = v
	}
	it.Title = r.Type
	for _, k := range []string{"fio", "name", "title", "nameUchred", "objName", "eduName", "post", "address"} {
		if v := strings.TrimSpace(r.Fields[k]); v != "" {
			it.Title = r.Type + ": " + v
			break
		}
	}
	return it
}

// excludeRecords excludes the records of an excluded page, for the same reason.
func excludeRecords(plan *Plan, pageURL string, d *extract.Document, why string) {
	for i, r := range d.Records {
		it := recordItem(pageURL, i, r)
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
	w := 0.85 // a microdata main tag names its subsection
	if detectedKinds[typ] {
		w = 0.5 // a kind found by its shape says less than the page it is on
	}
	for _, s := range c.secs {
		for _, t := range s.Records {
			if strings.ToLower(t) == typ {
				sigs = append(sigs, signal{s.ID, w, fmt.Sprintf("запись вида «%s»", r.Type), false})
				break
			}
		}
	}
	if post := strings.TrimSpace(r.Fields["post"]); post != "" {
		ps := c.st.stems(post)
		best, bestLen := "", 0
		for _, s := range c.secs {
			for _, ph := range newPhrases(s.Posts) {
				if subsequence(ps, ph.stems) && len(ph.stems) > bestLen {
					best, bestLen = s.ID, len(ph.stems)
				}
			}
		}
		if best != "" {
			sigs = append(sigs, signal{best, 0.75, fmt.Sprintf("должность «%s»", post), false})
		}
	}
	switch {
	case pageSection != "":
		sigs = append(sigs, signal{pageSection, 0.65, "запись со страницы " + stripFragment(pageURL), true})
	case len(pageCands) > 0:
		for _, pc := range pageCands[:min(2, len(pageCands))] {
			sigs = append(sigs, signal{pc.Section, pc.Confidence * 0.6, "запись со страницы " + stripFragment(pageURL) + ", которая сама ждёт проверки", true})
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
func placeRecords(plan *Plan, cl *classifier, recs []pageRecord, known map[string]bool, placedAt map[string]string, pageCands map[string][]Candidate, threshold float64) {
	owner := map[string]bool{} // "type\x00section" where a record type belongs
	for _, s := range cl.secs {
		for _, t := range s.Records {
			owner[strings.ToLower(t)+"\x00"+s.ID] = true
		}
	}
	keep := map[string]int{} // signature → index of the copy that is placed
	for i, pr := range recs {
		sig := recordSignature(pr.r)
		j, seen := keep[sig]
		switch {
		case !seen:
			keep[sig] = i
		case owner[strings.ToLower(pr.r.Type)+"\x00"+placedAt[pr.page]] && !owner[strings.ToLower(recs[j].r.Type)+"\x00"+placedAt[recs[j].page]]:
			keep[sig] = i
		}
	}
	for i, pr := range recs {
		it := recordItem(pr.page, pr.i, pr.r)
		if dup := duplicateOf(pr.r, pr.page, known); dup != "" {
			it.Reason = "запись повторяет " + dup + ", которая переносится сама"
			plan.Excluded = append(plan.Excluded, it)
			continue
		}
		if k := keep[recordSignature(pr.r)]; k != i {
			it.Reason = "повтор записи со страницы " + recs[k].page + " (одна и та же запись на нескольких страницах, например в шаблоне сайта)"
			plan.Excluded = append(plan.Excluded, it)
			continue
		}
		place(plan, it, cl.classifyRecord(pr.r, pr.page, placedAt[pr.page], pageCands[pr.page]), threshold, nil)
	}
}

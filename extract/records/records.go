// Package records finds structured records in a legacy page: microdata of
// the official itemprop dictionary grouped by their main tags, staff tables
// and cards, contacts, document lists and dated news items. Each record
// says which element it came from. It imports nothing of perenos.
//
// Record kinds (Record.Type) and their fields:
//
//   - a microdata main tag (uchredLaw, structOrgUprav, rucovodstvo,
//     rucovodstvoZam, teachingStaff, eduOp, ...): fields by official
//     itemprop name, legacy spellings folded to the official one; link
//     props hold absolute URLs;
//   - "sveden": the page's itemprops outside any main tag (fullName,
//     regDate, address, telephone, ...), one record per page;
//   - "addRef": a continuation page of a subsection (field url); the
//     caller crawls it and treats its records as the subsection's;
//   - "staff": a person from a staff table, card or line without
//     microdata: fio (as written), post (without category, degree or
//     experience; from the section heading above when the card has
//     none), discipline, education, speciality, qualification, category,
//     degree, certificate, training, retraining, experience,
//     experience_total, phone, email, schedule;
//   - "contact": address, phone (normalised, "; "-separated), email,
//     worktime;
//   - "document": url, title, filetype, date (YYYY-MM-DD), kind (the
//     official itemprop of the document where there is one, such as
//     ustavDocLink or priemDocLink, else a word such as order or
//     municipalAct), itemprop for microdata links, elsewhere (the host
//     when the file is on a drive or another site: the admin downloads
//     and attaches it);
//   - "news": title, date (YYYY-MM-DD), url.
package records

import (
	"net/url"
	"slices"
	"sort"
	"strings"

	"github.com/PuerkitoBio/goquery"
	"golang.org/x/net/html"
)

// Record is one structured item of the portal's "structured data array".
type Record struct {
	// Type is the record's kind: a microdata main tag (uchredLaw,
	// structOrgUprav, rucovodstvo, rucovodstvoZam, teachingStaff, ...) or a
	// detected kind (sveden, addRef, staff, contact, document, news).
	Type string `json:"type"`
	// Fields hold the values by canonical name (itemprop names in their
	// official spelling, or fio, post, phone, email, address, ...).
	Fields map[string]string `json:"fields"`
	// Source locates the element the record came from (a CSS-like path).
	Source string `json:"source"`
	// Method says how it was found: microdata, table, card, pattern, list.
	Method string `json:"method"`
}

// Options tune extraction.
type Options struct {
	// CrawlDate resolves relative dates («вчера») in news items; YYYY-MM-DD.
	CrawlDate string
}

// Extract returns the records of a parsed page in document order.
// pageURL resolves links. It reads doc and does not change it.
func Extract(pageURL string, doc *html.Node, opt Options) []Record {
	if doc == nil {
		return nil
	}
	x := &extractor{doc: doc, page: goquery.NewDocumentFromNode(doc), opt: opt, claimed: map[*html.Node]bool{}, seenURL: map[string]bool{}}
	if u, err := url.Parse(pageURL); err == nil {
		x.base = u
	}
	x.microdata()
	x.staffTables()
	x.staffCards()
	x.documents()
	x.news()
	x.contacts()
	for i := range x.out {
		x.out[i].pos = treePath(x.out[i].src)
	}
	sort.SliceStable(x.out, func(i, j int) bool { return slices.Compare(x.out[i].pos, x.out[j].pos) < 0 })
	out := make([]Record, len(x.out))
	for i, r := range x.out {
		out[i] = r.rec
	}
	return out
}

// ContinuationLinks returns the URLs of a page's addRef records: pages that
// continue the same mandated subsection.
func ContinuationLinks(recs []Record) []string {
	var out []string
	for _, r := range recs {
		if r.Type == "addRef" && r.Fields["url"] != "" {
			out = append(out, r.Fields["url"])
		}
	}
	return out
}

type placed struct {
	rec Record
	src *html.Node
	pos []int // see treePath
}

// treePath is where n sits in its tree: the index of each ancestor among
// its siblings, from the root down; comparing two paths compares the
// nodes' document order (an ancestor comes before its descendants).
func treePath(n *html.Node) []int {
	var out []int
	for ; n != nil && n.Parent != nil; n = n.Parent {
		i := 0
		for s := n.PrevSibling; s != nil; s = s.PrevSibling {
			i++
		}
		out = append(out, i)
	}
	slices.Reverse(out)
	return out
}

// extractor holds one page's state while the finders run.
type extractor struct {
	doc     *html.Node
	page    *goquery.Document // doc, for the finders' queries
	found   *pageNodes        // see nodes
	base    *url.URL
	opt     Options
	claimed map[*html.Node]bool // elements already part of a record
	seenURL map[string]bool     // document links already recorded
	out     []placed

	lines    []line // the page's lines, see pageLines
	consumed []bool // lines already part of a record

	claimedTexts map[*html.Node][]string // see claimedTextsIn
}

func (x *extractor) add(src *html.Node, r Record) {
	r.Source = locate(src)
	x.out = append(x.out, placed{rec: r, src: src})
}

// claim marks n and its subtree as used by a record.
func (x *extractor) claim(n *html.Node) {
	x.claimed[n] = true
	x.claimedTexts = nil
}

// claimedTextsIn lists the texts of the claimed elements inside b,
// remembered until the next claim.
func (x *extractor) claimedTextsIn(b *html.Node) []string {
	if x.claimedTexts == nil {
		x.claimedTexts = map[*html.Node][]string{}
	}
	if v, ok := x.claimedTexts[b]; ok {
		return v
	}
	var out []string
	walk(b, func(c *html.Node) bool {
		if x.claimed[c] {
			if t := textOf(c); t != "" {
				out = append(out, t)
			}
			return false
		}
		return true
	})
	x.claimedTexts[b] = out
	return out
}

// isClaimed reports whether n or an ancestor is part of a record.
func (x *extractor) isClaimed(n *html.Node) bool {
	if len(x.claimed) == 0 {
		return false
	}
	for p := n; p != nil; p = p.Parent {
		if x.claimed[p] {
			return true
		}
	}
	return false
}

// containsClaimed reports whether n's subtree holds a claimed element.
func (x *extractor) containsClaimed(n *html.Node) bool {
	if len(x.claimed) <= 64 {
		// few claimed elements: ask each whether n holds it
		for c := range x.claimed {
			if isAncestor(n, c) {
				return true
			}
		}
		return false
	}
	found := false
	walk(n, func(c *html.Node) bool {
		if x.claimed[c] {
			found = true
		}
		return !found
	})
	return found
}

// lineClaimed reports whether a line belongs to a record already: its
// block, or for a label-value table row either of its cells.
func (x *extractor) lineClaimed(l line) bool {
	if l.block == nil || x.isClaimed(l.block) {
		return true
	}
	if len(x.claimed) == 0 {
		return false
	}
	// a claimed element inside the line: «Телефон: <span itemprop=…>»
	for _, t := range x.claimedTextsIn(l.block) {
		if strings.Contains(l.text, t) {
			return true
		}
	}
	return false
}

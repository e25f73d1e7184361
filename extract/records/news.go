package records

import (
	"net/url"
	"sort"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// news finds lists of dated items: sibling elements of one tag, each with
// a date and a link or heading to the full text. Inner lists win over
// outer ones (a column of news is not itself a news item).
func (x *extractor) news() {
	groups := x.siblingGroups()
	sort.SliceStable(groups, func(i, j int) bool { return groups[i].depth > groups[j].depth })
	for _, g := range groups {
		var recs []Record
		var nodes []*html.Node
		// at least half the items must be news: give up once too many
		// are not
		fails, allowed := 0, len(g.items)/2
		for _, it := range g.items {
			if fails > allowed {
				break
			}
			if !it.dated || !it.titled || it.size > maxNewsItem || x.isClaimed(it.n) || x.containsClaimed(it.n) {
				fails++
				continue
			}
			if r, ok := x.newsItem(it.n); ok {
				recs = append(recs, r)
				nodes = append(nodes, it.n)
			} else {
				fails++
			}
		}
		if len(recs) < 2 || len(recs)*2 < len(g.items) {
			continue
		}
		for i, n := range nodes {
			x.claim(n)
			x.add(n, recs[i])
		}
	}
}

// sibling is an element with what the news finder first asks of it.
type sibling struct {
	n      *html.Node
	size   int  // runes of its text that are not ASCII spaces (about its collapsed length)
	dated  bool // its text may hold a date (see mayHoldDate)
	titled bool // it holds a link or a heading, as a news item does (see newsItem)
}

// mayTitle reports whether n may be the link or the heading of a news
// item (newsItem decides): a link, a heading, or an element whose class
// may say «title» or «name».
func mayTitle(n *html.Node) bool {
	if n.DataAtom == atom.A || isHeading(n) {
		return true
	}
	c := attr(n, "class")
	return strings.Contains(c, "itle") || strings.Contains(c, "ame") || strings.Contains(c, "ITLE") || strings.Contains(c, "AME")
}

// What siblingGroups asks of a byte of text: whether it counts as a rune
// of the text's size (it starts a rune that is not an ASCII space) and
// whether it is a digit.
const (
	byteCounts = 1 << iota
	byteDigit
)

var textBytes = func() (t [256]byte) {
	for c := range 256 {
		switch {
		case c >= '0' && c <= '9':
			t[c] = byteCounts | byteDigit
		case c < utf8.RuneSelf:
			if !asciiSpace[c] {
				t[c] = byteCounts
			}
		case c&0xC0 != 0x80:
			t[c] = byteCounts
		}
	}
	return t
}()

// siblingGroup is two or more child elements of one tag under one parent.
type siblingGroup struct {
	depth int
	items []sibling
}

// siblingGroups returns every group of same-tag siblings of the page
// with their sizes and whether they may be dated, in one pass.
func (x *extractor) siblingGroups() []siblingGroup {
	var out []siblingGroup
	relative := x.opt.CrawlDate != ""
	// the children of the nodes on the current path, one stack for all
	// (no slice per node)
	var stack []sibling
	var rec func(n *html.Node, depth int) sibling
	rec = func(n *html.Node, depth int) sibling {
		if skipped(n) {
			return sibling{}
		}
		if n.Type == html.TextNode {
			// one look at each byte: the runes that are not ASCII
			// spaces (a byte that does not continue a rune starts one),
			// and whether a digit is there
			size, seen := 0, byte(0)
			for i := 0; i < len(n.Data); i++ {
				c := textBytes[n.Data[i]]
				size += int(c & byteCounts)
				seen |= c
			}
			digit := seen&byteDigit != 0
			return sibling{size: size, dated: digit || size > 0 && relative && mayHoldRelative(n.Data)}
		}
		me := sibling{n: n, titled: n.Type == html.ElementNode && mayTitle(n)}
		base := len(stack)
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			k := rec(c, depth+1)
			me.size += k.size
			me.dated = me.dated || k.dated
			me.titled = me.titled || k.titled
			if c.Type == html.ElementNode && !skipped(c) {
				stack = append(stack, k)
			}
		}
		if kids := stack[base:]; n.Type == html.ElementNode && len(kids) >= 2 {
			// group the children by tag, in the order the tags first
			// occur; a tag already grouped is marked by a nil node
			for i := range kids {
				if kids[i].n == nil {
					continue
				}
				tag := kids[i].n.Data
				var g []sibling
				for j := i + 1; j < len(kids); j++ {
					if kids[j].n != nil && kids[j].n.Data == tag {
						if g == nil {
							g = append(g, kids[i])
						}
						g = append(g, kids[j])
						kids[j].n = nil
					}
				}
				if len(g) >= 2 {
					out = append(out, siblingGroup{depth, g})
				}
			}
		}
		stack = stack[:base]
		return me
	}
	rec(x.doc, 0)
	return out
}

// maxNewsItem is the most text a news teaser has, in runes.
const maxNewsItem = 1500

var genericLink = []string{"подробнее", "читать далее", "читать полностью", "далее", "читать", "комментарии", "все новости", "ещё", "еще", "»", "→", ">>"}

// mayHoldDate is a quick test before FindDate: a digit, or a relative
// word when relative words count.
func mayHoldDate(s string, relative bool) bool {
	if strings.ContainsAny(s, "0123456789") {
		return true
	}
	return relative && mayHoldRelative(s)
}

// mayHoldRelative reports whether s holds чера, егодня, ЧЕРА or ЕГОДНЯ
// (the parts of вчера, позавчера, сегодня pages write), in one pass:
// each starts with a Cyrillic letter, whose lead byte is D0 or D1.
func mayHoldRelative(s string) bool {
	for i := 0; i+1 < len(s); i++ {
		if s[i] != 0xD0 && s[i] != 0xD1 {
			continue
		}
		var found bool
		switch t := s[i:]; uint16(s[i])<<8 | uint16(s[i+1]) {
		case 0xD187: // ч
			found = strings.HasPrefix(t, "чера")
		case 0xD0A7: // Ч
			found = strings.HasPrefix(t, "ЧЕРА")
		case 0xD0B5: // е
			found = strings.HasPrefix(t, "егодня")
		case 0xD095: // Е
			found = strings.HasPrefix(t, "ЕГОДНЯ")
		}
		if found {
			return true
		}
	}
	return false
}

// newsItem reads one item: title, date, link.
func (x *extractor) newsItem(it *html.Node) (Record, bool) {
	text := textOf(it)
	if len([]rune(text)) > maxNewsItem || len([]rune(text)) < 8 {
		return Record{}, false
	}
	if _, _, _, any := FindDate(text, x.opt.CrawlDate); !any {
		return Record{}, false
	}
	// the date: a <time>, an element classed as a date, else the text
	date := ""
	for _, n := range selDateish.MatchAll(it) {
		src := textOf(n)
		if dt := attr(n, "datetime"); dt != "" {
			src = dt + " " + src
		}
		if d, _, _, ok := FindDate(src, x.opt.CrawlDate); ok {
			date = d
			break
		}
	}
	if date == "" {
		// an element that holds nothing but a date («<span>05.03.2024</span>»)
		walk(it, func(n *html.Node) bool {
			if date != "" {
				return false
			}
			if n.Type == html.ElementNode && n != it {
				t := textOf(n)
				if len(t) > 120 {
					return true
				}
				if d, ok := ParseDate(t, x.opt.CrawlDate); ok {
					date = d
					return false
				}
			}
			return true
		})
	}
	if date == "" {
		// a date with its year outranks «17 марта» in the teaser text;
		// without a crawl date FindDate only knows dates with a year.
		// A date in running text must read as the item's own: not a
		// law's «от 4 июля 2013 г. N 565», not a birthday.
		d, start, end, ok := FindDate(text, "")
		if !ok {
			d, start, end, ok = FindDate(text, x.opt.CrawlDate)
		}
		if !ok || referenceDate(text, start, end) {
			return Record{}, false
		}
		date = d
	}
	var links []*html.Node
	var heading *html.Node
	fileLinks := 0
	walk(it, func(n *html.Node) bool {
		if n.Type != html.ElementNode {
			return true
		}
		if heading == nil && (isHeading(n) || hasClassWord(n, "title", "name", "etitle", "news-title", "entry-title")) && textOf(n) != "" {
			heading = n
		}
		if n.DataAtom == atom.A {
			u := x.resolve(attr(n, "href"))
			if u == "" {
				return false
			}
			if pu, err := url.Parse(u); err == nil && (docExts[FileType(pu)] || inStorage(pu) || x.seenURL[u]) {
				fileLinks++ // a file, a file on a drive, a document of the page
				return false
			}
			links = append(links, n)
			return false
		}
		return true
	})
	distinctURLs := map[string]bool{}
	for _, a := range links {
		distinctURLs[x.resolve(attr(a, "href"))] = true
	}
	if len(distinctURLs) > 4 || (len(links) == 0 && (heading == nil || fileLinks > 0)) {
		// an item whose only links are files is a document, not news
		return Record{}, false
	}
	title, link := "", ""
	if heading != nil {
		title = textOf(heading)
		if a := firstLink(heading); a != nil {
			link = x.resolve(attr(a, "href"))
		} else if p := enclosingLink(heading); p != nil {
			link = x.resolve(attr(p, "href"))
		}
	}
	if title == "" {
		for _, a := range links {
			t := textOf(a)
			if containsAny(fold(t), genericLink...) && len([]rune(t)) < 25 {
				continue
			}
			if len([]rune(t)) > len([]rune(title)) {
				title, link = t, x.resolve(attr(a, "href"))
			}
		}
	}
	if link == "" && len(links) > 0 {
		link = x.resolve(attr(links[0], "href"))
	}
	title = strings.TrimSpace(title)
	if title == "" || len([]rune(title)) < 5 {
		return Record{}, false
	}
	if pd, ok := ParseDate(title, x.opt.CrawlDate); ok && pd != "" {
		// the "title" is the date itself: not a news item
		return Record{}, false
	}
	if IsPersonName(title) || nameShaped(title) {
		return Record{}, false // a person's card (a staff list with birthdays)
	}
	f := map[string]string{"title": title, "date": date}
	if link != "" {
		f["url"] = link
	}
	return Record{Type: "news", Method: "list", Fields: f}, true
}

func hasClassWord(n *html.Node, words ...string) bool {
	for _, c := range strings.Fields(fold(attr(n, "class"))) {
		for _, w := range words {
			if c == w || strings.HasSuffix(c, "-"+w) || strings.HasSuffix(c, "_"+w) {
				return true
			}
		}
	}
	return false
}

func firstLink(n *html.Node) *html.Node { return selNamedLinks.MatchFirst(n) }

func enclosingLink(n *html.Node) *html.Node {
	for p := n.Parent; p != nil; p = p.Parent {
		if p.DataAtom == atom.A {
			return p
		}
	}
	return nil
}

// referenceDate reports whether the date at text[start:end] dates
// something other than the item: a document it cites («от 4 июля 2013 г.
// N 565», «от 01.09.2023 № 45») or a person («дата рождения 12.03.1975»).
func referenceDate(text string, start, end int) bool {
	before := fold(text[max(0, start-40):start])
	after := fold(text[end:min(len(text), end+16)])
	if strings.HasSuffix(strings.TrimSpace(before), " от") || strings.TrimSpace(before) == "от" {
		return true
	}
	a := strings.TrimLeft(after, " .г")
	if strings.HasPrefix(a, "№") || strings.HasPrefix(a, "n ") || strings.HasPrefix(a, "n°") || strings.HasPrefix(a, "года №") || strings.HasPrefix(a, "ода №") {
		return true
	}
	return containsAny(before, "рожден", "г.р", "родил")
}

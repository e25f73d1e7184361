package records

import (
	"net/url"
	"sort"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// news finds lists of dated items: sibling elements of one tag, each with
// a date and a link or heading to the full text. Inner lists win over
// outer ones (a column of news is not itself a news item).
func (x *extractor) news() {
	type group struct {
		parent *html.Node
		items  []*html.Node
	}
	var groups []group
	walk(x.doc, func(n *html.Node) bool {
		if skipped(n) {
			return false
		}
		if n.Type != html.ElementNode {
			return true
		}
		byTag := map[string][]*html.Node{}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			if c.Type == html.ElementNode && !skipped(c) {
				byTag[c.Data] = append(byTag[c.Data], c)
			}
		}
		for _, items := range byTag {
			if len(items) >= 2 {
				groups = append(groups, group{n, items})
			}
		}
		return true
	})
	sort.SliceStable(groups, func(i, j int) bool { return depth(groups[i].parent) > depth(groups[j].parent) })
	for _, g := range groups {
		var recs []Record
		var nodes []*html.Node
		for _, it := range g.items {
			if x.isClaimed(it) || x.containsClaimed(it) {
				continue
			}
			if r, ok := x.newsItem(it); ok {
				recs = append(recs, r)
				nodes = append(nodes, it)
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

var genericLink = []string{"подробнее", "читать далее", "читать полностью", "далее", "читать", "комментарии", "все новости", "ещё", "еще", "»", "→", ">>"}

// newsItem reads one item: title, date, link.
func (x *extractor) newsItem(it *html.Node) (Record, bool) {
	text := textOf(it)
	if len([]rune(text)) > 1500 || len([]rune(text)) < 8 {
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
		// without a crawl date FindDate only knows dates with a year
		if d, _, _, ok := FindDate(text, ""); ok {
			date = d
		}
	}
	if date == "" {
		d, _, _, ok := FindDate(text, x.opt.CrawlDate)
		if !ok {
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
			if pu, err := url.Parse(u); err == nil && docExts[FileType(pu)] {
				fileLinks++
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

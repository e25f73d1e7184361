package records

import (
	"github.com/andybalholm/cascadia"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// The DOM queries of this package, compiled once. The finders ask goquery
// (the extractor's page) for the page's tables, links and itemprops, and
// cascadia for what one element holds; the passes that read a page's text
// line by line (dom.go) walk the tree themselves.
var (
	selTable      = cascadia.MustCompile("table")
	selA          = cascadia.MustCompile("a")
	selAnchors    = cascadia.MustCompile("a[href]")
	selNamedLinks = cascadia.MustCompile(`a[href]:not([href=""])`)
	selHrefs      = cascadia.MustCompile("a, area, link")
	selItemprops  = cascadia.MustCompile("[itemprop]")
	// what the finders start from, asked of the page at once: its links,
	// tables and itemprops (see pageNodes)
	selFinders = cascadia.MustCompile("a[href], table, [itemprop]")
	// where a news item writes its date
	selDateish = cascadia.MustCompile("time, [class*=date i], [class*=time i]")
)

// inSkipped reports whether n is inside (or is) an element that never
// holds record text.
func inSkipped(n *html.Node) bool {
	for p := n; p != nil; p = p.Parent {
		if skipped(p) {
			return true
		}
	}
	return false
}

// visible keeps the nodes that are not inside a skipped element.
func visible(nodes []*html.Node) []*html.Node {
	out := nodes[:0]
	for _, n := range nodes {
		if !inSkipped(n) {
			out = append(out, n)
		}
	}
	return out
}

// outermost keeps the nodes that have no ancestor among the others (all
// of them from one query, in document order).
func outermost(nodes []*html.Node) []*html.Node {
	out := nodes[:0:0]
	for _, n := range nodes {
		if len(out) > 0 && isAncestor(out[len(out)-1], n) {
			continue
		}
		out = append(out, n)
	}
	return out
}

// pageNodes are the elements the finders start from, from one query of
// the page, none inside an element that never holds record text.
type pageNodes struct {
	anchors, tables, props []*html.Node
}

func (x *extractor) nodes() *pageNodes {
	if x.found != nil {
		return x.found
	}
	x.found = &pageNodes{}
	for _, n := range visible(x.page.FindMatcher(selFinders).Nodes) {
		switch {
		case n.DataAtom == atom.A && selAnchors.Match(n):
			x.found.anchors = append(x.found.anchors, n)
		case n.DataAtom == atom.Table:
			x.found.tables = append(x.found.tables, n)
		}
		if selItemprops.Match(n) {
			x.found.props = append(x.found.props, n)
		}
	}
	return x.found
}

package extract

import (
	"strings"

	"github.com/andybalholm/cascadia"
	"golang.org/x/net/html"
)

// The DOM queries of this package, compiled once. Whole-tree passes that
// score or fingerprint every node (pagemain.go, template.go) walk the tree
// themselves; everything that looks for elements by tag, attribute, id or
// class asks cascadia through these.
var (
	selBase  = cascadia.MustCompile("base[href]")
	selTitle = cascadia.MustCompile("title")
	selBody  = cascadia.MustCompile("body")
	selH1    = cascadia.MustCompile("h1")
	selH1H2  = cascadia.MustCompile("h1, h2")
	selA     = cascadia.MustCompile("a")
	selImgs  = cascadia.MustCompile("img")
	// what a page links to: pages, image-map areas and framed pages
	selLinks = cascadia.MustCompile("a, area, iframe, frame")
	// the links and the microdata of a page, in one query
	selLinksProps = cascadia.MustCompile("a, area, iframe, frame, embed, object, [itemprop], [onclick], form, select, meta[http-equiv]")
	// a breadcrumb trail by its usual class and id words, or its ARIA
	// label; crumbMatcher is the same test as the selector
	// [class*=breadcrumb i], [id*=breadcrumb i], [class*=crumbs i], …,
	// [aria-label=breadcrumb i], in one look at each element's attributes
	selCrumbs     crumbMatcher
	selCrumbItems = cascadia.MustCompile("a, span[itemprop=name]")
	// the landmarks a CMS puts around the main content
	selLandmark = cascadia.MustCompile(`main, [role=main], [itemprop=articleBody i], [id=content i], [id=main i],
		[id=workarea i], [id=main-content i], [id=maincontent i], [class~=entry-content i], [class~=post-content i],
		[class~=bx-content i]`)
	selDeclaredMain = cascadia.MustCompile("main, [itemprop=articleBody i]")
	selArticles     = cascadia.MustCompile("article")
	selHeadings     = cascadia.MustCompile("h1, h2, h3, h4")
	selTables       = cascadia.MustCompile("table")
	selTable        = cascadia.MustCompile("table")
	selHeaderCells  = cascadia.MustCompile("th, caption, thead, tfoot")
	selParasItems   = cascadia.MustCompile("p, li")
	selFrames       = cascadia.MustCompile("iframe, frame")
	selURLs         = cascadia.MustCompile("a, area, img")
	// what makes a table cell hold more than one line
	selMultiline = cascadia.MustCompile("br, ul, ol, p, div, table, h1, h2, h3, h4")
	// what makes a table cell hold blocks of a page's layout
	selBlocky = cascadia.MustCompile("div, p, h1, h2, h3, ul, ol")
)

// outermost keeps the nodes that have no ancestor among the others (all
// of them come from one query, in document order).
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

// crumbMatcher matches a breadcrumb trail (see selCrumbs).
type crumbMatcher struct{}

var _ cascadia.Matcher = crumbMatcher{}

// Match reports whether n's class or id holds «breadcrumb», «crumbs» or
// «pathway» in any case, or its aria-label is «breadcrumb».
func (crumbMatcher) Match(n *html.Node) bool {
	if n.Type != html.ElementNode {
		return false
	}
	for _, a := range n.Attr {
		switch a.Key {
		case "class", "id":
			if containsFold(a.Val, "crumbs") || containsFold(a.Val, "breadcrumb") || containsFold(a.Val, "pathway") {
				return true
			}
		case "aria-label":
			if strings.EqualFold(a.Val, "breadcrumb") {
				return true
			}
		}
	}
	return false
}

// MatchFirst is the first element under root (root included) that matches.
func (m crumbMatcher) MatchFirst(root *html.Node) *html.Node {
	if m.Match(root) {
		return root
	}
	return cascadia.Query(root, m)
}

// containsFold reports whether s contains the lower-case ASCII word w in
// any case, without copying s.
func containsFold(s, w string) bool {
	for i := 0; i+len(w) <= len(s); i++ {
		j := 0
		for ; j < len(w); j++ {
			c := s[i+j]
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			if c != w[j] {
				break
			}
		}
		if j == len(w) {
			return true
		}
	}
	return false
}

package extract

import (
	"hash/fnv"
	"strconv"
	"strings"
	"unicode"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// Template is what a site repeats on most of its pages: menus, headers,
// footers, sidebars, counters. It is learned once per site from all its
// pages and then removes those blocks from each page.
type Template struct {
	pages  int
	counts map[uint64]int // block fingerprint → pages it appears on
	min    int
}

// blockAtoms are the elements whose text is fingerprinted.
var blockAtoms = map[atom.Atom]bool{
	atom.Div: true, atom.Td: true, atom.Th: true, atom.Tr: true, atom.Table: true, atom.Ul: true, atom.Ol: true,
	atom.Li: true, atom.Nav: true, atom.Header: true, atom.Footer: true, atom.Aside: true, atom.Section: true,
	atom.P: true, atom.Center: true, atom.Font: true, atom.Span: true, atom.H1: true, atom.H2: true, atom.H3: true,
	atom.H4: true, atom.Form: true, atom.Dl: true, atom.Blockquote: true, atom.A: true, atom.Img: true,
}

// NewTemplate returns an empty template; add pages with Learn.
func NewTemplate() *Template { return &Template{counts: map[uint64]int{}} }

// Learn adds one page of the site to the template.
func (t *Template) Learn(doc *html.Node) {
	seen := map[uint64]bool{}
	walk(doc, func(n *html.Node) bool {
		if n.Type == html.ElementNode && blockAtoms[n.DataAtom] {
			if fp, ok := fingerprint(n); ok && !seen[fp] {
				seen[fp] = true
				t.counts[fp]++
			}
		}
		return true
	})
	t.pages++
	t.min = 0
}

// threshold is how many pages a block must appear on to be the template:
// at least half of them, and at least three. Small sites have no template.
func (t *Template) threshold() int {
	if t.min == 0 {
		t.min = max(3, (t.pages+1)/2)
	}
	return t.min
}

// Pages is how many pages the template was learned from.
func (t *Template) Pages() int { return t.pages }

// IsBoilerplate reports whether n's block repeats across the site.
func (t *Template) IsBoilerplate(n *html.Node) bool {
	if t == nil || t.pages < 3 || n.Type != html.ElementNode || !blockAtoms[n.DataAtom] {
		return false
	}
	fp, ok := fingerprint(n)
	return ok && t.counts[fp] >= t.threshold()
}

// fingerprint hashes an element's place in the page, its tag and its
// normalised text (or, for text-less elements such as counters, its image
// sources). The place matters: a calendar cell «4» in the sidebar is
// template, a cell «4» in a table of vacancies is content, and a link in the
// menu is template while the same link in a page's own list is not.
func fingerprint(n *html.Node) (uint64, bool) {
	var b strings.Builder
	writePath(&b, n.Parent)
	b.WriteString(n.Data)
	b.WriteByte(0)
	textLen := 0
	walk(n, func(c *html.Node) bool {
		switch {
		case c.Type == html.TextNode:
			for _, f := range strings.FieldsFunc(c.Data, func(r rune) bool { return unicode.IsSpace(r) }) {
				b.WriteString(strings.ToLower(f))
				b.WriteByte(' ')
				textLen += len(f)
			}
		case c.Type == html.ElementNode && (c.DataAtom == atom.Script || c.DataAtom == atom.Style):
			return false
		case c.Type == html.ElementNode && (c.DataAtom == atom.Img || c.DataAtom == atom.Iframe):
			b.WriteString("[img:" + attr(c, "src") + "]")
			textLen++
		}
		return true
	})
	if textLen == 0 {
		return 0, false
	}
	h := fnv.New64a()
	h.Write([]byte(b.String()))
	return h.Sum64(), true
}

// walk visits n and its descendants depth-first; fn returns false to skip children.
func walk(n *html.Node, fn func(*html.Node) bool) {
	if !fn(n) {
		return
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		walk(c, fn)
	}
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if strings.EqualFold(a.Key, key) {
			return a.Val
		}
	}
	return ""
}

// writePath writes where n sits: each ancestor below <body> as its tag with
// its id or classes, or, when it has neither (old table layouts), its
// position among its siblings of the same tag.
func writePath(b *strings.Builder, n *html.Node) {
	if n == nil || n.Type != html.ElementNode || n.DataAtom == atom.Body || n.DataAtom == atom.Html {
		return
	}
	writePath(b, n.Parent)
	b.WriteString(n.Data)
	id, class := attr(n, "id"), strings.Join(strings.Fields(attr(n, "class")), ".")
	switch {
	case id != "":
		b.WriteString("#" + id)
	case class != "":
		b.WriteString("." + class)
	default:
		i := 0
		for s := n.PrevSibling; s != nil; s = s.PrevSibling {
			if s.Type == html.ElementNode && s.DataAtom == n.DataAtom {
				i++
			}
		}
		b.WriteString(":" + strconv.Itoa(i))
	}
	b.WriteByte('>')
}

package extract

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// Template is what a site repeats on most of its pages: menus, headers,
// footers, sidebars, counters. It is learned from the fingerprints of the
// site's pages (Blocks), one page at a time, and then removes those blocks
// from each page. It keeps counts, never pages, so it can learn a site of
// any size in one pass.
type Template struct {
	pages  int
	counts map[uint64]*blockCount
	min    int
}

// blockCount is how many pages a block was seen on, and the page count
// when it was first seen.
type blockCount struct{ pages, first int32 }

// blockAtoms are the elements whose text is fingerprinted.
var blockAtoms = map[atom.Atom]bool{
	atom.Div: true, atom.Td: true, atom.Th: true, atom.Tr: true, atom.Table: true, atom.Ul: true, atom.Ol: true,
	atom.Li: true, atom.Nav: true, atom.Header: true, atom.Footer: true, atom.Aside: true, atom.Section: true,
	atom.P: true, atom.Center: true, atom.Font: true, atom.Span: true, atom.H1: true, atom.H2: true, atom.H3: true,
	atom.H4: true, atom.Form: true, atom.Dl: true, atom.Blockquote: true, atom.A: true, atom.Img: true,
}

// NewTemplate returns an empty template; add pages with Learn or Add.
func NewTemplate() *Template { return &Template{counts: map[uint64]*blockCount{}} }

// Learn adds one page of the site to the template.
func (t *Template) Learn(doc *html.Node) { t.Add(PageBlocks(doc)) }

// pruneEvery is how often (in pages) Add forgets the blocks that are too
// rare to become template; see prune.
const pruneEvery = 256

// Add adds one page's blocks to the template.
func (t *Template) Add(b *Blocks) {
	t.pages++
	seen := make(map[uint64]bool, len(b.fp))
	for _, fp := range b.fp {
		if seen[fp] {
			continue
		}
		seen[fp] = true
		if c := t.counts[fp]; c != nil {
			c.pages++
		} else {
			t.counts[fp] = &blockCount{pages: 1, first: int32(t.pages)}
		}
	}
	t.min = 0
	if t.pages%pruneEvery == 0 {
		t.prune()
	}
}

// prune forgets the blocks seen on fewer than a quarter of the pages since
// they first appeared. A block of the template (a menu, a footer) is on
// most pages from its first on and always stays; what goes is each page's
// own text, which would otherwise make a 20,000-page site's counts as
// large as its content. A forgotten block that keeps coming back is
// counted afresh, so a block on just over half the pages may be counted
// short and kept as content: the safe side.
func (t *Template) prune() {
	for fp, c := range t.counts {
		if int(c.pages)*4 < t.pages-int(c.first)+1 {
			delete(t.counts, fp)
		}
	}
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
	return ok && t.repeated(fp)
}

func (t *Template) repeated(fp uint64) bool {
	c := t.counts[fp]
	return c != nil && int(c.pages) >= t.threshold()
}

// Blocks are the fingerprints of a page's blocks, computed in one pass
// over its tree: what a Template learns from, and what it looks up to drop
// a page's template blocks.
type Blocks struct {
	fp map[*html.Node]uint64
}

// Len is the number of fingerprinted blocks.
func (b *Blocks) Len() int { return len(b.fp) }

// junkAtoms are the elements that are never content and whose text no
// fingerprint includes (removeJunk drops them before a page is extracted,
// so a block is fingerprinted the same whether or not they are still in
// the tree).
var junkAtoms = map[atom.Atom]bool{
	atom.Script: true, atom.Style: true, atom.Noscript: true, atom.Template: true, atom.Input: true, atom.Select: true,
	atom.Textarea: true, atom.Button: true, atom.Object: true, atom.Embed: true, atom.Svg: true,
}

// The fingerprint of a block hashes its place in the page (see writePath),
// its tag and its content: the lower-cased words of its text, each
// followed by a space, and the sources of its images and frames. The
// place matters: a calendar cell «4» in the sidebar is template, a cell
// «4» in a table of vacancies is content, and a link in the menu is
// template while the same link in a page's own list is not. The content
// hash is a polynomial one, so a block's hash is made from its children's
// in one bottom-up pass.
const (
	hashBase   = 1099511628211 // the FNV prime, odd, as a multiplier mod 2^64
	hashOffset = 14695981039346656037
)

// content is the hash of a run of content bytes, with its length as
// hashBase^len (for appending).
type content struct {
	h, pow uint64
	size   int // bytes of text, and one per image
}

func emptyContent() content { return content{pow: 1} }

func (c *content) appendByte(b byte) {
	c.h = c.h*hashBase + uint64(b) + 1
	c.pow *= hashBase
}

func (c *content) appendString(s string) {
	for i := 0; i < len(s); i++ {
		c.appendByte(s[i])
	}
}

func (c *content) appendContent(d content) {
	c.h = c.h*d.pow + d.h
	c.pow *= d.pow
	c.size += d.size
}

// appendWords adds the words of a text node, lower-cased, each followed by
// a space.
func (c *content) appendWords(s string) {
	var buf [utf8.UTFMax]byte
	inWord := false
	for _, r := range s {
		if unicode.IsSpace(r) {
			if inWord {
				c.appendByte(' ')
			}
			inWord = false
			continue
		}
		inWord = true
		l := unicode.ToLower(r)
		if l < utf8.RuneSelf {
			c.appendByte(byte(l))
			c.size++
			continue
		}
		n := utf8.EncodeRune(buf[:], l)
		c.appendString(string(buf[:n]))
		c.size += n
	}
	if inWord {
		c.appendByte(' ')
	}
}

// PageBlocks fingerprints every block of a parsed page in one pass.
func PageBlocks(doc *html.Node) *Blocks {
	f := fingerprinter{out: &Blocks{fp: map[*html.Node]uint64{}}}
	f.rec(doc, hashOffset, 0)
	return f.out
}

// fingerprint is the fingerprint of n alone, as PageBlocks computes it;
// ok is false when n has no text and no image.
func fingerprint(n *html.Node) (uint64, bool) {
	var anc []*html.Node
	for p := n.Parent; p != nil && p.Type == html.ElementNode && p.DataAtom != atom.Body && p.DataAtom != atom.Html; p = p.Parent {
		anc = append(anc, p)
	}
	f := fingerprinter{out: &Blocks{fp: map[*html.Node]uint64{}}, only: n}
	pathHash := uint64(hashOffset)
	for i := len(anc) - 1; i >= 0; i-- {
		pathHash = f.extend(pathHash, anc[i], sameTagBefore(anc[i]))
	}
	f.rec(n, pathHash, sameTagBefore(n))
	fp, ok := f.out.fp[n]
	return fp, ok
}

// fingerprinter computes block fingerprints bottom-up.
type fingerprinter struct {
	out  *Blocks
	only *html.Node // record this block alone, when set
	seg  strings.Builder
}

// extend is the path hash of n's children: n's segment after n's path;
// pos is n's index among its siblings of the same tag.
func (f *fingerprinter) extend(pathHash uint64, n *html.Node, pos int) uint64 {
	if n.Type != html.ElementNode || n.DataAtom == atom.Body || n.DataAtom == atom.Html {
		return pathHash
	}
	f.seg.Reset()
	writeSegment(&f.seg, n, pos)
	return hashString(pathHash, f.seg.String())
}

// rec returns the content of n and records the fingerprints of the blocks
// in its subtree; pathHash is the hash of n's place, pos its index among
// its siblings of the same tag.
func (f *fingerprinter) rec(n *html.Node, pathHash uint64, pos int) content {
	c := emptyContent()
	switch {
	case n.Type == html.TextNode:
		c.appendWords(n.Data)
		return c
	case n.Type == html.ElementNode && junkAtoms[n.DataAtom]:
		return c
	case n.Type == html.ElementNode && (n.DataAtom == atom.Img || n.DataAtom == atom.Iframe):
		c.appendString("[img:" + attr(n, "src") + "]")
		c.size++
	}
	childPath := f.extend(pathHash, n, pos)
	var seen []atomCount // same-tag positions among n's children
	for ch := n.FirstChild; ch != nil; ch = ch.NextSibling {
		p := 0
		if ch.Type == html.ElementNode {
			p = bump(&seen, ch.DataAtom)
		}
		c.appendContent(f.rec(ch, childPath, p))
	}
	if n.Type == html.ElementNode && blockAtoms[n.DataAtom] && c.size > 0 && (f.only == nil || f.only == n) {
		f.out.fp[n] = blockHash(pathHash, n.Data, c)
	}
	return c
}

// atomCount counts the children of one tag seen so far.
type atomCount struct {
	a atom.Atom
	n int
}

// bump returns how many children of tag a came before, and counts one more.
func bump(seen *[]atomCount, a atom.Atom) int {
	for i := range *seen {
		if (*seen)[i].a == a {
			(*seen)[i].n++
			return (*seen)[i].n - 1
		}
	}
	*seen = append(*seen, atomCount{a, 1})
	return 0
}

// sameTagBefore is n's index among its element siblings of the same tag.
func sameTagBefore(n *html.Node) int {
	i := 0
	for s := n.PrevSibling; s != nil; s = s.PrevSibling {
		if s.Type == html.ElementNode && s.DataAtom == n.DataAtom {
			i++
		}
	}
	return i
}

func hashString(h uint64, s string) uint64 {
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= hashBase
	}
	h ^= '>'
	h *= hashBase
	return h
}

// blockHash mixes a block's path, tag and content.
func blockHash(pathHash uint64, tag string, c content) uint64 {
	h := hashString(pathHash, tag)
	for _, v := range []uint64{c.h, c.pow} {
		for k := 0; k < 8; k++ {
			h ^= v & 0xff
			h *= hashBase
			v >>= 8
		}
	}
	return h
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

// writeSegment writes one step of where a block sits: an ancestor below
// <body> as its tag with its id or classes, or, when it has neither (old
// table layouts), pos, its position among its siblings of the same tag.
func writeSegment(b *strings.Builder, n *html.Node, pos int) {
	b.WriteString(n.Data)
	id, class := attr(n, "id"), strings.Join(strings.Fields(attr(n, "class")), ".")
	switch {
	case id != "":
		b.WriteString("#" + id)
	case class != "":
		b.WriteString("." + class)
	default:
		b.WriteString(":" + strconv.Itoa(pos))
	}
}

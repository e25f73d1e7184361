package mapping

import (
	"net/url"
	"sort"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"perenos/charset"
	"perenos/extract"
	"perenos/store"
)

// BlobReader reads a fetched page's bytes as stored (the workspace's blob
// store satisfies it).
type BlobReader interface {
	Read(id store.BlobID) ([]byte, error)
}

// navEntry is one place of a page in the old site's menu: the labels of
// the menu groups above its item (outermost first), the item's own text,
// and the page the nearest group's label links to, if it links one.
type navEntry struct {
	groups []string
	text   string
	parent string
}

// path is the entry as the admin reads it: «Сведения» › «Документы».
func (e navEntry) path() []string {
	return append(append([]string(nil), e.groups...), e.text)
}

// navSample is how many pages the menu tree is read from: the home page
// and pages whose menus differ. A site's menu is its template, the same on
// most pages, so a few pages show all of it, and the cost stays a few
// parses per site whatever its size.
const navSample = 8

// siteNav reads the old site's menu tree from a sample of its pages: for
// each page URL, where it sits in the menu. The template links extract
// found (links outside the main content) say which links are the menu's;
// every link of a template fragment (templateFragments) is the menu's.
func siteNav(in Input, pages []*store.Page, fragments map[string]bool) map[string][]navEntry {
	out := map[string][]navEntry{}
	if in.Blobs == nil {
		return out
	}
	type sample struct {
		p   *store.Page
		d   *extract.Document
		sig string
		n   int
	}
	bySig := map[string]*sample{}
	count := map[string]int{}
	var home *sample
	for _, p := range pages {
		d := in.Docs[p.URL]
		if p.Kind != store.KindPage || !p.OK() || d == nil || p.Blob.IsZero() {
			continue
		}
		var tl []string
		for _, l := range d.Links {
			if (!l.InContent || fragments[p.URL]) && !l.Attachment {
				tl = append(tl, normURL(l.URL))
			}
		}
		if len(tl) == 0 {
			continue
		}
		sort.Strings(tl)
		sig := strings.Join(tl, "\n")
		count[sig]++
		s := &sample{p, d, sig, len(tl)}
		if u, err := url.Parse(p.URL); err == nil && (u.Path == "" || u.Path == "/") && home == nil {
			home = s
		}
		if bySig[sig] == nil {
			bySig[sig] = s
		}
	}
	picks := make([]*sample, 0, len(bySig))
	for _, s := range bySig {
		picks = append(picks, s)
	}
	sort.Slice(picks, func(i, j int) bool { // the most common menus first, then the richest
		a, b := picks[i], picks[j]
		if count[a.sig] != count[b.sig] {
			return count[a.sig] > count[b.sig]
		}
		if a.n != b.n {
			return a.n > b.n
		}
		return a.p.URL < b.p.URL
	})
	if home != nil {
		picks = append([]*sample{home}, picks...)
	}
	seen := map[string]bool{}
	read := 0
	for _, s := range picks {
		if read >= navSample || seen[s.p.URL] {
			continue
		}
		seen[s.p.URL] = true
		raw, err := in.Blobs.Read(s.p.Blob)
		if err != nil {
			continue
		}
		read++
		root, err := html.Parse(strings.NewReader(charset.Decode(raw, s.p.ContentType).Text))
		if err != nil {
			continue
		}
		template := map[string]bool{}
		for _, l := range s.d.Links {
			if !l.InContent || fragments[s.p.URL] {
				template[normURL(l.URL)+"\x00"+l.Text] = true
			}
		}
		base, _ := url.Parse(s.p.URL)
		if s.p.FinalURL != "" { // answered from another address: its links are relative to that
			if b, err := url.Parse(s.p.FinalURL); err == nil && b.IsAbs() {
				base = b
			}
		}
		m := &menuReader{base: base, template: template, pre: map[*html.Node]label{}, li: map[*html.Node]label{}, blocks: map[*html.Node]bool{}}
		m.read(root, out)
	}
	return out
}

// menuReader reads the menu entries of one parsed page. The labels of a
// list are the same for every link in it: they are read once.
type menuReader struct {
	base     *url.URL
	template map[string]bool
	pre, li  map[*html.Node]label
	blocks   map[*html.Node]bool // linkBlock, read once per element
}

func (m *menuReader) linkBlock(n *html.Node) bool {
	if b, ok := m.blocks[n]; ok {
		return b
	}
	b := linkBlock(n)
	m.blocks[n] = b
	return b
}

// label is a menu group's label and the page it links, if any.
type label struct{ text, link string }

func (m *menuReader) read(root *html.Node, out map[string][]navEntry) {
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode && n.DataAtom == atom.A {
			if e, u, ok := m.entry(n); ok && !hasEntry(out[u], e) {
				out[u] = append(out[u], e)
			}
			return
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(root)
}

func hasEntry(es []navEntry, e navEntry) bool {
	for _, x := range es {
		if x.text == e.text && strings.Join(x.groups, "\x00") == strings.Join(e.groups, "\x00") {
			return true
		}
	}
	return false
}

// entry reads where a template link sits in its menu.
func (m *menuReader) entry(a *html.Node) (navEntry, string, bool) {
	href := strings.TrimSpace(attr(a, "href"))
	if href == "" || strings.HasPrefix(href, "#") {
		return navEntry{}, "", false
	}
	u, err := m.base.Parse(href)
	if err != nil || u.Scheme != "http" && u.Scheme != "https" {
		return navEntry{}, "", false
	}
	u.Fragment = ""
	key := normURL(u.String())
	text := linkText(a)
	if !m.template[key+"\x00"+text] || text == "" {
		return navEntry{}, "", false
	}
	e := navEntry{text: text}
	if l := m.flatLabel(a); l.text != "" && l.text != text && !navNoise[norm(l.text)] {
		e.groups, e.parent = []string{l.text}, l.link
	}
	own := ancestor(a, atom.Li)
	child := a
	for p := a.Parent; p != nil && p.DataAtom != atom.Body && len(e.groups) < 4; p = p.Parent {
		var l label
		switch {
		case p.DataAtom == atom.Li && p != own:
			l = m.liLabel(p, child)
		case isList(p) || wrapsList(p, child) || p.DataAtom != atom.Li && m.linkBlock(p):
			l = m.precedingLabel(p)
		}
		if l.text != "" && l.text != text && !navNoise[norm(l.text)] && (len(e.groups) == 0 || e.groups[0] != l.text) {
			e.groups = append([]string{l.text}, e.groups...)
			if e.parent == "" && len(e.groups) == 1 {
				e.parent = l.link
			}
		}
		child = p
	}
	return e, key, true
}

// flatLabel is the group label of a link in a flat block of links (old
// table layouts: «<b>Сведения об ОО</b><br><a>…</a><br><a>…</a>»): the
// short bold or heading text that comes before it among its siblings,
// with only links, line breaks and indentation between.
func (m *menuReader) flatLabel(a *html.Node) label {
	if a.Parent == nil || !m.linkBlock(a.Parent) {
		return label{}
	}
	for p := a.PrevSibling; p != nil; p = p.PrevSibling {
		switch {
		case p.Type == html.CommentNode:
		case p.Type == html.TextNode:
			if utf8.RuneCountInString(strings.TrimSpace(strings.ReplaceAll(p.Data, "\u00a0", " "))) > 3 {
				return label{} // text between: not a list of links under a label
			}
		case p.Type != html.ElementNode:
			return label{}
		case p.DataAtom == atom.A || p.DataAtom == atom.Br:
		case flatLabelTags[p.DataAtom]:
			if findA(p) != nil {
				return label{}
			}
			t := collapse(nodeText(p, maxLabel*8))
			if t == "" || utf8.RuneCountInString(t) > maxLabel {
				return label{}
			}
			return label{text: t}
		default:
			return label{}
		}
	}
	return label{}
}

// flatLabelTags are the elements a flat block of links writes its group
// labels with.
var flatLabelTags = map[atom.Atom]bool{atom.B: true, atom.Strong: true, atom.H2: true, atom.H3: true, atom.H4: true, atom.H5: true, atom.H6: true, atom.Font: true, atom.U: true}

func isList(n *html.Node) bool { return n.DataAtom == atom.Ul || n.DataAtom == atom.Ol }

// linkText is what a link says, as extract reads it: its text, else its
// title, else the alt text of its picture (a menu of image buttons).
func linkText(a *html.Node) string {
	t := collapse(nodeText(a, maxLabel*8))
	if t == "" {
		t = attr(a, "title")
	}
	if t == "" {
		if img := find(a, func(n *html.Node) bool { return n.DataAtom == atom.Img }); img != nil {
			t = attr(img, "alt")
		}
	}
	return t
}

// linkBlock reports whether n is a block of links with little else (the
// menus of old table layouts: links in a paragraph or a cell, one a line):
// like a list, it takes the label written just before it.
func linkBlock(n *html.Node) bool {
	switch n.DataAtom {
	case atom.P, atom.Div, atom.Td, atom.Span, atom.Nav, atom.Section:
	default:
		return false
	}
	links, other := 0, 0
	var walk func(*html.Node)
	walk = func(x *html.Node) {
		if links > 40 || other > maxLabel {
			return
		}
		switch {
		case x.Type == html.ElementNode && x.DataAtom == atom.A:
			links++
			return
		case x.Type == html.ElementNode && (x.DataAtom == atom.Ul || x.DataAtom == atom.Ol || x.DataAtom == atom.Table):
			other += maxLabel + 1 // a list or a table inside: a wrapper of a structured menu, not a block of links
			return
		case x.Type == html.TextNode:
			other += utf8.RuneCountInString(strings.TrimSpace(x.Data))
		}
		for c := x.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return links >= 2 && other <= 2*links
}

// wrapsList reports whether n is a plain wrapper (div, nav) whose only
// element child is child, itself a list or such a wrapper: the label
// before the wrapper is the list's.
func wrapsList(n, child *html.Node) bool {
	if n.DataAtom != atom.Div && n.DataAtom != atom.Nav && n.DataAtom != atom.Section {
		return false
	}
	if !isList(child) && child.DataAtom != atom.Div {
		return false
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type == html.ElementNode && c != child {
			return false
		}
	}
	return true
}

// navNoise are labels that name the menu itself, not a group of pages.
var navNoise = map[string]bool{"меню": true, "главное меню": true, "навигация": true, "разделы": true, "разделы сайта": true,
	"меню сайта": true, "menu": true, "разделы и страницы": true, "открыть меню": true}

// maxLabel is the longest text a menu group's label may have.
const maxLabel = 80

// liLabel is the label of a list item holding a nested menu: its own text
// outside the nested part, and the page its own link names.
func (m *menuReader) liLabel(li, nested *html.Node) label {
	if l, ok := m.li[li]; ok {
		return l
	}
	var b strings.Builder
	link := ""
	for c := li.FirstChild; c != nil && b.Len() <= maxLabel*8; c = c.NextSibling {
		if c == nested || c.Type == html.ElementNode && (isList(c) || c.DataAtom == atom.Div && find(c, isList) != nil) {
			continue
		}
		b.WriteString(" " + nodeText(c, maxLabel*8))
		if link == "" {
			link = m.linkOf(findA(c))
		}
	}
	l := label{collapse(b.String()), link}
	if utf8.RuneCountInString(l.text) > maxLabel {
		l = label{}
	}
	m.li[li] = l
	return l
}

// precedingLabel is the label written just before a menu list: a short
// element (a heading, a span, a button, a link) right before it.
func (m *menuReader) precedingLabel(n *html.Node) label {
	if l, ok := m.pre[n]; ok {
		return l
	}
	l := m.readPreceding(n)
	m.pre[n] = l
	return l
}

func (m *menuReader) readPreceding(n *html.Node) label {
	prev := n.PrevSibling
	for prev != nil && (prev.Type == html.TextNode && strings.TrimSpace(prev.Data) == "" || prev.Type == html.CommentNode) {
		prev = prev.PrevSibling
	}
	if prev == nil || prev.Type != html.ElementNode {
		return label{}
	}
	switch prev.DataAtom {
	case atom.Script, atom.Style, atom.Img, atom.Br, atom.Hr, atom.Input, atom.Form, atom.Table:
		return label{}
	}
	t := collapse(nodeText(prev, maxLabel*8))
	if a := findA(prev); t == "" && a != nil {
		t = linkText(a) // an image button
	}
	if t == "" || utf8.RuneCountInString(t) > maxLabel || countA(prev) > 1 {
		return label{}
	}
	link := m.linkOf(findA(prev))
	if m.isHome(link) {
		return label{} // the site's name linking its home page (a navbar's brand), not a group of the menu
	}
	return label{t, link}
}

// isHome reports whether a normalised URL is the site's home page.
func (m *menuReader) isHome(u string) bool {
	if u == "" {
		return false
	}
	p, err := url.Parse(u)
	if err != nil || !strings.EqualFold(p.Host, m.base.Host) {
		return false
	}
	segs := pathSegments(p.Path)
	return len(segs) == 0 && p.RawQuery == ""
}

// linkOf is the normalised URL a link names, or "".
func (m *menuReader) linkOf(a *html.Node) string {
	if a == nil {
		return ""
	}
	href := strings.TrimSpace(attr(a, "href"))
	if href == "" || strings.HasPrefix(href, "#") {
		return ""
	}
	u, err := m.base.Parse(href)
	if err != nil {
		return ""
	}
	u.Fragment = ""
	return normURL(u.String())
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

func ancestor(n *html.Node, a atom.Atom) *html.Node {
	for p := n.Parent; p != nil; p = p.Parent {
		if p.DataAtom == a {
			return p
		}
	}
	return nil
}

func find(n *html.Node, pred func(*html.Node) bool) *html.Node {
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type == html.ElementNode && pred(c) {
			return c
		}
		if f := find(c, pred); f != nil {
			return f
		}
	}
	return nil
}

func findA(n *html.Node) *html.Node {
	if n.Type == html.ElementNode && n.DataAtom == atom.A {
		return n
	}
	return find(n, func(c *html.Node) bool { return c.DataAtom == atom.A })
}

func countA(n *html.Node) int {
	k := 0
	var walk func(*html.Node)
	walk = func(x *html.Node) {
		if k > 1 {
			return
		}
		if x.Type == html.ElementNode && x.DataAtom == atom.A && attr(x, "href") != "" {
			k++
		}
		for c := x.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return k
}

// nodeText is the text under n, without scripts and styles; it stops
// once it has more than limit bytes (a label is short: a longer text is
// not one, however long).
func nodeText(n *html.Node, limit int) string {
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(x *html.Node) {
		if b.Len() > limit {
			return
		}
		switch {
		case x.Type == html.TextNode:
			b.WriteString(x.Data)
		case x.Type == html.ElementNode && (x.DataAtom == atom.Script || x.DataAtom == atom.Style):
			return
		}
		for c := x.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
		if x.Type == html.ElementNode && (x.DataAtom == atom.Br || x.DataAtom == atom.Li || x.DataAtom == atom.P || x.DataAtom == atom.Div) {
			b.WriteByte(' ')
		}
	}
	walk(n)
	return b.String()
}

// normURL makes URLs written differently compare equal: lower-case scheme
// and host, no default port, no fragment, an empty path as "/".
func normURL(raw string) string {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		return raw
	}
	u.Scheme, u.Host, u.Fragment, u.RawFragment = strings.ToLower(u.Scheme), strings.ToLower(u.Host), "", ""
	if h, p, ok := strings.Cut(u.Host, ":"); ok && (p == "80" && u.Scheme == "http" || p == "443" && u.Scheme == "https") {
		u.Host = h
	}
	if u.Path == "" {
		u.Path = "/"
	}
	return u.String()
}

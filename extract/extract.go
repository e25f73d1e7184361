package extract

import (
	"bytes"
	"fmt"
	"net/url"
	"perenos/extract/records"
	"perenos/links"
	"perenos/store"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// Parse reads decoded HTML text into a node tree. Bytes that are not
// UTF-8 become U+FFFD, so that nothing downstream sees invalid text.
func Parse(text string) (*html.Node, error) {
	if !utf8.ValidString(text) {
		text = strings.ToValidUTF8(text, "\uFFFD")
	}
	doc, err := html.Parse(strings.NewReader(text))
	if err != nil {
		return nil, fmt.Errorf("parse html: %w", err)
	}
	return doc, nil
}

// Options for Extract.
type Options struct {
	// Template of the page's site, learned from its other pages; nil for a
	// page alone.
	Template *Template
	// CrawlDate (YYYY-MM-DD) resolves relative dates in records.
	CrawlDate string
	// NoRecords skips the structured records (Document.Records stays
	// empty), for callers that need only the main content, such as the
	// main-content benchmark.
	NoRecords bool
	// Base is the address the page was answered from when a redirect
	// took its own elsewhere (sveden/common answered as sveden/common/):
	// relative links resolve against it, as the browser and the crawler
	// resolve them. Empty for the page's own address.
	Base string
}

// Extract turns a parsed page into a Document. pageURL resolves relative
// links. It changes doc (what is not content is removed from it).
func Extract(pageURL string, doc *html.Node, opt Options) (*Document, error) {
	p, err := prepare(pageURL, doc, opt)
	if err != nil {
		return nil, err
	}
	var blocks *Blocks
	if opt.Template != nil && opt.Template.Pages() >= 3 {
		blocks = PageBlocks(p.body)
	}
	return p.finish(opt.Template, blocks)
}

// prepared is a parsed page with everything read from it that does not
// depend on the site's template: records, links, title, breadcrumbs, and
// the body with what is never content removed.
type prepared struct {
	d        *Document
	base     *url.URL
	body     *html.Node
	links    []Link
	linkAt   []linkAt
	pageURL  string
	finished bool
}

func prepare(pageURL string, doc *html.Node, opt Options) (*prepared, error) {
	base, err := url.Parse(pageURL)
	if err != nil {
		return nil, fmt.Errorf("page url %q: %w", pageURL, err)
	}
	if opt.Base != "" {
		if b, err := url.Parse(opt.Base); err == nil && b.IsAbs() {
			base = b
		}
	}
	if b := selBase.MatchFirst(doc); b != nil && attr(b, "href") != "" {
		if bu, err := base.Parse(strings.TrimSpace(attr(b, "href"))); err == nil {
			base = bu
		}
	}
	d := &Document{URL: pageURL}
	title := selTitle.MatchFirst(doc)
	if title != nil {
		d.HTMLTitle = collapse(textOf(title))
	}
	found := selLinksProps.MatchAll(doc) // one pass for the links and the itemprops
	d.Itemprops = itemprops(found)
	if !opt.NoRecords {
		d.Records = records.Extract(base.String(), doc, records.Options{CrawlDate: opt.CrawlDate})
	}
	d.Breadcrumbs = breadcrumbs(doc)
	allLinks, linkNodes := linksWithNodes(base, found)
	d.Fragment = title == nil && emptyHead(doc)
	d.MirroredFrom = mirroredFrom(doc)
	body := selBody.MatchFirst(doc)
	if body == nil {
		body = doc
	}
	removeJunk(body)
	return &prepared{d: d, base: base, body: body, links: allLinks, linkAt: linkNodes, pageURL: pageURL}, nil
}

// finish chooses the main content, with the site's template t (nil for
// a page alone) and the page's blocks (needed when t has learned three
// pages or more), and renders it.
func (p *prepared) finish(t *Template, blocks *Blocks) (*Document, error) {
	if p.finished {
		return nil, fmt.Errorf("page %s: already extracted", p.pageURL)
	}
	p.finished = true
	d, body := p.d, p.body
	var main *html.Node
	if t != nil && t.Pages() >= 3 {
		d.Dropped = append(d.Dropped, dropTemplate(body, t, blocks)...)
		main = chooseMain(body)
		accountOutside(main, body, nil, &d.Dropped)
	} else {
		var dropped []Dropped
		main, dropped = pageMain(body)
		d.Dropped = append(d.Dropped, dropped...)
	}
	// A URL is content when one of its links sits inside main (the nodes
	// dropped on the way have left the tree).
	contentLinks := map[string]bool{}
	for _, at := range p.linkAt {
		if isAncestor(main, at.n) {
			contentLinks[p.links[at.i].URL] = true
		}
	}
	for i := range p.links {
		p.links[i].InContent = contentLinks[p.links[i].URL]
	}
	d.Links = p.links
	var heading string
	d.Headings, heading = headings(main)
	d.Title = chooseTitle(d, main, heading)
	d.Print = looksPrint(p.base, d)
	md, err := Markdown(main, p.base.String())
	if err != nil {
		return nil, fmt.Errorf("markdown of %s: %w", p.pageURL, err)
	}
	d.Markdown = md
	d.Text = PlainText(main)
	return d, nil
}

// removeJunk drops what is never content: scripts, styles, forms' inputs.
// On the way it finds the panels of accordions, tabs, spoilers and
// <details>, and gives each its label as a heading (panels.go), while
// the buttons that hold labels are still there.
func removeJunk(root *html.Node) {
	var del []*html.Node
	var pf panelFinder
	walk(root, func(n *html.Node) bool {
		if n.Type == html.CommentNode {
			del = append(del, n)
			return false
		}
		if n.Type != html.ElementNode {
			return true
		}
		pf.see(n)
		switch n.DataAtom {
		case atom.Object, atom.Embed:
			if embedsDocument(n) {
				return false // the page's document, shown inside it: its link is content
			}
			del = append(del, n)
			return false
		case atom.Script, atom.Style, atom.Noscript, atom.Template, atom.Input, atom.Select, atom.Textarea, atom.Button, atom.Svg:
			del = append(del, n)
			return false
		}
		return true
	})
	if pf.found() {
		applyPanels(pf.resolve(root))
	}
	for _, n := range del {
		if n.Parent != nil {
			n.Parent.RemoveChild(n)
		}
	}
}

// embedsDocument reports whether an <object> or <embed> shows a document
// file (a PDF the page displays), not a player or a plugin.
func embedsDocument(n *html.Node) bool {
	raw := attr(n, "data")
	if n.DataAtom == atom.Embed {
		raw = attr(n, "src")
	}
	u, err := url.Parse(strings.TrimSpace(raw))
	return err == nil && raw != "" && links.IsFile(u)
}

// dropTemplate removes the site's repeated blocks, top-down, and says
// what went; blocks are the page's fingerprints.
func dropTemplate(root *html.Node, t *Template, blocks *Blocks) []Dropped {
	var out []Dropped
	var del []*html.Node
	walk(root, func(n *html.Node) bool {
		if fp, ok := blocks.fp[n]; ok && n != root && t.repeated(fp) {
			del = append(del, n)
			out = append(out, Dropped{Text: clip(collapse(textOf(n)), 300), Why: "повторяется на большинстве страниц сайта (шаблон)"})
			return false
		}
		return true
	})
	for _, n := range del {
		n.Parent.RemoveChild(n)
	}
	return out
}

// chooseMain picks the main-content element: a landmark if the page has
// one, else the body.
func chooseMain(body *html.Node) *html.Node {
	// A landmark inside a larger one has no more text than it, so the
	// first landmark with text is the outermost one that has any.
	for _, c := range selLandmark.MatchAll(body) {
		if len(collapse(textOf(c))) > 40 {
			return c
		}
	}
	if arts := outermost(selArticles.MatchAll(body)); len(arts) == 1 && len(collapse(textOf(arts[0]))) > 40 {
		return arts[0]
	}
	return body
}

// chooseTitle is the page's title: its first <h1> in main, else heading
// (main's first heading that is not a panel's label), else the HTML
// title without the site's name.
func chooseTitle(d *Document, main *html.Node, heading string) string {
	if h := selH1.MatchFirst(main); h != nil {
		if t := collapse(textOf(h)); t != "" {
			return t
		}
	}
	if heading != "" {
		return heading
	}
	t := d.HTMLTitle
	for _, sep := range []string{" | ", " — ", " - ", " :: ", " / "} {
		if i := strings.Index(t, sep); i > 0 {
			t = t[:i]
		}
	}
	return strings.TrimSpace(t)
}

// headings are the texts of the headings under root, and the first of
// them that is not a panel's label (see panels.go).
func headings(root *html.Node) (out []string, first string) {
	for _, n := range outermost(selHeadings.MatchAll(root)) {
		if t := collapse(textOf(n)); t != "" {
			out = append(out, t)
			if first == "" && !hasAttr(n, labelAttr) {
				first = t
			}
		}
	}
	return out, first
}

// linkAt is an element a link was read from, and the link's index.
type linkAt struct {
	n *html.Node
	i int
}

// linksWithNodes returns the links among found (the page's elements, in
// document order), one per URL and text, and every element they were
// read from.
func linksWithNodes(base *url.URL, found []*html.Node) (out []Link, nodes []linkAt) {
	// One link extractor for the project (package links): the crawler
	// reads the same links from the token stream that this reads from the
	// tree, with the node each came from, so that the main content can
	// tell its own links from the template's.
	v := links.NewVisitor(base)
	seen := map[string]int{}
	for _, n := range found {
		for _, l := range v.Visit(n) {
			switch {
			case l.Target == links.Image || l.Target == links.Script:
				continue // not a link a reader follows
			case l.Via == store.ViaScript || l.Via == store.ViaScriptSrc:
				continue // addresses a script loads, not links of the page's text
			}
			key := l.URL + "\x00" + l.Text
			i, ok := seen[key]
			if !ok {
				i = len(out)
				seen[key] = i
				out = append(out, Link{URL: l.URL, Text: l.Text, Attachment: l.Target == links.File})
			}
			nodes = append(nodes, linkAt{n, i})
		}
	}
	return out, nodes
}

// emptyHead reports whether a parsed page's head has no element: with no
// <title> either, the page was a piece of markup rather than a document
// (the parser makes the html, head and body elements a fragment lacks).
func emptyHead(doc *html.Node) bool {
	for h := doc.FirstChild; h != nil; h = h.NextSibling {
		if h.Type != html.ElementNode || h.DataAtom != atom.Html {
			continue
		}
		for head := h.FirstChild; head != nil; head = head.NextSibling {
			if head.Type == html.ElementNode && head.DataAtom == atom.Head {
				for c := head.FirstChild; c != nil; c = c.NextSibling {
					if c.Type == html.ElementNode {
						return false
					}
				}
			}
		}
	}
	return true
}

// itemprops are the microdata names among found, lower-case.
func itemprops(found []*html.Node) []string {
	set := map[string]bool{}
	for _, n := range found {
		for _, f := range strings.Fields(attr(n, "itemprop")) {
			set[strings.ToLower(f)] = true
		}
	}
	out := make([]string, 0, len(set))
	for k := range set {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func breadcrumbs(root *html.Node) []string {
	bc := selCrumbs.MatchFirst(root)
	if bc == nil {
		return nil
	}
	var out []string
	for _, n := range selCrumbItems.MatchAll(bc) {
		if t := collapse(textOf(n)); t != "" && !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	return out
}

// looksPrint flags print and low-vision copies of a page.
func looksPrint(u *url.URL, d *Document) bool {
	q := strings.ToLower(u.RawQuery)
	p := strings.ToLower(u.Path)
	return strings.Contains(q, "print=") || strings.Contains(q, "tmpl=component") || strings.Contains(p, "_print") ||
		strings.Contains(p, "/print/") || strings.Contains(q, "special=") || strings.Contains(p, "/special/")
}

func inside(n *html.Node, a atom.Atom) bool {
	for p := n.Parent; p != nil; p = p.Parent {
		if p.DataAtom == a {
			return true
		}
	}
	return false
}

func textOf(n *html.Node) string {
	var b bytes.Buffer
	walk(n, func(c *html.Node) bool {
		if c.Type == html.TextNode {
			b.WriteString(c.Data)
			b.WriteByte(' ')
		}
		return !(c.Type == html.ElementNode && (c.DataAtom == atom.Script || c.DataAtom == atom.Style))
	})
	return b.String()
}

// collapse trims s and turns each run of spaces into one, as
// strings.Join(strings.Fields(s), " ") does, without the slice of words.
func collapse(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	word := false
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if unicode.IsSpace(r) {
			word = false
			i += size
			continue
		}
		if !word && b.Len() > 0 {
			b.WriteByte(' ')
		}
		word = true
		b.WriteString(s[i : i+size])
		i += size
	}
	return b.String()
}

func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}

// mirroredFrom reads the original address a mirroring tool wrote into the
// copy («<!-- Mirrored from school.ru/sveden/ by HTTrack Website Copier/3.x
// … -->», at the top of the page), as an absolute http address, or "".
func mirroredFrom(doc *html.Node) string {
	var found string
	var look func(n *html.Node, depth int)
	look = func(n *html.Node, depth int) {
		for c := n.FirstChild; c != nil && found == ""; c = c.NextSibling {
			switch {
			case c.Type == html.CommentNode:
				found = httrackOrigin(c.Data)
			case c.Type == html.ElementNode && depth < 2 && (c.DataAtom == atom.Html || c.DataAtom == atom.Head):
				look(c, depth+1)
			}
		}
	}
	look(doc, 0)
	return found
}

// httrackOrigin is the address in an HTTrack comment, or "".
func httrackOrigin(comment string) string {
	rest, ok := strings.CutPrefix(strings.TrimSpace(comment), "Mirrored from ")
	if !ok {
		return ""
	}
	addr, _, ok := strings.Cut(rest, " by HTTrack")
	addr = strings.TrimSpace(addr)
	if !ok || addr == "" || strings.ContainsAny(addr, " \t\n<>\"") {
		return ""
	}
	if !strings.HasPrefix(addr, "http://") && !strings.HasPrefix(addr, "https://") {
		addr = "http://" + addr
	}
	u, err := url.Parse(addr)
	if err != nil || u.Host == "" {
		return ""
	}
	return u.String()
}

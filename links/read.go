package links

import (
	"net/url"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"perenos/store"
)

// FromHTML returns the links of a decoded HTML page in document order,
// reading it once as a token stream (no tree is built).
func FromHTML(base *url.URL, text string) []Link {
	c := newCollector(base)
	c.tokens(text)
	return c.out
}

// FromScript returns the addresses a script file names in its string
// literals, resolved against base (the page that runs it: a script's
// relative addresses are the page's).
func FromScript(base *url.URL, js string) []Link {
	c := newCollector(base)
	c.script(js, store.ViaScript)
	return c.out
}

// openAnchor is an <a> or <area> whose text is still being read.
type openAnchor struct {
	raw, title, alt string
	file            bool
	text            []byte
	at              int  // where its link goes among the page's links
	handlers        int  // where its handlers' links start (they end at at)
	none            bool // it has no address of its own, only handlers
}

// tokens reads a page as a token stream.
func (c *collector) tokens(text string) {
	z := html.NewTokenizer(strings.NewReader(text))
	var (
		a      *openAnchor
		rawTag atom.Atom // an open script or noscript, whose content is text
		raw    strings.Builder
		f      *form
		sel    *selectMenu
		opt    *option
		optTxt []byte
		attrs  []html.Attribute
		k      *clicked // a clicked element whose text is being read
	)
	endOption := func() {
		if opt != nil && sel != nil {
			t := collapse(string(optTxt))
			if opt.value == "\x00" { // no value attribute: the text is the value
				opt.value = t
			}
			sel.option(opt.value, t)
		}
		opt, optTxt = nil, optTxt[:0]
	}
	endSelect := func() {
		endOption()
		if sel != nil {
			if f != nil {
				f.sels = append(f.sels, sel)
			} else {
				c.finishSelect(sel)
			}
		}
		sel = nil
	}
	endAnchor := func() {
		if a != nil {
			c.label(a.handlers, a.at, anchorLabel(string(a.text), a.title))
			if !a.none {
				before := len(c.out)
				c.finishAnchor(a.at, a.raw, a.title, string(a.text), a.alt, a.file)
				if k != nil && k.from >= a.at { // its links moved along
					k.from += len(c.out) - before
					k.to += len(c.out) - before
				}
			}
		}
		a = nil
	}
	endForm := func() {
		endSelect()
		if f != nil {
			c.finishForm(f)
		}
		f = nil
	}
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			if k != nil {
				c.label(k.from, k.to, string(k.text))
			}
			endAnchor()
			endForm()
			return
		case html.TextToken:
			if rawTag != 0 {
				if raw.Len() < maxScript {
					raw.Write(z.Text())
				}
				continue
			}
			if opt != nil {
				optTxt = append(optTxt, z.Text()...)
			}
			if a != nil && len(a.text) < maxText {
				a.text = append(a.text, z.Text()...)
				a.text = append(a.text, ' ')
			}
			if k != nil && len(k.text) < maxText {
				k.text = append(k.text, z.Text()...)
				k.text = append(k.text, ' ')
			}
		case html.EndTagToken:
			name, _ := z.TagName()
			tag := atom.Lookup(name)
			if k != nil {
				k = c.clickedEnd(k, tag)
			}
			switch tag {
			case atom.A, atom.Area:
				endAnchor()
			case atom.Script, atom.Noscript:
				if rawTag == tag {
					if tag == atom.Script {
						c.script(raw.String(), store.ViaScript)
					} else {
						c.fragment(raw.String(), store.ViaLink)
					}
					rawTag = 0
				}
			case atom.Option:
				endOption()
			case atom.Select:
				endSelect()
			case atom.Form:
				endForm()
			}
		case html.StartTagToken, html.SelfClosingTagToken:
			name, more := z.TagName()
			tag := atom.Lookup(name)
			from := len(c.out)
			if !wanted(tag) {
				// Only its event handlers can hold links: read them
				// without keeping the other attributes.
				handler := false
				for more {
					var key, v []byte
					key, v, more = z.TagAttr()
					if len(key) > 2 && key[0] == 'o' && key[1] == 'n' && len(v) > 0 {
						handler = true
						c.script(string(v), store.ViaOnclick)
					}
				}
				if k != nil {
					k = c.clickedStart(k, tag, handler)
				}
				if handler && len(c.out) > from && tt == html.StartTagToken && !void(tag) {
					k = &clicked{tag: tag, from: from, to: len(c.out)}
				}
				continue
			}
			attrs = attrs[:0]
			for more {
				var key, v []byte
				key, v, more = z.TagAttr()
				if keep(key) {
					attrs = append(attrs, html.Attribute{Key: string(key), Val: string(v)})
				}
			}
			if k != nil {
				k = c.clickedStart(k, tag, hasHandler(attrs))
			}
			c.start(tag, attrs)
			added := len(c.out) - from
			switch tag {
			case atom.A, atom.Area:
				endAnchor()
				from = len(c.out) - added // the anchor before may have moved them
				r, title, file, ok := c.anchor(attrs)
				if ok || added > 0 {
					a = &openAnchor{raw: r, title: title, file: file, at: len(c.out), handlers: from, none: !ok}
					if tag == atom.Area {
						a.alt = attr(attrs, "alt")
					}
					if tt == html.SelfClosingTagToken || tag == atom.Area {
						endAnchor()
					}
				}
			case atom.Img:
				if a != nil && a.alt == "" {
					a.alt = attr(attrs, "alt")
				}
			case atom.Script, atom.Noscript:
				if tt == html.StartTagToken {
					rawTag = tag
					raw.Reset()
				}
			case atom.Form:
				endForm()
				f = newForm(attrs)
			case atom.Input:
				c.label(from, len(c.out), attr(attrs, "value"))
				if f != nil {
					f.input(attrs)
				}
			case atom.Textarea:
				if f != nil {
					f.free = true
				}
			case atom.Select:
				endSelect()
				sel = newSelect(attrs)
			case atom.Option:
				endOption()
				if sel != nil {
					v, ok := hasAttr(attrs, "value")
					if !ok {
						v = "\x00"
					}
					opt = &option{value: v}
				}
			}
			if tag != atom.A && tag != atom.Area && added > 0 && tt == html.StartTagToken && !void(tag) && hasHandler(attrs) {
				k = &clicked{tag: tag, from: from, to: from + added}
			}
		}
	}
}

// keep says whether an attribute can matter to a link (the others, such as
// class and style, are not copied).
func keep(k []byte) bool {
	if len(k) > 2 && k[0] == 'o' && k[1] == 'n' {
		return true
	}
	switch string(k) {
	case "href", "src", "srcset", "data-src", "data", "title", "alt", "download", "name", "value", "type", "method",
		"action", "http-equiv", "content":
		return true
	}
	return false
}

// wanted are the elements whose attributes or content can hold links.
func wanted(tag atom.Atom) bool {
	switch tag {
	case atom.A, atom.Area, atom.Base, atom.Frame, atom.Iframe, atom.Img, atom.Script, atom.Noscript,
		atom.Meta, atom.Embed, atom.Object, atom.Form, atom.Input, atom.Textarea, atom.Select, atom.Option:
		return true
	}
	return false
}

// Visitor collects links from the nodes of a parsed page as a walk reaches
// them, for a caller that walks the tree for its own purposes (extract
// walks each page once). Give it every node once, parents before children.
type Visitor struct {
	c *collector
}

// NewVisitor starts a visitor for a page at base.
func NewVisitor(base *url.URL) *Visitor { return &Visitor{c: newCollector(base)} }

// Visit reads one node and returns the links found at it: an anchor's
// link, a form's menu, a script's addresses. The slice is the tail of
// Links() and valid until the next Visit.
func (v *Visitor) Visit(n *html.Node) []Link {
	if n.Type != html.ElementNode {
		return nil
	}
	c := v.c
	before := len(c.out)
	c.start(n.DataAtom, n.Attr)
	handlers := len(c.out)
	switch n.DataAtom {
	case atom.A, atom.Area:
		raw, title, file, ok := c.anchor(n.Attr)
		text := textOf(n)
		c.label(before, handlers, anchorLabel(text, title))
		if ok {
			alt := ""
			if n.DataAtom == atom.Area {
				alt = attr(n.Attr, "alt")
			} else if img := findImg(n); img != nil {
				alt = attr(img.Attr, "alt")
			}
			c.finishAnchor(len(c.out), raw, title, text, alt, file)
		}
	case atom.Input:
		c.label(before, handlers, attr(n.Attr, "value"))
	case atom.Script:
		if t := n.FirstChild; t != nil && t.Type == html.TextNode {
			c.script(t.Data, store.ViaScript)
		}
	case atom.Noscript:
		if t := n.FirstChild; t != nil && t.Type == html.TextNode {
			c.fragment(t.Data, store.ViaLink)
		}
	case atom.Form:
		f := newForm(n.Attr)
		eachElement(n, func(e *html.Node) {
			switch e.DataAtom {
			case atom.Input:
				f.input(e.Attr)
			case atom.Textarea:
				f.free = true
			case atom.Select:
				f.sels = append(f.sels, readSelect(e))
			}
		})
		c.finishForm(f)
	case atom.Select:
		if !insideForm(n) {
			c.finishSelect(readSelect(n))
		}
	}
	if n.DataAtom != atom.A && n.DataAtom != atom.Area && handlers > before && !void(n.DataAtom) {
		c.clickedNode(n, before, handlers)
	}
	return c.out[before:]
}

// Links returns every link visited so far, in document order.
func (v *Visitor) Links() []Link { return v.c.out }

// FromNode returns the links of a parsed page (or of the subtree at
// root) in document order.
func FromNode(base *url.URL, root *html.Node) []Link {
	v := NewVisitor(base)
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		v.Visit(n)
		for ch := n.FirstChild; ch != nil; ch = ch.NextSibling {
			walk(ch)
		}
	}
	walk(root)
	return v.Links()
}

func readSelect(n *html.Node) *selectMenu {
	s := newSelect(n.Attr)
	eachElement(n, func(e *html.Node) {
		if e.DataAtom == atom.Option {
			t := collapse(textOf(e))
			v, ok := hasAttr(e.Attr, "value")
			if !ok {
				v = t
			}
			s.option(v, t)
		}
	})
	return s
}

func insideForm(n *html.Node) bool {
	for p := n.Parent; p != nil; p = p.Parent {
		if p.Type == html.ElementNode && p.DataAtom == atom.Form {
			return true
		}
	}
	return false
}

// eachElement calls fn for every element below n.
func eachElement(n *html.Node, fn func(*html.Node)) {
	for ch := n.FirstChild; ch != nil; ch = ch.NextSibling {
		if ch.Type == html.ElementNode {
			fn(ch)
		}
		eachElement(ch, fn)
	}
}

func findImg(n *html.Node) *html.Node {
	var found *html.Node
	eachElement(n, func(e *html.Node) {
		if found == nil && e.DataAtom == atom.Img {
			found = e
		}
	})
	return found
}

// textOf is the text under n, scripts and styles left out.
func textOf(n *html.Node) string {
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		switch n.Type {
		case html.TextNode:
			if b.Len() < maxText {
				b.WriteString(n.Data)
				b.WriteByte(' ')
			}
			return
		case html.ElementNode:
			if n.DataAtom == atom.Script || n.DataAtom == atom.Style {
				return
			}
		}
		for ch := n.FirstChild; ch != nil; ch = ch.NextSibling {
			walk(ch)
		}
	}
	walk(n)
	return b.String()
}

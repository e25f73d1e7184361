package links

import (
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"perenos/store"
)

// An element that is not an anchor but navigates when clicked
// (<td onclick="location.href='sveden.html'">Сведения</td>) names its
// address by its own text, as a menu cell does. Both readers give the
// handler's links that text under one rule, so that they agree: the
// element holds only text and phrasing markup (a row may also hold its
// cells), no anchor and no other handler, and the text is short enough to
// be a label. Anything else leaves the links without text.

// maxClickedText bounds the text of a clicked element read as a label
// (in runes): a longer text is a block of content, not a menu entry.
const maxClickedText = 150

// clickedContent says whether an element may sit inside a clicked element
// whose text labels its links (owner is the clicked element's tag).
func clickedContent(owner, tag atom.Atom) bool {
	switch tag {
	case atom.B, atom.I, atom.U, atom.S, atom.Em, atom.Strong, atom.Span, atom.Font, atom.Small, atom.Big,
		atom.Img, atom.Br, atom.Nobr, atom.Sup, atom.Sub:
		return true
	case atom.Td, atom.Th:
		return owner == atom.Tr
	}
	return false
}

// closes says whether the start of tag ends an open owner whose end tag
// was left out (a cell ends at the next cell or row, an item at the next
// item, a paragraph at the next block), as a browser's parser reads it.
func closes(owner, tag atom.Atom) bool {
	switch owner {
	case atom.Td, atom.Th:
		return tag == atom.Td || tag == atom.Th || tag == atom.Tr || tag == atom.Tbody || tag == atom.Thead || tag == atom.Tfoot
	case atom.Tr:
		return tag == atom.Tr || tag == atom.Tbody || tag == atom.Thead || tag == atom.Tfoot
	case atom.Li:
		return tag == atom.Li
	case atom.Dt, atom.Dd:
		return tag == atom.Dt || tag == atom.Dd
	case atom.Option:
		return tag == atom.Option || tag == atom.Optgroup
	case atom.P:
		switch tag {
		case atom.Address, atom.Article, atom.Aside, atom.Blockquote, atom.Div, atom.Dl, atom.Fieldset, atom.Footer,
			atom.Form, atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6, atom.Header, atom.Hr, atom.Main, atom.Nav,
			atom.Ol, atom.P, atom.Pre, atom.Section, atom.Table, atom.Ul:
			return true
		}
	}
	return false
}

// label gives the handler links at c.out[from:to] the text, if it reads
// as a label.
func (c *collector) label(from, to int, text string) {
	text = collapse(text)
	if text == "" || utf8.RuneCountInString(text) > maxClickedText {
		return
	}
	for i := from; i < to && i < len(c.out); i++ {
		if l := &c.out[i]; l.Via == store.ViaOnclick && l.Text == "" {
			l.Text = text
		}
	}
}

// clicked is a clicked element the token reader is reading the text of.
type clicked struct {
	tag      atom.Atom
	from, to int // its handler's links in the page's links
	depth    int // elements of its own kind opened inside it
	text     []byte
}

// clickedStart reads a start tag while an element's text is being read:
// it returns the element still being read (nil when it ended or can no
// longer label its links). handler says the new element has links of
// its own handlers.
func (c *collector) clickedStart(k *clicked, tag atom.Atom, handler bool) *clicked {
	switch {
	case closes(k.tag, tag):
		c.label(k.from, k.to, string(k.text))
		return nil
	case handler:
		return nil
	case tag == k.tag && !closes(tag, tag):
		k.depth++
		return k
	case clickedContent(k.tag, tag):
		return k
	}
	return nil
}

// clickedEnd reads an end tag while an element's text is being read.
func (c *collector) clickedEnd(k *clicked, tag atom.Atom) *clicked {
	switch {
	case tag == k.tag && k.depth > 0:
		k.depth--
		return k
	case clickedContent(k.tag, tag):
		return k
	}
	c.label(k.from, k.to, string(k.text))
	return nil
}

// clickedNode labels the handler links at c.out[from:to] of element n
// with its text, for the tree reader.
func (c *collector) clickedNode(n *html.Node, from, to int) {
	ok := true
	eachElement(n, func(e *html.Node) {
		if !ok {
			return
		}
		if !clickedContent(n.DataAtom, e.DataAtom) && e.DataAtom != n.DataAtom || hasHandler(e.Attr) {
			ok = false
		}
	})
	if ok {
		c.label(from, to, textOf(n))
	}
}

// hasHandler says whether an element has an event-handler attribute.
func hasHandler(attrs []html.Attribute) bool {
	for _, a := range attrs {
		if len(a.Key) > 2 && a.Key[0] == 'o' && a.Key[1] == 'n' && a.Val != "" {
			return true
		}
	}
	return false
}

// anchorLabel is the text that labels an anchor's handler links: its
// text, else its title.
func anchorLabel(text, title string) string {
	if t := collapse(text); t != "" {
		return t
	}
	return title
}

// void are the elements that have no content and no end tag.
func void(tag atom.Atom) bool {
	switch tag {
	case atom.Area, atom.Base, atom.Br, atom.Col, atom.Embed, atom.Hr, atom.Img, atom.Input, atom.Link, atom.Meta,
		atom.Param, atom.Source, atom.Track, atom.Wbr:
		return true
	}
	return false
}

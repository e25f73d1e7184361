package links

import (
	"net/url"
	"slices"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"perenos/store"
)

// Limits that keep one hostile page from costing much.
const (
	maxScript      = 1 << 20 // bytes of one script read for literals
	maxOptions     = 200     // options of one select turned into links
	maxNestedDepth = 3       // HTML inside scripts inside noscript…
)

// collector gathers the links of one page in document order.
type collector struct {
	base    *url.URL
	baseSet bool // only the first <base href> counts
	out     []Link
	depth   int // nesting of HTML read from script strings and noscript
}

func newCollector(base *url.URL) *collector {
	return &collector{base: base}
}

// add resolves raw and records it.
func (c *collector) add(raw, text string, via store.Via, t Target) {
	if l, ok := c.link(raw, text, via, t); ok {
		c.out = append(c.out, l)
	}
}

// link resolves raw into a Link.
func (c *collector) link(raw, text string, via store.Via, t Target) (Link, bool) {
	u, backslash, ok := resolve(c.base, raw)
	if !ok {
		return Link{}, false
	}
	if backslash && via == store.ViaLink {
		via = store.ViaBackslash
	}
	if t == Page && IsFile(u) {
		t = File
	}
	return Link{URL: u.String(), Text: clip(collapse(text), maxText), Via: via, Target: t}, true
}

// viewers are the online document viewers pages embed a file with, and
// the parameter that names the file: the file is the page's document.
var viewers = map[string]string{
	"docs.google.com": "url", "drive.google.com": "url", "view.officeapps.live.com": "src",
}

// viewed adds the document an embedded viewer shows
// (docs.google.com/viewer?url=http://school.ru/ustav.pdf).
func (c *collector) viewed(raw, text string) {
	if raw == "" || !strings.Contains(raw, "?") {
		return
	}
	u, _, ok := resolve(c.base, raw)
	if !ok {
		return
	}
	k, ok := viewers[strings.ToLower(u.Hostname())]
	if !ok {
		return
	}
	if inner := u.Query().Get(k); strings.HasPrefix(inner, "http://") || strings.HasPrefix(inner, "https://") {
		c.add(inner, text, store.ViaEmbed, File)
	}
}

// fragment reads HTML found inside a script string or a <noscript>: its
// links count, found the given way.
func (c *collector) fragment(text string, via store.Via) {
	if c.depth >= maxNestedDepth || !strings.Contains(text, "<") {
		return
	}
	sub := &collector{base: c.base, baseSet: true, depth: c.depth + 1}
	sub.tokens(text)
	for _, l := range sub.out {
		if via != store.ViaLink && (l.Via == store.ViaLink || l.Via == store.ViaBackslash) {
			l.Via = via
		}
		c.out = append(c.out, l)
	}
}

// script reads a script's string literals for addresses.
func (c *collector) script(js string, via store.Via) {
	scriptLiterals(js, func(lit string) { c.add(lit, "", via, Page) }, func(lit string) { c.fragment(lit, via) })
}

// scriptLiterals calls address for each string literal of a script (its
// first maxScript bytes) that reads as an address, and markup, if not nil,
// for each that holds HTML.
func scriptLiterals(js string, address, markup func(lit string)) {
	if len(js) > maxScript {
		js = js[:maxScript]
	}
	scanScript(js, func(lit string, nav bool) {
		if strings.Contains(lit, "<") {
			if markup != nil {
				markup(lit)
			}
			return
		}
		if looksLikeAddress(lit, nav) {
			address(lit)
		}
	})
}

// handlers reads the event-handler attributes of an element.
func (c *collector) handlers(attrs []html.Attribute) {
	for _, a := range attrs {
		if len(a.Key) > 2 && strings.HasPrefix(a.Key, "on") && a.Val != "" {
			c.script(a.Val, store.ViaOnclick)
		}
	}
}

// start handles an element's start tag, except what needs the element's
// content (anchors, scripts, forms, noscript): those the readers finish.
func (c *collector) start(tag atom.Atom, attrs []html.Attribute) {
	c.handlers(attrs)
	switch tag {
	case atom.Base:
		if h := attr(attrs, "href"); h != "" && !c.baseSet {
			if b, err := c.base.Parse(strings.TrimSpace(h)); err == nil {
				c.base, c.baseSet = b, true
			}
		}
	case atom.Frame, atom.Iframe:
		c.add(attr(attrs, "src"), attr(attrs, "title"), store.ViaFrame, Page)
		c.viewed(attr(attrs, "src"), attr(attrs, "title"))
	case atom.Embed:
		c.add(attr(attrs, "src"), attr(attrs, "title"), store.ViaEmbed, File)
		c.viewed(attr(attrs, "src"), attr(attrs, "title"))
	case atom.Object:
		c.add(attr(attrs, "data"), attr(attrs, "title"), store.ViaEmbed, File)
		c.viewed(attr(attrs, "data"), attr(attrs, "title"))
	case atom.Img:
		alt := attr(attrs, "alt")
		src := attr(attrs, "src")
		if src == "" || strings.HasPrefix(src, "data:") {
			src = attr(attrs, "data-src")
		}
		c.add(src, alt, store.ViaImage, Image)
		for _, s := range srcset(attr(attrs, "srcset")) {
			c.add(s, alt, store.ViaImage, Image)
		}
	case atom.Script:
		if s := attr(attrs, "src"); s != "" {
			c.add(s, "", store.ViaScriptSrc, Script)
		}
	case atom.Meta:
		if strings.EqualFold(attr(attrs, "http-equiv"), "refresh") {
			if u := refreshURL(attr(attrs, "content")); u != "" {
				c.add(u, "", store.ViaRefresh, Page)
			}
		}
	}
}

// anchor returns the link an <a> or <area> start tag opens, if any; its
// text is filled in when the element ends.
func (c *collector) anchor(attrs []html.Attribute) (raw, title string, file, ok bool) {
	raw = attr(attrs, "href")
	if strings.TrimSpace(raw) == "" {
		return "", "", false, false
	}
	_, file = hasAttr(attrs, "download")
	return raw, attr(attrs, "title"), file, true
}

// finishAnchor records an anchor's link at position at of the page's
// links (where the anchor opened: before what was found inside it).
func (c *collector) finishAnchor(at int, raw, title, text, alt string, file bool) {
	text = collapse(text)
	if text == "" {
		text = title
	}
	if text == "" {
		text = alt
	}
	t := Page
	if file {
		t = File
	}
	if js, ok := scriptHref(raw); ok {
		// href="javascript:window.open('docs/ustav.pdf')": the address the
		// script opens, with the anchor's text, as a person clicking it
		// reaches it.
		var found []Link
		scriptLiterals(js, func(lit string) {
			if l, ok := c.link(lit, text, store.ViaOnclick, Page); ok {
				found = append(found, l)
			}
		}, nil)
		c.out = slices.Insert(c.out, at, found...)
		return
	}
	if l, ok := c.link(raw, text, store.ViaLink, t); ok {
		c.out = slices.Insert(c.out, at, l)
	}
}

// scriptHref returns the script of a javascript: address, in any case.
func scriptHref(raw string) (string, bool) {
	raw = strings.TrimSpace(raw)
	const scheme = "javascript:"
	if len(raw) < len(scheme) || !strings.EqualFold(raw[:len(scheme)], scheme) {
		return "", false
	}
	return raw[len(scheme):], true
}

// form is a <form> being read: what its GET submission can address.
type form struct {
	action string
	get    bool
	free   bool // has a field a person types into (a search form): not a menu
	hidden []string
	sels   []*selectMenu
}

// selectMenu is a <select> with its options.
type selectMenu struct {
	name    string
	jump    bool // its onchange goes to the chosen value (location=this.value)
	options []option
}

type option struct{ value, text string }

func newForm(attrs []html.Attribute) *form {
	m := strings.ToLower(strings.TrimSpace(attr(attrs, "method")))
	return &form{action: attr(attrs, "action"), get: m == "" || m == "get"}
}

func newSelect(attrs []html.Attribute) *selectMenu {
	on := strings.ToLower(attr(attrs, "onchange"))
	return &selectMenu{name: attr(attrs, "name"),
		jump: strings.Contains(on, "location") || strings.Contains(on, "window.open") || strings.Contains(on, "href")}
}

// input records a form field.
func (f *form) input(attrs []html.Attribute) {
	switch strings.ToLower(attr(attrs, "type")) {
	case "hidden":
		if n := attr(attrs, "name"); n != "" {
			f.hidden = append(f.hidden, url.QueryEscape(n)+"="+url.QueryEscape(attr(attrs, "value")))
		}
	case "submit", "button", "image", "reset", "radio", "checkbox":
	default: // text, search, email, number, …: a form a person fills in
		f.free = true
	}
}

func (s *selectMenu) option(value, text string) {
	if len(s.options) < maxOptions {
		s.options = append(s.options, option{strings.TrimSpace(value), text})
	}
}

// finishSelect records the links of a select outside any form: only a
// jump menu has some.
func (c *collector) finishSelect(s *selectMenu) {
	if !s.jump {
		return
	}
	for _, o := range s.options {
		c.add(o.value, o.text, store.ViaForm, Page)
	}
}

// finishForm records the pages a GET form's selects address: a jump
// menu's values, or the action with each option chosen.
func (c *collector) finishForm(f *form) {
	for _, s := range f.sels {
		if s.jump {
			c.finishSelect(s)
			continue
		}
		if !f.get || f.free || s.name == "" {
			continue
		}
		action, _, ok := Resolve(c.base, f.action)
		if strings.TrimSpace(f.action) == "" {
			action, ok = c.base.String(), true
		}
		if !ok {
			continue
		}
		u, err := url.Parse(action)
		if err != nil {
			continue
		}
		for _, o := range s.options {
			if o.value == "" {
				continue
			}
			q := append(append([]string(nil), f.hidden...), url.QueryEscape(s.name)+"="+url.QueryEscape(o.value))
			v := *u
			v.RawQuery = strings.Join(q, "&") // a GET submission replaces the action's query
			c.add(v.String(), o.text, store.ViaForm, Page)
		}
	}
}

func attr(attrs []html.Attribute, key string) string {
	v, _ := hasAttr(attrs, key)
	return v
}

func hasAttr(attrs []html.Attribute, key string) (string, bool) {
	for _, a := range attrs {
		if a.Namespace == "" && a.Key == key {
			return a.Val, true
		}
	}
	return "", false
}

// srcset returns the addresses of a srcset attribute ("a.jpg 1x, b.jpg 2x").
func srcset(v string) []string {
	var out []string
	for _, part := range strings.Split(v, ",") {
		if f := strings.Fields(part); len(f) > 0 && !strings.HasPrefix(f[0], "data:") {
			out = append(out, f[0])
		}
	}
	return out
}

// refreshURL reads the address of a meta refresh ("5; url=/new.html").
func refreshURL(content string) string {
	_, rest, ok := strings.Cut(content, ";")
	if !ok {
		_, rest, ok = strings.Cut(content, ",")
	}
	if !ok {
		return ""
	}
	rest = strings.TrimSpace(rest)
	if len(rest) >= 3 && strings.EqualFold(rest[:3], "url") {
		if after := strings.TrimSpace(rest[3:]); strings.HasPrefix(after, "=") {
			rest = strings.TrimSpace(after[1:])
		}
	}
	return strings.Trim(rest, `'"`)
}

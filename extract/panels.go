package extract

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// This file keeps the parts of a page that a theme folds into panels:
// accordions, tabs, spoilers and <details>. In the markup a panel's label
// is often far from its text (the tab list above the panes), or in an
// element that the scoring drops (a button, a "card-header"), so the text
// would come out unlabelled, or one panel alone would be taken as the
// page's content. Before the main content is chosen, each panel gets its
// label as a heading at its start and is marked as a panel; the choice of
// the main content then takes a group of panels whole (pageMain).
//
// A panel is named by a control: an element with data-toggle (or
// data-bs-toggle) collapse, tab, pill or list, an element with role="tab",
// a disclosure button (aria-controls with aria-expanded), or a plain link
// to "#id" among tabs or to a panel-like element, whose target
// (data-target, data-bs-target, href or aria-controls) is an element id.
// Controls of other kinds (dropdown menus, modals) and targets that are
// navigation (a menu that a button opens on a phone) are left alone. A
// <details> is a panel labelled by its <summary>, and a spoiler (an
// element whose class names a spoiler) one labelled by its first child.

// panelAttr marks an element as a panel of a group; labelAttr marks a
// heading made from a panel's label.
const (
	panelAttr = "data-perenos-panel"
	labelAttr = "data-perenos-label"
)

// maxLabel is the longest label, in runes, that is taken for a heading.
const maxLabel = 150

// panelFinder gathers, during removeJunk's walk of a page, the elements
// that may label panels.
type panelFinder struct {
	controls  []*html.Node // elements that may name a panel by its id
	summaries []*html.Node
	spoilers  []*html.Node
}

// see looks at one element of the page.
func (f *panelFinder) see(n *html.Node) {
	if n.DataAtom == atom.Summary {
		f.summaries = append(f.summaries, n)
		return
	}
	control := false
	for _, a := range n.Attr {
		switch a.Key {
		case "data-toggle", "data-bs-toggle", "aria-controls":
			control = true
		case "role":
			control = control || strings.EqualFold(a.Val, "tab")
		case "href":
			control = control || n.DataAtom == atom.A && len(a.Val) > 1 && a.Val[0] == '#'
		case "class":
			if containsFold(a.Val, "spoiler") {
				f.spoilers = append(f.spoilers, n)
			}
		}
	}
	if control {
		f.controls = append(f.controls, n)
	}
}

// found reports whether the page has anything that may be a panel.
func (f *panelFinder) found() bool {
	return len(f.controls) > 0 || len(f.summaries) > 0 || len(f.spoilers) > 0
}

// panelLabel is a label to put at the start of a panel, and the controls
// it came from (removed once the label is in place).
type panelLabel struct {
	panel    *html.Node
	text     string
	controls []*html.Node
}

// resolve works out the panels and their labels while the page is whole
// (before removeJunk takes out buttons and inputs).
func (f *panelFinder) resolve(root *html.Node) []panelLabel {
	var out []panelLabel
	if len(f.controls) > 0 {
		out = f.resolveControls(root)
	}
	for _, sp := range f.spoilers {
		if l, ok := spoilerLabel(sp); ok {
			out = append(out, l)
		}
	}
	for _, s := range f.summaries {
		d := s.Parent
		if d == nil || d.DataAtom != atom.Details {
			continue
		}
		// A <details> that opens a menu (on a phone) stays as it is.
		if t := labelText(s); t != "" && !expander(t) && !navLike(d) {
			out = append(out, panelLabel{panel: d, text: t, controls: []*html.Node{s}})
		}
	}
	// One label a panel: the first found (a tab's over a spoiler's title).
	seen := make(map[*html.Node]bool, len(out))
	keep := out[:0]
	for _, l := range out {
		if !seen[l.panel] {
			seen[l.panel] = true
			keep = append(keep, l)
		}
	}
	return keep
}

// panelControl is a control with the id of the element it names.
type panelControl struct {
	n        *html.Node
	id       string
	explicit bool // by data-toggle, role="tab" or aria-expanded, not a mere link to an id
}

func (f *panelFinder) resolveControls(root *html.Node) []panelLabel {
	var cs []panelControl
	want := map[string]*html.Node{}
	for _, c := range f.controls {
		pc, ok := asControl(c)
		if !ok {
			continue
		}
		cs = append(cs, pc)
		want[pc.id] = nil
	}
	if len(cs) == 0 {
		return nil
	}
	// One walk finds the named elements, the first with each id.
	walk(root, func(n *html.Node) bool {
		if n.Type == html.ElementNode {
			if id := attr(n, "id"); id != "" {
				if t, ok := want[id]; ok && t == nil {
					want[id] = n
				}
			}
		}
		return true
	})
	var out []panelLabel
	at := map[*html.Node]int{}
	for _, c := range cs {
		t := want[c.id]
		if t == nil || t.Type != html.ElementNode || isAncestor(t, c.n) || isAncestor(c.n, t) {
			continue
		}
		if !c.explicit && !tabContext(c.n) && !panelLike(t) {
			continue // a link within the page, not a tab
		}
		text := labelText(c.n)
		if text == "" || expander(text) || navTarget(t) {
			continue
		}
		if i, ok := at[t]; ok {
			// A second control of the same panel (a tab and a
			// heading for phones): it goes too if it says the same.
			if normLabel(out[i].text) == normLabel(text) {
				out[i].controls = append(out[i].controls, c.n)
			}
			continue
		}
		at[t] = len(out)
		out = append(out, panelLabel{panel: t, text: text, controls: []*html.Node{c.n}})
	}
	return out
}

// asControl reads the panel that n names, if n is a control of a panel.
func asControl(n *html.Node) (panelControl, bool) {
	toggle := strings.ToLower(strings.TrimSpace(attr(n, "data-toggle")))
	if toggle == "" {
		toggle = strings.ToLower(strings.TrimSpace(attr(n, "data-bs-toggle")))
	}
	explicit := false
	switch toggle {
	case "collapse", "tab", "pill", "list", "tabs", "pills":
		explicit = true
	case "":
	default:
		return panelControl{}, false // dropdown, modal, tooltip, …
	}
	if strings.EqualFold(attr(n, "role"), "tab") {
		explicit = true
	}
	if attr(n, "aria-haspopup") != "" && !strings.EqualFold(attr(n, "aria-haspopup"), "false") {
		return panelControl{}, false // opens a menu
	}
	id := ""
	for _, k := range []string{"data-bs-target", "data-target", "href"} {
		if v := strings.TrimSpace(attr(n, k)); len(v) > 1 && v[0] == '#' && simpleID(v[1:]) {
			id = v[1:]
			break
		}
	}
	if id == "" {
		if v := strings.TrimSpace(attr(n, "aria-controls")); simpleID(v) &&
			(explicit || attr(n, "aria-expanded") != "" || n.DataAtom == atom.A) {
			id = v
		}
	}
	if id == "" {
		return panelControl{}, false
	}
	return panelControl{n: n, id: id, explicit: explicit || attr(n, "aria-expanded") != ""}, true
}

// simpleID reports whether s is one id, not a list or a selector.
func simpleID(s string) bool {
	return s != "" && !strings.ContainsAny(s, " \t\n.,[]>:#*\"'")
}

// Words (parts of classes and ids) of a list of tabs, and of panels.
var (
	tabTokens = map[string]bool{"tab": true, "tabs": true, "tablist": true, "tabset": true, "tabbed": true}
	// not "panel": Bootstrap 3 calls any box a panel, jQuery Mobile a page's wrapper
	panelTokens = map[string]bool{"tab": true, "tabs": true, "tabpanel": true, "pane": true, "collapse": true,
		"collapsible": true, "spoiler": true, "accordion": true, "accordeon": true, "akkordeon": true}
)

// inPaneTokens are the words of a tab's pane ("tab-pane", "tab-content"),
// where a link is in a panel's text, not in the list of tabs.
var inPaneTokens = map[string]bool{"pane": true, "content": true, "panel": true, "tabpanel": true, "body": true}

// tabContext reports whether the link n sits in a list of tabs: an
// ancestor close above it (the list or its box) named or marked as tabs,
// and not a tab's pane (a table of contents inside a tab is not tabs).
func tabContext(n *html.Node) bool {
	for a, k := n.Parent, 0; a != nil && a.Type == html.ElementNode && k < 4; a, k = a.Parent, k+1 {
		role := strings.ToLower(attr(a, "role"))
		if role == "tablist" {
			return true
		}
		ic := idClass(a)
		if role == "tabpanel" || ic != "" && tokensAny(ic, inPaneTokens) {
			return false
		}
		if ic != "" && tokensAny(ic, tabTokens) {
			return true
		}
	}
	return false
}

// panelLike reports whether t is named as a panel (a tab pane, a
// collapsible block) or marked as one by its role.
func panelLike(t *html.Node) bool {
	if strings.EqualFold(attr(t, "role"), "tabpanel") {
		return true
	}
	ic := idClass(t)
	return ic != "" && tokensAny(ic, panelTokens)
}

// navTokens are the words of menus that a button opens.
var navTokens = map[string]bool{"nav": true, "navbar": true, "navigation": true, "dropdown": true,
	"offcanvas": true, "sidebar": true, "search": true, "modal": true, "popup": true}

// navTarget reports whether t is not a panel of text: navigation or a
// widget (see navLike), or an element that is not a box at all.
func navTarget(t *html.Node) bool {
	switch t.DataAtom {
	case atom.Div, atom.Section, atom.Article, atom.Fieldset, atom.Dd, atom.Li:
		return navLike(t)
	}
	return true // a menu, a form, or a heading or paragraph (an anchor's target), not a box of text
}

// navSample is how much of a box's text navLike reads.
const navSample = 3000

// navLike reports whether the box t is navigation or a widget rather than
// text: a menu by its role, its name or its links (mostly to other
// pages), or an empty box that a script fills.
func navLike(t *html.Node) bool {
	if unlikelyRoles[strings.ToLower(attr(t, "role"))] {
		return true
	}
	if ic := idClass(t); ic != "" && tokensAny(ic, navTokens) {
		return true
	}
	text, link, nav := 0, 0, false
	var count func(n *html.Node, inLink bool)
	count = func(n *html.Node, inLink bool) {
		switch n.Type {
		case html.TextNode:
			l := textLen(n.Data)
			text += l
			if inLink {
				link += l
			}
			return
		case html.ElementNode:
			switch n.DataAtom {
			case atom.Nav:
				nav = true
				return
			case atom.Script, atom.Style:
				return
			case atom.A:
				inLink = inLink || isNavLink(n)
			}
		}
		// The first few thousand characters tell a menu from a text,
		// and a page of panels inside panels is not read over and over.
		for c := n.FirstChild; c != nil && !nav && text < navSample; c = c.NextSibling {
			count(c, inLink)
		}
	}
	count(t, false)
	return nav || text == 0 || link*2 > text
}

// expanders are labels of a control that shows more of a text, not the
// name of a part (normalized as normLabel does).
var expanders = map[string]bool{"подробнее": true, "читать далее": true, "читать полностью": true, "далее": true,
	"показать": true, "показать все": true, "показать всё": true, "показать еще": true, "показать ещё": true,
	"еще": true, "ещё": true, "развернуть": true, "свернуть": true, "скрыть": true, "открыть": true,
	"закрыть": true, "меню": true, "read more": true, "more": true, "show more": true, "show": true, "hide": true,
	"toggle navigation": true, "menu": true, "подробно": true, "узнать больше": true}

// expander reports whether s labels a control that shows more, or a
// link that skips to the content («Skip to main content»).
func expander(s string) bool {
	n := normLabel(s)
	return expanders[n] || strings.HasPrefix(n, "skip to") || strings.HasPrefix(n, "перейти к")
}

// labelText is the text of a control or a summary, spaces collapsed; ""
// when it has no letter or digit or is too long to be a label.
func labelText(n *html.Node) string {
	var b strings.Builder
	var visit func(c *html.Node)
	visit = func(c *html.Node) {
		if b.Len() > 8*maxLabel {
			return
		}
		switch c.Type {
		case html.TextNode:
			b.WriteString(c.Data)
			b.WriteByte(' ')
			return
		case html.ElementNode:
			switch c.DataAtom {
			case atom.Script, atom.Style, atom.Svg, atom.Select, atom.Textarea:
				return
			case atom.Input:
				// A spoiler's button is an <input> that shows its label.
				if t := strings.ToLower(attr(c, "type")); t == "button" || t == "submit" {
					b.WriteString(attr(c, "value"))
					b.WriteByte(' ')
				}
				return
			}
			if _, hidden := hiddenAttr(c); hidden {
				return
			}
		}
		for x := c.FirstChild; x != nil; x = x.NextSibling {
			visit(x)
		}
	}
	visit(n)
	t := collapse(b.String())
	if t == "" || utf8.RuneCountInString(t) > maxLabel || strings.IndexFunc(t, func(r rune) bool {
		return unicode.IsLetter(r) || unicode.IsDigit(r)
	}) < 0 {
		return ""
	}
	return t
}

// normLabel is s lower-case, its letters and digits only, one space
// between words: for comparing labels with the text they label.
func normLabel(s string) string {
	var b strings.Builder
	space := false
	for _, r := range s {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			if space && b.Len() > 0 {
				b.WriteByte(' ')
			}
			space = false
			b.WriteRune(unicode.ToLower(r))
		default:
			space = true
		}
	}
	return b.String()
}

// spoilerLabel reads a spoiler: an element named so whose first element
// child is a short title (or a button with its label) and whose other
// children hold the text.
func spoilerLabel(sp *html.Node) (panelLabel, bool) {
	if !spoilerBox(attr(sp, "class")) {
		return panelLabel{}, false
	}
	var head *html.Node
	rest := false
	for c := sp.FirstChild; c != nil; c = c.NextSibling {
		switch {
		case c.Type == html.TextNode && strings.TrimSpace(c.Data) != "" && head == nil:
			return panelLabel{}, false // text before the title: not a spoiler's box
		case c.Type != html.ElementNode:
		case head == nil:
			head = c
		case !rest:
			rest = !emptyBox(c)
		}
	}
	if head == nil || !rest || head.DataAtom == atom.Summary {
		return panelLabel{}, false
	}
	blocky := false
	walk(head, func(n *html.Node) bool {
		switch n.DataAtom {
		case atom.Div, atom.Ul, atom.Ol, atom.Table, atom.Details, atom.Section, atom.Article, atom.Blockquote:
			blocky = blocky || n != head
		}
		return !blocky
	})
	if blocky {
		return panelLabel{}, false
	}
	t := labelText(head)
	if t == "" || expander(t) || navLike(sp) {
		return panelLabel{}, false
	}
	return panelLabel{panel: sp, text: t, controls: []*html.Node{head}}, true
}

// spoilerParts are the ends of the class names of a spoiler's parts
// ("su-spoiler-title", "uSpoilerText"), not of the spoiler's own box.
var spoilerParts = []string{"title", "head", "header", "heading", "body", "content", "text", "inner", "button", "btn",
	"butbl", "icon", "toggle", "toggler", "link", "label", "caption"}

// spoilerBox reports whether a class attribute names a spoiler's box: a
// class word holds "spoiler" and does not name one of its parts.
func spoilerBox(class string) bool {
	for _, w := range strings.Fields(strings.ToLower(class)) {
		if !strings.Contains(w, "spoiler") {
			continue
		}
		part := false
		for _, e := range spoilerParts {
			part = part || strings.HasSuffix(w, e)
		}
		if !part {
			return true
		}
	}
	return false
}

// applyPanels marks each panel and puts its label at its start as a
// heading, unless the panel already begins with it or with a heading of
// its own; the controls are removed, with the boxes they leave empty (a
// tab list, a card's header). Panels hidden by the widget's state are
// shown: the page's reader opens them all.
func applyPanels(labels []panelLabel) {
	for _, l := range labels {
		l.panel.Attr = append(l.panel.Attr, html.Attribute{Key: panelAttr})
	}
	for _, l := range labels {
		p := l.panel
		unhide(p)
		if l.controls[0].Parent == p {
			// A summary's or a spoiler's text is hidden beside its title.
			unhideChildren(p)
		}
		if p.DataAtom == atom.Details || !ownTitle(p, l.controls, l.text) {
			h := labelHeading(p, l.text)
			// The heading takes the place of a control inside the panel
			// (a summary, a spoiler's title), or goes first.
			if c := l.controls[0]; c.Parent == p {
				p.InsertBefore(h, c)
			} else {
				p.InsertBefore(h, p.FirstChild)
			}
		}
		// The controls go, their label now in the panel (or there
		// already): a tab list would stand between the page's heading
		// and its text, a card's header repeat the label.
		for _, c := range l.controls {
			removeControl(c, p)
		}
	}
}

// labelHeading is the heading for a panel's label: level 3, one deeper
// for each panel the panel is in, and above the panel's own headings.
func labelHeading(p *html.Node, text string) *html.Node {
	level := 3
	for a := p.Parent; a != nil; a = a.Parent {
		if a.Type == html.ElementNode && hasAttr(a, panelAttr) {
			level++
		}
	}
	inner := 7
	walk(p, func(n *html.Node) bool {
		if n.Type != html.ElementNode {
			return n.Type == html.DocumentNode
		}
		if hasAttr(n, labelAttr) {
			return false
		}
		if n != p && hasAttr(n, panelAttr) {
			return false
		}
		switch n.DataAtom {
		case atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6:
			inner = min(inner, int(n.Data[1]-'0'))
			return false
		}
		return true
	})
	if inner <= level {
		level = inner - 1
	}
	level = max(2, min(level, 6))
	tag := "h" + strconv.Itoa(level)
	h := &html.Node{Type: html.ElementNode, Data: tag, DataAtom: atom.Lookup([]byte(tag)),
		Attr: []html.Attribute{{Key: labelAttr}}}
	h.AppendChild(&html.Node{Type: html.TextNode, Data: text})
	return h
}

func hasAttr(n *html.Node, key string) bool {
	for _, a := range n.Attr {
		if a.Key == key {
			return true
		}
	}
	return false
}

// ownTitle reports whether the panel, leaving out its controls, already
// begins with its title: the label's words, or a heading of its own.
func ownTitle(p *html.Node, controls []*html.Node, label string) bool {
	want := normLabel(label)
	limit := len(want) + 80
	var b strings.Builder
	heading := false
	var visit func(n *html.Node)
	visit = func(n *html.Node) {
		if b.Len() > limit || heading {
			return
		}
		for _, c := range controls {
			if n == c {
				return
			}
		}
		switch n.Type {
		case html.TextNode:
			b.WriteString(n.Data)
			b.WriteByte(' ')
			return
		case html.ElementNode:
			switch n.DataAtom {
			case atom.Script, atom.Style:
				return
			case atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6:
				if strings.TrimSpace(b.String()) == "" && rawTextLen(n) > 0 {
					heading = true
					return
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			visit(c)
		}
	}
	visit(p)
	return heading || want != "" && strings.HasPrefix(normLabel(b.String()), want)
}

// removeControl takes a control out of the page, with the elements it
// leaves without text or images, up to the panel p or an element that
// still holds something.
func removeControl(c, p *html.Node) {
	parent := c.Parent
	if parent == nil {
		return
	}
	parent.RemoveChild(c)
	for n := parent; n != nil && n != p && n.Type == html.ElementNode && n.Parent != nil; {
		switch n.DataAtom {
		case atom.Body, atom.Html, atom.Main, atom.Article:
			return
		}
		if hasAttr(n, panelAttr) || !emptyBox(n) {
			return
		}
		up := n.Parent
		up.RemoveChild(n)
		n = up
	}
}

// emptyBox reports whether n holds no text and nothing shown.
func emptyBox(n *html.Node) bool {
	empty := true
	walk(n, func(c *html.Node) bool {
		if !empty {
			return false
		}
		switch c.Type {
		case html.TextNode:
			empty = strings.TrimSpace(c.Data) == ""
		case html.ElementNode:
			switch c.DataAtom {
			case atom.Img, atom.Iframe, atom.Object, atom.Embed, atom.Video, atom.Audio, atom.Table, atom.Picture:
				empty = false
			}
		}
		return empty
	})
	return empty
}

// unhide removes what hides n by its markup.
func unhide(n *html.Node) {
	if _, hidden := hiddenAttr(n); !hidden {
		return
	}
	out := n.Attr[:0]
	for _, a := range n.Attr {
		switch strings.ToLower(a.Key) {
		case "hidden":
			continue
		case "aria-hidden":
			if strings.EqualFold(a.Val, "true") {
				continue
			}
		case "style":
			st := strings.ToLower(strings.ReplaceAll(a.Val, " ", ""))
			if strings.Contains(st, "display:none") || strings.Contains(st, "visibility:hidden") {
				continue
			}
		}
		out = append(out, a)
	}
	n.Attr = out
}

func unhideChildren(p *html.Node) {
	for c := p.FirstChild; c != nil; c = c.NextSibling {
		if c.Type == html.ElementNode {
			unhide(c)
		}
	}
}

// isPanel reports whether n was marked a panel of a group.
func isPanel(n *html.Node) bool { return n.Type == html.ElementNode && hasAttr(n, panelAttr) }

// wholePanels widens top, when it is a panel or inside one, to the
// group of panels it belongs to: the nearest ancestor (a few levels up)
// that holds another panel and whose text is mostly its panels'. One tab
// or one card of an accordion is never the main content alone.
func (s *pageScorer) wholePanels(top, body *html.Node) *html.Node {
	for range 4 {
		var panel *html.Node
		for a, k := top, 0; a != nil && a != body && a.Type == html.ElementNode && k < 8; a, k = a.Parent, k+1 {
			if isPanel(a) {
				panel = a
				break
			}
		}
		if panel == nil {
			return top
		}
		g := s.panelGroup(panel, body)
		if g == nil {
			return top
		}
		top = g
	}
	return top
}

// panelGroup is the group of panels around the panel p, or nil.
func (s *pageScorer) panelGroup(p, body *html.Node) *html.Node {
	for g, k := p.Parent, 0; g != nil && g != body && g.Type == html.ElementNode && k < 4; g, k = g.Parent, k+1 {
		if s.excluded[g] != "" {
			return nil
		}
		panels, text := 0, 0
		walk(g, func(n *html.Node) bool {
			if n.Type != html.ElementNode || n == g {
				return n == g
			}
			if isPanel(n) {
				panels++
				if st := s.stats[n]; st != nil {
					text += st.text
				}
				return false
			}
			return true
		})
		if panels < 2 {
			continue
		}
		gs := s.stats[g]
		if gs == nil || text*2 < gs.text {
			return nil
		}
		return g
	}
	return nil
}

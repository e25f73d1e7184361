package records

import (
	"net/url"
	"slices"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// propsOf returns the official names of n's itemprop tokens.
func propsOf(n *html.Node) []string {
	if n.Type != html.ElementNode {
		return nil
	}
	raw := attr(n, "itemprop")
	if raw == "" {
		return nil
	}
	var out []string
	foreign := -1 // computed when first needed
	for _, f := range strings.Fields(raw) {
		c, ok := Canonical(f)
		if !ok {
			continue
		}
		if schemaNames[c] {
			if foreign < 0 {
				foreign = 0
				if foreignScope(n) {
					foreign = 1
				}
			}
			if foreign == 1 {
				continue
			}
		}
		out = append(out, c)
	}
	return out
}

func mainTagOf(n *html.Node) string {
	for _, p := range propsOf(n) {
		if IsMainTag(p) {
			return p
		}
	}
	return ""
}

// microdata turns itemprop markup into records: one per main tag, document
// records for loose document links, addRef links, and one "sveden" record
// with the page's loose values.
func (x *extractor) microdata() {
	// main tags in document order; a main tag nested in another is its own
	// record (MR-v9 evaluates one level only).
	props := x.nodes().props
	var mains []*html.Node
	for _, n := range props {
		if mainTagOf(n) != "" {
			mains = append(mains, n)
		}
	}
	for _, m := range mains {
		for _, unit := range splitRows(m) {
			x.mainRecord(m, unit)
		}
	}
	loose := Record{Type: "sveden", Fields: map[string]string{}, Method: "microdata"}
	var looseNodes []*html.Node
	for _, n := range props {
		props := propsOf(n)
		if len(props) == 0 || nearestMain(n) != nil || mainTagOf(n) != "" {
			continue
		}
		for _, p := range props {
			if ignoredProps[p] {
				continue
			}
			x.claim(n)
			switch {
			case p == "addRef":
				if u := x.href(n); u != "" {
					x.add(n, Record{Type: "addRef", Method: "microdata", Fields: map[string]string{"url": u, "title": textOf(n)}})
				}
			case isLinkProp(p):
				x.linkRecords(n, p)
			default:
				v := x.value(n, p)
				if v == "" {
					continue
				}
				if old := loose.Fields[p]; old != "" {
					if !strings.Contains(old, v) {
						loose.Fields[p] = old + "; " + v
					}
				} else {
					loose.Fields[p] = v
				}
				looseNodes = append(looseNodes, n)
			}
		}
	}
	if len(loose.Fields) > 0 {
		src := looseNodes[0]
		for _, n := range looseNodes[1:] {
			src = lca(src, n)
		}
		x.add(src, loose)
	}
}

// nearestMain is the closest ancestor of n that is a main tag.
func nearestMain(n *html.Node) *html.Node {
	for p := n.Parent; p != nil; p = p.Parent {
		if mainTagOf(p) != "" {
			return p
		}
	}
	return nil
}

// splitRows handles a legacy misuse: a main tag on a whole table or list
// whose rows repeat the child props. Each row then is a record.
func splitRows(m *html.Node) []*html.Node {
	switch m.DataAtom {
	case atom.Table, atom.Tbody, atom.Ul, atom.Ol:
	default:
		return []*html.Node{m}
	}
	var rows []*html.Node
	walk(m, func(n *html.Node) bool {
		if n != m && mainTagOf(n) != "" {
			return false
		}
		if n.DataAtom == atom.Tr || n.DataAtom == atom.Li {
			if slices.ContainsFunc(selItemprops.MatchAll(n), func(c *html.Node) bool { return len(propsOf(c)) > 0 }) {
				rows = append(rows, n)
			}
			return false
		}
		return true
	})
	if len(rows) < 2 {
		return []*html.Node{m}
	}
	return rows
}

// mainRecord makes the record of main tag m from the props inside unit
// (m itself, or one of its rows).
func (x *extractor) mainRecord(m, unit *html.Node) {
	typ := mainTagOf(m)
	r := Record{Type: typ, Fields: map[string]string{}, Method: "microdata"}
	walk(unit, func(n *html.Node) bool {
		if skipped(n) {
			return false
		}
		if n != m && mainTagOf(n) != "" {
			return false
		}
		if n == m {
			return true
		}
		for _, p := range propsOf(n) {
			if ignoredProps[p] {
				continue
			}
			v := x.value(n, p)
			if v == "" {
				continue
			}
			if old, ok := r.Fields[p]; ok && old != "" {
				if !strings.Contains(old, v) {
					r.Fields[p] = old + "; " + v
				}
			} else {
				r.Fields[p] = v
			}
		}
		return true
	})
	if len(r.Fields) == 0 {
		// a main tag with no marked children: keep its text, so nothing
		// marked up is lost
		if t := textOf(unit); t != "" {
			r.Fields["text"] = t
		} else {
			return
		}
	}
	x.claim(unit)
	x.add(unit, r)
}

// value is what an itemprop element says: a link for link props, the
// content attribute, or its text; a contact's value without the label a
// page writes inside the element («Телефон: 8 (42352) 3-94-08»), an
// address's lines joined with commas.
func (x *extractor) value(n *html.Node, p string) string {
	v := x.rawValue(n, p)
	switch contactProps[p] {
	case "email":
		if em := findEmails(v); len(em) > 0 {
			return strings.Join(em, "; ")
		}
	case "phone":
		if ph := phonesAsWritten(v); len(ph) > 0 {
			return strings.Join(ph, "; ")
		}
	case "address", "worktime":
		if attr(n, "content") == "" {
			v = joinLines(linesOf(n), contactProps[p] == "address")
		}
		if label, rest, ok := splitLabel(v); ok && rest != "" && (labelOnly(label) != "" || isContactLabel(label)) {
			v = rest
		}
		return strings.TrimSuffix(strings.TrimSpace(v), ".")
	}
	return v
}

// contactProps are the itemprops holding a contact detail, by kind.
var contactProps = map[string]string{
	"email": "email", "mailUchred": "email", "emailFil": "email", "emailRep": "email",
	"telephone": "phone", "telUchred": "phone", "telephoneFil": "phone", "telephoneRep": "phone",
	"address": "address", "addressUchred": "address", "addressFil": "address", "addressRep": "address",
	"workTime": "worktime", "workTimeFil": "worktime", "workTimeRep": "worktime",
}

// joinLines joins an element's lines: an address's with commas (a space
// where a line already ends in one), others with «; ».
func joinLines(ls []line, address bool) string {
	var b strings.Builder
	for i, l := range ls {
		t := strings.TrimSpace(l.text)
		if i > 0 {
			switch {
			case !address:
				b.WriteString("; ")
			case strings.HasSuffix(b.String(), ","):
				b.WriteString(" ")
			default:
				b.WriteString(", ")
			}
		}
		b.WriteString(t)
	}
	return b.String()
}

func (x *extractor) rawValue(n *html.Node, p string) string {
	if c := attr(n, "content"); c != "" && (n.DataAtom == atom.Meta || n.DataAtom == atom.Link || textOf(n) == "") {
		return collapse(c)
	}
	if isLinkProp(p) || p == "site" || strings.HasPrefix(p, "website") {
		if hrefs := x.hrefs(n); len(hrefs) > 0 {
			return strings.Join(hrefs, "; ")
		}
	}
	if n.DataAtom == atom.Time && attr(n, "datetime") != "" && textOf(n) == "" {
		return attr(n, "datetime")
	}
	return textOf(n)
}

// href is the absolute link of n or of its first link descendant.
func (x *extractor) href(n *html.Node) string {
	if h := x.hrefs(n); len(h) > 0 {
		return h[0]
	}
	return ""
}

func (x *extractor) hrefs(n *html.Node) []string {
	var out []string
	for _, c := range outermost(selHrefs.MatchAll(n)) {
		if u := x.resolve(attr(c, "href")); u != "" {
			out = append(out, u)
		}
	}
	return out
}

// resolve makes raw absolute against the page; "" for what is not a web
// link (mailto:, javascript:, fragments).
func (x *extractor) resolve(raw string) string {
	raw = strings.TrimSpace(raw)
	if raw == "" || strings.HasPrefix(raw, "#") {
		return ""
	}
	if strings.Contains(raw, "\\") && !strings.Contains(strings.ToLower(raw), ":") || strings.HasPrefix(strings.ToLower(raw), "http") {
		// browsers read a backslash in a web link as a slash
		// («docs\local_acts\rasp.pdf»)
		raw = strings.ReplaceAll(raw, "\\", "/")
	}
	var u *url.URL
	var err error
	if x.base != nil {
		u, err = x.base.Parse(raw)
	} else {
		u, err = url.Parse(raw)
	}
	if err != nil {
		return ""
	}
	if u.Scheme != "" && u.Scheme != "http" && u.Scheme != "https" {
		return ""
	}
	u.Fragment = ""
	return u.String()
}

// linkRecords makes document records of the links inside a loose link
// prop (licenseDocLink, ustavDocLink, ...). A prop with no link (the word
// «отсутствует») is kept as a document record without a URL.
func (x *extractor) linkRecords(n *html.Node, p string) {
	var anchors []*html.Node
	if n.DataAtom == atom.A {
		anchors = []*html.Node{n}
	} else {
		for _, c := range outermost(selAnchors.MatchAll(n)) {
			if x.resolve(attr(c, "href")) != "" {
				anchors = append(anchors, c)
			}
		}
	}
	if len(anchors) == 0 {
		if t := textOf(n); t != "" {
			x.add(n, Record{Type: "document", Method: "microdata", Fields: map[string]string{"itemprop": p, "kind": p, "title": t}})
		}
		return
	}
	for _, a := range anchors {
		u := x.resolve(attr(a, "href"))
		if u == "" || x.seenURL[u] {
			continue
		}
		r := x.documentOf(a, u)
		r.Method = "microdata"
		r.Fields["itemprop"] = p
		r.Fields["kind"] = p
		x.seenURL[u] = true
		x.claim(a)
		x.add(a, r)
	}
}

// foreignScope reports whether n's itemprop belongs to another vocabulary:
// an item (itemscope) typed as schema.org or the like, as CMS templates emit
// for articles and breadcrumbs (itemprop="name", "url"). The education
// markup has no itemscope, or an obrnadzor itemtype.
func foreignScope(n *html.Node) bool {
	for p := n; p != nil; p = p.Parent {
		if p.Type != html.ElementNode {
			continue
		}
		if _, ok := hasAttr(p, "itemscope"); ok {
			for _, f := range strings.Fields(attr(p, "itemprop")) {
				if c, ok := Canonical(f); ok && IsMainTag(c) {
					return false // a plugin's typed main tag: still ours
				}
			}
			t := strings.ToLower(attr(p, "itemtype"))
			return t != "" && !strings.Contains(t, "obrnadzor")
		}
	}
	return false
}

func hasAttr(n *html.Node, key string) (string, bool) {
	for _, a := range n.Attr {
		if strings.EqualFold(a.Key, key) {
			return a.Val, true
		}
	}
	return "", false
}

// schemaNames are dictionary names that schema.org uses too; inside a
// schema.org item (a CMS's article or breadcrumb markup) they are not the
// education markup.
var schemaNames = map[string]bool{"name": true, "email": true, "telephone": true, "address": true, "site": true}

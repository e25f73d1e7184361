package extract

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/JohannesKaufmann/html-to-markdown/v2/converter"
	"github.com/JohannesKaufmann/html-to-markdown/v2/plugin/base"
	"github.com/JohannesKaufmann/html-to-markdown/v2/plugin/commonmark"
	"github.com/JohannesKaufmann/html-to-markdown/v2/plugin/table"
	"github.com/andybalholm/cascadia"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

var mdConverter = converter.NewConverter(converter.WithPlugins(
	base.NewBasePlugin(),
	commonmark.NewCommonmarkPlugin(),
	table.NewTablePlugin(table.WithHeaderPromotion(true), table.WithSkipEmptyRows(true), table.WithCellPaddingBehavior(table.CellPaddingBehaviorMinimal)),
))

// Markdown converts the content under root to Markdown with absolute links.
// It works on a copy. What the converter does badly on legacy markup is
// fixed first: layout tables are unwrapped, data tables whose cells hold
// line breaks, lists or paragraphs are kept as clean HTML tables (so no
// cells run together), and iframes become links.
func Markdown(root *html.Node, pageURL string) (string, error) {
	base, err := url.Parse(pageURL)
	if err != nil {
		return "", err
	}
	c, err := clone(root)
	if err != nil {
		return "", err
	}
	sanitizeURLs(c, base)
	clampSpans(c)
	iframesToLinks(c, base)
	unwrapLayoutTables(c)
	blocks := map[string]string{}
	keepComplexTables(c, base, blocks)
	out, err := mdConverter.ConvertNode(c, converter.WithDomain(pageURL))
	if err != nil {
		return "", err
	}
	md := string(out)
	for token, htm := range blocks {
		md = strings.Replace(md, token, "\n\n"+htm+"\n\n", 1)
	}
	return strings.TrimSpace(collapseBlankLines(md)), nil
}

// clone copies the tree under n (n's children under a new <div>), so that
// Markdown can rewrite it without touching the page.
func clone(n *html.Node) (*html.Node, error) {
	root := &html.Node{Type: html.ElementNode, Data: "div", DataAtom: atom.Div}
	if n.Type == html.ElementNode || n.Type == html.DocumentNode {
		copyChildren(root, n)
	} else {
		root.AppendChild(copyNode(n))
	}
	return root, nil
}

func copyNode(n *html.Node) *html.Node {
	c := &html.Node{Type: n.Type, DataAtom: n.DataAtom, Data: n.Data, Namespace: n.Namespace}
	if n.Type == html.DocumentNode {
		c.Type, c.Data, c.DataAtom = html.ElementNode, "div", atom.Div
	}
	if len(n.Attr) > 0 {
		c.Attr = append([]html.Attribute(nil), n.Attr...)
	}
	copyChildren(c, n)
	return c
}

func copyChildren(dst, src *html.Node) {
	for ch := src.FirstChild; ch != nil; ch = ch.NextSibling {
		if ch.Type == html.DoctypeNode {
			continue
		}
		dst.AppendChild(copyNode(ch))
	}
}

func iframesToLinks(root *html.Node, base *url.URL) {
	for _, f := range selFrames.MatchAll(root) {
		src := strings.TrimSpace(attr(f, "src"))
		u, err := base.Parse(src)
		if src == "" || err != nil || u.Scheme != "http" && u.Scheme != "https" {
			f.Parent.RemoveChild(f)
			continue
		}
		title := attr(f, "title")
		if title == "" {
			title = "Встроенный объект (карта, видео)"
		}
		p := &html.Node{Type: html.ElementNode, Data: "p", DataAtom: atom.P}
		a := &html.Node{Type: html.ElementNode, Data: "a", DataAtom: atom.A, Attr: []html.Attribute{{Key: "href", Val: u.String()}}}
		a.AppendChild(&html.Node{Type: html.TextNode, Data: title})
		p.AppendChild(a)
		f.Parent.InsertBefore(p, f)
		f.Parent.RemoveChild(f)
	}
}

// sanitizeURLs makes the Markdown safe to show and to upload: a link keeps
// its href only if it resolves to http, https, mailto or tel (so no
// javascript: or data: links survive), and an image keeps its src only if
// it resolves to http or https; otherwise the link becomes its text and
// the image its alt text.
func sanitizeURLs(root *html.Node, base *url.URL) {
	var imgs, unsafe []*html.Node
	for _, n := range selURLs.MatchAll(root) {
		switch n.DataAtom {
		case atom.A, atom.Area:
			if !safeURL(base, attr(n, "href"), true) {
				unsafe = append(unsafe, n)
			}
		case atom.Img:
			if !safeURL(base, attr(n, "src"), false) {
				imgs = append(imgs, n)
			}
		}
	}
	for _, a := range unsafe {
		for c := a.FirstChild; c != nil; {
			next := c.NextSibling
			a.RemoveChild(c)
			a.Parent.InsertBefore(c, a)
			c = next
		}
		a.Parent.RemoveChild(a)
	}
	for _, img := range imgs {
		if alt := strings.TrimSpace(attr(img, "alt")); alt != "" {
			img.Parent.InsertBefore(&html.Node{Type: html.TextNode, Data: alt}, img)
		}
		img.Parent.RemoveChild(img)
	}
}

// maxColspan bounds a cell's colspan; HTML allows 1000, legacy pages
// never need more than a few dozen.
const maxColspan = 100

// clampSpans keeps colspan and rowspan sane: a number from 1, a rowspan no
// longer than the rows left in its table, a colspan at most maxColspan.
// A cell with rowspan="99999999" would otherwise make the table plugin
// build that many rows.
func clampSpans(root *html.Node) {
	for _, t := range selTables.MatchAll(root) {
		var rows []*html.Node
		eachRow(t, func(tr *html.Node) { rows = append(rows, tr) })
		for i, tr := range rows {
			for c := tr.FirstChild; c != nil; c = c.NextSibling {
				if c.DataAtom != atom.Td && c.DataAtom != atom.Th {
					continue
				}
				for k := range c.Attr {
					a := &c.Attr[k]
					switch strings.ToLower(a.Key) {
					case "rowspan":
						a.Val = strconv.Itoa(clampInt(a.Val, len(rows)-i))
					case "colspan":
						a.Val = strconv.Itoa(clampInt(a.Val, maxColspan))
					}
				}
			}
		}
	}
}

// clampInt reads v as a number in [1, hi], 1 when it is not one.
func clampInt(v string, hi int) int {
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil || n < 1 {
		return 1
	}
	return min(n, max(hi, 1))
}

// safeURL reports whether raw resolves against base to an http(s) URL, or
// (for links) a mailto or tel one.
func safeURL(base *url.URL, raw string, link bool) bool {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return false
	}
	u, err := base.Parse(raw)
	if err != nil {
		return false
	}
	switch strings.ToLower(u.Scheme) {
	case "http", "https":
		return u.Host != ""
	case "mailto", "tel":
		return link
	}
	return false
}

// unwrapLayoutTables replaces tables used for page layout (those holding
// other tables, or a single row or column of block content) by their
// cells' contents, innermost last, so data tables inside survive.
func unwrapLayoutTables(root *html.Node) {
	for changed := true; changed; {
		changed = false
		walk(root, func(n *html.Node) bool {
			if changed || n.DataAtom != atom.Table || !isLayoutTable(n) {
				return !changed
			}
			unwrapTable(n)
			changed = true
			return false
		})
	}
}

func isLayoutTable(t *html.Node) bool {
	if strings.EqualFold(attr(t, "role"), "presentation") {
		return true
	}
	nested := false
	rows, maxCols := 0, 0
	blocky := false
	eachRow(t, func(tr *html.Node) {
		rows++
		cols := 0
		for c := tr.FirstChild; c != nil; c = c.NextSibling {
			if c.DataAtom == atom.Td || c.DataAtom == atom.Th {
				cols++
				nested = nested || cascadia.Query(c, selTable) != nil
				blocky = blocky || selBlocky.MatchFirst(c) != nil
			}
		}
		maxCols = max(maxCols, cols)
	})
	return nested || ((rows <= 1 || maxCols <= 1) && blocky)
}

// eachRow calls fn for each row of t (not of nested tables).
func eachRow(t *html.Node, fn func(*html.Node)) {
	var visit func(n *html.Node)
	visit = func(n *html.Node) {
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			switch c.DataAtom {
			case atom.Tr:
				fn(c)
			case atom.Thead, atom.Tbody, atom.Tfoot:
				visit(c)
			}
		}
	}
	visit(t)
}

func unwrapTable(t *html.Node) {
	var cells []*html.Node
	eachRow(t, func(tr *html.Node) {
		for c := tr.FirstChild; c != nil; c = c.NextSibling {
			if c.DataAtom == atom.Td || c.DataAtom == atom.Th {
				cells = append(cells, c)
			}
		}
	})
	for _, cell := range cells {
		div := &html.Node{Type: html.ElementNode, Data: "div", DataAtom: atom.Div}
		for ch := cell.FirstChild; ch != nil; {
			next := ch.NextSibling
			cell.RemoveChild(ch)
			div.AppendChild(ch)
			ch = next
		}
		t.Parent.InsertBefore(div, t)
	}
	t.Parent.RemoveChild(t)
}

// keepComplexTables swaps data tables with multi-line cells for a token,
// and records each as clean HTML to put back into the Markdown.
func keepComplexTables(root *html.Node, base *url.URL, blocks map[string]string) {
	for _, t := range outermost(selTables.MatchAll(root)) {
		if !hasMultilineCells(t) {
			continue
		}
		token := fmt.Sprintf("PERENOSTABLE%dX", len(blocks))
		blocks[token] = cleanTableHTML(t, base)
		p := &html.Node{Type: html.ElementNode, Data: "p", DataAtom: atom.P}
		p.AppendChild(&html.Node{Type: html.TextNode, Data: token})
		t.Parent.InsertBefore(p, t)
		t.Parent.RemoveChild(t)
	}
}

func hasMultilineCells(t *html.Node) bool {
	multi := false
	eachRow(t, func(tr *html.Node) {
		for c := tr.FirstChild; c != nil; c = c.NextSibling {
			if c.DataAtom != atom.Td && c.DataAtom != atom.Th {
				continue
			}
			multi = multi || selMultiline.MatchFirst(c) != nil
		}
	})
	return multi
}

// cleanTableHTML renders a table with only structural tags and safe
// attributes (links made absolute), as an HTML block inside Markdown.
func cleanTableHTML(t *html.Node, base *url.URL) string {
	var b strings.Builder
	var render func(n *html.Node)
	render = func(n *html.Node) {
		switch n.Type {
		case html.TextNode:
			if p := n.Parent; p != nil && strings.TrimSpace(n.Data) == "" {
				switch p.DataAtom {
				case atom.Table, atom.Thead, atom.Tbody, atom.Tfoot, atom.Tr, atom.Ul, atom.Ol:
					return
				}
			}
			if s := collapseInline(n.Data); s != "" {
				b.WriteString(html.EscapeString(s))
			}
			return
		case html.ElementNode:
		default:
			return
		}
		tag := ""
		switch n.DataAtom {
		case atom.Table, atom.Thead, atom.Tbody, atom.Tfoot, atom.Tr, atom.Ul, atom.Ol, atom.Li, atom.B, atom.Strong, atom.I, atom.Em, atom.Sup, atom.Sub:
			tag = n.Data
		case atom.Td, atom.Th:
			tag = n.Data
			b.WriteString("<" + tag)
			for _, k := range []string{"colspan", "rowspan"} {
				if v := attr(n, k); v != "" {
					b.WriteString(" " + k + `="` + html.EscapeString(v) + `"`)
				}
			}
			b.WriteString(">")
			for c := n.FirstChild; c != nil; c = c.NextSibling {
				render(c)
			}
			b.WriteString("</" + tag + ">")
			return
		case atom.Br:
			b.WriteString("<br>")
			return
		case atom.P, atom.Div:
			for c := n.FirstChild; c != nil; c = c.NextSibling {
				render(c)
			}
			b.WriteString("<br>")
			return
		case atom.A:
			href := strings.TrimSpace(attr(n, "href"))
			if u, err := base.Parse(href); err == nil && href != "" && (u.Scheme == "http" || u.Scheme == "https" || u.Scheme == "mailto" || u.Scheme == "tel") {
				b.WriteString(`<a href="` + html.EscapeString(u.String()) + `">`)
				for c := n.FirstChild; c != nil; c = c.NextSibling {
					render(c)
				}
				b.WriteString("</a>")
				return
			}
		case atom.Img:
			if alt := attr(n, "alt"); alt != "" {
				b.WriteString(html.EscapeString("[" + alt + "]"))
			}
			return
		}
		if tag != "" {
			b.WriteString("<" + tag + ">")
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			render(c)
		}
		if tag != "" {
			b.WriteString("</" + tag + ">")
		}
	}
	render(t)
	s := strings.ReplaceAll(b.String(), "<br></td>", "</td>")
	return strings.ReplaceAll(s, "<br></th>", "</th>")
}

func collapseInline(s string) string {
	f := strings.Fields(s)
	if len(f) == 0 {
		if s != "" {
			return " "
		}
		return ""
	}
	out := strings.Join(f, " ")
	if s[0] == ' ' || s[0] == '\n' || s[0] == '\t' {
		out = " " + out
	}
	if last := s[len(s)-1]; last == ' ' || last == '\n' || last == '\t' {
		out += " "
	}
	return out
}

func collapseBlankLines(s string) string {
	for strings.Contains(s, "\n\n\n") {
		s = strings.ReplaceAll(s, "\n\n\n", "\n\n")
	}
	return s
}

// PlainText is the text of the content under root, one block a line.
func PlainText(root *html.Node) string {
	var b strings.Builder
	var visit func(n *html.Node)
	visit = func(n *html.Node) {
		switch n.Type {
		case html.TextNode:
			b.WriteString(n.Data)
			return
		case html.ElementNode:
			switch n.DataAtom {
			case atom.Script, atom.Style, atom.Noscript:
				return
			case atom.Br:
				b.WriteByte('\n')
				return
			case atom.Td, atom.Th:
				b.WriteByte(' ')
			case atom.Img:
				return
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			visit(c)
		}
		if n.Type == html.ElementNode {
			switch n.DataAtom {
			case atom.P, atom.Div, atom.Li, atom.Tr, atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6, atom.Table,
				atom.Ul, atom.Ol, atom.Section, atom.Article, atom.Blockquote, atom.Pre, atom.Dt, atom.Dd, atom.Header, atom.Footer:
				b.WriteByte('\n')
			}
		}
	}
	visit(root)
	var lines []string
	for _, l := range strings.Split(b.String(), "\n") {
		if l = collapse(l); l != "" {
			lines = append(lines, l)
		}
	}
	return strings.Join(lines, "\n")
}

package records

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/andybalholm/cascadia"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// walk visits n and its descendants in document order; visit returns
// false to skip a node's children.
func walk(n *html.Node, visit func(*html.Node) bool) {
	if n == nil || !visit(n) {
		return
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		walk(c, visit)
	}
}

func attr(n *html.Node, key string) string {
	if n == nil {
		return ""
	}
	for _, a := range n.Attr {
		if a.Namespace == "" && strings.EqualFold(a.Key, key) {
			return a.Val
		}
	}
	return ""
}

// skipped elements never hold record text.
func skipped(n *html.Node) bool {
	if n.Type != html.ElementNode {
		return false
	}
	switch n.DataAtom {
	case atom.Script, atom.Style, atom.Noscript, atom.Template, atom.Head, atom.Select, atom.Textarea, atom.Svg:
		return true
	}
	return false
}

// textOf is the visible text of n with whitespace collapsed.
func textOf(n *html.Node) string {
	var b strings.Builder
	walk(n, func(c *html.Node) bool {
		if skipped(c) {
			return false
		}
		if c.Type == html.TextNode {
			b.WriteString(c.Data)
			b.WriteByte(' ')
		}
		if c.Type == html.ElementNode && c.DataAtom == atom.Br {
			b.WriteByte(' ')
		}
		return true
	})
	return collapse(b.String())
}

// collapse trims s and turns each run of spaces (no-break spaces
// included) into one space. A string that is already so comes back as it
// is, without a copy.
func collapse(s string) string { return collapseText(s) }

// collapseText is collapse of a string or of bytes (a line being read).
func collapseText[T string | []byte](s T) string {
	// find the first place s is not collapsed; most strings are
	i, prevSpace := 0, true
	for i < len(s) {
		n := int(spaceBytes[s[i]]) // spaceAt, inlined by hand
		if n == spaceMaybe {
			n = wideSpaceAt(s, i)
		}
		if n > 0 {
			if n > 1 || s[i] != ' ' || prevSpace {
				break
			}
			prevSpace = true
		} else {
			prevSpace = false
		}
		i++
	}
	if i == len(s) {
		if prevSpace && len(s) > 0 {
			return string(s[:len(s)-1]) // a single trailing space
		}
		return string(s)
	}
	b := make([]byte, 0, len(s))
	b = append(b, s[:i]...)
	space := i > 0 && s[i-1] == ' ' || i == 0
	if i > 0 && s[i-1] == ' ' {
		b = b[:len(b)-1]
	}
	for i < len(s) {
		if n := spaceAt(s, i); n > 0 {
			space = true
			i += n
			continue
		}
		if space && len(b) > 0 {
			b = append(b, ' ')
		}
		space = false
		j := i + 1
		for j < len(s) && (spaceBytes[s[j]] == 0 || spaceBytes[s[j]] == spaceMaybe && wideSpaceAt(s, j) == 0) {
			j++
		}
		b = append(b, s[i:j]...)
		i = j
	}
	return string(b)
}

// spaceAt is the size of the space (unicode.IsSpace) that starts at
// s[i:], 0 when none does. It reads the bytes of the spaces past ASCII
// without decoding runes: a space's first byte never continues another
// rune, so a place where one starts is where a decoder would look.
func spaceAt[T string | []byte](s T, i int) int {
	if k := spaceBytes[s[i]]; k != spaceMaybe {
		return int(k)
	}
	return wideSpaceAt(s, i)
}

// spaceBytes tells spaceAt what a byte starts: an ASCII space (1), no
// space (0: a letter, a Russian letter's lead byte D0 or D1, a byte that
// continues a rune), or maybe a space past ASCII (spaceMaybe).
var spaceBytes = func() (t [256]byte) {
	for c := range utf8.RuneSelf {
		if asciiSpace[c] {
			t[c] = 1
		}
	}
	for _, c := range []byte{0xC2, 0xE1, 0xE2, 0xE3} {
		t[c] = spaceMaybe
	}
	return t
}()

const spaceMaybe = 0xFF

// wideSpaceAt is spaceAt of a space past ASCII, whose first byte s[i] is.
func wideSpaceAt[T string | []byte](s T, i int) int {
	switch s[i] {
	case 0xC2: // U+0085, U+00A0
		if i+1 < len(s) && (s[i+1] == 0x85 || s[i+1] == 0xA0) {
			return 2
		}
	case 0xE1: // U+1680
		if i+2 < len(s) && s[i+1] == 0x9A && s[i+2] == 0x80 {
			return 3
		}
	case 0xE2: // U+2000-U+200A, U+2028, U+2029, U+202F, U+205F
		if i+2 < len(s) {
			if d, e := s[i+1], s[i+2]; d == 0x80 && (e >= 0x80 && e <= 0x8A || e == 0xA8 || e == 0xA9 || e == 0xAF) || d == 0x81 && e == 0x9F {
				return 3
			}
		}
	case 0xE3: // U+3000
		if i+2 < len(s) && s[i+1] == 0x80 && s[i+2] == 0x80 {
			return 3
		}
	}
	return 0
}

var asciiSpace = [utf8.RuneSelf]bool{'\t': true, '\n': true, '\v': true, '\f': true, '\r': true, ' ': true}

// isBlock reports elements that start a new line of text.
func isBlock(n *html.Node) bool {
	if n.Type != html.ElementNode {
		return false
	}
	switch n.DataAtom {
	case atom.P, atom.Div, atom.Li, atom.Ul, atom.Ol, atom.Tr, atom.Td, atom.Th, atom.Table, atom.Tbody, atom.Thead,
		atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6, atom.Dd, atom.Dt, atom.Dl, atom.Section, atom.Article,
		atom.Header, atom.Footer, atom.Address, atom.Blockquote, atom.Br, atom.Hr, atom.Main, atom.Aside, atom.Nav,
		atom.Pre, atom.Form, atom.Fieldset, atom.Center, atom.Figure, atom.Figcaption, atom.Caption, atom.Body, atom.Html:
		return true
	}
	return false
}

// line is a run of text between block boundaries, with the element that
// holds it (the nearest block ancestor).
type line struct {
	text  string
	block *html.Node
	// row: the line is a label/value table row («Телефон | 20-30-40»)
	row bool
}

// linesOf splits n's text into lines at block elements and <br>.
func linesOf(n *html.Node) []line {
	var out []line
	var cur []byte // the text of the line being read, kept for the next
	var curBlock *html.Node
	flush := func() {
		if t := collapseText(cur); t != "" {
			out = append(out, line{text: t, block: curBlock})
		}
		cur = cur[:0]
		curBlock = nil
	}
	var rec func(c *html.Node, block *html.Node)
	rec = func(c *html.Node, block *html.Node) {
		if skipped(c) || c.Type == html.CommentNode {
			return
		}
		if c.Type == html.TextNode {
			if curBlock == nil && strings.TrimSpace(c.Data) != "" {
				curBlock = block
			}
			cur = append(cur, c.Data...)
			return
		}
		if c.DataAtom == atom.Img {
			// an icon whose alt text is a contact label («Адрес»,
			// «Часы работы») labels the text beside it
			if alt := collapse(attr(c, "alt")); isContactLabel(alt) {
				if curBlock == nil {
					curBlock = block
				}
				cur = append(cur, " "+alt+": "...)
			}
			return
		}
		b := isBlock(c)
		if b {
			flush()
		}
		if k, v, ok := keyValueRow(c); ok {
			// a two-cell row «Телефон | 20-30-40» reads as one labelled line
			out = append(out, line{text: k + ": " + v, block: c, row: true})
			return
		}
		nb := block
		if b && c.DataAtom != atom.Br {
			nb = c
		}
		if c.Type == html.ElementNode && (c.DataAtom == atom.Td || c.DataAtom == atom.Th) {
			cur = append(cur, ' ')
		}
		for k := c.FirstChild; k != nil; k = k.NextSibling {
			rec(k, nb)
		}
		if b {
			flush()
		}
	}
	rec(n, n)
	flush()
	return out
}

// keyValueRow reads a table row of two cells whose first is a short label.
func keyValueRow(tr *html.Node) (key, value string, ok bool) {
	if tr.Type != html.ElementNode || tr.DataAtom != atom.Tr {
		return "", "", false
	}
	var cells []*html.Node
	for c := tr.FirstChild; c != nil; c = c.NextSibling {
		if c.DataAtom == atom.Td || c.DataAtom == atom.Th {
			cells = append(cells, c)
		}
	}
	if len(cells) != 2 {
		return "", "", false
	}
	key = strings.TrimRight(textOf(cells[0]), ": ")
	if key == "" || len([]rune(key)) > 60 || strings.ContainsAny(key, "0123456789@") || len(linesOf(cells[0])) != 1 {
		return "", "", false
	}
	// a label cell next to a short value, not a layout row (menu | page)
	lines := linesOf(cells[1])
	if len(lines) == 0 || len(lines) > 4 || len([]rune(textOf(cells[1]))) > 300 || cascadia.Query(cells[1], selTable) != nil || len(selA.MatchAll(cells[0])) > 1 {
		return "", "", false
	}
	var parts []string
	for _, l := range lines {
		parts = append(parts, l.text)
	}
	value = strings.Join(parts, "; ")
	return key, value, value != ""
}

// locate is a CSS-like locator of n: tag names with #id or the first class,
// and :nth-of-type when siblings share the tag.
func locate(n *html.Node) string {
	var parts []string
	for c := n; c != nil && c.Type == html.ElementNode; c = c.Parent {
		s := c.Data
		if id := strings.TrimSpace(attr(c, "id")); id != "" && !strings.ContainsAny(id, " >") {
			s += "#" + id
			parts = append(parts, s)
			if c.DataAtom != atom.Html && c.DataAtom != atom.Body {
				// an id is unique enough; keep the path short
				break
			}
			continue
		}
		if cls := strings.Fields(attr(c, "class")); len(cls) > 0 {
			s += "." + cls[0]
		}
		if c.Parent != nil {
			idx, same := 0, 0
			for k := c.Parent.FirstChild; k != nil; k = k.NextSibling {
				if k.Type == html.ElementNode && k.Data == c.Data {
					same++
					if k == c {
						idx = same
					}
				}
			}
			if same > 1 {
				s += fmt.Sprintf(":nth-of-type(%d)", idx)
			}
		}
		parts = append(parts, s)
	}
	for i, j := 0, len(parts)-1; i < j; i, j = i+1, j-1 {
		parts[i], parts[j] = parts[j], parts[i]
	}
	return strings.Join(parts, " > ")
}

// ancestors returns n's element ancestors from n's parent up.
func isAncestor(a, n *html.Node) bool {
	for p := n; p != nil; p = p.Parent {
		if p == a {
			return true
		}
	}
	return false
}

// lca is the lowest common ancestor of a and b.
func lca(a, b *html.Node) *html.Node {
	seen := map[*html.Node]bool{}
	for p := a; p != nil; p = p.Parent {
		seen[p] = true
	}
	for p := b; p != nil; p = p.Parent {
		if seen[p] {
			return p
		}
	}
	return nil
}

func depth(n *html.Node) int {
	d := 0
	for p := n; p != nil; p = p.Parent {
		d++
	}
	return d
}

// fold lower-cases s and folds ё to е, for keyword matching. It keeps the
// byte length of s, so offsets found in the folded text index s itself.
// A string that is already so comes back as it is, without a copy.
func fold(s string) string {
	i := 0
	for i < len(s) {
		c := s[i]
		switch {
		case c < utf8.RuneSelf:
			if 'A' <= c && c <= 'Z' {
				return foldFrom(s, i)
			}
			i++
			continue
		case i+1 < len(s) && (c == 0xD0 && s[i+1] >= 0xB0 && s[i+1] <= 0xBF || c == 0xD1 && s[i+1] >= 0x80 && s[i+1] <= 0x8F): // а-я
			i += 2
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == 'ё' || r != utf8.RuneError && unicode.ToLower(r) != r {
			return foldFrom(s, i)
		}
		i += size // a rune fold keeps: «, –, a byte that is not UTF-8
	}
	return s
}

// foldFrom is fold of s whose bytes before i are already folded.
func foldFrom(s string, i int) string {
	// fold keeps the length: the runs of s that stay are copied whole,
	// the letters that change written between them
	var b strings.Builder
	b.Grow(len(s))
	from := 0 // s[from:i] stays as it is
	set := func(i, size int, folded ...byte) {
		b.WriteString(s[from:i])
		b.Write(folded)
		from = i + size
	}
	for i < len(s) {
		c := s[i]
		switch {
		case c < utf8.RuneSelf:
			// ASCII, the most of it
			if 'A' <= c && c <= 'Z' {
				set(i, 1, c+'a'-'A')
			}
			i++
			continue
		case i+1 < len(s) && c == 0xD0 && s[i+1] >= 0x90 && s[i+1] <= 0x9F: // А-П
			set(i, 2, 0xD0, s[i+1]+0x20)
			i += 2
			continue
		case i+1 < len(s) && c == 0xD0 && s[i+1] >= 0xA0 && s[i+1] <= 0xAF: // Р-Я
			set(i, 2, 0xD1, s[i+1]-0x20)
			i += 2
			continue
		case i+1 < len(s) && (c == 0xD0 && s[i+1] == 0x81 || c == 0xD1 && s[i+1] == 0x91): // Ё, ё
			set(i, 2, 0xD0, 0xB5)
			i += 2
			continue
		case i+1 < len(s) && (c == 0xD0 && s[i+1] >= 0xB0 && s[i+1] <= 0xBF || c == 0xD1 && s[i+1] >= 0x80 && s[i+1] <= 0x8F): // а-я
			i += 2
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size <= 1 {
			i++
			continue
		}
		l := unicode.ToLower(r)
		if l == 'ё' {
			l = 'е'
		}
		if l != r && utf8.RuneLen(l) == size {
			set(i, size, utf8.AppendRune(nil, l)...)
		}
		i += size
	}
	b.WriteString(s[from:])
	return b.String()
}

func containsAny(s string, words ...string) bool {
	for _, w := range words {
		if strings.Contains(s, w) {
			return true
		}
	}
	return false
}

// trimValue removes separators left around a value after its label.
func trimValue(s string) string {
	return strings.Trim(collapse(s), " :–—-;,.•|\t")
}

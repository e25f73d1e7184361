package records

import (
	"sort"
	"strconv"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// tableRows returns the rows of t, not those of nested tables, with their
// cells expanded by colspan.
func tableRows(t *html.Node) [][]*html.Node {
	var rows [][]*html.Node
	var rec func(n *html.Node)
	rec = func(n *html.Node) {
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			if c.Type != html.ElementNode {
				continue
			}
			switch c.DataAtom {
			case atom.Table:
				continue
			case atom.Tr:
				var cells []*html.Node
				for td := c.FirstChild; td != nil; td = td.NextSibling {
					if td.DataAtom == atom.Td || td.DataAtom == atom.Th {
						span, _ := strconv.Atoi(attr(td, "colspan"))
						if span < 1 || span > 20 {
							span = 1
						}
						for range span {
							cells = append(cells, td)
						}
					}
				}
				rows = append(rows, cells)
			default:
				rec(c)
			}
		}
	}
	rec(t)
	return rows
}

// cellValue is a cell's text, its lines joined by "; ".
func cellValue(td *html.Node) string {
	var parts []string
	for _, l := range linesOf(td) {
		parts = append(parts, l.text)
	}
	return strings.Join(parts, "; ")
}

// personHeaders name a column of people without saying «ФИО».
var personHeaders = []string{"врач", "сотрудник", "работник", "педагог", "преподаватель", "учитель", "специалист", "руководитель"}

// staffTables finds tables of people by their header row, or by a column
// of names when there is no header.
func (x *extractor) staffTables() {
	var tables []*html.Node
	for _, n := range x.nodes().tables {
		if !x.isClaimed(n) && !x.containsClaimed(n) {
			tables = append(tables, n)
		}
	}
	// inner tables first: a layout table holding a staff table is not one
	sort.SliceStable(tables, func(i, j int) bool { return depth(tables[i]) > depth(tables[j]) })
	for _, t := range tables {
		if !x.isClaimed(t) && !x.containsClaimed(t) {
			x.staffTable(t)
		}
	}
}

func (x *extractor) staffTable(t *html.Node) {
	rows := tableRows(t)
	if len(rows) < 2 {
		return
	}
	head, cols := -1, map[int]string{}
	for i := 0; i < len(rows) && i < 3; i++ {
		m := map[int]string{}
		personCol := -1
		for j, c := range rows[i] {
			if j > 0 && rows[i][j-1] == c {
				continue
			}
			h := textOf(c)
			if len([]rune(h)) > 90 || IsPersonName(h) {
				continue
			}
			if f := labelField(h); f != "" {
				if _, dup := m[j]; !dup && !hasValue(m, f) {
					m[j] = f
				}
			} else if personCol < 0 && containsAny(fold(h), personHeaders...) {
				personCol = j
			}
		}
		if !hasValue(m, "fio") && personCol >= 0 {
			m[personCol] = "fio"
			// a «Должность» column may be absent: the person header
			// column is then the only key
		}
		if !hasValue(m, "fio") && len(m) >= 1 {
			// «Заведующий отделением», «Начальник»: a column of names
			// under a header this package does not know
			if j := nameColumn(rows[i+1:], len(rows[i])); j >= 0 {
				if _, taken := m[j]; !taken {
					m[j] = "fio"
				}
			}
		}
		if hasValue(m, "fio") && len(m) >= 2 {
			head, cols = i, m
			break
		}
	}
	if head < 0 {
		// no header: a column where most cells are names, next to posts
		head, cols = x.headerless(rows)
		if cols == nil {
			return
		}
	}
	fioCol := -1
	for j, f := range cols {
		if f == "fio" {
			fioCol = j
		}
	}
	type row struct {
		n      *html.Node
		fields map[string]string
	}
	var found []row
	data := 0
	for _, cells := range rows[head+1:] {
		if len(cells) <= fioCol || distinct(cells) < 2 {
			continue
		}
		data++
		name := textOf(cells[fioCol])
		post := ""
		if !IsPersonName(name) {
			n, p, _, ok := nameLine(name)
			if !ok {
				continue
			}
			name, post = n, p
		}
		f := map[string]string{"fio": strings.Trim(name, " ,.;")}
		if post != "" {
			f["post"] = post
		}
		for j, field := range cols {
			if j >= len(cells) || field == "fio" {
				continue
			}
			v := cellValue(cells[j])
			switch field {
			case "phone":
				v = strings.Join(findPhones(v, true), "; ")
			case "email":
				v = strings.Join(findEmails(v), "; ")
			}
			if v != "" && v != "-" && v != "—" {
				f[field] = v
			}
		}
		found = append(found, row{n: cells[0].Parent, fields: f})
	}
	if len(found) == 0 || len(found)*2 < data {
		return
	}
	x.claim(t)
	for _, r := range found {
		x.add(r.n, Record{Type: "staff", Method: "table", Fields: r.fields})
	}
}

func (x *extractor) headerless(rows [][]*html.Node) (int, map[int]string) {
	width := 0
	for _, r := range rows {
		width = max(width, len(r))
	}
	if width < 2 {
		return -1, nil
	}
	for j := 0; j < width; j++ {
		names, posts, n := 0, 0, 0
		for _, r := range rows {
			if j+1 >= len(r) {
				continue
			}
			n++
			if IsPersonName(textOf(r[j])) {
				names++
				if isPost(textOf(r[j+1])) {
					posts++
				}
			}
		}
		if n >= 2 && names*10 >= n*6 && posts*2 >= names {
			return -1, map[int]string{j: "fio", j + 1: "post"}
		}
	}
	return -1, nil
}

func hasValue(m map[int]string, v string) bool {
	for _, x := range m {
		if x == v {
			return true
		}
	}
	return false
}

func distinct(cells []*html.Node) int {
	n := 0
	for i, c := range cells {
		if i == 0 || cells[i-1] != c {
			n++
		}
	}
	return n
}

func isHeading(n *html.Node) bool {
	if n == nil {
		return false
	}
	switch n.DataAtom {
	case atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6:
		return true
	}
	return false
}

// staffCards finds people written as cards, paragraphs or lines: a name
// line (a name split by a line break joined again), then the lines of the
// same card: its post, «Label: value» details, a phone or an e-mail. A
// card without a post line takes the post of the section heading above it
// («Учителя математики»), or the line just before the name when that line
// is a post in the same card.
func (x *extractor) staffCards() {
	lines := x.pageLines()
	sectionPost := ""
	for i := 0; i < len(lines); i++ {
		l := lines[i]
		if x.consumed[i] || x.lineClaimed(l) {
			continue
		}
		text, nameLines := l.text, 1
		if i+1 < len(lines) && lines[i+1].block == l.block && !x.consumed[i+1] {
			if joined, ok := splitName(l.text, lines[i+1].text); ok {
				text, nameLines = joined, 2
			}
		}
		name, post, rest, ok := nameLine(text)
		shaped := false
		if !ok && nameShaped(text) {
			// a name by its shape alone: only with a post line next in
			// the same card
			if j := i + nameLines; j < len(lines) && sameItem(l, lines[j]) && !x.consumed[j] && cleanPost(lines[j].text) != "" && !strings.Contains(lines[j].text, ":") {
				name, ok, shaped = strings.Trim(text, " ,.;:–—-"), true, true
			}
		}
		if !ok {
			if isHeading(l.block) {
				sectionPost = headingPost(l.text)
			}
			continue
		}
		f := map[string]string{"fio": name}
		if post != "" {
			f["post"] = post
		}
		addDetails(f, rest)
		card := cardOf(l.block, text)
		used := []int{}
		// «<b>Главный врач</b><br>Сафронов Виктор Геннадьевич»: the
		// line before the name, in the same card, is its post
		if _, ok := f["post"]; !ok && !shaped && i > 0 && !x.consumed[i-1] && !x.lineClaimed(lines[i-1]) && sameItem(lines[i-1], l) && isAncestor(card, lines[i-1].block) && !isHeading(lines[i-1].block) && !inLink(lines[i-1].block) {
			if p := lines[i-1].text; isPost(p) && !isHonour(p) && len([]rune(p)) < 80 && !strings.Contains(p, ":") {
				f["post"] = strings.Trim(p, " .;:")
				used = append(used, i-1)
			}
		}
		for k := 0; k < nameLines; k++ {
			used = append(used, i+k)
		}
		j := i + nameLines
		described := 0
		for ; j < len(lines) && j-i <= 20; j++ {
			m := lines[j]
			if x.consumed[j] || x.lineClaimed(m) || isHeading(m.block) || !sameItem(l, m) || !isAncestor(card, m.block) {
				break
			}
			if _, _, _, isName := nameLine(m.text); isName {
				break
			}
			if label, value, has := splitLabel(m.text); has {
				field := labelField(label)
				if field == "fio" {
					break
				}
				if field == "" {
					// a detail this package has no name for (an
					// association, a cabinet) is part of the card, not
					// kept; a line with a phone or address under some other
					// label is the page's, not the person's
					if len([]rune(m.text)) > 160 || len(findPhones(m.text, false)) > 0 || len(findEmails(m.text)) > 0 {
						break
					}
					used = append(used, j)
					continue
				}
				switch field {
				case "phone":
					value = strings.Join(findPhones(value, true), "; ")
				case "email":
					value = strings.Join(findEmails(value), "; ")
				case "post":
					if p := cleanPost(value); p != "" {
						value = p
					}
				}
				if value != "" {
					if _, dup := f[field]; dup {
						break
					}
					f[field] = strings.TrimRight(value, " ;")
				}
				used = append(used, j)
				continue
			}
			if isHonour(m.text) && len([]rune(m.text)) < 120 {
				used = append(used, j) // an honour of this person, never a post
				continue
			}
			if p := cleanPost(m.text); p != "" && !strings.Contains(m.text, ":") {
				if _, ok := f["post"]; ok {
					break // the post of the next card, written above its name
				}
				f["post"] = p
				used = append(used, j)
				continue
			}
			if ph := findPhones(m.text, true); len(ph) > 0 && len([]rune(m.text)) < 60 {
				f["phone"] = strings.Join(ph, "; ")
				used = append(used, j)
				continue
			}
			if em := findEmails(m.text); len(em) > 0 && len([]rune(m.text)) < 60 {
				f["email"] = strings.Join(em, "; ")
				used = append(used, j)
				continue
			}
			if described < 3 && len([]rune(m.text)) >= 40 && !strings.Contains(m.text, ":") && !isHeading(m.block) {
				// what the person does, in sentences: part of the card,
				// and the phone and e-mail below it are still theirs
				described++
				used = append(used, j)
				continue
			}
			break
		}
		if _, ok := f["post"]; !ok && sectionPost != "" {
			f["post"] = sectionPost
		}
		if len(f) < 2 {
			continue
		}
		src := lines[used[0]].block
		for _, k := range used[1:] {
			src = lca(src, lines[k].block)
		}
		for _, k := range used {
			x.consumed[k] = true
		}
		x.add(src, Record{Type: "staff", Method: "card", Fields: f})
		i = j - 1
	}
}

// cardOf is the element a person's card is: the nearest ancestor of the
// name's block that holds more than the name (a name in its own <h4> or
// <div class="name"> belongs to the card around it). Lines outside it are
// another card's or the page's.
func cardOf(block *html.Node, name string) *html.Node {
	size := len([]rune(collapse(name)))
	for n := block; n != nil; n = n.Parent {
		switch n.DataAtom {
		case atom.Body, atom.Html:
			return n
		}
		if len([]rune(textOf(n))) > size+2 {
			return n
		}
	}
	return block
}

// splitName joins a name broken by a line break («Фамилия Имя<br>Отчество»).
func splitName(first, second string) (string, bool) {
	if strings.Count(first, " ") != 1 || strings.Contains(second, " ") {
		return "", false
	}
	joined := first + " " + second
	return joined, IsPersonName(joined)
}

// itemTags are the elements that repeat one item each in a list of
// people or documents.
var itemTags = map[atom.Atom]bool{atom.Li: true, atom.Tr: true, atom.Article: true, atom.Section: true, atom.Div: true, atom.Table: true}

// sameItem reports whether two lines belong to one card: they do not sit
// in two sibling elements of one kind (two <li>, two rows, two <div>s of
// one class). Label/value rows count as their table.
func sameItem(a, b line) bool {
	na, nb := a.block, b.block
	if a.row && b.row {
		na, nb = enclosing(na, atom.Table), enclosing(nb, atom.Table)
	}
	if na == nil || nb == nil {
		return false
	}
	top := lca(na, nb)
	if top == nil {
		return false
	}
	ca, cb := childToward(top, na), childToward(top, nb)
	if ca == nil || cb == nil || ca == cb {
		return true
	}
	return !(ca.Type == html.ElementNode && cb.Type == html.ElementNode && ca.DataAtom == cb.DataAtom && itemTags[ca.DataAtom] &&
		attr(ca, "class") == attr(cb, "class"))
}

// childToward is the child of top on the way down to n (nil when n is top).
func childToward(top, n *html.Node) *html.Node {
	for c := n; c != nil; c = c.Parent {
		if c.Parent == top {
			return c
		}
	}
	return nil
}

func enclosing(n *html.Node, a atom.Atom) *html.Node {
	for p := n; p != nil; p = p.Parent {
		if p.DataAtom == a {
			return p
		}
	}
	return n
}

// addDetails reads «Образование: высшее; Категория: высшая; Стаж: 32»,
// what follows a name on its line, into staff fields.
func addDetails(f map[string]string, rest string) {
	for _, part := range strings.Split(rest, ";") {
		label, value, ok := splitLabel(strings.TrimSpace(part))
		if !ok {
			continue
		}
		field := labelField(label)
		value = strings.Trim(value, " .,")
		if field == "" || field == "fio" || value == "" {
			continue
		}
		if _, dup := f[field]; !dup {
			f[field] = value
		}
	}
}

// pageLines are the page's lines, computed once.
func (x *extractor) pageLines() []line {
	if x.lines == nil {
		x.lines = linesOf(x.doc)
		x.consumed = make([]bool, len(x.lines))
	}
	return x.lines
}

// nameColumn is the column where most cells are person names, or -1.
func nameColumn(rows [][]*html.Node, width int) int {
	for j := 0; j < width; j++ {
		names, n := 0, 0
		for _, r := range rows {
			if j >= len(r) || distinct(r) < 2 {
				continue
			}
			n++
			if IsPersonName(textOf(r[j])) {
				names++
			}
		}
		if n >= 2 && names*10 >= n*6 {
			return j
		}
	}
	return -1
}

package records

import (
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// phoneFull is a full number: +7/8 with a code, or a code in brackets
// (the groups may be parted by dashes with spaces around: «8 (42352) 3 – 94
// – 08»). It is written with digits, spaces (\s: tab, newline, form feed,
// return, space), brackets, a plus and dashes (-, –, —) only, and has eight
// digits at least.
const phoneFull = `(?:\+\s?7|8)[\s\-–—]*\(?\s*\d{3,5}\s*\)?[\s\-–—]*\d{1,3}(?:\s?[\-–—]?\s?)\d{2}(?:\s?[\-–—]?\s?)\d{2}|\(\s*\d{3,5}\s*\)\s*\d{1,3}(?:\s?[\-–—]?\s?)\d{2}(?:\s?[\-–—]?\s?)\d{2}`

var (
	// a full number not glued to other digits
	rePhoneFull = regexp.MustCompile(`(?:^|[^\d])(` + phoneFull + `)(?:[^\d]|$)`)
	// the next full number after one: the character after a number may
	// be the one before the next («8-495-123-45-67,8-495-123-45-68»)
	rePhoneFullNext = regexp.MustCompile(`[^\d](` + phoneFull + `)(?:[^\d]|$)`)
	reEmail         = regexp.MustCompile(`[A-Za-z0-9._%+\-]+@[\p{L}0-9\-]+(?:\.[\p{L}0-9\-]+)*\.[\p{L}]{2,}`)
)

// NormalizePhone writes a Russian phone number as +7 and ten digits, or
// as its bare digits when it is a local number without a code.
func NormalizePhone(s string) string {
	var d []rune
	for _, r := range s {
		if r >= '0' && r <= '9' {
			d = append(d, r)
		}
	}
	switch {
	case len(d) == 11 && (d[0] == '7' || d[0] == '8'):
		return "+7" + string(d[1:])
	case len(d) == 10:
		return "+7" + string(d)
	}
	return string(d)
}

func hasPhoneLabel(s string) bool { return hasPhoneLabelFolded(fold(s)) }

// hasPhoneLabelFolded is hasPhoneLabel of a folded text.
func hasPhoneLabelFolded(t string) bool {
	return containsAny(t, "тел", "факс", "phone", "т.:", "т. ", "приемная", "справк", "справочн", "регистратур", "дежурн", "горяч", "запис")
}

// findPhones returns the normalised phone numbers in s. Local numbers
// without a code count only when labelled counts them (a phone label on
// the line or in a table header).
func findPhones(s string, labelled bool) []string {
	digits := digitCount(s)
	if digits < 5 {
		return nil // the shortest local number, 2-30-40, has five
	}
	var out []string
	seen := map[string]bool{}
	addNum := func(p string) {
		n := NormalizePhone(p)
		if len(n) < 5 || seen[n] {
			return
		}
		seen[n] = true
		out = append(out, n)
	}
	rest := s
	if digits >= 8 { // a code in brackets and a number, (3952) 20-30-40
		for _, m := range fullPhones(s) {
			addNum(s[m[2]:m[3]])
			rest = strings.Replace(rest, s[m[2]:m[3]], " ", 1)
		}
	}
	if local := localPhones(rest); len(local) > 0 && (labelled || hasPhoneLabel(s)) {
		for _, p := range local {
			addNum(p)
		}
	}
	return out
}

// fullPhones finds the full numbers of s (see phoneFull) as
// FindAllStringSubmatchIndex of rePhoneFull would, m[0]:m[1] the match
// with the characters around the number and m[2]:m[3] the number, except
// that a number right after another one is found too: the character
// between them is the end of one and the start of the next. The pattern
// has no literal to look for, so it is run only on the runs of s made of
// the characters numbers are written with that hold eight digits, each
// with the character before and after it, which the pattern's «not a
// digit» reads as it would in s.
func fullPhones(s string) [][]int {
	var out [][]int
	for i := 0; i < len(s); {
		size, _ := phoneChar(s, i)
		if size == 0 {
			i++
			continue
		}
		start, digits := i, 0
		for i < len(s) {
			size, digit := phoneChar(s, i)
			if size == 0 {
				break
			}
			if digit {
				digits++
			}
			i += size
		}
		if digits < 8 {
			continue
		}
		a, b := start, i
		if a > 0 {
			_, size := utf8.DecodeLastRuneInString(s[:a])
			a -= size
		}
		if b < len(s) {
			_, size := utf8.DecodeRuneInString(s[b:])
			b += size
		}
		run := s[a:b]
		for at, re := 0, rePhoneFull; at < len(run); re = rePhoneFullNext {
			m := re.FindStringSubmatchIndex(run[at:])
			if m == nil {
				break
			}
			out = append(out, []int{a + at + m[0], a + at + m[1], a + at + m[2], a + at + m[3]})
			at += m[3] // the character after the number, where the next may start
		}
	}
	return out
}

// phoneChar reports the size of the character of a full number that
// starts s[i:] (0 when none starts there) and whether it is a digit.
func phoneChar(s string, i int) (size int, digit bool) {
	switch c := s[i]; {
	case isDigit(c):
		return 1, true
	case c == '+' || c == '(' || c == ')' || c == '-' || c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r':
		return 1, false
	case c == 0xE2 && i+2 < len(s) && s[i+1] == 0x80 && (s[i+2] == 0x93 || s[i+2] == 0x94): // – —
		return 3, false
	}
	return 0, false
}

// localPhones finds the local numbers of s (20-30-40, 2-30-40; trusted
// only next to a phone label): a run of digits and dashes that is one
// whole, not after or before a point or a slash. This is what the pattern
// (?:^|[^\d.\-/])(\d{1,3}-\d{2}-\d{2})(?:[^\d.\-/]|$) finds, except that
// two numbers parted by one character are both found.
func localPhones(s string) []string {
	var out []string
	for i := 0; i < len(s); {
		if !isDigit(s[i]) && s[i] != '-' {
			i++
			continue
		}
		start := i
		for i < len(s) && (isDigit(s[i]) || s[i] == '-') {
			i++
		}
		if localShape(s[start:i]) && (start == 0 || s[start-1] != '.' && s[start-1] != '/') && (i == len(s) || s[i] != '.' && s[i] != '/') {
			out = append(out, s[start:i])
		}
	}
	return out
}

// localShape reports whether s is \d{1,3}-\d{2}-\d{2}.
func localShape(s string) bool {
	n := len(s) - 6 // the digits before the first dash
	if n < 1 || n > 3 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if i == n || i == n+3 {
			if s[i] != '-' {
				return false
			}
		} else if !isDigit(s[i]) {
			return false
		}
	}
	return true
}

func findEmails(s string) []string {
	if !strings.Contains(s, "@") {
		return nil
	}
	var out []string
	for _, e := range reEmail.FindAllString(s, -1) {
		e = strings.ToLower(strings.TrimRight(e, "."))
		dup := false
		for _, o := range out {
			dup = dup || o == e
		}
		if !dup {
			out = append(out, e)
		}
	}
	return out
}

// fact is one contact detail found on a line.
type fact struct {
	kind  string // address, phone, email, worktime
	value string
	line  int
	label bool // came with its label
}

var (
	addressLabels  = []string{"адрес", "местонахождени", "место нахождения", "почтовый адрес", "юридический адрес", "фактический адрес"}
	worktimeLabels = []string{"режим работы", "график работы", "часы работы", "время работы", "режим и график работы", "часы приема",
		"часы и дни приема", "дни и часы приема", "дни приема", "прием по личным вопросам", "прием граждан", "приемные часы"}
	dayWords = []string{"пн", "вт", "ср", "чт", "пт", "сб", "вс", "понедельник", "вторник", "сред", "четверг", "пятниц", "суббот", "воскресень", "выходн", "будни", "ежедневно", "перерыв", "круглосуточно"}
	reClock  = regexp.MustCompile(`\d{1,2}[:.]\d{2}`)
	// markers of a street address without a label
	addrMarkers = []string{"ул.", "улица", "пр-т", "проспект", "пер.", "переулок", "д.", "дом ", "г.", "город", "с.", "село", "пос.", "р-н", "район", "обл.", "область", "край", "мкр", "шоссе", "бульвар", "пл."}
)

// cutAt ends an address or working hours where another detail starts.
func cutAt(s string) string {
	t := fold(s)
	cut := len(s)
	for _, w := range []string{"тел.", "тел:", "телефон", "e-mail", "email", "эл. почта", "факс", "режим работы", "график работы", "справочн", "приемная", " · ", " • ", " | "} {
		if i := strings.Index(t, w); i > 0 && i < cut {
			cut = i
		}
	}
	if digitCount(s) >= 8 {
		if m := fullPhones(s); m != nil && m[0][0] > 0 && m[0][0] < cut {
			cut = m[0][0]
		}
	}
	if strings.IndexByte(s, '@') >= 0 {
		if m := reEmail.FindStringIndex(s); m != nil && m[0] > 0 && m[0] < cut {
			cut = m[0]
		}
	}
	return trimValue(s[:cut])
}

// labelAt reports whether t (folded) starts with one of labels, allowing a
// short lead such as «Наш» or «Юридический».
func labelAt(t string, labels []string) (int, bool) {
	for _, l := range labels {
		// the first place of l is before byte 25 when l is in the
		// window that ends there: look no further
		if i := strings.Index(t[:min(len(t), 24+len(l))], l); i >= 0 {
			return i + len(l), true
		}
	}
	return 0, false
}

// lineFacts reads the contact details of one line.
func lineFacts(text string, idx int) []fact {
	var out []fact
	t := fold(text)
	if end, ok := labelAt(t, addressLabels); ok && strings.Contains(t[end:min(len(t), end+40)], ":") && !isMailOrSiteLabel(t[end:min(len(t), end+40)]) {
		v := text[end:]
		if i := strings.Index(v, ":"); i >= 0 {
			v = v[i+1:]
		}
		if v = cutAt(v); v != "" {
			out = append(out, fact{kind: "address", value: v, line: idx, label: true})
		}
	} else if end, ok := labelAnywhere(t, addressLabels); ok && !isMailOrSiteLabel(t[max(0, end-40):end]) && markers(t[end:]) >= 1 {
		// «…расположено в центре города, по адресу: ул. Садовая, 12.»
		if v := cutAt(text[end:]); v != "" {
			out = append(out, fact{kind: "address", value: v, line: idx, label: true})
		}
	} else if loc := postalIndex(text); loc != nil && markers(t) >= 2 && len([]rune(text)) < 200 {
		// an address without a label starts at its postal index
		start := loc[0]
		if start < len(text) && (text[start] < '0' || text[start] > '9') {
			start++
		}
		out = append(out, fact{kind: "address", value: cutAt(text[start:]), line: idx})
	}
	if end, ok := labelAt(t, worktimeLabels); ok {
		v := text[end:]
		if i := strings.Index(v, ":"); i >= 0 && i < 80 {
			v = v[i+1:]
			out = append(out, fact{kind: "worktime", value: trimValue(v), line: idx, label: true})
		} else if isHoursish(v) {
			// «Режим работы пн–пт 8:00–17:00»; not «Режим работы школы»
			out = append(out, fact{kind: "worktime", value: trimValue(v), line: idx, label: true})
		}
	} else if end, ok := labelAnywhere(t, worktimeLabels); ok {
		// «…, часы работы кабинета: пн–пт 8:00–15:00» later in a line
		out = append(out, fact{kind: "worktime", value: trimValue(text[end:]), line: idx, label: true})
	}
	if ph := findPhones(text, false); len(ph) > 0 {
		out = append(out, fact{kind: "phone", value: strings.Join(ph, "; "), line: idx, label: hasPhoneLabelFolded(t)})
	}
	if em := findEmails(text); len(em) > 0 {
		out = append(out, fact{kind: "email", value: strings.Join(em, "; "), line: idx, label: strings.Contains(t, "mail") || strings.Contains(t, "почт")})
	}
	return out
}

func markers(t string) int {
	n := 0
	for _, m := range addrMarkers {
		if strings.Contains(t, m) {
			n++
		}
	}
	return n
}

func isHoursLine(s string) bool {
	t := fold(s)
	if len([]rune(t)) > 120 {
		return false
	}
	hasDay := false
	for _, w := range strings.FieldsFunc(t, func(r rune) bool { return !unicode.IsLetter(r) }) {
		for _, d := range dayWords {
			if strings.HasPrefix(w, d) {
				hasDay = true
			}
		}
	}
	return hasDay && (reClock.MatchString(t) || strings.Contains(t, "выходн") || strings.Contains(t, "круглосуточно"))
}

// contacts groups the contact details of lines that no other record took
// into contact records: consecutive details of one block, a new record
// when a kind repeats or the details are far apart.
func (x *extractor) contacts() {
	lines := x.pageLines()
	var facts []fact
	for i := 0; i < len(lines); i++ {
		l := lines[i]
		if x.consumed[i] || x.lineClaimed(l) || inLink(l.block) {
			continue
		}
		var fs []fact
		if mayHoldContact(l.text) {
			fs = lineFacts(l.text, i)
		}
		last := i // the last line the facts were read from
		if len(fs) == 0 {
			if kind := labelOnly(l.text); kind != "" {
				// «Адрес:», «Телефон» alone (or an icon's alt): its value
				// is the next line of the same item
				if j := i + 1; j < len(lines) && l.block.DataAtom != atom.Th && !x.consumed[j] && !x.lineClaimed(lines[j]) && sameItem(l, lines[j]) && labelOnly(lines[j].text) == "" && detailLike(kind, lines[j].text) {
					if kind != "worktime" {
						fs = lineFacts(strings.TrimRight(l.text, " :")+": "+lines[j].text, i)
						x.consumed[j] = true
						last = j
					} else {
						fs = []fact{{kind: "worktime", line: i, label: true}}
					}
				}
			}
		}
		for k, f := range fs {
			switch {
			case f.kind == "worktime" && f.value == "":
				// «Режим работы:» alone: the hours follow on their own lines
				var parts []string
				for j := i + 1; j < len(lines) && j <= i+8 && !x.consumed[j] && sameItem(l, lines[j]) && isHoursish(lines[j].text); j++ {
					parts = append(parts, trimValue(lines[j].text))
					x.consumed[j] = true
				}
				fs[k].value = strings.Join(parts, "; ")
			case f.kind == "worktime":
				// more days on the lines below: «Суббота: с 9:00 до 13:00»
				for j := last + 1; j < len(lines) && j <= last+8 && !x.consumed[j] && sameItem(l, lines[j]) && isHoursLine(lines[j].text) && len(lineFacts(lines[j].text, j)) <= 1; j++ {
					fs[k].value += "; " + trimValue(lines[j].text)
					x.consumed[j] = true
				}
			case f.kind == "address" && f.label:
				// an address broken by a line break: the street and
				// house on the next line
				for j := last + 1; j < len(lines) && j <= last+3 && !x.consumed[j] && sameItem(l, lines[j]) && addressPart(lines[j].text); j++ {
					sep := ", "
					if strings.HasSuffix(fs[k].value, ",") {
						sep = " "
					}
					fs[k].value = strings.TrimRight(fs[k].value, " ") + sep + cutAt(lines[j].text)
					x.consumed[j] = true
				}
			}
		}
		for _, f := range fs {
			if f.value != "" {
				facts = append(facts, f)
			}
		}
	}
	var cur []fact
	flush := func() {
		defer func() { cur = nil }()
		if len(cur) == 0 {
			return
		}
		labelled := false
		for _, f := range cur {
			labelled = labelled || f.label
		}
		if len(cur) < 2 && !labelled {
			return
		}
		fields := map[string]string{}
		src := lines[cur[0].line].block
		for _, f := range cur {
			src = lca(src, lines[f.line].block)
			if old := fields[f.kind]; old != "" {
				if !slices.Contains(strings.Split(old, "; "), f.value) {
					fields[f.kind] = old + "; " + f.value // the phone again as the fax: once
				}
			} else {
				fields[f.kind] = f.value
			}
		}
		x.add(src, Record{Type: "contact", Method: "pattern", Fields: fields})
	}
	for _, f := range facts {
		if len(cur) > 0 && !x.sameContact(cur, f) {
			flush()
		}
		cur = append(cur, f)
	}
	flush()
}

// sameContact decides whether f continues the contact collected in cur.
func (x *extractor) sameContact(cur []fact, f fact) bool {
	last := cur[len(cur)-1]
	if f.line-last.line > 6 {
		return false
	}
	for i := len(cur) - 1; i >= 0; i-- {
		c := cur[i]
		if c.kind != f.kind {
			continue
		}
		// more numbers or addresses right below the first belong to the
		// same contact; any other repeated kind starts a new one
		if (f.kind == "phone" || f.kind == "email") && f.line-c.line <= 1 {
			break
		}
		return false
	}
	a := lca(x.lines[cur[0].line].block, x.lines[f.line].block)
	if a == nil {
		return false
	}
	switch a.DataAtom {
	case atom.Body, atom.Html:
		return false
	}
	return a.Type == html.ElementNode
}

func inLink(n *html.Node) bool {
	for p := n; p != nil; p = p.Parent {
		if p.DataAtom == atom.A {
			return true
		}
	}
	return false
}

// labelAnywhere finds a label later in a line, followed by a colon within
// a few words; it returns the offset after the colon.
func labelAnywhere(t string, labels []string) (int, bool) {
	colon := strings.LastIndexByte(t, ':')
	if colon < 0 {
		return 0, false // no colon, no label with its value
	}
	for _, l := range labels {
		// a label after the last colon has none after it: the first
		// place of l counts only before it
		i := strings.Index(t[:colon], l)
		if i < 0 {
			continue
		}
		rest := t[i+len(l):]
		if j := strings.Index(rest, ":"); j >= 0 && j < 40 {
			return i + len(l) + j + 1, true
		}
	}
	return 0, false
}

// isMailOrSiteLabel reads what follows «адрес»: «электронной почты»,
// «сайта» are not street addresses.
func isMailOrSiteLabel(rest string) bool {
	rest = strings.TrimSpace(rest)
	return containsAny(rest, "электрон", "эл.", "e-mail", "email", "почты", "сайт", "интернет")
}

// digitCount counts the ASCII digits of s.
func digitCount(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		if isDigit(s[i]) {
			n++
		}
	}
	return n
}

// postalIndex finds a run of exactly six digits (a Russian postal index)
// and returns its bounds with the character before it, as the pattern
// (?:^|[^\d])\d{6} would; nil when there is none.
func postalIndex(s string) []int {
	for i := 0; i < len(s); {
		if !isDigit(s[i]) {
			i++
			continue
		}
		e := digitRun(s, i)
		if e-i == 6 {
			if i > 0 {
				return []int{i - 1, e}
			}
			return []int{i, e}
		}
		i = e
	}
	return nil
}

// contactLabels are the words that label a contact detail on their own.
var contactLabels = []string{"адрес", "юридический адрес", "фактический адрес", "почтовый адрес", "местонахождение",
	"телефон", "телефоны", "тел.", "тел", "факс", "e-mail", "email", "е-mail", "электронная почта", "эл. почта", "почта",
	"часы работы", "режим работы", "график работы", "время работы", "часы приема"}

// contactLabelSizes are the byte lengths of the contact labels.
var contactLabelSizes = func() map[int]bool {
	m := map[int]bool{}
	for _, l := range contactLabels {
		m[len(l)] = true
	}
	return m
}()

// isContactLabel reports whether s is only a contact label.
func isContactLabel(s string) bool {
	if s == "" || len(s) > 64 {
		return false // the longest label is 35 bytes
	}
	// fold keeps the length and the spaces and colons trimmed: a text of
	// no label's length is none, without folding it
	t := strings.Trim(collapse(s), " :")
	if !contactLabelSizes[len(t)] {
		return false
	}
	t = fold(t)
	for _, l := range contactLabels {
		if t == l {
			return true
		}
	}
	return false
}

// labelOnly is the kind of detail a line that is only a label announces
// («Адрес:», «Часы работы:»), or "".
func labelOnly(s string) string {
	if !isContactLabel(s) {
		return ""
	}
	t := fold(s)
	switch {
	case containsAny(t, "адрес", "местонахожд"):
		return "address"
	case containsAny(t, "работы", "приема"):
		return "worktime"
	case containsAny(t, "тел", "факс"):
		return "phone"
	}
	return "email"
}

var reClockRange = regexp.MustCompile(`\d{1,2}[:.]\d{2}\s*(?:[-–—]|до)\s*\d{1,2}[:.]\d{2}`)

// isHoursish reports whether s reads as working hours: days with times
// (isHoursLine), or a short line with a span of time («секретарь 08:00 –
// 16:00», «с 7.00 до 19.00»).
func isHoursish(s string) bool {
	return isHoursLine(s) || len([]rune(s)) < 80 && reClockRange.MatchString(s)
}

// addressPart reports whether a line continues an address: short, no
// label, no phone or e-mail, with a street or house word.
func addressPart(s string) bool {
	if len([]rune(s)) > 80 || strings.Contains(s, ":") || len(findPhones(s, false)) > 0 || len(findEmails(s)) > 0 {
		return false
	}
	t := fold(s)
	return containsAny(t, "ул.", "ул ", "улица", "пр-т", "проспект", "пер.", "переулок", "д.", "дом ", "шоссе", "бульвар", "пл.", "мкр", "корп", "стр.", "строение", "кв.", "офис")
}

// detailLike reports whether s can be a detail of the kind a label
// announced: an address with a street word, a number or an index; a
// phone number; an e-mail; hours with a time or a day.
func detailLike(kind, s string) bool {
	switch kind {
	case "address":
		return markers(fold(s)) >= 1 || digitCount(s) > 0
	case "phone":
		return len(findPhones(s, true)) > 0
	case "email":
		return len(findEmails(s)) > 0
	}
	return isHoursish(s)
}

// phonesAsWritten returns the phone numbers in s as the page writes them
// (findPhones finds them), for values kept verbatim.
func phonesAsWritten(s string) []string {
	var out []string
	if digitCount(s) < 8 {
		return nil
	}
	for _, m := range fullPhones(s) {
		out = append(out, strings.TrimSpace(s[m[2]:m[3]]))
	}
	return out
}

// mayHoldContact is a quick test before lineFacts: a line with a contact
// detail has five digits (a phone, an index), an @, or a part of a label
// lineFacts reads (адрес, местонахождение, режим работы, часы приёма) in
// the cases pages write it: дрес, абот, рием, риём, нахожд in lower or
// upper case.
func mayHoldContact(s string) bool {
	if strings.IndexByte(s, '@') >= 0 {
		return true
	}
	// one pass for the digits and the stems: each stem starts with a
	// Cyrillic letter, whose lead byte is D0 or D1
	digits := 0
	for i := 0; i < len(s); i++ {
		if isDigit(s[i]) {
			if digits++; digits == 5 {
				return true
			}
			continue
		}
		if s[i] != 0xD0 && s[i] != 0xD1 || i+1 == len(s) {
			continue
		}
		var found bool
		switch t := s[i:]; uint16(s[i])<<8 | uint16(s[i+1]) {
		case 0xD0B4: // д
			found = strings.HasPrefix(t, "дрес")
		case 0xD094: // Д
			found = strings.HasPrefix(t, "ДРЕС")
		case 0xD0B0: // а
			found = strings.HasPrefix(t, "абот")
		case 0xD090: // А
			found = strings.HasPrefix(t, "АБОТ")
		case 0xD180: // р
			found = strings.HasPrefix(t, "рием") || strings.HasPrefix(t, "риём")
		case 0xD0A0: // Р
			found = strings.HasPrefix(t, "РИЕМ") || strings.HasPrefix(t, "РИЁМ")
		case 0xD0BD: // н
			found = strings.HasPrefix(t, "нахожд")
		case 0xD09D: // Н
			found = strings.HasPrefix(t, "НАХОЖД")
		}
		if found {
			return true
		}
	}
	return false
}

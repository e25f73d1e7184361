package records

import (
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// months maps the stems of Russian month names (nominative, genitive and
// the usual abbreviations) to their numbers.
var months = []struct {
	stem string
	num  int
}{
	{"январ", 1}, {"янв", 1}, {"феврал", 2}, {"фев", 2}, {"март", 3}, {"мар", 3}, {"апрел", 4}, {"апр", 4},
	{"ма", 5}, {"июн", 6}, {"июл", 7}, {"август", 8}, {"авг", 8}, {"сентябр", 9}, {"сен", 9},
	{"октябр", 10}, {"окт", 10}, {"ноябр", 11}, {"ноя", 11}, {"декабр", 12}, {"дек", 12},
}

func monthNum(word string) int {
	w := strings.TrimSuffix(fold(word), ".")
	if w == "" {
		return 0
	}
	// «мая», «май» are the only words for May; «ма» alone is too short to be
	// anything else, but «март/марта» must not match it.
	switch w {
	case "май", "мая":
		return 5
	}
	for _, m := range months {
		if m.stem == "ма" {
			continue
		}
		if strings.HasPrefix(w, m.stem) && len([]rune(w)) <= len([]rune(m.stem))+3 {
			return m.num
		}
	}
	return 0
}

// relativeWords are the words of a relative date, in the order they are
// tried at one place.
var relativeWords = []string{"позавчера", "вчера", "сегодня"}

// relativeWord finds the first relative date word in s, in any case and
// not glued to a letter, and returns its bounds, as the pattern
// (?i)(?:^|[^\pL])(позавчера|вчера|сегодня)(?:[^\pL]|$) would: a pattern
// with no literal to look for, which tried every place of every dated
// text. Each word has a ч or a г, which have no case forms but Ч and Г,
// so a text without them has none.
func relativeWord(s string) (start, end int, ok bool) {
	if !strings.Contains(s, "ч") && !strings.Contains(s, "г") && !strings.Contains(s, "Ч") && !strings.Contains(s, "Г") {
		return 0, 0, false
	}
	afterLetter := false
	for i := 0; i < len(s); {
		r, size := rune(s[i]), 1
		if r >= utf8.RuneSelf {
			r, size = utf8.DecodeRuneInString(s[i:])
		}
		if !afterLetter && relativeStart(r) {
			for _, w := range relativeWords {
				n, ok := foldPrefix(s[i:], w)
				if !ok {
					continue
				}
				if next, _ := utf8.DecodeRuneInString(s[i+n:]); i+n == len(s) || !isLetter(next) {
					return i, i + n, true
				}
			}
		}
		afterLetter = isLetter(r)
		i += size
	}
	return 0, 0, false
}

// relativeStart reports whether a relative date word may start with r:
// п, в, с or one of their case forms.
func relativeStart(r rune) bool {
	switch r {
	case 'п', 'П', 'в', 'В', '\u1c80', 'с', 'С', '\u1c83':
		return true
	}
	return false
}

// isLetter is unicode.IsLetter, without its tables for ASCII and the
// Russian alphabet.
func isLetter(r rune) bool {
	switch {
	case r < utf8.RuneSelf:
		return 'a' <= r|0x20 && r|0x20 <= 'z'
	case r >= 'А' && r <= 'я' || r == 'Ё' || r == 'ё':
		return true
	}
	return unicode.IsLetter(r)
}

// foldPrefix reports whether s starts with w in any case (each rune of w
// or one of its simple case folds, as (?i) reads a literal) and how many
// bytes of s that is.
func foldPrefix(s, w string) (int, bool) {
	n := 0
	for _, wr := range w {
		if n >= len(s) {
			return 0, false
		}
		r, size := utf8.DecodeRuneInString(s[n:])
		if r != wr && !sameFold(r, wr) {
			return 0, false
		}
		n += size
	}
	return n, true
}

// sameFold reports whether b is in a's orbit of simple case folds.
func sameFold(a, b rune) bool {
	for f := unicode.SimpleFold(a); f != a; f = unicode.SimpleFold(f) {
		if f == b {
			return true
		}
	}
	return false
}

// FindDate finds the first date in s written the Russian ways («12 марта
// 2023 г.», «12.03.2023», «12.03.23», «2023-03-12», «вчера», «сегодня»)
// and returns it as YYYY-MM-DD. crawlDate (YYYY-MM-DD) resolves relative
// words and dates without a year; it may be empty, and then such dates are
// not recognised. The match's byte offsets are returned too.
func FindDate(s, crawlDate string) (date string, start, end int, ok bool) {
	crawl, haveCrawl := time.Time{}, false
	if t, err := time.Parse("2006-01-02", crawlDate); err == nil {
		crawl, haveCrawl = t, true
	}
	type cand struct {
		date       string
		start, end int
	}
	var best *cand
	consider := func(c cand) {
		if best == nil || c.start < best.start {
			best = &c
		}
	}
	if !strings.ContainsAny(s, "0123456789") {
		if !haveCrawl {
			return "", 0, 0, false
		}
		if start, end, ok := relativeWord(s); ok {
			back := map[string]int{"сегодня": 0, "вчера": 1, "позавчера": 2}[strings.ToLower(s[start:end])]
			return crawl.AddDate(0, 0, -back).Format("2006-01-02"), start, end, true
		}
		return "", 0, 0, false
	}
	for _, m := range numDateMatches(s) {
		d, _ := strconv.Atoi(s[m[2]:m[3]])
		mo, _ := strconv.Atoi(s[m[4]:m[5]])
		y, _ := strconv.Atoi(s[m[6]:m[7]])
		if m[7]-m[6] == 2 {
			y += 2000
			if haveCrawl && y > crawl.Year()+1 {
				y -= 100
			}
		}
		if v, ok := mkDate(y, mo, d); ok {
			consider(cand{v, m[2], m[7]})
			break
		}
	}
	for _, m := range isoDateMatches(s) {
		y, _ := strconv.Atoi(s[m[2]:m[3]])
		mo, _ := strconv.Atoi(s[m[4]:m[5]])
		d, _ := strconv.Atoi(s[m[6]:m[7]])
		if v, ok := mkDate(y, mo, d); ok {
			consider(cand{v, m[2], m[7]})
			break
		}
	}
	for _, m := range wordDateMatches(s) {
		d, _ := strconv.Atoi(s[m[2]:m[3]])
		mo := monthNum(s[m[4]:m[5]])
		if mo == 0 {
			continue
		}
		end := m[5]
		y := 0
		if m[6] >= 0 {
			y, _ = strconv.Atoi(s[m[6]:m[7]])
			end = m[7]
		} else if haveCrawl {
			y = crawl.Year()
			if time.Date(y, time.Month(mo), d, 0, 0, 0, 0, time.UTC).After(crawl) {
				y--
			}
		} else {
			continue
		}
		if v, ok := mkDate(y, mo, d); ok {
			consider(cand{v, m[2], end})
			break
		}
	}
	if haveCrawl {
		if start, end, ok := relativeWord(s); ok {
			back := map[string]int{"сегодня": 0, "вчера": 1, "позавчера": 2}[strings.ToLower(s[start:end])]
			consider(cand{crawl.AddDate(0, 0, -back).Format("2006-01-02"), start, end})
		}
	}
	if best == nil {
		return "", 0, 0, false
	}
	return best.date, best.start, best.end, true
}

// ParseDate reads s as a date if s is essentially only a date (a few words
// around it such as «г.», «года», a time or «Опубликовано» are allowed).
func ParseDate(s, crawlDate string) (string, bool) {
	d, start, end, ok := FindDate(s, crawlDate)
	if !ok {
		return "", false
	}
	rest := fold(s[:start] + " " + s[end:])
	rest = reTime.ReplaceAllString(rest, " ")
	for _, w := range []string{"опубликовано", "дата", "добавлено", "размещено", "обновлено", "года", "год", "г.", "г", "в", ":", ",", "|", "—", "-", "("} {
		rest = strings.ReplaceAll(rest, w, " ")
	}
	return d, len(strings.Fields(rest)) <= 1
}

var reTime = regexp.MustCompile(`\d{1,2}:\d{2}(:\d{2})?`)

func mkDate(y, m, d int) (string, bool) {
	if y < 1900 || y > 2100 || m < 1 || m > 12 || d < 1 || d > 31 {
		return "", false
	}
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	if t.Day() != d {
		return "", false
	}
	return t.Format("2006-01-02"), true
}

// The three written forms of a date are read by scanning rather than by
// regular expressions, which cost most of the records' time: FindDate runs
// on every dated block of a page. Each returns its matches as regexp's
// submatch indexes would: m[2]:m[3] the first number, m[4]:m[5] the
// second, m[6]:m[7] the third (-1 when absent).

// digitRun is the end of the run of ASCII digits starting at i.
func digitRun(s string, i int) int {
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	return i
}

func isDigit(b byte) bool { return b >= '0' && b <= '9' }

// numDateMatches finds «12.03.2023», «5/3/21»: a day and a month of one or
// two digits and a year of two or four, each a whole run of digits, the
// day not after a point (so «1.12.03.2023» is not read from its middle).
func numDateMatches(s string) [][]int {
	var out [][]int
	for i := 0; i < len(s); {
		if !isDigit(s[i]) {
			i++
			continue
		}
		d1 := digitRun(s, i)
		if i > 0 && s[i-1] == '.' || d1-i > 2 || d1 >= len(s) || s[d1] != '.' && s[d1] != '/' {
			i = d1
			continue
		}
		m0 := d1 + 1
		m1 := digitRun(s, m0)
		if m1 == m0 || m1-m0 > 2 || m1 >= len(s) || s[m1] != '.' && s[m1] != '/' {
			i = d1
			continue
		}
		y0 := m1 + 1
		y1 := digitRun(s, y0)
		if y1-y0 != 4 && y1-y0 != 2 {
			i = d1
			continue
		}
		out = append(out, []int{i, y1, i, d1, m0, m1, y0, y1})
		i = y1
	}
	return out
}

// isoDateMatches finds «2023-03-12».
func isoDateMatches(s string) [][]int {
	var out [][]int
	for i := 0; i < len(s); {
		if !isDigit(s[i]) {
			i++
			continue
		}
		e := digitRun(s, i)
		if e-i == 4 && e+6 <= len(s) && s[e] == '-' && digitRun(s, e+1) == e+3 && s[e+3] == '-' && digitRun(s, e+4) == e+6 {
			out = append(out, []int{i, e + 6, i, e, e + 1, e + 3, e + 4, e + 6})
			i = e + 6
			continue
		}
		i = e
	}
	return out
}

func isASCIISpace(b byte) bool {
	return b == ' ' || b == '\t' || b == '\n' || b == '\r' || b == '\f'
}

// wordDateMatches finds «12 марта 2023», «28 дек.», «1 мая»: a day of one
// or two digits not glued to a letter or digit, spaces, a word of three to
// nine Cyrillic letters with an optional point, and an optional year of
// four digits.
func wordDateMatches(s string) [][]int {
	var out [][]int
	for i := 0; i < len(s); {
		if !isDigit(s[i]) {
			i++
			continue
		}
		d1 := digitRun(s, i)
		if d1-i > 2 {
			i = d1
			continue
		}
		if i > 0 {
			if r, _ := utf8.DecodeLastRuneInString(s[:i]); unicode.IsLetter(r) {
				i = d1
				continue
			}
		}
		w0 := d1
		for w0 < len(s) && isASCIISpace(s[w0]) {
			w0++
		}
		w1, letters := w0, 0
		for w1 < len(s) {
			r, size := utf8.DecodeRuneInString(s[w1:])
			if !unicode.Is(unicode.Cyrillic, r) {
				break
			}
			w1 += size
			letters++
		}
		if w0 == d1 || letters < 3 || letters > 9 || w1 < len(s) && isDigit(s[w1]) {
			i = d1
			continue
		}
		if w1 < len(s) && s[w1] == '.' {
			w1++
		}
		m := []int{i, w1, i, d1, w0, w1, -1, -1}
		y0 := w1
		for y0 < len(s) && isASCIISpace(s[y0]) {
			y0++
		}
		if y1 := digitRun(s, y0); y0 > w1 && y1-y0 == 4 {
			m[1], m[6], m[7] = y1, y0, y1
		}
		out = append(out, m)
		i = m[1]
	}
	return out
}

package records

import (
	"regexp"
	"strconv"
	"strings"
	"time"
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

var (
	reNumDate  = regexp.MustCompile(`(?:^|[^\d.])(\d{1,2})[./](\d{1,2})[./](\d{4}|\d{2})(?:[^\d]|$)`)
	reISODate  = regexp.MustCompile(`(?:^|[^\d])(\d{4})-(\d{2})-(\d{2})(?:[^\d]|$)`)
	reWordDate = regexp.MustCompile(`(?i)(?:^|[^\pL\d])(\d{1,2})\s+([\p{Cyrillic}]{3,9}\.?)(?:\s+(\d{4}))?(?:[^\d]|$)`)
	reRelative = regexp.MustCompile(`(?i)(?:^|[^\pL])(позавчера|вчера|сегодня)(?:[^\pL]|$)`)
)

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
	for _, m := range reNumDate.FindAllStringSubmatchIndex(s, -1) {
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
	for _, m := range reISODate.FindAllStringSubmatchIndex(s, -1) {
		y, _ := strconv.Atoi(s[m[2]:m[3]])
		mo, _ := strconv.Atoi(s[m[4]:m[5]])
		d, _ := strconv.Atoi(s[m[6]:m[7]])
		if v, ok := mkDate(y, mo, d); ok {
			consider(cand{v, m[2], m[7]})
			break
		}
	}
	for _, m := range reWordDate.FindAllStringSubmatchIndex(s, -1) {
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
		if m := reRelative.FindStringSubmatchIndex(s); m != nil {
			back := map[string]int{"сегодня": 0, "вчера": 1, "позавчера": 2}[strings.ToLower(s[m[2]:m[3]])]
			consider(cand{crawl.AddDate(0, 0, -back).Format("2006-01-02"), m[2], m[3]})
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

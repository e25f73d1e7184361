package uploader

import (
	"path"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"perenos/mapping"
	"perenos/store"
)

// The portal refuses a page or news item without a title, and a person
// cannot find one in a menu. itemTitle gives every item the title a
// person would read, in this order: the title the plan has (the page's
// own, or the one set in review); its first heading; the text of the
// links and menu entries that led to it on the old site; its file's name;
// the last part of its old address; its section's title.

const maxTitle = 250

// itemTitle is the title an item is uploaded with.
func itemTitle(it mapping.Item, sec mapping.SectionPlan, anchors []string) string {
	if t := cleanTitle(it.Title); t != "" {
		return t
	}
	if t := firstHeading(it.Body); t != "" {
		return t
	}
	for _, a := range anchors {
		if t := cleanTitle(a); t != "" && !genericAnchor(t) {
			return t
		}
	}
	if it.FileName != "" {
		name := strings.TrimSuffix(it.FileName, path.Ext(it.FileName))
		if t := cleanTitle(strings.NewReplacer("_", " ", "-", " ").Replace(name)); t != "" {
			return t
		}
	}
	if t := cleanTitle(urlName(it.SourceURL)); t != "" {
		return t
	}
	if t := cleanTitle(sec.Title); t != "" {
		return t
	}
	return "Без названия"
}

var (
	headingLine = regexp.MustCompile(`(?m)^\s{0,3}#{1,6}\s+(.+?)\s*#*\s*$`)
	markup      = strings.NewReplacer("**", "", "__", "", "`", "", "*", "", "\\", "")
	mdLink      = regexp.MustCompile(`\[([^\]]*)\]\([^)]*\)`)
)

// firstHeading is a Markdown body's first heading as plain text.
func firstHeading(body string) string {
	m := headingLine.FindStringSubmatch(body)
	if m == nil {
		return ""
	}
	return cleanTitle(mdLink.ReplaceAllString(m[1], "$1"))
}

// cleanTitle is s on one line, without Markdown emphasis, at most
// maxTitle bytes cut at a word.
func cleanTitle(s string) string {
	s = strings.Join(strings.Fields(markup.Replace(s)), " ")
	if len(s) <= maxTitle {
		return s
	}
	cut := s[:maxTitle]
	for !utf8.ValidString(cut) {
		cut = cut[:len(cut)-1]
	}
	if i := strings.LastIndexByte(cut, ' '); i > maxTitle/2 {
		cut = cut[:i]
	}
	return cut + "…"
}

// genericAnchor is link text that names no page: «подробнее», «скачать».
func genericAnchor(s string) bool {
	switch strings.ToLower(strings.Trim(s, " .…»«>→")) {
	case "подробнее", "читать далее", "читать полностью", "далее", "ещё", "еще", "здесь", "тут", "ссылка", "перейти",
		"скачать", "открыть", "смотреть", "просмотр", "more", "read more", "download", "here", "link":
		return true
	}
	return false
}

// Anchors collects, for every URL of a site, the texts of the links that
// pointed at it when it was crawled, most used first.
func Anchors(rd store.Reader, org string) (map[string][]string, error) {
	counts := map[string]map[string]int{}
	err := rd.Pages(org, func(p *store.Page) error {
		for _, r := range p.Referrers {
			a := cleanTitle(r.Anchor)
			if a == "" {
				continue
			}
			if counts[p.URL] == nil {
				counts[p.URL] = map[string]int{}
			}
			counts[p.URL][a]++
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := make(map[string][]string, len(counts))
	for u, c := range counts {
		list := make([]string, 0, len(c))
		for a := range c {
			list = append(list, a)
		}
		slices.SortFunc(list, func(a, b string) int {
			if c[a] != c[b] {
				return c[b] - c[a]
			}
			return strings.Compare(a, b)
		})
		out[u] = list
	}
	return out, nil
}

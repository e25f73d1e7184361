package review

import (
	"strings"

	"perenos/mapping"
)

// excludedGroups splits a plan's exclusions for showing: copies of pages
// (versions for the visually impaired, print versions) and repeats of one
// record (a footer on every page) each fold into one line, since a site
// can have hundreds of them; the rest are shown one by one.
type excludedGroups struct {
	Other, Copies, Repeats []mapping.Item
}

// isCopy tells a copy of a page or file, or a record of such a copy.
// The mapping says so only in words today; it should give excluded items a
// typed copy_of, and this should read that.
func isCopy(r string) bool {
	return strings.HasPrefix(r, "копия страницы ") || strings.HasPrefix(r, "копия файла ") ||
		strings.Contains(r, "исключённой из переноса: копия страницы ")
}

// isRepeat tells a record excluded because the same record is migrated
// from another page, or because it only points to a page or file.
func isRepeat(r string) bool {
	return strings.HasPrefix(r, "повтор записи со страницы ") || strings.HasPrefix(r, "запись повторяет ") || strings.HasPrefix(r, "запись лишь ссылается на ")
}

func groupExcluded(p *mapping.Plan) excludedGroups {
	var g excludedGroups
	excluded := map[string]bool{}
	for _, it := range p.Excluded {
		excluded[it.SourceURL] = true
	}
	for _, it := range p.Excluded {
		it.Reason = excludedReason(it.Reason, excluded)
		switch {
		case isCopy(it.Reason):
			g.Copies = append(g.Copies, it)
		case isRepeat(it.Reason):
			g.Repeats = append(g.Repeats, it)
		default:
			g.Other = append(g.Other, it)
		}
	}
	return g
}

// excludedReason corrects a reason that says a record repeats a page
// "which is migrated itself" when that page is excluded too (a record that
// only links to a page's copy for the visually impaired). The mapping
// should not say so; until it does not, the UI does not repeat it.
func excludedReason(reason string, excluded map[string]bool) string {
	const pre, post = "запись повторяет ", ", которая переносится сама"
	if !strings.HasPrefix(reason, pre) || !strings.HasSuffix(reason, post) {
		return reason
	}
	target := strings.TrimSuffix(strings.TrimPrefix(reason, pre), post)
	if !excluded[target] {
		return reason
	}
	return "запись лишь ссылается на " + target + ", а та тоже исключена из переноса"
}

package realsites

import (
	"strings"

	"perenos/mapping"
	"perenos/portal"
	"perenos/realsites/recordscore"
	"perenos/store"
)

// recordPages gathers, for each labelled records page of a site, what the
// site's plan sends to the bundle from it: the records placed from the
// page (their source is the page), the documents it links (a placed
// document whose file the page links), and the news items made from it.
// Only placed items count: what waits for review or is excluded does not
// reach the bundle.
func recordPages(ws *store.Workspace, site Site, base string, plan *mapping.Plan, gold *recordscore.Gold) ([]recordscore.Page, error) {
	var refs []recordscore.PageRef
	for _, ref := range gold.Pages() {
		if ref.Site == site.Name {
			refs = append(refs, ref)
		}
	}
	if len(refs) == 0 || plan == nil {
		return nil, nil
	}
	base = strings.TrimSuffix(base, "/")
	pageURL := func(path string) string { return base + "/" + strings.TrimPrefix(path, "/") }
	linkers := map[string][]string{} // file URL → the pages that link it
	if err := ws.Pages(site.Name, func(p *store.Page) error {
		if p.Kind == store.KindAttachment {
			for _, r := range p.Referrers {
				linkers[p.URL] = append(linkers[p.URL], r.URL)
			}
		}
		return nil
	}); err != nil {
		return nil, err
	}
	out := make([]recordscore.Page, 0, len(refs))
	for _, ref := range refs {
		u := pageURL(ref.Path)
		same := func(src string) bool {
			src, _, _ = strings.Cut(src, "#")
			return src == u || strings.TrimSuffix(src, "/") == strings.TrimSuffix(u, "/")
		}
		pg := recordscore.Page{Site: site.Name, Path: ref.Path, Base: base + "/"}
		for _, s := range plan.Sections {
			for _, it := range s.Items {
				switch it.Kind {
				case mapping.KindRecord:
					if same(it.SourceURL) {
						pg.Records = append(pg.Records, portal.Record{RecordType: it.DocKind, Fields: it.Fields, SourceURL: it.SourceURL})
					}
				case mapping.KindDocument:
					for _, from := range linkers[it.SourceURL] {
						if same(from) {
							pg.Documents = append(pg.Documents, portal.Document{Title: it.Title, DocKind: it.DocKind, SourceURL: it.SourceURL, FileName: it.FileName})
							break
						}
					}
				case mapping.KindNews:
					if same(it.SourceURL) {
						pg.News = append(pg.News, portal.NewsItem{Title: it.Title, Date: it.Date, SourceURL: it.SourceURL})
					}
				}
			}
		}
		out = append(out, pg)
	}
	return out, nil
}

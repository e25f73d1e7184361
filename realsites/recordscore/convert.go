package recordscore

import (
	"perenos/extract/records"
	"perenos/portal"
)

// FromRecords is the page a direct extraction gives (extract/records on
// the page alone, no mapping): document records become documents with
// their extracted titles, news records news items, the rest records. It
// is for tuning the extractor; the benchmark scores what reaches the
// bundle instead.
func FromRecords(site, path, base string, recs []records.Record) Page {
	p := Page{Site: site, Path: path, Base: base}
	for _, r := range recs {
		switch r.Type {
		case "document":
			if r.Fields["url"] == "" {
				continue // a mandated document the page says it lacks
			}
			p.Documents = append(p.Documents, portal.Document{Title: r.Fields["title"], SourceURL: r.Fields["url"], Date: r.Fields["date"]})
		case "news":
			p.News = append(p.News, portal.NewsItem{Title: r.Fields["title"], Date: r.Fields["date"], SourceURL: r.Fields["url"]})
		default:
			p.Records = append(p.Records, portal.Record{RecordType: r.Type, Fields: r.Fields})
		}
	}
	return p
}

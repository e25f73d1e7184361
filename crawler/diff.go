package crawler

import (
	"sort"

	"perenos/store"
)

// Diff is what a re-crawl found compared with the crawl before it.
type Diff struct {
	New         int      `json:"new"`
	Changed     int      `json:"changed"`
	Unchanged   int      `json:"unchanged"`
	Disappeared int      `json:"disappeared"`
	NewURLs     []string `json:"new_urls,omitempty"`
	ChangedURLs []string `json:"changed_urls,omitempty"`
	GoneURLs    []string `json:"gone_urls,omitempty"`
}

// DiffLedger reads the current and the previous crawl of a site.
type DiffLedger interface {
	Pages(org string, fn func(*store.Page) error) error
	PrevPages(org string, fn func(*store.Page) error) error
}

// maxListed bounds the URL lists of a Diff; the counts stay exact.
const maxListed = 500

// Compare tells what changed between org's previous and current crawl. It
// returns nil when there was no previous crawl.
func Compare(led DiffLedger, org string) (*Diff, error) {
	prev := map[string]store.BlobID{}
	if err := led.PrevPages(org, func(p *store.Page) error {
		if p.OK() {
			prev[p.URL] = p.Blob
		}
		return nil
	}); err != nil {
		return nil, err
	}
	if len(prev) == 0 {
		return nil, nil
	}
	d := &Diff{}
	seen := map[string]bool{}
	if err := led.Pages(org, func(p *store.Page) error {
		if !p.OK() {
			return nil
		}
		seen[p.URL] = true
		old, ok := prev[p.URL]
		switch {
		case !ok:
			d.New++
			d.NewURLs = appendCapped(d.NewURLs, p.URL)
		case old != p.Blob:
			d.Changed++
			d.ChangedURLs = appendCapped(d.ChangedURLs, p.URL)
		default:
			d.Unchanged++
		}
		return nil
	}); err != nil {
		return nil, err
	}
	var gone []string
	for u := range prev {
		if !seen[u] {
			gone = append(gone, u)
		}
	}
	sort.Strings(gone)
	d.Disappeared = len(gone)
	d.GoneURLs = gone[:min(len(gone), maxListed)]
	return d, nil
}

func appendCapped(list []string, u string) []string {
	if len(list) >= maxListed {
		return list
	}
	return append(list, u)
}

package crawler

import (
	"sort"

	"perenos/store"
)

// Diff is what a re-crawl found compared with the crawl before it, in
// numbers; the URLs behind them are kept as Changes records.
type Diff struct {
	New         int `json:"new"`
	Changed     int `json:"changed"`
	Unchanged   int `json:"unchanged"`
	Disappeared int `json:"disappeared"`
	// Unfetched were in the previous crawl but not fetched this time: a
	// guard or robots.txt excluded them, fetching them failed, or the crawl
	// was cut short before it reached them. They are not gone.
	Unfetched int `json:"unfetched"`
}

// ChangeKind says how a URL differs from the previous crawl.
type ChangeKind string

// The kinds of change.
const (
	ChangeNew       ChangeKind = "new"
	ChangeChanged   ChangeKind = "changed"
	ChangeGone      ChangeKind = "gone"      // answered 404 or 410, or no longer linked
	ChangeUnfetched ChangeKind = "unfetched" // not fetched this time (see Diff.Unfetched)
)

// Change is one URL of a re-crawl that is not unchanged.
type Change struct {
	Kind ChangeKind `json:"change"`
}

// DiffLedger reads the current and the previous crawl of a site.
type DiffLedger interface {
	Pages(org string, fn func(*store.Page) error) error
	PrevPages(org string, fn func(*store.Page) error) error
}

type change struct {
	url  string
	kind ChangeKind
}

// Compare tells what changed between org's previous and current crawl. It
// returns nil when there was no previous crawl. cut says the current
// crawl was cut short by a guard: a previous URL it has no record of is
// then unfetched, not gone.
func Compare(led DiffLedger, org string, cut bool) (*Diff, error) {
	d, _, err := compare(led, org, cut)
	return d, err
}

// compare is Compare with the URLs of every change, sorted; they are as
// many as the two crawls' URLs at most (bounded by --max-pages).
func compare(led DiffLedger, org string, cut bool) (*Diff, []change, error) {
	prev := map[string]store.BlobID{}
	if err := led.PrevPages(org, func(p *store.Page) error {
		if p.OK() && p.Kind != store.KindSitemap {
			prev[p.URL] = p.Blob
		}
		return nil
	}); err != nil {
		return nil, nil, err
	}
	if len(prev) == 0 {
		return nil, nil, nil
	}
	d := &Diff{}
	var out []change
	seen := map[string]bool{}
	if err := led.Pages(org, func(p *store.Page) error {
		if p.Kind == store.KindSitemap {
			return nil
		}
		old, was := prev[p.URL]
		if !p.OK() {
			if !was {
				return nil
			}
			seen[p.URL] = true
			if p.Status == 404 || p.Status == 410 {
				d.Disappeared++
				out = append(out, change{p.URL, ChangeGone})
			} else {
				d.Unfetched++
				out = append(out, change{p.URL, ChangeUnfetched})
			}
			return nil
		}
		seen[p.URL] = true
		switch {
		case !was:
			d.New++
			out = append(out, change{p.URL, ChangeNew})
		case old != p.Blob:
			d.Changed++
			out = append(out, change{p.URL, ChangeChanged})
		default:
			d.Unchanged++
		}
		return nil
	}); err != nil {
		return nil, nil, err
	}
	for u := range prev {
		if seen[u] {
			continue
		}
		if cut {
			d.Unfetched++
			out = append(out, change{u, ChangeUnfetched})
		} else {
			d.Disappeared++
			out = append(out, change{u, ChangeGone})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].url < out[j].url })
	return d, out, nil
}

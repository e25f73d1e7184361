// Package urlaudit lists every URL a site's crawl saw, as site-migration
// people audit a site before and after a move: the answer (status, type,
// size, redirect), where the URL sits in the site (depth, the links to
// it), its title, why it was left out (robots.txt, a crawl guard), and
// where it went in the plan (the section, or excluded and why). It also
// lists the broken links of the new site: links from migrated pages to
// pages of the old site that were not migrated.
package urlaudit

import (
	"errors"
	"maps"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"perenos/crawler"
	"perenos/extract"
	"perenos/mapping"
	"perenos/store"
)

// Placement is where a URL went in the site's plan.
type Placement string

// The placements a URL can have.
const (
	Placed    Placement = "placed"     // in a section of the new site
	ForReview Placement = "for_review" // waiting for a person's decision
	Excluded  Placement = "excluded"   // deliberately left out, with a reason
	NotInPlan Placement = "not_in_plan"
)

// Row is one URL of a crawl.
type Row struct {
	Org         string         `json:"org"`
	URL         string         `json:"url"`
	Kind        store.PageKind `json:"kind"`
	Status      int            `json:"status"`
	ContentType string         `json:"content_type,omitempty"`
	Size        int64          `json:"size"`
	Depth       int            `json:"depth"`
	Inlinks     int            `json:"inlinks"`
	FinalURL    string         `json:"final_url,omitempty"` // where its redirects ended
	Title       string         `json:"title,omitempty"`
	// Exclusion is why the crawl left the URL out on purpose (robots.txt,
	// a guard); Error, why it could not be fetched.
	Exclusion string `json:"exclusion,omitempty"`
	Error     string `json:"error,omitempty"`
	// Placement, Sections (the section IDs it went to: a split page goes
	// to several) and Reason (for an excluded one) say where it went.
	Placement Placement `json:"placement"`
	Sections  []string  `json:"sections,omitempty"`
	Reason    string    `json:"reason,omitempty"`
}

// Options narrow the audit.
type Options struct {
	// Status keeps only URLs whose status is in this class: "2xx", "3xx"
	// (redirected), "4xx", "5xx", or "error" (no answer); empty keeps all.
	Status string
}

// ErrBadStatus says a status filter is not one of the classes.
var ErrBadStatus = errors.New(`status filter: want 2xx, 3xx, 4xx, 5xx or error`)

// ParseStatus checks a status filter.
func ParseStatus(s string) (string, error) {
	switch s {
	case "", "2xx", "3xx", "4xx", "5xx", "error":
		return s, nil
	}
	return "", ErrBadStatus
}

// Audit lists the URLs of org's last crawl, in URL order.
func Audit(rd store.Reader, org string, opt Options) ([]Row, error) {
	plan, err := mapping.LoadPlan(rd, org)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return nil, err
	}
	where := placements(plan)
	docs, err := extract.Docs.All(rd, org)
	if err != nil {
		return nil, err
	}
	var rows []Row
	err = rd.Pages(org, func(p *store.Page) error {
		r := Row{Org: org, URL: p.URL, Kind: p.Kind, Status: p.Status, ContentType: p.ContentType, Size: p.Size, Depth: p.Depth,
			Inlinks: len(p.Referrers), FinalURL: p.FinalURL, Error: p.Error}
		if p.Excluded != nil {
			r.Exclusion = p.Excluded.String()
		}
		if d := docs[p.URL]; d != nil {
			r.Title = d.Title
		}
		if w, ok := where[p.URL]; ok {
			r.Placement, r.Sections, r.Reason = w.placement, w.sections, w.reason
			if r.Title == "" {
				r.Title = w.title
			}
		} else {
			r.Placement = NotInPlan
		}
		if keep(r, opt.Status) {
			rows = append(rows, r)
		}
		return nil
	})
	return rows, err
}

// keep reports whether r is in the status class. A URL left out on
// purpose (a missing sitemap, robots.txt) is in no class: it is listed
// only when all URLs are.
func keep(r Row, class string) bool {
	switch {
	case class == "":
		return true
	case r.Exclusion != "":
		return false
	}
	switch class {
	case "error":
		return r.Status == 0 && r.Error != ""
	case "3xx":
		return r.FinalURL != "" || r.Status/100 == 3
	}
	n, _ := strconv.Atoi(class[:1])
	return r.Status/100 == n
}

type where struct {
	placement Placement
	sections  []string
	reason    string
	title     string
}

// placements says, per source URL, where the plan put it.
func placements(plan *mapping.Plan) map[string]where {
	out := map[string]where{}
	if plan == nil {
		return out
	}
	for _, s := range plan.Sections {
		for _, it := range s.Items {
			w := out[it.SourceURL]
			w.placement, w.title = Placed, it.Title
			if !slices.Contains(w.sections, s.ID) {
				w.sections = append(w.sections, s.ID)
			}
			out[it.SourceURL] = w
		}
	}
	for _, it := range plan.Unplaced {
		if _, ok := out[it.SourceURL]; !ok {
			out[it.SourceURL] = where{placement: ForReview, title: it.Title}
		}
	}
	for _, it := range plan.Excluded {
		if _, ok := out[it.SourceURL]; !ok {
			out[it.SourceURL] = where{placement: Excluded, reason: it.Reason, title: it.Title}
		}
	}
	return out
}

// Broken is a link on a migrated page to a page of the old site that was
// not migrated: after the domain switch it leads nowhere.
type Broken struct {
	Org    string `json:"org"`
	From   string `json:"from"`
	To     string `json:"to"`
	Anchor string `json:"anchor,omitempty"`
	// Why the target is not on the new site, and the plan's reason or the
	// old site's status.
	Why    BrokenWhy `json:"why"`
	Detail string    `json:"detail,omitempty"`
}

// BrokenWhy says why a link's target is not on the new site.
type BrokenWhy string

// The reasons a target is not migrated.
const (
	NotCrawled BrokenWhy = "not_crawled" // the crawl never fetched it (a guard, another host)
	Failed     BrokenWhy = "failed"      // the old site did not answer with it
	WasExcl    BrokenWhy = "excluded"    // the plan excludes it
	WaitReview BrokenWhy = "for_review"  // a person has not decided it yet
	NotPlanned BrokenWhy = "not_in_plan"
)

// BrokenLinks lists the links of migrated pages whose target, a page of
// the same site, is not migrated.
func BrokenLinks(rd store.Reader, o *store.Org) ([]Broken, error) {
	plan, err := mapping.LoadPlan(rd, o.ID)
	if err != nil {
		return nil, err
	}
	where := placements(plan)
	docs, err := extract.Docs.All(rd, o.ID)
	if err != nil {
		return nil, err
	}
	pages := map[string]*store.Page{}
	if err := rd.Pages(o.ID, func(p *store.Page) error {
		pages[p.URL] = p
		return nil
	}); err != nil {
		return nil, err
	}
	host := ""
	if u, err := url.Parse(o.LegacyURL); err == nil {
		host = strings.TrimPrefix(strings.ToLower(u.Hostname()), "www.")
	}
	var out []Broken
	seen := map[[2]string]bool{}
	for _, from := range slices.Sorted(maps.Keys(docs)) {
		if where[from].placement != Placed {
			continue
		}
		for _, l := range docs[from].Links {
			if !l.InContent || l.Attachment {
				continue
			}
			to, ok := crawler.Canonical(mustURL(from), l.URL)
			if !ok || !sameHost(to, host) || to == from {
				continue
			}
			w := where[to]
			if w.placement == Placed || seen[[2]string{from, to}] {
				continue
			}
			seen[[2]string{from, to}] = true
			b := Broken{Org: o.ID, From: from, To: to, Anchor: l.Text}
			switch p := pages[to]; {
			case p != nil && p.FinalURL != "" && where[p.FinalURL].placement == Placed:
				continue // a redirect to a migrated page: the redirect map covers it
			case p == nil:
				b.Why = NotCrawled
			case !p.OK():
				b.Why, b.Detail = Failed, p.Error
				if p.Status != 0 {
					b.Detail = "HTTP " + strconv.Itoa(p.Status)
				}
			case w.placement == Excluded:
				b.Why, b.Detail = WasExcl, w.reason
			case w.placement == ForReview:
				b.Why = WaitReview
			default:
				b.Why = NotPlanned
			}
			out = append(out, b)
		}
	}
	return out, nil
}

// Changes are the URL lists behind a re-crawl's counts.
type Changes struct {
	New     []string `json:"new"`
	Changed []string `json:"changed"`
	Gone    []string `json:"gone"`
	// Unfetched were in the previous crawl but not fetched by this one (a
	// guard, an error, a crawl cut short): not gone.
	Unfetched []string `json:"unfetched"`
}

// LastChanges reads what the last re-crawl found new, changed and gone;
// nil when the last crawl was the first.
func LastChanges(rd store.Reader, org string) (*Changes, error) {
	_, err := crawler.LastDiff.Get(rd, org, "last")
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	c := &Changes{}
	err = crawler.Changes.Each(rd, org, func(u string, ch *crawler.Change) error {
		switch ch.Kind {
		case crawler.ChangeNew:
			c.New = append(c.New, u)
		case crawler.ChangeChanged:
			c.Changed = append(c.Changed, u)
		case crawler.ChangeGone:
			c.Gone = append(c.Gone, u)
		case crawler.ChangeUnfetched:
			c.Unfetched = append(c.Unfetched, u)
		}
		return nil
	})
	return c, err
}

func mustURL(s string) *url.URL {
	u, _ := url.Parse(s)
	if u == nil {
		u = &url.URL{}
	}
	return u
}

func sameHost(raw, host string) bool {
	u, err := url.Parse(raw)
	return err == nil && strings.TrimPrefix(strings.ToLower(u.Hostname()), "www.") == host
}

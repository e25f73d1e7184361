package crawler

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"perenos/store"
)

// The crawl stage's records in the ledger. The crawl stage alone writes
// them; others read them through these accessors.
var (
	// LastStats is the last crawl's counters, under key "last".
	LastStats = store.Record[Stats]{Kind: "crawlstats"}
	// LastDiff is what the last re-crawl found changed, under key "last".
	LastDiff = store.Record[Diff]{Kind: "crawldiff"}
	// activeRun is true under key "active" while a crawl of the site is
	// started and not finished, so that the next run resumes it.
	activeRun = store.Record[bool]{Kind: "crawlrun"}
)

const lastKey = "last"

// SiteLedger is what the crawl stage needs of the workspace: the frontier
// and pages, the previous crawl, and one-transaction updates.
type SiteLedger interface {
	Ledger
	store.Reader
	PrevPages(org string, fn func(*store.Page) error) error
	StartRecrawl(org string) error
	Update(fn func(store.Tx) error) error
}

// SiteSummary is what one crawl of a site did, in numbers.
type SiteSummary struct {
	Pages       int64            `json:"pages"`
	Attachments int64            `json:"attachments"`
	Bytes       int64            `json:"bytes"`
	Errors      int64            `json:"errors"`
	Guards      map[string]int64 `json:"guards,omitempty"`
	// Changes is set for a re-crawl: what is new, changed, unchanged, gone.
	Changes *DiffCounts `json:"changes,omitempty"`
}

// DiffCounts are a Diff's numbers without its URL lists.
type DiffCounts struct {
	New       int `json:"new"`
	Changed   int `json:"changed"`
	Unchanged int `json:"unchanged"`
	Gone      int `json:"gone"`
}

// ErrNothingFetched says a crawl ended without one page of the site.
var ErrNothingFetched = errors.New("no page of the site could be fetched")

// CrawlSite runs the crawl stage for one site: an interrupted crawl
// resumes its frontier; any other run starts afresh (after a finished
// crawl it asks conditionally and reports what changed; after a failed
// one it fetches again what had failed). It returns the summary and the
// commit that records the crawl's stats, diff and counts: the caller runs
// it in the transaction that also moves the site's state, so that a crash
// can never leave half of them written.
func CrawlSite(ctx context.Context, led SiteLedger, blobs Blobs, org *store.Org, opt Options) (*SiteSummary, func(store.Tx) error, error) {
	active, err := activeRun.Get(led, org.ID, "active")
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return nil, nil, err
	}
	if active == nil || !*active {
		if err := led.StartRecrawl(org.ID); err != nil {
			return nil, nil, err
		}
		yes := true
		if err := led.Update(func(tx store.Tx) error { return activeRun.Put(tx, org.ID, "active", &yes) }); err != nil {
			return nil, nil, err
		}
	}
	st, err := Crawl(ctx, led, blobs, org, opt)
	if err != nil {
		return nil, nil, err
	}
	diff, err := Compare(led, org.ID)
	if err != nil {
		return nil, nil, err
	}
	sum := &SiteSummary{Guards: st.Guards}
	if err := led.Pages(org.ID, func(p *store.Page) error {
		switch {
		case p.Excluded != nil || p.Kind == store.KindSitemap:
		case !p.OK():
			sum.Errors++
		case p.Kind == store.KindPage:
			sum.Pages++
			sum.Bytes += p.Size
		case p.Kind == store.KindAttachment:
			sum.Attachments++
			sum.Bytes += p.Size
		}
		return nil
	}); err != nil {
		return nil, nil, err
	}
	if diff != nil {
		sum.Changes = &DiffCounts{New: diff.New, Changed: diff.Changed, Unchanged: diff.Unchanged, Gone: diff.Disappeared}
	}
	commit := func(tx store.Tx) error {
		if err := LastStats.Put(tx, org.ID, lastKey, st); err != nil {
			return err
		}
		if diff != nil {
			if err := LastDiff.Put(tx, org.ID, lastKey, diff); err != nil {
				return err
			}
		}
		no := false
		if err := activeRun.Put(tx, org.ID, "active", &no); err != nil {
			return err
		}
		return tx.UpdateOrg(org.ID, func(o *store.Org) error {
			o.Stats.Pages, o.Stats.Attachments, o.Stats.Bytes, o.Stats.FetchErrors = sum.Pages, sum.Attachments, sum.Bytes, sum.Errors
			return nil
		})
	}
	if sum.Pages == 0 {
		// The crawl finished with nothing: its stats say why (orgs show),
		// and the next run starts afresh rather than resuming an empty
		// frontier.
		if err := led.Update(commit); err != nil {
			return sum, nil, err
		}
		return sum, nil, fmt.Errorf("%w: %s (see perenos orgs show %s)", ErrNothingFetched, org.LegacyURL, org.ID)
	}
	return sum, commit, nil
}

// SiteOptions applies a site's registry settings (aliases, delay_ms,
// per_host, ca_file, insecure) to the batch's crawl options. A setting that
// is not valid is an error naming the organisation and the column.
func SiteOptions(base Options, o *store.Org) (Options, error) {
	opt := base
	for k, v := range o.Settings {
		switch k {
		case "aliases":
			opt.Aliases = strings.FieldsFunc(v, func(r rune) bool { return r == ' ' || r == ',' || r == '|' })
		case "delay_ms":
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 {
				return opt, fmt.Errorf("registry setting delay_ms=%q of %s is not a number of milliseconds", v, o.ID)
			}
			opt.Delay = time.Duration(n) * time.Millisecond
		case "per_host":
			n, err := strconv.Atoi(v)
			if err != nil || n <= 0 {
				return opt, fmt.Errorf("registry setting per_host=%q of %s is not a positive number", v, o.ID)
			}
			opt.PerHost = n
		case "ca_file":
			opt.Net.CAFile = v
		case "insecure":
			opt.Net.Insecure = v == "true" || v == "yes" || v == "1"
		}
	}
	return opt, nil
}

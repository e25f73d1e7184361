package crawler

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/url"
	"slices"
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
	// LastDiff is what the last re-crawl found changed, in numbers, under
	// key "last"; the URLs behind the numbers are Changes.
	LastDiff = store.Record[Diff]{Kind: "crawldiff"}
	// Changes are the URLs the last re-crawl found new, changed, gone or
	// not fetched, one record per URL (the key), complete.
	Changes = store.Record[Change]{Kind: "crawlchange"}
	// activeRun, under key "active", says whether a crawl of the site is
	// started and not finished (so that the next run resumes it), and
	// which address and aliases it crawls.
	activeRun = store.Record[Run]{Kind: "crawlrun"}
)

const lastKey = "last"

// Run is the record of a site's crawl in progress.
type Run struct {
	Active bool `json:"active"`
	// Seed is the canonical address the crawl started from, and Aliases
	// the other hosts it counted as the site: a crawl resumes only while
	// the registry still says the same.
	Seed    string   `json:"seed,omitempty"`
	Aliases []string `json:"aliases,omitempty"`
}

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
	Images      int64            `json:"images,omitempty"`
	Bytes       int64            `json:"bytes"`
	Errors      int64            `json:"errors"`
	Guards      map[string]int64 `json:"guards,omitempty"`
	// Changes is set for a re-crawl: what is new, changed, unchanged, gone.
	Changes *DiffCounts `json:"changes,omitempty"`
	// Restarted is set when an interrupted crawl was dropped because the
	// site's address or aliases changed in the registry.
	Restarted *Restart `json:"restarted,omitempty"`
	// RobotsIgnored says robots.txt was not obeyed (registry robots = ignore).
	RobotsIgnored bool `json:"robots_ignored,omitempty"`
	// Why says why no page could be fetched; nil when some were.
	Why *Why `json:"why,omitempty"`
}

// Restart says what changed between an interrupted crawl and the registry.
type Restart struct {
	FromSeed    string   `json:"from_seed"`
	ToSeed      string   `json:"to_seed"`
	FromAliases []string `json:"from_aliases,omitempty"`
	ToAliases   []string `json:"to_aliases,omitempty"`
}

// DiffCounts are a Diff's numbers.
type DiffCounts struct {
	New       int `json:"new"`
	Changed   int `json:"changed"`
	Unchanged int `json:"unchanged"`
	Gone      int `json:"gone"`
	// Unfetched were in the previous crawl but not fetched by this one
	// (a guard, robots.txt, an error, or a crawl cut short): not gone.
	Unfetched int `json:"unfetched"`
}

// ErrNothingFetched says a crawl ended without one page of the site.
var ErrNothingFetched = errors.New("no page of the site could be fetched")

// NothingFetched is the error of a crawl that fetched no page; Why says why.
type NothingFetched struct {
	Org, URL string
	Why      *Why
}

func (e *NothingFetched) Error() string {
	return fmt.Sprintf("%s: %s: %s (see perenos orgs show %s)", ErrNothingFetched, e.URL, e.Why, e.Org)
}

func (e *NothingFetched) Unwrap() error { return ErrNothingFetched }

// CrawlSite runs the crawl stage for one site: an interrupted crawl
// resumes its frontier, unless the registry has since changed the site's
// address or aliases (then it starts afresh, and the event log says so);
// any other run starts afresh (after a finished crawl it asks
// conditionally and reports what changed; after a failed one it fetches
// again what had failed). It returns the summary and the commit that
// records the crawl's stats, diff and counts: the caller runs it in the
// transaction that also moves the site's state, so that a crash can never
// leave half of them written.
func CrawlSite(ctx context.Context, led SiteLedger, blobs Blobs, org *store.Org, opt Options) (*SiteSummary, func(store.Tx) error, error) {
	legacy, err := url.Parse(org.LegacyURL)
	if err != nil || (legacy.Scheme != "http" && legacy.Scheme != "https") || legacy.Host == "" {
		return nil, nil, fmt.Errorf("organisation %s: legacy_url %q is not an http(s) URL", org.ID, org.LegacyURL)
	}
	seed, _ := canonicalURL(legacy)
	want := Run{Active: true, Seed: seed, Aliases: normAliases(opt.Aliases)}
	run, err := activeRun.Get(led, org.ID, "active")
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return nil, nil, err
	}
	sum := &SiteSummary{}
	resume := run != nil && run.Active
	if resume && run.Seed != "" && (run.Seed != want.Seed || !slices.Equal(normAliases(run.Aliases), want.Aliases)) {
		sum.Restarted = &Restart{FromSeed: run.Seed, ToSeed: want.Seed, FromAliases: run.Aliases, ToAliases: want.Aliases}
		resume = false
	}
	if !resume {
		if err := led.StartRecrawl(org.ID); err != nil {
			return nil, nil, err
		}
		err := led.Update(func(tx store.Tx) error {
			if r := sum.Restarted; r != nil {
				reason := fmt.Sprintf("the registry changed the site's address or aliases while a crawl was interrupted (%s %v, now %s %v): its frontier was dropped and the crawl starts afresh",
					r.FromSeed, r.FromAliases, r.ToSeed, r.ToAliases)
				if err := tx.Log(store.Event{Actor: "crawler", Org: org.ID, Kind: store.EventEdit, From: r.FromSeed, To: r.ToSeed, Reason: reason}); err != nil {
					return err
				}
			}
			return activeRun.Put(tx, org.ID, "active", &want)
		})
		if err != nil {
			return nil, nil, err
		}
		if sum.Restarted != nil {
			opt.defaults()
			opt.Logger.Warn("registry address changed: interrupted crawl restarted", "site", org.ID, "from", sum.Restarted.FromSeed, "to", sum.Restarted.ToSeed)
		}
	}
	st, err := Crawl(ctx, led, blobs, org, opt)
	if err != nil {
		return nil, nil, err
	}
	diff, changes, err := compare(led, org.ID, cutShort(st))
	if err != nil {
		return nil, nil, err
	}
	sum.Pages, sum.Attachments, sum.Images, sum.Bytes, sum.Errors = st.Pages, st.Attachments, st.Images, st.Bytes, st.Errors
	sum.Guards, sum.RobotsIgnored = st.Guards, st.RobotsIgnored
	if diff != nil {
		sum.Changes = &DiffCounts{New: diff.New, Changed: diff.Changed, Unchanged: diff.Unchanged, Gone: diff.Disappeared, Unfetched: diff.Unfetched}
	}
	if st.Pages == 0 {
		if st.Why, err = why(led, org.ID, seed); err != nil {
			return nil, nil, err
		}
		sum.Why = st.Why
	}
	commit := func(tx store.Tx) error {
		if err := LastStats.Put(tx, org.ID, lastKey, st); err != nil {
			return err
		}
		if diff != nil {
			if err := LastDiff.Put(tx, org.ID, lastKey, diff); err != nil {
				return err
			}
			if err := tx.ClearRecords(Changes.Kind, org.ID); err != nil {
				return err
			}
			for _, c := range changes {
				if err := Changes.Put(tx, org.ID, c.url, &Change{Kind: c.kind}); err != nil {
					return err
				}
			}
		}
		done := want
		done.Active = false
		if err := activeRun.Put(tx, org.ID, "active", &done); err != nil {
			return err
		}
		return tx.UpdateOrg(org.ID, func(o *store.Org) error {
			o.Stats.Pages, o.Stats.Attachments, o.Stats.Bytes, o.Stats.FetchErrors = sum.Pages, sum.Attachments, sum.Bytes, sum.Errors
			return nil
		})
	}
	if sum.Pages == 0 {
		// The crawl finished with nothing: its stats say why (orgs show),
		// the log says it at the default level, and the next run starts
		// afresh rather than resuming an empty frontier.
		opt.defaults()
		opt.Logger.Warn("crawl fetched no page", "site", org.ID, "url", seed, "reason", sum.Why.Reason, "why", sum.Why.String())
		if err := led.Update(commit); err != nil {
			return sum, nil, err
		}
		return sum, nil, &NothingFetched{Org: org.ID, URL: seed, Why: sum.Why}
	}
	return sum, commit, nil
}

// cutShort says whether a crawl may have missed URLs it would otherwise
// have found: a guard stopped it going further.
func cutShort(st *Stats) bool {
	return st.Guards[GuardPages] > 0 || st.Guards[GuardDepth] > 0
}

func normAliases(a []string) []string {
	var out []string
	for _, s := range a {
		if s = strings.ToLower(strings.TrimSpace(s)); s != "" && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	slices.Sort(out)
	return out
}

// Reason is the typed cause of a crawl that fetched nothing.
type Reason string

// The reasons a crawl fetches nothing: the fetch failures of its first
// address (store.ErrorKind), and these.
const (
	ReasonAddress  = Reason(store.ErrorAddress)
	ReasonDNS      = Reason(store.ErrorDNS)
	ReasonTLS      = Reason(store.ErrorTLS)
	ReasonConnect  = Reason(store.ErrorConnect)
	ReasonTimeout  = Reason(store.ErrorTimeout)
	ReasonStatus   = Reason(store.ErrorStatus)
	ReasonTooLarge = Reason(store.ErrorTooLarge)
	ReasonRedirect = Reason(store.ErrorRedirect)
	ReasonOther    = Reason(store.ErrorOther)
	// ReasonRobots: robots.txt forbids the first address.
	ReasonRobots Reason = "robots"
	// ReasonNotHTML: the first address answers a file, not a page.
	ReasonNotHTML Reason = "not_html"
	// ReasonGuard: a guard excluded the first address.
	ReasonGuard Reason = "guard"
)

// Why says why a crawl fetched no page of its site: what happened to the
// site's first address.
type Why struct {
	Reason Reason `json:"reason"`
	URL    string `json:"url"`
	Status int    `json:"status,omitempty"`
	Detail string `json:"detail,omitempty"`
}

// String says it in English for the log and the CLI, with what to do.
func (w *Why) String() string {
	if w == nil {
		return ""
	}
	switch w.Reason {
	case ReasonAddress:
		return "the site's host resolves to an internal address (" + w.Detail + "); if the site really is inside your network, crawl with --allow-private"
	case ReasonDNS:
		return "the site's host name does not resolve (" + w.Detail + "); check legacy_url in the registry"
	case ReasonTLS:
		return "the TLS connection failed (" + w.Detail + "); give the site's CA bundle in the registry's ca_file column, or set its insecure column to true"
	case ReasonConnect:
		return "the server refused or dropped the connection (" + w.Detail + ")"
	case ReasonTimeout:
		return "the server did not answer in time (" + w.Detail + ")"
	case ReasonStatus:
		return fmt.Sprintf("the server answered HTTP %d", w.Status)
	case ReasonTooLarge:
		return "the first page is over its size cap (" + w.Detail + ")"
	case ReasonRedirect:
		return "the address redirects where the crawl may not follow (" + w.Detail + ")"
	case ReasonRobots:
		return "robots.txt forbids crawling the site; with the organisation's consent set the registry's robots column to ignore"
	case ReasonNotHTML:
		return "the address answers a file, not an HTML page (" + w.Detail + "); check legacy_url in the registry"
	case ReasonGuard:
		return "a crawl guard excluded the first address (" + w.Detail + ")"
	}
	return w.Detail
}

// why reads the first address's record for the reason nothing was fetched.
func why(led SiteLedger, org, seed string) (*Why, error) {
	var first *store.Page
	if err := led.Pages(org, func(p *store.Page) error {
		if p.URL == seed {
			first = p
		}
		return nil
	}); err != nil {
		return nil, err
	}
	w := &Why{Reason: ReasonOther, URL: seed}
	switch {
	case first == nil:
		w.Detail = "the first address was not fetched"
	case first.Excluded != nil && first.Excluded.Kind == store.ExcludedRobots:
		w.Reason = ReasonRobots
	case first.Excluded != nil:
		w.Reason, w.Detail = ReasonGuard, first.Excluded.String()
	case first.Error != "":
		w.Reason, w.Status, w.Detail = Reason(first.ErrorKind), first.Status, first.Error
		if w.Reason == "" {
			w.Reason = ReasonOther
		}
	case first.Kind != store.KindPage:
		w.Reason, w.Detail = ReasonNotHTML, first.ContentType
	}
	return w, nil
}

// SiteOptions applies a site's registry settings (aliases, delay_ms,
// per_host, ca_file, insecure, robots) to the batch's crawl options: this is
// the one place they are read and checked. A setting that is not valid is
// an error naming the organisation, the column and what it takes.
func SiteOptions(base Options, o *store.Org) (Options, error) {
	opt := base
	bad := func(k, v, what string) error {
		return fmt.Errorf("organisation %s: registry column %s=%q: %s", o.ID, k, v, what)
	}
	for _, k := range slices.Sorted(maps.Keys(o.Settings)) {
		v := strings.TrimSpace(o.Settings[k])
		switch k {
		case "aliases":
			opt.Aliases = nil
			for _, a := range strings.FieldsFunc(v, func(r rune) bool { return r == ' ' || r == ',' || r == '|' || r == ';' }) {
				host := a
				if u, err := url.Parse(a); err == nil && u.Host != "" {
					host = u.Host
				}
				if strings.ContainsAny(host, "/?#@") || host == "" {
					return opt, bad(k, v, "want host names separated by spaces or commas (school.ru, www.school.ru)")
				}
				opt.Aliases = append(opt.Aliases, host)
			}
		case "delay_ms":
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 || n > 600_000 {
				return opt, bad(k, v, "want a whole number of milliseconds from 0 to 600000")
			}
			opt.Delay = time.Duration(n) * time.Millisecond
		case "per_host":
			n, err := strconv.Atoi(v)
			if err != nil || n <= 0 || n > 64 {
				return opt, bad(k, v, "want a whole number of requests from 1 to 64")
			}
			opt.PerHost = n
		case "ca_file":
			opt.Net.CAFile = v
		case "insecure":
			b, ok := parseBool(v)
			if !ok {
				return opt, bad(k, v, "want true or false")
			}
			opt.Net.Insecure = b
		case "robots":
			switch strings.ToLower(v) {
			case "", "obey":
				opt.IgnoreRobots = false
			case "ignore":
				opt.IgnoreRobots = true
			default:
				return opt, bad(k, v, "want ignore (the organisation consents to migrating its own site) or obey")
			}
		}
	}
	return opt, nil
}

func parseBool(v string) (bool, bool) {
	switch strings.ToLower(v) {
	case "", "false", "no", "0", "нет":
		return false, true
	case "true", "yes", "1", "да":
		return true, true
	}
	return false, false
}

var _ json.Unmarshaler = (*Run)(nil)

// UnmarshalJSON also reads a run record of ledger schema 2 (a bare bool),
// in case a migration has not rewritten it.
func (r *Run) UnmarshalJSON(data []byte) error {
	var b bool
	if json.Unmarshal(data, &b) == nil {
		*r = Run{Active: b}
		return nil
	}
	type plain Run
	return json.Unmarshal(data, (*plain)(r))
}

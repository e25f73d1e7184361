// Package crawler fetches a whole legacy site politely and resumably: its
// frontier and finished URLs live in the ledger, so a crawl killed at any
// moment continues where it stopped. Pages are fetched with colly; raw
// bytes (pages and attachments, attachments streamed outside colly with a
// size cap) go to the blob store.
package crawler

import (
	"context"
	"errors"
	"fmt"
	"golang.org/x/net/html"
	"io"
	"log/slog"
	"mime"
	"net"
	"net/http"
	"net/url"
	"os"
	"path"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gocolly/colly/v2"
	"github.com/temoto/robotstxt"

	"perenos/backoff"
	"perenos/charset"
	"perenos/store"
)

// Ledger is what the crawler needs of the workspace.
type Ledger interface {
	Enqueue(org string, items []store.Pending) ([]store.Pending, error)
	Frontier(org string) ([]store.Pending, error)
	RequeueFrontier(org string, p store.Pending) error
	FinishPage(org string, f store.Finish) ([]store.Pending, int, error)
	Pages(org string, fn func(*store.Page) error) error
	// PrevPage is url's record from the previous crawl (store.ErrNotFound if none).
	PrevPage(org, url string) (*store.Page, error)
}

// Blobs is where raw bytes go.
type Blobs interface {
	Put(r io.Reader, limit int64) (store.BlobID, int64, error)
	PutBytes(data []byte) (store.BlobID, error)
	Read(id store.BlobID) ([]byte, error)
	Open(id store.BlobID) (*os.File, error)
}

// Progress receives crawl events; implementations must be safe for concurrent use.
type Progress interface {
	Fetched(org, url string, kind store.PageKind, bytes int64, err error)
}

type noProgress struct{}

func (noProgress) Fetched(string, string, store.PageKind, int64, error) {}

// Options tune a crawl. Zero values take the defaults.
type Options struct {
	Net                NetOptions
	UserAgent          string
	Gates              *Gates // shared per-host politeness; nil makes one for this site
	PerHost            int    // requests in flight per host (2)
	Delay              time.Duration
	MaxDepth           int   // link depth from the seed (25)
	MaxPages           int   // fetched URLs per site (20000)
	MaxQueryVariants   int   // query-string variants of one path (30)
	MaxRedirects       int   // (10)
	MaxPageBytes       int64 // (10 MB)
	MaxAttachmentBytes int64 // (100 MB)
	MaxTries           int   // attempts per URL for transient failures (4)
	Aliases            []string
	Progress           Progress
	Logger             *slog.Logger
	// WARC, when set, receives every response as a WARC/1.1 record.
	WARC *WARC
}

func (o *Options) defaults() {
	if o.UserAgent == "" {
		o.UserAgent = "perenos/1.0 (content migration to the federal portal)"
	}
	if o.PerHost <= 0 {
		o.PerHost = 2
	}
	if o.Delay < 0 {
		o.Delay = 0
	}
	if o.MaxDepth <= 0 {
		o.MaxDepth = 25
	}
	if o.MaxPages <= 0 {
		o.MaxPages = 20000
	}
	if o.MaxQueryVariants <= 0 {
		o.MaxQueryVariants = 30
	}
	if o.MaxRedirects <= 0 {
		o.MaxRedirects = 10
	}
	if o.MaxPageBytes <= 0 {
		o.MaxPageBytes = 10 << 20
	}
	if o.MaxAttachmentBytes <= 0 {
		o.MaxAttachmentBytes = 100 << 20
	}
	if o.MaxTries <= 0 {
		o.MaxTries = 4
	}
	if o.Progress == nil {
		o.Progress = noProgress{}
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Gates == nil {
		o.Gates = NewGates(o.PerHost, o.Delay)
	}
}

// Stats counts what a crawl did; it is kept in the ledger per site.
type Stats struct {
	Pages       int64            `json:"pages"`
	Attachments int64            `json:"attachments"`
	Bytes       int64            `json:"bytes"`
	Errors      int64            `json:"errors"`
	Robots      int64            `json:"robots_excluded"`
	Requests    int64            `json:"requests"`
	Status      map[string]int64 `json:"status"`
	Guards      map[string]int64 `json:"guards,omitempty"`
}

// Guard names.
const (
	GuardDepth     = "max-depth"
	GuardPages     = "max-pages"
	GuardVariants  = "max-query-variants"
	GuardRedirects = "max-redirects"
	GuardLoop      = "redirect-loop"
	GuardSize      = "size-cap"
)

// Crawl fetches org's legacy site until its frontier is empty, resuming
// whatever frontier the ledger holds. It returns the stats of this run.
func Crawl(ctx context.Context, led Ledger, blobs Blobs, org *store.Org, opt Options) (*Stats, error) {
	opt.defaults()
	legacy, err := url.Parse(org.LegacyURL)
	if err != nil || (legacy.Scheme != "http" && legacy.Scheme != "https") || legacy.Host == "" {
		return nil, fmt.Errorf("organisation %s: legacy_url %q is not an http(s) URL", org.ID, org.LegacyURL)
	}
	tr, err := newTransport(opt.Net, opt.PerHost)
	if err != nil {
		return nil, fmt.Errorf("organisation %s: %w", org.ID, err)
	}
	defer tr.CloseIdleConnections()
	c := &crawl{
		org: org, led: led, blobs: blobs, opt: opt, scope: newScope(legacy, opt.Aliases),
		stats:    &Stats{Status: map[string]int64{}, Guards: map[string]int64{}},
		variants: map[string]map[string]bool{},
		log:      opt.Logger.With("site", org.ID),
	}
	c.cond = sync.NewCond(&c.mu)
	c.pageClient = &http.Client{Transport: &guardTransport{next: tr, maxBody: opt.MaxPageBytes}, CheckRedirect: c.checkRedirect}
	c.fileClient = &http.Client{Transport: &guardTransport{next: tr, maxBody: opt.MaxAttachmentBytes}, CheckRedirect: c.checkRedirect}
	c.collector = c.newCollector()
	return c.run(ctx, legacy)
}

type crawl struct {
	org            *store.Org
	led            Ledger
	blobs          Blobs
	opt            Options
	scope          scope
	log            *slog.Logger
	collector      *colly.Collector
	pageClient     *http.Client
	fileClient     *http.Client
	robots         *robotstxt.Group
	robotsSitemaps []string

	mu       sync.Mutex
	cond     *sync.Cond
	queue    []store.Pending
	pending  int // queued + in flight + waiting for a retry
	known    int // URLs fetched or queued, for the page guard
	variants map[string]map[string]bool
	stats    *Stats
}

func (c *crawl) run(ctx context.Context, legacy *url.URL) (*Stats, error) {
	c.fetchRobots(ctx, legacy)
	front, err := c.led.Frontier(c.org.ID)
	if err != nil {
		return nil, err
	}
	fetched := 0
	if err := c.led.Pages(c.org.ID, func(p *store.Page) error {
		fetched++
		c.noteVariant(p.URL)
		return nil
	}); err != nil {
		return nil, err
	}
	for _, p := range front {
		c.noteVariant(p.URL)
	}
	c.known = fetched + len(front)
	if len(front) == 0 && fetched == 0 {
		front, err = c.seed(legacy)
		if err != nil {
			return nil, err
		}
	}
	c.queue = append(c.queue, front...)
	c.pending = len(c.queue)
	if c.pending == 0 {
		return c.stats, nil
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() { // wake waiting workers on cancellation
		<-ctx.Done()
		c.mu.Lock()
		c.cond.Broadcast()
		c.mu.Unlock()
	}()
	var wg sync.WaitGroup
	var firstErr error
	var errOnce sync.Once
	for range c.opt.PerHost {
		wg.Go(func() {
			for {
				p, ok := c.next(ctx)
				if !ok {
					return
				}
				if err := c.process(ctx, p); err != nil {
					errOnce.Do(func() { firstErr = err })
					cancel()
				}
			}
		})
	}
	wg.Wait()
	if firstErr != nil {
		return c.stats, firstErr
	}
	return c.stats, ctx.Err()
}

func (c *crawl) seed(legacy *url.URL) ([]store.Pending, error) {
	start, _ := canonicalURL(legacy)
	items := []store.Pending{{URL: start, Kind: store.KindPage}}
	sm := *legacy
	sm.Path, sm.RawQuery = "/sitemap.xml", ""
	seen := map[string]bool{}
	sitemaps := []string{sm.String()}
	if c.robots != nil {
		sitemaps = append(sitemaps, c.robotsSitemaps...)
	}
	for _, s := range sitemaps {
		if u, ok := Canonical(legacy, s); ok && !seen[u] {
			seen[u] = true
			items = append(items, store.Pending{URL: u, Kind: store.KindSitemap, Depth: 1})
		}
	}
	added, err := c.led.Enqueue(c.org.ID, items)
	c.known += len(added)
	return added, err
}

// next blocks until a URL is available or the crawl is over.
func (c *crawl) next(ctx context.Context) (store.Pending, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for len(c.queue) == 0 && c.pending > 0 && ctx.Err() == nil {
		c.cond.Wait()
	}
	if len(c.queue) == 0 || ctx.Err() != nil {
		return store.Pending{}, false
	}
	p := c.queue[0]
	c.queue = c.queue[1:]
	return p, true
}

func (c *crawl) done() {
	c.mu.Lock()
	c.pending--
	c.cond.Broadcast()
	c.mu.Unlock()
}

func (c *crawl) push(items []store.Pending) {
	if len(items) == 0 {
		return
	}
	c.mu.Lock()
	c.queue = append(c.queue, items...)
	c.pending += len(items)
	c.cond.Broadcast()
	c.mu.Unlock()
}

func (c *crawl) count(f func(s *Stats)) {
	c.mu.Lock()
	f(c.stats)
	c.mu.Unlock()
}

// process fetches one URL and records the outcome. Only ledger failures
// are returned: a URL that cannot be fetched is recorded, not fatal.
func (c *crawl) process(ctx context.Context, p store.Pending) error {
	defer c.done()
	u, err := url.Parse(p.URL)
	if err != nil {
		return c.finish(store.Page{URL: p.URL, Kind: p.Kind, Depth: p.Depth, Error: "unparsable URL"}, nil)
	}
	if c.robots != nil && !c.robots.Test(robotsPath(u)) {
		c.count(func(s *Stats) { s.Robots++ })
		return c.finish(store.Page{URL: p.URL, Kind: p.Kind, Depth: p.Depth, Excluded: &store.Exclusion{Kind: store.ExcludedRobots}}, nil)
	}
	if p.Depth > c.opt.MaxDepth {
		c.count(func(s *Stats) { s.Guards[GuardDepth]++ })
		return c.finish(store.Page{URL: p.URL, Kind: p.Kind, Depth: p.Depth, Excluded: &store.Exclusion{Kind: store.ExcludedGuard, Detail: GuardDepth}}, nil)
	}
	gt := c.opt.Gates.For(u.Host)
	if err := gt.Acquire(ctx); err != nil {
		return nil // cancelled: the URL stays in the ledger's frontier
	}
	began := time.Now()
	page, links, ferr := c.fetch(ctx, p, u)
	lat := time.Since(began)
	throttled := page.Status == http.StatusTooManyRequests || page.Status == http.StatusServiceUnavailable || isTimeout(ferr)
	gt.Release(lat, throttled, page.retryAfter)
	c.count(func(s *Stats) { s.Requests++ })
	if ctx.Err() != nil {
		return nil
	}
	if ferr != nil && transient(page.Status, ferr) && p.Tries+1 < c.opt.MaxTries {
		p.Tries++
		if err := c.led.RequeueFrontier(c.org.ID, p); err != nil {
			return err
		}
		c.retryLater(ctx, p, page.retryAfter)
		return nil
	}
	if ferr != nil {
		page.Error = ferr.Error()
		if p.Tries > 0 {
			page.Error = fmt.Sprintf("%s (after %d tries)", page.Error, p.Tries+1)
		}
	}
	if err := c.finish(page.Page, c.found(p, links)); err != nil {
		return err
	}
	c.opt.Progress.Fetched(c.org.ID, p.URL, p.Kind, page.Size, ferr)
	return nil
}

func (c *crawl) retryLater(ctx context.Context, p store.Pending, retryAfter time.Duration) {
	c.mu.Lock()
	c.pending++ // keeps the crawl alive while the retry waits
	c.mu.Unlock()
	wait := max(backoff.Policy{Base: 250 * time.Millisecond, Max: 10 * time.Second}.Delay(p.Tries), retryAfter)
	go func() {
		t := time.NewTimer(wait)
		defer t.Stop()
		select {
		case <-t.C:
			c.push([]store.Pending{p})
		case <-ctx.Done():
		}
		c.done()
	}()
}

// finish stores a URL's outcome together with the links found on it, then
// queues the new ones in memory. The page guard is enforced in the same
// ledger transaction.
func (c *crawl) finish(p store.Page, found []store.Pending) error {
	if p.FetchedAt.IsZero() {
		p.FetchedAt = time.Now().UTC()
	}
	c.mu.Lock()
	room := max(c.opt.MaxPages-c.known, 0)
	c.mu.Unlock()
	added, cut, err := c.led.FinishPage(c.org.ID, store.Finish{Page: p, Found: found, Room: room, Overflow: store.Exclusion{Kind: store.ExcludedGuard, Detail: GuardPages}})
	if err != nil {
		return fmt.Errorf("record %s: %w", p.URL, err)
	}
	c.count(func(s *Stats) {
		switch {
		case p.Excluded != nil:
		case p.Error != "":
			s.Errors++
		case p.Kind == store.KindAttachment:
			s.Attachments++
			s.Bytes += p.Size
		default:
			s.Pages++
			s.Bytes += p.Size
		}
		if p.Status != 0 {
			s.Status[strconv.Itoa(p.Status)]++
		}
		if cut > 0 {
			s.Guards[GuardPages] += int64(cut)
		}
	})
	c.mu.Lock()
	c.known += len(added)
	c.mu.Unlock()
	c.push(added)
	return nil
}

// link is a discovered URL with the anchor that named it.
type link struct {
	url    string
	anchor string
	file   bool
	via    store.Via
}

// found turns a page's links into frontier entries: in scope, within the
// query-variant cap, attachments told apart by extension.
func (c *crawl) found(from store.Pending, links []link) []store.Pending {
	var items []store.Pending
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, l := range links {
		u, err := url.Parse(l.url)
		if err != nil || !c.scope.contains(u) {
			continue
		}
		if !c.admitVariant(u) {
			c.stats.Guards[GuardVariants]++
			continue
		}
		kind := store.KindPage
		if l.file || IsAttachmentURL(u) {
			kind = store.KindAttachment
		}
		items = append(items, store.Pending{URL: l.url, Depth: from.Depth + 1, Kind: kind, Ref: store.Ref{URL: from.URL, Anchor: l.anchor, Via: l.via}})
	}
	return items
}

// noteVariant counts a known URL towards its path's query variants.
func (c *crawl) noteVariant(raw string) {
	if u, err := url.Parse(raw); err == nil {
		c.admitVariant(u)
	}
}

// admitVariant enforces the cap on query-string variants of one path
// (calendars and filters generate endless ones). Caller holds c.mu or is
// single-threaded.
func (c *crawl) admitVariant(u *url.URL) bool {
	if u.RawQuery == "" {
		return true
	}
	key := u.Host + u.Path
	set := c.variants[key]
	if set == nil {
		set = map[string]bool{}
		c.variants[key] = set
	}
	if set[u.RawQuery] {
		return true
	}
	if len(set) >= c.opt.MaxQueryVariants {
		return false
	}
	set[u.RawQuery] = true
	return true
}

func transient(status int, err error) bool {
	if errors.Is(err, ErrForbiddenAddress) || errors.Is(err, ErrBodyTooLarge) || errors.Is(err, errRedirect) {
		return false
	}
	switch {
	case status == 0:
		return true // network failure
	case status == http.StatusRequestTimeout, status == http.StatusTooManyRequests, status >= 500:
		return true
	}
	return false
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

func robotsPath(u *url.URL) string {
	p := u.EscapedPath()
	if u.RawQuery != "" {
		p += "?" + u.RawQuery
	}
	return p
}

// retryAfter reads a Retry-After header, capped at five minutes: a legacy
// server asking for more is waited for by the next crawl, not this one.
func retryAfter(h string) time.Duration {
	return min(backoff.RetryAfter(h, time.Now()), 5*time.Minute)
}

// extractLinks returns the links of a decoded HTML page: anchors, frames
// and image maps, resolved against the page's base. It tokenizes instead
// of building a tree: the crawler needs only the links and their text.
func extractLinks(base *url.URL, text string) []link {
	z := html.NewTokenizer(strings.NewReader(text))
	var out []link
	var cur *link     // the open <a> or <area>
	var anchor []byte // its text so far
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			return out
		case html.TextToken:
			if cur != nil && len(anchor) < 512 {
				anchor = append(anchor, z.Text()...)
				anchor = append(anchor, ' ')
			}
		case html.StartTagToken, html.SelfClosingTagToken, html.EndTagToken:
			name, hasAttr := z.TagName()
			tag := string(name)
			if tt == html.EndTagToken {
				if (tag == "a" || tag == "area") && cur != nil {
					if t := strings.Join(strings.Fields(string(anchor)), " "); t != "" {
						cur.anchor = t
					}
					out = append(out, *cur)
					cur, anchor = nil, anchor[:0]
				}
				continue
			}
			switch tag {
			case "a", "area", "frame", "iframe", "base", "img":
			default:
				continue
			}
			attrs := map[string]string{}
			for hasAttr {
				var k, v []byte
				k, v, hasAttr = z.TagAttr()
				attrs[string(k)] = string(v)
			}
			switch tag {
			case "base":
				if b, err := base.Parse(strings.TrimSpace(attrs["href"])); err == nil && attrs["href"] != "" {
					base = b
				}
			case "img":
				if cur != nil && len(anchor) == 0 && cur.anchor == "" {
					cur.anchor = attrs["alt"]
				}
			case "frame", "iframe":
				if u, ok := Canonical(base, attrs["src"]); ok {
					out = append(out, link{url: u, anchor: attrs["title"]})
				}
			default: // a, area
				if cur != nil { // an unclosed <a>: keep it
					out = append(out, *cur)
				}
				cur, anchor = nil, anchor[:0]
				if u, ok := Canonical(base, attrs["href"]); ok {
					_, dl := attrs["download"]
					cur = &link{url: u, anchor: attrs["title"], file: dl}
					if tt == html.SelfClosingTagToken || tag == "area" {
						out = append(out, *cur)
						cur = nil
					}
				}
			}
		}
	}
}

// contentFileName reads a file name from Content-Disposition.
func contentFileName(h string) string {
	if h == "" {
		return ""
	}
	_, params, err := mime.ParseMediaType(h)
	if err != nil {
		return ""
	}
	return path.Base(strings.ReplaceAll(params["filename"], "\\", "/"))
}

// decode is the crawler's view of the page's charset.
func decode(body []byte, contentType string) charset.Result { return charset.Decode(body, contentType) }

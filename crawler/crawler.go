// Package crawler fetches a whole legacy site politely and resumably: its
// frontier and finished URLs live in the ledger, so a crawl killed at any
// moment continues where it stopped. Every fetch is a net/http request
// with the crawl's context, a deadline for its headers and for its whole
// body, and a minimum rate; raw bytes (pages, attachments and images,
// streamed under their size caps) go to the blob store. Links are found
// by package links.
package crawler

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"os"
	"path"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/temoto/robotstxt"

	"perenos/backoff"
	"perenos/charset"
	"perenos/links"
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
	// CrawlGuards are the guard counters of org's current crawl.
	CrawlGuards(org string) (map[string]int64, error)
}

// Blobs is where raw bytes go.
type Blobs interface {
	Put(r io.Reader, limit int64) (store.BlobID, int64, error)
	PutBytes(data []byte) (store.BlobID, error)
	Read(id store.BlobID) ([]byte, error)
	Open(id store.BlobID) (*os.File, error)
	// Has reports whether a blob is stored and intact as far as the store
	// knows (a torn pack record found after a kill is not).
	Has(id store.BlobID) bool
}

// Progress receives crawl events; implementations must be safe for concurrent use.
type Progress interface {
	Fetched(org, url string, kind store.PageKind, bytes int64, err error)
}

type noProgress struct{}

func (noProgress) Fetched(string, string, store.PageKind, int64, error) {}

// Options tune a crawl. Zero values take the defaults.
type Options struct {
	Net       NetOptions
	UserAgent string
	// Gates are the process's per-host politeness gates; nil makes a set
	// for this crawl alone.
	Gates              *Gates
	PerHost            int // requests in flight per host (2)
	Delay              time.Duration
	MaxDepth           int   // link depth from the seed (25)
	MaxPages           int   // fetched URLs per site (20000)
	MaxQueryVariants   int   // query-string variants of one path (30)
	MaxRedirects       int   // (10)
	MaxPageBytes       int64 // (10 MB)
	MaxAttachmentBytes int64 // (100 MB); images are attachments too
	MaxTries           int   // attempts per URL for transient failures (4)
	// PageTimeout bounds a page's (or sitemap's, or script's) whole
	// exchange, headers and body (2 minutes); FileTimeout an attachment's
	// or image's (30 minutes). The headers alone are bounded by
	// Net.Timeout.
	PageTimeout time.Duration
	FileTimeout time.Duration
	// MinRate is the slowest body accepted, in bytes a second, measured
	// over each RateWindow (2048 bytes/s over 10 s): a body that stalls or
	// drips slower is cut and the URL recorded as timed out.
	MinRate    int64
	RateWindow time.Duration
	Aliases    []string
	// IgnoreRobots leaves robots.txt unobeyed (the registry's robots =
	// ignore: the organisation consents to migrating its own site); its
	// sitemaps are still read.
	IgnoreRobots bool
	// NoImages leaves the images pages show unfetched.
	NoImages bool
	Progress Progress
	Logger   *slog.Logger
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
	o.Delay = max(o.Delay, 0)
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
	if o.PageTimeout <= 0 {
		o.PageTimeout = 2 * time.Minute
	}
	if o.FileTimeout <= 0 {
		o.FileTimeout = 30 * time.Minute
	}
	if o.MinRate <= 0 {
		o.MinRate = 2048
	}
	if o.RateWindow <= 0 {
		o.RateWindow = 10 * time.Second
	}
	if o.Progress == nil {
		o.Progress = noProgress{}
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Gates == nil {
		o.Gates = NewGates()
	}
}

// Stats counts what a crawl did; it is kept in the ledger per site. Every
// count but Requests covers the whole crawl, across the runs that resumed
// it; Requests is this run's.
type Stats struct {
	Pages       int64            `json:"pages"`
	Attachments int64            `json:"attachments"`
	Images      int64            `json:"images,omitempty"`
	Bytes       int64            `json:"bytes"`
	Errors      int64            `json:"errors"`
	Robots      int64            `json:"robots_excluded"`
	Requests    int64            `json:"requests"`
	Status      map[string]int64 `json:"status"`
	Guards      map[string]int64 `json:"guards,omitempty"`
	// RobotsIgnored says robots.txt was not obeyed (registry robots = ignore).
	RobotsIgnored bool `json:"robots_ignored,omitempty"`
	// Why says why no page of the site could be fetched; nil otherwise.
	Why *Why `json:"why,omitempty"`
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
// whatever frontier the ledger holds. It returns the crawl's stats.
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
		variants: map[string]map[string]bool{},
		gates:    map[string]*Gate{},
		log:      opt.Logger.With("site", org.ID),
	}
	c.cond = sync.NewCond(&c.mu)
	c.client = &http.Client{Transport: &guardTransport{next: tr}, CheckRedirect: c.checkRedirect}
	defer c.leaveGates()
	if err := c.run(ctx, legacy); err != nil {
		return nil, err
	}
	return c.tally()
}

type crawl struct {
	org            *store.Org
	led            Ledger
	blobs          Blobs
	opt            Options
	scope          scope
	log            *slog.Logger
	client         *http.Client
	robots         *robotstxt.Group
	robotsSitemaps []string
	requests       int64

	mu       sync.Mutex
	cond     *sync.Cond
	queue    []store.Pending
	pending  int // queued + in flight + waiting for a retry
	known    int // URLs fetched or queued, for the page guard
	variants map[string]map[string]bool
	gates    map[string]*Gate
	leave    []func()
}

// gate returns host's politeness gate, joining it with this site's
// settings on first use.
func (c *crawl) gate(host string) *Gate {
	c.mu.Lock()
	defer c.mu.Unlock()
	if g := c.gates[host]; g != nil {
		return g
	}
	g, leave := c.opt.Gates.Join(host, Politeness{PerHost: c.opt.PerHost, Delay: c.opt.Delay})
	c.gates[host] = g
	c.leave = append(c.leave, leave)
	return g
}

func (c *crawl) leaveGates() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, l := range c.leave {
		l()
	}
	c.leave = nil
}

func (c *crawl) run(ctx context.Context, legacy *url.URL) error {
	c.fetchRobots(ctx, legacy)
	front, err := c.led.Frontier(c.org.ID)
	if err != nil {
		return err
	}
	fetched := 0
	var stored []store.Page // fetched with a body, to check the body is there
	if err := c.led.Pages(c.org.ID, func(p *store.Page) error {
		fetched++
		c.noteVariant(p.URL)
		if p.OK() && !p.Blob.IsZero() {
			stored = append(stored, store.Page{URL: p.URL, Kind: p.Kind, Depth: p.Depth, Blob: p.Blob, Referrers: p.Referrers})
		}
		return nil
	}); err != nil {
		return err
	}
	lost, err := c.requeueLost(front, stored)
	if err != nil {
		return err
	}
	front = append(front, lost...)
	fetched -= len(lost)
	for _, p := range front {
		c.noteVariant(p.URL)
	}
	c.known = fetched + len(front)
	if len(front) == 0 && fetched == 0 {
		front, err = c.seed(legacy)
		if err != nil {
			return err
		}
	}
	c.queue = append(c.queue, front...)
	c.pending = len(c.queue)
	if c.pending == 0 {
		return nil
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
	fail := func(err error) {
		errOnce.Do(func() { firstErr = err })
		cancel()
	}
	for range c.opt.PerHost {
		wg.Go(func() {
			var l lane
			for {
				p, ok := c.next(ctx)
				if !ok {
					break
				}
				if err := c.process(ctx, p, &l); err != nil {
					fail(err)
				}
			}
			if err := l.wait(); err != nil {
				fail(err)
			}
		})
	}
	wg.Wait()
	if firstErr != nil {
		return firstErr
	}
	return ctx.Err()
}

// requeueLost puts back into the frontier the fetched URLs whose bodies
// the blob store no longer has (a torn pack tail after a kill, a blob
// lost on disk), so that they are fetched again rather than read damaged.
// The check runs after the ledger's read, never inside it.
func (c *crawl) requeueLost(front []store.Pending, stored []store.Page) ([]store.Pending, error) {
	queued := map[string]bool{}
	for _, p := range front {
		queued[p.URL] = true
	}
	var lost []store.Pending
	for _, p := range stored {
		if c.blobs.Has(p.Blob) || queued[p.URL] {
			continue
		}
		q := store.Pending{URL: p.URL, Depth: p.Depth, Kind: p.Kind}
		if len(p.Referrers) > 0 {
			q.Ref = p.Referrers[0]
		}
		if err := c.led.RequeueFrontier(c.org.ID, q); err != nil {
			return nil, fmt.Errorf("requeue %s, whose body is lost: %w", p.URL, err)
		}
		lost = append(lost, q)
	}
	if len(lost) > 0 {
		c.log.Warn("bodies lost since the last run are fetched again", "urls", len(lost))
	}
	return lost, nil
}

func (c *crawl) seed(legacy *url.URL) ([]store.Pending, error) {
	start, _ := canonicalURL(legacy)
	items := []store.Pending{{URL: start, Kind: store.KindPage}}
	sm := *legacy
	sm.Path, sm.RawPath, sm.RawQuery = "/sitemap.xml", "", ""
	seen := map[string]bool{}
	sitemaps := append([]string{sm.String()}, c.robotsSitemaps...)
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

// process fetches one URL and hands its outcome to the worker's lane,
// which records it. Only ledger failures are returned: a URL that cannot
// be fetched is recorded, not fatal.
func (c *crawl) process(ctx context.Context, p store.Pending, l *lane) error {
	defer c.done()
	u, err := url.Parse(p.URL)
	if err != nil {
		return c.commit(l, store.Page{URL: p.URL, Kind: p.Kind, Depth: p.Depth, Error: "unparsable URL", ErrorKind: store.ErrorOther}, nil, nil, nil)
	}
	if c.robots != nil && !c.opt.IgnoreRobots && !c.robots.Test(robotsPath(u)) {
		return c.commit(l, store.Page{URL: p.URL, Kind: p.Kind, Depth: p.Depth, Excluded: &store.Exclusion{Kind: store.ExcludedRobots}}, nil, nil, nil)
	}
	if p.Depth > c.opt.MaxDepth {
		return c.commit(l, store.Page{URL: p.URL, Kind: p.Kind, Depth: p.Depth, Excluded: &store.Exclusion{Kind: store.ExcludedGuard, Detail: GuardDepth}},
			nil, map[string]int64{GuardDepth: 1}, nil)
	}
	gt := c.gate(u.Host)
	if err := gt.Acquire(ctx); err != nil {
		return nil // cancelled: the URL stays in the ledger's frontier
	}
	ans := &answer{gate: gt, began: time.Now()}
	page, found, ferr := c.fetch(ctx, p, ans)
	ans.over(page.Status, page.retryAfter, ferr)
	c.mu.Lock()
	c.requests++
	c.mu.Unlock()
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
		page.Error, page.ErrorKind = ferr.Error(), errorKind(page.Status, ferr)
		if p.Tries > 0 {
			page.Error = fmt.Sprintf("%s (after %d tries)", page.Error, p.Tries+1)
		}
	}
	guards := page.guards
	items, cut := c.found(p, found)
	if cut > 0 {
		if guards == nil {
			guards = map[string]int64{}
		}
		guards[GuardVariants] += int64(cut)
	}
	return c.commit(l, page.Page, items, guards, func() {
		c.opt.Progress.Fetched(c.org.ID, p.URL, page.Kind, page.Size, ferr)
	})
}

// lane is a worker's one commit under way. A worker hands each URL's
// outcome to its lane and goes on to the next URL while the outcome waits
// for the group commit that makes it durable, so that a slow commit does
// not hold back the next request; before handing over another outcome it
// waits for the one before. A crawl therefore has at most PerHost URLs
// being fetched and PerHost being committed: what a kill can make it
// fetch again.
type lane struct {
	under chan error // the commit under way, nil if none
}

// wait waits for the lane's commit under way and returns its error.
func (l *lane) wait() error {
	if l.under == nil {
		return nil
	}
	err := <-l.under
	l.under = nil
	return err
}

// commit records a URL's outcome through the worker's lane (see finish):
// the URL is done, its links queued and then its progress told, only once
// the commit holding it is durable; until then it keeps the crawl alive.
// It returns the error of the lane's previous commit, if that failed.
func (c *crawl) commit(l *lane, p store.Page, found []store.Pending, guards map[string]int64, told func()) error {
	if err := l.wait(); err != nil {
		return err
	}
	c.mu.Lock()
	c.pending++
	c.mu.Unlock()
	under := make(chan error, 1)
	l.under = under
	go func() {
		defer c.done()
		err := c.finish(p, found, guards)
		if err == nil && told != nil {
			told()
		}
		under <- err
	}()
	return nil
}

// answer is one request's hold on its host's gate. The fetch calls over
// as soon as the host's answer has been read, so that the slot is free
// and the host's latency measured before the crawler's own work on the
// answer (storing it, finding its links): a slow disk is not a slow host.
type answer struct {
	gate  *Gate
	began time.Time
	freed bool
}

// over releases the slot once, feeding the answer back into the host's
// pace (throttled: a 429 or 503, or no answer in time).
func (a *answer) over(status int, retryAfter time.Duration, err error) {
	if a.freed {
		return
	}
	a.freed = true
	throttled := status == http.StatusTooManyRequests || status == http.StatusServiceUnavailable || isTimeout(err)
	a.gate.Release(time.Since(a.began), throttled, retryAfter)
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

// finish stores a URL's outcome together with the links found on it and
// the guards it hit, then queues the new links in memory. The page guard
// is enforced in the same ledger transaction.
func (c *crawl) finish(p store.Page, found []store.Pending, guards map[string]int64) error {
	if p.FetchedAt.IsZero() {
		p.FetchedAt = time.Now().UTC()
	}
	c.mu.Lock()
	room := max(c.opt.MaxPages-c.known, 0)
	c.mu.Unlock()
	added, _, err := c.led.FinishPage(c.org.ID, store.Finish{Page: p, Found: found, Room: room,
		Overflow: store.Exclusion{Kind: store.ExcludedGuard, Detail: GuardPages}, Guards: guards})
	if err != nil {
		return fmt.Errorf("record %s: %w", p.URL, err)
	}
	c.mu.Lock()
	c.known += len(added)
	c.mu.Unlock()
	c.push(added)
	return nil
}

// found turns a page's links into frontier entries: in scope, within the
// query-variant cap (cut counts the links the cap dropped), each of the
// kind its link says.
func (c *crawl) found(from store.Pending, ls []links.Link) (items []store.Pending, cut int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, l := range ls {
		u, err := url.Parse(l.URL)
		if err != nil {
			continue
		}
		cu, cuURL, ok := canonical(u)
		if !ok || !c.scope.contains(cuURL) {
			continue
		}
		u = cuURL
		kind := store.KindPage
		switch {
		case l.Target == links.Image:
			if c.opt.NoImages {
				continue
			}
			kind = store.KindImage
		case l.Target == links.Script:
			if libraryScript(u) {
				continue
			}
			kind = store.KindScript
		case l.Target == links.File || links.IsFile(u):
			kind = store.KindAttachment
		}
		if !c.admitVariant(u) {
			cut++
			continue
		}
		items = append(items, store.Pending{URL: cu, Depth: from.Depth + 1, Kind: kind, Ref: store.Ref{URL: from.URL, Anchor: l.Text, Via: l.Via}})
	}
	return items, cut
}

// libraries are script files that are code libraries, not a site's own
// menus: not worth a request.
var libraries = []string{"jquery", "bootstrap", "modernizr", "swiper", "slick", "fancybox", "lightbox", "owl.carousel",
	"popper", "html5shiv", "respond", "metrika", "analytics", "gtag", "recaptcha", "fontawesome", "font-awesome",
	"lodash", "vue", "react", "angular", "mootools", "prototype", "scriptaculous", "highslide", "yui", "moment", "chart"}

func libraryScript(u *url.URL) bool {
	name := strings.ToLower(path.Base(u.Path))
	for _, l := range libraries {
		if strings.Contains(name, l) {
			return true
		}
	}
	return false
}

// noteVariant counts a known URL towards its path's query variants.
func (c *crawl) noteVariant(raw string) {
	if u, err := url.Parse(raw); err == nil {
		c.admitVariant(u)
	}
}

// admitVariant enforces the cap on query-string variants of one page
// (calendars and filters generate endless ones). A page is its path and
// the parameters that name pages (pageParams): on a hand-made PHP site
// or an old Joomla every page is index.php?page=… or ?option=…&id=…, and
// each is a page of its own, not a variant of index.php. Caller holds
// c.mu or is single-threaded.
func (c *crawl) admitVariant(u *url.URL) bool {
	if u.RawQuery == "" {
		return true
	}
	key := u.Host + u.EscapedPath() + "?" + pageParams(u.Query())
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

// namingParams are the query parameters legacy CMSs and hand-made sites
// name a page or a file by (index.php?page=pitanie, ?option=com_content&
// view=article&id=12, ?page_id=45, ?ELEMENT_ID=…, download.php?file=…),
// as opposed to those that page, sort, filter or date one (?start=20,
// ?month=5&year=2024, ?d=…), whose variants are capped.
var namingParams = map[string]bool{
	"page": true, "p": true, "page_id": true, "pageid": true, "pid": true, "id": true, "option": true, "view": true,
	"task": true, "razdel": true, "section": true, "section_id": true, "sec": true, "str": true, "menu": true,
	"mod": true, "module": true, "act": true, "action": true, "cat": true, "catid": true, "category": true,
	"article": true, "news": true, "nid": true, "element_id": true, "item": true, "file": true, "doc": true,
	"docid": true, "fid": true, "name": true, "go": true,
}

// pageParams is the part of a query that names the page: the naming
// parameters with their values, sorted.
func pageParams(q url.Values) string {
	keep := url.Values{}
	for k, v := range q {
		if namingParams[strings.ToLower(k)] {
			keep[k] = v
		}
	}
	return keep.Encode()
}

// tally counts the crawl's outcome from the ledger: what every run of it
// stored, and the guards every run hit.
func (c *crawl) tally() (*Stats, error) {
	st := &Stats{Status: map[string]int64{}, Requests: c.requests, RobotsIgnored: c.opt.IgnoreRobots}
	if err := c.led.Pages(c.org.ID, func(p *store.Page) error {
		if p.Status != 0 {
			st.Status[strconv.Itoa(p.Status)]++
		}
		switch {
		case p.Excluded != nil:
			if p.Excluded.Kind == store.ExcludedRobots {
				st.Robots++
			}
		case p.Error != "":
			st.Errors++
		case p.Kind == store.KindAttachment:
			st.Attachments++
			st.Bytes += p.Size
		case p.Kind == store.KindImage:
			st.Images++
			st.Bytes += p.Size
		case p.Kind == store.KindPage:
			st.Pages++
			st.Bytes += p.Size
		}
		return nil
	}); err != nil {
		return nil, err
	}
	g, err := c.led.CrawlGuards(c.org.ID)
	if err != nil {
		return nil, err
	}
	if len(g) > 0 {
		st.Guards = g
	}
	return st, nil
}

func transient(status int, err error) bool {
	if errors.Is(err, ErrForbiddenAddress) || errors.Is(err, ErrBodyTooLarge) || errors.Is(err, errRedirect) || errors.Is(err, ErrBomb) {
		return false
	}
	switch {
	case status == 0:
		return true // network failure, timeout
	case status == http.StatusRequestTimeout, status == http.StatusTooManyRequests, status >= 500:
		return true
	}
	return false
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

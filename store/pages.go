package store

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"
)

func bytesReader(b []byte) io.Reader { return bytes.NewReader(b) }

// PageKind distinguishes HTML pages from downloaded attachments.
type PageKind string

// The kinds of fetched resources.
const (
	KindPage       PageKind = "page"
	KindAttachment PageKind = "attachment"
	// KindSitemap is a sitemap file, read for the URLs it lists.
	KindSitemap PageKind = "sitemap"
	// KindImage is an image a page shows (<img>), kept as a file under the
	// attachment size cap so that it can be carried to the portal.
	KindImage PageKind = "image"
	// KindScript is a same-site script file, read only for the addresses
	// it names (menus a script loads); it is not content.
	KindScript PageKind = "script"
)

// Via says how a link was found.
type Via string

// The ways a link is found; the empty Via is an ordinary link in a page
// (an anchor, an image map's area).
const (
	ViaLink      Via = ""
	ViaSitemap   Via = "sitemap"    // listed in a sitemap
	ViaBackslash Via = "backslash"  // an href written with backslashes (news\2018\a.html), read as a browser does
	ViaOnclick   Via = "onclick"    // an address in an event-handler attribute (location.href=…, window.open(…))
	ViaScript    Via = "script"     // a string literal of a script, inline or a same-site file (fetch('header.html'), $.load(…))
	ViaScriptSrc Via = "script_src" // a same-site script file (<script src>), read for the addresses it names
	ViaForm      Via = "form"       // a GET form's action with one option of its select (a jump menu)
	ViaRefresh   Via = "refresh"    // <meta http-equiv="refresh"> to another address
	ViaImage     Via = "image"      // an <img> src or srcset
	ViaEmbed     Via = "embed"      // a document shown inside the page: <embed src>, <object data>, a viewer's url=…
	ViaFrame     Via = "frame"      // a page shown in a <frame> or <iframe> of the page (a frameset's menu or content)
)

// Ref is a link that led to a resource: the page it was on, its anchor
// text, and how the link was found.
type Ref struct {
	URL    string `json:"url"`
	Anchor string `json:"anchor,omitempty"`
	Via    Via    `json:"via,omitempty"`
}

// ExclusionKind says why a URL was deliberately not fetched.
type ExclusionKind string

// The reasons a URL is excluded rather than failed.
const (
	ExcludedRobots     ExclusionKind = "robots"      // robots.txt disallows it
	ExcludedGuard      ExclusionKind = "guard"       // a crawl guard stopped it; Detail names the guard
	ExcludedNoSitemap  ExclusionKind = "no_sitemap"  // no sitemap at that address
	ExcludedNotSitemap ExclusionKind = "not_sitemap" // the file there is not a sitemap; Detail says why
)

// Exclusion is why a URL was left out on purpose: not an error of the
// site, and not counted as one.
type Exclusion struct {
	Kind   ExclusionKind `json:"kind"`
	Detail string        `json:"detail,omitempty"`
}

// String says the exclusion in English, for logs and the CLI.
func (e Exclusion) String() string {
	switch e.Kind {
	case ExcludedRobots:
		return "robots.txt disallows this URL"
	case ExcludedGuard:
		return "guard " + e.Detail
	case ExcludedNoSitemap:
		return "no sitemap"
	case ExcludedNotSitemap:
		return "not a sitemap (" + e.Detail + ")"
	}
	return string(e.Kind) + " " + e.Detail
}

// Page is one fetched URL of a site: an HTML page or an attachment, or a
// URL that could not be fetched (Error set).
type Page struct {
	URL          string    `json:"url"` // canonical URL
	FinalURL     string    `json:"final_url,omitempty"`
	Kind         PageKind  `json:"kind"`
	Status       int       `json:"status"`
	ContentType  string    `json:"content_type,omitempty"`
	Charset      string    `json:"charset,omitempty"` // decided charset of an HTML page
	Blob         BlobID    `json:"blob,omitzero"`     // raw bytes as received
	Size         int64     `json:"size"`
	FileName     string    `json:"file_name,omitempty"` // original name of an attachment
	Depth        int       `json:"depth"`
	Referrers    []Ref     `json:"referrers,omitempty"`
	FetchedAt    time.Time `json:"fetched_at"`
	ETag         string    `json:"etag,omitempty"`
	LastModified string    `json:"last_modified,omitempty"`
	// Redirects are the hops that led from URL to FinalURL, in order.
	Redirects []Hop `json:"redirects,omitempty"`
	// Error is why the URL could not be fetched, and ErrorKind what kind
	// of failure it was; Excluded, why it was left out on purpose. At
	// most one of Error and Excluded is set.
	Error     string     `json:"error,omitempty"`
	ErrorKind ErrorKind  `json:"error_kind,omitempty"`
	Excluded  *Exclusion `json:"excluded,omitempty"`
}

// Hop is one redirect: the address asked, the status it answered and the
// Location it sent on to.
type Hop struct {
	URL      string `json:"url"`
	Status   int    `json:"status"`
	Location string `json:"location"`
}

// ErrorKind says what kind of failure stopped a fetch.
type ErrorKind string

// The kinds of fetch failures.
const (
	ErrorAddress  ErrorKind = "internal_address" // the host resolves to an internal address (--allow-private)
	ErrorDNS      ErrorKind = "dns"              // the host name does not resolve
	ErrorTLS      ErrorKind = "tls"              // the TLS handshake or certificate failed (ca_file, insecure)
	ErrorConnect  ErrorKind = "connect"          // connection refused, reset or unreachable
	ErrorTimeout  ErrorKind = "timeout"          // no answer in time, or a body too slow or stalled
	ErrorStatus   ErrorKind = "http_status"      // the server answered an error status
	ErrorTooLarge ErrorKind = "too_large"        // the body is over its size cap (or a decompression bomb)
	ErrorRedirect ErrorKind = "redirect"         // a redirect guard, a loop, or a redirect off the site
	ErrorOther    ErrorKind = "other"
)

// OK reports whether the page was fetched with content (a 304 answer to a
// conditional re-crawl keeps the previous crawl's content).
func (p *Page) OK() bool {
	return p.Error == "" && p.Excluded == nil && (p.Status >= 200 && p.Status < 300 || p.Status == 304 && !p.Blob.IsZero())
}

// Failed reports whether fetching the URL failed (as opposed to its being
// excluded on purpose).
func (p *Page) Failed() bool { return p.Error != "" }

// Pending is a URL waiting in a site's crawl frontier.
type Pending struct {
	URL   string   `json:"url"`
	Depth int      `json:"depth"`
	Kind  PageKind `json:"kind"`
	Ref   Ref      `json:"ref,omitzero"`
	Tries int      `json:"tries,omitempty"`
	// More are the further referrers of a URL that keeps them
	// (keepsReferrers), found while it was queued.
	More []Ref `json:"more,omitempty"`
}

// Enqueue adds URLs to org's frontier unless they are already queued or
// fetched; for fetched ones the referrer is recorded. It returns the new ones.
func (w *Workspace) Enqueue(org string, items []Pending) ([]Pending, error) {
	var added []Pending
	err := w.db.Batch(func(tx *bolt.Tx) error {
		added = added[:0]
		fr, err := orgBucket(tx, bFrontier, org)
		if err != nil {
			return err
		}
		pg, err := orgBucket(tx, bPages, org)
		if err != nil {
			return err
		}
		for _, it := range items {
			k := []byte(it.URL)
			if data := pg.Get(k); data != nil {
				if it.Ref.URL == "" {
					continue
				}
				var p Page
				if err := json.Unmarshal(data, &p); err != nil {
					return err
				}
				if addRef(&p.Referrers, it.Ref) {
					if err := putJSON(pg, it.URL, p); err != nil {
						return err
					}
				}
				continue
			}
			if fr.Get(k) != nil {
				continue
			}
			if err := putJSON(fr, it.URL, it); err != nil {
				return err
			}
			added = append(added, it)
		}
		return nil
	})
	return added, err
}

// keepsReferrers reports whether a found link is recorded on a URL that
// is already fetched: links to files, script files, what scripts load and
// what framesets show (rare, and each read for who links it); other pages
// keep their first referrer, which spares a write per link.
func keepsReferrers(it Pending) bool {
	switch it.Ref.Via {
	case ViaScript, ViaScriptSrc, ViaFrame:
		return true
	}
	return it.Kind == KindAttachment || it.Kind == KindScript
}

// maxRefs bounds the referrers kept of a URL.
const maxRefs = 20

// moreRef records a further referrer of a queued URL in its frontier
// entry (data), for its page record when it is fetched.
func moreRef(fr *bolt.Bucket, data []byte, it Pending) error {
	var q Pending
	if err := json.Unmarshal(data, &q); err != nil {
		return fmt.Errorf("decode frontier entry %s: %w", it.URL, err)
	}
	all := append([]Ref{q.Ref}, q.More...)
	if !addRef(&all, it.Ref) {
		return nil
	}
	q.More = all[1:]
	return putJSON(fr, it.URL, q)
}

func addRef(refs *[]Ref, r Ref) bool {
	for _, x := range *refs {
		if x.URL == r.URL {
			return false
		}
	}
	if len(*refs) >= maxRefs {
		return false
	}
	*refs = append(*refs, r)
	return true
}

// Frontier lists org's queued URLs in key order.
func (w *Workspace) Frontier(org string) ([]Pending, error) {
	var out []Pending
	err := w.db.View(func(tx *bolt.Tx) error {
		fr, _ := orgBucket(tx, bFrontier, org)
		if fr == nil {
			return nil
		}
		return fr.ForEach(func(k, v []byte) error {
			var p Pending
			if err := json.Unmarshal(v, &p); err != nil {
				return fmt.Errorf("decode frontier entry %s: %w", k, err)
			}
			out = append(out, p)
			return nil
		})
	})
	return out, err
}

// RequeueFrontier replaces a frontier entry (after a failed try).
func (w *Workspace) RequeueFrontier(org string, p Pending) error {
	return w.db.Update(func(tx *bolt.Tx) error {
		fr, err := orgBucket(tx, bFrontier, org)
		if err != nil {
			return err
		}
		return putJSON(fr, p.URL, p)
	})
}

// Finish is the outcome of fetching one URL: its record and the links
// found on it.
type Finish struct {
	Page  Page
	Found []Pending
	// Room caps how many new URLs may join the frontier (negative: no cap);
	// the rest are recorded as excluded with Overflow, so the cut is visible.
	Room     int
	Overflow Exclusion
	// Guards counts the crawl guards this URL hit (a query-variant cut,
	// a redirect guard); they are added to the crawl's guard counters in
	// the same transaction, as are the URLs cut by Room.
	Guards map[string]int64
}

// crawlGuards is the records kind of a crawl's guard counters: one record
// per guard, its count as a JSON number. FinishPage adds to them; a new
// crawl (StartRecrawl, ResetCrawl) clears them.
const crawlGuards = "crawlguards"

// CrawlGuards returns how often each guard was hit by org's current crawl,
// across every run that resumed it.
func (w *Workspace) CrawlGuards(org string) (map[string]int64, error) {
	out := map[string]int64{}
	err := w.EachRecord(crawlGuards, org, func(key string, raw []byte) error {
		n, err := strconv.ParseInt(string(raw), 10, 64)
		if err != nil {
			return fmt.Errorf("crawl guard %s of %s: %w", key, org, err)
		}
		out[key] = n
		return nil
	})
	return out, err
}

// addGuards adds counts to org's crawl guard counters.
func addGuards(tx *bolt.Tx, org string, counts map[string]int64) error {
	if len(counts) == 0 {
		return nil
	}
	b, err := docBucket(tx, crawlGuards, org)
	if err != nil {
		return err
	}
	for k, n := range counts {
		if n == 0 {
			continue
		}
		var cur int64
		if v := b.Get([]byte(k)); v != nil {
			cur, _ = strconv.ParseInt(string(v), 10, 64)
		}
		if err := b.Put([]byte(k), strconv.AppendInt(nil, cur+n, 10)); err != nil {
			return err
		}
	}
	return nil
}

// clearGuards removes org's crawl guard counters.
func clearGuards(tx *bolt.Tx, org string) error {
	top := tx.Bucket(bDocs).Bucket([]byte(crawlGuards))
	if top == nil || top.Bucket([]byte(org)) == nil {
		return nil
	}
	return top.DeleteBucket([]byte(org))
}

// FinishPage records a fetched (or given-up) URL, removes it from the
// frontier and queues the links found on it, all in one transaction: a URL
// is done only once its response is stored, and its links are never lost
// between the two. It returns the newly queued URLs and how many were cut
// by Room. Concurrent callers share one commit (see finishGroup): it
// returns when the transaction holding its page is durable.
func (w *Workspace) FinishPage(org string, f Finish) (added []Pending, cut int, err error) {
	return w.finish.do(w, org, f)
}

// finishGroup is FinishPage's group commit. A caller that finds no commit
// under way leads: it commits every finish waiting (its own and those of
// callers that arrived while the previous commit ran) after one sync of
// the blob pack, in one transaction that also indexes the bodies synced,
// then hands the lead to the next caller
// waiting, if any. Nothing waits on a timer, so a batch is as large as the
// finishes that arrive during one commit, and a lone finish commits at once.
type finishGroup struct {
	mu      sync.Mutex
	waiting []*finishCall
	busy    bool
}

// finishCall is one caller's finish and, once done is closed, its result.
type finishCall struct {
	org   string
	f     Finish
	added []Pending
	cut   int
	err   error
	done  chan struct{}
	lead  chan struct{} // closed when this caller is to lead the next commit
}

func (g *finishGroup) do(w *Workspace, org string, f Finish) ([]Pending, int, error) {
	c := &finishCall{org: org, f: f, done: make(chan struct{}), lead: make(chan struct{})}
	g.mu.Lock()
	g.waiting = append(g.waiting, c)
	if g.busy {
		g.mu.Unlock()
		select {
		case <-c.done:
			return c.added, c.cut, c.err
		case <-c.lead:
		}
		g.mu.Lock()
	}
	g.busy = true
	batch := g.waiting
	g.waiting = nil
	g.mu.Unlock()
	w.commitFinishes(batch)
	g.mu.Lock()
	if len(g.waiting) > 0 {
		close(g.waiting[0].lead)
	} else {
		g.busy = false
	}
	g.mu.Unlock()
	return c.added, c.cut, c.err
}

// commitFinishes commits a batch of finishes in one transaction. If the
// transaction fails, each finish is committed alone, so that one bad
// finish fails only its own caller.
func (w *Workspace) commitFinishes(batch []*finishCall) {
	defer func() {
		for _, c := range batch {
			close(c.done)
		}
	}()
	// Every caller stored its bytes before calling; make them durable
	// before the commit that records them as done, and index the packed
	// ones in that same commit.
	pk := w.Blobs.pack
	pk.flushMu.Lock()
	defer pk.flushMu.Unlock()
	es, err := pk.sync()
	if err == nil {
		err = w.db.Update(func(tx *bolt.Tx) error {
			if err := pk.putIndex(tx, es); err != nil {
				return err
			}
			for _, c := range batch {
				c.added, c.cut, c.err = finishTx(tx, c.org, c.f)
				if c.err != nil {
					return c.err
				}
			}
			return nil
		})
	}
	if err == nil {
		pk.indexed(len(es))
		return
	}
	if len(batch) > 1 {
		for _, c := range batch {
			es, c.err = pk.sync()
			if c.err == nil {
				c.err = w.db.Update(func(tx *bolt.Tx) error {
					if err := pk.putIndex(tx, es); err != nil {
						return err
					}
					var err error
					c.added, c.cut, err = finishTx(tx, c.org, c.f)
					return err
				})
			}
			if c.err == nil {
				pk.indexed(len(es))
			} else {
				c.added, c.cut = nil, 0
			}
		}
		return
	}
	batch[0].added, batch[0].cut, batch[0].err = nil, 0, err
}

// finishTx is one finish inside a transaction.
func finishTx(tx *bolt.Tx, org string, f Finish) (added []Pending, cut int, err error) {
	fr, err := orgBucket(tx, bFrontier, org)
	if err != nil {
		return nil, 0, err
	}
	pg, err := orgBucket(tx, bPages, org)
	if err != nil {
		return nil, 0, err
	}
	p := f.Page
	k := []byte(p.URL)
	if data := fr.Get(k); data != nil {
		var q Pending
		if json.Unmarshal(data, &q) == nil && q.Ref.URL != "" {
			addRef(&p.Referrers, q.Ref)
			for _, r := range q.More {
				addRef(&p.Referrers, r)
			}
		}
		if err := fr.Delete(k); err != nil {
			return nil, 0, err
		}
	}
	if old := pg.Get(k); old != nil {
		var prev Page
		if json.Unmarshal(old, &prev) == nil {
			for _, r := range prev.Referrers {
				addRef(&p.Referrers, r)
			}
		}
	}
	if err := putJSON(pg, p.URL, p); err != nil {
		return nil, 0, err
	}
	for _, it := range f.Found {
		ik := []byte(it.URL)
		if data := pg.Get(ik); data != nil {
			// Further referrers matter for files (their titles and
			// sections come from the links) and for what scripts load
			// (a menu fragment every page fetches is the site's menu,
			// told by how many pages load it); a page keeps its first.
			if it.Ref.URL == "" || !keepsReferrers(it) {
				continue
			}
			var q Page
			if err := json.Unmarshal(data, &q); err != nil {
				return nil, 0, err
			}
			if addRef(&q.Referrers, it.Ref) {
				if err := putJSON(pg, it.URL, q); err != nil {
					return nil, 0, err
				}
			}
			continue
		}
		if data := fr.Get(ik); data != nil {
			if it.Ref.URL != "" && keepsReferrers(it) {
				if err := moreRef(fr, data, it); err != nil {
					return nil, 0, err
				}
			}
			continue
		}
		if f.Room >= 0 && len(added) >= f.Room {
			cut++
			ex := f.Overflow
			over := Page{URL: it.URL, Kind: it.Kind, Depth: it.Depth, Excluded: &ex, FetchedAt: p.FetchedAt}
			if it.Ref.URL != "" {
				over.Referrers = []Ref{it.Ref}
			}
			if err := putJSON(pg, it.URL, over); err != nil {
				return nil, 0, err
			}
			continue
		}
		if err := putJSON(fr, it.URL, it); err != nil {
			return nil, 0, err
		}
		added = append(added, it)
	}
	if err := addGuards(tx, org, f.Guards); err != nil {
		return nil, 0, err
	}
	if cut > 0 {
		if err := addGuards(tx, org, map[string]int64{f.Overflow.Detail: int64(cut)}); err != nil {
			return nil, 0, err
		}
	}
	return added, cut, nil
}

// Page loads one fetched URL of org.
func (w *Workspace) Page(org, url string) (*Page, error) {
	var p Page
	err := w.db.View(func(tx *bolt.Tx) error {
		pg, _ := orgBucket(tx, bPages, org)
		if pg == nil {
			return fmt.Errorf("page %s: %w", url, ErrNotFound)
		}
		data := pg.Get([]byte(url))
		if data == nil {
			return fmt.Errorf("page %s: %w", url, ErrNotFound)
		}
		return json.Unmarshal(data, &p)
	})
	if err != nil {
		return nil, err
	}
	return &p, nil
}

// Pages calls fn for each fetched URL of org in key order.
func (w *Workspace) Pages(org string, fn func(*Page) error) error {
	return w.db.View(func(tx *bolt.Tx) error { return eachPage(tx, bPages, org, fn) })
}

func eachPage(tx *bolt.Tx, top []byte, org string, fn func(*Page) error) error {
	b := tx.Bucket(top).Bucket([]byte(org))
	if b == nil {
		return nil
	}
	return b.ForEach(func(k, v []byte) error {
		var p Page
		if err := json.Unmarshal(v, &p); err != nil {
			return fmt.Errorf("decode page %s: %w", k, err)
		}
		return fn(&p)
	})
}

// ResetCrawl forgets org's frontier, fetched pages and previous crawl.
func (w *Workspace) ResetCrawl(org string) error {
	return w.db.Update(func(tx *bolt.Tx) error {
		if err := clearGuards(tx, org); err != nil {
			return err
		}
		for _, top := range [][]byte{bFrontier, bPages, bPrev} {
			b := tx.Bucket(top)
			if b.Bucket([]byte(org)) != nil {
				if err := b.DeleteBucket([]byte(org)); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

// StartRecrawl begins a fresh crawl of org that can ask conditionally: the
// fetched pages become the previous-crawl snapshot (replacing an older
// one), and pages and frontier are emptied. A re-crawl interrupted midway
// keeps its snapshot, so resuming it still compares with the crawl before.
func (w *Workspace) StartRecrawl(org string) error {
	return w.db.Update(func(tx *bolt.Tx) error {
		if err := clearGuards(tx, org); err != nil {
			return err
		}
		pages := tx.Bucket(bPages).Bucket([]byte(org))
		prev := tx.Bucket(bPrev)
		if pages != nil {
			if prev.Bucket([]byte(org)) != nil {
				if err := prev.DeleteBucket([]byte(org)); err != nil {
					return err
				}
			}
			dst, err := prev.CreateBucket([]byte(org))
			if err != nil {
				return err
			}
			if err := pages.ForEach(func(k, v []byte) error { return dst.Put(k, v) }); err != nil {
				return err
			}
			if err := tx.Bucket(bPages).DeleteBucket([]byte(org)); err != nil {
				return err
			}
		}
		if tx.Bucket(bFrontier).Bucket([]byte(org)) != nil {
			return tx.Bucket(bFrontier).DeleteBucket([]byte(org))
		}
		return nil
	})
}

// PrevPage returns url's record from the previous crawl, or ErrNotFound.
func (w *Workspace) PrevPage(org, url string) (*Page, error) {
	var p Page
	err := w.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bPrev).Bucket([]byte(org))
		if b == nil {
			return ErrNotFound
		}
		data := b.Get([]byte(url))
		if data == nil {
			return ErrNotFound
		}
		return json.Unmarshal(data, &p)
	})
	if err != nil {
		return nil, err
	}
	return &p, nil
}

// PrevPages calls fn for each page of the previous crawl.
func (w *Workspace) PrevPages(org string, fn func(*Page) error) error {
	return w.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bPrev).Bucket([]byte(org))
		if b == nil {
			return nil
		}
		return b.ForEach(func(k, v []byte) error {
			var p Page
			if err := json.Unmarshal(v, &p); err != nil {
				return fmt.Errorf("decode page %s: %w", k, err)
			}
			return fn(&p)
		})
	})
}

package store

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
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
)

// Via says how a link was found.
type Via string

// The ways a link is found; the empty Via is an ordinary link in a page.
const (
	ViaLink    Via = ""
	ViaSitemap Via = "sitemap" // listed in a sitemap
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
	// Error is why the URL could not be fetched; Excluded, why it was
	// left out on purpose. At most one of them is set.
	Error    string     `json:"error,omitempty"`
	Excluded *Exclusion `json:"excluded,omitempty"`
}

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

func addRef(refs *[]Ref, r Ref) bool {
	const maxRefs = 20
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
}

// FinishPage records a fetched (or given-up) URL, removes it from the
// frontier and queues the links found on it, all in one transaction: a URL
// is done only once its response is stored, and its links are never lost
// between the two. It returns the newly queued URLs and how many were cut
// by Room. Concurrent callers are batched into one commit.
func (w *Workspace) FinishPage(org string, f Finish) (added []Pending, cut int, err error) {
	err = w.db.Batch(func(tx *bolt.Tx) error {
		added, cut = added[:0], 0
		// Every caller in this batch stored its bytes before calling; make
		// them durable before the commit that records them as done.
		if err := w.Blobs.Flush(); err != nil {
			return err
		}
		fr, err := orgBucket(tx, bFrontier, org)
		if err != nil {
			return err
		}
		pg, err := orgBucket(tx, bPages, org)
		if err != nil {
			return err
		}
		p := f.Page
		k := []byte(p.URL)
		if data := fr.Get(k); data != nil {
			var q Pending
			if json.Unmarshal(data, &q) == nil && q.Ref.URL != "" {
				addRef(&p.Referrers, q.Ref)
			}
			if err := fr.Delete(k); err != nil {
				return err
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
			return err
		}
		for _, it := range f.Found {
			ik := []byte(it.URL)
			if data := pg.Get(ik); data != nil {
				// Further referrers matter for files (their titles and
				// sections come from the links); a page keeps its first.
				if it.Ref.URL == "" || it.Kind != KindAttachment {
					continue
				}
				var q Page
				if err := json.Unmarshal(data, &q); err != nil {
					return err
				}
				if addRef(&q.Referrers, it.Ref) {
					if err := putJSON(pg, it.URL, q); err != nil {
						return err
					}
				}
				continue
			}
			if fr.Get(ik) != nil {
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
					return err
				}
				continue
			}
			if err := putJSON(fr, it.URL, it); err != nil {
				return err
			}
			added = append(added, it)
		}
		return nil
	})
	return added, cut, err
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

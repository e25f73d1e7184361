package crawler

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"

	"github.com/gocolly/colly/v2"
	"github.com/temoto/robotstxt"

	"perenos/store"
)

var errRedirect = errors.New("redirect refused")

// fetched is a Page plus what the scheduler needs from the answer.
type fetched struct {
	store.Page
	retryAfter time.Duration
}

func (c *crawl) checkRedirect(req *http.Request, via []*http.Request) error {
	if len(via) >= c.opt.MaxRedirects {
		c.count(func(s *Stats) { s.Guards[GuardRedirects]++ })
		return fmt.Errorf("%w: more than %d redirects (guard %s)", errRedirect, c.opt.MaxRedirects, GuardRedirects)
	}
	for _, v := range via {
		if v.URL.String() == req.URL.String() {
			c.count(func(s *Stats) { s.Guards[GuardLoop]++ })
			return fmt.Errorf("%w: redirect loop at %s (guard %s)", errRedirect, req.URL, GuardLoop)
		}
	}
	if !c.scope.contains(req.URL) {
		return fmt.Errorf("%w: redirect to %s leaves the site", errRedirect, req.URL)
	}
	return nil
}

func (c *crawl) newCollector() *colly.Collector {
	col := colly.NewCollector(colly.UserAgent(c.opt.UserAgent), colly.AllowURLRevisit(), colly.ParseHTTPErrorResponse())
	col.MaxBodySize = 0         // the guard transport fails oversized bodies instead of truncating them
	col.IgnoreRobotsTxt = true  // robots.txt is read once per site below, Crawl-delay included
	col.DetectCharset = false   // bytes are decoded by package charset
	col.SetClient(c.pageClient) // safe dialer, caps, redirect rules
	col.OnResponseHeaders(func(r *colly.Response) {
		if r.StatusCode < 300 && !isHTML(r.Headers.Get(rawHeader)) {
			r.Ctx.Put("attachment", true) // fetched again as a stream, outside colly
			r.Request.Abort()
		}
	})
	col.OnResponse(func(r *colly.Response) { r.Ctx.Put("response", r) })
	col.OnError(func(r *colly.Response, err error) {
		if r != nil && r.StatusCode != 0 {
			r.Ctx.Put("response", r)
		}
	})
	return col
}

// fetch gets one URL: a page through colly, an attachment as a stream, a
// sitemap as XML. It returns the record to store and the links found.
func (c *crawl) fetch(ctx context.Context, p store.Pending, u *url.URL) (fetched, []link, error) {
	switch p.Kind {
	case store.KindAttachment:
		f, err := c.fetchFile(ctx, p, u)
		return f, nil, err
	case store.KindSitemap:
		return c.fetchSitemap(ctx, p, u)
	}
	f := fetched{Page: store.Page{URL: p.URL, Kind: store.KindPage, Depth: p.Depth}}
	cctx := colly.NewContext()
	hdr := http.Header{}
	prev := c.previous(p.URL)
	conditional(hdr, prev)
	err := c.collector.Request(http.MethodGet, p.URL, nil, cctx, hdr)
	if a, _ := cctx.GetAny("attachment").(bool); a {
		p.Kind = store.KindAttachment
		ff, err := c.fetchFile(ctx, p, u)
		return ff, nil, err
	}
	r, _ := cctx.GetAny("response").(*colly.Response)
	if r == nil {
		if err == nil {
			err = errors.New("no response")
		}
		return f, nil, err
	}
	f.Status = r.StatusCode
	f.retryAfter = retryAfter(r.Headers.Get("Retry-After"))
	if r.StatusCode == http.StatusNotModified && prev != nil {
		unchanged(&f.Page, prev)
		raw, err := c.blobs.Read(prev.Blob)
		if err != nil {
			return f, nil, fmt.Errorf("previous copy of %s: %w", p.URL, err)
		}
		base, _ := url.Parse(prev.URL)
		if prev.FinalURL != "" {
			base, _ = url.Parse(prev.FinalURL)
		}
		return f, extractLinks(base, decode(raw, prev.ContentType).Text), nil
	}
	if r.StatusCode >= 300 {
		return f, nil, fmt.Errorf("HTTP %d", r.StatusCode)
	}
	if err != nil {
		return f, nil, err
	}
	final := r.Request.URL
	if fu, ok := canonicalURL(final); ok && fu != p.URL {
		f.FinalURL = fu
	}
	ct := r.Headers.Get(rawHeader)
	f.ContentType = ct
	f.ETag, f.LastModified = r.Headers.Get("ETag"), r.Headers.Get("Last-Modified")
	id, perr := c.blobs.PutBytes(r.Body)
	if perr != nil {
		return f, nil, fmt.Errorf("store %s: %w", p.URL, perr)
	}
	f.Blob, f.Size = id, int64(len(r.Body))
	if err := c.opt.WARC.Response(p.URL, r.StatusCode, r.Headers.Clone(), bytes.NewReader(r.Body), time.Now()); err != nil {
		return f, nil, err
	}
	dec := decode(r.Body, ct)
	f.Charset = dec.Charset
	return f, extractLinks(final, dec.Text), nil
}

// fetchFile streams an attachment into the blob store under its size cap.
func (c *crawl) fetchFile(ctx context.Context, p store.Pending, u *url.URL) (fetched, error) {
	f := fetched{Page: store.Page{URL: p.URL, Kind: store.KindAttachment, Depth: p.Depth, FileName: fileName(u)}}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, p.URL, nil)
	if err != nil {
		return f, err
	}
	req.Header.Set("User-Agent", c.opt.UserAgent)
	prev := c.previous(p.URL)
	conditional(req.Header, prev)
	resp, err := c.fileClient.Do(req)
	if err != nil {
		if errors.Is(err, ErrBodyTooLarge) {
			c.count(func(s *Stats) { s.Guards[GuardSize]++ })
		}
		return f, err
	}
	defer resp.Body.Close()
	f.Status = resp.StatusCode
	f.retryAfter = retryAfter(resp.Header.Get("Retry-After"))
	if resp.StatusCode == http.StatusNotModified && prev != nil {
		unchanged(&f.Page, prev)
		return f, nil
	}
	if resp.StatusCode >= 300 {
		return f, fmt.Errorf("HTTP %d", resp.StatusCode)
	}
	f.ContentType = resp.Header.Get(rawHeader)
	f.ETag, f.LastModified = resp.Header.Get("ETag"), resp.Header.Get("Last-Modified")
	if name := contentFileName(resp.Header.Get("Content-Disposition")); name != "" && name != "." {
		f.FileName = name
	}
	if fu, ok := canonicalURL(resp.Request.URL); ok && fu != p.URL {
		f.FinalURL = fu
		if f.FileName == "" {
			f.FileName = fileName(resp.Request.URL)
		}
	}
	id, n, err := c.blobs.Put(resp.Body, c.opt.MaxAttachmentBytes)
	if err != nil {
		if errors.Is(err, ErrBodyTooLarge) || errors.Is(err, store.ErrTooLarge) {
			c.count(func(s *Stats) { s.Guards[GuardSize]++ })
			return f, fmt.Errorf("%w (cap %d bytes; raise --max-attachment-bytes to fetch it)", ErrBodyTooLarge, c.opt.MaxAttachmentBytes)
		}
		return f, fmt.Errorf("download %s: %w", p.URL, err)
	}
	f.Blob, f.Size = id, n
	if c.opt.WARC != nil {
		if err := c.archiveFile(p.URL, resp, id); err != nil {
			return f, err
		}
	}
	return f, nil
}

// archiveFile copies a stored attachment into the WARC archive.
func (c *crawl) archiveFile(u string, resp *http.Response, id store.BlobID) error {
	rc, err := c.blobs.Open(id)
	if err != nil {
		return err
	}
	defer rc.Close()
	return c.opt.WARC.Response(u, resp.StatusCode, resp.Header.Clone(), rc, time.Now())
}

// sitemap is either a urlset or a sitemapindex.
type sitemap struct {
	URLs     []struct{ Loc string } `xml:"url"`
	Sitemaps []struct{ Loc string } `xml:"sitemap"`
}

func (c *crawl) fetchSitemap(ctx context.Context, p store.Pending, u *url.URL) (fetched, []link, error) {
	f := fetched{Page: store.Page{URL: p.URL, Kind: store.KindSitemap, Depth: p.Depth}}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, p.URL, nil)
	if err != nil {
		return f, nil, err
	}
	req.Header.Set("User-Agent", c.opt.UserAgent)
	resp, err := c.pageClient.Do(req)
	if err != nil {
		return f, nil, err
	}
	defer resp.Body.Close()
	f.Status = resp.StatusCode
	if resp.StatusCode == http.StatusNotFound {
		f.Excluded = &store.Exclusion{Kind: store.ExcludedNoSitemap}
		return f, nil, nil
	}
	if resp.StatusCode >= 300 {
		return f, nil, fmt.Errorf("HTTP %d", resp.StatusCode)
	}
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return f, nil, err
	}
	if len(body) > 2 && body[0] == 0x1f && body[1] == 0x8b {
		zr, err := gzip.NewReader(bytes.NewReader(body))
		if err != nil {
			return f, nil, fmt.Errorf("sitemap %s: %w", p.URL, err)
		}
		body, err = io.ReadAll(io.LimitReader(zr, c.opt.MaxPageBytes+1))
		if err != nil || int64(len(body)) > c.opt.MaxPageBytes {
			return f, nil, fmt.Errorf("sitemap %s: bad or oversized gzip", p.URL)
		}
	}
	var sm sitemap
	if err := xml.Unmarshal(body, &sm); err != nil {
		f.Excluded = &store.Exclusion{Kind: store.ExcludedNotSitemap, Detail: err.Error()}
		return f, nil, nil
	}
	f.Size = int64(len(body))
	var links []link
	for _, e := range sm.URLs {
		if cu, ok := Canonical(u, e.Loc); ok {
			links = append(links, link{url: cu, via: store.ViaSitemap})
		}
	}
	for _, e := range sm.Sitemaps {
		if cu, ok := Canonical(u, e.Loc); ok {
			links = append(links, link{url: cu, via: store.ViaSitemap})
		}
	}
	return f, links, nil
}

// fetchRobots reads robots.txt once: its rules for our agent, its
// Crawl-delay (which raises the host's spacing) and its sitemaps.
func (c *crawl) fetchRobots(ctx context.Context, legacy *url.URL) {
	ru := *legacy
	ru.Path, ru.RawQuery, ru.Fragment = "/robots.txt", "", ""
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, ru.String(), nil)
	if err != nil {
		return
	}
	req.Header.Set("User-Agent", c.opt.UserAgent)
	resp, err := c.pageClient.Do(req)
	if err != nil {
		c.log.Debug("robots.txt unavailable", "err", err)
		return
	}
	defer resp.Body.Close()
	data, err := robotstxt.FromResponse(resp)
	if err != nil {
		return
	}
	c.robots = data.FindGroup("perenos")
	c.robotsSitemaps = data.Sitemaps
	if c.robots != nil && c.robots.CrawlDelay > 0 {
		c.opt.Gates.For(legacy.Host).RaiseDelay(c.robots.CrawlDelay)
	}
}

// previous returns the last crawl's good copy of u, if any.
func (c *crawl) previous(u string) *store.Page {
	p, err := c.led.PrevPage(c.org.ID, u)
	if err != nil || !p.OK() || p.Blob.IsZero() {
		return nil
	}
	return p
}

// conditional asks the server to answer 304 if prev is still current.
func conditional(h http.Header, prev *store.Page) {
	if prev == nil {
		return
	}
	if prev.ETag != "" {
		h.Set("If-None-Match", prev.ETag)
	}
	if prev.LastModified != "" {
		h.Set("If-Modified-Since", prev.LastModified)
	}
}

// unchanged fills a 304 answer's record from the previous crawl.
func unchanged(p *store.Page, prev *store.Page) {
	p.Blob, p.Size, p.ContentType, p.Charset = prev.Blob, prev.Size, prev.ContentType, prev.Charset
	p.ETag, p.LastModified, p.FileName, p.FinalURL = prev.ETag, prev.LastModified, prev.FileName, prev.FinalURL
}

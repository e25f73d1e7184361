package crawler

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"syscall"
	"time"

	"github.com/temoto/robotstxt"

	"perenos/links"
	"perenos/store"
)

var errRedirect = errors.New("redirect refused")

// fetched is a Page plus what the scheduler needs from the answer.
type fetched struct {
	store.Page
	retryAfter time.Duration
	guards     map[string]int64
}

// exchangeState is what one fetch learns while its redirects are followed.
type exchangeState struct {
	hops  []store.Hop
	guard string
}

type stateKey struct{}

func (c *crawl) checkRedirect(req *http.Request, via []*http.Request) error {
	st, _ := req.Context().Value(stateKey{}).(*exchangeState)
	if st != nil && req.Response != nil {
		from := req.Response.Request.URL.String()
		if cu, ok := canonicalURL(req.Response.Request.URL); ok {
			from = cu
		}
		st.hops = append(st.hops, store.Hop{URL: from, Status: req.Response.StatusCode, Location: req.Response.Header.Get("Location")})
	}
	guard := func(name string) {
		if st != nil {
			st.guard = name
		}
	}
	if len(via) >= c.opt.MaxRedirects {
		guard(GuardRedirects)
		return fmt.Errorf("%w: more than %d redirects (guard %s)", errRedirect, c.opt.MaxRedirects, GuardRedirects)
	}
	for _, v := range via {
		if v.URL.String() == req.URL.String() {
			guard(GuardLoop)
			return fmt.Errorf("%w: redirect loop at %s (guard %s)", errRedirect, req.URL, GuardLoop)
		}
	}
	if !c.scope.contains(req.URL) {
		return fmt.Errorf("%w: redirect to %s leaves the site (add its host to the registry's aliases if it is the same site)", errRedirect, req.URL)
	}
	return nil
}

// exchange is one GET under way: its answer, what its redirects were,
// and the release that ends it.
type exchange struct {
	resp  *http.Response
	state *exchangeState
	ctx   context.Context
	stop  func()
}

// close ends the exchange: body, timers, context.
func (x *exchange) close() {
	if x.resp != nil {
		x.resp.Body.Close()
	}
	x.stop()
}

// explain turns an error of the exchange into the reason it was cut, when
// the crawler cut it (deadline, minimum rate).
func (x *exchange) explain(err error) error {
	if err == nil {
		return nil
	}
	if cause := context.Cause(x.ctx); cause != nil && (errors.Is(cause, ErrDeadline) || errors.Is(cause, ErrSlowBody)) {
		return cause
	}
	return err
}

// get sends one GET with the crawl's context and the fetch's deadlines:
// the headers within Net.Timeout (the transport's), the whole exchange
// within timeout, and the body at least at MinRate over each RateWindow.
// The caller closes the exchange. On error the exchange still says what
// the redirects were, and resp is the last answer when there was one.
func (c *crawl) get(ctx context.Context, rawURL string, hdr http.Header, timeout time.Duration) (*exchange, error) {
	st := &exchangeState{}
	fctx, cancel := context.WithCancelCause(ctx)
	fctx = context.WithValue(fctx, stateKey{}, st)
	deadline := time.AfterFunc(timeout, func() {
		cancel(fmt.Errorf("%w: the whole exchange took over %s", ErrDeadline, timeout))
	})
	x := &exchange{state: st, ctx: fctx, stop: func() { deadline.Stop(); cancel(nil) }}
	req, err := http.NewRequestWithContext(fctx, http.MethodGet, rawURL, nil)
	if err != nil {
		x.stop()
		return x, err
	}
	for k, v := range hdr {
		req.Header[k] = v
	}
	req.Header.Set("User-Agent", c.opt.UserAgent)
	resp, err := c.client.Do(req)
	if err != nil {
		if resp != nil {
			x.resp = resp
		}
		err = x.explain(err)
		x.close()
		return x, err
	}
	resp.Body = watchRate(resp.Body, c.opt.MinRate, c.opt.RateWindow, cancel)
	x.resp = resp
	return x, nil
}

// fetch gets one URL by its kind: a page (or whatever the address turns
// out to be), an attachment or image streamed under its cap, a script
// read for the addresses it names, a sitemap as XML. It returns the record
// to store and the links found; ans is told when the host's answer is read.
func (c *crawl) fetch(ctx context.Context, p store.Pending, ans *answer) (fetched, []links.Link, error) {
	if p.Kind == store.KindSitemap {
		return c.fetchSitemap(ctx, p, ans)
	}
	f := fetched{Page: store.Page{URL: p.URL, Kind: p.Kind, Depth: p.Depth}}
	u, _ := url.Parse(p.URL)
	file := p.Kind == store.KindAttachment || p.Kind == store.KindImage
	if file {
		f.FileName = fileName(u)
	}
	prev := c.previous(p.URL)
	hdr := http.Header{}
	conditional(hdr, prev)
	hdr.Set("Accept-Encoding", "gzip")
	timeout := c.opt.PageTimeout
	if file {
		timeout = c.opt.FileTimeout
	}
	x, err := c.get(ctx, p.URL, hdr, timeout)
	f.Redirects = x.state.hops
	if x.state.guard != "" {
		f.guards = map[string]int64{x.state.guard: 1}
	}
	if x.resp != nil {
		f.Status = x.resp.StatusCode
	}
	if err != nil {
		c.sizeGuard(&f, err)
		return f, nil, err
	}
	defer x.close()
	resp := x.resp
	f.retryAfter = retryAfter(resp.Header.Get("Retry-After"))
	if fu, ok := canonicalURL(resp.Request.URL); ok && fu != p.URL {
		f.FinalURL = fu
		if file && f.FileName == "" {
			f.FileName = fileName(resp.Request.URL)
		}
	}
	if resp.StatusCode == http.StatusNotModified && prev != nil {
		ans.over(resp.StatusCode, f.retryAfter, nil)
		unchanged(&f.Page, prev)
		ls, err := c.linksOf(prev, p)
		return f, ls, err
	}
	if resp.StatusCode >= 300 {
		return f, nil, fmt.Errorf("HTTP %d", resp.StatusCode)
	}
	ct := resp.Header.Get("Content-Type")
	f.ContentType = ct
	f.ETag, f.LastModified = resp.Header.Get("ETag"), resp.Header.Get("Last-Modified")
	if p.Kind == store.KindPage && !isHTML(ct) {
		// The address names a file after all: keep it as one, from this
		// same answer.
		f.Kind, file = store.KindAttachment, true
		f.FileName = fileName(u)
		if f.FinalURL != "" {
			f.FileName = fileName(resp.Request.URL)
		}
	}
	if file {
		if name := contentFileName(resp.Header.Get("Content-Disposition")); name != "" && name != "." {
			f.FileName = name
		}
		err := c.storeFile(&f, resp, x, ans)
		c.sizeGuard(&f, err)
		return f, nil, err
	}
	buf := getBody()
	defer putBody(buf)
	body, err := readCapped(buf, resp.Body, c.opt.MaxPageBytes, resp.ContentLength)
	if err != nil {
		err = x.explain(err)
		c.sizeGuard(&f, err)
		return f, nil, err
	}
	ans.over(resp.StatusCode, f.retryAfter, nil)
	id, err := c.blobs.PutBytes(body)
	if err != nil {
		return f, nil, fmt.Errorf("store %s: %w", p.URL, err)
	}
	f.Blob, f.Size = id, int64(len(body))
	if err := c.opt.WARC.Response(p.URL, resp.StatusCode, resp.Header, bytes.NewReader(body), time.Now()); err != nil {
		return f, nil, err
	}
	dec := decode(body, ct)
	if f.Kind == store.KindScript {
		return f, links.FromScript(c.scriptBase(p), dec.Text), nil
	}
	f.Charset = dec.Charset
	return f, links.FromHTML(resp.Request.URL, dec.Text), nil
}

// sizeGuard counts the size-cap guard for an answer cut by its cap.
func (c *crawl) sizeGuard(f *fetched, err error) {
	if errors.Is(err, ErrBodyTooLarge) || errors.Is(err, ErrBomb) || errors.Is(err, store.ErrTooLarge) {
		if f.guards == nil {
			f.guards = map[string]int64{}
		}
		f.guards[GuardSize]++
	}
}

// scriptBase is what a script's relative addresses resolve against: the
// page that runs it.
func (c *crawl) scriptBase(p store.Pending) *url.URL {
	if p.Ref.URL != "" {
		if b, err := url.Parse(p.Ref.URL); err == nil {
			return b
		}
	}
	b, _ := url.Parse(p.URL)
	return b
}

// linksOf reads the links of a previous crawl's copy (a 304 answer).
func (c *crawl) linksOf(prev *store.Page, p store.Pending) ([]links.Link, error) {
	if prev.Kind != store.KindPage && prev.Kind != store.KindScript {
		return nil, nil
	}
	raw, err := c.blobs.Read(prev.Blob)
	if err != nil {
		return nil, fmt.Errorf("previous copy of %s: %w", p.URL, err)
	}
	text := decode(raw, prev.ContentType).Text
	if prev.Kind == store.KindScript {
		return links.FromScript(c.scriptBase(p), text), nil
	}
	base, _ := url.Parse(prev.URL)
	if prev.FinalURL != "" {
		base, _ = url.Parse(prev.FinalURL)
	}
	return links.FromHTML(base, text), nil
}

// smallFile is the size up to which an attachment or image is read whole
// and stored as a page is (Blobs.PutBytes: made durable by the group
// commit that records it, with the other pages of that commit); a larger
// one streams into the blob store, which syncs it on its own. Most files
// of a school's site (a scanned order, a few-page PDF) are below it.
const smallFile = 1 << 20

// storeFile stores an attachment or image under the attachment cap: read
// whole when small (ans is told once it is read), streamed when not.
func (c *crawl) storeFile(f *fetched, resp *http.Response, x *exchange, ans *answer) error {
	if resp.ContentLength > c.opt.MaxAttachmentBytes {
		return c.overCap(fmt.Errorf("%w: %d bytes declared", ErrBodyTooLarge, resp.ContentLength))
	}
	body := &capReader{r: resp.Body, left: c.opt.MaxAttachmentBytes}
	buf := getBody()
	defer putBody(buf)
	head, whole, err := readUpTo(buf, body, smallFile, resp.ContentLength)
	if err == nil && whole {
		ans.over(resp.StatusCode, f.retryAfter, nil)
		f.Size = int64(len(head))
		f.Blob, err = c.blobs.PutBytes(head)
		if err != nil {
			return fmt.Errorf("store %s: %w", f.URL, err)
		}
		return c.opt.WARC.Response(f.URL, resp.StatusCode, resp.Header, bytes.NewReader(head), time.Now())
	}
	var id store.BlobID
	var n int64
	if err == nil {
		id, n, err = c.blobs.Put(io.MultiReader(bytes.NewReader(head), body), c.opt.MaxAttachmentBytes)
	}
	if err != nil {
		err = x.explain(err)
		if errors.Is(err, ErrBodyTooLarge) || errors.Is(err, store.ErrTooLarge) {
			return c.overCap(err)
		}
		return fmt.Errorf("download %s: %w", f.URL, err)
	}
	f.Blob, f.Size = id, n
	if c.opt.WARC != nil {
		rc, err := c.blobs.Open(id)
		if err != nil {
			return err
		}
		defer rc.Close()
		return c.opt.WARC.Response(f.URL, resp.StatusCode, resp.Header, rc, time.Now())
	}
	return nil
}

func (c *crawl) overCap(err error) error {
	return fmt.Errorf("%w (cap %d bytes; raise --max-attachment-bytes to fetch it)", err, c.opt.MaxAttachmentBytes)
}

// sitemap is either a urlset or a sitemapindex.
type sitemap struct {
	URLs     []struct{ Loc string } `xml:"url"`
	Sitemaps []struct{ Loc string } `xml:"sitemap"`
}

func (c *crawl) fetchSitemap(ctx context.Context, p store.Pending, ans *answer) (fetched, []links.Link, error) {
	f := fetched{Page: store.Page{URL: p.URL, Kind: store.KindSitemap, Depth: p.Depth}}
	u, _ := url.Parse(p.URL)
	hdr := http.Header{"Accept-Encoding": {"gzip"}}
	x, err := c.get(ctx, p.URL, hdr, c.opt.PageTimeout)
	f.Redirects = x.state.hops
	if x.resp != nil {
		f.Status = x.resp.StatusCode
	}
	if err != nil {
		return f, nil, err
	}
	defer x.close()
	resp := x.resp
	if resp.StatusCode == http.StatusNotFound {
		f.Excluded = &store.Exclusion{Kind: store.ExcludedNoSitemap}
		return f, nil, nil
	}
	if resp.StatusCode >= 300 {
		return f, nil, fmt.Errorf("HTTP %d", resp.StatusCode)
	}
	buf := getBody()
	defer putBody(buf)
	body, err := readCapped(buf, resp.Body, c.opt.MaxPageBytes, resp.ContentLength)
	if err != nil {
		return f, nil, x.explain(err)
	}
	ans.over(resp.StatusCode, 0, nil)
	if len(body) > 2 && body[0] == 0x1f && body[1] == 0x8b { // a sitemap.xml.gz
		body, err = gunzipBounded(body, c.opt.MaxPageBytes)
		if err != nil {
			return f, nil, fmt.Errorf("sitemap %s: %w", p.URL, err)
		}
	}
	var sm sitemap
	if err := xml.Unmarshal(body, &sm); err != nil {
		f.Excluded = &store.Exclusion{Kind: store.ExcludedNotSitemap, Detail: err.Error()}
		return f, nil, nil
	}
	f.Size = int64(len(body))
	var ls []links.Link
	for _, e := range append(sm.URLs, sm.Sitemaps...) {
		if abs, _, ok := links.Resolve(u, e.Loc); ok {
			ls = append(ls, links.Link{URL: abs, Via: store.ViaSitemap})
		}
	}
	return f, ls, nil
}

// fetchRobots reads robots.txt once: its rules for our agent, its
// Crawl-delay (which raises the host's spacing) and its sitemaps. Under
// IgnoreRobots only the sitemaps are kept.
func (c *crawl) fetchRobots(ctx context.Context, legacy *url.URL) {
	ru := *legacy
	ru.Path, ru.RawPath, ru.RawQuery, ru.Fragment = "/robots.txt", "", "", ""
	gt := c.gate(legacy.Host)
	if gt.Acquire(ctx) != nil {
		return
	}
	x, err := c.get(ctx, ru.String(), nil, c.opt.PageTimeout)
	if err != nil {
		gt.Release(0, isTimeout(err), 0)
		c.log.Debug("robots.txt unavailable", "err", err)
		return
	}
	defer x.close()
	body, err := readCapped(new(bytes.Buffer), x.resp.Body, 1<<20, 0)
	gt.Release(0, false, 0)
	if err != nil {
		return
	}
	data, err := robotstxt.FromStatusAndBytes(x.resp.StatusCode, body)
	if err != nil {
		return
	}
	c.robotsSitemaps = data.Sitemaps
	if c.opt.IgnoreRobots {
		return
	}
	c.robots = data.FindGroup("perenos")
	if c.robots != nil && c.robots.CrawlDelay > 0 {
		gt.RaiseDelay(c.robots.CrawlDelay)
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
	if prev.Kind != "" {
		p.Kind = prev.Kind
	}
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.Is(err, ErrDeadline) || errors.Is(err, ErrSlowBody) || (errors.As(err, &ne) && ne.Timeout())
}

// errorKind classifies a failed fetch.
func errorKind(status int, err error) store.ErrorKind {
	var (
		dnsErr  *net.DNSError
		unknown x509.UnknownAuthorityError
		host    x509.HostnameError
		invalid x509.CertificateInvalidError
		verify  *tls.CertificateVerificationError
		record  tls.RecordHeaderError
		alert   tls.AlertError
	)
	switch {
	case errors.Is(err, ErrForbiddenAddress):
		return store.ErrorAddress
	case errors.Is(err, ErrBodyTooLarge), errors.Is(err, ErrBomb), errors.Is(err, store.ErrTooLarge):
		return store.ErrorTooLarge
	case errors.Is(err, errRedirect):
		return store.ErrorRedirect
	case errors.As(err, &dnsErr):
		return store.ErrorDNS
	case errors.As(err, &unknown), errors.As(err, &host), errors.As(err, &invalid), errors.As(err, &verify),
		errors.As(err, &record), errors.As(err, &alert):
		return store.ErrorTLS
	case isTimeout(err):
		return store.ErrorTimeout
	case status >= 300:
		return store.ErrorStatus
	case errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EHOSTUNREACH),
		errors.Is(err, syscall.ENETUNREACH), errors.Is(err, io.ErrUnexpectedEOF):
		return store.ErrorConnect
	}
	var op *net.OpError
	if errors.As(err, &op) {
		return store.ErrorConnect
	}
	return store.ErrorOther
}

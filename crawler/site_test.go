package crawler

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"perenos/store"
)

// TestLinksAPersonCanClick is issue 14 point 8: a site whose menu lives
// in onclick handlers, a header loaded by fetch('header.html'), a footer
// loaded by a same-site script file, a jump menu and backslash hrefs is
// crawled whole, and each page's referrer says how it was found (a frame's too).
func TestLinksAPersonCanClick(t *testing.T) {
	s := newTestSite(t, map[string]func(http.ResponseWriter, *http.Request){
		"/": page(`<div id="header-placeholder"></div>
			<div class="tile" onclick="location.href='/sveden/index.html'">Сведения об образовательной организации</div>
			<a href="news\2018\sept.html">Новости сентября</a>
			<select onchange="window.location=this.value"><option value="/docs.html">Документы</option></select>
			<script src="/js/site.js"></script>
			<iframe src="/frame.html"></iframe>
			<script>fetch('header.html').then(r => r.text()).then(h => { document.getElementById('header-placeholder').innerHTML = h })</script>`),
		"/header.html": page(`<ul><li><a href="/priem.html">Приём</a></li></ul>`),
		"/js/site.js": func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprint(w, `$(function(){ $('#footer').load('/parts/footer.html'); });`)
		},
		"/parts/footer.html":     page(`<a href="/contacts.html">Контакты</a>`),
		"/sveden/index.html":     page("сведения"),
		"/news/2018/sept.html":   page("новости"),
		"/docs.html":             page("документы"),
		"/priem.html":            page("приём"),
		"/contacts.html":         page("контакты"),
		"/frame.html":            page("рамка"),
		"/js/jquery.min.js":      func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "/* library */") },
		"/news\\2018\\sept.html": page("must not be asked"),
	})
	_, _, pages := crawlSite(t, s, Options{})
	for path, via := range map[string]store.Via{
		"/sveden/index.html":   store.ViaOnclick,
		"/news/2018/sept.html": store.ViaBackslash,
		"/docs.html":           store.ViaForm,
		"/header.html":         store.ViaScript,
		"/js/site.js":          store.ViaScriptSrc,
		"/parts/footer.html":   store.ViaScript,
		"/priem.html":          store.ViaLink,
		"/contacts.html":       store.ViaLink,
		"/frame.html":          store.ViaFrame,
	} {
		p := pages[path]
		if p == nil || !p.OK() {
			t.Errorf("%s not fetched: %+v", path, p)
			continue
		}
		if len(p.Referrers) == 0 || p.Referrers[0].Via != via {
			t.Errorf("%s: referrers %+v, want found via %q", path, p.Referrers, via)
		}
	}
	if p := pages["/js/site.js"]; p == nil || p.Kind != store.KindScript {
		t.Errorf("the script file is not recorded as a script: %+v", p)
	}
	if p := pages["/sveden/index.html"]; p != nil && p.Referrers[0].Anchor != "Сведения об образовательной организации" {
		t.Errorf("the clicked tile's text is not the link's: %q", p.Referrers[0].Anchor)
	}
}

// TestEscapedSlashIsRequestedAsWritten is issue 15 item 12: a link to
// /a%2F..%2Fetc is one path segment and must be asked for as written,
// never decoded into /a/../etc and cleaned into /etc.
func TestEscapedSlashIsRequestedAsWritten(t *testing.T) {
	var mu sync.Mutex
	var seen []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen = append(seen, r.RequestURI)
		mu.Unlock()
		w.Header().Set("Content-Type", "text/html")
		if r.URL.Path == "/" {
			fmt.Fprint(w, `<a href="/a%2F..%2Fetc">x</a> <a href="/b/%2e%2e/c%2Fd">y</a>`)
		}
	}))
	defer srv.Close()
	ws := store.TestStore(t)
	org := &store.Org{ID: "1", LegacyURL: srv.URL + "/"}
	if _, err := Crawl(context.Background(), ws, ws.Blobs, org, Options{Delay: time.Millisecond, Net: NetOptions{AllowPrivate: true}}); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	asked := strings.Join(seen, " ")
	if !strings.Contains(asked, "/a%2F..%2Fetc") {
		t.Errorf("the escaped path was not asked as written; asked %s", asked)
	}
	for _, u := range seen {
		if u == "/etc" || strings.HasPrefix(u, "/etc") {
			t.Errorf("asked %s: the escaped slashes were decoded", u)
		}
	}
	if _, err := ws.Page("1", srv.URL+"/a%2F..%2Fetc"); err != nil {
		t.Errorf("the page is not stored under its address as written: %v", err)
	}
}

// TestCompressedBodiesAreBoundedByRatio is issue 15 item 4's crawler
// part: a page sent with Content-Encoding: gzip that inflates to 8 MB of
// zeros (under the 10 MB page cap, but 1000 times its size) is refused as
// a bomb, and so is a sitemap.xml.gz doing the same.
func TestCompressedBodiesAreBoundedByRatio(t *testing.T) {
	var bomb bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&bomb, gzip.BestCompression)
	zw.Write([]byte("<html><body>"))
	zw.Write(make([]byte, 8<<20))
	zw.Close()
	var smBomb bytes.Buffer
	zw, _ = gzip.NewWriterLevel(&smBomb, gzip.BestCompression)
	zw.Write([]byte(`<?xml version="1.0"?><urlset>`))
	zw.Write(bytes.Repeat([]byte(" "), 8<<20))
	zw.Write([]byte(`</urlset>`))
	zw.Close()
	var fine bytes.Buffer
	zw = gzip.NewWriter(&fine)
	zw.Write([]byte("<html><body><p>сжатая страница</p></body></html>"))
	zw.Close()
	gz := func(b []byte, ct string) func(http.ResponseWriter, *http.Request) {
		return func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", ct)
			w.Header().Set("Content-Encoding", "gzip")
			w.Write(b)
		}
	}
	s := newTestSite(t, map[string]func(http.ResponseWriter, *http.Request){
		"/":          page(`<a href="/bomb.html">b</a> <a href="/fine.html">f</a>`),
		"/bomb.html": gz(bomb.Bytes(), "text/html"),
		"/fine.html": gz(fine.Bytes(), "text/html; charset=utf-8"),
		"/robots.txt": func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprint(w, "User-agent: *\nSitemap: /sm.xml.gz\n")
		},
		"/sm.xml.gz": func(w http.ResponseWriter, r *http.Request) { w.Write(smBomb.Bytes()) },
	})
	_, st, pages := crawlSite(t, s, Options{MaxTries: 1})
	if p := pages["/bomb.html"]; p == nil || p.ErrorKind != store.ErrorTooLarge || !strings.Contains(p.Error, "bomb") {
		t.Errorf("gzip bomb page: %+v", p)
	}
	if p := pages["/sm.xml.gz"]; p == nil || !strings.Contains(p.Error, "bomb") {
		t.Errorf("gzip bomb sitemap: %+v", p)
	}
	if p := pages["/fine.html"]; p == nil || !p.OK() {
		t.Errorf("a fair gzip page: %+v", p)
	}
	if st.Guards[GuardSize] == 0 {
		t.Errorf("size guard not counted: %v", st.Guards)
	}
}

// TestRedirectHopsAreKept is issue 17's crawler part: every hop of a
// redirect chain, with its status and Location, is on the page's record.
func TestRedirectHopsAreKept(t *testing.T) {
	s := newTestSite(t, map[string]func(http.ResponseWriter, *http.Request){
		"/":    page(`<a href="/old">old</a>`),
		"/old": func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/mid", http.StatusMovedPermanently) },
		"/mid": func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/new", http.StatusFound) },
		"/new": page("new"),
	})
	_, _, pages := crawlSite(t, s, Options{})
	p := pages["/old"]
	if p == nil || !p.OK() || !strings.HasSuffix(p.FinalURL, "/new") {
		t.Fatalf("redirected page: %+v", p)
	}
	if len(p.Redirects) != 2 || p.Redirects[0].Status != 301 || p.Redirects[0].Location != "/mid" || !strings.HasSuffix(p.Redirects[0].URL, "/old") ||
		p.Redirects[1].Status != 302 || p.Redirects[1].Location != "/new" || !strings.HasSuffix(p.Redirects[1].URL, "/mid") {
		t.Errorf("hops %+v", p.Redirects)
	}
}

// TestImagesAreFetchedAsFiles is issue 16 item 10's crawler part: the
// same-site images a page shows (src and srcset) are fetched under the
// attachment cap and recorded as images; other hosts' images are not.
func TestImagesAreFetchedAsFiles(t *testing.T) {
	jpeg := "\xff\xd8\xff\xe0 photo"
	img := func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "image/jpeg")
		fmt.Fprint(w, jpeg)
	}
	s := newTestSite(t, map[string]func(http.ResponseWriter, *http.Request){
		"/": page(`<img src="/i/school.jpg" alt="Здание школы" srcset="/i/school-2x.jpg 2x">
			<img src="http://elsewhere.test/i/x.jpg"><img src="/i/huge.jpg">`),
		"/i/school.jpg":    img,
		"/i/school-2x.jpg": img,
		"/i/huge.jpg": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "image/jpeg")
			w.Write(make([]byte, 5000))
		},
	})
	ws, st, pages := crawlSite(t, s, Options{MaxAttachmentBytes: 1000})
	for _, path := range []string{"/i/school.jpg", "/i/school-2x.jpg"} {
		p := pages[path]
		if p == nil || !p.OK() || p.Kind != store.KindImage || p.Referrers[0].Via != store.ViaImage {
			t.Errorf("%s: %+v", path, p)
			continue
		}
		raw, _ := ws.Blobs.Read(p.Blob)
		if string(raw) != jpeg {
			t.Errorf("%s: bytes changed", path)
		}
	}
	if p := pages["/i/school.jpg"]; p != nil && p.Referrers[0].Anchor != "Здание школы" {
		t.Errorf("image alt text lost: %+v", p.Referrers)
	}
	if p := pages["/i/huge.jpg"]; p == nil || p.ErrorKind != store.ErrorTooLarge {
		t.Errorf("an image over the cap: %+v", p)
	}
	if st.Images != 2 {
		t.Errorf("stats count %d images, want 2", st.Images)
	}
}

// TestResumedCrawlRemembersItsGuards is issue 15 item 12: guards hit
// before an interruption are still counted when the crawl is resumed.
func TestResumedCrawlRemembersItsGuards(t *testing.T) {
	pagesMap := map[string]func(http.ResponseWriter, *http.Request){}
	var links strings.Builder
	for i := range 5 {
		fmt.Fprintf(&links, `<a href="/cal?d=%d">d</a>`, i)
	}
	for i := range 20 {
		fmt.Fprintf(&links, `<a href="/p%d">p</a>`, i)
		pagesMap[fmt.Sprintf("/p%d", i)] = func(w http.ResponseWriter, r *http.Request) {
			time.Sleep(10 * time.Millisecond)
			page("x")(w, r)
		}
	}
	pagesMap["/"] = page(links.String())
	pagesMap["/cal"] = page("calendar")
	s := newTestSite(t, pagesMap)
	ws := store.TestStore(t)
	org := &store.Org{ID: "1", LegacyURL: s.srv.URL + "/"}
	ctx, cancel := context.WithCancel(context.Background())
	var n int
	var mu sync.Mutex
	opt := Options{Delay: time.Millisecond, PerHost: 1, MaxQueryVariants: 2, Net: NetOptions{AllowPrivate: true}, Progress: progressFunc(func() {
		mu.Lock()
		defer mu.Unlock()
		if n++; n == 4 {
			cancel()
		}
	})}
	Crawl(ctx, ws, ws.Blobs, org, opt)
	opt.Progress = nil
	st, err := Crawl(context.Background(), ws, ws.Blobs, org, opt)
	if err != nil {
		t.Fatal(err)
	}
	if s.count("/") != 1 {
		t.Fatalf("the home page was fetched %d times: the test needs it fetched before the interruption only", s.count("/"))
	}
	if st.Guards[GuardVariants] != 3 {
		t.Errorf("after resuming, guards %v; want %s hit 3 times (on the home page, before the interruption)", st.Guards, GuardVariants)
	}
	if st.Pages != 23 { // /, 20 pages, 2 calendar variants
		t.Errorf("after resuming, %d pages counted, want 23 (the whole crawl)", st.Pages)
	}
}

// TestChangedAddressRestartsAnInterruptedCrawl is issue 15 item 7: an
// interrupted crawl whose registry address has changed since does not
// resume the old host's frontier; it starts afresh on the new address and
// the event log says so.
func TestChangedAddressRestartsAnInterruptedCrawl(t *testing.T) {
	mk := func(name string) *testSite {
		m := map[string]func(http.ResponseWriter, *http.Request){}
		var links strings.Builder
		for i := range 20 {
			fmt.Fprintf(&links, `<a href="/p%d">p</a>`, i)
			m[fmt.Sprintf("/p%d", i)] = func(w http.ResponseWriter, r *http.Request) {
				time.Sleep(5 * time.Millisecond)
				page(name)(w, r)
			}
		}
		m["/"] = page(links.String())
		return newTestSite(t, m)
	}
	old, cur := mk("old"), mk("new")
	ws := store.TestStore(t)
	org := registered(t, ws, store.Org{ID: "1", LegacyURL: old.srv.URL + "/"})
	ctx, cancel := context.WithCancel(context.Background())
	var n int
	var mu sync.Mutex
	opt := Options{Delay: time.Millisecond, PerHost: 1, Net: NetOptions{AllowPrivate: true}, Progress: progressFunc(func() {
		mu.Lock()
		defer mu.Unlock()
		if n++; n == 5 {
			cancel()
		}
	})}
	CrawlSite(ctx, ws, ws.Blobs, org, opt)
	if front, _ := ws.Frontier("1"); len(front) == 0 {
		t.Fatal("the first crawl was not interrupted")
	}
	org.LegacyURL = cur.srv.URL + "/"
	opt.Progress = nil
	sum, commit, err := CrawlSite(context.Background(), ws, ws.Blobs, org, opt)
	if err != nil {
		t.Fatal(err)
	}
	if err := ws.Update(commit); err != nil {
		t.Fatal(err)
	}
	if sum.Restarted == nil || !strings.HasPrefix(sum.Restarted.FromSeed, old.srv.URL) || !strings.HasPrefix(sum.Restarted.ToSeed, cur.srv.URL) {
		t.Errorf("summary does not say the crawl restarted: %+v", sum.Restarted)
	}
	oldHost, _ := url.Parse(old.srv.URL)
	ws.Pages("1", func(p *store.Page) error {
		if u, _ := url.Parse(p.URL); u.Host == oldHost.Host {
			t.Errorf("%s from the old address stored after the change", p.URL)
		}
		return nil
	})
	if sum.Pages != 21 {
		t.Errorf("%d pages of the new address, want 21", sum.Pages)
	}
	events, _ := ws.Events("1")
	said := false
	for _, e := range events {
		said = said || (strings.Contains(e.Reason, "frontier was dropped") && e.To == sum.Restarted.ToSeed)
	}
	if !said {
		t.Errorf("no event says the crawl restarted: %+v", events)
	}
}

// TestCutShortCrawlReportsNothingGone is issue 16 item 6: a re-crawl cut
// short by --max-pages reports the pages it did not reach as unfetched,
// not gone; the lists behind the counts are complete records (more than
// the old cap of 500).
func TestCutShortCrawlReportsNothingGone(t *testing.T) {
	const n = 620
	m := map[string]func(http.ResponseWriter, *http.Request){}
	var links strings.Builder
	for i := range n {
		fmt.Fprintf(&links, `<a href="/p%d">p</a>`, i)
		m[fmt.Sprintf("/p%d", i)] = page("x")
	}
	m["/"] = page(links.String())
	s := newTestSite(t, m)
	ws := store.TestStore(t)
	org := registered(t, ws, store.Org{ID: "1", LegacyURL: s.srv.URL + "/"})
	opt := Options{Delay: 0, PerHost: 8, Net: NetOptions{AllowPrivate: true}}
	run := func(o Options) *SiteSummary {
		sum, commit, err := CrawlSite(context.Background(), ws, ws.Blobs, org, o)
		if err != nil {
			t.Fatal(err)
		}
		if err := ws.Update(commit); err != nil {
			t.Fatal(err)
		}
		if err := ws.Update(func(tx store.Tx) error { return tx.Advance("1", store.StageCrawl, "test", "") }); err != nil {
			t.Fatal(err)
		}
		return sum
	}
	run(opt)
	// The site now has 620 new pages: all of them must be listed.
	for i := range n {
		m[fmt.Sprintf("/q%d", i)] = page("y")
	}
	links.Reset()
	for i := range n {
		fmt.Fprintf(&links, `<a href="/p%d">p</a><a href="/q%d">q</a>`, i, i)
	}
	m["/"] = page(links.String())
	sum := run(opt)
	if sum.Changes == nil || sum.Changes.New != n || sum.Changes.Gone != 0 {
		t.Fatalf("re-crawl: %+v", sum.Changes)
	}
	listed := 0
	Changes.Each(ws, "1", func(key string, c *Change) error {
		if c.Kind == ChangeNew {
			listed++
		}
		return nil
	})
	if listed != n {
		t.Errorf("%d new URLs listed, want all %d", listed, n)
	}
	// Now cut the crawl short.
	cut := opt
	cut.MaxPages = 50
	sum = run(cut)
	if sum.Changes == nil || sum.Changes.Gone != 0 || sum.Changes.Unfetched < 2*n-50 {
		t.Errorf("a crawl cut by max-pages: %+v; nothing is gone, the rest is unfetched", sum.Changes)
	}
}

// TestNothingFetchedSaysWhy is issue 16 item 6: a crawl that fetched no
// page says why, in its summary, its stored stats and its error, with
// what to do: the refused internal address, the TLS failure, robots.txt,
// the HTTP status.
func TestNothingFetchedSaysWhy(t *testing.T) {
	tlsSrv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { page("x")(w, r) }))
	defer tlsSrv.Close()
	robots := newTestSite(t, map[string]func(http.ResponseWriter, *http.Request){
		"/robots.txt": func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "User-agent: *\nDisallow: /\n") },
		"/":           page("x"),
	})
	gone := newTestSite(t, map[string]func(http.ResponseWriter, *http.Request){})
	file := newTestSite(t, map[string]func(http.ResponseWriter, *http.Request){
		"/": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/pdf")
			fmt.Fprint(w, "%PDF")
		},
	})
	for _, c := range []struct {
		name    string
		url     string
		private bool
		reason  Reason
		says    string
	}{
		{"internal address", gone.srv.URL + "/", false, ReasonAddress, "--allow-private"},
		{"tls", tlsSrv.URL + "/", true, ReasonTLS, "ca_file"},
		{"robots", robots.srv.URL + "/", true, ReasonRobots, "robots column"},
		{"status", gone.srv.URL + "/", true, ReasonStatus, "HTTP 404"},
		{"a file", file.srv.URL + "/", true, ReasonNotHTML, "application/pdf"},
	} {
		t.Run(c.name, func(t *testing.T) {
			ws := store.TestStore(t)
			org := registered(t, ws, store.Org{ID: "1", LegacyURL: c.url})
			sum, _, err := CrawlSite(context.Background(), ws, ws.Blobs, org, Options{Delay: time.Millisecond, MaxTries: 1, Net: NetOptions{AllowPrivate: c.private}})
			var nf *NothingFetched
			if !errors.As(err, &nf) || !errors.Is(err, ErrNothingFetched) {
				t.Fatalf("err %v", err)
			}
			if sum.Why == nil || sum.Why.Reason != c.reason || !strings.Contains(sum.Why.String(), c.says) || !strings.Contains(err.Error(), c.says) {
				t.Errorf("why %+v (%s), err %v; want %s saying %q", sum.Why, sum.Why, err, c.reason, c.says)
			}
			st, err := LastStats.Get(ws, "1", "last")
			if err != nil || st.Why == nil || st.Why.Reason != c.reason {
				t.Errorf("stored stats %+v %v", st, err)
			}
		})
	}
	// The TLS site with the registry's insecure column crawls.
	ws := store.TestStore(t)
	org := registered(t, ws, store.Org{ID: "1", LegacyURL: tlsSrv.URL + "/", Settings: map[string]string{"insecure": "true"}})
	opt, _ := SiteOptions(Options{Delay: time.Millisecond, Net: NetOptions{AllowPrivate: true}}, org)
	if sum, _, err := CrawlSite(context.Background(), ws, ws.Blobs, org, opt); err != nil || sum.Pages != 1 {
		t.Errorf("insecure=true: %+v %v", sum, err)
	}
}

// TestRobotsIgnoreSetting is issue 17's robots column: robots = ignore in
// the registry crawls what robots.txt disallows, and the stats say so.
func TestRobotsIgnoreSetting(t *testing.T) {
	s := newTestSite(t, map[string]func(http.ResponseWriter, *http.Request){
		"/robots.txt": func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprint(w, "User-agent: *\nDisallow: /\nCrawl-delay: 5\n")
		},
		"/":  page(`<a href="/a">a</a>`),
		"/a": page("a"),
	})
	ws := store.TestStore(t)
	org := registered(t, ws, store.Org{ID: "1", LegacyURL: s.srv.URL + "/", Settings: map[string]string{"robots": "ignore"}})
	opt, err := SiteOptions(Options{Delay: time.Millisecond, Net: NetOptions{AllowPrivate: true}}, org)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	sum, commit, err := CrawlSite(context.Background(), ws, ws.Blobs, org, opt)
	if err != nil {
		t.Fatal(err)
	}
	if time.Since(start) > 3*time.Second {
		t.Errorf("Crawl-delay obeyed under robots = ignore")
	}
	if sum.Pages != 2 || !sum.RobotsIgnored {
		t.Errorf("summary %+v", sum)
	}
	ws.Update(commit)
	if st, _ := LastStats.Get(ws, "1", "last"); st == nil || !st.RobotsIgnored {
		t.Errorf("stored stats do not say robots.txt was ignored: %+v", st)
	}
}

// TestResumedWARCHasNoDuplicates is issue 15 item 12: a response archived
// before a kill and fetched again after resuming is not archived twice,
// and a record cut short by the kill is cut off before appending.
func TestResumedWARCHasNoDuplicates(t *testing.T) {
	path := filepath.Join(t.TempDir(), "crawl.warc")
	w, err := OpenWARC(path)
	if err != nil {
		t.Fatal(err)
	}
	h := http.Header{"Content-Type": {"text/html"}}
	w.Response("http://school.test/a", 200, h, strings.NewReader("page a"), time.Now())
	w.Response("http://school.test/b", 200, h, strings.NewReader("page b"), time.Now())
	w.Close()
	// A kill mid-write leaves half a record.
	f, _ := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	f.WriteString("WARC/1.1\r\nWARC-Type: response\r\nContent-Length: 999\r\n\r\npartial")
	f.Close()

	w, err = OpenWARC(path)
	if err != nil {
		t.Fatal(err)
	}
	w.Response("http://school.test/b", 200, h, strings.NewReader("page b"), time.Now())          // fetched again: the same
	w.Response("http://school.test/c", 200, h, strings.NewReader("page c"), time.Now())          // new
	w.Response("http://school.test/a", 200, h, strings.NewReader("page a, changed"), time.Now()) // a different answer
	w.Close()

	data, _ := os.ReadFile(path)
	if bytes.Contains(data, []byte("partial")) {
		t.Error("the torn record was kept")
	}
	count := map[string]int{}
	for _, rec := range strings.Split(string(data), "WARC/1.1\r\n")[1:] {
		if strings.Contains(rec, "WARC-Type: response") {
			for _, line := range strings.Split(rec, "\r\n") {
				if u, ok := strings.CutPrefix(line, "WARC-Target-URI: "); ok {
					count[u]++
				}
			}
		}
	}
	want := map[string]int{"http://school.test/a": 2, "http://school.test/b": 1, "http://school.test/c": 1}
	for u, n := range want {
		if count[u] != n {
			t.Errorf("%s archived %d times, want %d (all: %v)", u, count[u], n, count)
		}
	}
}

package crawler

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"perenos/store"
)

// testSite serves pages from a map and counts requests per path.
type testSite struct {
	mu    sync.Mutex
	hits  map[string]int
	pages map[string]func(w http.ResponseWriter, r *http.Request)
	srv   *httptest.Server
}

func newTestSite(t *testing.T, pages map[string]func(w http.ResponseWriter, r *http.Request)) *testSite {
	s := &testSite{hits: map[string]int{}, pages: pages}
	s.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.hits[r.URL.RequestURI()]++
		s.mu.Unlock()
		if h, ok := s.pages[r.URL.Path]; ok {
			h(w, r)
			return
		}
		http.NotFound(w, r)
	}))
	t.Cleanup(s.srv.Close)
	return s
}

func (s *testSite) count(uri string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.hits[uri]
}

func page(body string) func(w http.ResponseWriter, r *http.Request) {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, "<html><body>"+body+"</body></html>")
	}
}

func crawlSite(t *testing.T, s *testSite, opt Options) (*store.Workspace, *Stats, map[string]*store.Page) {
	t.Helper()
	ws := store.TestStore(t)
	org := &store.Org{ID: "1", LegacyURL: s.srv.URL + "/"}
	opt.Net.AllowPrivate = true
	if opt.Delay == 0 {
		opt.Delay = time.Millisecond
	}
	st, err := Crawl(context.Background(), ws, ws.Blobs, org, opt)
	if err != nil {
		t.Fatal(err)
	}
	pages := map[string]*store.Page{}
	ws.Pages("1", func(p *store.Page) error {
		u, _ := url.Parse(p.URL)
		pages[u.RequestURI()] = p
		return nil
	})
	return ws, st, pages
}

func TestCrawlWholeSiteOnce(t *testing.T) {
	s := newTestSite(t, map[string]func(http.ResponseWriter, *http.Request){
		"/":       page(`<a href="/a.html">A</a> <a href="b.html#top">B</a> <a href="/a.html?PHPSESSID=123&utm_source=x">A again</a> <a href="mailto:x@y">m</a>`),
		"/a.html": page(`<a href="/">home</a><a href="/files/ustav.pdf">Устав</a>`),
		"/b.html": func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprint(w, `<html><frameset><frame src="/c.html"></frameset></html>`)
		},
		"/c.html": page(`frame content`),
		"/files/ustav.pdf": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/pdf")
			w.Write([]byte("%PDF-1.4 binary \xff\xfe\x00"))
		},
	})
	ws, st, pages := crawlSite(t, s, Options{})
	for _, p := range []string{"/", "/a.html", "/b.html", "/c.html", "/files/ustav.pdf"} {
		if pages[p] == nil || !pages[p].OK() {
			t.Errorf("%s not fetched: %+v", p, pages[p])
		}
		if n := s.count(p); n != 1 {
			t.Errorf("%s fetched %d times", p, n)
		}
	}
	pdf := pages["/files/ustav.pdf"]
	if pdf.Kind != store.KindAttachment || pdf.FileName != "ustav.pdf" || len(pdf.Referrers) == 0 || pdf.Referrers[0].Anchor != "Устав" {
		t.Fatalf("attachment record: %+v", pdf)
	}
	raw, _ := ws.Blobs.Read(pdf.Blob)
	if string(raw) != "%PDF-1.4 binary \xff\xfe\x00" {
		t.Fatalf("attachment bytes changed: %q", raw)
	}
	if st.Pages != 4 || st.Attachments != 1 {
		t.Fatalf("stats %+v", st)
	}
}

func TestRobots(t *testing.T) {
	s := newTestSite(t, map[string]func(http.ResponseWriter, *http.Request){
		"/robots.txt": func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprint(w, "User-agent: *\nDisallow: /admin/\nCrawl-delay: 0.2\n")
		},
		"/":       page(`<a href="/admin/">admin</a><a href="/x">x</a><a href="/y">y</a>`),
		"/admin/": page(`secret`),
		"/x":      page(`x`),
		"/y":      page(`y`),
	})
	start := time.Now()
	_, st, pages := crawlSite(t, s, Options{Delay: time.Millisecond})
	if s.count("/admin/") != 0 {
		t.Fatal("robots.txt Disallow ignored")
	}
	if p := pages["/admin/"]; p == nil || p.Excluded == nil || p.Excluded.Kind != store.ExcludedRobots || st.Robots != 1 {
		t.Fatalf("disallowed URL not recorded as excluded: %+v", p)
	}
	// robots.txt, sitemap, /, /x, /y: at least 3 gaps of the 200 ms Crawl-delay between starts
	if took := time.Since(start); took < 600*time.Millisecond {
		t.Fatalf("Crawl-delay not honoured: whole crawl took %v", took)
	}
}

func TestGuards(t *testing.T) {
	deep := map[string]func(http.ResponseWriter, *http.Request){}
	for i := 0; i < 10; i++ {
		deep[fmt.Sprintf("/d%d", i)] = page(fmt.Sprintf(`<a href="/d%d">next</a>`, i+1))
	}
	deep["/"] = page(`<a href="/d0">deep</a><a href="/cal?d=1">c</a><a href="/loop">loop</a><a href="/hop0">hops</a>`)
	deep["/cal"] = func(w http.ResponseWriter, r *http.Request) {
		page(fmt.Sprintf(`<a href="/cal?d=%d">next day</a>`, len(r.URL.Query().Get("d"))+1000))(w, r)
		// every day links to a new one
	}
	deep["/loop"] = func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/loop2", http.StatusFound) }
	deep["/loop2"] = func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/loop", http.StatusFound) }
	for i := 0; i < 20; i++ {
		deep[fmt.Sprintf("/hop%d", i)] = func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, fmt.Sprintf("/hop%d", i+1), http.StatusFound)
		}
	}
	s := newTestSite(t, deep)
	// a calendar whose every page links to the next variant
	s.pages["/cal"] = func(w http.ResponseWriter, r *http.Request) {
		var n int
		fmt.Sscan(r.URL.Query().Get("d"), &n)
		page(fmt.Sprintf(`<a href="/cal?d=%d">next day</a>`, n+1))(w, r)
	}
	_, st, pages := crawlSite(t, s, Options{MaxDepth: 4, MaxQueryVariants: 3, MaxRedirects: 5})
	// "/" is depth 0, so /d3 is depth 4 and /d4 is one hop too far
	if st.Guards[GuardDepth] == 0 || pages["/d4"] == nil || pages["/d4"].Excluded == nil || pages["/d4"].Excluded.Detail != GuardDepth || !pages["/d3"].OK() {
		t.Errorf("depth guard: %+v %+v", st.Guards, pages["/d4"])
	}
	if s.count("/d4") != 0 {
		t.Error("a page beyond max depth was fetched")
	}
	variants := 0
	for p := range pages {
		if strings.HasPrefix(p, "/cal?") {
			variants++
		}
	}
	if variants != 3 || st.Guards[GuardVariants] == 0 {
		t.Errorf("query variants: %d stored, guards %v", variants, st.Guards)
	}
	if st.Guards[GuardLoop] == 0 || !strings.Contains(pages["/loop"].Error, GuardLoop) {
		t.Errorf("redirect loop: %+v %v", pages["/loop"], st.Guards)
	}
	if st.Guards[GuardRedirects] == 0 || !strings.Contains(pages["/hop0"].Error, GuardRedirects) {
		t.Errorf("redirect chain: %+v %v", pages["/hop0"], st.Guards)
	}
}

func TestMaxPagesGuard(t *testing.T) {
	pages := map[string]func(http.ResponseWriter, *http.Request){}
	var links strings.Builder
	for i := 0; i < 30; i++ {
		fmt.Fprintf(&links, `<a href="/p%d">p</a>`, i)
		pages[fmt.Sprintf("/p%d", i)] = page("x")
	}
	pages["/"] = page(links.String())
	s := newTestSite(t, pages)
	_, st, got := crawlSite(t, s, Options{MaxPages: 10})
	fetched := 0
	for _, p := range got {
		if p.OK() {
			fetched++
		}
	}
	if fetched > 10 || st.Guards[GuardPages] == 0 {
		t.Fatalf("max pages: %d fetched, guards %v", fetched, st.Guards)
	}
}

func TestAttachmentOverCap(t *testing.T) {
	big := strings.Repeat("x", 5000)
	s := newTestSite(t, map[string]func(http.ResponseWriter, *http.Request){
		"/": page(`<a href="/big.pdf">big</a><a href="/chunked.pdf">chunked</a>`),
		"/big.pdf": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/pdf")
			w.Write([]byte(big))
		},
		"/chunked.pdf": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/pdf")
			for i := 0; i < 10; i++ { // no Content-Length: the cap must still cut it
				w.Write([]byte(big[:1000]))
				w.(http.Flusher).Flush()
			}
		},
	})
	ws, st, pages := crawlSite(t, s, Options{MaxAttachmentBytes: 1000})
	for _, p := range []string{"/big.pdf", "/chunked.pdf"} {
		rec := pages[p]
		if rec == nil || !strings.Contains(rec.Error, "size cap") || !rec.Blob.IsZero() {
			t.Errorf("%s over the cap: %+v", p, rec)
		}
	}
	if st.Guards[GuardSize] != 2 {
		t.Errorf("size guard hits %v", st.Guards)
	}
	_ = ws
}

// TestFilesAreStoredWholeAtEverySize: an attachment is stored byte for
// byte whether it is read whole (up to smallFile) or streamed (above it),
// with or without a Content-Length, and one over the cap is cut either way.
func TestFilesAreStoredWholeAtEverySize(t *testing.T) {
	const limit = 3 * smallFile
	body := func(n int) []byte {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(i*7 + i/251)
		}
		return b
	}
	cases := []struct {
		name    string
		size    int
		chunked bool
		over    bool
	}{
		{"empty", 0, false, false},
		{"small", 700, false, false},
		{"small-chunked", 700, true, false},
		{"at-threshold", smallFile, false, false},
		{"at-threshold-chunked", smallFile, true, false},
		{"past-threshold", smallFile + 1, false, false},
		{"past-threshold-chunked", smallFile + 1, true, false},
		{"large-chunked", 2*smallFile + 12345, true, false},
		{"at-cap-chunked", limit, true, false},
		{"over-cap-chunked", limit + 1, true, true},
	}
	pages := map[string]func(http.ResponseWriter, *http.Request){}
	var index strings.Builder
	for _, c := range cases {
		data := body(c.size)
		path := "/f/" + c.name + ".pdf"
		fmt.Fprintf(&index, `<a href="%s">%s</a>`, path, c.name)
		pages[path] = func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/pdf")
			if !c.chunked {
				w.Header().Set("Content-Length", fmt.Sprint(len(data)))
				w.Write(data)
				return
			}
			for off := 0; off < len(data); off += 64 << 10 {
				w.Write(data[off:min(off+64<<10, len(data))])
				w.(http.Flusher).Flush()
			}
		}
	}
	pages["/"] = page(index.String())
	s := newTestSite(t, pages)
	ws, _, got := crawlSite(t, s, Options{MaxAttachmentBytes: limit})
	for _, c := range cases {
		rec := got["/f/"+c.name+".pdf"]
		if rec == nil {
			t.Errorf("%s: not recorded", c.name)
			continue
		}
		if c.over {
			if rec.ErrorKind != store.ErrorTooLarge || !rec.Blob.IsZero() {
				t.Errorf("%s: over the cap, recorded as %+v", c.name, rec)
			}
			continue
		}
		if !rec.OK() || rec.Kind != store.KindAttachment || rec.Size != int64(c.size) {
			t.Errorf("%s: recorded as %+v, want an attachment of %d bytes", c.name, rec, c.size)
			continue
		}
		stored, err := ws.Blobs.Read(rec.Blob)
		if err != nil || !bytes.Equal(stored, body(c.size)) {
			t.Errorf("%s: stored bytes differ from the served ones (%d stored, err %v)", c.name, len(stored), err)
		}
	}
}

func TestRefusesInternalAddresses(t *testing.T) {
	inner := newTestSite(t, map[string]func(http.ResponseWriter, *http.Request){"/": page("internal")})
	u, _ := url.Parse(inner.srv.URL)
	cases := map[string]string{
		"loopback":   inner.srv.URL + "/",
		"dns name":   "http://localhost:" + u.Port() + "/",
		"private ip": "http://10.255.255.1:" + u.Port() + "/",
	}
	for name, target := range cases {
		t.Run(name, func(t *testing.T) {
			ws := store.TestStore(t)
			org := &store.Org{ID: "1", LegacyURL: target}
			_, err := Crawl(context.Background(), ws, ws.Blobs, org, Options{Delay: time.Millisecond, MaxTries: 1})
			if err != nil {
				t.Fatal(err)
			}
			p, err := ws.Page("1", target)
			if err != nil || !strings.Contains(p.Error, "internal address") {
				t.Fatalf("%s not refused: %+v %v", target, p, err)
			}
		})
	}
	if inner.count("/") != 0 {
		t.Fatal("the internal server was reached")
	}
}

// TestRefusesRedirectToLoopback allows exactly the outer site's address
// and has it redirect to another loopback server: that connection must be
// refused at dial time even though the redirect stays within the site's scope.
func TestRefusesRedirectToLoopback(t *testing.T) {
	inner := newTestSite(t, map[string]func(http.ResponseWriter, *http.Request){"/": page("internal")})
	outer := newTestSite(t, map[string]func(http.ResponseWriter, *http.Request){
		"/": func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, inner.srv.URL+"/", http.StatusFound) },
	})
	ou, _ := url.Parse(outer.srv.URL)
	iu, _ := url.Parse(inner.srv.URL)
	ws := store.TestStore(t)
	org := &store.Org{ID: "1", LegacyURL: outer.srv.URL + "/"}
	opt := Options{Delay: time.Millisecond, MaxTries: 1, Aliases: []string{iu.Host}}
	opt.Net.Allow = []netip.AddrPort{netip.MustParseAddrPort(ou.Host)}
	if _, err := Crawl(context.Background(), ws, ws.Blobs, org, opt); err != nil {
		t.Fatal(err)
	}
	if outer.count("/") == 0 {
		t.Fatal("the allowed outer site was not fetched")
	}
	if inner.count("/") != 0 {
		t.Fatal("the redirect to loopback connected")
	}
	p, _ := ws.Page("1", org.LegacyURL)
	if p == nil || !strings.Contains(p.Error, "internal address") {
		t.Fatalf("redirect to loopback not refused: %+v", p)
	}
}

func TestResumeRefetchesNothingFinished(t *testing.T) {
	pages := map[string]func(http.ResponseWriter, *http.Request){}
	var links strings.Builder
	for i := 0; i < 40; i++ {
		fmt.Fprintf(&links, `<a href="/p%d">p</a>`, i)
		pages[fmt.Sprintf("/p%d", i)] = page("x")
	}
	pages["/"] = page(links.String())
	s := newTestSite(t, pages)
	ws := store.TestStore(t)
	org := &store.Org{ID: "1", LegacyURL: s.srv.URL + "/"}
	ctx, cancel := context.WithCancel(context.Background())
	var n int
	var mu sync.Mutex
	opt := Options{Delay: time.Millisecond, Net: NetOptions{AllowPrivate: true}, Progress: progressFunc(func() {
		mu.Lock()
		n++
		if n == 15 {
			cancel()
		}
		mu.Unlock()
	})}
	Crawl(ctx, ws, ws.Blobs, org, opt)
	front, _ := ws.Frontier("1")
	if len(front) == 0 {
		t.Fatal("cancelled crawl left no frontier")
	}
	opt.Progress = nil
	if _, err := Crawl(context.Background(), ws, ws.Blobs, org, opt); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 40; i++ {
		p := fmt.Sprintf("/p%d", i)
		if c := s.count(p); c < 1 || c > 2 {
			t.Fatalf("%s fetched %d times", p, c)
		}
	}
	refetched := 0
	for i := 0; i < 40; i++ {
		if s.count(fmt.Sprintf("/p%d", i)) == 2 {
			refetched++
		}
	}
	if refetched > 2 { // at most the requests in flight at the cancellation
		t.Fatalf("%d pages fetched twice after resume", refetched)
	}
}

type progressFunc func()

func (f progressFunc) Fetched(string, string, store.PageKind, int64, error) { f() }

func TestCanonical(t *testing.T) {
	base, _ := url.Parse("http://School.RU:80/a/b/index.php")
	cases := map[string]string{
		"../c.html#x":                        "http://school.ru/a/c.html",
		"?b=2&a=1&PHPSESSID=zz&utm_medium=m": "http://school.ru/a/b/index.php?a=1&b=2",
		"HTTPS://school.ru:443/x/./y/../z/":  "https://school.ru/x/z/",
		"/sveden/common.html?sid=abc":        "http://school.ru/sveden/common.html",
		"javascript:alert(1)":                "",
		"":                                   "",
	}
	for in, want := range cases {
		got, _ := Canonical(base, in)
		if got != want {
			t.Errorf("Canonical(%q) = %q, want %q", in, got, want)
		}
	}
}

// registered adds org to ws's registry, as an import would, and returns
// the stored record.
func registered(t *testing.T, ws *store.Workspace, org store.Org) *store.Org {
	t.Helper()
	if org.Name == "" {
		org.Name = "Школа " + org.ID
	}
	if org.Type == "" {
		org.Type = store.School
	}
	if org.PortalSite == "" {
		org.PortalSite = "s" + org.ID
	}
	if _, err := ws.UpsertOrg("test", org); err != nil {
		t.Fatal(err)
	}
	o, err := ws.Org(org.ID)
	if err != nil {
		t.Fatal(err)
	}
	return o
}

// A site whose every page is one script named by its query (a hand-made
// PHP site, an old Joomla) is crawled whole; the cap on query variants
// still stops a calendar on the same script.
func TestPagesNamedByQuery(t *testing.T) {
	s := newTestSite(t, map[string]func(http.ResponseWriter, *http.Request){
		"/index.php": func(w http.ResponseWriter, r *http.Request) {
			q := r.URL.Query()
			var b strings.Builder
			switch {
			case q.Get("page") == "" && q.Get("option") == "":
				for i := range 40 {
					fmt.Fprintf(&b, `<a href="index.php?page=p%d">p%d</a> `, i, i)
					fmt.Fprintf(&b, `<a href="index.php?option=com_content&amp;view=article&amp;id=%d&amp;Itemid=3">a%d</a> `, i, i)
				}
				b.WriteString(`<a href="index.php?page=cal&amp;d=1">calendar</a>`)
			case q.Get("page") == "cal":
				var n int
				fmt.Sscan(q.Get("d"), &n)
				fmt.Fprintf(&b, `<a href="index.php?page=cal&amp;d=%d">next day</a>`, n+1)
			default:
				b.WriteString("content")
			}
			page(b.String())(w, r)
		},
	})
	s.pages["/"] = s.pages["/index.php"]
	_, st, pages := crawlSite(t, s, Options{MaxQueryVariants: 5})
	named, articles, days := 0, 0, 0
	for p, pg := range pages {
		switch {
		case strings.Contains(p, "page=cal") && pg.OK():
			days++
		case strings.Contains(p, "page=p") && pg.OK():
			named++
		case strings.Contains(p, "option=com_content") && pg.OK():
			articles++
		}
	}
	if named != 40 || articles != 40 {
		t.Errorf("pages named by a query: %d of 40 ?page=, %d of 40 ?option=…&id=; each is a page of its own", named, articles)
	}
	if days != 5 || st.Guards[GuardVariants] == 0 {
		t.Errorf("calendar on the same script: %d days fetched, guards %v; want the cap of 5 and the guard hit", days, st.Guards)
	}
}

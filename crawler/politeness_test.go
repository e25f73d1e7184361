package crawler

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"perenos/store"
)

// clock records when each request to a loopback host started and how many
// were in flight at most.
type clock struct {
	mu       sync.Mutex
	starts   []time.Time
	paths    []string
	inFlight int
	peak     int
}

func (c *clock) handler(hold time.Duration, body func(path string) string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c.mu.Lock()
		c.starts = append(c.starts, time.Now())
		c.paths = append(c.paths, r.URL.Path)
		c.inFlight++
		c.peak = max(c.peak, c.inFlight)
		c.mu.Unlock()
		time.Sleep(hold)
		c.mu.Lock()
		c.inFlight--
		c.mu.Unlock()
		if r.URL.Path == "/robots.txt" || r.URL.Path == "/sitemap.xml" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, body(r.URL.Path))
	})
}

// gaps are the times between consecutive request starts.
func (c *clock) gaps() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	s := slices.Clone(c.starts)
	slices.SortFunc(s, func(a, b time.Time) int { return a.Compare(b) })
	var out []time.Duration
	for i := 1; i < len(s); i++ {
		out = append(out, s[i].Sub(s[i-1]))
	}
	return out
}

// checkSpacing fails unless request starts, as the server saw them, were
// spaced by delay. The server sees the client's starts with the jitter of
// a loaded machine, which moves single starts but not the schedule: any
// k consecutive gaps must span at least k·delay less 150 ms, and the gaps
// must average 0.95 of delay. Without the delay they come a few
// milliseconds apart.
func checkSpacing(t *testing.T, gaps []time.Duration, delay time.Duration) {
	t.Helper()
	const jitter = 150 * time.Millisecond
	var sum time.Duration
	for i := range gaps {
		sum += gaps[i]
		var span time.Duration
		for j := i; j < len(gaps); j++ {
			span += gaps[j]
			if k := time.Duration(j - i + 1); span < k*delay-jitter {
				t.Errorf("requests %d to %d started %v apart; the site asked for %v between each (%v)", i, j+1, span, delay, k*delay)
				return
			}
		}
	}
	if mean := sum / time.Duration(len(gaps)); mean < delay*95/100 {
		t.Errorf("requests started %v apart on average; the site asked for %v", mean, delay)
	}
}

// fanPage links /p1../pN from every page of prefix.
func fanPage(prefix string, n int) func(string) string {
	return func(string) string {
		var b []byte
		for i := 1; i <= n; i++ {
			b = fmt.Appendf(b, `<a href="%s/p%d">p%d</a>`, prefix, i, i)
		}
		return "<html><body>" + string(b) + "</body></html>"
	}
}

// siteCrawl runs the crawl stage for one org the way the pipeline does:
// the batch's options, the site's registry settings on top, the process's
// shared gates.
func siteCrawl(t *testing.T, ws *store.Workspace, org *store.Org, batch Options, gates *Gates) {
	t.Helper()
	org = registered(t, ws, *org)
	opt, err := SiteOptions(batch, org)
	if err != nil {
		t.Fatal(err)
	}
	opt.Gates = gates
	opt.Net.AllowPrivate = true
	if _, _, err := CrawlSite(context.Background(), ws, ws.Blobs, org, opt); err != nil {
		t.Fatal(err)
	}
}

// TestSiteDelayHoldsInASharedBatch is issue 13 defect 1: a site whose
// registry row asks for delay_ms=250 in a batch run with --delay 1ms must
// see its requests at least 250 ms apart, although the batch's gates were
// made first, from the batch's settings.
func TestSiteDelayHoldsInASharedBatch(t *testing.T) {
	var c clock
	srv := httptest.NewServer(c.handler(0, fanPage("", 4)))
	defer srv.Close()
	ws := store.TestStore(t)
	gates := NewGates()
	org := &store.Org{ID: "1", LegacyURL: srv.URL + "/", Settings: map[string]string{"delay_ms": "250"}}
	siteCrawl(t, ws, org, Options{Delay: time.Millisecond, PerHost: 2}, gates)
	g := c.gaps()
	if len(g) < 5 {
		t.Fatalf("only %d requests", len(g)+1)
	}
	checkSpacing(t, g, 250*time.Millisecond)
}

// TestPerHostOneHoldsInASharedBatch is issue 13 defect 1's second half:
// --per-host 1 means one request in flight to a host, never two, also
// when two sites of the batch live on that host.
func TestPerHostOneHoldsInASharedBatch(t *testing.T) {
	var c clock
	srv := httptest.NewServer(c.handler(30*time.Millisecond, func(p string) string {
		if strings.HasPrefix(p, "/b") {
			return fanPage("/b", 6)(p)
		}
		return fanPage("/a", 6)(p)
	}))
	defer srv.Close()
	ws := store.TestStore(t)
	gates := NewGates()
	batch := Options{Delay: time.Millisecond, PerHost: 1}
	var wg sync.WaitGroup
	for _, o := range []*store.Org{{ID: "1", LegacyURL: srv.URL + "/a/"}, {ID: "2", LegacyURL: srv.URL + "/b/"}} {
		wg.Go(func() { siteCrawl(t, ws, o, batch, gates) })
	}
	wg.Wait()
	if c.peak != 1 {
		t.Fatalf("%d requests in flight at once; --per-host 1 asked for 1", c.peak)
	}
}

// TestSitesOnOneHostGetTheStrictest is issue 13 defect 5: two sites on one
// host, crawled at once (two batches of one process share its gates), the
// one asking for 200 ms and 1 in flight, the other for 1 ms and 4: while
// both crawl, the host sees the strictest, and the lax one's requests are
// spaced too.
func TestSitesOnOneHostGetTheStrictest(t *testing.T) {
	var c clock
	mux := http.NewServeMux()
	mux.Handle("/", c.handler(20*time.Millisecond, func(p string) string {
		if len(p) > 2 && p[:2] == "/b" {
			return fanPage("/b", 6)(p)
		}
		return fanPage("/a", 6)(p)
	}))
	srv := httptest.NewServer(mux)
	defer srv.Close()
	ws := store.TestStore(t)
	gates := NewGates()
	strict := &store.Org{ID: "1", LegacyURL: srv.URL + "/a/", Settings: map[string]string{"delay_ms": "200", "per_host": "1"}}
	lax := &store.Org{ID: "2", LegacyURL: srv.URL + "/b/", Settings: map[string]string{"delay_ms": "1", "per_host": "4"}}
	var wg sync.WaitGroup
	wg.Go(func() { siteCrawl(t, ws, strict, Options{}, gates) })
	time.Sleep(50 * time.Millisecond) // the strict site has joined the host
	wg.Go(func() { siteCrawl(t, ws, lax, Options{}, gates) })
	wg.Wait()
	c.mu.Lock()
	// The strict site's first and last requests: between them both sites
	// share the host's gate. (Before the first, the lax site may have had
	// the host to itself: on a loaded machine the strict crawl can take
	// longer than the sleep above to join.)
	var strictFirst, strictLast time.Time
	for i, s := range c.starts {
		if !strings.HasPrefix(c.paths[i], "/a/") {
			continue
		}
		if strictFirst.IsZero() || s.Before(strictFirst) {
			strictFirst = s
		}
		if s.After(strictLast) {
			strictLast = s
		}
	}
	var during []time.Time
	for _, s := range c.starts {
		if !s.Before(strictFirst) && !s.After(strictLast) {
			during = append(during, s)
		}
	}
	peak := c.peak
	c.mu.Unlock()
	slices.SortFunc(during, func(a, b time.Time) int { return a.Compare(b) })
	if len(during) < 6 {
		t.Fatalf("only %d requests while the strict site crawled", len(during))
	}
	var g []time.Duration
	for i := 1; i < len(during); i++ {
		g = append(g, during[i].Sub(during[i-1]))
	}
	checkSpacing(t, g, 200*time.Millisecond)
	if peak > 4 {
		t.Errorf("%d requests in flight; no site asked for more than 4", peak)
	}
}

func TestGateTakesTheStrictestAndRelaxesWhenASiteLeaves(t *testing.T) {
	gs := NewGates()
	g, leaveA := gs.Join("h", Politeness{PerHost: 4, Delay: time.Millisecond})
	if s := g.Settings(); s.PerHost != 4 || s.Delay != time.Millisecond {
		t.Fatalf("one site: %+v", s)
	}
	g2, leaveB := gs.Join("h", Politeness{PerHost: 1, Delay: 300 * time.Millisecond})
	if g2 != g {
		t.Fatal("two gates for one host")
	}
	if s := g.Settings(); s.PerHost != 1 || s.Delay != 300*time.Millisecond {
		t.Fatalf("two sites: %+v, want the strictest", s)
	}
	leaveB()
	leaveB() // twice is harmless
	if s := g.Settings(); s.PerHost != 4 || s.Delay != time.Millisecond {
		t.Fatalf("after the strict site left: %+v", s)
	}
	g.RaiseDelay(50 * time.Millisecond)
	if s := g.Settings(); s.Delay != 50*time.Millisecond {
		t.Fatalf("Crawl-delay: %+v", s)
	}
	leaveA()
	other, _ := gs.Join("other", Politeness{})
	if s := other.Settings(); s.PerHost != 1 || s.Delay != 0 {
		t.Fatalf("zero politeness: %+v, want 1 in flight", s)
	}
}

func TestSiteOptionsValidates(t *testing.T) {
	for _, c := range []struct {
		settings map[string]string
		ok       bool
		check    func(Options) bool
	}{
		{map[string]string{"delay_ms": "400", "per_host": "1"}, true, func(o Options) bool { return o.Delay == 400*time.Millisecond && o.PerHost == 1 }},
		{map[string]string{"aliases": "school.ru, www.school.ru http://old.school.ru/"}, true, func(o Options) bool {
			return slices.Equal(o.Aliases, []string{"school.ru", "www.school.ru", "old.school.ru"})
		}},
		{map[string]string{"robots": "ignore"}, true, func(o Options) bool { return o.IgnoreRobots }},
		{map[string]string{"insecure": "true"}, true, func(o Options) bool { return o.Net.Insecure }},
		{map[string]string{"delay_ms": "-1"}, false, nil},
		{map[string]string{"delay_ms": "fast"}, false, nil},
		{map[string]string{"delay_ms": "9999999"}, false, nil},
		{map[string]string{"per_host": "0"}, false, nil},
		{map[string]string{"per_host": "1000"}, false, nil},
		{map[string]string{"insecure": "maybe"}, false, nil},
		{map[string]string{"robots": "sometimes"}, false, nil},
		{map[string]string{"aliases": "school.ru/path"}, false, nil},
	} {
		o, err := SiteOptions(Options{Delay: time.Second, PerHost: 2}, &store.Org{ID: "7", Settings: c.settings})
		if (err == nil) != c.ok {
			t.Errorf("%v: err %v, want ok=%v", c.settings, err, c.ok)
			continue
		}
		if err != nil {
			for k := range c.settings {
				if !contains(err.Error(), k) || !contains(err.Error(), "7") {
					t.Errorf("%v: error %q should name the column and the organisation", c.settings, err)
				}
			}
			continue
		}
		if !c.check(o) {
			t.Errorf("%v: options %+v", c.settings, o)
		}
	}
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }

// slowDisk is a blob store whose page writes take hold each: a disk under
// load.
type slowDisk struct {
	*store.Blobs
	hold time.Duration
}

func (d slowDisk) PutBytes(data []byte) (store.BlobID, error) {
	time.Sleep(d.hold)
	return d.Blobs.PutBytes(data)
}

// TestASlowDiskIsNotASlowHost: the host's gate learns the host's latency
// from its answers, not from the time the crawler then spends storing them
// and finding their links, and frees the slot as soon as the answer is
// read. With every page write taking 250 ms and a host that answers at
// once, the gate's smoothed latency stays far below 250 ms (it was at least
// 250 ms when the slot was held until the page was stored, which also made
// a slow disk look like a slow host and back the crawl off).
func TestASlowDiskIsNotASlowHost(t *testing.T) {
	const hold = 250 * time.Millisecond
	var c clock
	srv := httptest.NewServer(c.handler(0, fanPage("", 6)))
	defer srv.Close()
	ws := store.TestStore(t)
	gates := NewGates()
	org := &store.Org{ID: "1", LegacyURL: srv.URL + "/"}
	opt := Options{PerHost: 1, Delay: time.Millisecond, Gates: gates, Net: NetOptions{AllowPrivate: true}}
	if _, err := Crawl(context.Background(), ws, slowDisk{ws.Blobs, hold}, org, opt); err != nil {
		t.Fatal(err)
	}
	host := strings.TrimPrefix(srv.URL, "http://")
	gates.mu.Lock()
	g := gates.hosts[host]
	gates.mu.Unlock()
	if g == nil {
		t.Fatalf("no gate for %s", host)
	}
	g.mu.Lock()
	ewma, extra := g.ewma, g.extra
	g.mu.Unlock()
	if ewma == 0 || ewma >= hold/2 {
		t.Errorf("the gate's latency of the host is %v; the host answers at once and only storing a page takes %v", ewma, hold)
	}
	if extra != 0 {
		t.Errorf("the gate backed off by %v from a host that answers at once", extra)
	}
	var pages int
	ws.Pages("1", func(p *store.Page) error {
		if p.OK() {
			pages++
		}
		return nil
	})
	if pages != 7 {
		t.Errorf("%d pages stored, want 7 (/ and /p1 to /p6)", pages)
	}
}

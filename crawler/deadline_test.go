package crawler

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"perenos/store"
)

// slowSite serves a site with a page whose body stalls after the headers,
// one that drips a byte at a time, one that trickles fast enough but never
// ends, and a good page; release ends the bad answers when the test is over.
func slowSite(t *testing.T) (*testSite, chan struct{}) {
	release := make(chan struct{})
	s := newTestSite(t, map[string]func(http.ResponseWriter, *http.Request){
		"/": page(`<a href="/stalled.html">s</a> <a href="/drip.html">d</a> <a href="/long.html">l</a> <a href="/fine.html">f</a>`),
		"/stalled.html": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			w.Write([]byte("<html><body>"))
			w.(http.Flusher).Flush()
			select { // connection open, nothing more sent
			case <-r.Context().Done():
			case <-release:
			}
		},
		"/drip.html": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			for {
				if _, err := w.Write([]byte("x")); err != nil {
					return
				}
				w.(http.Flusher).Flush()
				select {
				case <-r.Context().Done():
					return
				case <-release:
					return
				case <-time.After(150 * time.Millisecond):
				}
			}
		},
		"/long.html": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			chunk := []byte(strings.Repeat("<p>ещё</p>", 50))
			for {
				if _, err := w.Write(chunk); err != nil {
					return
				}
				w.(http.Flusher).Flush()
				select {
				case <-r.Context().Done():
					return
				case <-release:
					return
				case <-time.After(50 * time.Millisecond):
				}
			}
		},
		"/fine.html": page("<p>обычная страница</p>"),
	})
	t.Cleanup(func() { close(release) })
	return s, release
}

// TestStalledAndSlowBodiesAreCutAndTheCrawlGoesOn is issue 13 defect 6 and
// issue 15 item 3: a body that stops arriving, one that drips slower than
// the minimum rate, and one that arrives at a fair rate for longer than
// the whole-exchange deadline are each cut within their bounds, recorded
// as timeouts with why, and the crawl goes on to the next page.
func TestStalledAndSlowBodiesAreCutAndTheCrawlGoesOn(t *testing.T) {
	s, _ := slowSite(t)
	start := time.Now()
	done := make(chan struct{})
	var pages map[string]*store.Page
	go func() {
		defer close(done)
		_, _, pages = crawlSite(t, s, Options{MaxTries: 1, PageTimeout: 3 * time.Second, MinRate: 64, RateWindow: 500 * time.Millisecond})
	}()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		t.Fatal("the crawl hung on a slow body")
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("the crawl took %v with a 3 s deadline and a 0.5 s rate window", d)
	}
	for path, want := range map[string]string{"/stalled.html": "too slowly", "/drip.html": "too slowly", "/long.html": "in time"} {
		p := pages[path]
		if p == nil || p.Error == "" || p.ErrorKind != store.ErrorTimeout || !p.Blob.IsZero() {
			t.Errorf("%s was not cut as a timeout: %+v", path, p)
			continue
		}
		if !strings.Contains(p.Error, want) {
			t.Errorf("%s: error %q should say %q", path, p.Error, want)
		}
	}
	if p := pages["/fine.html"]; p == nil || !p.OK() {
		t.Errorf("the crawl did not go on: %+v", p)
	}
}

// TestCancellationStopsAFetchMidBody is issue 13 defect 6: Ctrl-C (the
// context) reaches a fetch whose body has stalled, and the crawl returns
// within a second, leaving the URL in the frontier for the next run.
func TestCancellationStopsAFetchMidBody(t *testing.T) {
	s, _ := slowSite(t)
	s.pages["/"] = page(`<a href="/stalled.html">s</a>`)
	ws := store.TestStore(t)
	org := &store.Org{ID: "1", LegacyURL: s.srv.URL + "/"}
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		for s.count("/stalled.html") == 0 {
			time.Sleep(10 * time.Millisecond)
		}
		time.Sleep(200 * time.Millisecond) // mid-body
		cancel()
	}()
	done := make(chan error, 1)
	go func() {
		_, err := Crawl(ctx, ws, ws.Blobs, org, Options{Delay: time.Millisecond, Net: NetOptions{AllowPrivate: true}})
		done <- err
	}()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("crawl returned %v, want context.Canceled", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("cancellation did not reach the fetch")
	}
	front, _ := ws.Frontier("1")
	found := false
	for _, p := range front {
		found = found || strings.HasSuffix(p.URL, "/stalled.html")
	}
	if !found {
		t.Errorf("the interrupted URL is not left in the frontier: %+v", front)
	}
}

// TestCancellationIsPrompt measures how long after cancel the crawl
// returns: within two seconds (a loaded machine), not after any deadline.
func TestCancellationIsPrompt(t *testing.T) {
	s, _ := slowSite(t)
	s.pages["/"] = page(`<a href="/stalled.html">s</a>`)
	ws := store.TestStore(t)
	org := &store.Org{ID: "1", LegacyURL: s.srv.URL + "/"}
	ctx, cancel := context.WithCancel(context.Background())
	var cancelled time.Time
	go func() {
		for s.count("/stalled.html") == 0 {
			time.Sleep(10 * time.Millisecond)
		}
		time.Sleep(200 * time.Millisecond)
		cancelled = time.Now()
		cancel()
	}()
	done := make(chan struct{})
	go func() {
		Crawl(ctx, ws, ws.Blobs, org, Options{Delay: time.Millisecond, Net: NetOptions{AllowPrivate: true}})
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(15 * time.Second):
		t.Fatal("cancellation did not reach the fetch")
	}
	if d := time.Since(cancelled); d > 2*time.Second {
		t.Errorf("the crawl returned %v after cancellation", d)
	}
}

// TestSlowSeedSaysWhy: a site whose only page stalls fetched nothing, and
// the summary says it timed out.
func TestSlowSeedSaysWhy(t *testing.T) {
	s, _ := slowSite(t)
	s.pages["/"] = s.pages["/stalled.html"]
	ws := store.TestStore(t)
	org := registered(t, ws, store.Org{ID: "1", LegacyURL: s.srv.URL + "/"})
	opt := Options{Delay: time.Millisecond, MaxTries: 1, MinRate: 64, RateWindow: 300 * time.Millisecond, Net: NetOptions{AllowPrivate: true}}
	sum, _, err := CrawlSite(context.Background(), ws, ws.Blobs, org, opt)
	var nf *NothingFetched
	if !errors.As(err, &nf) || sum == nil || sum.Why == nil || sum.Why.Reason != ReasonTimeout {
		t.Fatalf("err %v, summary %+v", err, sum)
	}
	if !strings.Contains(err.Error(), "too slowly") {
		t.Errorf("error %q does not say why", err)
	}
	st, err := LastStats.Get(ws, "1", "last")
	if err != nil || st.Why == nil || st.Why.Reason != ReasonTimeout {
		t.Errorf("stored stats do not say why: %+v %v", st, err)
	}
}

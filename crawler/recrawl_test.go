package crawler

import (
	"context"
	"crypto/sha256"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"perenos/store"
)

// TestIncrementalRecrawl re-crawls a site after one page changed, one
// disappeared and one appeared: unchanged pages are answered 304 and the
// diff names each change.
func TestIncrementalRecrawl(t *testing.T) {
	var mu sync.Mutex
	content := map[string]string{
		"/":  `<a href="/a">a</a><a href="/b">b</a><a href="/c">c</a><a href="/f.pdf">f</a>`,
		"/a": "a1", "/b": "b1", "/c": "c1", "/f.pdf": "%PDF-1 f",
	}
	notModified := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		body, ok := content[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		etag := fmt.Sprintf(`"%x"`, sha256.Sum256([]byte(body)))
		if r.Header.Get("If-None-Match") == etag {
			notModified++
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("ETag", etag)
		if r.URL.Path == "/f.pdf" {
			w.Header().Set("Content-Type", "application/pdf")
		} else {
			w.Header().Set("Content-Type", "text/html")
		}
		fmt.Fprint(w, body)
	}))
	defer srv.Close()
	ws := store.TestStore(t)
	org := &store.Org{ID: "1", LegacyURL: srv.URL + "/"}
	opt := Options{Delay: time.Millisecond, Net: NetOptions{AllowPrivate: true}}
	if _, err := Crawl(context.Background(), ws, ws.Blobs, org, opt); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	content["/"] = `<a href="/a">a</a><a href="/c">c</a><a href="/d">d</a><a href="/f.pdf">f</a>`
	content["/c"] = "c2 changed"
	content["/d"] = "d1"
	delete(content, "/b")
	mu.Unlock()
	if err := ws.StartRecrawl("1"); err != nil {
		t.Fatal(err)
	}
	if _, err := Crawl(context.Background(), ws, ws.Blobs, org, opt); err != nil {
		t.Fatal(err)
	}
	d, err := Compare(ws, "1", false)
	if err != nil {
		t.Fatal(err)
	}
	if d == nil || d.New != 1 || d.Changed != 2 || d.Disappeared != 1 || d.Unchanged != 2 {
		t.Fatalf("diff %+v", d)
	}
	if notModified != 2 { // /a and /f.pdf
		t.Fatalf("%d conditional 304 answers, want 2", notModified)
	}
	p, err := ws.Page("1", srv.URL+"/a")
	if err != nil || !p.OK() || p.Blob.IsZero() {
		t.Fatalf("unchanged page lost its content: %+v %v", p, err)
	}
}

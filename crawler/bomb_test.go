package crawler

import (
	"bytes"
	"compress/gzip"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestBombsAndEndlessBodiesAreCutOff serves a page that inflates from a few
// kilobytes to 64 MB and a page whose body never ends: both must end with
// an error against their URL, nothing stored, and the crawl goes on.
func TestBombsAndEndlessBodiesAreCutOff(t *testing.T) {
	var bomb bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&bomb, gzip.BestCompression)
	zw.Write([]byte("<html><body>"))
	zeros := make([]byte, 1<<20)
	for range 64 {
		zw.Write(zeros)
	}
	zw.Close()
	s := newTestSite(t, map[string]func(http.ResponseWriter, *http.Request){
		"/": page(`<a href="/bomb.html">bomb</a> <a href="/endless.html">endless</a> <a href="/fine.html">fine</a>`),
		"/bomb.html": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			w.Header().Set("Content-Encoding", "gzip")
			w.Write(bomb.Bytes())
		},
		"/endless.html": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			chunk := []byte(strings.Repeat("<p>ещё</p>", 1000))
			for r.Context().Err() == nil {
				if _, err := w.Write(chunk); err != nil {
					return
				}
			}
		},
		"/fine.html": page("<p>обычная страница</p>"),
	})
	start := time.Now()
	_, _, pages := crawlSite(t, s, Options{MaxPageBytes: 1 << 20, MaxTries: 1})
	if d := time.Since(start); d > 20*time.Second {
		t.Errorf("cutting off took %v", d)
	}
	for _, p := range []string{"/bomb.html", "/endless.html"} {
		rec := pages[p]
		if rec == nil || rec.Error == "" || !rec.Blob.IsZero() {
			t.Errorf("%s was not cut off with an error: %+v", p, rec)
		}
	}
	if rec := pages["/fine.html"]; rec == nil || rec.Error != "" || rec.Blob.IsZero() {
		t.Errorf("the crawl did not go on to the next page: %+v", rec)
	}
	if bomb.Len() > 1<<20 {
		t.Fatalf("the bomb is %d bytes compressed; it should be small", bomb.Len())
	}
}

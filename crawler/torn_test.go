package crawler

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"perenos/store"
)

// TestTornPackTail damages the end of the pack segment a crawl wrote, as
// a kill while the segment was being written can leave it (its marker
// still there), reopens the workspace and crawls again: the pages whose
// bodies were in the damaged bytes are fetched again, the others are not,
// and every body read afterwards is the one the site sent.
func TestTornPackTail(t *testing.T) {
	for _, damage := range []string{"truncate", "corrupt"} {
		t.Run(damage, func(t *testing.T) { tornPackTail(t, damage) })
	}
}

func tornPackTail(t *testing.T, damage string) {
	const pages = 40
	body := func(path string) string {
		var n int
		fmt.Sscanf(path, "/p%d", &n)
		var b strings.Builder
		fmt.Fprintf(&b, "<html><body><h1>%s</h1><p>%s</p>", path, strings.Repeat("текст ", 50+n))
		for _, k := range []int{2*n + 1, 2*n + 2} {
			if k < pages {
				fmt.Fprintf(&b, `<a href="/p%d">p%d</a>`, k, k)
			}
		}
		return b.String() + "</body></html>"
	}
	var mu sync.Mutex
	hits := map[string]int{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		hits[r.URL.Path]++
		mu.Unlock()
		if !strings.HasPrefix(r.URL.Path, "/p") {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, body(r.URL.Path))
	}))
	defer srv.Close()
	dir := t.TempDir()
	org := &store.Org{ID: "1", LegacyURL: srv.URL + "/p0"}
	opt := Options{PerHost: 2, Delay: time.Millisecond, Net: NetOptions{AllowPrivate: true}}
	crawl := func() *store.Workspace {
		ws, err := store.Open(context.Background(), dir, store.Options{Command: "test"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := Crawl(context.Background(), ws, ws.Blobs, org, opt); err != nil {
			t.Fatal(err)
		}
		return ws
	}
	ws := crawl()
	if err := ws.Close(); err != nil {
		t.Fatal(err)
	}

	// The last segment, and the pages whose records its last 300 bytes touch.
	segs, _ := filepath.Glob(filepath.Join(dir, "blobs", "pack", "*.seg"))
	if len(segs) == 0 {
		t.Fatal("the crawl wrote no pack segment")
	}
	sort.Strings(segs)
	seg := segs[len(segs)-1]
	info, err := os.Stat(seg)
	if err != nil {
		t.Fatal(err)
	}
	cut := info.Size() - 300
	switch damage {
	case "truncate":
		err = os.Truncate(seg, cut)
	case "corrupt":
		var f *os.File
		if f, err = os.OpenFile(seg, os.O_WRONLY, 0); err == nil {
			_, err = f.WriteAt([]byte(strings.Repeat("\xff", 300)), cut)
			f.Close()
		}
	}
	if err != nil {
		t.Fatal(err)
	}
	// As a kill leaves it: the segment's marker says it was being written.
	if err := os.WriteFile(strings.TrimSuffix(seg, ".seg")+".open", nil, 0o600); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	before := map[string]int{}
	for k, v := range hits {
		before[k] = v
	}
	mu.Unlock()

	ws = crawl()
	defer ws.Close()
	refetched := 0
	mu.Lock()
	for path, n := range hits {
		if n > before[path] && strings.HasPrefix(path, "/p") {
			refetched++
		}
	}
	mu.Unlock()
	if refetched == 0 {
		t.Fatal("no page was fetched again after its body was damaged")
	}
	if refetched > 3 {
		t.Errorf("%d pages fetched again; 300 damaged bytes hold at most the tail of 3 bodies", refetched)
	}
	n := 0
	ws.Pages("1", func(p *store.Page) error {
		if !p.OK() {
			return nil
		}
		raw, err := ws.Blobs.Read(p.Blob)
		if err != nil {
			t.Errorf("%s: %v", p.URL, err)
			return nil
		}
		if u := strings.TrimPrefix(p.URL, srv.URL); string(raw) != body(u) {
			t.Errorf("%s: the body read differs from the one served", p.URL)
		}
		n++
		return nil
	})
	if n != pages {
		t.Fatalf("%d pages readable, want %d", n, pages)
	}
	t.Logf("%s: %d pages fetched again", damage, refetched)
}

package crawler

import (
	"context"
	"fmt"
	"maps"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"perenos/store"
)

const killPerHost = 2

// TestKillResume crawls a 320-URL site in a child process, kills it with
// SIGKILL at random moments several times, resumes, and checks that every
// URL is stored exactly once, that nothing finished was fetched again (no
// URL the ledger held as done after a kill was requested by a later run,
// and refetches are at most the URLs fetched and not yet durable at each
// kill), and that the ledger matches the site.
func TestKillResume(t *testing.T) {
	if dir := os.Getenv("PERENOS_KILLTEST_DIR"); dir != "" {
		killChild(dir, os.Getenv("PERENOS_KILLTEST_URL"))
		return
	}
	if testing.Short() {
		t.Skip("kill test skipped in -short mode")
	}
	const pages, files = 280, 40
	var mu sync.Mutex
	hits := map[string]int{}
	body := func(path string) string {
		var b strings.Builder
		fmt.Fprintf(&b, "<html><body><h1>%s</h1>", path)
		var n int
		fmt.Sscanf(path, "/p%d", &n)
		for _, k := range []int{2*n + 1, 2*n + 2} { // a binary tree of pages
			if k < pages {
				fmt.Fprintf(&b, `<a href="/p%d">p%d</a>`, k, k)
			}
		}
		if n < files {
			fmt.Fprintf(&b, `<a href="/f/doc%d.pdf">doc</a>`, n)
		}
		return b.String() + "</body></html>"
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		hits[r.URL.Path]++
		mu.Unlock()
		time.Sleep(12 * time.Millisecond) // long enough that the kills land mid-crawl
		switch {
		case r.URL.Path == "/":
			http.Redirect(w, r, "/p0", http.StatusFound)
		case strings.HasPrefix(r.URL.Path, "/p"):
			w.Header().Set("Content-Type", "text/html")
			fmt.Fprint(w, body(r.URL.Path))
		case strings.HasPrefix(r.URL.Path, "/f/"):
			w.Header().Set("Content-Type", "application/pdf")
			fmt.Fprint(w, "%PDF "+r.URL.Path)
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	dir := t.TempDir()
	// done is what the ledger holds as fetched between runs; a later run
	// must never request it again.
	done := map[string]bool{}
	snapshot := func() {
		ws, err := store.Open(context.Background(), dir, store.Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer ws.Close()
		ws.Pages("1", func(p *store.Page) error {
			if u, err := url.Parse(p.URL); err == nil && p.OK() {
				done[u.Path] = true
			}
			return nil
		})
	}
	run := func(kill time.Duration) (killed bool) {
		mu.Lock()
		before, finished := maps.Clone(hits), maps.Clone(done)
		mu.Unlock()
		defer func() {
			mu.Lock()
			defer mu.Unlock()
			for path, n := range hits {
				if n > before[path] && finished[path] {
					t.Errorf("%s was requested again after the ledger held it as done", path)
				}
			}
		}()
		cmd := exec.Command(os.Args[0], "-test.run=^TestKillResume$", "-test.v=false")
		cmd.Env = append(os.Environ(), "PERENOS_KILLTEST_DIR="+dir, "PERENOS_KILLTEST_URL="+srv.URL+"/p0")
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		exited := make(chan error, 1)
		go func() { exited <- cmd.Wait() }()
		if kill == 0 {
			if err := <-exited; err != nil {
				t.Fatalf("final run: %v", err)
			}
			return false
		}
		select {
		case err := <-exited:
			if err != nil {
				t.Fatalf("child: %v", err)
			}
			snapshot()
			return false
		case <-time.After(kill):
			cmd.Process.Signal(syscall.SIGKILL)
			<-exited
			snapshot()
			return true
		}
	}
	kills := 0
	for i := 0; i < 6; i++ {
		if run(time.Duration(150+rand.IntN(500)) * time.Millisecond) {
			kills++
		}
	}
	run(0)
	if kills < 3 {
		t.Fatalf("only %d kills landed mid-crawl; the crawl is too fast for this test", kills)
	}

	ws, err := store.Open(context.Background(), dir, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	stored := map[string]*store.Page{}
	ws.Pages("1", func(p *store.Page) error {
		u, _ := url.Parse(p.URL)
		if _, dup := stored[u.Path]; dup {
			t.Errorf("%s stored twice", u.Path)
		}
		stored[u.Path] = p
		return nil
	})
	front, _ := ws.Frontier("1")
	if len(front) != 0 {
		t.Fatalf("frontier not empty after the final run: %d", len(front))
	}
	refetches := 0
	mu.Lock()
	defer mu.Unlock()
	for i := 0; i < pages; i++ {
		p := fmt.Sprintf("/p%d", i)
		rec := stored[p]
		if rec == nil || !rec.OK() {
			t.Errorf("%s missing from the ledger: %+v", p, rec)
			continue
		}
		raw, _ := ws.Blobs.Read(rec.Blob)
		if string(raw) != body(p) {
			t.Errorf("%s stored bytes differ", p)
		}
		refetches += hits[p] - 1
	}
	for i := 0; i < files; i++ {
		p := fmt.Sprintf("/f/doc%d.pdf", i)
		if rec := stored[p]; rec == nil || !rec.OK() || rec.Kind != store.KindAttachment {
			t.Errorf("%s missing: %+v", p, rec)
		}
		refetches += hits[p] - 1
	}
	if extra := len(stored) - pages - files; extra > 1 { // the sitemap's 404 is recorded too
		t.Errorf("%d unexpected URLs in the ledger", extra)
	}
	// At a kill, each worker may have one URL in flight and the one
	// before it waiting for its commit (see lane).
	if most := kills * 2 * killPerHost; refetches > most {
		t.Fatalf("%d refetches after %d kills; at most %d URLs were fetched and not yet durable at the kills", refetches, kills, most)
	}
	t.Logf("%d kills, %d refetches, %d URLs stored", kills, refetches, len(stored))
}

func killChild(dir, start string) {
	ws, err := store.Open(context.Background(), dir, store.Options{Command: "kill test"})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	org := &store.Org{ID: "1", LegacyURL: start}
	opt := Options{PerHost: killPerHost, Delay: time.Millisecond, Net: NetOptions{AllowPrivate: true}}
	if _, err := Crawl(context.Background(), ws, ws.Blobs, org, opt); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(3)
	}
	ws.Close()
	os.Exit(0)
}

package main

import (
	"archive/zip"
	"bytes"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"perenos/extract"
	"perenos/store"
)

// bomb is a zip of a few tiny parts and one that unpacks to n bytes of
// the same few characters.
func bomb(t *testing.T, parts map[string]string, big string, n int) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for name, body := range parts {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(body))
	}
	w, err := zw.Create(big)
	if err != nil {
		t.Fatal(err)
	}
	chunk := bytes.Repeat([]byte("<w:t>ааааааааааааааааааааааааааа</w:t>"), 1<<12)
	for written := 0; written < n; written += len(chunk) {
		w.Write(chunk)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestHostileSiteAndRegistryProbe serves a site with a page whose body
// stalls, one that drips a byte at a time and a DOCX bomb, and gives the
// registry import an XLSX bomb: the batch must finish in bounded time and
// memory, each problem recorded with why, nothing crashing.
func TestHostileSiteAndRegistryProbe(t *testing.T) {
	if testing.Short() {
		t.Skip("waits for the crawler's slow-body cut-off")
	}
	docx := bomb(t, map[string]string{"[Content_Types].xml": `<Types/>`}, "word/document.xml", 200<<20)
	xlsx := bomb(t, map[string]string{"[Content_Types].xml": `<Types/>`, "xl/workbook.xml": `<workbook/>`}, "xl/worksheets/sheet1.xml", 200<<20)
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/":
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.Write([]byte(`<html><head><title>Школа</title></head><body><h1>Школа</h1><p>Документы и страницы школы.</p>
<a href="/stall.html">Расписание</a> <a href="/drip.html">Новости</a> <a href="/ustav.docx">Устав</a> <a href="/ok.html">Контакты</a></body></html>`))
		case "/ok.html":
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.Write([]byte(`<html><head><title>Контакты</title></head><body><h1>Контакты</h1><p>Телефон 8 (3952) 20-00-00.</p></body></html>`))
		case "/stall.html":
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.WriteHeader(http.StatusOK)
			w.Write([]byte("<html><body>"))
			w.(http.Flusher).Flush()
			<-r.Context().Done() // never a byte more
		case "/drip.html":
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.WriteHeader(http.StatusOK)
			for i := 0; i < 100000; i++ {
				if _, err := w.Write([]byte("<")); err != nil {
					return
				}
				w.(http.Flusher).Flush()
				select {
				case <-r.Context().Done():
					return
				case <-time.After(200 * time.Millisecond):
				}
			}
		case "/ustav.docx":
			w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
			w.Write(docx)
		default:
			http.NotFound(w, r)
		}
	}))
	defer hs.Close()

	// Sample the heap while the batch runs.
	var peak atomic.Uint64
	stop := make(chan struct{})
	go func() {
		var ms runtime.MemStats
		for {
			select {
			case <-stop:
				return
			case <-time.After(20 * time.Millisecond):
				runtime.ReadMemStats(&ms)
				if ms.HeapInuse > peak.Load() {
					peak.Store(ms.HeapInuse)
				}
			}
		}
	}()
	defer close(stop)

	dir := t.TempDir()
	home := filepath.Join(dir, "ws")
	start := time.Now()
	bad := filepath.Join(dir, "region.xlsx")
	os.WriteFile(bad, xlsx, 0o644)
	_, stderr, code := perenosCLI(t, home, "orgs", "import", bad)
	if code == ExitOK || !strings.Contains(stderr, "region.xlsx") {
		t.Fatalf("an XLSX bomb imported: exit %d\n%s", code, stderr)
	}
	if took := time.Since(start); took > 10*time.Second {
		t.Errorf("refusing the XLSX bomb took %v", took)
	}
	reg := filepath.Join(dir, "region.csv")
	os.WriteFile(reg, []byte("id;name;type;region;district;legacy_url;portal_site\n3801000077;Школа № 77;school;Иркутская область;Ангарский;"+hs.URL+"/;sh77\n"), 0o644)
	if _, stderr, code := perenosCLI(t, home, "orgs", "import", reg); code != ExitOK {
		t.Fatalf("import: %s", stderr)
	}
	for _, step := range [][]string{
		{"crawl", "--all", "--allow-private", "--delay", "1ms"},
		{"extract", "--all"},
		{"map", "--all"},
	} {
		if out, stderr, code := perenosCLI(t, home, step...); code != ExitOK {
			t.Fatalf("%v: exit %d\n%s\n%s", step, code, out, stderr)
		}
	}
	if took := time.Since(start); took > 90*time.Second {
		t.Errorf("the batch took %v with one stalled and one dripping page", took)
	}
	if p := peak.Load(); p > 400<<20 {
		t.Errorf("heap reached %d MB while reading a DOCX bomb and a slow site", p>>20)
	}
	t.Logf("probe: %v, heap peak %d MB", time.Since(start).Round(time.Millisecond), peak.Load()>>20)

	ws, err := store.Open(t.Context(), home, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	got := map[string]*store.Page{}
	ws.Pages("3801000077", func(p *store.Page) error {
		got[strings.TrimPrefix(p.URL, hs.URL)] = p
		return nil
	})
	for _, slow := range []string{"/stall.html", "/drip.html"} {
		if p := got[slow]; p == nil || p.Error == "" {
			t.Errorf("%s: want a recorded failure with why, got %+v", slow, p)
		}
	}
	if p := got["/ok.html"]; p == nil || !p.OK() {
		t.Errorf("the good page beside them: %+v", p)
	}
	at, err := extract.AttachTexts.Get(ws, "3801000077", hs.URL+"/ustav.docx")
	if err != nil || at.Error == "" {
		t.Errorf("the DOCX bomb: want its text refused with why, got %+v %v", at, err)
	}
}

package crawler

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"perenos/store"
)

func TestWARCArchive(t *testing.T) {
	s := newTestSite(t, map[string]func(http.ResponseWriter, *http.Request){
		"/":  page(`<a href="/a">a</a><a href="/f.pdf">f</a>`),
		"/a": page(`страница А`),
		"/f.pdf": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/pdf")
			w.Write([]byte("%PDF-1.4 \x00\xff"))
		},
	})
	path := filepath.Join(t.TempDir(), "site.warc")
	warc, err := OpenWARC(path)
	if err != nil {
		t.Fatal(err)
	}
	ws := store.TestStore(t)
	org := &store.Org{ID: "1", LegacyURL: s.srv.URL + "/"}
	opt := Options{Delay: time.Millisecond, Net: NetOptions{AllowPrivate: true}, WARC: warc}
	if _, err := Crawl(context.Background(), ws, ws.Blobs, org, opt); err != nil {
		t.Fatal(err)
	}
	if err := warc.Close(); err != nil {
		t.Fatal(err)
	}
	f, _ := os.Open(path)
	defer f.Close()
	r := bufio.NewReader(f)
	types := map[string]int{}
	var uris []string
	for {
		line, err := r.ReadString('\n')
		if err == io.EOF {
			break
		}
		if strings.TrimSpace(line) != "WARC/1.1" {
			t.Fatalf("record does not start with WARC/1.1: %q", line)
		}
		var length int
		for {
			h, _ := r.ReadString('\n')
			h = strings.TrimSpace(h)
			if h == "" {
				break
			}
			k, v, _ := strings.Cut(h, ": ")
			switch k {
			case "WARC-Type":
				types[v]++
			case "WARC-Target-URI":
				uris = append(uris, v)
			case "Content-Length":
				length, _ = strconv.Atoi(v)
			}
		}
		block := make([]byte, length)
		if _, err := io.ReadFull(r, block); err != nil {
			t.Fatalf("short block: %v", err)
		}
		if tail, _ := r.Peek(4); string(tail) != "\r\n\r\n" {
			t.Fatal("record not terminated")
		}
		r.Discard(4)
	}
	if types["warcinfo"] != 1 || types["response"] != 3 {
		t.Fatalf("records %v (uris %v)", types, uris)
	}
}

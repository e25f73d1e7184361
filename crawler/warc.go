package crawler

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"fmt"
	"io"
	"net/http"
	"os"
	"sort"
	"sync"
	"time"
)

// WARC writes fetched responses as WARC/1.1 records: evidence of what the
// legacy site held on the day of migration. A file is appended to, so a
// resumed crawl adds to the same archive.
type WARC struct {
	mu sync.Mutex
	f  *os.File
}

// OpenWARC opens (creating) an archive file for appending.
func OpenWARC(path string) (*WARC, error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return nil, fmt.Errorf("warc archive: %w", err)
	}
	w := &WARC{f: f}
	info := "software: perenos\r\nformat: WARC File Format 1.1\r\n"
	if err := w.record("warcinfo", "", "application/warc-fields", []byte(info), time.Now()); err != nil {
		f.Close()
		return nil, err
	}
	return w, nil
}

// Close flushes and closes the archive.
func (w *WARC) Close() error {
	if w == nil {
		return nil
	}
	if err := w.f.Sync(); err != nil {
		w.f.Close()
		return err
	}
	return w.f.Close()
}

// Response archives one HTTP response with its headers and body.
func (w *WARC) Response(uri string, status int, h http.Header, body io.Reader, at time.Time) error {
	if w == nil {
		return nil
	}
	var buf bytes.Buffer
	fmt.Fprintf(&buf, "HTTP/1.1 %d %s\r\n", status, http.StatusText(status))
	keys := make([]string, 0, len(h))
	for k := range h {
		if k != rawHeader {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	for _, k := range keys {
		name := k
		if k == "Content-Type" && h.Get(rawHeader) != "" {
			h.Set(k, h.Get(rawHeader)) // the server's header, not the one colly saw
		}
		for _, v := range h[k] {
			fmt.Fprintf(&buf, "%s: %s\r\n", name, v)
		}
	}
	buf.WriteString("\r\n")
	if _, err := io.Copy(&buf, body); err != nil {
		return fmt.Errorf("warc archive %s: %w", uri, err)
	}
	return w.record("response", uri, "application/http;msgtype=response", buf.Bytes(), at)
}

func (w *WARC) record(typ, uri, ctype string, block []byte, at time.Time) error {
	var id [16]byte
	rand.Read(id[:])
	id[6] = id[6]&0x0f | 0x40
	id[8] = id[8]&0x3f | 0x80
	sum := sha256.Sum256(block)
	var hdr bytes.Buffer
	hdr.WriteString("WARC/1.1\r\n")
	fmt.Fprintf(&hdr, "WARC-Type: %s\r\n", typ)
	fmt.Fprintf(&hdr, "WARC-Record-ID: <urn:uuid:%x-%x-%x-%x-%x>\r\n", id[0:4], id[4:6], id[6:8], id[8:10], id[10:])
	fmt.Fprintf(&hdr, "WARC-Date: %s\r\n", at.UTC().Format(time.RFC3339))
	if uri != "" {
		fmt.Fprintf(&hdr, "WARC-Target-URI: %s\r\n", uri)
	}
	fmt.Fprintf(&hdr, "WARC-Block-Digest: sha256:%s\r\n", base32.StdEncoding.EncodeToString(sum[:]))
	fmt.Fprintf(&hdr, "Content-Type: %s\r\n", ctype)
	fmt.Fprintf(&hdr, "Content-Length: %d\r\n\r\n", len(block))
	w.mu.Lock()
	defer w.mu.Unlock()
	// one write per record, so concurrent crawls never interleave
	rec := append(hdr.Bytes(), block...)
	rec = append(rec, "\r\n\r\n"...)
	if _, err := w.f.Write(rec); err != nil {
		return fmt.Errorf("warc archive: %w", err)
	}
	return nil
}

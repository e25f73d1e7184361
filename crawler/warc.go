package crawler

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// WARC writes fetched responses as WARC/1.1 records: evidence of what the
// legacy site held on the day of migration. A file is appended to, so a
// resumed crawl adds to the same archive; a response already archived
// (the same URL with the same payload: a page fetched again after a kill)
// is not written twice, and a record cut short by a kill is cut off
// before appending.
type WARC struct {
	mu   sync.Mutex
	f    *os.File
	have map[string]bool // URL + payload digest of every response record
}

// OpenWARC opens (creating) an archive file for appending.
func OpenWARC(path string) (*WARC, error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, fmt.Errorf("warc archive: %w", err)
	}
	w := &WARC{f: f, have: map[string]bool{}}
	end, err := w.index()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("warc archive %s: %w", path, err)
	}
	if err := f.Truncate(end); err != nil {
		f.Close()
		return nil, fmt.Errorf("warc archive %s: %w", path, err)
	}
	if _, err := f.Seek(end, io.SeekStart); err != nil {
		f.Close()
		return nil, fmt.Errorf("warc archive %s: %w", path, err)
	}
	info := "software: perenos\r\nformat: WARC File Format 1.1\r\n"
	if err := w.record("warcinfo", "", "application/warc-fields", nil, []byte(info), time.Now()); err != nil {
		f.Close()
		return nil, err
	}
	return w, nil
}

// index reads the records already in the archive and returns where the
// last whole one ends.
func (w *WARC) index() (int64, error) {
	if _, err := w.f.Seek(0, io.SeekStart); err != nil {
		return 0, err
	}
	r := bufio.NewReader(w.f)
	var off int64
	for {
		hdr, n, err := readWARCHeader(r)
		if err != nil {
			return off, nil // the end, or a record cut short: stop before it
		}
		length, err := strconv.ParseInt(hdr["content-length"], 10, 64)
		if err != nil || length < 0 {
			return off, nil
		}
		if _, err := io.CopyN(io.Discard, r, length+4); err != nil {
			return off, nil
		}
		off += n + length + 4
		if hdr["warc-type"] == "response" && hdr["warc-payload-digest"] != "" {
			w.have[hdr["warc-target-uri"]+" "+hdr["warc-payload-digest"]] = true
		}
	}
}

// readWARCHeader reads one record's header block; n is its length in bytes.
func readWARCHeader(r *bufio.Reader) (map[string]string, int64, error) {
	hdr := map[string]string{}
	var n int64
	first := true
	for {
		line, err := r.ReadString('\n')
		n += int64(len(line))
		if err != nil {
			return nil, n, err
		}
		line = strings.TrimRight(line, "\r\n")
		if first {
			if !strings.HasPrefix(line, "WARC/") {
				return nil, n, errors.New("not a WARC record")
			}
			first = false
			continue
		}
		if line == "" {
			return hdr, n, nil
		}
		if k, v, ok := strings.Cut(line, ":"); ok {
			hdr[strings.ToLower(strings.TrimSpace(k))] = strings.TrimSpace(v)
		}
	}
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

// Response archives one HTTP response with its headers and body, unless
// the archive already holds the same response for uri.
func (w *WARC) Response(uri string, status int, h http.Header, body io.Reader, at time.Time) error {
	if w == nil {
		return nil
	}
	var buf bytes.Buffer
	fmt.Fprintf(&buf, "HTTP/1.1 %d %s\r\n", status, http.StatusText(status))
	keys := make([]string, 0, len(h))
	for k := range h {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		for _, v := range h[k] {
			fmt.Fprintf(&buf, "%s: %s\r\n", k, v)
		}
	}
	buf.WriteString("\r\n")
	head := buf.Len()
	if _, err := io.Copy(&buf, body); err != nil {
		return fmt.Errorf("warc archive %s: %w", uri, err)
	}
	sum := sha256.Sum256(buf.Bytes()[head:])
	payload := "sha256:" + base32.StdEncoding.EncodeToString(sum[:])
	key := uri + " " + payload
	w.mu.Lock()
	dup := w.have[key]
	w.have[key] = true
	w.mu.Unlock()
	if dup {
		return nil
	}
	return w.record("response", uri, "application/http;msgtype=response", []string{"WARC-Payload-Digest: " + payload}, buf.Bytes(), at)
}

func (w *WARC) record(typ, uri, ctype string, extra []string, block []byte, at time.Time) error {
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
	for _, e := range extra {
		hdr.WriteString(e + "\r\n")
	}
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

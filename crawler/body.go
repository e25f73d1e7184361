package crawler

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// The ways a body is cut off.
var (
	// ErrBodyTooLarge is returned for a body over its size cap (never truncated).
	ErrBodyTooLarge = errors.New("response body exceeds the size cap")
	// ErrBomb is returned for a compressed body that inflates beyond
	// maxRatio times its compressed size: a decompression bomb.
	ErrBomb = errors.New("compressed body inflates too far (a decompression bomb)")
	// ErrDeadline is returned when a whole exchange outlasts its deadline.
	ErrDeadline = errors.New("the answer did not arrive in time")
	// ErrSlowBody is returned for a body that stalls or arrives slower
	// than the minimum rate.
	ErrSlowBody = errors.New("the body arrived too slowly")
)

// Decompression bounds: past bombFloor uncompressed bytes, a body may be at
// most maxRatio times its compressed size.
const (
	maxRatio  = 100
	bombFloor = 1 << 20
)

// bodies are the buffers answers are read into. A page's bytes are needed
// only until they are stored and their links found (the decoded text is a
// copy), so a buffer serves answer after answer instead of a new one, grown
// by doubling, for each.
var bodies = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// maxPooled is the largest buffer kept for reuse: one rare huge page does
// not pin its memory.
const maxPooled = 1 << 20

// getBody returns an empty buffer; putBody gives it back once nothing
// refers to its bytes.
func getBody() *bytes.Buffer {
	b := bodies.Get().(*bytes.Buffer)
	b.Reset()
	return b
}

func putBody(b *bytes.Buffer) {
	if b.Cap() <= maxPooled {
		bodies.Put(b)
	}
}

// readCapped reads a whole body into buf, failing rather than truncating
// one over limit bytes. size, when known (Content-Length), sizes the
// buffer. The bytes returned are buf's.
func readCapped(buf *bytes.Buffer, r io.Reader, limit, size int64) ([]byte, error) {
	if size > limit {
		return nil, fmt.Errorf("%w: %d bytes declared, cap %d", ErrBodyTooLarge, size, limit)
	}
	if size > 0 {
		buf.Grow(int(size) + 1)
	} else {
		buf.Grow(16 << 10)
	}
	if _, err := buf.ReadFrom(io.LimitReader(r, limit+1)); err != nil {
		return nil, err
	}
	if int64(buf.Len()) > limit {
		return nil, fmt.Errorf("%w: more than %d bytes", ErrBodyTooLarge, limit)
	}
	return buf.Bytes(), nil
}

// readUpTo reads at most n bytes of r into buf; whole says r ended within
// them. size, when known (Content-Length), sizes the buffer. The bytes
// returned are buf's.
func readUpTo(buf *bytes.Buffer, r io.Reader, n int, size int64) (data []byte, whole bool, err error) {
	if size >= 0 && size <= int64(n) {
		buf.Grow(int(size) + 1)
	} else {
		buf.Grow(min(n, 64<<10) + 1)
	}
	if _, err := buf.ReadFrom(io.LimitReader(r, int64(n)+1)); err != nil {
		return nil, false, err
	}
	if buf.Len() > n {
		return buf.Bytes(), false, nil
	}
	return buf.Bytes(), true, nil
}

// capReader fails, rather than truncates, a stream longer than its cap.
type capReader struct {
	r    io.Reader
	left int64
}

func (c *capReader) Read(p []byte) (int, error) {
	if c.left <= 0 {
		var one [1]byte
		if n, _ := c.r.Read(one[:]); n > 0 {
			return 0, ErrBodyTooLarge
		}
		return 0, io.EOF
	}
	if int64(len(p)) > c.left {
		p = p[:c.left]
	}
	n, err := c.r.Read(p)
	c.left -= int64(n)
	return n, err
}

// rateBody counts a body's bytes for its rate watch.
type rateBody struct {
	rc    io.ReadCloser
	n     atomic.Int64
	stop  func() bool
	close sync.Once
}

func (b *rateBody) Read(p []byte) (int, error) {
	n, err := b.rc.Read(p)
	b.n.Add(int64(n))
	return n, err
}

func (b *rateBody) Close() error {
	b.close.Do(func() { b.stop() })
	return b.rc.Close()
}

// watchRate cuts a body (through cancel) that delivers fewer than
// minRate bytes a second over any window: a stalled body delivers none.
func watchRate(rc io.ReadCloser, minRate int64, window time.Duration, cancel context.CancelCauseFunc) io.ReadCloser {
	b := &rateBody{rc: rc}
	need := max(minRate*int64(window)/int64(time.Second), 1)
	var last int64
	var t *time.Timer
	var mu sync.Mutex
	stopped := false
	var check func()
	check = func() {
		mu.Lock()
		defer mu.Unlock()
		if stopped {
			return
		}
		now := b.n.Load()
		if got := now - last; got < need {
			cancel(fmt.Errorf("%w: %d bytes in %s, below the minimum of %d bytes/s", ErrSlowBody, got, window, minRate))
			return
		}
		last = now
		t.Reset(window)
	}
	mu.Lock()
	t = time.AfterFunc(window, check)
	mu.Unlock()
	b.stop = func() bool {
		mu.Lock()
		defer mu.Unlock()
		stopped = true
		return t.Stop()
	}
	return b
}

// gunzipBounded inflates a gzip file (a sitemap.xml.gz) under the size cap
// and the ratio bound.
func gunzipBounded(data []byte, limit int64) ([]byte, error) {
	zr, err := newBoundedGzip(io.NopCloser(bytes.NewReader(data)))
	if err != nil {
		return nil, err
	}
	defer zr.Close()
	return readCapped(new(bytes.Buffer), zr, limit, 0)
}

// boundedGzip inflates a gzip stream and fails once it has produced more
// than bombFloor bytes at over maxRatio times what it consumed.
type boundedGzip struct {
	in  *countingReader
	zr  *gzip.Reader
	out int64
	rc  io.Closer
}

type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

func newBoundedGzip(rc io.ReadCloser) (*boundedGzip, error) {
	in := &countingReader{r: rc}
	zr, err := gzip.NewReader(in)
	if err != nil {
		rc.Close()
		return nil, fmt.Errorf("gzip: %w", err)
	}
	return &boundedGzip{in: in, zr: zr, rc: rc}, nil
}

func (g *boundedGzip) Read(p []byte) (int, error) {
	n, err := g.zr.Read(p)
	g.out += int64(n)
	if g.out > bombFloor && g.out > maxRatio*max(g.in.n, 1) {
		return n, fmt.Errorf("%w: %d bytes from %d", ErrBomb, g.out, g.in.n)
	}
	return n, err
}

func (g *boundedGzip) Close() error { g.zr.Close(); return g.rc.Close() }

// guardTransport decodes gzip bodies under the ratio bound (the transport
// below it does not decompress, so that no body inflates unchecked).
type guardTransport struct {
	next http.RoundTripper
}

func (g *guardTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := g.next.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	if enc := strings.ToLower(strings.TrimSpace(resp.Header.Get("Content-Encoding"))); enc == "gzip" || enc == "x-gzip" {
		zr, err := newBoundedGzip(resp.Body)
		if err != nil {
			return nil, fmt.Errorf("gzip body of %s: %w", req.URL, err)
		}
		resp.Body = zr
		resp.Header.Del("Content-Encoding")
		resp.Header.Del("Content-Length")
		resp.ContentLength, resp.Uncompressed = -1, true
	}
	return resp, nil
}

func isHTML(contentType string) bool {
	mt, _, _ := mime.ParseMediaType(contentType)
	return mt == "" || mt == "text/html" || mt == "application/xhtml+xml" || strings.HasPrefix(mt, "text/plain")
}

package uploader

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"perenos/portal"
	"perenos/portal/contracttest"
	"perenos/portal/server"
)

// newCheckedClient returns a client for a fresh reference portal whose
// every request and answer is validated against portal/openapi.yaml.
func newCheckedClient(t *testing.T, cfg server.Config, sites ...string) (*Client, *contracttest.Transport, *server.Server) {
	t.Helper()
	hs, srv := server.TestServer(t, cfg, sites...)
	tokens := map[string]string{}
	for _, s := range sites {
		tokens[s] = server.TestToken(s)
	}
	tr := &contracttest.Transport{T: t}
	return NewClient(hs.URL, tokens, ClientOptions{HTTP: &http.Client{Transport: tr}}), tr, srv
}

func sum(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

func fileOf(data []byte) File {
	return File{SHA256: sum(data), Size: int64(len(data)), Name: "устав.pdf", Open: func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil }}
}

func TestClientRoundTripFollowsContract(t *testing.T) {
	ctx := context.Background()
	c, tr, srv := newCheckedClient(t, server.Config{}, "sh1", "sh2")
	info, err := c.Identity(ctx)
	if err != nil || info.ID != srv.ID() {
		t.Fatalf("identity %+v %v, want %s", info, err, srv.ID())
	}
	sec := &portal.Section{Title: "Сведения об образовательной организации", Path: "/svedeniya/", Order: 1}
	res, err := c.Put(ctx, "sh1", "3801.s.sveden", sec)
	if err != nil || !res.Created || res.ID == "" {
		t.Fatalf("first put: %+v %v", res, err)
	}
	retry, err := c.Put(ctx, "sh1", "3801.s.sveden", sec)
	if err != nil || !retry.Created || retry.ID != res.ID {
		t.Fatalf("a retry of the same write must get the first answer (201, same ID): %+v %v", retry, err)
	}
	sec2 := *sec
	sec2.Title += " (редакция 2)"
	res2, err := c.Put(ctx, "sh1", "3801.s.sveden", &sec2)
	if err != nil || res2.Created || res2.ID != res.ID {
		t.Fatalf("a changed object under the same key must replace, keeping the ID: %+v %v", res2, err)
	}
	file := bytes.Repeat([]byte("Устав школы № 7. "), 5000)
	f := fileOf(file)
	if r, err := c.PutFile(ctx, "sh1", f); err != nil || !r.Created {
		t.Fatalf("put file: %+v %v", r, err)
	}
	if r, err := c.PutFile(ctx, "sh1", f); err != nil || !r.Created {
		t.Fatalf("a retry of the put that stored the file must get its 201 again: %+v %v", r, err)
	}
	doc := &portal.Document{Section: "3801.s.sveden", Title: "Устав «МБОУ СОШ № 7»", Path: "/svedeniya/ustav.pdf", FileSHA256: f.SHA256, FileName: "устав.pdf", Size: int64(len(file)), Date: "2023-09-01"}
	if res, err := c.Put(ctx, "sh1", "3801.d.ustav", doc); err != nil || !strings.HasSuffix(res.URL, "/sites/sh1/svedeniya/ustav.pdf") {
		t.Fatalf("document: %+v %v (its URL must be its public path)", res, err)
	}
	rc, err := c.GetFile(ctx, "sh1", f.SHA256)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(rc)
	rc.Close()
	if !bytes.Equal(got, file) {
		t.Fatal("file did not come back byte for byte")
	}
	obj, err := c.Get(ctx, "sh1", portal.KindDocument, "3801.d.ustav")
	if d, ok := obj.(*portal.Document); err != nil || !ok || d.Title != "Устав «МБОУ СОШ № 7»" {
		t.Fatalf("get: %+v %v", obj, err)
	}
	tree, err := c.Tree(ctx, "sh1")
	if err != nil || len(tree.Sections) != 1 || tree.Sections[0].Documents != 1 || tree.Files != 1 {
		t.Fatalf("tree: %+v %v", tree, err)
	}
	keys, err := c.List(ctx, "sh1", portal.KindSection)
	if err != nil || len(keys) != 1 || keys[0] != "3801.s.sveden" {
		t.Fatalf("list: %v %v", keys, err)
	}
	// Another site's token cannot touch sh1: the client has sh2's token only for sh2.
	c2 := NewClient(c.base, map[string]string{"sh1": server.TestToken("sh2")}, ClientOptions{HTTP: &http.Client{Transport: tr}})
	if _, err := c2.Get(ctx, "sh1", portal.KindSection, "3801.s.sveden"); !IsPermanent(err) || !strings.Contains(err.Error(), "403") {
		t.Fatalf("a foreign token must get a permanent 403, got %v", err)
	}
	// A document naming a file the site does not hold is refused for good,
	// and the error names the field.
	bad := *doc
	bad.FileSHA256 = sum([]byte("missing"))
	_, err = c.Put(ctx, "sh1", "3801.d.bad", &bad)
	var p *portal.Problem
	if !IsPermanent(err) || !errors.As(err, &p) || p.Status != 422 || p.Field != "file_sha256" {
		t.Fatalf("dangling file reference: %v", err)
	}
	if err := c.Delete(ctx, "sh1", portal.KindDocument, "3801.d.ustav"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Get(ctx, "sh1", portal.KindDocument, "3801.d.ustav"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("deleted object: %v", err)
	}
	if tr.Checked < 10 {
		t.Fatalf("only %d exchanges were checked against the contract", tr.Checked)
	}
}

func TestRetryTransientNotPermanent(t *testing.T) {
	ctx := context.Background()
	var calls atomic.Int32
	// The first two tries meet a portal that always fails; then it heals.
	c, _, _ := newCheckedClient(t, server.Config{}, "sh1")
	flaky := &flakyTransport{base: c.opt.HTTP.Transport, fail: 2, calls: &calls}
	c.opt.HTTP = &http.Client{Transport: flaky}
	var waits []time.Duration
	r := WithRetry(c, RetryOptions{BaseDelay: time.Millisecond, MaxDelay: time.Minute,
		Sleep: func(ctx context.Context, d time.Duration) error { waits = append(waits, d); return nil }})
	if _, err := r.Put(ctx, "sh1", "s1", &portal.Section{Title: "Новости", Path: "/news/"}); err != nil {
		t.Fatalf("a transient failure must be retried: %v", err)
	}
	if calls.Load() != 3 || len(waits) != 2 || waits[0] != time.Second {
		t.Fatalf("calls %d, waits %v: want 3 calls, the first wait from Retry-After (1s)", calls.Load(), waits)
	}
	calls.Store(0)
	flaky.fail = 0
	_, err := r.Put(ctx, "sh1", "p1", &portal.Page{Section: "nope", Title: "x"})
	if !IsPermanent(err) || calls.Load() != 1 {
		t.Fatalf("a 422 must not be retried: %d calls, %v", calls.Load(), err)
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	calls.Store(0)
	if _, err := r.Put(cctx, "sh1", "s2", &portal.Section{Title: "x"}); err == nil || calls.Load() != 0 {
		t.Fatalf("a cancelled context must write nothing: %d calls, %v", calls.Load(), err)
	}
}

func TestRetryHonoursRateLimit(t *testing.T) {
	ctx := context.Background()
	c, _, _ := newCheckedClient(t, server.Config{RatePerSecond: 0.001, Burst: 1}, "sh1")
	var waits []time.Duration
	r := WithRetry(c, RetryOptions{MaxAttempts: 3, MaxDelay: 30 * time.Second,
		Sleep: func(ctx context.Context, d time.Duration) error { waits = append(waits, d); return nil }})
	if _, err := r.Put(ctx, "sh1", "s1", &portal.Section{Title: "a", Path: "/a/"}); err != nil {
		t.Fatal(err)
	}
	_, err := r.Put(ctx, "sh1", "s2", &portal.Section{Title: "b", Path: "/b/"})
	if err == nil || IsPermanent(err) || !strings.Contains(err.Error(), "429") || len(waits) != 2 {
		t.Fatalf("429 must be retried and then reported: waits %v, %v", waits, err)
	}
	if waits[0] != 30*time.Second {
		t.Fatalf("a long Retry-After is capped at MaxDelay: %v", waits)
	}
}

// TestUnreachablePortalIsTyped: a portal nobody answers at is reported as
// unreachable, naming its address, after the retries, and not as a
// failure of any item.
func TestUnreachablePortalIsTyped(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := "http://" + ln.Addr().String()
	ln.Close() // nothing listens there now
	var tries int
	r := WithRetry(NewClient(addr, map[string]string{"sh1": "tok-0123456789abcdef"}, ClientOptions{}),
		RetryOptions{MaxAttempts: 3, Sleep: func(context.Context, time.Duration) error { tries++; return nil }})
	id, _ := AsIdentifier(r)
	_, err = id.Identity(context.Background())
	var ue *UnreachableError
	if !IsUnreachable(err) || !errors.As(err, &ue) || ue.URL != addr || !strings.Contains(err.Error(), addr) || tries != 2 {
		t.Fatalf("identity of a portal that is not there: %v (after %d waits); want an UnreachableError naming %s, tried 3 times", err, tries, addr)
	}
	if _, err := r.Put(context.Background(), "sh1", "s", &portal.Section{Title: "x", Path: "/x/"}); !IsUnreachable(err) || IsPermanent(err) {
		t.Fatalf("a put: %v", err)
	}
}

// TestClientReusesConnections: every answer is read to its end, so one
// connection carries request after request instead of one each.
func TestClientReusesConnections(t *testing.T) {
	_, srv := server.TestServer(t, server.Config{}, "sh1")
	var conns atomic.Int32
	hs := httptest.NewUnstartedServer(srv.Handler())
	hs.Config.ConnState = func(c net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	hs.Start()
	defer hs.Close()
	c := NewClient(hs.URL, map[string]string{"sh1": server.TestToken("sh1")}, ClientOptions{})
	ctx := context.Background()
	c.Put(ctx, "sh1", "s", &portal.Section{Title: "Раздел", Path: "/s/"})
	for i := range 40 {
		if _, err := c.Put(ctx, "sh1", "p"+string(rune('a'+i%26))+string(rune('a'+i/26)), &portal.Page{Section: "s", Title: "Страница", Body: "текст"}); err != nil {
			t.Fatal(err)
		}
		if _, err := c.Identity(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if n := conns.Load(); n > 2 {
		t.Errorf("81 sequential requests opened %d connections; a kept-alive connection should carry them all", n)
	}
}

// flakyTransport answers the first fail requests with 503 and Retry-After: 1.
type flakyTransport struct {
	base  http.RoundTripper
	fail  int32
	calls *atomic.Int32
}

func (f *flakyTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	n := f.calls.Add(1)
	if n <= f.fail {
		if r.Body != nil {
			r.Body.Close()
		}
		h := http.Header{}
		h.Set("Retry-After", "1")
		h.Set("Content-Type", "application/problem+json")
		return &http.Response{StatusCode: 503, Header: h, Request: r,
			Body: io.NopCloser(strings.NewReader(`{"title":"unavailable","status":503}`))}, nil
	}
	return f.base.RoundTrip(r)
}

// TestRateLimitKeepsUnderThePortalsLimit: a batch limited below the
// portal's own rate never meets its 429s; without the limiter it does.
func TestRateLimitKeepsUnderThePortalsLimit(t *testing.T) {
	ctx := context.Background()
	for _, limited := range []bool{false, true} {
		_, srv := server.TestServer(t, server.Config{RatePerSecond: 40, Burst: 2}, "sh1")
		var refused atomic.Int32
		hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			rec := httptest.NewRecorder()
			srv.Handler().ServeHTTP(rec, r)
			if rec.Code == http.StatusTooManyRequests {
				refused.Add(1)
			}
			for k, v := range rec.Header() {
				w.Header()[k] = v
			}
			w.WriteHeader(rec.Code)
			w.Write(rec.Body.Bytes())
		}))
		defer hs.Close()
		var tgt Target = NewClient(hs.URL, map[string]string{"sh1": server.TestToken("sh1")}, ClientOptions{})
		if limited {
			tgt = WithRateLimit(tgt, NewRate(25, 1))
		}
		tgt.Put(ctx, "sh1", "s", &portal.Section{Title: "Раздел", Path: "/s/"})
		for i := range 12 {
			_, err := tgt.Put(ctx, "sh1", "p"+string(rune('a'+i)), &portal.Page{Section: "s", Title: "Страница", Body: "текст"})
			if limited && err != nil {
				t.Fatal(err)
			}
		}
		switch n := refused.Load(); {
		case limited && n != 0:
			t.Errorf("limited to 25 a second under the portal's 40: %d answers were 429", n)
		case !limited && n == 0:
			t.Errorf("without the limiter the portal never answered 429; the test proves nothing")
		}
	}
}

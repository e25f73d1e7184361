package uploader

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"perenos/portal"
	"perenos/portal/contracttest"
)

// newCheckedClient returns a client for a fresh reference portal whose
// every request and answer is validated against portal/openapi.yaml.
func newCheckedClient(t *testing.T, cfg portal.Config, sites ...string) (*Client, *contracttest.Transport, string) {
	t.Helper()
	hs, _ := portal.TestServer(t, cfg, sites...)
	tokens := map[string]string{}
	for _, s := range sites {
		tokens[s] = portal.TestToken(s)
	}
	tr := &contracttest.Transport{T: t}
	c := NewClient(hs.URL, tokens, ClientOptions{HTTP: &http.Client{Transport: tr}, BaseDelay: time.Millisecond, MaxDelay: 50 * time.Millisecond,
		Sleep: func(ctx context.Context, d time.Duration) error { return nil }})
	return c, tr, hs.URL
}

func sum(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

func TestClientRoundTripFollowsContract(t *testing.T) {
	ctx := context.Background()
	c, tr, _ := newCheckedClient(t, portal.Config{}, "sh1", "sh2")
	sec := portal.Section{Title: "Сведения об образовательной организации", Path: "/svedeniya/", Order: 1}
	res, err := c.Put(ctx, "sh1", portal.KindSection, "3801.s.sveden", sec)
	if err != nil || !res.Created || res.ID == "" {
		t.Fatalf("first put: %+v %v", res, err)
	}
	retry, err := c.Put(ctx, "sh1", portal.KindSection, "3801.s.sveden", sec)
	if err != nil || !retry.Created || retry.ID != res.ID {
		t.Fatalf("a retry of the same write must get the first answer (201, same ID): %+v %v", retry, err)
	}
	sec.Title += " (редакция 2)"
	res2, err := c.Put(ctx, "sh1", portal.KindSection, "3801.s.sveden", sec)
	if err != nil || res2.Created || res2.ID != res.ID {
		t.Fatalf("a changed object under the same key must replace, keeping the ID: %+v %v", res2, err)
	}
	file := bytes.Repeat([]byte("Устав школы № 7. "), 5000)
	sha := sum(file)
	open := func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(file)), nil }
	if r, err := c.PutFile(ctx, "sh1", sha, int64(len(file)), open); err != nil || !r.Created {
		t.Fatalf("put file: %+v %v", r, err)
	}
	if r, err := c.PutFile(ctx, "sh1", sha, int64(len(file)), open); err != nil || !r.Created {
		t.Fatalf("a retry of the put that stored the file must get its 201 again: %+v %v", r, err)
	}
	doc := portal.Document{Section: "3801.s.sveden", Title: "Устав «МБОУ СОШ № 7»", FileSHA256: sha, FileName: "устав.pdf", Size: int64(len(file)), Date: "2023-09-01"}
	if _, err := c.Put(ctx, "sh1", portal.KindDocument, "3801.d.ustav", doc); err != nil {
		t.Fatal(err)
	}
	rc, err := c.GetFile(ctx, "sh1", sha)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(rc)
	rc.Close()
	if !bytes.Equal(got, file) {
		t.Fatal("file did not come back byte for byte")
	}
	raw, err := c.Get(ctx, "sh1", portal.KindDocument, "3801.d.ustav")
	if err != nil || !strings.Contains(string(raw), "Устав «МБОУ СОШ № 7»") {
		t.Fatalf("get: %s %v", raw, err)
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
	c2 := NewClient(strings.TrimSuffix(c.base, "/"), map[string]string{"sh1": portal.TestToken("sh2")}, ClientOptions{HTTP: &http.Client{Transport: tr}})
	if _, err := c2.Get(ctx, "sh1", portal.KindSection, "3801.s.sveden"); !IsPermanent(err) || !strings.Contains(err.Error(), "403") {
		t.Fatalf("a foreign token must get a permanent 403, got %v", err)
	}
	// A document naming a file the site does not hold is refused for good.
	bad := doc
	bad.FileSHA256 = sum([]byte("missing"))
	if _, err := c.Put(ctx, "sh1", portal.KindDocument, "3801.d.bad", bad); !IsPermanent(err) || !strings.Contains(err.Error(), "422") {
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

func TestClientRetriesTransientAndNotPermanent(t *testing.T) {
	ctx := context.Background()
	var calls atomic.Int32
	// The first two tries meet a portal that always fails; then it heals.
	c, _, _ := newCheckedClient(t, portal.Config{RatePerSecond: 1000, Faults: portal.Faults{}}, "sh1")
	flaky := &flakyTransport{base: c.opt.HTTP.Transport, fail: 2, calls: &calls}
	c.opt.HTTP = &http.Client{Transport: flaky}
	c.opt.MaxDelay = time.Minute
	var waits []time.Duration
	c.opt.Sleep = func(ctx context.Context, d time.Duration) error { waits = append(waits, d); return nil }
	if _, err := c.Put(ctx, "sh1", portal.KindSection, "s1", portal.Section{Title: "Новости", Path: "/news/"}); err != nil {
		t.Fatalf("a transient failure must be retried: %v", err)
	}
	if calls.Load() != 3 || len(waits) != 2 || waits[0] != time.Second {
		t.Fatalf("calls %d, waits %v: want 3 calls, the first wait from Retry-After (1s)", calls.Load(), waits)
	}
	calls.Store(0)
	flaky.fail = 0
	_, err := c.Put(ctx, "sh1", portal.KindPage, "p1", portal.Page{Section: "nope", Title: "x"})
	if !IsPermanent(err) || calls.Load() != 1 {
		t.Fatalf("a 422 must not be retried: %d calls, %v", calls.Load(), err)
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	calls.Store(0)
	if _, err := c.Put(cctx, "sh1", portal.KindSection, "s2", portal.Section{Title: "x"}); err == nil || calls.Load() != 0 {
		t.Fatalf("a cancelled context must write nothing: %d calls, %v", calls.Load(), err)
	}
}

func TestClientHonoursRateLimit(t *testing.T) {
	ctx := context.Background()
	c, _, _ := newCheckedClient(t, portal.Config{RatePerSecond: 0.001, Burst: 1}, "sh1")
	var waits []time.Duration
	c.opt.Sleep = func(ctx context.Context, d time.Duration) error { waits = append(waits, d); return nil }
	c.opt.MaxAttempts = 3
	if _, err := c.Put(ctx, "sh1", portal.KindSection, "s1", portal.Section{Title: "a", Path: "/a/"}); err != nil {
		t.Fatal(err)
	}
	_, err := c.Put(ctx, "sh1", portal.KindSection, "s2", portal.Section{Title: "b", Path: "/b/"})
	if err == nil || IsPermanent(err) || !strings.Contains(err.Error(), "429") || len(waits) != 2 {
		t.Fatalf("429 must be retried and then reported: waits %v, %v", waits, err)
	}
	if waits[0] != c.opt.MaxDelay {
		t.Fatalf("a long Retry-After is capped at MaxDelay: %v", waits)
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

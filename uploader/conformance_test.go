package uploader_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"perenos/portal"
	"perenos/portal/contracttest"
	"perenos/portal/server"
	"perenos/store"
	"perenos/uploader"
	"perenos/uploader/uploadertest"
)

func TestMemoryConforms(t *testing.T) {
	uploadertest.Run(t, uploadertest.Opt{New: func(t *testing.T) (uploader.Target, string) { return uploader.NewMemory(), "sh1" }})
}

// checkedClient is a client for a fresh reference portal whose every
// request and answer is validated against portal/openapi.yaml.
func checkedClient(t *testing.T, sites ...string) *uploader.Client {
	hs, _ := server.TestServer(t, server.Config{}, sites...)
	tokens := map[string]string{}
	for _, s := range sites {
		tokens[s] = server.TestToken(s)
	}
	return uploader.NewClient(hs.URL, tokens, uploader.ClientOptions{HTTP: &http.Client{Transport: &contracttest.Transport{T: t}}})
}

var fastRetry = uploader.RetryOptions{BaseDelay: time.Millisecond, MaxDelay: 10 * time.Millisecond}

// faultyPortal returns a portal that first answers every request with
// status the given number of times, and counts the requests.
func faultyPortal(t *testing.T, requests *atomic.Int64, status, times int) *httptest.Server {
	_, srv := server.TestServer(t, server.Config{}, "sh1")
	var left atomic.Int64
	left.Store(int64(times))
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		if status >= 500 || status == 429 {
			if left.Add(-1) < 0 {
				srv.Handler().ServeHTTP(w, r)
				return
			}
			w.Header().Set("Retry-After", "1")
		}
		w.Header().Set("Content-Type", "application/problem+json")
		w.WriteHeader(status)
		fmt.Fprintf(w, `{"title":"injected %d","status":%d}`, status, status)
	}))
	t.Cleanup(hs.Close)
	return hs
}

func TestPortalClientConforms(t *testing.T) {
	uploadertest.Run(t, uploadertest.Opt{New: func(t *testing.T) (uploader.Target, string) { return checkedClient(t, "sh1"), "sh1" }})
}

func TestRetryAroundClientConforms(t *testing.T) {
	var requests atomic.Int64
	uploadertest.Run(t, uploadertest.Opt{
		New: func(t *testing.T) (uploader.Target, string) {
			return uploader.WithRetry(checkedClient(t, "sh1"), fastRetry), "sh1"
		},
		Faulty: func(t *testing.T, status, times int) (uploader.Target, string) {
			hs := faultyPortal(t, &requests, status, times)
			return uploader.WithRetry(uploader.NewClient(hs.URL, map[string]string{"sh1": server.TestToken("sh1")}, uploader.ClientOptions{}), fastRetry), "sh1"
		},
		Requests: func() int { return int(requests.Load()) },
	})
}

func TestRateLimitAroundClientConforms(t *testing.T) {
	uploadertest.Run(t, uploadertest.Opt{New: func(t *testing.T) (uploader.Target, string) {
		return uploader.WithRateLimit(checkedClient(t, "sh1"), uploader.NewRate(2000, 20)), "sh1"
	}})
}

func TestRetryAroundMemoryConforms(t *testing.T) {
	uploadertest.Run(t, uploadertest.Opt{New: func(t *testing.T) (uploader.Target, string) {
		return uploader.WithRetry(uploader.NewMemory(), fastRetry), "sh1"
	}})
}

func TestDryRunAroundMemoryConforms(t *testing.T) {
	uploadertest.Run(t, uploadertest.Opt{DropsWrites: true, New: func(t *testing.T) (uploader.Target, string) {
		return uploader.DryRun(uploader.NewMemory()), "sh1"
	}})
}

func TestDryRunAroundClientConforms(t *testing.T) {
	uploadertest.Run(t, uploadertest.Opt{DropsWrites: true, New: func(t *testing.T) (uploader.Target, string) {
		return uploader.DryRun(uploader.WithRetry(checkedClient(t, "sh1"), fastRetry)), "sh1"
	}})
}

// bundleTarget runs the suite on bundles: every write becomes a bundle of
// one object or file, imported through the portal's bulk endpoint; reads
// go to the portal.
type bundleTarget struct {
	*uploader.Client
}

func (b bundleTarget) importOne(ctx context.Context, site string, add func(*uploader.Bundle) (portal.PutResult, error)) (portal.PutResult, error) {
	if err := ctx.Err(); err != nil {
		return portal.PutResult{}, err
	}
	var buf bytes.Buffer
	bw := uploader.NewBundle(&buf, site)
	res, err := add(bw)
	if err != nil {
		return res, err
	}
	if err := bw.Close(); err != nil {
		return res, err
	}
	data := buf.Bytes()
	br, err := b.Client.ImportBundle(ctx, site, int64(len(data)), func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil })
	if err != nil {
		return res, err
	}
	if len(br.Results) == 1 {
		return br.Results[0], nil
	}
	return res, nil
}

func (b bundleTarget) Put(ctx context.Context, site, key string, obj portal.Object) (portal.PutResult, error) {
	return b.importOne(ctx, site, func(bw *uploader.Bundle) (portal.PutResult, error) { return bw.Put(ctx, site, key, obj) })
}

func (b bundleTarget) PutFile(ctx context.Context, site string, f uploader.File) (portal.PutResult, error) {
	files, err := b.Client.List(ctx, site, portal.KindFile)
	if err != nil {
		return portal.PutResult{}, err
	}
	res, err := b.importOne(ctx, site, func(bw *uploader.Bundle) (portal.PutResult, error) { return bw.PutFile(ctx, site, f) })
	res.Created = err == nil && !slices.Contains(files, f.SHA256)
	return res, err
}

func TestBundleThroughBulkEndpointConforms(t *testing.T) {
	uploadertest.Run(t, uploadertest.Opt{New: func(t *testing.T) (uploader.Target, string) {
		return bundleTarget{checkedClient(t, "sh1")}, "sh1"
	}})
}

// TestBundleAloneConforms runs the suite on a bare bundle: it can only be
// written, so the suite skips what needs reading back, with the reason.
func TestBundleAloneConforms(t *testing.T) {
	uploadertest.Run(t, uploadertest.Opt{New: func(t *testing.T) (uploader.Target, string) {
		return uploader.NewBundle(io.Discard, "sh1"), "sh1"
	}})
}

// TestBundleEqualsItemByItem uploads one plan item by item to one site and
// as one bundle to another, and compares what the portal holds.
func TestBundleEqualsItemByItem(t *testing.T) {
	ctx := context.Background()
	hs, _ := server.TestServer(t, server.Config{}, "items", "bulk")
	tokens := map[string]string{"items": server.TestToken("items"), "bulk": server.TestToken("bulk")}
	client := uploader.NewClient(hs.URL, tokens, uploader.ClientOptions{HTTP: &http.Client{Transport: &contracttest.Transport{T: t}}})
	ops := uploader.SyntheticSite("3801", 40, 8)
	ws := store.TestStore(t)
	rep, err := uploader.MakePlan("p", ops, nil, uploader.Options{}).Execute(ctx, ws, client, &store.Org{ID: "3801", PortalSite: "items"}, uploader.ExecOptions{})
	if err != nil || rep.Failed > 0 {
		t.Fatalf("item by item: %+v %v", rep, err)
	}
	var buf bytes.Buffer
	if err := uploader.Export(ctx, &buf, "bulk", ops); err != nil {
		t.Fatal(err)
	}
	data := buf.Bytes()
	res, err := client.ImportBundle(ctx, "bulk", int64(len(data)), func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil })
	if err != nil {
		t.Fatal(err)
	}
	if res.Created != len(ops)-8 || res.Replaced != 0 {
		t.Errorf("bundle created %d objects (replaced %d), want %d", res.Created, res.Replaced, len(ops)-8)
	}
	for _, kind := range append(slices.Clone(portal.ObjectKinds), portal.KindFile) {
		a, err := client.List(ctx, "items", kind)
		if err != nil {
			t.Fatal(err)
		}
		b, err := client.List(ctx, "bulk", kind)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(a, b) || len(a) == 0 {
			t.Fatalf("%s: item by item %d keys, bundle %d keys", kind, len(a), len(b))
		}
		for _, key := range a {
			if kind == portal.KindFile {
				continue
			}
			x, _ := client.Get(ctx, "items", kind, key)
			y, _ := client.Get(ctx, "bulk", kind, key)
			if !reflect.DeepEqual(x, y) {
				t.Errorf("%s %s differs:\n item %s\n bulk %s", kind, key, jsonOf(x), jsonOf(y))
			}
		}
	}
	// A bundle naming a section it does not hold changes nothing.
	var bad bytes.Buffer
	bw := uploader.NewBundle(&bad, "bulk")
	bw.Put(ctx, "bulk", "new-page", &portal.Page{Section: "nope", Title: "x"})
	bw.Close()
	if _, err := client.ImportBundle(ctx, "bulk", int64(bad.Len()), func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(bad.Bytes())), nil }); !uploader.IsPermanent(err) {
		t.Errorf("a bundle with a dangling reference: %v", err)
	}
	if keys, _ := client.List(ctx, "bulk", portal.KindPage); slices.Contains(keys, "new-page") {
		t.Error("a refused bundle left a page behind")
	}
}

func jsonOf(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

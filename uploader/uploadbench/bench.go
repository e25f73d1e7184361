// Package uploadbench measures the uploader against the reference portal
// with a fixed latency: how close an upload comes to the rate its
// concurrency allows (concurrency ÷ latency).
package uploadbench

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"time"

	"perenos/portal"
	"perenos/store"
	"perenos/uploader"
)

// Options set the benchmark's size.
type Options struct {
	Items       int           // objects in the synthetic site, files included (2000)
	Files       int           // of which files, each with its document (500)
	Latency     time.Duration // added by the portal to every request (20ms)
	Concurrency int           // objects in flight (8)
}

// Result is what the benchmark prints.
type Result struct {
	Items        int     `json:"items"`
	Seconds      float64 `json:"seconds"`
	ItemsPerSec  float64 `json:"items_per_sec"`
	LimitPerSec  float64 `json:"limit_items_per_sec"`
	Ratio        float64 `json:"ratio_to_limit"`
	Concurrency  int     `json:"concurrency"`
	LatencyMS    float64 `json:"latency_ms"`
	SecondRunSec float64 `json:"second_run_seconds"` // the same upload again: nothing to send
	SecondRunPut int     `json:"second_run_changed"`
	// PortalFsync is false: the in-process portal skips fsync so that its
	// disk is not counted as portal latency; the uploader's ledger still
	// commits every item durably.
	PortalFsync bool `json:"portal_fsync"`
}

// Run uploads a synthetic site to an in-process reference portal.
func Run(ctx context.Context, opt Options) (*Result, error) {
	if opt.Items <= 0 {
		opt.Items = 2000
	}
	if opt.Files < 0 || opt.Files > opt.Items/2 {
		return nil, fmt.Errorf("files %d must be between 0 and half the items", opt.Files)
	}
	if opt.Latency <= 0 {
		opt.Latency = 20 * time.Millisecond
	}
	if opt.Concurrency <= 0 {
		opt.Concurrency = 8
	}
	dir, err := os.MkdirTemp("", "perenos-bench-upload-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	token := "bench-token-0123456789"
	srv, err := portal.NewServer(portal.Config{DataFile: filepath.Join(dir, "portal", "portal.db"), Tokens: map[string]string{"bench": token},
		Faults: portal.Faults{Latency: opt.Latency}, NoSync: true})
	if err != nil {
		return nil, err
	}
	defer srv.Close()
	hs := httptest.NewServer(srv.Handler())
	defer hs.Close()
	ws, err := store.Open(ctx, filepath.Join(dir, "ws"), store.Options{Command: "perenos bench upload"})
	if err != nil {
		return nil, err
	}
	defer ws.Close()
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = opt.Concurrency * 2
	client := uploader.NewClient(hs.URL, map[string]string{"bench": token}, uploader.ClientOptions{HTTP: &http.Client{Transport: tr}})
	org := &store.Org{ID: "3801999999", PortalSite: "bench"}
	ops := uploader.SyntheticSite(org.ID, opt.Items-opt.Files, opt.Files)
	exec := uploader.ExecOptions{Concurrency: opt.Concurrency}

	upload := func() (time.Duration, *uploader.Report, error) {
		known, err := ws.IDMap(org.ID)
		if err != nil {
			return 0, nil, err
		}
		start := time.Now()
		rep, err := uploader.MakePlan(ops, known, uploader.Options{}).Execute(ctx, ws, client, org, exec)
		if err == nil && rep.Failed > 0 {
			err = fmt.Errorf("%d items failed, first: %s", rep.Failed, rep.Errors[0].Err)
		}
		return time.Since(start), rep, err
	}
	d, rep, err := upload()
	if err != nil {
		return nil, err
	}
	n := rep.Created + rep.Updated
	res := &Result{Items: n, Seconds: d.Seconds(), ItemsPerSec: float64(n) / d.Seconds(), Concurrency: opt.Concurrency,
		LatencyMS: float64(opt.Latency) / float64(time.Millisecond)}
	res.LimitPerSec = float64(opt.Concurrency) / opt.Latency.Seconds()
	res.Ratio = res.ItemsPerSec / res.LimitPerSec
	d2, rep2, err := upload()
	if err != nil {
		return nil, err
	}
	res.SecondRunSec, res.SecondRunPut = d2.Seconds(), rep2.Changed()
	return res, nil
}

package crawlbench

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"perenos/crawler"
	"perenos/procstat"
	"perenos/store"
)

// Options shape a benchmark run.
type Options struct {
	Sites         int
	Pages         int
	SitesParallel int
	PerHost       int
	Delay         time.Duration
	Latency       time.Duration
	// Unpoliced runs one site with politeness off (no delay, PerHost
	// requests in flight) to measure the crawler's own ceiling.
	Unpoliced bool
	// Wget also mirrors the single site with wget, for comparison.
	Wget bool
	Dir  string // workspace folder; a temporary one if empty
	// ProfileDir, when set, receives the crawl's CPU profile (crawl.cpu.pprof)
	// and its allocations (crawl.allocs.pprof), for go tool pprof; the
	// wget run is not profiled.
	ProfileDir string
}

// Result is what the benchmark prints.
type Result struct {
	Sites           int     `json:"sites"`
	Pages           int64   `json:"pages"`
	Requests        int64   `json:"requests"`
	Seconds         float64 `json:"seconds"`
	PagesPerSec     float64 `json:"pages_per_sec"`
	PolitenessLimit float64 `json:"politeness_limit_pages_per_sec,omitempty"`
	RatioToLimit    float64 `json:"ratio_to_limit,omitempty"`
	// RatioWhileCrawling is the rate against the limit while each site
	// was crawled (Region.RatioWhileCrawling): the judged ratio less the
	// run's tail and its requests that are not pages.
	RatioWhileCrawling float64 `json:"ratio_while_crawling,omitempty"`
	// RatioCeiling is the best RatioToLimit a crawler at the limit could
	// reach on what was served: pages over Region.IdealSeconds against the
	// limit. It is below 1 by the run's tail and its requests that are
	// not pages.
	RatioCeiling      float64 `json:"ratio_ceiling,omitempty"`
	PeakRSSMB         float64 `json:"peak_rss_mb"`
	CPUMsPerPage      float64 `json:"cpu_ms_per_page"`
	Durable           bool    `json:"durable"` // every page's bytes and record were fsynced before it counted as done
	VsWget            *Wget   `json:"vs_wget,omitempty"`
	PagesPerSite      int     `json:"pages_per_site"`
	DelayMS           int64   `json:"delay_ms"`
	LatencyMS         int64   `json:"latency_ms"`
	PerHost           int     `json:"per_host"`
	SitesParallelUsed int     `json:"sites_parallel"`
	// LoadStart and LoadEnd are the machine's one-minute load average
	// before and after the crawl: on a shared machine the figures mean
	// little without them.
	LoadStart float64 `json:"load_avg_start,omitempty"`
	LoadEnd   float64 `json:"load_avg_end,omitempty"`
}

// Wget is the same single site mirrored by wget.
type Wget struct {
	Pages        int     `json:"pages"`
	Seconds      float64 `json:"seconds"`
	PagesPerSec  float64 `json:"pages_per_sec"`
	PerenosRatio float64 `json:"perenos_to_wget"`
	LoadEnd      float64 `json:"load_avg_end,omitempty"` // after wget's run
	Error        string  `json:"error,omitempty"`
}

// Run serves the region and crawls it.
func Run(ctx context.Context, opt Options) (*Result, error) {
	if opt.Unpoliced {
		opt.Sites, opt.Delay = 1, 0
	}
	region := &Region{Sites: opt.Sites, Pages: opt.Pages, Latency: opt.Latency}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	srv := &http.Server{Handler: region, ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	defer srv.Close()
	addr := ln.Addr().String()

	dir := opt.Dir
	if dir == "" {
		dir, err = os.MkdirTemp(os.Getenv("PERENOS_BENCH_TMP"), "perenos-bench-crawl-")
		if err != nil {
			return nil, err
		}
		defer os.RemoveAll(dir)
	}
	ws, err := store.Open(ctx, filepath.Join(dir, "ws"), store.Options{Command: "bench crawl"})
	if err != nil {
		return nil, err
	}
	defer ws.Close()

	copt := crawler.Options{
		Net:              crawler.NetOptions{AllowPrivate: true, Resolve: func(string) string { return addr }},
		PerHost:          opt.PerHost,
		Delay:            opt.Delay,
		MaxQueryVariants: 10,
		MaxTries:         2,
	}
	copt.Gates = crawler.NewGates()
	prof, err := startProfile(opt.ProfileDir)
	if err != nil {
		return nil, err
	}
	load0 := loadAverage()
	u0 := procstat.Now()
	start := time.Now()
	sem := make(chan struct{}, max(opt.SitesParallel, 1))
	var wg sync.WaitGroup
	var mu sync.Mutex
	var firstErr error
	for i := 0; i < opt.Sites; i++ {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			org := &store.Org{ID: strconv.Itoa(i), LegacyURL: "http://" + Host(i) + "/"}
			if _, err := crawler.Crawl(ctx, ws, ws.Blobs, org, copt); err != nil {
				mu.Lock()
				firstErr = err
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start).Seconds()
	if err := prof.end(); err != nil {
		return nil, err
	}
	if firstErr != nil {
		return nil, firstErr
	}
	u1 := procstat.Now()
	var pages int64
	for i := 0; i < opt.Sites; i++ {
		ws.Pages(strconv.Itoa(i), func(p *store.Page) error {
			if p.OK() {
				pages++
			}
			return nil
		})
	}
	cpu := float64((u1.CPU - u0.CPU).Milliseconds())
	res := &Result{
		Sites: opt.Sites, Pages: pages, Requests: region.Requests.Load(), Seconds: round(elapsed, 2),
		PagesPerSec: round(float64(pages)/elapsed, 1), PeakRSSMB: round(u1.PeakMB, 1),
		CPUMsPerPage: round(cpu/float64(max(pages, 1)), 3), Durable: true,
		PagesPerSite: opt.Pages, DelayMS: opt.Delay.Milliseconds(), LatencyMS: opt.Latency.Milliseconds(), PerHost: opt.PerHost,
		SitesParallelUsed: opt.SitesParallel, LoadStart: load0, LoadEnd: loadAverage(),
	}
	if !opt.Unpoliced {
		perHost := float64(opt.PerHost) / max(opt.Latency.Seconds(), 1e-9)
		if opt.Delay > 0 {
			perHost = min(perHost, 1/opt.Delay.Seconds())
		}
		res.PolitenessLimit = round(perHost*float64(min(opt.Sites, opt.SitesParallel)), 1)
		res.RatioToLimit = round(res.PagesPerSec/res.PolitenessLimit, 3)
		res.RatioWhileCrawling = round(region.RatioWhileCrawling(perHost), 3)
		if ideal := region.IdealSeconds(perHost, opt.SitesParallel); ideal > 0 {
			res.RatioCeiling = round(float64(pages)/ideal/res.PolitenessLimit, 3)
		}
	}
	if opt.Wget {
		res.VsWget = runWget(ctx, opt, res.PagesPerSec)
	}
	return res, nil
}

// loadAverage is the system's one-minute load average (0 where
// /proc/loadavg is not there).
func loadAverage() float64 {
	data, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return 0
	}
	f := strings.Fields(string(data))
	if len(f) == 0 {
		return 0
	}
	v, _ := strconv.ParseFloat(f[0], 64)
	return v
}

func round(f float64, places int) float64 {
	p := 1.0
	for range places {
		p *= 10
	}
	return float64(int64(f*p+0.5)) / p
}

// runWget mirrors one synthetic site served on its own port with wget.
func runWget(ctx context.Context, opt Options, ours float64) *Wget {
	w := &Wget{}
	bin, err := exec.LookPath("wget")
	if err != nil {
		w.Error = "wget not installed (apt-get install wget)"
		return w
	}
	region := &Region{Sites: 1, Pages: opt.Pages, Latency: opt.Latency}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		w.Error = err.Error()
		return w
	}
	// wget sends the listener's address as Host; answer as site 0.
	srv := &http.Server{Handler: http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		r.Host = Host(0)
		region.ServeHTTP(rw, r)
	}), ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	defer srv.Close()
	dir, err := os.MkdirTemp("", "perenos-bench-wget-")
	if err != nil {
		w.Error = err.Error()
		return w
	}
	defer os.RemoveAll(dir)
	start := time.Now()
	cmd := exec.CommandContext(ctx, bin, "--mirror", "--no-verbose", "--no-host-directories", "--reject-regex", "calendar\\?d=(1[0-9]|[2-9][0-9]|-)", "-e", "robots=on", "-P", dir, "http://"+ln.Addr().String()+"/")
	out, err := cmd.CombinedOutput()
	w.Seconds = round(time.Since(start).Seconds(), 2)
	w.LoadEnd = loadAverage()
	if err != nil {
		if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 8 { // 8: some pages failed (the failing ones)
			w.Error = fmt.Sprintf("wget: %v: %s", err, lastLine(string(out)))
		}
	}
	filepath.Walk(dir, func(_ string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() {
			w.Pages++
		}
		return nil
	})
	if w.Seconds > 0 {
		w.PagesPerSec = round(float64(w.Pages)/w.Seconds, 1)
	}
	if w.PagesPerSec > 0 {
		w.PerenosRatio = round(ours/w.PagesPerSec, 2)
	}
	return w
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}

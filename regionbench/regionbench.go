// Package regionbench measures a whole region end to end: a synthetic
// region of legacy sites (crawlbench's LegacyRegion: templates, menus,
// windows-1251 and UTF-8, attachments, large sites, slow and failing
// hosts, sites sharing a constructor's host) is served on loopback by a
// separate process, so that its CPU is not counted, and is crawled,
// extracted and mapped through pipeline.Runner with the batch settings,
// one stage after another over all sites. Each stage's CPU is the
// process's CPU time during it; the crawl is compared with its politeness
// limit host by host; peak memory and disk are read at the end.
package regionbench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"math"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"perenos/charset"
	"perenos/crawler"
	"perenos/crawler/crawlbench"
	"perenos/extract"
	"perenos/extract/records"
	"perenos/mapping"
	"perenos/pipeline"
	"perenos/procstat"
	"perenos/store"

	"golang.org/x/net/html"
)

// Options shape a run. Time is scaled down as bench crawl scales it: the
// delay and latency stand for the 500 ms delay and the real latency of
// legacy hosts.
type Options struct {
	Sites      int // sites in the region, the large ones included
	Pages      int // pages of an ordinary site
	LargeSites int // sites of LargePages pages each
	LargePages int

	SitesParallel int           // sites worked on at once (the batch's 32)
	PerHost       int           // requests in flight per host (the batch's 2)
	Delay         time.Duration // least time between request starts per host
	Latency       time.Duration // of every answer; slow hosts take crawlbench.SlowFactor times it
	// RecordsSample is how many pages the records are timed on apart
	// from the extract stage.
	RecordsSample int

	Dir string // workspace folder, kept; a temporary one, removed, if empty
	// ProfileDir, when set, receives each stage's CPU, allocation and
	// peak-heap profiles (they cost a little CPU: leave it off for the
	// figures).
	ProfileDir string
	// HostDetail lists every host's rate and limit in the result.
	HostDetail bool
	// MemoryLimitMiB is the soft memory limit the stages run under, as
	// the batch commands set it (pipeline.SetMemoryLimit): 0 none; unless
	// MemoryLimitSet, a GOMEMLIMIT in the environment is kept.
	MemoryLimitMiB int
	MemoryLimitSet bool
	// Server makes the command that runs Serve in another process (perenos
	// bench region --serve-only); Run starts it and owns its stdin and
	// stdout.
	Server func(ctx context.Context) *exec.Cmd
	// Status, when set, hears a line of progress now and then.
	Status io.Writer
	Log    *slog.Logger
}

func (o *Options) check() error {
	switch {
	case o.Sites < 1:
		return fmt.Errorf("bench region: --sites %d: at least one site", o.Sites)
	case o.Pages < 3:
		return fmt.Errorf("bench region: --pages %d: a site has at least 3 pages (home, a section, news)", o.Pages)
	case o.LargeSites < 0 || o.LargeSites > o.Sites:
		return fmt.Errorf("bench region: --large-sites %d: between 0 and --sites (%d)", o.LargeSites, o.Sites)
	case o.LargeSites > 0 && o.LargePages < 3:
		return fmt.Errorf("bench region: --large-pages %d: a site has at least 3 pages", o.LargePages)
	case o.SitesParallel < 1 || o.PerHost < 1:
		return errors.New("bench region: --sites-parallel and --per-host must be at least 1")
	case o.Delay < 0 || o.Latency < 0:
		return errors.New("bench region: --delay and --latency cannot be negative")
	case o.Server == nil:
		return errors.New("bench region: no command to start the region server with")
	}
	return nil
}

// Result is what the benchmark prints. The first fields are the figures
// the targets are judged by; the rest say where they come from.
type Result struct {
	Sites             int        `json:"sites"`
	Pages             int64      `json:"pages"`
	Files             int64      `json:"files"`
	WallS             float64    `json:"wall_s"`
	CrawlRatioToLimit float64    `json:"crawl_ratio_to_limit"`
	CPUMsPerPage      CPUPerPage `json:"cpu_ms_per_page"`
	PeakRSSMB         float64    `json:"peak_rss_mb"`
	// PeakAnonMB is the largest of the stages' peak_anon_mb: the peak
	// without the ledger's file pages mapped by bbolt (Linux only).
	PeakAnonMB       float64 `json:"peak_anon_mb"`
	LargestSitePages int64   `json:"largest_site_pages"`
	DiskMB           float64 `json:"disk_mb"`

	Crawl   CrawlDetail            `json:"crawl"`
	Stages  map[string]StageDetail `json:"stages"`
	Records RecordsDetail          `json:"records"`
	Map     mapping.Counts         `json:"map"`
	// Extract sums the extract stage's counts over the sites.
	Extract extract.SiteSummary `json:"extract"`
	// States counts the sites by their state after the run.
	States map[store.State]int `json:"states"`
	// Expected and Served are the region's pages and files: what a
	// complete crawl finds, and what the server answered 200.
	Expected crawlbench.Expected `json:"expected"`
	Served   crawlbench.Expected `json:"served"`
	// Mismatches name the sites whose ledger does not hold what was
	// served or expected; FailedSites those that failed a stage.
	Mismatches  []string     `json:"mismatches,omitempty"`
	FailedSites []FailedSite `json:"failed_sites,omitempty"`
	Settings    Settings     `json:"settings"`
}

// CPUPerPage is CPU time per HTML page in the ledger, by stage. Extract
// is the extract stage's time (its own and that of the programs it runs
// to read attachments) less what records take; records are timed on a
// sample (RecordsDetail).
type CPUPerPage struct {
	Crawl   float64 `json:"crawl"`
	Extract float64 `json:"extract"`
	Records float64 `json:"records"`
	Map     float64 `json:"map"`
}

// CrawlDetail says how the crawl ratio is made.
type CrawlDetail struct {
	Requests int64 `json:"requests"` // all the server answered, robots.txt and retries included
	Hosts    int   `json:"hosts"`    // hosts crawled, failing ones left out of the ratio
	// MakespanRatio is the time the crawl would take with every host at
	// its limit all the time (sites started in order, SitesParallel at
	// once, sites on one host sharing it) over the time it took.
	// HostRatios is how each host's own ratio varies.
	HostRatios    Spread  `json:"host_ratios"`
	MakespanRatio float64 `json:"makespan_ratio"`
	IdealS        float64 `json:"ideal_s"`
	// HostsOverLimit are the hosts crawled more than 5% faster than their
	// limit allows: impolite, and counted in the ratio as at the limit.
	HostsOverLimit []HostRate `json:"hosts_over_limit,omitempty"`
	// EachHost is every host's crawl, with Options.HostDetail.
	EachHost []HostRate `json:"each_host,omitempty"`
}

// StageDetail is one stage over all sites.
type StageDetail struct {
	WallS        float64 `json:"wall_s"`
	CPUS         float64 `json:"cpu_s"`          // the process's user and system time, children included
	ChildrenCPUS float64 `json:"children_cpu_s"` // of which pdftotext and catdoc
	// PeakRSSMB is the stage's own peak resident memory (Linux only: the
	// peak is reset when the stage starts; elsewhere 0).
	PeakRSSMB float64 `json:"peak_rss_mb"`
	// PeakAnonMB is the largest resident anonymous memory sampled during
	// the stage (Linux only): the peak less the ledger's mapped file pages,
	// which the kernel drops under pressure.
	PeakAnonMB float64 `json:"peak_anon_mb"`
	Done       int     `json:"sites_done"`
	Failed     int     `json:"sites_failed"`
	Skipped    int     `json:"sites_skipped"`
}

// RecordsDetail says how records were timed: Pages pages, evenly spread
// over the region, each decoded and parsed untimed, then given to
// records.Extract in batches whose process CPU time is the records'.
type RecordsDetail struct {
	Pages        int     `json:"sample_pages"`
	Found        int     `json:"found"`
	PerPage      float64 `json:"per_page"`
	CPUMsPerPage float64 `json:"cpu_ms_per_page"`
}

// FailedSite is a site a stage failed.
type FailedSite struct {
	ID      string      `json:"id"`
	URL     string      `json:"url"`
	Trouble string      `json:"trouble,omitempty"` // what the region made wrong with its host
	Stage   store.Stage `json:"stage"`
	Error   string      `json:"error"`
}

// Settings are the run's options, for the record.
type Settings struct {
	PagesPerSite  int   `json:"pages_per_site"`
	LargeSites    int   `json:"large_sites"`
	LargePages    int   `json:"large_pages"`
	SitesParallel int   `json:"sites_parallel"`
	PerHost       int   `json:"per_host"`
	DelayMS       int64 `json:"delay_ms"`
	LatencyMS     int64 `json:"latency_ms"`
	GOMAXPROCS    int   `json:"gomaxprocs"`
	// MemoryLimitMiB is the soft memory limit the stages ran under, 0
	// for none.
	MemoryLimitMiB int64 `json:"memory_limit_mib"`
	// LoadStart and LoadEnd are the machine's one-minute load average
	// when the crawl started and when the map ended (Linux only): on a
	// loaded machine the wall times and the crawl ratio mean little.
	LoadStart float64 `json:"load_avg_start,omitempty"`
	LoadEnd   float64 `json:"load_avg_end,omitempty"`
}

// usage is the process's CPU so far, its children's included.
type usage struct {
	self, children time.Duration
	wall           time.Time
}

func now() usage {
	return usage{self: procstat.Now().CPU, children: childrenCPU(), wall: time.Now()}
}

func (u usage) since(v usage) StageDetail {
	return StageDetail{WallS: round(u.wall.Sub(v.wall).Seconds(), 2), CPUS: round((u.self - v.self + u.children - v.children).Seconds(), 2),
		ChildrenCPUS: round((u.children - v.children).Seconds(), 2)}
}

// Run serves the region in another process, runs crawl, extract and map
// over it and measures them.
func Run(ctx context.Context, opt Options) (*Result, error) {
	if err := opt.check(); err != nil {
		return nil, err
	}
	if opt.RecordsSample <= 0 {
		opt.RecordsSample = 2000
	}
	log := opt.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	spec := crawlbench.LegacySpec{Sites: opt.Sites, Pages: opt.Pages, LargeSites: opt.LargeSites, LargePages: opt.LargePages,
		Latency: opt.Latency, Delay: opt.Delay}
	sites := spec.Layout()

	srv, err := startServer(ctx, opt.Server(ctx), spec)
	if err != nil {
		return nil, err
	}
	defer srv.stop()
	refused, err := refusedAddr()
	if err != nil {
		return nil, err
	}
	down := map[string]bool{}
	for _, s := range sites {
		if s.Trouble == crawlbench.TroubleDown {
			down[s.Host] = true
		}
	}
	resolve := func(hostport string) string {
		host, _, err := net.SplitHostPort(hostport)
		if err == nil && down[host] {
			return refused // nothing listens: the host is down
		}
		return srv.addr
	}

	dir := opt.Dir
	if dir == "" {
		dir, err = os.MkdirTemp(os.Getenv("PERENOS_BENCH_TMP"), "perenos-bench-region-")
		if err != nil {
			return nil, err
		}
		defer os.RemoveAll(dir)
	}
	ws, err := store.Open(ctx, filepath.Join(dir, "ws"), store.Options{Command: "bench region"})
	if err != nil {
		return nil, err
	}
	defer ws.Close()
	orgs, err := register(ws, sites)
	if err != nil {
		return nil, err
	}
	profiles, err := mapping.LoadProfiles("")
	if err != nil {
		return nil, err
	}

	restore, limit := pipeline.SetMemoryLimit(opt.MemoryLimitMiB, opt.MemoryLimitSet)
	defer restore()
	limitMiB := int64(0)
	if limit != math.MaxInt64 {
		limitMiB = limit >> 20
	}
	res := &Result{Sites: len(sites), Stages: map[string]StageDetail{}, States: map[store.State]int{},
		Settings: Settings{PagesPerSite: opt.Pages, LargeSites: opt.LargeSites, LargePages: opt.LargePages, SitesParallel: opt.SitesParallel,
			PerHost: opt.PerHost, DelayMS: opt.Delay.Milliseconds(), LatencyMS: opt.Latency.Milliseconds(), GOMAXPROCS: runtime.GOMAXPROCS(0),
			MemoryLimitMiB: limitMiB}}
	prog := &progress{}
	runner := &pipeline.Runner{WS: ws, Actor: "bench region", Log: log, SitesParallel: opt.SitesParallel, Progress: prog}
	crawl := pipeline.Crawl{Options: crawler.Options{Net: crawler.NetOptions{AllowPrivate: true, Resolve: resolve}, PerHost: opt.PerHost, Delay: opt.Delay}}
	steps := []struct {
		name string
		step pipeline.Step
	}{{"crawl", crawl}, {"extract", pipeline.Extract{}}, {"map", pipeline.Map{Profiles: profiles}}}
	stopStatus := prog.report(opt.Status, len(orgs))
	defer stopStatus()
	var wall, peak, peakAnon float64
	res.Settings.LoadStart = loadAverage()
	for _, st := range steps {
		prog.start(st.name)
		// resetting the peak may also lower what getrusage reports, so the
		// run's peak is the largest of every reading
		peak = max(peak, procstat.Now().PeakMB)
		peaks := resetPeak()
		prof, err := startProfile(opt.ProfileDir, st.name)
		if err != nil {
			return nil, err
		}
		before := now()
		anon := sampleAnon()
		out := runner.Run(ctx, orgs, st.step)
		d := now().since(before)
		d.PeakAnonMB = round(anon(), 1)
		peakAnon = max(peakAnon, d.PeakAnonMB)
		if err := prof.end(); err != nil {
			return nil, fmt.Errorf("profile of %s: %w", st.name, err)
		}
		if peaks {
			d.PeakRSSMB = round(stagePeakMB(), 1)
			peak = max(peak, d.PeakRSSMB)
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		wall += d.WallS
		for i, o := range out.Outcomes {
			switch {
			case o.Error != "":
				d.Failed++
				res.FailedSites = append(res.FailedSites, FailedSite{ID: o.Org, URL: sites[i].URL(), Trouble: string(sites[i].Trouble),
					Stage: o.Stage, Error: store.ClipText(o.Error, 300)})
			case o.Skip != nil:
				d.Skipped++
			default:
				d.Done++
			}
			if o.Extract != nil {
				addExtract(&res.Extract, o.Extract)
			}
			if o.Map != nil {
				res.Map.Placed += o.Map.Placed
				res.Map.Unplaced += o.Map.Unplaced
				res.Map.Excluded += o.Map.Excluded
				res.Map.Gaps += o.Map.Gaps
			}
		}
		res.Stages[st.name] = d
		if st.name == "crawl" {
			// the crawl's figures are the server's counts at its end
			served, err := srv.served(ctx)
			if err != nil {
				return nil, err
			}
			res.crawlFigures(sites, opt, served, d.WallS)
			res.checkServed(ws, sites, served)
		}
	}
	res.WallS = round(wall, 1)
	res.Settings.LoadEnd = loadAverage()
	stopStatus()

	rec, err := timeRecords(ctx, ws, orgs, opt.RecordsSample)
	if err != nil {
		return nil, err
	}
	res.Records = rec
	for _, o := range orgs {
		cur, err := ws.Org(o.ID)
		if err != nil {
			return nil, err
		}
		res.States[cur.State]++
	}
	pages := float64(max(res.Pages, 1))
	ext := res.Stages["extract"]
	res.CPUMsPerPage = CPUPerPage{
		Crawl:   round(res.Stages["crawl"].CPUS*1000/pages, 3),
		Extract: round(max(ext.CPUS*1000/pages-rec.CPUMsPerPage, 0), 3),
		Records: rec.CPUMsPerPage,
		Map:     round(res.Stages["map"].CPUS*1000/pages, 3),
	}
	res.PeakRSSMB = round(max(peak, procstat.Now().PeakMB, stagePeakMB()), 1)
	res.PeakAnonMB = peakAnon
	res.DiskMB = round(float64(diskBytes(dir))/(1<<20), 1)
	return res, nil
}

// register puts the region's organisations into the ledger, as a registry
// import would, with their per-site settings; large sites come first.
func register(ws *store.Workspace, sites []crawlbench.LegacySite) ([]*store.Org, error) {
	orgs := make([]*store.Org, 0, len(sites))
	for _, s := range sites {
		o := store.Org{ID: s.ID, Name: s.Name, Type: store.OrgType(s.Type), Region: "Условная область",
			District: s.Town + " район", LegacyURL: s.URL(), PortalSite: "site-" + s.ID}
		if s.DelayMS > 0 || s.PerHost > 0 {
			o.Settings = map[string]string{}
		}
		if s.DelayMS > 0 {
			o.Settings["delay_ms"] = strconv.Itoa(s.DelayMS)
		}
		if s.PerHost > 0 {
			o.Settings["per_host"] = strconv.Itoa(s.PerHost)
		}
		if _, err := ws.UpsertOrg("bench region", o); err != nil {
			return nil, fmt.Errorf("register %s: %w", s.ID, err)
		}
		cur, err := ws.Org(s.ID)
		if err != nil {
			return nil, err
		}
		orgs = append(orgs, cur)
	}
	return orgs, nil
}

// crawlFigures works out the crawl's ratio to its limit from what the
// server saw.
func (res *Result) crawlFigures(sites []crawlbench.LegacySite, opt Options, served *crawlbench.Served, wall float64) {
	limits := hostLimits(sites, opt)
	ratio, hosts, each := hostRatio(limits, served)
	res.CrawlRatioToLimit = round(ratio, 3)
	res.Crawl.HostRatios = spread(each)
	for _, h := range hosts {
		if h.Ratio > 1.05 {
			res.Crawl.HostsOverLimit = append(res.Crawl.HostsOverLimit, h)
		}
	}
	if opt.HostDetail {
		res.Crawl.EachHost = hosts
	}
	for _, h := range served.Hosts {
		res.Crawl.Requests += h.Requests
		if l := limits[h.Host]; l != nil && !l.failing {
			res.Crawl.Hosts++
		}
	}
	ideal := idealMakespan(sites, limits, served, opt.SitesParallel)
	res.Crawl.IdealS = round(ideal, 1)
	if wall > 0 {
		res.Crawl.MakespanRatio = round(ideal/wall, 3)
	}
}

// checkServed counts the ledger's pages and files and compares them, site
// by site, with what the server answered and what the region holds.
func (res *Result) checkServed(ws *store.Workspace, sites []crawlbench.LegacySite, served *crawlbench.Served) {
	for i := range sites {
		s := &sites[i]
		exp := s.Expected()
		var sv crawlbench.SiteServed
		if i < len(served.Sites) {
			sv = served.Sites[i]
		}
		var pages, files int64
		err := ws.Pages(s.ID, func(p *store.Page) error {
			switch {
			case !p.OK():
			case p.Kind == store.KindPage:
				pages++
			case p.Kind == store.KindAttachment && !strings.HasPrefix(p.ContentType, "image/"):
				files++
			}
			return nil
		})
		if err != nil {
			res.Mismatches = append(res.Mismatches, fmt.Sprintf("%s: reading its pages: %v", s.ID, err))
			continue
		}
		res.Pages += pages
		res.Files += files
		res.LargestSitePages = max(res.LargestSitePages, pages)
		res.Expected.Pages += exp.Pages
		res.Expected.Files += exp.Files
		res.Served.Pages += sv.Pages
		res.Served.Files += sv.Files
		if int(pages) != sv.Pages || int(files) != sv.Files || sv.Pages != exp.Pages || sv.Files != exp.Files {
			res.Mismatches = append(res.Mismatches, fmt.Sprintf("%s (%s): ledger %d pages, %d files; served %d, %d; expected %d, %d",
				s.ID, s.URL(), pages, files, sv.Pages, sv.Files, exp.Pages, exp.Files))
		}
	}
}

func addExtract(sum, s *extract.SiteSummary) {
	sum.Documents += s.Documents
	sum.Pages += s.Pages
	sum.Failed += s.Failed
	sum.TemplatePages += s.TemplatePages
	sum.Attachments += s.Attachments
	sum.Scans += s.Scans
	sum.Unreadable += s.Unreadable
}

// timeRecords times records extraction on about n pages spread evenly
// over the region's sites.
func timeRecords(ctx context.Context, ws *store.Workspace, orgs []*store.Org, n int) (RecordsDetail, error) {
	var total int
	for _, o := range orgs {
		if err := ws.Pages(o.ID, func(p *store.Page) error {
			if p.OK() && p.Kind == store.KindPage {
				total++
			}
			return nil
		}); err != nil {
			return RecordsDetail{}, err
		}
	}
	var rd RecordsDetail
	if total == 0 {
		return rd, nil
	}
	every := max(1, (total+n-1)/n)
	var cpu time.Duration
	var batch []*parsedPage
	flush := func() {
		if len(batch) == 0 {
			return
		}
		runtime.GC() // the parsing's garbage is not the records'
		u0 := procstat.Now().CPU
		for _, p := range batch {
			rd.Found += len(records.Extract(p.url, p.doc, records.Options{CrawlDate: p.date}))
		}
		cpu += procstat.Now().CPU - u0
		rd.Pages += len(batch)
		batch = batch[:0]
	}
	k := 0
	for _, o := range orgs {
		if err := ctx.Err(); err != nil {
			return rd, err
		}
		err := ws.Pages(o.ID, func(p *store.Page) error {
			if !p.OK() || p.Kind != store.KindPage {
				return nil
			}
			k++
			if k%every != 0 {
				return nil
			}
			raw, err := ws.Blobs.Read(p.Blob)
			if err != nil {
				return fmt.Errorf("page %s: %w", p.URL, err)
			}
			doc, err := extract.Parse(charset.Decode(raw, p.ContentType).Text)
			if err != nil {
				return nil
			}
			batch = append(batch, &parsedPage{url: p.URL, date: p.FetchedAt.Format("2006-01-02"), doc: doc})
			if len(batch) == 50 {
				flush()
			}
			return nil
		})
		if err != nil {
			return rd, err
		}
	}
	flush()
	if rd.Pages > 0 {
		rd.CPUMsPerPage = round(float64(cpu.Microseconds())/1000/float64(rd.Pages), 3)
		rd.PerPage = round(float64(rd.Found)/float64(rd.Pages), 2)
	}
	return rd, nil
}

// parsedPage is a sampled page, parsed before the records are timed.
type parsedPage struct {
	url, date string
	doc       *html.Node
}

// refusedAddr is a loopback address nothing listens on.
func refusedAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr, nil
}

func diskBytes(dir string) int64 {
	var n int64
	filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if info, err := d.Info(); err == nil {
				n += info.Size()
			}
		}
		return nil
	})
	return n
}

func round(f float64, places int) float64 {
	p := 1.0
	for range places {
		p *= 10
	}
	return float64(int64(f*p+0.5)) / p
}

// progress counts the sites a stage has finished, for the status line.
type progress struct {
	stage atomic.Value
	done  atomic.Int64
}

func (p *progress) start(stage string) {
	p.stage.Store(stage)
	p.done.Store(0)
}

func (p *progress) SiteStarted(store.Stage, string)                {}
func (p *progress) SiteDone(store.Stage, string, pipeline.Outcome) { p.done.Add(1) }

// report writes a status line every 15 seconds until stopped.
func (p *progress) report(w io.Writer, sites int) func() {
	if w == nil {
		return func() {}
	}
	stop := make(chan struct{})
	var once atomic.Bool
	start := time.Now()
	go func() {
		t := time.NewTicker(15 * time.Second)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				st, _ := p.stage.Load().(string)
				fmt.Fprintf(w, "bench region: %s %d/%d sites, %s\n", st, p.done.Load(), sites, time.Since(start).Round(time.Second))
			}
		}
	}()
	return func() {
		if once.CompareAndSwap(false, true) {
			close(stop)
		}
	}
}

var _ pipeline.Progress = (*progress)(nil)

// sampleAnon samples the resident anonymous memory every 100 ms until the
// returned function is called, which gives the largest reading.
func sampleAnon() func() float64 {
	stop, done := make(chan struct{}), make(chan float64)
	go func() {
		t := time.NewTicker(100 * time.Millisecond)
		defer t.Stop()
		top := anonMB()
		for {
			select {
			case <-t.C:
				top = max(top, anonMB())
			case <-stop:
				done <- max(top, anonMB())
				return
			}
		}
	}()
	return func() float64 {
		close(stop)
		return <-done
	}
}

package regionbench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"runtime/debug"
	"strings"
	"testing"
	"time"

	"perenos/attachtext"
	"perenos/crawler/crawlbench"
	"perenos/store"
)

// TestMain lets the test binary be the region's serving process, as
// perenos bench region --serve-only is for the command.
func TestMain(m *testing.M) {
	if os.Getenv("PERENOS_REGIONBENCH_SERVE") == "1" {
		if err := Serve(context.Background(), os.Stdin, os.Stdout); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func testServer(ctx context.Context) *exec.Cmd {
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "PERENOS_REGIONBENCH_SERVE=1")
	cmd.Stderr = os.Stderr
	return cmd
}

// TestTinyRegion is the region bench's regression guard: a tiny region
// (a large site, two sites on one constructor's host, a host that is
// down, a slow one) goes through every stage, and the figures are all
// there and agree with what the server answered.
func TestTinyRegion(t *testing.T) {
	opt := Options{Sites: 6, Pages: 10, LargeSites: 1, LargePages: 40, SitesParallel: 4, PerHost: 2,
		Delay: 5 * time.Millisecond, Latency: 2 * time.Millisecond, RecordsSample: 40, Server: testServer,
		MemoryLimitMiB: 512, MemoryLimitSet: true}
	before := debug.SetMemoryLimit(-1)
	sites := crawlbench.LegacySpec{Sites: opt.Sites, Pages: opt.Pages, LargeSites: opt.LargeSites, LargePages: opt.LargePages, Delay: opt.Delay}.Layout()
	hosts := map[string]int{}
	var down []crawlbench.LegacySite
	for _, s := range sites {
		hosts[s.Host]++
		if s.Trouble == crawlbench.TroubleDown || s.Trouble == crawlbench.TroubleBroken {
			down = append(down, s)
		}
	}
	if len(hosts) != len(sites)-1 || len(down) != 1 {
		t.Fatalf("the tiny region should have one shared host and one failing one: %d hosts for %d sites, %d failing", len(hosts), len(sites), len(down))
	}

	res, err := Run(context.Background(), opt)
	if err != nil {
		t.Fatal(err)
	}
	data, _ := json.MarshalIndent(res, "", "  ")
	t.Logf("%s", data)
	if res.Settings.MemoryLimitMiB != 512 {
		t.Errorf("the stages ran under a memory limit of %d MiB, want the 512 asked for", res.Settings.MemoryLimitMiB)
	}
	if got := debug.SetMemoryLimit(-1); got != before {
		t.Errorf("after the run the memory limit is %d, want the %d before it", got, before)
	}

	var fields map[string]json.RawMessage
	json.Unmarshal(data, &fields)
	for _, k := range []string{"sites", "pages", "files", "wall_s", "crawl_ratio_to_limit", "cpu_ms_per_page", "peak_rss_mb", "largest_site_pages", "disk_mb"} {
		if _, ok := fields[k]; !ok {
			t.Errorf("no %q in the JSON", k)
		}
	}
	var cpu map[string]float64
	json.Unmarshal(fields["cpu_ms_per_page"], &cpu)
	for _, k := range []string{"crawl", "extract", "records", "map"} {
		if v, ok := cpu[k]; !ok || v <= 0 {
			t.Errorf("cpu_ms_per_page.%s = %v (present: %v); want a positive figure", k, v, ok)
		}
	}

	// every site went through every stage, but the one whose host is down
	if res.Sites != len(sites) {
		t.Errorf("sites %d, want %d", res.Sites, len(sites))
	}
	if res.States[store.Mapped] != len(sites)-1 || res.States[store.Failed] != 1 {
		t.Errorf("states %v: want %d mapped and the failing host's site failed", res.States, len(sites)-1)
	}
	if len(res.FailedSites) != 1 || res.FailedSites[0].ID != down[0].ID || res.FailedSites[0].Stage != store.StageCrawl {
		t.Errorf("failed sites %+v, want only %s at crawl", res.FailedSites, down[0].ID)
	}
	for _, stage := range []string{"crawl", "extract", "map"} {
		st := res.Stages[stage]
		if st.Done != len(sites)-1 || st.Done+st.Failed+st.Skipped != len(sites) {
			t.Errorf("stage %s: %+v; want it done for %d sites", stage, st, len(sites)-1)
		}
		if st.WallS <= 0 || st.CPUS <= 0 {
			t.Errorf("stage %s took %v s and %v s of CPU", stage, st.WallS, st.CPUS)
		}
	}

	// the counts are what the server answered and what the region holds
	if len(res.Mismatches) > 0 {
		t.Errorf("ledger and server disagree:\n%s", strings.Join(res.Mismatches, "\n"))
	}
	var want crawlbench.Expected
	var largest int
	for _, s := range sites {
		e := s.Expected()
		want.Pages += e.Pages
		want.Files += e.Files
		largest = max(largest, e.Pages)
	}
	if res.Pages != int64(want.Pages) || res.Served.Pages != want.Pages || res.Files != int64(want.Files) || res.Served.Files != want.Files {
		t.Errorf("pages %d (served %d), files %d (served %d); the region holds %d pages and %d files",
			res.Pages, res.Served.Pages, res.Files, res.Served.Files, want.Pages, want.Files)
	}
	if want.Pages == 0 || want.Files == 0 {
		t.Fatalf("the tiny region has %d pages and %d files", want.Pages, want.Files)
	}
	if res.LargestSitePages != int64(largest) || largest < opt.LargePages-3 {
		t.Errorf("largest site %d pages, want %d (of %d)", res.LargestSitePages, largest, opt.LargePages)
	}
	if res.Extract.Pages != want.Pages || res.Extract.Documents != want.Pages {
		t.Errorf("extract read %d pages into %d documents, want %d", res.Extract.Pages, res.Extract.Documents, want.Pages)
	}
	if res.Extract.Attachments+res.Extract.Unreadable != want.Files {
		t.Errorf("extract read %d attachments (%d unreadable) of %d", res.Extract.Attachments, res.Extract.Unreadable, want.Files)
	}
	if attachtext.HavePdftotext() && res.Extract.Unreadable > 0 {
		t.Errorf("%d of the generated attachments were unreadable", res.Extract.Unreadable)
	}
	if res.Records.Pages == 0 || res.Records.Found == 0 {
		t.Errorf("records timed on %d pages found %d", res.Records.Pages, res.Records.Found)
	}
	if res.Map.Placed == 0 {
		t.Errorf("the map placed nothing: %+v", res.Map)
	}

	// the crawl's figures are ratios of what the server saw
	if res.CrawlRatioToLimit <= 0 || res.CrawlRatioToLimit > 1 || res.Crawl.MakespanRatio <= 0 || res.Crawl.Hosts != len(hosts)-1 {
		t.Errorf("crawl ratio %v, makespan ratio %v over %d hosts; want ratios in (0, 1] over %d", res.CrawlRatioToLimit, res.Crawl.MakespanRatio, res.Crawl.Hosts, len(hosts)-1)
	}
	if res.Crawl.Requests < int64(want.Pages+want.Files) {
		t.Errorf("%d requests for %d pages and files", res.Crawl.Requests, want.Pages+want.Files)
	}
	if res.DiskMB <= 0 || res.WallS <= 0 {
		t.Errorf("disk %v MB, wall %v s", res.DiskMB, res.WallS)
	}
	for _, h := range res.Crawl.HostsOverLimit {
		t.Logf("host over its limit: %+v", h)
	}
}

// TestServeRefusesABadSpec: the serving process says what was wrong with
// its spec instead of serving nothing.
func TestServeRefusesABadSpec(t *testing.T) {
	var out bytes.Buffer
	err := Serve(context.Background(), strings.NewReader("not a spec\n"), &out)
	if err == nil || !strings.Contains(out.String(), "bad spec") {
		t.Errorf("err %v, answer %q", err, out.String())
	}
}

func TestOptionsAreChecked(t *testing.T) {
	ok := Options{Sites: 6, Pages: 10, SitesParallel: 1, PerHost: 1, Server: testServer}
	for name, mod := range map[string]func(*Options){
		"no sites":            func(o *Options) { o.Sites = 0 },
		"too few pages":       func(o *Options) { o.Pages = 2 },
		"more large than all": func(o *Options) { o.LargeSites = 7 },
		"large of no pages":   func(o *Options) { o.LargeSites, o.LargePages = 1, 0 },
		"no server":           func(o *Options) { o.Server = nil },
		"negative delay":      func(o *Options) { o.Delay = -time.Second },
	} {
		o := ok
		mod(&o)
		if _, err := Run(context.Background(), o); err == nil || !strings.Contains(err.Error(), "bench region") {
			t.Errorf("%s: %v", name, err)
		}
	}
}

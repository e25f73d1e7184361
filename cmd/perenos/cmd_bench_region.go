package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"time"

	"github.com/spf13/cobra"

	"perenos/pipeline"
	"perenos/regionbench"
)

// benchRegionOptions are the flags of bench region.
type benchRegionOptions struct {
	regionbench.Options
	ServeOnly bool
}

func (o *benchRegionOptions) addFlags(cmd *cobra.Command) {
	f := cmd.Flags()
	f.IntVar(&o.Sites, "sites", 900, "sites in the region, the large ones included")
	f.IntVar(&o.Pages, "pages", 60, "HTML pages of an ordinary site")
	f.IntVar(&o.LargeSites, "large-sites", 5, "large sites, crawled first")
	f.IntVar(&o.LargePages, "large-pages", 3000, "HTML pages of a large site")
	f.IntVar(&o.SitesParallel, "sites-parallel", 32, "sites worked on at once (the batch default)")
	f.IntVar(&o.PerHost, "per-host", 2, "requests in flight per host (the batch default)")
	f.DurationVar(&o.Delay, "delay", 45*time.Millisecond, "least time between request starts per host (the 500 ms default, scaled down)")
	f.DurationVar(&o.Latency, "latency", 20*time.Millisecond, "latency of every answer; slow hosts take 8 times it")
	f.IntVar(&o.RecordsSample, "records-sample", 2000, "pages the structured records are timed on apart from the extract stage")
	f.StringVar(&o.Dir, "dir", "", "workspace folder for the run, kept afterwards (default: a temporary folder, removed)")
	f.StringVar(&o.ProfileDir, "profile", "", "write each stage's CPU, allocation and peak-heap profiles (go tool pprof) into this folder")
	f.BoolVar(&o.HostDetail, "hosts", false, "also list every host's rate and limit (crawl.each_host)")
	f.IntVar(&o.MemoryLimitMiB, "memory-limit-mib", pipeline.DefaultMemoryLimitMiB, "soft limit on the memory the heap holds, in MiB, as the batch sets it (0: none; without the flag a GOMEMLIMIT in the environment is kept)")
	f.BoolVar(&o.ServeOnly, "serve-only", false, "serve the region whose spec is on stdin (the benchmark starts itself so)")
	f.MarkHidden("serve-only")
	f.BoolVar(new(bool), "json", true, "print JSON (always)")
}

func newBenchRegionCommand(g *globalOptions) *cobra.Command {
	var o benchRegionOptions
	cmd := &cobra.Command{
		Use:   "region",
		Short: "Crawl, extract and map a synthetic region on loopback; CPU per page by stage, crawl against its limit (JSON)",
		Long: `Serve a synthetic region from a separate perenos process on loopback (its CPU is not counted):
many virtual hosts with realistic pages of schools, kindergartens, hospitals and municipalities,
each site with its own template (header, menu, sidebar, footer), sveden sections with microdata,
staff tables, document lists and news, PDF and DOCX attachments, windows-1251 and UTF-8 sites,
a few large sites (crawled first), a few slow hosts and failing ones, and regional constructors
that put several sites on one host under paths, one of them asking for twice the delay. Then run
crawl, extract and map through the same runner as perenos run, with the batch settings, one stage
after another over all sites. Time is scaled down as in bench crawl. The default region (900 sites
of 60 pages, five of 3,000) finishes in under ten minutes on a quiet 2-core machine; the whole
region of a real programme is --sites 900 --pages 480 --large-sites 1 --large-pages 20000.

The JSON:
  sites                 sites in the region
  pages, files          HTML pages and attachments (PDF, DOCX) in the ledger after the crawl
  wall_s                wall time of the three stages together
  crawl_ratio_to_limit  while each host was crawled, its rate against its politeness limit: the
                        sum over hosts of requests ÷ limit, over the sum of the time from each
                        host's first request to its last (the server's clock); a host's limit is
                        min(1 ÷ delay, per-host ÷ latency) with the strictest delay_ms and per_host
                        of the sites on it; failing hosts are left out; a host crawled faster than
                        its limit counts as 1.0 and is listed in crawl.hosts_over_limit
  cpu_ms_per_page       CPU milliseconds per page in the ledger, by stage:
    crawl               the crawl stage's process CPU
    extract             the extract stage's, with the pdftotext and catdoc it runs, less records
    records             records.Extract timed on a sample of --records-sample pages spread over
                        the region, parsed untimed first (records.sample_pages says how many)
    map                 the map stage's
  peak_rss_mb           the process's peak resident memory over the whole run
  peak_anon_mb          the same without the ledger's file pages that bbolt maps (its heap and
                        stacks, sampled every 100 ms; Linux only): what the run needs of its own
  largest_site_pages    pages of the largest site in the ledger
  disk_mb               the workspace (ledger and blobs) after the run
Then the detail: crawl (requests, hosts, makespan_ratio: the time the crawl would take with every
host at its limit all the time over the time it took), stages (wall, CPU, sites done, failed,
skipped), records, map and extract counts, the sites' states, the pages and files expected and
served, mismatches (sites whose ledger does not hold what was served), failed_sites, settings
(with the machine's load average at the start and the end: on a loaded machine the wall times
and the crawl ratio mean little; and memory_limit_mib, the soft memory limit the stages ran
under, the batch's 256 MiB unless --memory-limit-mib says otherwise, 0 for none).
--profile DIR writes <stage>.cpu.pprof, <stage>.allocs.pprof and <stage>.heap.pprof (the heap
when its live objects were largest) for go tool pprof.

Targets: peak ≤ 300 MB; extract + records + map ≤ 5 ms a page; crawl_ratio_to_limit ≥ 0.95.

EXIT STATUS
0 the run finished (whatever the figures); 1 it could not run.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if o.ServeOnly {
				return regionbench.Serve(cmd.Context(), cmd.InOrStdin(), cmd.OutOrStdout())
			}
			o.MemoryLimitSet = cmd.Flags().Changed("memory-limit-mib")
			return runBenchRegion(cmd.Context(), g, o.Options)
		},
	}
	o.addFlags(cmd)
	return cmd
}

func runBenchRegion(ctx context.Context, g *globalOptions, opt regionbench.Options) error {
	exe, err := os.Executable()
	if err != nil {
		return fmt.Errorf("bench region: finding the perenos binary to serve the region: %w", err)
	}
	opt.Server = func(ctx context.Context) *exec.Cmd {
		c := exec.CommandContext(ctx, exe, "bench", "region", "--serve-only")
		c.Stderr = g.errOut
		return c
	}
	opt.Log = g.log
	if !g.Quiet {
		opt.Status = g.errOut
	}
	res, err := regionbench.Run(ctx, opt)
	if err != nil {
		return err
	}
	return printJSON(g.out, res)
}

package main

import (
	"time"

	"github.com/spf13/cobra"

	"perenos/crawler/crawlbench"
)

func newBenchCrawlCommand(g *globalOptions) *cobra.Command {
	var o crawlbench.Options
	cmd := &cobra.Command{
		Use:   "crawl",
		Short: "Crawl a synthetic region on loopback and compare with the politeness limit (JSON)",
		Long: `Serve a synthetic region (many virtual hosts on one loopback listener, realistic pages and
link graphs, latency, a few slow, failing and trap pages) and crawl it with the batch settings.
Time is scaled down (delay 45 ms, latency 20 ms by default) so the default run (500 sites × 200
pages) takes under three minutes.
--unpoliced crawls one site with politeness off, to measure the crawler's own ceiling (unless
given, then: 5000 pages, no latency, 16 requests in flight); --wget also mirrors that site with
wget in the same run. --profile DIR writes the crawl's CPU and allocation profiles.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if o.Unpoliced {
				f := cmd.Flags()
				if !f.Changed("pages") {
					o.Pages = 5000
				}
				if !f.Changed("latency") {
					o.Latency = 0
				}
				if !f.Changed("per-host") {
					o.PerHost = 16
				}
			}
			res, err := crawlbench.Run(cmd.Context(), o)
			if err != nil {
				return err
			}
			return printJSON(g.out, res)
		},
	}
	f := cmd.Flags()
	f.IntVar(&o.Sites, "sites", 500, "sites in the region")
	f.IntVar(&o.Pages, "pages", 200, "pages per site")
	f.IntVar(&o.SitesParallel, "sites-parallel", 32, "sites crawled at once")
	f.IntVar(&o.PerHost, "per-host", 2, "requests in flight per host")
	f.DurationVar(&o.Delay, "delay", 45*time.Millisecond, "least time between request starts per host (scaled down from the 500 ms default)")
	f.DurationVar(&o.Latency, "latency", 20*time.Millisecond, "latency of every response")
	f.BoolVar(&o.Unpoliced, "unpoliced", false, "one site, no delay: the crawler's own ceiling")
	f.BoolVar(&o.Wget, "wget", false, "also mirror one site with wget and report both rates")
	f.StringVar(&o.ProfileDir, "profile", "", "write the crawl's CPU and allocation profiles (crawl.cpu.pprof, crawl.allocs.pprof; go tool pprof) into this folder")
	f.StringVar(&o.Dir, "dir", "", "workspace folder for the run (default: a temporary folder)")
	f.BoolVar(new(bool), "json", true, "print JSON (always)")
	return cmd
}

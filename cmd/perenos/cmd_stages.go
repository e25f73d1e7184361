package main

import (
	"context"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"perenos/crawler"
	"perenos/mapping"
	"perenos/pipeline"
	"perenos/store"
)

// stageOptions are the flags every stage command shares.
type stageOptions struct {
	sel           selectorOptions
	JSON          bool
	SitesParallel int
	Profiles      string
}

func (o *stageOptions) addFlags(f *pflag.FlagSet) {
	o.sel.addFlags(f)
	f.BoolVar(&o.JSON, "json", false, "print the result as JSON")
	f.IntVar(&o.SitesParallel, "sites-parallel", 32, "sites worked on at once")
	f.StringVar(&o.Profiles, "profiles", "", "folder of profile files overriding the built-in mandated structures")
}

// crawlOptions are the crawl's flags.
type crawlOptions struct {
	AllowPrivate   bool
	PerHost        int
	Delay          time.Duration
	MaxPages       int
	MaxDepth       int
	MaxAttachBytes int64
	WARC           string
}

func (o *crawlOptions) addFlags(f *pflag.FlagSet) {
	f.BoolVar(&o.AllowPrivate, "allow-private", false, "allow loopback and private addresses (for local test sites only)")
	f.IntVar(&o.PerHost, "per-host", 2, "requests in flight per host")
	f.DurationVar(&o.Delay, "delay", 500*time.Millisecond, "least time between the starts of two requests to one host (raised by robots.txt Crawl-delay)")
	f.IntVar(&o.MaxPages, "max-pages", 20000, "most URLs fetched per site")
	f.IntVar(&o.MaxDepth, "max-depth", 25, "most link hops from the site's address")
	f.Int64Var(&o.MaxAttachBytes, "max-attachment-bytes", 100<<20, "largest attachment downloaded; larger ones are recorded as excluded")
	f.StringVar(&o.WARC, "warc", "", "also write every response to this WARC/1.1 file (appended to on resume)")
}

// crawlEnv applies the crawl flags to env; the returned func closes the archive.
func (o *crawlOptions) apply(env *pipeline.Env) (func() error, error) {
	env.CrawlOpts = o.crawler()
	if p, ok := env.Progress.(crawler.Progress); ok {
		env.CrawlOpts.Progress = p
	}
	if o.WARC == "" {
		return func() error { return nil }, nil
	}
	w, err := crawler.OpenWARC(o.WARC)
	if err != nil {
		return nil, err
	}
	env.CrawlOpts.WARC = w
	return w.Close, nil
}

func (o *crawlOptions) crawler() crawler.Options {
	return crawler.Options{Net: crawler.NetOptions{AllowPrivate: o.AllowPrivate}, PerHost: o.PerHost, Delay: o.Delay,
		MaxPages: o.MaxPages, MaxDepth: o.MaxDepth, MaxAttachmentBytes: o.MaxAttachBytes}
}

// stageRun opens the workspace, selects organisations, runs fn and prints
// the result; it is the shared body of the stage commands.
func stageRun(ctx context.Context, g *globalOptions, name string, o *stageOptions, args []string,
	fn func(ctx context.Context, env *pipeline.Env, orgs []*store.Org) (*pipeline.Result, error)) error {
	ws, unlock, err := sharedWorkspace(ctx), func() {}, error(nil) // set when perenos serve runs a handed job
	if ws == nil {
		// A running perenos serve holds the workspace: hand it the job.
		if handed, herr := handOff(ctx, g); handed {
			return herr
		}
		ws, unlock, err = openWorkspace(ctx, g, name)
	}
	if err != nil {
		return err
	}
	defer unlock()
	orgs, err := pipeline.Select(ws, pipeline.Selector{IDs: args, All: o.sel.All, Type: o.sel.Type, District: o.sel.District, State: o.sel.State})
	if err != nil {
		return &usageError{err.Error()}
	}
	profiles, err := mapping.LoadProfiles(o.Profiles)
	if err != nil {
		return err
	}
	prog := newProgress(g, o.JSON, len(orgs), name)
	env := &pipeline.Env{WS: ws, Profiles: profiles, Actor: g.Actor, Log: g.log, SitesParallel: o.SitesParallel, Progress: prog}
	res, err := fn(ctx, env, orgs)
	prog.finish()
	if err != nil {
		return err
	}
	printResult(g.out, res, o.JSON)
	return res.Err()
}

func newCrawlCommand(g *globalOptions) *cobra.Command {
	var o stageOptions
	var c crawlOptions
	cmd := &cobra.Command{
		Use:   "crawl [ORG...]",
		Short: "Fetch organisations' legacy sites, resuming where an earlier crawl stopped",
		Long: `Fetch each organisation's legacy site whole: pages, and attachments into the blob store.
robots.txt is obeyed; a crawl killed at any moment resumes its frontier when run again.
Per-site settings come from optional registry columns: aliases, delay_ms, per_host, ca_file, insecure.`,
		RunE: func(cmd *cobra.Command, args []string) error {
			return stageRun(cmd.Context(), g, "crawl", &o, args, func(ctx context.Context, env *pipeline.Env, orgs []*store.Org) (*pipeline.Result, error) {
				closeWARC, err := c.apply(env)
				if err != nil {
					return nil, err
				}
				res := env.Crawl(ctx, orgs)
				return res, closeWARC()
			})
		},
	}
	o.addFlags(cmd.Flags())
	c.addFlags(cmd.Flags())
	return cmd
}

func newExtractCommand(g *globalOptions) *cobra.Command {
	var o stageOptions
	cmd := &cobra.Command{
		Use:   "extract [ORG...]",
		Short: "Extract main content, links and attachments from crawled pages",
		RunE: func(cmd *cobra.Command, args []string) error {
			return stageRun(cmd.Context(), g, "extract", &o, args, func(ctx context.Context, env *pipeline.Env, orgs []*store.Org) (*pipeline.Result, error) {
				return env.Extract(ctx, orgs), nil
			})
		},
	}
	o.addFlags(cmd.Flags())
	return cmd
}

func newMapCommand(g *globalOptions) *cobra.Command {
	var o stageOptions
	cmd := &cobra.Command{
		Use:   "map [ORG...]",
		Short: "Place extracted content into the mandated structure and list the gaps",
		RunE: func(cmd *cobra.Command, args []string) error {
			return stageRun(cmd.Context(), g, "map", &o, args, func(ctx context.Context, env *pipeline.Env, orgs []*store.Org) (*pipeline.Result, error) {
				return env.Map(ctx, orgs), nil
			})
		},
	}
	o.addFlags(cmd.Flags())
	return cmd
}

func newApproveCommand(g *globalOptions) *cobra.Command {
	var o stageOptions
	var reason string
	cmd := &cobra.Command{
		Use:   "approve [ORG...]",
		Short: "Approve mapped sites as they are, without the review UI",
		Long: `Send mapped sites through review and approve them as they are: items left for review go to
their best candidate section (or «Прочее»), with the reason recorded.`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if reason == "" {
				return &usageError{"--reason is required: it is written to the event log"}
			}
			return stageRun(cmd.Context(), g, "approve", &o, args, func(ctx context.Context, env *pipeline.Env, orgs []*store.Org) (*pipeline.Result, error) {
				return env.AutoApprove(ctx, orgs, reason), nil
			})
		},
	}
	o.addFlags(cmd.Flags())
	cmd.Flags().StringVar(&reason, "reason", "", "why the sites are approved without review")
	return cmd
}

func newRunCommand(g *globalOptions) *cobra.Command {
	var o stageOptions
	var c crawlOptions
	cmd := &cobra.Command{
		Use:   "run [ORG...]",
		Short: "Crawl, extract and map a batch of sites",
		RunE: func(cmd *cobra.Command, args []string) error {
			return stageRun(cmd.Context(), g, "run", &o, args, func(ctx context.Context, env *pipeline.Env, orgs []*store.Org) (*pipeline.Result, error) {
				closeWARC, err := c.apply(env)
				if err != nil {
					return nil, err
				}
				res := env.Crawl(ctx, orgs)
				if err := closeWARC(); err != nil {
					return nil, err
				}
				orgs = refresh(env.WS, orgs)
				res = combine(res, env.Extract(ctx, orgs))
				orgs = refresh(env.WS, orgs)
				return combine(res, env.Map(ctx, orgs)), nil
			})
		},
	}
	o.addFlags(cmd.Flags())
	c.addFlags(cmd.Flags())
	return cmd
}

func refresh(ws *store.Workspace, orgs []*store.Org) []*store.Org {
	out := make([]*store.Org, 0, len(orgs))
	for _, o := range orgs {
		if n, err := ws.Org(o.ID); err == nil {
			out = append(out, n)
		}
	}
	return out
}

// combine keeps, per site, the last stage that ran (or the first failure).
func combine(a, b *pipeline.Result) *pipeline.Result {
	idx := map[string]int{}
	for i, o := range a.Outcomes {
		idx[o.Org] = i
	}
	for _, o := range b.Outcomes {
		i, ok := idx[o.Org]
		if !ok {
			a.Outcomes = append(a.Outcomes, o)
			continue
		}
		if a.Outcomes[i].Error != "" {
			continue
		}
		if o.Skipped != "" && a.Outcomes[i].Skipped == "" {
			a.Outcomes[i].State = o.State
			continue
		}
		a.Outcomes[i] = o
	}
	a.Failed, a.Skipped = 0, 0
	for _, o := range a.Outcomes {
		switch {
		case o.Error != "":
			a.Failed++
		case o.Skipped != "":
			a.Skipped++
		}
	}
	return a
}

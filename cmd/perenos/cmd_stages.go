package main

import (
	"context"
	"io"
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
	Sel           selectorOptions
	Output        formatFlag
	SitesParallel int
	Profiles      string
	MemoryLimit   int
	flags         *pflag.FlagSet
}

func (o *stageOptions) addFlags(f *pflag.FlagSet) {
	o.Sel.addFlags(f)
	o.Output.addFlags(f, "text", "json")
	f.IntVar(&o.SitesParallel, "sites-parallel", 32, "sites worked on at once")
	f.StringVar(&o.Profiles, "profiles", "", "folder of profile files overriding the built-in mandated structures")
	f.IntVar(&o.MemoryLimit, "memory-limit-mib", pipeline.DefaultMemoryLimitMiB, "soft limit on the memory the process's heap holds, in MiB (0: none; without the flag a GOMEMLIMIT in the environment is kept)")
	o.flags = f
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

// step returns the crawl step the flags describe; the returned func
// closes the WARC archive, if one was asked for.
func (o *crawlOptions) step(prog crawler.Progress) (pipeline.Crawl, func() error, error) {
	c := pipeline.Crawl{Options: o.crawler()}
	c.Options.Progress = prog
	if o.WARC == "" {
		return c, func() error { return nil }, nil
	}
	w, err := crawler.OpenWARC(o.WARC)
	if err != nil {
		return c, nil, err
	}
	c.Options.WARC = w
	return c, w.Close, nil
}

func (o *crawlOptions) crawler() crawler.Options {
	return crawler.Options{Net: crawler.NetOptions{AllowPrivate: o.AllowPrivate}, PerHost: o.PerHost, Delay: o.Delay,
		MaxPages: o.MaxPages, MaxDepth: o.MaxDepth, MaxAttachmentBytes: o.MaxAttachBytes}
}

// batch is what a stage command runs: the steps for the selected sites and
// what to do after them.
type batch struct {
	steps []pipeline.Step
	after func() error // closes what the steps opened (a WARC archive)
	// settle records, after the steps, what the books must say about
	// their outcome (a rollback voids the act); it prints what it did.
	settle func(ws *store.Workspace, res *pipeline.Result) error
}

// stageRun opens the workspace, selects organisations, builds the steps
// with plan and runs them through the one runner, then prints the result;
// it is the shared body of the stage commands.
func stageRun(ctx context.Context, g *globalOptions, name string, o *stageOptions, args []string,
	plan func(orgs []*store.Org, prog *progress, profiles mapping.Profiles) (batch, error)) error {
	ws, unlock, err := openWorkspace(ctx, g, name)
	if err != nil {
		return err
	}
	defer unlock()
	orgs, err := pipeline.Select(ws, o.Sel.selector(args))
	if err != nil {
		return &usageError{err.Error()}
	}
	profiles, err := mapping.LoadProfiles(o.Profiles)
	if err != nil {
		return err
	}
	prog := newProgress(g, o.asJSON(), len(orgs), name)
	b, err := plan(orgs, prog, profiles)
	if err != nil {
		return err
	}
	prog.setSteps(len(b.steps))
	restore, _ := pipeline.SetMemoryLimit(o.MemoryLimit, o.flags != nil && o.flags.Changed("memory-limit-mib"))
	defer restore()
	r := runnerFor(ctx, ws, g)
	r.SitesParallel, r.Progress = o.SitesParallel, prog
	res := r.Run(ctx, orgs, b.steps...)
	prog.finish()
	if b.after != nil {
		if err := b.after(); err != nil {
			return err
		}
	}
	printResult(g.out, res, o.asJSON())
	if b.settle != nil {
		if err := b.settle(ws, res); err != nil {
			return err
		}
	}
	return res.Err()
}

func (o *stageOptions) prepare(g *globalOptions, in io.Reader, args []string) error {
	if err := o.Output.resolve("text", "json"); err != nil {
		return err
	}
	return absPath(&o.Profiles)
}

// asJSON reports whether the result is printed as JSON.
func (o *stageOptions) asJSON() bool { return o.Output.Format == "json" || o.Output.JSON }

// crawlCmd is perenos crawl.
type crawlCmd struct {
	Stage stageOptions
	Crawl crawlOptions
}

func (c *crawlCmd) prepare(g *globalOptions, in io.Reader, args []string) error {
	if err := c.Stage.prepare(g, in, args); err != nil {
		return err
	}
	return absPath(&c.Crawl.WARC)
}

func newCrawlCommand(g *globalOptions) *cobra.Command {
	var o crawlCmd
	cmd := &cobra.Command{
		Use:   "crawl [ORG...]",
		Short: "Fetch organisations' legacy sites, resuming where an earlier crawl stopped",
		Long: `Fetch each organisation's legacy site whole: pages, and attachments into the blob store.
robots.txt is obeyed; a crawl killed at any moment resumes its frontier when run again.
Per-site settings come from optional registry columns: aliases, delay_ms, per_host, ca_file, insecure.`,
		RunE: func(cmd *cobra.Command, args []string) error { return ledgerRun(cmd, g, "crawl", &o, args, runCrawl) },
	}
	o.Stage.addFlags(cmd.Flags())
	o.Crawl.addFlags(cmd.Flags())
	return cmd
}

func runCrawl(ctx context.Context, g *globalOptions, o *crawlCmd, args []string) error {
	return stageRun(ctx, g, "crawl", &o.Stage, args, func(orgs []*store.Org, prog *progress, _ mapping.Profiles) (batch, error) {
		step, closeWARC, err := o.Crawl.step(prog)
		return batch{steps: []pipeline.Step{step}, after: closeWARC}, err
	})
}

// extractCmd is perenos extract.
type extractCmd struct{ Stage stageOptions }

func (c *extractCmd) prepare(g *globalOptions, in io.Reader, args []string) error {
	return c.Stage.prepare(g, in, args)
}

func newExtractCommand(g *globalOptions) *cobra.Command {
	var o extractCmd
	cmd := &cobra.Command{
		Use:   "extract [ORG...]",
		Short: "Extract main content, links and attachments from crawled pages",
		RunE: func(cmd *cobra.Command, args []string) error {
			return ledgerRun(cmd, g, "extract", &o, args, runExtract)
		},
	}
	o.Stage.addFlags(cmd.Flags())
	return cmd
}

func runExtract(ctx context.Context, g *globalOptions, o *extractCmd, args []string) error {
	return stageRun(ctx, g, "extract", &o.Stage, args, func([]*store.Org, *progress, mapping.Profiles) (batch, error) {
		return batch{steps: []pipeline.Step{pipeline.Extract{}}}, nil
	})
}

// mapCmd is perenos map.
type mapCmd struct{ Stage stageOptions }

func (c *mapCmd) prepare(g *globalOptions, in io.Reader, args []string) error {
	return c.Stage.prepare(g, in, args)
}

func newMapCommand(g *globalOptions) *cobra.Command {
	var o mapCmd
	cmd := &cobra.Command{
		Use:   "map [ORG...]",
		Short: "Place extracted content into the mandated structure and list the gaps",
		RunE:  func(cmd *cobra.Command, args []string) error { return ledgerRun(cmd, g, "map", &o, args, runMap) },
	}
	o.Stage.addFlags(cmd.Flags())
	return cmd
}

func runMap(ctx context.Context, g *globalOptions, o *mapCmd, args []string) error {
	return stageRun(ctx, g, "map", &o.Stage, args, func(_ []*store.Org, _ *progress, profiles mapping.Profiles) (batch, error) {
		return batch{steps: []pipeline.Step{pipeline.Map{Profiles: profiles}}}, nil
	})
}

// approveCmd is perenos approve.
type approveCmd struct {
	Stage           stageOptions
	Reason          string
	WithGaps        bool
	ExcludePersonal bool
}

func (c *approveCmd) prepare(g *globalOptions, in io.Reader, args []string) error {
	return c.Stage.prepare(g, in, args)
}

func newApproveCommand(g *globalOptions) *cobra.Command {
	var o approveCmd
	cmd := &cobra.Command{
		Use:   "approve [ORG...]",
		Short: "Approve mapped sites as they are, without the review UI",
		Long: `Send mapped sites through review and approve them as they are. Approval means the same here
and in the review UI: every item still left for review goes to its best candidate section (or
«Прочее»), recorded as the approver's decision, so a later re-map keeps it there; and a plan with
open mandated gaps (sections or items the old site never had) is approved only with --with-gaps,
which the event log records. Items that look like personal data of private persons (lists of
children, patients, birth dates, home addresses; 152-ФЗ) need a person's decision: a site with
such items undecided is refused, or, with --exclude-personal-data, they are excluded with the
reason and the site is approved without them (the admin can bring one back in the review UI).`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if o.Reason == "" {
				return &usageError{"--reason is required: it is written to the event log"}
			}
			return ledgerRun(cmd, g, "approve", &o, args, runApprove)
		},
	}
	o.Stage.addFlags(cmd.Flags())
	cmd.Flags().StringVar(&o.Reason, "reason", "", "why the sites are approved without review")
	cmd.Flags().BoolVar(&o.WithGaps, "with-gaps", false, "approve also sites whose mandated gaps are open (they are filled by hand on the portal)")
	cmd.Flags().BoolVar(&o.ExcludePersonal, "exclude-personal-data", false, "exclude the items that look like personal data and that no person decided on, instead of refusing the site")
	return cmd
}

func runApprove(ctx context.Context, g *globalOptions, o *approveCmd, args []string) error {
	return stageRun(ctx, g, "approve", &o.Stage, args, func([]*store.Org, *progress, mapping.Profiles) (batch, error) {
		return batch{steps: pipeline.ApproveSteps(pipeline.Approval{Note: o.Reason, WithGaps: o.WithGaps, ExcludePersonal: o.ExcludePersonal})}, nil
	})
}

// runCmd is perenos run.
type runCmd struct {
	Stage stageOptions
	Crawl crawlOptions
}

func (c *runCmd) prepare(g *globalOptions, in io.Reader, args []string) error {
	if err := c.Stage.prepare(g, in, args); err != nil {
		return err
	}
	return absPath(&c.Crawl.WARC)
}

func newRunCommand(g *globalOptions) *cobra.Command {
	var o runCmd
	cmd := &cobra.Command{
		Use:   "run [ORG...]",
		Short: "Crawl, extract and map a batch of sites",
		RunE:  func(cmd *cobra.Command, args []string) error { return ledgerRun(cmd, g, "run", &o, args, runRun) },
	}
	o.Stage.addFlags(cmd.Flags())
	o.Crawl.addFlags(cmd.Flags())
	return cmd
}

func runRun(ctx context.Context, g *globalOptions, o *runCmd, args []string) error {
	return stageRun(ctx, g, "run", &o.Stage, args, func(_ []*store.Org, prog *progress, profiles mapping.Profiles) (batch, error) {
		step, closeWARC, err := o.Crawl.step(prog)
		return batch{steps: pipeline.RunSteps(step, pipeline.Map{Profiles: profiles}), after: closeWARC}, err
	})
}

// runnerFor returns the runner a command runs its steps through: inside
// perenos serve, the server's one runner (so that every batch shares its
// politeness gates); otherwise one for this process.
func runnerFor(ctx context.Context, ws *store.Workspace, g *globalOptions) *pipeline.Runner {
	r := &pipeline.Runner{WS: ws, Actor: g.Actor, Log: g.log}
	if shared := sharedRunner(ctx); shared != nil {
		r.Gates = shared.gates()
	}
	return r
}

// serveRunner holds what every job of one perenos serve shares: the
// politeness gates, made from serve's crawl flags.
type serveRunner struct {
	g *crawler.Gates
}

func (s *serveRunner) gates() *crawler.Gates { return s.g }

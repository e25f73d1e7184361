package main

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"perenos/mapping"
	"perenos/pipeline"
	"perenos/portal"
	"perenos/store"
	"perenos/uploader"
)

// portalOptions say where uploads go. The tokens are read where the
// command is typed (prepare) and travel with the options, so that a
// command handed to perenos serve never reads the server's environment.
type portalOptions struct {
	URL         string
	Tokens      string
	Concurrency int
	// TokenMap is the portal site → token map read from Tokens or the
	// environment by prepare.
	TokenMap map[string]string `json:",omitempty"`
	// EnvToken is PERENOS_PORTAL_TOKEN as the client saw it.
	EnvToken string `json:",omitempty"`
	// Rate is the most requests a second to the portal, all sites together.
	Rate float64
}

func (o *portalOptions) addFlags(f *pflag.FlagSet) {
	f.StringVar(&o.URL, "portal", "", "base URL of the portal's import API (e.g. http://127.0.0.1:8090)")
	f.StringVar(&o.Tokens, "tokens", "", "CSV of portal_site,token (mode 600); or set PERENOS_PORTAL_TOKEN for a single site")
	f.IntVar(&o.Concurrency, "concurrency", 4, "objects uploaded at once per site")
	f.Float64Var(&o.Rate, "rate", 0, "most requests a second to the portal, all sites together (0: as fast as it answers)")
}

// prepare reads the tokens: the file named by --tokens, or the
// environment's PERENOS_PORTAL_TOKEN.
func (o *portalOptions) prepare() error {
	if o.URL == "" {
		return &usageError{"--portal is required: the base URL of the portal's import API"}
	}
	switch {
	case o.Tokens != "":
		t, err := uploader.LoadTokens(o.Tokens)
		if err != nil {
			return err
		}
		o.TokenMap = t
	case envToken() != "":
		o.EnvToken = envToken()
	default:
		return &usageError{"give the portal tokens with --tokens FILE (CSV portal_site,token) or PERENOS_PORTAL_TOKEN"}
	}
	return nil
}

func (o *portalOptions) target(orgs []*store.Org, prog uploader.Progress) (uploader.Target, error) {
	if o.TokenMap == nil && o.EnvToken == "" {
		if err := o.prepare(); err != nil {
			return nil, err
		}
	}
	tokens := o.TokenMap
	if o.EnvToken != "" {
		if len(orgs) != 1 {
			return nil, &usageError{"PERENOS_PORTAL_TOKEN serves a single site; use --tokens FILE for several"}
		}
		tokens = map[string]string{orgs[0].PortalSite: o.EnvToken}
	}
	for _, org := range orgs {
		if tokens[org.PortalSite] == "" {
			return nil, fmt.Errorf("no token for portal site %s (organisation %s) in the tokens file", org.PortalSite, org.ID)
		}
	}
	return uploader.NewPortal(o.URL, tokens, uploader.PortalOptions{Rate: uploader.NewRate(o.Rate, max(o.Concurrency, 1)), Retry: uploader.RetryOptions{Progress: prog}}), nil
}

// uploadOptions are the flags that shape an upload.
type uploadOptions struct {
	DryRun    bool
	Limit     int
	Only      []string
	Sync      bool
	Force     bool
	Retarget  bool
	MaxDelete int
	Global    int
}

func (u *uploadOptions) addFlags(f *pflag.FlagSet) {
	f.BoolVar(&u.DryRun, "dry-run", false, "print what would be created, updated, deleted or left alone, and send nothing")
	f.IntVar(&u.Limit, "limit", 0, "send at most N creates and updates per site (the rest waits for the next run)")
	f.StringSliceVar(&u.Only, "only", nil, "send only these collections: sections, pages, documents, news, records, files")
	f.BoolVar(&u.Sync, "sync", false, "also delete from the portal what perenos created and the plan no longer holds")
	f.BoolVar(&u.Force, "force", false, "send every item again, changed or not")
	f.BoolVar(&u.Retarget, "retarget", false, "make this portal the sites' target portal (recorded): the one their state, acts and redirects follow")
	f.IntVar(&u.MaxDelete, "max-delete", 20, "most deletes per site; a sync that needs more fails the site")
	f.IntVar(&u.Global, "global-concurrency", 32, "objects in flight across all sites")
}

func (u *uploadOptions) portal(t uploader.Target, concurrency int) (uploader.Portal, error) {
	var only []portal.Kind
	for _, k := range u.Only {
		kind := portal.Kind(strings.TrimSpace(k))
		if kind != portal.KindFile && !slices.Contains(portal.ObjectKinds, kind) {
			return uploader.Portal{}, &usageError{fmt.Sprintf("--only %q: want sections, pages, documents, news, records or files", k)}
		}
		only = append(only, kind)
	}
	if u.Limit < 0 || u.MaxDelete < 0 {
		return uploader.Portal{}, &usageError{"--limit and --max-delete cannot be negative"}
	}
	return uploader.Portal{Target: t, Retarget: u.Retarget,
		Plan: uploader.Options{Only: only, Limit: u.Limit, Sync: u.Sync, Force: u.Force},
		Exec: uploader.ExecOptions{Concurrency: concurrency, MaxDelete: u.MaxDelete, Global: uploader.NewLimiter(u.Global)}}, nil
}

// uploadCmd is perenos upload.
type uploadCmd struct {
	Stage  stageOptions
	Portal portalOptions
	Upload uploadOptions
}

func (c *uploadCmd) prepare(g *globalOptions, in io.Reader, args []string) error {
	if err := c.Stage.prepare(g, in, args); err != nil {
		return err
	}
	return c.Portal.prepare()
}

func newUploadCommand(g *globalOptions) *cobra.Command {
	var o uploadCmd
	cmd := &cobra.Command{
		Use:   "upload [ORG...]",
		Short: "Upload approved sites to the portal: only what is new or changed",
		Long: `Upload each approved site's plan through the portal's import API. Every item is sent under a
key derived from the organisation's ID and the item's path on its old site, so a re-run sends
only what is new or changed and never duplicates anything. What was sent is recorded per
portal, by the ID the portal reports (not its address): an upload to another, empty or restored
portal sends everything it lacks. The first upload records the site's target portal; an upload
to any other (a staging portal) leaves the site's state alone, until --retarget. Items that left
the plan are deleted only with --sync, never in a run that had failures, only if perenos created
them, and at most --max-delete per site. Transient failures are retried; permanent ones are
listed per item with what to change. A portal that cannot be reached stops the batch (exit 1)
and fails no site.`,
		RunE: func(cmd *cobra.Command, args []string) error { return ledgerRun(cmd, g, "upload", &o, args, runUpload) },
	}
	o.Stage.addFlags(cmd.Flags())
	o.Portal.addFlags(cmd.Flags())
	o.Upload.addFlags(cmd.Flags())
	return cmd
}

func runUpload(ctx context.Context, g *globalOptions, o *uploadCmd, args []string) error {
	return stageRun(ctx, g, "upload", &o.Stage, args, func(orgs []*store.Org, prog *progress, _ mapping.Profiles) (batch, error) {
		t, err := o.Portal.target(orgs, prog)
		if err != nil {
			return batch{}, err
		}
		pp, err := o.Upload.portal(t, o.Portal.Concurrency)
		if err != nil {
			return batch{}, err
		}
		pp.Exec.Progress = prog
		return batch{steps: []pipeline.Step{pipeline.Upload{Portal: pp, DryRun: o.Upload.DryRun}}}, nil
	})
}

// verifyCmd is perenos verify.
type verifyCmd struct {
	Stage  stageOptions
	Portal portalOptions
}

func (c *verifyCmd) prepare(g *globalOptions, in io.Reader, args []string) error {
	if err := c.Stage.prepare(g, in, args); err != nil {
		return err
	}
	return c.Portal.prepare()
}

func newVerifyCommand(g *globalOptions) *cobra.Command {
	var o verifyCmd
	cmd := &cobra.Command{
		Use:   "verify [ORG...]",
		Short: "Read uploaded sites back from the portal and compare them with the plan",
		RunE:  func(cmd *cobra.Command, args []string) error { return ledgerRun(cmd, g, "verify", &o, args, runVerify) },
	}
	o.Stage.addFlags(cmd.Flags())
	o.Portal.addFlags(cmd.Flags())
	return cmd
}

func runVerify(ctx context.Context, g *globalOptions, o *verifyCmd, args []string) error {
	return stageRun(ctx, g, "verify", &o.Stage, args, func(orgs []*store.Org, _ *progress, _ mapping.Profiles) (batch, error) {
		t, err := o.Portal.target(orgs, nil)
		if err != nil {
			return batch{}, err
		}
		return batch{steps: []pipeline.Step{pipeline.Verify{Portal: uploader.Portal{Target: t}}}}, nil
	})
}

package main

import (
	"context"
	"fmt"
	"os"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"perenos/pipeline"
	"perenos/store"
	"perenos/uploader"
)

// portalOptions say where uploads go.
type portalOptions struct {
	URL         string
	Tokens      string
	Concurrency int
}

func (o *portalOptions) addFlags(f *pflag.FlagSet) {
	f.StringVar(&o.URL, "portal", "", "base URL of the portal's import API (e.g. http://127.0.0.1:8090)")
	f.StringVar(&o.Tokens, "tokens", "", "CSV of portal_site,token (mode 600); or set PERENOS_PORTAL_TOKEN for a single site")
	f.IntVar(&o.Concurrency, "concurrency", 4, "objects uploaded at once per site")
}

func (o *portalOptions) target(orgs []*store.Org) (uploader.Target, error) {
	if o.URL == "" {
		return nil, &usageError{"--portal is required: the base URL of the portal's import API"}
	}
	var tokens map[string]string
	switch {
	case o.Tokens != "":
		t, err := uploader.LoadTokens(o.Tokens)
		if err != nil {
			return nil, err
		}
		tokens = t
	case os.Getenv("PERENOS_PORTAL_TOKEN") != "":
		if len(orgs) != 1 {
			return nil, &usageError{"PERENOS_PORTAL_TOKEN serves a single site; use --tokens FILE for several"}
		}
		tokens = map[string]string{orgs[0].PortalSite: os.Getenv("PERENOS_PORTAL_TOKEN")}
	default:
		return nil, &usageError{"give the portal tokens with --tokens FILE (CSV portal_site,token) or PERENOS_PORTAL_TOKEN"}
	}
	for _, org := range orgs {
		if tokens[org.PortalSite] == "" {
			return nil, fmt.Errorf("no token for portal site %s (organisation %s) in the tokens file", org.PortalSite, org.ID)
		}
	}
	return uploader.NewClient(o.URL, tokens, uploader.ClientOptions{}), nil
}

func newUploadCommand(g *globalOptions) *cobra.Command {
	var o stageOptions
	var p portalOptions
	var dry bool
	cmd := &cobra.Command{
		Use:   "upload [ORG...]",
		Short: "Upload approved sites to the portal: only what is new or changed",
		RunE: func(cmd *cobra.Command, args []string) error {
			return stageRun(cmd.Context(), g, "upload", &o, args, func(ctx context.Context, env *pipeline.Env, orgs []*store.Org) (*pipeline.Result, error) {
				t, err := p.target(orgs)
				if err != nil {
					return nil, err
				}
				return env.Upload(ctx, orgs, pipeline.Portal{Target: t, Options: uploader.Options{Concurrency: p.Concurrency, DryRun: dry}}), nil
			})
		},
	}
	o.addFlags(cmd.Flags())
	p.addFlags(cmd.Flags())
	cmd.Flags().BoolVar(&dry, "dry-run", false, "say what would be created, updated or left alone, and send nothing")
	return cmd
}

func newVerifyCommand(g *globalOptions) *cobra.Command {
	var o stageOptions
	var p portalOptions
	cmd := &cobra.Command{
		Use:   "verify [ORG...]",
		Short: "Read uploaded sites back from the portal and compare them with the plan",
		RunE: func(cmd *cobra.Command, args []string) error {
			return stageRun(cmd.Context(), g, "verify", &o, args, func(ctx context.Context, env *pipeline.Env, orgs []*store.Org) (*pipeline.Result, error) {
				t, err := p.target(orgs)
				if err != nil {
					return nil, err
				}
				return env.Verify(ctx, orgs, pipeline.Portal{Target: t}), nil
			})
		},
	}
	o.addFlags(cmd.Flags())
	p.addFlags(cmd.Flags())
	return cmd
}

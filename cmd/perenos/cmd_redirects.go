package main

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"perenos/store"
	"perenos/uploader"
)

// redirectsOptions are the flags of redirects.
type redirectsOptions struct {
	Format string
	Base   string
}

func newRedirectsCommand(g *globalOptions) *cobra.Command {
	var o redirectsOptions
	cmd := &cobra.Command{
		Use:   "redirects ORG [--portal-url URL]",
		Short: "Export the map from every old URL of a site to its new portal URL (csv or nginx)",
		Long: `Print, for every old URL the plan migrates (each once; a copy or print version where its original
went; nothing for items with no old URL), its public address on the new site: as CSV
(from,to,kind), or as an nginx snippet that answers 301 for each old address, for the day the
organisation's domain is pointed at the portal. The addresses are on the site's target portal
unless --portal-url names another.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if !slices.Contains(uploader.RedirectFormats, o.Format) {
				return &usageError{fmt.Sprintf("--format %q: want one of %s", o.Format, strings.Join(uploader.RedirectFormats, ", "))}
			}
			return ledgerRun(cmd, g, "redirects", &o, args, runRedirects)
		},
	}
	cmd.Flags().StringVar(&o.Format, "format", "csv", "csv or nginx")
	cmd.Flags().StringVar(&o.Base, "portal-url", "", "the portal's public base URL (default: the site's target portal's, recorded by its first upload)")
	return cmd
}

func runRedirects(ctx context.Context, g *globalOptions, o *redirectsOptions, args []string) error {
	ws, org, unlock, err := openOrg(ctx, g, "redirects", args[0])
	if err != nil {
		return err
	}
	defer unlock()
	if !onPortal(org) {
		return fmt.Errorf("organisation %s is %s: its content is not on its portal (never uploaded, or rolled back), so old addresses have nowhere to go; upload it first (perenos upload %s)", org.ID, org.State, org.ID)
	}
	rs, err := uploader.SiteRedirects(ws, org, strings.TrimSuffix(o.Base, "/"))
	if err != nil {
		return err
	}
	return uploader.WriteRedirects(g.out, o.Format, rs)
}

// onPortal reports whether a site's content is on its target portal: it
// was uploaded and not rolled back since (a site that failed after its
// upload, at verify or at its act, still is).
func onPortal(o *store.Org) bool {
	switch o.State {
	case store.Uploaded, store.Verified, store.ActIssued, store.ActSigned:
		return true
	case store.Failed:
		return o.FailedAt == store.StageVerify || o.FailedAt == store.StageAct || o.FailedAt == store.StageSign
	}
	return false
}

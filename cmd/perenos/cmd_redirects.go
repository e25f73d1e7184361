package main

import (
	"context"
	"fmt"
	"io"
	gonet "net"
	"net/url"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"perenos/crawler"
	"perenos/pipeline"
	"perenos/store"
	"perenos/uploader"
	"perenos/urlaudit"
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
	cmd.AddCommand(newRedirectsCheckCommand(g))
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

// redirectsCheckOptions are the flags of redirects check.
type redirectsCheckOptions struct {
	Output       formatFlag
	Via          string
	AllowPrivate bool
}

func (o *redirectsCheckOptions) prepare(g *globalOptions, in io.Reader, args []string) error {
	return o.Output.resolve("text", "json")
}

func newRedirectsCheckCommand(g *globalOptions) *cobra.Command {
	var o redirectsCheckOptions
	cmd := &cobra.Command{
		Use:   "check ORG",
		Short: "After the domain switch, ask every old URL whether its 301 lands on the right new page",
		Long: `Fetch every old URL of the site's redirect map, as a browser would once the organisation's domain
points at the portal: each must answer a permanent redirect (301 or 308) whose Location is the
item's new address, and that address must answer 200. --via HOST:PORT sends the requests for the
old domain to that address instead of where DNS says (to check the nginx in front of the
portal before the switch). The address guard of the crawl applies: internal addresses are
refused unless --allow-private.

EXIT STATUS
  0  every old address lands where the map says
  3  some do not (listed)`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return ledgerRun(cmd, g, "redirects check", &o, args, runRedirectsCheck)
		},
	}
	o.Output.addFlags(cmd.Flags(), "text", "json")
	cmd.Flags().StringVar(&o.Via, "via", "", "send the old domain's requests to this HOST:PORT")
	cmd.Flags().BoolVar(&o.AllowPrivate, "allow-private", false, "allow loopback and private addresses (for a local check only)")
	return cmd
}

func runRedirectsCheck(ctx context.Context, g *globalOptions, o *redirectsCheckOptions, args []string) error {
	ws, org, unlock, err := openOrg(ctx, g, "redirects check", args[0])
	if err != nil {
		return err
	}
	defer unlock()
	if !onPortal(org) {
		return fmt.Errorf("organisation %s is %s: its content is not on its portal, so there is nothing to redirect to; upload it first (perenos upload %s)", org.ID, org.State, org.ID)
	}
	rs, err := uploader.SiteRedirects(ws, org, "")
	if err != nil {
		return err
	}
	net := crawler.NetOptions{AllowPrivate: o.AllowPrivate}
	if o.Via != "" {
		old := ""
		if u, err := url.Parse(org.LegacyURL); err == nil {
			old = u.Host
		}
		net.Resolve = func(hostport string) string {
			if h, _, err := gonet.SplitHostPort(hostport); err == nil && (hostport == old || h == old || strings.TrimPrefix(h, "www.") == strings.TrimPrefix(old, "www.")) {
				return o.Via
			}
			return hostport
		}
	}
	client, err := crawler.NewClient(net)
	if err != nil {
		return err
	}
	checks, err := urlaudit.CheckRedirects(ctx, client, rs)
	if err != nil {
		return err
	}
	bad := 0
	for _, c := range checks {
		if !c.OK {
			bad++
		}
	}
	if o.Output.Format == "json" {
		if err := printJSON(g.out, map[string]any{"org": org.ID, "checked": len(checks), "failed": bad, "redirects": checks}); err != nil {
			return err
		}
	} else {
		for _, c := range checks {
			if !c.OK {
				fmt.Fprintf(g.out, "FAIL %s: %s\n", c.From, c.Why)
			}
		}
		fmt.Fprintf(g.out, "%d old addresses checked: %d land on their new page, %d do not\n", len(checks), len(checks)-bad, bad)
	}
	if bad > 0 {
		return fmt.Errorf("%w: %d of %d old addresses of %s do not land on their new page", pipeline.ErrSomeFailed, bad, len(checks), org.ID)
	}
	return nil
}

package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"perenos/pipeline"
	"sync"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"perenos/crawler"
	"perenos/handoff"
	"perenos/mapping"
	"perenos/report"
	"perenos/review"
	"perenos/review/ledger"
	"perenos/store"
	"perenos/uploader"
)

// serveOptions are the flags of perenos serve.
type serveOptions struct {
	Addr          string
	PublicURL     string
	TLSCert       string
	TLSKey        string
	BehindProxy   bool
	Profiles      string
	SitesParallel int
	Roadmap       string
	SiteURL       string
	MemoryLimit   int
	portal        portalOptions
	crawl         crawlOptions
	flags         *pflag.FlagSet
}

func (o *serveOptions) addFlags(f *pflag.FlagSet) {
	f.StringVar(&o.Addr, "addr", "127.0.0.1:8080", "address to listen on")
	f.StringVar(&o.PublicURL, "public-url", "", "address people reach the server at, written into invitation links (default http(s)://ADDR)")
	f.StringVar(&o.TLSCert, "tls-cert", "", "TLS certificate file (PEM); with --tls-key serves HTTPS")
	f.StringVar(&o.TLSKey, "tls-key", "", "TLS private key file (PEM)")
	f.BoolVar(&o.BehindProxy, "behind-proxy", false, "a reverse proxy terminates TLS in front: trust its X-Forwarded-For")
	f.StringVar(&o.Profiles, "profiles", "", "folder of profile files overriding the built-in mandated structures")
	f.IntVar(&o.SitesParallel, "sites-parallel", 8, "sites worked on at once by jobs started from the web UI")
	f.IntVar(&o.MemoryLimit, "memory-limit-mib", pipeline.DefaultMemoryLimitMiB, "soft limit on the memory the process's heap holds, in MiB, for the server and the jobs it runs, as the batch commands set it (0: none; without the flag a GOMEMLIMIT in the environment is kept)")
	o.flags = f
	f.StringVar(&o.Roadmap, "roadmap", "", "roadmap the operator's report at /report compares with: a built-in one or a YAML file")
	f.StringVar(&o.SiteURL, "site-url", report.DefaultSiteURL, "address of a new site on the portal in acts issued from the web UI; {site} is replaced by its portal site ID")
	o.portal.addFlags(f)
	o.crawl.addFlags(f)
}

func newServeCommand(g *globalOptions) *cobra.Command {
	var o serveOptions
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Run the review web UI and the batch jobs started from it",
		Long: `Run the web UI in which organisation admins review and approve their site's plan and the
operator watches every site of the region and starts batch stages. The process holds the
workspace; while it runs, stage commands (crawl, extract, map, approve, upload, ...) typed in
another terminal hand their job to it over an owner-only socket in the workspace folder and
show its progress.

Operators log in with a password set by perenos users add; admins enter through a link from
perenos invite. Operators also find in the web UI what these commands do: invitations per
organisation, operator accounts, the acts of each site (issue, sign with the scan, unsign, void,
download) and the event log, per site and for the whole region.

EXIT STATUS
  0   stopped by a signal
  1   error
  11  the workspace is locked by another perenos process`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runServe(cmd.Context(), &o, g)
		},
	}
	o.addFlags(cmd.Flags())
	return cmd
}

func runServe(ctx context.Context, o *serveOptions, g *globalOptions) error {
	if (o.TLSCert == "") != (o.TLSKey == "") {
		return &usageError{"--tls-cert and --tls-key go together"}
	}
	restore, _ := pipeline.SetMemoryLimit(o.MemoryLimit, o.flags != nil && o.flags.Changed("memory-limit-mib"))
	defer restore()
	scheme := "http"
	if o.TLSCert != "" {
		scheme = "https"
	}
	public := o.PublicURL
	if public == "" {
		public = scheme + "://" + o.Addr
	}
	pu, err := url.Parse(public)
	if err != nil || (pu.Scheme != "http" && pu.Scheme != "https") || pu.Host == "" {
		return &usageError{fmt.Sprintf("--public-url %q: want an http:// or https:// address", public)}
	}
	if host, _, err := net.SplitHostPort(o.Addr); err == nil && scheme == "http" && !o.BehindProxy {
		if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
			g.log.Warn("serving plain HTTP beyond loopback: passwords and invitation links travel unencrypted; use --tls-cert/--tls-key or --behind-proxy")
		}
	}
	ws, unlock, err := openWorkspace(ctx, g, "serve")
	if err != nil {
		return err
	}
	defer unlock()
	profiles, err := mapping.LoadProfiles(o.Profiles)
	if err != nil {
		return err
	}
	crawlOpts := o.crawl.crawler()
	shared := &serveRunner{g: crawler.NewGates()}
	src := &ledger.Source{WS: ws, Profiles: profiles, Log: g.log, Crawl: crawlOpts, SitesParallel: o.SitesParallel, Gates: shared.g}
	if o.portal.URL != "" {
		src.Target = func(orgs []*store.Org) (uploader.Target, error) { return o.portal.target(orgs, nil) }
	}
	var rm *report.Roadmap
	if o.Roadmap != "" {
		if rm, err = report.LoadRoadmap(o.Roadmap); err != nil {
			return err
		}
	}
	// Times in the UI are the region's: the workspace's zone (perenos
	// config tz, which the server reads at every request), else the
	// roadmap's, else the machine's.
	loc := time.Local
	if rm != nil && rm.Location() != nil {
		loc = rm.Location()
	}
	srv, err := review.NewServer(ctx, review.Config{WS: ws, Backend: src, PublicURL: public, SecureCookies: pu.Scheme == "https", Location: loc,
		BehindProxy: o.BehindProxy, Log: g.log, Report: report.Handler(ws, rm),
		Acts: &webActs{ws: ws, opt: report.ActOptions{SiteURL: o.SiteURL}}})
	if err != nil {
		return err
	}
	if n, err := ws.PruneSessions(ws.Now()); err == nil && n > 0 {
		g.log.Info("expired sessions removed", "count", n)
	}
	if users, _ := ws.Users(); len(users) == 0 {
		fmt.Fprintln(g.errOut, "no operator account yet: add one with perenos users add NAME")
	}

	// The web UI listens first: once the command socket answers, the
	// server is up.
	ln, err := net.Listen("tcp", o.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", o.Addr, err)
	}
	defer ln.Close()
	sock, err := handoff.Listen(ws.Dir)
	switch {
	case errors.Is(err, handoff.ErrUnsupported):
		fmt.Fprintf(g.errOut, "%v: while this server runs, other perenos commands on this workspace say it is locked\n", err)
	case err != nil:
		return err
	}
	var handed sync.WaitGroup
	defer func() { // the workspace closes only after every command using it has stopped
		if sock != nil {
			sock.Close()
		}
		handed.Wait()
		srv.Wait()
	}()
	if sock != nil {
		handed.Go(func() {
			handoff.Serve(ctx, sock, serveHandedCommands(ws, shared, g.log), func(err error) { g.log.Warn("handed command", "err", err) })
		})
	}

	hs := &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute, ErrorLog: nil}
	errc := make(chan error, 1)
	go func() {
		if o.TLSCert != "" {
			errc <- hs.ServeTLS(ln, o.TLSCert, o.TLSKey)
		} else {
			errc <- hs.Serve(ln)
		}
	}()
	fmt.Fprintf(g.out, "review UI at %s (listening on %s); other perenos commands on this workspace run here, handed over %s\n", public, ln.Addr(), handoff.Path(ws.Dir))
	select {
	case err := <-errc:
		return fmt.Errorf("web server: %w", err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_ = hs.Shutdown(sctx)
	return nil
}

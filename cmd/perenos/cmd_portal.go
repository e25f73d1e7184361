package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"perenos/portal"
	"perenos/portal/server"
)

func newPortalCommand(g *globalOptions) *cobra.Command {
	cmd := &cobra.Command{Use: "portal", Short: "The reference portal: a real server implementing the import API"}
	cmd.AddCommand(newPortalServeCommand(g))
	return cmd
}

type portalServeOptions struct {
	Addr      string
	Data      string
	Tokens    string
	Rate      float64
	Burst     int
	FailRate  float64
	ResetRate float64
	SlowRate  float64
	Latency   time.Duration
	Slow      time.Duration
}

func newPortalServeCommand(g *globalOptions) *cobra.Command {
	var o portalServeOptions
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Run the reference portal (import API, and each site rendered under /sites/)",
		Long: `Run the reference portal: the import API under /api/v1/ with per-site bearer tokens, its own
bbolt storage, rate limits and optional fault injection, and every site's content rendered as
plain HTML under /sites/{site}/ for people to look at.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error { return runPortalServe(cmd.Context(), g, o) },
	}
	f := cmd.Flags()
	f.StringVar(&o.Addr, "addr", "127.0.0.1:8090", "address to listen on")
	f.StringVar(&o.Data, "data", "portal-data", "folder of the portal's storage")
	f.StringVar(&o.Tokens, "tokens", "", "CSV of portal_site,token (default DATA/tokens.csv)")
	f.Float64Var(&o.Rate, "rate", 0, "requests per second allowed per token (0: unlimited)")
	f.IntVar(&o.Burst, "burst", 20, "burst allowed above --rate")
	f.Float64Var(&o.FailRate, "fail-rate", 0, "fraction of API requests answered 503 (fault injection)")
	f.Float64Var(&o.ResetRate, "reset-rate", 0, "fraction of API requests whose connection is dropped")
	f.Float64Var(&o.SlowRate, "slow-rate", 0, "fraction of API requests answered slowly")
	f.DurationVar(&o.Latency, "latency", 0, "latency added to every API request")
	f.DurationVar(&o.Slow, "slow-latency", 5*time.Second, "latency of the slow requests")
	return cmd
}

func runPortalServe(ctx context.Context, g *globalOptions, o portalServeOptions) error {
	if o.Tokens == "" {
		o.Tokens = filepath.Join(o.Data, "tokens.csv")
	}
	f, err := os.Open(o.Tokens)
	if err != nil {
		return fmt.Errorf("tokens: %w (write a CSV of portal_site,token)", err)
	}
	tokens, err := portal.ReadTokens(f)
	f.Close()
	if err != nil {
		return fmt.Errorf("tokens file %s: %w", o.Tokens, err)
	}
	ln, err := net.Listen("tcp", o.Addr)
	if err != nil {
		return err
	}
	srv, err := server.NewServer(server.Config{
		DataFile: filepath.Join(o.Data, "portal.db"), Tokens: tokens, BaseURL: "http://" + ln.Addr().String(),
		RatePerSecond: o.Rate, Burst: o.Burst,
		Faults: server.Faults{FailRate: o.FailRate, ResetRate: o.ResetRate, SlowRate: o.SlowRate, Latency: o.Latency, SlowLatency: o.Slow},
	})
	if err != nil {
		ln.Close()
		return err
	}
	defer srv.Close()
	hs := &http.Server{Handler: srv.Handler(), ReadHeaderTimeout: 10 * time.Second}
	fmt.Fprintf(g.out, "reference portal on http://%s/ (sites under /sites/{site}/, API under /api/v1/)\n", ln.Addr())
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		hs.Shutdown(sctx)
	}()
	if err := hs.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

package main

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"perenos/pipeline"
	"perenos/report/binding"
)

type domainOptions struct {
	Sel        selectorOptions
	PortalHost string
	Resolver   string
	Timeout    time.Duration
	Bound      bool
	Reason     string
	JSON       bool
}

func (o *domainOptions) addFlags(f *pflag.FlagSet) {
	o.Sel.addFlags(f)
	f.StringVar(&o.PortalHost, "portal-host", binding.DefaultPortalHost, "host the old domain must point at (CNAME, or the same A/AAAA); {site} is replaced by the portal site ID")
	f.StringVar(&o.Resolver, "resolver", "", "DNS server to ask, host:port (default the first nameserver of /etc/resolv.conf)")
	f.DurationVar(&o.Timeout, "timeout", 3*time.Second, "time allowed for each DNS answer")
	f.BoolVar(&o.Bound, "bound", false, "record the domain as bound by hand, without asking DNS (needs --reason)")
	f.StringVar(&o.Reason, "reason", "", "why the binding is recorded by hand (with --bound)")
	f.BoolVar(&o.JSON, "json", false, "print the result as JSON")
}

func newDomainCommand(g *globalOptions) *cobra.Command {
	var o domainOptions
	cmd := &cobra.Command{
		Use:   "domain [ORG...]",
		Short: "Check whether organisations' old domains point at their new portal sites",
		Long: `Check in DNS whether each organisation's old domain (the host of its legacy_url) now points
at its site on the portal: a CNAME chain that reaches --portal-host, or A/AAAA records that are
all the portal host's. The result is recorded in the ledger and the event log, where the report's
domain_bound metric counts it. --bound --reason records a binding by hand.

EXIT STATUS
  0  every domain was checked (bound or not)
  3  some lookups failed (no answer from the resolver); the others were recorded`,
		RunE: func(cmd *cobra.Command, args []string) error { return ledgerRun(cmd, g, "domain", &o, args, runDomain) },
	}
	o.addFlags(cmd.Flags())
	return cmd
}

func runDomain(ctx context.Context, g *globalOptions, o *domainOptions, args []string) error {
	if o.Bound != (o.Reason != "") {
		return &usageError{"--bound and --reason go together: a binding recorded by hand needs its reason"}
	}
	ws, unlock, err := openWorkspace(ctx, g, "domain")
	if err != nil {
		return err
	}
	defer unlock()
	orgs, err := pipeline.Select(ws, pipeline.Selector{IDs: args, All: o.Sel.All, Type: o.Sel.Type, District: o.Sel.District, State: o.Sel.State})
	if err != nil {
		return &usageError{err.Error()}
	}
	opt := binding.Options{Resolver: o.Resolver, PortalHost: o.PortalHost, Timeout: o.Timeout}
	outs := binding.CheckAll(ctx, ws, orgs, opt, o.Reason, g.Actor)
	failed, skipped := 0, 0
	for _, oc := range outs {
		switch {
		case oc.Error != "":
			failed++
		case oc.Skipped != "":
			skipped++
		}
	}
	if o.JSON {
		if err := printJSON(g.out, outs); err != nil {
			return err
		}
	} else {
		for _, oc := range outs {
			switch {
			case oc.Error != "":
				fmt.Fprintf(g.errOut, "%s  lookup failed: %s\n", oc.Org, oc.Error)
			case oc.Skipped != "" && len(args) > 0:
				fmt.Fprintf(g.out, "%s  skipped: %s\n", oc.Org, oc.Skipped)
			case oc.Result != nil && oc.Result.Bound:
				fmt.Fprintf(g.out, "%s  %s  bound (%s): %s\n", oc.Org, oc.Result.Domain, oc.Result.Via, oc.Result.Detail)
			case oc.Result != nil:
				fmt.Fprintf(g.out, "%s  %s  not bound: %s\n", oc.Org, oc.Result.Domain, oc.Result.Detail)
			}
		}
		if skipped > 0 && len(args) == 0 {
			fmt.Fprintf(g.out, "%d organisations without a legacy site skipped\n", skipped)
		}
	}
	if failed > 0 {
		return fmt.Errorf("%w: %d of %d domain lookups failed (check --resolver)", pipeline.ErrSomeFailed, failed, len(outs))
	}
	return nil
}

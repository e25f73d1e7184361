package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"perenos/pipeline"
	"perenos/review"
	"perenos/sheet"
	"perenos/termtext"
)

// inviteOptions are the flags of perenos invite.
type inviteOptions struct {
	Sel       selectorOptions
	PublicURL string
	TTL       time.Duration
	Out       string
	Revoke    bool
	ID        string
	List      bool
}

func (o *inviteOptions) addFlags(f *pflag.FlagSet) {
	o.Sel.addFlags(f)
	f.StringVar(&o.PublicURL, "public-url", "http://127.0.0.1:8080", "address of perenos serve as people reach it (its --public-url)")
	f.DurationVar(&o.TTL, "ttl", 14*24*time.Hour, "how long the invitation stays valid")
	f.StringVarP(&o.Out, "out", "o", "", "write the invitations as CSV (org,name,link,expires) to this file (mode 600) instead of printing them")
	f.BoolVar(&o.Revoke, "revoke", false, "revoke the organisations' invitations (or the one --id names) instead of issuing new ones")
	f.StringVar(&o.ID, "id", "", "with --revoke: only the invitation with this ID")
	f.BoolVar(&o.List, "list", false, "list the organisations' invitations instead of issuing new ones")
}

func newInviteCommand(g *globalOptions) *cobra.Command {
	var o inviteOptions
	cmd := &cobra.Command{
		Use:   "invite [ORG...]",
		Short: "Issue invitation links for organisation admins to review their site",
		Long: `Issue an invitation link per organisation: whoever opens it reviews that organisation's
site in perenos serve, and nothing else. Only a hash of the link's secret is kept, so a lost
link cannot be shown again: issue a new one, and revoke the old with --revoke.

  perenos invite 3801012345
  perenos invite --all --out invites.csv
  perenos invite --revoke 3801012345`,
		RunE: func(cmd *cobra.Command, args []string) error { return ledgerRun(cmd, g, "invite", &o, args, runInvite) },
	}
	o.addFlags(cmd.Flags())
	return cmd
}

func (o *inviteOptions) prepare(g *globalOptions, in io.Reader, args []string) error {
	return absPath(&o.Out)
}

func runInvite(ctx context.Context, g *globalOptions, o *inviteOptions, args []string) error {
	ws, unlock, err := openWorkspace(ctx, g, "invite")
	if err != nil {
		return err
	}
	defer unlock()
	orgs, err := pipeline.Select(ws, o.Sel.selector(args))
	if err != nil {
		return &usageError{err.Error()}
	}
	switch {
	case o.Revoke:
		total := 0
		for _, org := range orgs {
			n, err := ws.RevokeInvitations(g.Actor, org.ID, o.ID)
			if err != nil {
				return err
			}
			total += n
		}
		fmt.Fprintf(g.out, "%d invitations revoked\n", total)
		return nil
	case o.List:
		for _, org := range orgs {
			invs, err := ws.Invitations(org.ID)
			if err != nil {
				return err
			}
			for _, inv := range invs {
				state := "valid"
				if err := inv.Usable(ws.Now()); err != nil {
					state = err.Error()
				}
				fmt.Fprintf(g.out, "%s\t%s\t%s\tuntil %s\t%s\n", org.ID, inv.ID, termtext.Line(inv.CreatedBy), inv.Expires.Format(time.RFC3339), state)
			}
		}
		return nil
	}
	var out io.Writer = g.out
	var f *os.File
	if o.Out != "" {
		f, err = os.OpenFile(o.Out, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
		if err != nil {
			return fmt.Errorf("invitations file: %w", err)
		}
		defer f.Close()
		out = f
	}
	// the file goes through sheet, which neutralises names that a
	// spreadsheet would run as formulas
	cw := sheet.NewCSV(out, sheet.CSVOptions{})
	if f != nil {
		cw.Row(sheet.Texts("org", "name", "link", "expires")...)
	}
	for _, org := range orgs {
		link, inv, err := review.Invite(ws, o.PublicURL, org.ID, g.Actor, o.TTL)
		if err != nil {
			return err
		}
		if f == nil {
			fmt.Fprintf(g.out, "%s\t%s\t%s\n", org.ID, link, termtext.Line(org.Name))
			continue
		}
		cw.Row(sheet.Text(org.ID), sheet.Text(org.Name), sheet.Text(link), sheet.DateTime(inv.Expires))
	}
	if err := cw.Close(); err != nil {
		return fmt.Errorf("write %s: %w", o.Out, err)
	}
	if f != nil {
		if err := f.Close(); err != nil {
			return fmt.Errorf("write %s: %w", o.Out, err)
		}
		fmt.Fprintf(g.out, "%d invitations written to %s; each link is secret, send it to that organisation only\n", len(orgs), o.Out)
	}
	return nil
}

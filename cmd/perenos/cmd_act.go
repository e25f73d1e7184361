package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"perenos/pipeline"
	"perenos/report"
)

func newActCommand(g *globalOptions) *cobra.Command {
	cmd := &cobra.Command{Use: "act", Short: "Issue, sign and show the completion acts of migrated sites"}
	cmd.AddCommand(newActIssueCommand(g), newActSignCommand(g), newActShowCommand(g))
	return cmd
}

// actFileOptions say where acts go and how they print dates and addresses.
type actFileOptions struct {
	SiteURL string
	Dir     string
	TZ      string
}

func (o *actFileOptions) addFlags(f *pflag.FlagSet) {
	f.StringVar(&o.SiteURL, "site-url", report.DefaultSiteURL, "address of a new site on the portal; {site} is replaced by its portal site ID")
	f.StringVar(&o.Dir, "dir", "", "folder for act files (default <home>/acts)")
	f.StringVar(&o.TZ, "tz", "", "time zone of the dates on acts, e.g. Asia/Irkutsk (default the machine's)")
}

func (o *actFileOptions) options(g *globalOptions) (report.ActOptions, error) {
	opt := report.ActOptions{SiteURL: o.SiteURL, Dir: o.Dir, Actor: g.Actor}
	if o.TZ != "" {
		loc, err := time.LoadLocation(o.TZ)
		if err != nil {
			return opt, &usageError{fmt.Sprintf("--tz %q: %v", o.TZ, err)}
		}
		opt.Location = loc
	}
	return opt, nil
}

type actIssueOptions struct {
	Sel   selectorOptions
	Files actFileOptions
	JSON  bool
}

func newActIssueCommand(g *globalOptions) *cobra.Command {
	var o actIssueOptions
	cmd := &cobra.Command{
		Use:   "issue [ORG...]",
		Short: "Issue the completion act of verified sites (PDF and HTML)",
		Long: `Issue «Акт о завершении миграции контента» for each verified site: the act is written as PDF
and HTML under <home>/acts with the manifest of everything migrated, recorded in the ledger, and
the site moves to act_issued. Acts are numbered per region (38-0001); a site re-migrated after
its act gets the next version of the same act. With --all or the selectors, sites that are not
verified are left alone and all new acts are also written into one printable PDF.

EXIT STATUS
  0  acts issued
  1  a named site is not verified, or another error
  3  some acts could not be issued (the others were)`,
		RunE: func(cmd *cobra.Command, args []string) error {
			return ledgerRun(cmd, g, "act issue", &o, args, runActIssue)
		},
	}
	o.Sel.addFlags(cmd.Flags())
	o.Files.addFlags(cmd.Flags())
	cmd.Flags().BoolVar(&o.JSON, "json", false, "print the result as JSON")
	return cmd
}

func (o *actIssueOptions) prepare(g *globalOptions, in io.Reader, args []string) error {
	return absPath(&o.Files.Dir)
}

func runActIssue(ctx context.Context, g *globalOptions, o *actIssueOptions, args []string) error {
	opt, err := o.Files.options(g)
	if err != nil {
		return err
	}
	ws, unlock, err := openWorkspace(ctx, g, "act issue")
	if err != nil {
		return err
	}
	defer unlock()
	orgs, err := pipeline.Select(ws, o.Sel.selector(args))
	if err != nil {
		return &usageError{err.Error()}
	}
	named := len(args) > 0
	res, err := report.IssueActs(ctx, ws, orgs, !named || len(args) > 1, opt)
	if err != nil {
		return err
	}
	if o.JSON {
		if err := printJSON(g.out, res); err != nil {
			return err
		}
	} else {
		for _, ia := range res.Issued {
			if ia.Unchanged {
				fmt.Fprintf(g.out, "%s  акт № %s, версия %d stands: the site was migrated again with the same content (%s)\n", ia.Act.Org, ia.Act.Number, ia.Act.Version, ia.Act.PDF)
				continue
			}
			fmt.Fprintf(g.out, "%s  акт № %s, версия %d: %s (%d items, manifest sha256 %s)\n", ia.Act.Org, ia.Act.Number, ia.Act.Version, ia.Act.PDF, ia.Act.Items, ia.Act.ManifestSHA256)
			if p := ia.Supersede; p != nil {
				state := "unsigned"
				if p.Signature != nil {
					state = fmt.Sprintf("signed by %s on %s", p.Signature.SignedBy, p.Signature.Date)
				}
				fmt.Fprintf(g.out, "    version %d replaces version %d (%s) after the site was migrated again; the act says so\n", ia.Act.Version, p.Version, state)
			}
		}
		single := named && len(orgs) == 1 // its error is the command's error
		for _, s := range res.Failed {
			if !single {
				fmt.Fprintf(g.errOut, "%s  not issued: %s\n", s.Org, s.Reason)
			}
		}
		if single {
			// nothing more to say
		} else if named {
			for _, s := range res.Skipped {
				fmt.Fprintf(g.errOut, "%s  not issued: %s\n", s.Org, s.Reason)
			}
		} else if len(res.Skipped) > 0 {
			fmt.Fprintf(g.out, "%d sites left alone: not verified\n", len(res.Skipped))
		}
		if res.Combined != "" {
			fmt.Fprintf(g.out, "all %d new acts in one file for printing: %s\n", len(res.Issued), res.Combined)
		}
		if len(res.Issued) == 0 && len(res.Failed) == 0 && !named {
			fmt.Fprintln(g.out, "no verified site waits for an act")
		}
	}
	switch {
	case named && len(orgs) == 1 && len(res.Skipped) == 1:
		return errors.New(res.Skipped[0].Reason)
	case named && len(orgs) == 1 && len(res.Failed) == 1:
		return errors.New(res.Failed[0].Reason)
	case named && len(res.Skipped) > 0:
		return fmt.Errorf("%d of the named sites are not verified; no act issued for them", len(res.Skipped))
	case len(res.Failed) > 0:
		return fmt.Errorf("%w: %d acts not issued", pipeline.ErrSomeFailed, len(res.Failed))
	}
	return nil
}

type actSignOptions struct {
	SignedBy string
	Date     string
	Scan     string
	Files    actFileOptions
	JSON     bool
}

func (o *actSignOptions) prepare(g *globalOptions, in io.Reader, args []string) error {
	if err := absPath(&o.Scan); err != nil {
		return err
	}
	return absPath(&o.Files.Dir)
}

func newActSignCommand(g *globalOptions) *cobra.Command {
	var o actSignOptions
	cmd := &cobra.Command{
		Use:   "sign ORG --signed-by NAME --date DATE --scan FILE",
		Short: "Record the signature of a site's act",
		Long: `Record that the site's current act was signed on paper: who signed, the date on the paper,
and the SHA-256 of the scanned signed act (a copy is kept beside the act). The site moves to
act_signed. A signed act cannot change: signing it again is refused, and a site migrated again
afterwards gets a new version of the act.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return ledgerRun(cmd, g, "act sign", &o, args, runActSign)
		},
	}
	cmd.Flags().StringVar(&o.SignedBy, "signed-by", "", "who signed for the organisation (e.g. «Иванова А. П., директор»)")
	cmd.Flags().StringVar(&o.Date, "date", "", "the date on the signed act, YYYY-MM-DD or DD.MM.YYYY")
	cmd.Flags().StringVar(&o.Scan, "scan", "", "the scanned signed act (PDF or image)")
	cmd.Flags().StringVar(&o.Files.Dir, "dir", "", "folder of the act files (default <home>/acts)")
	cmd.Flags().StringVar(&o.Files.TZ, "tz", "", "time zone the date is in (default the machine's)")
	cmd.Flags().BoolVar(&o.JSON, "json", false, "print the recorded act as JSON")
	return cmd
}

func runActSign(ctx context.Context, g *globalOptions, o *actSignOptions, args []string) error {
	org := args[0]
	switch {
	case o.SignedBy == "":
		return &usageError{"--signed-by is required: who signed the act for the organisation"}
	case o.Date == "":
		return &usageError{"--date is required: the date on the signed act"}
	case o.Scan == "":
		return &usageError{"--scan is required: the scanned signed act, whose SHA-256 is recorded"}
	}
	opt, err := o.Files.options(g)
	if err != nil {
		return err
	}
	loc := opt.Location
	if loc == nil {
		loc = time.Local
	}
	date, err := report.ParseDay(o.Date, loc)
	if err != nil {
		return &usageError{"--date: " + err.Error()}
	}
	ws, unlock, err := openWorkspace(ctx, g, "act sign")
	if err != nil {
		return err
	}
	defer unlock()
	act, err := report.SignAct(ws, org, report.SignInput{SignedBy: o.SignedBy, Date: date, Scan: o.Scan}, opt)
	if err != nil {
		return err
	}
	if o.JSON {
		return printJSON(g.out, act)
	}
	s := act.Signature
	fmt.Fprintf(g.out, "%s  акт № %s, версия %d signed by %s on %s; scan sha256 %s kept as %s\n", org, act.Number, act.Version, s.SignedBy, s.Date, s.ScanSHA256, s.Scan)
	return nil
}

// actShowOptions are the flags of act show.
type actShowOptions struct{ JSON bool }

func newActShowCommand(g *globalOptions) *cobra.Command {
	var o actShowOptions
	cmd := &cobra.Command{
		Use:   "show ORG",
		Short: "Show every version of a site's act and its signature",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return ledgerRun(cmd, g, "act show", &o, args, runActShow)
		},
	}
	cmd.Flags().BoolVar(&o.JSON, "json", false, "print as JSON")
	return cmd
}

func runActShow(ctx context.Context, g *globalOptions, o *actShowOptions, args []string) error {
	ws, unlock, err := openWorkspace(ctx, g, "act show")
	if err != nil {
		return err
	}
	defer unlock()
	if _, err := ws.Org(args[0]); err != nil {
		return err
	}
	acts, err := report.Acts(ws, args[0])
	if err != nil {
		return err
	}
	if o.JSON {
		if acts == nil {
			acts = []*report.Act{}
		}
		return printJSON(g.out, acts)
	}
	if len(acts) == 0 {
		fmt.Fprintf(g.out, "no act issued for %s (perenos act issue %s once it is verified)\n", args[0], args[0])
		return nil
	}
	for _, a := range acts {
		fmt.Fprintf(g.out, "акт № %s, версия %d: issued %s by %s, %d items, manifest sha256 %s\n  %s\n  %s\n", a.Number, a.Version,
			a.Issued.Local().Format("2006-01-02 15:04"), a.IssuedBy, a.Items, a.ManifestSHA256, a.PDF, a.HTML)
		if s := a.Signature; s != nil {
			fmt.Fprintf(g.out, "  signed by %s on %s, scan sha256 %s (%s)\n", s.SignedBy, s.Date, s.ScanSHA256, s.Scan)
		} else {
			fmt.Fprintln(g.out, "  not signed")
		}
	}
	return nil
}

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
	"perenos/store"
)

func newActCommand(g *globalOptions) *cobra.Command {
	cmd := &cobra.Command{Use: "act", Short: "Issue, sign, correct, void and show the completion acts of migrated sites"}
	cmd.AddCommand(newActIssueCommand(g), newActSignCommand(g), newActUnsignCommand(g), newActVoidCommand(g), newActShowCommand(g))
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
	f.StringVar(&o.TZ, "tz", "", "time zone of the dates on acts, e.g. Asia/Irkutsk (default the workspace's: perenos config tz)")
}

func (o *actFileOptions) options(g *globalOptions) (report.ActOptions, error) {
	opt := report.ActOptions{SiteURL: o.SiteURL, Dir: o.Dir, Actor: g.Actor}
	if o.TZ != "" {
		loc, err := store.LoadZone(o.TZ)
		if err != nil {
			return opt, &usageError{"--tz: " + err.Error()}
		}
		opt.Location = loc
	}
	return opt, nil
}

// warnNoZone says, once per command, that the workspace has no region
// zone, so dates are in this machine's.
func warnNoZone(g *globalOptions, ws *store.Workspace, override string) {
	if override != "" {
		return
	}
	if c, err := ws.Config(); err == nil && c.TimeZone == "" {
		fmt.Fprintf(g.errOut, "warning: the workspace has no region time zone, so dates are in this machine's zone (%s); set it with perenos config tz ZONE\n", time.Local)
	}
}

type actIssueOptions struct {
	Sel    selectorOptions
	Files  actFileOptions
	Output formatFlag
}

func newActIssueCommand(g *globalOptions) *cobra.Command {
	var o actIssueOptions
	cmd := &cobra.Command{
		Use:   "issue [ORG...]",
		Short: "Issue the completion act of verified sites (PDF and HTML)",
		Long: `Issue «Акт о завершении миграции контента» for each verified site: the act is written as PDF
and HTML under <home>/acts with the manifest of everything migrated, recorded in the ledger, and
the site moves to act_issued. The act counts what was migrated per section, lists the mandated
information the site still lacks and what a person decided to leave out, and gives the number of
items left out automatically (copies, addresses that did not answer); its signatures come within
two pages for a typical site. Dates are in the region's zone (perenos config tz), recorded with
the act. Acts are numbered per region (38-0001); a site re-migrated after its act gets the next
version of the same act, and a site whose act was voided gets a new number. With --all or the
selectors, sites that are not verified are left alone and all new acts are also written into one
printable PDF.

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
	o.Output.addFlags(cmd.Flags(), "text", "json")
	return cmd
}

func (o *actIssueOptions) prepare(g *globalOptions, in io.Reader, args []string) error {
	if err := o.Output.resolve("text", "json"); err != nil {
		return err
	}
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
	warnNoZone(g, ws, o.Files.TZ)
	res, err := report.IssueActs(ctx, ws, orgs, !named || len(args) > 1, opt)
	if err != nil {
		return err
	}
	if o.Output.Format == "json" {
		if err := printJSON(g.out, res); err != nil {
			return err
		}
	} else {
		for _, ia := range res.Issued {
			a := ia.Act
			if ia.Unchanged {
				fmt.Fprintf(g.out, "%s  акт № %s, версия %d остаётся в силе: сайт перенесён повторно с тем же содержимым (%s)\n", a.Org, a.Number, a.Version, a.PDF)
				continue
			}
			fmt.Fprintf(g.out, "%s  акт № %s, версия %d: %s (%s, SHA-256 перечня %s)\n", a.Org, a.Number, a.Version, a.PDF,
				report.CountOf(a.Items, "позиция", "позиции", "позиций"), a.ManifestSHA256)
			switch p := ia.Supersede; {
			case p == nil:
			case p.Void != nil:
				fmt.Fprintf(g.out, "    выдан взамен аннулированного акта № %s, версия %d; акт об этом говорит\n", p.Number, p.Version)
			default:
				state := "не подписана"
				if p.Signature != nil {
					state = fmt.Sprintf("подписана: %s, %s", p.Signature.SignedBy, p.Signature.Date)
				}
				fmt.Fprintf(g.out, "    версия %d заменяет версию %d (%s) после повторного переноса; акт об этом говорит\n", a.Version, p.Version, state)
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
	Dir      string
	TZ       string
	Output   formatFlag
}

func (o *actSignOptions) prepare(g *globalOptions, in io.Reader, args []string) error {
	if err := o.Output.resolve("text", "json"); err != nil {
		return err
	}
	if err := absPath(&o.Scan); err != nil {
		return err
	}
	return absPath(&o.Dir)
}

func newActSignCommand(g *globalOptions) *cobra.Command {
	var o actSignOptions
	cmd := &cobra.Command{
		Use:   "sign ORG --signed-by NAME --date DATE --scan FILE",
		Short: "Record the signature of a site's act",
		Long: `Record that the site's current act was signed on paper: who signed, the date on the paper,
and the SHA-256 of the scanned signed act (a copy is kept beside the act). The site moves to
act_signed.

The scan must be a ` + report.ScanFormats + ` file of at least 1 KB that opens (a PDF is checked with
pdfinfo where poppler-utils is installed, and with a pure-Go reader otherwise). The date is the
one written on the paper, read in the act's own time zone (the one its dates are printed in);
--tz reads it in another zone. A signed act is not signed again: a signing record made by
mistake (the wrong scan, signer or date) is voided with perenos act unsign, and the act is then
signed again; both are in the event log.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return ledgerRun(cmd, g, "act sign", &o, args, runActSign)
		},
	}
	cmd.Flags().StringVar(&o.SignedBy, "signed-by", "", "who signed for the organisation (e.g. «Иванова А. П., директор»)")
	cmd.Flags().StringVar(&o.Date, "date", "", "the date on the signed act, YYYY-MM-DD or DD.MM.YYYY")
	cmd.Flags().StringVar(&o.Scan, "scan", "", "the scanned signed act: "+report.ScanFormats+", at least 1 KB")
	cmd.Flags().StringVar(&o.Dir, "dir", "", "folder of the act files (default <home>/acts)")
	cmd.Flags().StringVar(&o.TZ, "tz", "", "read --date in this time zone instead of the act's own")
	o.Output.addFlags(cmd.Flags(), "text", "json")
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
		return &usageError{"--scan is required: the scanned signed act (" + report.ScanFormats + "), whose SHA-256 is recorded"}
	}
	files := actFileOptions{Dir: o.Dir, TZ: o.TZ}
	opt, err := files.options(g)
	if err != nil {
		return err
	}
	ws, unlock, err := openWorkspace(ctx, g, "act sign")
	if err != nil {
		return err
	}
	defer unlock()
	act, err := report.SignAct(ctx, ws, org, report.SignInput{SignedBy: o.SignedBy, Date: o.Date, Scan: o.Scan}, opt)
	if err != nil {
		return err
	}
	if o.Output.Format == "json" {
		return printJSON(g.out, act)
	}
	s := act.Signature
	fmt.Fprintf(g.out, "%s  акт № %s, версия %d подписан: %s, %s; скан (%s) SHA-256 %s сохранён как %s\n", org, act.Number, act.Version, s.SignedBy, s.Date, s.ScanFormat, s.ScanSHA256, s.Scan)
	return nil
}

// actReasonOptions are the flags of act unsign and act void.
type actReasonOptions struct {
	Reason string
	Output formatFlag
}

func (o *actReasonOptions) prepare(g *globalOptions, in io.Reader, args []string) error {
	return o.Output.resolve("text", "json")
}

func newActUnsignCommand(g *globalOptions) *cobra.Command {
	var o actReasonOptions
	cmd := &cobra.Command{
		Use:   "unsign ORG --reason TEXT",
		Short: "Void a signing record made by mistake, so that the act can be signed again",
		Long: `Void the signing record of the site's current act: the wrong scan, signer or date was recorded.
The record is kept with the act as voided, with who voided it and why (--reason, at least 10
characters), the event log says so, and the site moves back to act_issued, to be signed again
with perenos act sign. The act itself stands: this does not void the act (perenos act void).`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return ledgerRun(cmd, g, "act unsign", &o, args, runActUnsign)
		},
	}
	cmd.Flags().StringVar(&o.Reason, "reason", "", "why the signing record is wrong (written to the event log)")
	o.Output.addFlags(cmd.Flags(), "text", "json")
	return cmd
}

func runActUnsign(ctx context.Context, g *globalOptions, o *actReasonOptions, args []string) error {
	ws, unlock, err := openWorkspace(ctx, g, "act unsign")
	if err != nil {
		return err
	}
	defer unlock()
	act, err := report.UnsignAct(ws, args[0], o.Reason, report.ActOptions{Actor: g.Actor})
	if err != nil {
		return err
	}
	if o.Output.Format == "json" {
		return printJSON(g.out, act)
	}
	v := act.VoidedSignatures[len(act.VoidedSignatures)-1]
	fmt.Fprintf(g.out, "%s  запись о подписании акта № %s, версия %d (%s, %s) аннулирована; акт остаётся в силе и ждёт подписи (perenos act sign)\n",
		args[0], act.Number, act.Version, v.SignedBy, v.Date)
	return nil
}

func newActVoidCommand(g *globalOptions) *cobra.Command {
	var o actReasonOptions
	cmd := &cobra.Command{
		Use:   "void ORG --reason TEXT",
		Short: "Void a site's unsigned act",
		Long: `Void the site's current act, which is not signed: it stays on file marked «аннулирован», its
number is never given to another act, and the site moves back to verified, so that perenos act
issue gives it a new act with a new number. A rollback voids the act by itself. A signed act is
not voided here (that takes a paper both sides sign); a signing record made by mistake is voided
with perenos act unsign.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return ledgerRun(cmd, g, "act void", &o, args, runActVoid)
		},
	}
	cmd.Flags().StringVar(&o.Reason, "reason", "", "why the act no longer stands (written to the event log)")
	o.Output.addFlags(cmd.Flags(), "text", "json")
	return cmd
}

func runActVoid(ctx context.Context, g *globalOptions, o *actReasonOptions, args []string) error {
	ws, unlock, err := openWorkspace(ctx, g, "act void")
	if err != nil {
		return err
	}
	defer unlock()
	act, err := report.VoidAct(ws, args[0], o.Reason, report.ActOptions{Actor: g.Actor})
	if err != nil {
		return err
	}
	if o.Output.Format == "json" {
		return printJSON(g.out, act)
	}
	fmt.Fprintf(g.out, "%s  акт № %s, версия %d аннулирован; номер другому акту не присваивается\n", args[0], act.Number, act.Version)
	return nil
}

// actShowOptions are the flags of act show.
type actShowOptions struct{ Output formatFlag }

func (o *actShowOptions) prepare(g *globalOptions, in io.Reader, args []string) error {
	return o.Output.resolve("text", "json")
}

func newActShowCommand(g *globalOptions) *cobra.Command {
	var o actShowOptions
	cmd := &cobra.Command{
		Use:   "show ORG",
		Short: "Show every act of a site: issued, signed or voided, with its signing records",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return ledgerRun(cmd, g, "act show", &o, args, runActShow)
		},
	}
	o.Output.addFlags(cmd.Flags(), "text", "json")
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
	if o.Output.Format == "json" {
		if acts == nil {
			acts = []*report.Act{}
		}
		return printJSON(g.out, acts)
	}
	if len(acts) == 0 {
		fmt.Fprintf(g.out, "no act issued for %s (perenos act issue %s once it is verified)\n", args[0], args[0])
		return nil
	}
	loc, err := ws.Location()
	if err != nil {
		return err
	}
	return report.WriteActs(g.out, acts, loc)
}

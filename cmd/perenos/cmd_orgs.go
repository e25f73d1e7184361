package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"perenos/crawler"
	"perenos/pipeline"
	"perenos/registry"
	"perenos/report"
	"perenos/sheet"
	"perenos/store"
	"perenos/termtext"
)

func newOrgsCommand(g *globalOptions) *cobra.Command {
	cmd := &cobra.Command{Use: "orgs", Short: "Import, list and show the region's organisations"}
	cmd.AddCommand(newOrgsImportCommand(g), newOrgsListCommand(g), newOrgsShowCommand(g))
	return cmd
}

// orgsImportOptions are the flags of orgs import.
type orgsImportOptions struct {
	JSON  bool
	Force bool
}

func (o *orgsImportOptions) prepare(g *globalOptions, in io.Reader, args []string) error {
	return absArgs(args)
}

func newOrgsImportCommand(g *globalOptions) *cobra.Command {
	var o orgsImportOptions
	cmd := &cobra.Command{
		Use:   "import FILE.csv|FILE.xlsx",
		Short: "Import or update the region's registry of organisations (CSV or XLSX)",
		Long: `Import the region's list of organisations: an Excel workbook (.xlsx, its first sheet) or a
CSV (UTF-8 with or without BOM, UTF-16, or windows-1251 as Russian Excel saves it; separated
by commas, semicolons or tabs) with the columns id, name, type, region, district, legacy_url,
portal_site. Russian headers are read too (ИНН, Наименование, Тип, Регион, Район, Адрес сайта,
Сайт на портале, and their usual variants), and Russian type names (школа, детский сад,
больница, администрация, СОШ, ДОУ, ЦРБ, ...). Further columns are kept as per-site settings
(aliases, delay_ms, per_host, ca_file, insecure, region_code, robots with robots_reason).
Re-importing updates organisations and never duplicates them. Bad rows are reported with
their line and column; the good rows import. A row that moves a site whose completion act is
signed to another portal_site is held back with a warning, because the signed act names the
site it has: --force moves it, and the event log records that it was forced.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return ledgerRun(cmd, g, "orgs import", &o, args, runOrgsImport)
		},
	}
	cmd.Flags().BoolVar(&o.JSON, "json", false, "print the result as JSON")
	cmd.Flags().BoolVar(&o.Force, "force", false, "move sites whose act is signed to the portal_site the registry gives (recorded in the event log)")
	return cmd
}

func runOrgsImport(ctx context.Context, g *globalOptions, o *orgsImportOptions, args []string) error {
	path, asJSON := args[0], o.JSON
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("registry: %w", err)
	}
	defer f.Close()
	read := registry.ReadCSV
	if strings.EqualFold(filepath.Ext(path), ".xlsx") {
		read = registry.ReadXLSX
	}
	res, err := read(path, f)
	if err != nil {
		return err
	}
	ws, unlock, err := openWorkspace(ctx, g, "orgs import")
	if err != nil {
		return err
	}
	defer unlock()
	applied, err := registry.ApplyWith(ws, g.Actor, res.Orgs, registry.ApplyOptions{Force: o.Force, Signed: report.HasSignedAct})
	if err != nil {
		return err
	}
	created, updated, unchanged := applied.Created, applied.Updated, applied.Unchanged
	for _, m := range applied.Moved {
		fmt.Fprintf(g.errOut, "warning: %s moved from portal site %s to %s although its act is signed (--force; recorded in the event log)\n", m.Org, termtext.Line(m.From), termtext.Line(m.To))
	}
	for _, h := range applied.Held {
		fmt.Fprintln(g.errOut, "warning:", termtext.Line(h.Error()))
	}
	bad := make([]string, len(res.Bad))
	for i, b := range res.Bad {
		bad[i] = b.Error()
	}
	if asJSON {
		printJSON(g.out, map[string]any{"created": created, "updated": updated, "unchanged": unchanged, "bad_rows": bad, "held": applied.Held, "moved": applied.Moved})
	} else {
		for _, b := range bad {
			fmt.Fprintln(g.errOut, "bad row:", termtext.Line(b))
		}
		fmt.Fprintf(g.out, "%d organisations: %d new, %d updated, %d unchanged; %d bad rows\n", len(res.Orgs), created, updated, unchanged, len(bad))
	}
	if len(bad) > 0 {
		return fmt.Errorf("%w: %d bad rows in %s (fix them and import again; good rows are in)", pipeline.ErrSomeFailed, len(bad), path)
	}
	if len(applied.Held) > 0 {
		return fmt.Errorf("%d organisations not updated: the registry moves sites whose act is signed to another portal site (see above); fix the registry, or import again with --force to move them", len(applied.Held))
	}
	return nil
}

// orgsListOptions are the flags of orgs list.
type orgsListOptions struct {
	Sel    selectorOptions
	Output formatFlag
}

func (o *orgsListOptions) prepare(g *globalOptions, in io.Reader, args []string) error {
	if err := o.Output.resolve("text", "json", "csv", "xlsx"); err != nil {
		return err
	}
	return refuseBinaryToTerminal(g, o.Output.Format == "xlsx", "", "--format xlsx writes a workbook: redirect it to a file")
}

func newOrgsListCommand(g *globalOptions) *cobra.Command {
	var o orgsListOptions
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List organisations with their sites' states",
		RunE: func(cmd *cobra.Command, args []string) error {
			return ledgerRun(cmd, g, "orgs list", &o, args, runOrgsList)
		},
	}
	o.Sel.addFlags(cmd.Flags())
	o.Output.addFlags(cmd.Flags(), "text", "json", "csv", "xlsx")
	return cmd
}

func runOrgsList(ctx context.Context, g *globalOptions, o *orgsListOptions, args []string) error {
	ws, unlock, err := openWorkspace(ctx, g, "orgs list")
	if err != nil {
		return err
	}
	defer unlock()
	s := pipeline.Selector{All: true, Type: o.Sel.Type, District: o.Sel.District, State: o.Sel.State}
	orgs, err := pipeline.Select(ws, s)
	if err != nil {
		return &usageError{err.Error()}
	}
	switch o.Output.Format {
	case "json":
		if orgs == nil {
			orgs = []*store.Org{}
		}
		return printJSON(g.out, orgs)
	case "csv", "xlsx":
		head := []string{"ИНН/ID", "Наименование", "Тип", "Район", "Состояние", "Этап сбоя", "Страниц", "Файлов", "Пробелов", "Старый сайт", "Сайт на портале"}
		row := func(o *store.Org) []sheet.Cell {
			return []sheet.Cell{sheet.Text(o.ID), sheet.Text(o.Name), sheet.Text(string(o.Type)), sheet.Text(o.District), sheet.Text(string(o.State)),
				sheet.Text(string(o.FailedAt)), sheet.Int(o.Stats.Pages), sheet.Int(o.Stats.Attachments), sheet.Int(o.Stats.Gaps), sheet.Text(o.LegacyURL), sheet.Text(o.PortalSite)}
		}
		if o.Output.Format == "csv" {
			c := sheet.NewCSV(g.out, sheet.ExcelRU)
			c.Row(sheet.Texts(head...)...)
			for _, x := range orgs {
				c.Row(row(x)...)
			}
			return c.Close()
		}
		b := sheet.NewWorkbook()
		s := b.Sheet("Организации")
		s.Widths(14, 50, 10, 24, 12, 10, 8, 8, 8, 40, 30)
		s.Header(head...)
		for _, x := range orgs {
			s.Row(row(x)...)
		}
		return b.Write(g.out)
	}
	tw := tabwriter.NewWriter(g.out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tTYPE\tSTATE\tDISTRICT\tPAGES\tGAPS\tNAME")
	for _, o := range orgs {
		state := string(o.State)
		if o.State == store.Failed {
			state += "(" + string(o.FailedAt) + ")"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%d\t%s\n", o.ID, o.Type, state, termtext.Line(o.District), o.Stats.Pages, o.Stats.Gaps, termtext.Line(o.Name))
	}
	return tw.Flush()
}

// orgsShowOptions are the flags of orgs show.
type orgsShowOptions struct{ Output formatFlag }

func (o *orgsShowOptions) prepare(g *globalOptions, in io.Reader, args []string) error {
	return o.Output.resolve("text", "json")
}

func newOrgsShowCommand(g *globalOptions) *cobra.Command {
	var o orgsShowOptions
	cmd := &cobra.Command{
		Use:   "show ORG",
		Short: "Show an organisation: registry data, state, crawl statistics",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return ledgerRun(cmd, g, "orgs show", &o, args, runOrgsShow)
		},
	}
	o.Output.addFlags(cmd.Flags(), "text", "json")
	return cmd
}

func runOrgsShow(ctx context.Context, g *globalOptions, opt *orgsShowOptions, args []string) error {
	ws, unlock, err := openWorkspace(ctx, g, "orgs show")
	if err != nil {
		return err
	}
	defer unlock()
	o, err := ws.Org(args[0])
	if err != nil {
		return err
	}
	crawl, err := crawler.LastStats.Get(ws, o.ID, "last")
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return err
	}
	if opt.Output.Format == "json" {
		return printJSON(g.out, map[string]any{"org": o, "crawl": crawl})
	}
	line := termtext.Line
	fmt.Fprintf(g.out, "%s  %s\n  type %s, %s, %s\n  legacy site %s\n  portal site %s\n  state %s", o.ID, line(o.Name), o.Type, line(o.Region), line(o.District), line(orNone(o.LegacyURL)), o.PortalSite, o.State)
	if o.State == store.Failed {
		fmt.Fprintf(g.out, " at %s: %s", o.FailedAt, line(o.Error))
	}
	fmt.Fprintln(g.out)
	st := o.Stats
	fmt.Fprintf(g.out, "  crawl: %d pages, %d attachments, %d bytes, %d fetch errors\n", st.Pages, st.Attachments, st.Bytes, st.FetchErrors)
	if st.Planned {
		fmt.Fprintf(g.out, "  plan: %d placed, %d for review, %d excluded, %d gaps\n", st.Placed, st.Unplaced, st.Excluded, st.Gaps)
	}
	if reason, ok := registry.RobotsIgnored(o); ok {
		fmt.Fprintf(g.out, "  robots.txt ignored by the registry: %s\n", line(reason))
	}
	if crawl != nil {
		fmt.Fprintf(g.out, "  last crawl: %d requests, %d pages, %d attachments, %d images, %d excluded by robots.txt\n", crawl.Requests, crawl.Pages, crawl.Attachments, crawl.Images, crawl.Robots)
		if crawl.RobotsIgnored {
			fmt.Fprintln(g.out, "    robots.txt was not obeyed (the registry's robots column says ignore)")
		}
		if crawl.Why != nil {
			fmt.Fprintf(g.out, "    nothing could be fetched: %s\n", line(crawl.Why.String()))
		}
		for _, code := range slices.Sorted(maps.Keys(crawl.Status)) {
			fmt.Fprintf(g.out, "    HTTP %s: %d\n", code, crawl.Status[code])
		}
		for _, name := range slices.Sorted(maps.Keys(crawl.Guards)) {
			fmt.Fprintf(g.out, "    guard %s hit %d times\n", name, crawl.Guards[name])
		}
	}
	return nil
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}

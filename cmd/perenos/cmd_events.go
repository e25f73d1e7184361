package main

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"perenos/report"
	"perenos/sheet"
	"perenos/store"
	"perenos/termtext"
)

// eventsOptions are the flags of events.
type eventsOptions struct{ Output formatFlag }

func (o *eventsOptions) prepare(g *globalOptions, in io.Reader, args []string) error {
	if err := o.Output.resolve("text", "json", "csv", "xlsx"); err != nil {
		return err
	}
	return refuseBinaryToTerminal(g, o.Output.Format == "xlsx", "", "--format xlsx writes a workbook: redirect it to a file")
}

func newEventsCommand(g *globalOptions) *cobra.Command {
	var o eventsOptions
	cmd := &cobra.Command{
		Use:   "events ORG",
		Short: "Print a site's history from the event log",
		Args:  cobra.ExactArgs(1),
		RunE:  func(cmd *cobra.Command, args []string) error { return ledgerRun(cmd, g, "events", &o, args, runEvents) },
	}
	o.Output.addFlags(cmd.Flags(), "text", "json", "csv", "xlsx")
	return cmd
}

func runEvents(ctx context.Context, g *globalOptions, o *eventsOptions, args []string) error {
	ws, unlock, err := openWorkspace(ctx, g, "events")
	if err != nil {
		return err
	}
	defer unlock()
	if _, err := ws.Org(args[0]); err != nil {
		return err
	}
	evs, err := ws.Events(args[0])
	if err != nil {
		return err
	}
	switch o.Output.Format {
	case "json":
		if evs == nil {
			evs = []store.Event{}
		}
		return printJSON(g.out, evs)
	case "csv", "xlsx":
		head := []string{"Время", "Кто", "Вид", "Из состояния", "В состояние", "Причина"}
		row := func(e store.Event) []sheet.Cell {
			return []sheet.Cell{sheet.DateTime(e.Time), sheet.Text(e.Actor), sheet.Text(string(e.Kind)), sheet.Text(e.From), sheet.Text(e.To), sheet.Text(e.Reason)}
		}
		if o.Output.Format == "csv" {
			c := sheet.NewCSV(g.out, sheet.ExcelRU)
			c.Row(sheet.Texts(head...)...)
			for _, e := range evs {
				c.Row(row(e)...)
			}
			return c.Close()
		}
		b := sheet.NewWorkbook()
		s := b.Sheet("Журнал " + args[0])
		s.Widths(18, 24, 10, 14, 14, 80)
		s.Header(head...)
		for _, e := range evs {
			s.Row(row(e)...)
		}
		return b.Write(g.out)
	}
	// Times in the region's zone (perenos config tz), as acts and reports.
	loc, err := ws.Location()
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(g.out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "TIME\tACTOR\tKIND\tFROM → TO\tREASON")
	for _, e := range evs {
		change := ""
		if e.From != "" || e.To != "" {
			change = e.From + " → " + e.To
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", e.Time.In(loc).Format("2006-01-02 15:04:05"), termtext.Line(e.Actor), e.Kind, change, termtext.Line(e.Reason))
	}
	return tw.Flush()
}

// backupOptions are the flags of backup.
type backupOptions struct{ Output formatFlag }

func (o *backupOptions) prepare(g *globalOptions, in io.Reader, args []string) error {
	if err := o.Output.resolve("text", "json"); err != nil {
		return err
	}
	return absArgs(args)
}

func newBackupCommand(g *globalOptions) *cobra.Command {
	var o backupOptions
	cmd := &cobra.Command{
		Use:   "backup FILE.tar | FILE.db",
		Short: "Back up the whole workspace (FILE.tar) or the ledger alone (FILE.db)",
		Long: `Back up the workspace while it is in use (through perenos serve, when it holds it):

  perenos backup FILE.tar   the whole workspace in one archive: the ledger, every blob (the
                            pages and files crawled), and the acts folder (acts, manifests,
                            signed scans), with the SHA-256 of each file; perenos restore
                            FILE.tar --home DIR brings it back
  perenos backup FILE.db    a copy of the ledger alone (organisations, states, events, plans,
                            the ID map), without the blobs and act files it names

The ledger is copied in one read transaction, so stages writing at the same time do not tear
it, and every file the copied ledger names is in the archive. The destination may not lie
inside the workspace (the live ledger among them): write it to another folder, ideally another
disk. The file appears whole or not at all.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error { return ledgerRun(cmd, g, "backup", &o, args, runBackup) },
	}
	o.Output.addFlags(cmd.Flags(), "text", "json")
	return cmd
}

func runBackup(ctx context.Context, g *globalOptions, o *backupOptions, args []string) error {
	dst := args[0]
	ext := strings.ToLower(filepath.Ext(dst))
	if ext != ".tar" && ext != ".db" {
		return &usageError{fmt.Sprintf("backup %s: name the file FILE.tar (the whole workspace) or FILE.db (the ledger alone)", dst)}
	}
	ws, unlock, err := openWorkspace(ctx, g, "backup")
	if err != nil {
		return err
	}
	defer unlock()
	if ext == ".db" {
		n, err := ws.Backup(dst)
		if err != nil {
			return err
		}
		if o.Output.Format == "json" {
			return printJSON(g.out, map[string]any{"ledger": dst, "ledger_bytes": n})
		}
		fmt.Fprintf(g.out, "ledger copied to %s (%d bytes); blobs and act files are not in it: perenos backup FILE.tar holds everything\n", dst, n)
		return nil
	}
	st, err := ws.Archive(ctx, dst, []string{report.ActsFolder})
	if err != nil {
		return err
	}
	outside, err := report.ExternalActFiles(ws)
	if err != nil {
		return err
	}
	for _, f := range outside {
		fmt.Fprintf(g.errOut, "warning: %s was written outside the workspace (act --dir) and is not in the backup\n", f)
	}
	for _, b := range st.Damaged {
		fmt.Fprintf(g.errOut, "warning: blob %s is damaged in the workspace (its content has another SHA-256); archived as it is\n", b)
	}
	if o.Output.Format == "json" {
		return printJSON(g.out, st)
	}
	fmt.Fprintf(g.out, "workspace archived to %s (%d bytes): the ledger (%d bytes), %d blobs, %d act files; perenos restore %s --home DIR brings it back\n",
		dst, st.Bytes, st.LedgerBytes, st.Blobs, st.Files, filepath.Base(dst))
	return nil
}

package main

import (
	"context"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/spf13/cobra"

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
	tw := tabwriter.NewWriter(g.out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "TIME\tACTOR\tKIND\tFROM → TO\tREASON")
	for _, e := range evs {
		change := ""
		if e.From != "" || e.To != "" {
			change = e.From + " → " + e.To
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", e.Time.Local().Format("2006-01-02 15:04:05"), termtext.Line(e.Actor), e.Kind, change, termtext.Line(e.Reason))
	}
	return tw.Flush()
}

// backupOptions are the flags of backup (none yet).
type backupOptions struct{}

func (o *backupOptions) prepare(g *globalOptions, in io.Reader, args []string) error {
	return absArgs(args)
}

func newBackupCommand(g *globalOptions) *cobra.Command {
	var o backupOptions
	return &cobra.Command{
		Use:   "backup FILE",
		Short: "Write a consistent copy of the ledger",
		Long: `Write a consistent copy of the ledger to FILE. The copy is taken in one read transaction,
so stages writing to the ledger in this process at the same time do not tear it.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error { return ledgerRun(cmd, g, "backup", &o, args, runBackup) },
	}
}

func runBackup(ctx context.Context, g *globalOptions, o *backupOptions, args []string) error {
	ws, unlock, err := openWorkspace(ctx, g, "backup")
	if err != nil {
		return err
	}
	defer unlock()
	n, err := ws.Backup(args[0])
	if err != nil {
		return err
	}
	fmt.Fprintf(g.out, "ledger copied to %s (%d bytes)\n", args[0], n)
	return nil
}

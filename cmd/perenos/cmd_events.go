package main

import (
	"context"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"perenos/store"
	"perenos/termtext"
)

// eventsOptions are the flags of events.
type eventsOptions struct{ JSON bool }

func newEventsCommand(g *globalOptions) *cobra.Command {
	var o eventsOptions
	cmd := &cobra.Command{
		Use:   "events ORG",
		Short: "Print a site's history from the event log",
		Args:  cobra.ExactArgs(1),
		RunE:  func(cmd *cobra.Command, args []string) error { return ledgerRun(cmd, g, "events", &o, args, runEvents) },
	}
	cmd.Flags().BoolVar(&o.JSON, "json", false, "print as JSON")
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
	if o.JSON {
		if evs == nil {
			evs = []store.Event{}
		}
		return printJSON(g.out, evs)
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

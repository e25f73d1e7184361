package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"perenos/sheet"
	"perenos/store"
	"perenos/uploader"
)

// itemsOptions are the flags of items.
type itemsOptions struct {
	Output   formatFlag
	PortalID string
	Status   string
	Out      string
}

func (o *itemsOptions) prepare(g *globalOptions, in io.Reader, args []string) error {
	if err := o.Output.resolve("text", "json", "csv", "xlsx"); err != nil {
		return err
	}
	if err := refuseBinaryToTerminal(g, o.Output.Format == "xlsx", o.Out, "--format xlsx writes a workbook: give --out FILE.xlsx"); err != nil {
		return err
	}
	return absPath(&o.Out)
}

func newItemsCommand(g *globalOptions) *cobra.Command {
	var o itemsOptions
	cmd := &cobra.Command{
		Use:   "items ORG",
		Short: "Show a site's upload ID map: every item's key, portal ID, status, hash, attempts and last error",
		Long: `Show what perenos knows of each item it sent to a portal for a site, as a migration's ID map:
the item's kind and external key, the object ID the portal gave it, its status (imported,
needs_update when the portal lacked or changed it, failed), the hash of what was sent, the
attempts, the last error and whether perenos created it (so that rollback may remove it).
The map is the site's target portal's unless --portal-id names another (each portal an upload
reached keeps its own map). --status keeps one status.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error { return ledgerRun(cmd, g, "items", &o, args, runItems) },
	}
	o.Output.addFlags(cmd.Flags(), "text", "json", "csv", "xlsx")
	cmd.Flags().StringVar(&o.PortalID, "portal-id", "", "the portal whose map to show (default: the site's target portal)")
	cmd.Flags().StringVar(&o.Status, "status", "", "only items with this status: imported, needs_update, failed")
	cmd.Flags().StringVarP(&o.Out, "out", "o", "", "write to this file instead of standard output")
	return cmd
}

func runItems(ctx context.Context, g *globalOptions, o *itemsOptions, args []string) error {
	ws, org, unlock, err := openOrg(ctx, g, "items", args[0])
	if err != nil {
		return err
	}
	defer unlock()
	pid := store.PortalID(o.PortalID)
	if pid == "" {
		t, err := uploader.SiteTarget(ws, org.ID)
		if err != nil {
			return err
		}
		if t == nil {
			return fmt.Errorf("organisation %s has no target portal yet: it was never uploaded (perenos upload %s), or name one with --portal-id", org.ID, org.ID)
		}
		pid = t.Portal
	}
	ids, err := ws.IDMap(org.ID, pid)
	if err != nil {
		return err
	}
	entries := make([]store.IDEntry, 0, len(ids))
	for _, k := range slices.Sorted(maps.Keys(ids)) {
		e := ids[k]
		if o.Status != "" && string(e.Status) != o.Status {
			continue
		}
		entries = append(entries, e)
	}
	var buf bytes.Buffer
	switch o.Output.Format {
	case "json":
		if err := printJSON(&buf, map[string]any{"org": org.ID, "portal": pid, "items": entries}); err != nil {
			return err
		}
	case "csv", "xlsx":
		head := []string{"Вид", "Ключ", "ID на портале", "Состояние", "Хеш отправленного", "Попыток", "Последняя ошибка", "Создан perenos", "Изменён"}
		row := func(e store.IDEntry) []sheet.Cell {
			created := "нет"
			if e.Created {
				created = "да"
			}
			return []sheet.Cell{sheet.Text(e.Kind), sheet.Text(e.Key), sheet.Text(e.ObjectID), sheet.Text(string(e.Status)), sheet.Text(e.SourceHash),
				sheet.Int(e.Attempts), sheet.Text(e.LastError), sheet.Text(created), sheet.DateTime(e.Updated)}
		}
		if o.Output.Format == "csv" {
			c := sheet.NewCSV(&buf, sheet.ExcelRU)
			c.Row(sheet.Texts(head...)...)
			for _, e := range entries {
				c.Row(row(e)...)
			}
			if err := c.Close(); err != nil {
				return err
			}
		} else {
			b := sheet.NewWorkbook()
			s := b.Sheet("Объекты " + org.ID)
			s.Widths(10, 50, 24, 12, 20, 8, 40, 10, 18)
			s.Header(head...)
			for _, e := range entries {
				s.Row(row(e)...)
			}
			if err := b.Write(&buf); err != nil {
				return err
			}
		}
	default:
		tw := tabwriter.NewWriter(&buf, 0, 4, 2, ' ', 0)
		fmt.Fprintf(tw, "portal %s, %d items\n", pid, len(entries))
		fmt.Fprintln(tw, "KIND\tKEY\tPORTAL ID\tSTATUS\tATTEMPTS\tCREATED\tLAST ERROR")
		for _, e := range entries {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%v\t%s\n", e.Kind, e.Key, e.ObjectID, e.Status, e.Attempts, e.Created, strings.TrimSpace(e.LastError))
		}
		tw.Flush()
	}
	return writeOut(g, o.Out, buf.Bytes(), "items of "+org.ID)
}

package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"perenos/mapping"
)

// gapsOptions are the flags of gaps.
type gapsOptions struct {
	Format   string
	Profiles string
	Out      string
}

func (o *gapsOptions) addFlags(cmd *cobra.Command) {
	f := cmd.Flags()
	f.StringVar(&o.Format, "format", "csv", "worksheet format: csv, xlsx or html")
	f.StringVar(&o.Profiles, "profiles", "", "folder of profile files overriding the built-in mandated structures")
	f.StringVarP(&o.Out, "out", "o", "", "write to this file instead of standard output")
}

func newGapsCommand(g *globalOptions) *cobra.Command {
	var o gapsOptions
	cmd := &cobra.Command{
		Use:   "gaps ORG",
		Short: "Print the manual-entry worksheet: what the old site lacks, where it goes, the legal basis",
		Long: `Turn a mapped site's gaps (mandated sections and items its old site never had) into a
worksheet the organisation's admin fills in by hand in the portal's constructor: one row per
missing item with the section, its portal path, the legal act that requires it and a column
to mark it done. csv is UTF-8 with semicolons (as Excel in Russian locales opens it); xlsx
is a workbook, written to --out FILE or a pipe, never to a terminal.

EXIT STATUS
0 the worksheet was written; 1 an error (unknown organisation, no plan yet: run perenos map).`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if !slices.Contains(mapping.WorksheetFormats, o.Format) {
				return &usageError{fmt.Sprintf("--format %q: want one of %s", o.Format, strings.Join(mapping.WorksheetFormats, ", "))}
			}
			return ledgerRun(cmd, g, "gaps", &o, args, runGaps)
		},
	}
	o.addFlags(cmd)
	return cmd
}

func (o *gapsOptions) prepare(g *globalOptions, in io.Reader, args []string) error {
	if err := refuseBinaryToTerminal(g, o.Format == "xlsx", o.Out, "--format xlsx writes a workbook: give --out FILE.xlsx"); err != nil {
		return err
	}
	if err := absPath(&o.Out); err != nil {
		return err
	}
	return absPath(&o.Profiles)
}

func runGaps(ctx context.Context, g *globalOptions, o *gapsOptions, args []string) error {
	profiles, err := mapping.LoadProfiles(o.Profiles)
	if err != nil {
		return fmt.Errorf("profiles: %w", err)
	}
	ws, org, unlock, err := openOrg(ctx, g, "gaps", args[0])
	if err != nil {
		return err
	}
	defer unlock()
	plan, err := mapping.LoadPlan(ws, org.ID)
	if err != nil {
		return err
	}
	prof := profiles[org.Type]
	if prof == nil {
		return fmt.Errorf("no profile for organisation type %s", org.Type)
	}
	var buf bytes.Buffer
	if err := mapping.WriteWorksheet(&buf, o.Format, org, mapping.Worksheet(prof, plan)); err != nil {
		return err
	}
	return writeOut(g, o.Out, buf.Bytes(), "worksheet of "+org.ID)
}

package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"perenos/report"
)

type reportOptions struct {
	Roadmap string
	At      string
	Format  string
	Out     string
}

func (o *reportOptions) addFlags(f *pflag.FlagSet) {
	f.StringVar(&o.Roadmap, "roadmap", "", "roadmap to compare with: a built-in one ("+strings.Join(report.EmbeddedRoadmaps(), ", ")+") or a YAML file")
	f.StringVar(&o.At, "at", "", "the numbers as they were at the end of this day (YYYY-MM-DD; default now)")
	f.StringVar(&o.Format, "format", "table", "output format: "+strings.Join(report.Formats, ", "))
	f.StringVarP(&o.Out, "out", "o", "", "write to this file instead of standard output")
}

func newReportCommand(g *globalOptions) *cobra.Command {
	var o reportOptions
	cmd := &cobra.Command{
		Use:   "report",
		Short: "Count organisations by type, state and district, and compare with the roadmap",
		Long: `Count the region's organisations by type, state and district from the event log, as it
stood at --at (default now), and compare the counts with a roadmap's milestones: target, actual,
met or missed for dates that have passed, on track or behind for those to come, and how many
sites are still in each earlier stage. Metrics: migrated (reached verified), act_issued,
act_signed, domain_bound; rows perenos cannot know are shown as «не отслеживается».

Formats: table, csv (semicolon-separated, for Excel), json, xlsx (needs --out or a pipe), html.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error { return ledgerRun(cmd, g, "report", &o, args, runReport) },
	}
	o.addFlags(cmd.Flags())
	return cmd
}

// prepare checks the output where the command was typed: a workbook is
// never written to a terminal.
func (o *reportOptions) prepare(g *globalOptions, in io.Reader, args []string) error {
	if err := refuseBinaryToTerminal(g, o.Format == "xlsx", o.Out, "--format xlsx writes a workbook: give --out FILE.xlsx"); err != nil {
		return err
	}
	if err := absPath(&o.Out); err != nil {
		return err
	}
	if _, err := os.Stat(o.Roadmap); err == nil {
		return absPath(&o.Roadmap)
	}
	return nil
}

func runReport(ctx context.Context, g *globalOptions, o *reportOptions, args []string) error {
	if !slices.Contains(report.Formats, o.Format) {
		return &usageError{fmt.Sprintf("--format %q: want one of %s", o.Format, strings.Join(report.Formats, ", "))}
	}
	opt := report.Options{}
	loc := time.Local
	if o.Roadmap != "" {
		rm, err := report.LoadRoadmap(o.Roadmap)
		if err != nil {
			return err
		}
		opt.Roadmap, loc = rm, rm.Location()
	}
	if o.At != "" {
		at, err := report.ParseDate(o.At, loc)
		if err != nil {
			return &usageError{"--at: " + err.Error()}
		}
		opt.At = at
	}
	ws, unlock, err := openWorkspace(ctx, g, "report")
	if err != nil {
		return err
	}
	defer unlock()
	rep, err := report.Build(ws, opt)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := report.Write(&buf, rep, o.Format); err != nil {
		return err
	}
	return writeOut(g, o.Out, buf.Bytes(), "report on "+rep.Date)
}

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
	"perenos/store"
)

type reportOptions struct {
	Roadmap string
	At      string
	TZ      string
	Format  string
	Out     string
}

func (o *reportOptions) addFlags(f *pflag.FlagSet) {
	f.StringVar(&o.Roadmap, "roadmap", "", "roadmap to compare with: a built-in one ("+strings.Join(report.EmbeddedRoadmaps(), ", ")+") or a YAML file")
	f.StringVar(&o.At, "at", "", "the numbers as they were at the end of this day (YYYY-MM-DD; default now)")
	f.StringVar(&o.TZ, "tz", "", "time zone of the report's days (default the workspace's, perenos config tz, else the roadmap's)")
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
sites are still in each earlier stage. Metrics: migrated (reached verified, and not rolled
back since), act_issued (an act that was not voided), act_signed, domain_bound; rows perenos
cannot know are shown as «не отслеживается». Days end at midnight in the region's time zone
(perenos config tz), else the roadmap's; --tz overrides it.

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
	if o.Roadmap != "" {
		rm, err := report.LoadRoadmap(o.Roadmap)
		if err != nil {
			return err
		}
		opt.Roadmap = rm
	}
	var loc *time.Location
	if o.TZ != "" {
		var err error
		if loc, err = store.LoadZone(o.TZ); err != nil {
			return &usageError{"--tz: " + err.Error()}
		}
	}
	ws, unlock, err := openWorkspace(ctx, g, "report")
	if err != nil {
		return err
	}
	defer unlock()
	if loc == nil {
		var set bool
		if loc, set, err = report.Zone(ws, opt.Roadmap); err != nil {
			return err
		}
		if !set {
			warnNoZone(g, ws, "")
		}
	}
	opt.Location = loc
	if o.At != "" {
		at, err := report.ParseDate(o.At, loc)
		if err != nil {
			return &usageError{"--at: " + err.Error()}
		}
		opt.At = at
	}
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

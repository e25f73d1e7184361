package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/spf13/cobra"

	"perenos/report"
)

// configShowOptions are the flags of config (show).
type configShowOptions struct{ Output formatFlag }

func (o *configShowOptions) prepare(g *globalOptions, in io.Reader, args []string) error {
	return o.Output.resolve("text", "json")
}

func newConfigCommand(g *globalOptions) *cobra.Command {
	var o configShowOptions
	cmd := &cobra.Command{
		Use:   "config",
		Short: "Show or change the workspace's settings (the region's time zone)",
		Long: `Show the workspace's settings, kept in its ledger so that every command, perenos serve and the
review UI use the same ones. Change one with its subcommand:

  perenos config tz Asia/Irkutsk                    the region's time zone
  perenos config tz --from-roadmap irkutsk-460rp    the zone a roadmap names

The region's time zone is the zone of the dates printed on acts (recorded with each act), of
the days of the coordinator report, of the times the review UI shows, and of the date read from
a signed act. Without it the machine's zone is used, and commands say so; the --tz flags of act
and report override it for one command.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return ledgerRun(cmd, g, "config", &o, args, runConfigShow)
		},
	}
	o.Output.addFlags(cmd.Flags(), "text", "json")
	cmd.AddCommand(newConfigTZCommand(g))
	return cmd
}

func runConfigShow(ctx context.Context, g *globalOptions, o *configShowOptions, args []string) error {
	ws, unlock, err := openWorkspace(ctx, g, "config")
	if err != nil {
		return err
	}
	defer unlock()
	c, err := ws.Config()
	if err != nil {
		return err
	}
	if o.Output.Format == "json" {
		return printJSON(g.out, c)
	}
	if c.TimeZone == "" {
		fmt.Fprintf(g.out, "tz  (not set: this machine's zone, %s, is used; perenos config tz ZONE sets it)\n", time.Local)
		return nil
	}
	loc, err := ws.Location()
	if err != nil {
		return err
	}
	fmt.Fprintf(g.out, "tz  %s (from %s; set by %s on %s)\n", c.TimeZone, c.TimeZoneSource, c.UpdatedBy, c.Updated.In(loc).Format("2006-01-02 15:04"))
	return nil
}

// configTZOptions are the flags of config tz.
type configTZOptions struct{ FromRoadmap string }

func (o *configTZOptions) prepare(g *globalOptions, in io.Reader, args []string) error {
	if _, err := os.Stat(o.FromRoadmap); err == nil {
		return absPath(&o.FromRoadmap)
	}
	return nil
}

func newConfigTZCommand(g *globalOptions) *cobra.Command {
	var o configTZOptions
	cmd := &cobra.Command{
		Use:   "tz ZONE | tz --from-roadmap ROADMAP",
		Short: "Set the region's time zone (an IANA name such as Asia/Irkutsk), or take it from a roadmap",
		Long: `Set the region's time zone: an IANA name such as Asia/Irkutsk, Europe/Moscow or
Asia/Vladivostok, or, with --from-roadmap, the zone a roadmap names (a built-in one: ` + fmt.Sprint(report.EmbeddedRoadmaps()) + `,
or a YAML file). Acts issued before keep the zone they were issued in.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			switch {
			case len(args) == 1 && o.FromRoadmap != "":
				return &usageError{"give the zone or --from-roadmap, not both"}
			case len(args) == 0 && o.FromRoadmap == "":
				return &usageError{"give the zone (e.g. perenos config tz Asia/Irkutsk) or --from-roadmap ROADMAP"}
			}
			return ledgerRun(cmd, g, "config tz", &o, args, runConfigTZ)
		},
	}
	cmd.Flags().StringVar(&o.FromRoadmap, "from-roadmap", "", "take the zone this roadmap names")
	return cmd
}

func runConfigTZ(ctx context.Context, g *globalOptions, o *configTZOptions, args []string) error {
	zone, source := "", "operator"
	if len(args) == 1 {
		zone = args[0]
	} else {
		rm, err := report.LoadRoadmap(o.FromRoadmap)
		if err != nil {
			return err
		}
		if zone = rm.NamedZone(); zone == "" {
			return fmt.Errorf("roadmap %s names no time zone: give the region's zone itself (perenos config tz ZONE)", o.FromRoadmap)
		}
		source = "roadmap " + rm.ID
	}
	ws, unlock, err := openWorkspace(ctx, g, "config tz")
	if err != nil {
		return err
	}
	defer unlock()
	c, err := ws.SetTimeZone(zone, source, g.Actor)
	if err != nil {
		return &usageError{err.Error()}
	}
	fmt.Fprintf(g.out, "the region's time zone is now %s (from %s); new acts, reports and signing dates use it\n", c.TimeZone, c.TimeZoneSource)
	return nil
}

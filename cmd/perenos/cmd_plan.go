package main

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"perenos/mapping"
	"perenos/review"
)

// planOptions are the flags of plan.
type planOptions struct{ Format string }

func newPlanCommand(g *globalOptions) *cobra.Command {
	var o planOptions
	cmd := &cobra.Command{
		Use:   "plan ORG",
		Short: "Show a site's migration plan: sections, items for review, exclusions, gaps",
		Long: `Show where each page, document and record of a site goes in the mandated structure, with
the confidence and the reasons; what waits for review; what is excluded and why; and the gaps.
--format html writes one self-contained page for the organisation's admin to read.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if !slices.Contains(review.Formats, o.Format) {
				return &usageError{fmt.Sprintf("--format %q: want one of %s", o.Format, strings.Join(review.Formats, ", "))}
			}
			return ledgerRun(cmd, g, "plan", &o, args, runPlan)
		},
	}
	cmd.Flags().StringVar(&o.Format, "format", "text", "output format: text, json or html")
	return cmd
}

func runPlan(ctx context.Context, g *globalOptions, o *planOptions, args []string) error {
	ws, org, unlock, err := openOrg(ctx, g, "plan", args[0])
	if err != nil {
		return err
	}
	defer unlock()
	plan, err := mapping.LoadPlan(ws, org.ID)
	if err != nil {
		return err
	}
	v := review.NewView(org, plan)
	switch o.Format {
	case "json":
		return printJSON(g.out, v)
	case "html":
		return review.WriteHTML(g.out, v)
	}
	return review.WriteText(g.out, v)
}

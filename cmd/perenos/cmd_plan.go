package main

import (
	"fmt"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"perenos/mapping"
	"perenos/review"
)

func newPlanCommand(g *globalOptions) *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   "plan ORG",
		Short: "Show a site's migration plan: sections, items for review, exclusions, gaps",
		Long: `Show where each page, document and record of a site goes in the mandated structure, with
the confidence and the reasons; what waits for review; what is excluded and why; and the gaps.
--format html writes one self-contained page for the organisation's admin to read.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if !slices.Contains(review.Formats, format) {
				return &usageError{fmt.Sprintf("--format %q: want one of %s", format, strings.Join(review.Formats, ", "))}
			}
			ws, org, unlock, err := openOrg(cmd.Context(), g, "plan", args[0])
			if err != nil {
				return err
			}
			defer unlock()
			plan, err := mapping.LoadPlan(ws, org.ID)
			if err != nil {
				return err
			}
			v := review.NewView(org, plan)
			switch format {
			case "json":
				return printJSON(g.out, v)
			case "html":
				return review.WriteHTML(g.out, v)
			}
			return review.WriteText(g.out, v)
		},
	}
	cmd.Flags().StringVar(&format, "format", "text", "output format: text, json or html")
	return cmd
}

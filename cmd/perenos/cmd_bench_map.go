package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"perenos/mapping"
)

// benchMapOptions are the flags of bench map.
type benchMapOptions struct {
	Gold      string
	Profiles  string
	Threshold float64
}

func (o *benchMapOptions) addFlags(cmd *cobra.Command) {
	f := cmd.Flags()
	f.StringVar(&o.Gold, "gold", "testdata/gold/mapping", "folder of the labelled gold set (sites.tsv, labels.tsv, one folder per site)")
	f.StringVar(&o.Profiles, "profiles", "", "folder of profile files overriding the built-in mandated structures")
	f.Float64Var(&o.Threshold, "threshold", 0, "confidence below which a page is left for review (default: the mapping default)")
	f.BoolVar(new(bool), "json", true, "print JSON (always)")
}

func newBenchMapCommand(g *globalOptions) *cobra.Command {
	var o benchMapOptions
	cmd := &cobra.Command{
		Use:   "map",
		Short: "Measure mapping accuracy on a labelled gold set (JSON)",
		Long: `Map every site of a labelled gold set (legacy pages with the correct section of each) and
print {"pages","accuracy","per_section","confusion","flagged"}. A page left for review counts as
wrong and is counted in "flagged"; "mandated_in_other" counts pages of a mandated section placed
in "other" without being flagged.

EXIT STATUS
0 the run finished (whatever the accuracy); 1 the gold set could not be read.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			profiles, err := mapping.LoadProfiles(o.Profiles)
			if err != nil {
				return fmt.Errorf("profiles: %w", err)
			}
			res, err := mapping.Bench(cmd.Context(), profiles, o.Gold, mapping.Options{Threshold: o.Threshold})
			if err != nil {
				return err
			}
			return printJSON(g.out, res)
		},
	}
	o.addFlags(cmd)
	return cmd
}

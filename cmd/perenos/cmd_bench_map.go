package main

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"perenos/mapping"
	"perenos/realsites"
	"perenos/realsites/perturb"
)

// benchMapOptions are the flags of bench map.
type benchMapOptions struct {
	Gold      string
	Profiles  string
	Threshold float64
	Sites     []string
	Plans     string
	Perturb   string
}

func (o *benchMapOptions) addFlags(cmd *cobra.Command) {
	f := cmd.Flags()
	f.StringVar(&o.Gold, "gold", "testdata/gold/mapping", "folder of the labelled gold set: our invented set (sites.tsv), or a corpus of real sites (SOURCES.tsv, as ../shared/gold-real)")
	f.StringVar(&o.Profiles, "profiles", "", "folder of profile files overriding the built-in mandated structures")
	f.Float64Var(&o.Threshold, "threshold", 0, "confidence below which a page is left for review (default: the mapping default)")
	f.StringSliceVar(&o.Sites, "site", nil, "only these sites of a corpus of real sites (repeat or separate by commas)")
	f.StringVar(&o.Plans, "plans", "", "write each real site's plan as JSON into this folder")
	f.StringVar(&o.Perturb, "perturb", "", "score a copy of the corpus's static sites with signals taken away: names (pages renamed p01.html…), titles (one <title> for all), headings (h1-h3 removed), separated by commas")
	f.BoolVar(new(bool), "json", true, "print JSON (always)")
}

func newBenchMapCommand(g *globalOptions) *cobra.Command {
	var o benchMapOptions
	cmd := &cobra.Command{
		Use:   "map",
		Short: "Measure mapping accuracy on a labelled gold set (JSON)",
		Long: `On a corpus of real sites (a folder with SOURCES.tsv, as ../shared/gold-real): serve each
site on loopback as its own server did (php-cli for the PHP ones), run crawl, extract and map on
it as perenos run does, and score the plan against the hand labels. Prints
{"sites","pages","right","accuracy","wrong","wrong_rate","flagged","flagged_rate","not_in_plan",
"docs","docs_right","docs_accuracy","docs_in_plan","calibration","per_type","per_site","misses",
"tuning","heldout"}; "calibration" says, per confidence bin of the automatic placements
({"from","to","placed","right","rate"}), how many were right. Nothing leaves loopback: links to a site's original domain reach its loopback server.
--perturb names,titles,headings scores a copy of the corpus's static sites with those signals
taken away, to see how much of the placement rests on what unseen sites may lack.

On the invented gold set (a folder with sites.tsv, testdata/gold/mapping): map every site and
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
			if realsites.IsCorpus(o.Gold) {
				dir, sites := o.Gold, o.Sites
				if o.Perturb != "" {
					w, err := perturb.Parse(o.Perturb)
					if err != nil {
						return err
					}
					tmp, err := os.MkdirTemp("", "perenos-perturbed-")
					if err != nil {
						return err
					}
					defer os.RemoveAll(tmp)
					if sites, err = perturb.Copy(o.Gold, tmp, o.Sites, w); err != nil {
						return fmt.Errorf("perturbed copy of %s: %w", o.Gold, err)
					}
					dir = tmp
				}
				res, err := realsites.Bench(cmd.Context(), realsites.Options{Dir: dir, Sites: sites, PlansDir: o.Plans, Profiles: profiles, Map: mapping.Options{Threshold: o.Threshold}, Log: g.log})
				if err != nil {
					return err
				}
				return printJSON(g.out, res)
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

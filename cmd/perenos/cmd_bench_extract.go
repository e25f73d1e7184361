package main

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"

	"github.com/spf13/cobra"

	"perenos/extract/zyte"
	"perenos/realsites"
	"perenos/realsites/recordscore"
)

func newBenchExtractCommand(g *globalOptions) *cobra.Command {
	var zyteDir, out, gold string
	var asJSON, recs bool
	var sites []string
	cmd := &cobra.Command{
		Use:   "extract",
		Short: "Score main-content extraction on the Zyte benchmark, or records on the gold set (JSON)",
		Long: `With --zyte DIR, run the extractor on every page of the Zyte article-extraction benchmark
(DIR holds ground-truth.json and html/<sha256>.html.gz), each page alone with no template, on one
core (GOMAXPROCS=1), and score the plain text of the main content, title line left out, with the
benchmark's shingle metric. Prints pages, f1, precision, recall and ms_per_page (CPU time for
charset decoding, parsing, main content and Markdown), wall_ms_per_page, with_records_ms_per_page
(the same pages again with the structured records, as the extract stage runs them: one parse
for both) and records_ms_per_page (what the records add). --out writes the predictions in the
benchmark's format. With --gold DIR, score structured records on the records gold set instead.

With --gold DIR --records, where DIR is a gold-real corpus (it has SOURCES.tsv and
records.tsv), serve its sites on loopback, run the real pipeline on them (crawl, extract,
map) and score the staff, contacts and documents that reach the bundle from each labelled
page against records.tsv: for each kind labelled, found, matched, precision, recall, f1 and
the field's accuracy (post, value, title), spurious_news, then the tuning and heldout parts
alone, and every miss.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			switch {
			case gold != "" && zyteDir != "":
				return errors.New("bench extract: give --zyte or --gold, not both")
			case gold != "" && recs:
				return runBenchRealRecords(cmd.Context(), g, gold, sites)
			case recs:
				return errors.New("bench extract: --records needs --gold DIR of a gold-real corpus")
			case gold != "":
				return runBenchGold(cmd.Context(), g, gold, asJSON)
			case zyteDir == "":
				return errors.New("bench extract: --zyte DIR or --gold DIR is required")
			}
			res, err := zyte.Run(cmd.Context(), zyteDir)
			if err != nil {
				return err
			}
			if out != "" {
				if err := zyte.WritePredictions(out, res.Predictions); err != nil {
					return err
				}
			}
			if asJSON {
				return printJSON(g.out, res)
			}
			_, err = fmt.Fprintf(g.out, "%d pages: F1 %.3f, precision %.3f, recall %.3f, %.2f ms a page\n",
				res.Pages, res.F1, res.Precision, res.Recall, res.MsPerPage)
			return err
		},
	}
	f := cmd.Flags()
	f.StringVar(&zyteDir, "zyte", "", "folder of the Zyte benchmark (ground-truth.json, html/)")
	f.StringVar(&out, "out", "", "write predictions to this JSON file")
	f.StringVar(&gold, "gold", "", "folder of the records gold set")
	f.BoolVar(&asJSON, "json", false, "print JSON")
	f.BoolVar(&recs, "records", false, "with --gold of a gold-real corpus: score the records that reach the bundle from its labelled pages")
	f.StringSliceVar(&sites, "site", nil, "with --records: only these sites of the corpus")
	return cmd
}

// runBenchRealRecords runs the real-site bench with the records labels and
// prints the records score as JSON.
func runBenchRealRecords(ctx context.Context, g *globalOptions, dir string, sites []string) error {
	gold, err := recordscore.Load(filepath.Join(dir, "records.tsv"))
	if err != nil {
		return err
	}
	if len(sites) == 0 {
		for _, ref := range gold.Pages() {
			if !slices.Contains(sites, ref.Site) {
				sites = append(sites, ref.Site)
			}
		}
	}
	res, err := realsites.Bench(ctx, realsites.Options{Dir: dir, Sites: sites, Records: gold, Log: g.log})
	if err != nil {
		return err
	}
	return printJSON(g.out, res.Records)
}

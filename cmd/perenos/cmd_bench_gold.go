package main

import (
	"context"
	"fmt"

	"perenos/extract/records/goldbench"
)

// runBenchGold measures record extraction on the gold set in dir: record
// precision, recall and F1, attachment recall, and attachment text on the
// set's files/. It prints JSON, or a short summary without asJSON.
func runBenchGold(ctx context.Context, g *globalOptions, dir string, asJSON bool) error {
	rep, err := goldbench.Run(ctx, dir)
	if err != nil {
		return err
	}
	if asJSON {
		return printJSON(g.out, rep)
	}
	fmt.Fprintf(g.out, "gold set %s: %d pages\n", rep.Gold, rep.Pages)
	fmt.Fprintf(g.out, "records: precision %.4f recall %.4f F1 %.4f (%d expected, %d extracted, %d matched)\n",
		rep.Records.Precision, rep.Records.Recall, rep.Records.F1, rep.Records.Expected, rep.Records.Extracted, rep.Records.Matched)
	fmt.Fprintf(g.out, "attachments: recall %.4f (%d of %d)\n", rep.Attachments.Recall, rep.Attachments.Found, rep.Attachments.Expected)
	if ft := rep.FileText; ft != nil {
		fmt.Fprintf(g.out, "attachment text: %d of %d files read as expected\n", ft.Correct, ft.Files)
	}
	for _, p := range rep.Problems {
		fmt.Fprintf(g.out, "  %s: %d missed, %d extra\n", p.Page, len(p.Missed), len(p.Extra))
	}
	return nil
}

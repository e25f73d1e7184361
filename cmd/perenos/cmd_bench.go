package main

import (
	"github.com/spf13/cobra"
)

// newBenchCommand groups the benchmarks; each prints JSON.
func newBenchCommand(g *globalOptions) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "bench",
		Short: "Benchmarks that print JSON: crawl, extract, map, upload",
		Long: `Benchmarks measure speed and accuracy side by side in one run and print JSON.
They are not part of the test suite; their figures go into the issue notes.`,
	}
	cmd.AddCommand(newBenchCrawlCommand(g), newBenchExtractCommand(g), newBenchMapCommand(g), newBenchUploadCommand(g))
	return cmd
}

func newBenchExtractCommand(g *globalOptions) *cobra.Command {
	var zyte, gold, out string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "extract (--zyte DIR [--out predictions.json] | --gold DIR)",
		Short: "Main-content accuracy on the public benchmark, or record accuracy on our gold set",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			switch {
			case zyte != "" && gold == "":
				return runBenchZyte(cmd.Context(), g, zyte, out, asJSON)
			case gold != "" && zyte == "":
				return runBenchGold(cmd.Context(), g, gold, asJSON)
			}
			return &usageError{"give exactly one of --zyte DIR or --gold DIR"}
		},
	}
	cmd.Flags().StringVar(&zyte, "zyte", "", "folder of the public main-content benchmark (html/, ground-truth.json)")
	cmd.Flags().StringVar(&out, "out", "", "write predictions in the benchmark's format to this file")
	cmd.Flags().StringVar(&gold, "gold", "", "folder of the records gold set (testdata/gold/records)")
	cmd.Flags().BoolVar(&asJSON, "json", true, "print JSON (the default)")
	return cmd
}

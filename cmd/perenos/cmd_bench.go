package main

import (
	"github.com/spf13/cobra"
)

// newBenchCommand groups the benchmarks; each prints JSON.
func newBenchCommand(g *globalOptions) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "bench",
		Short: "Benchmarks that print JSON",
		Long: `Benchmarks measure speed and accuracy side by side in one run and print JSON.
They are not part of the test suite; their figures go into the issue notes.`,
	}
	cmd.AddCommand(newBenchCrawlCommand(g), newBenchExtractCommand(g), newBenchUploadCommand(g), newBenchMapCommand(g), newBenchRegionCommand(g))
	return cmd
}

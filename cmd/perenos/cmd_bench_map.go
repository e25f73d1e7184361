package main

import (
	"errors"

	"github.com/spf13/cobra"
)

func newBenchMapCommand(g *globalOptions) *cobra.Command {
	return &cobra.Command{
		Use:   "map",
		Short: "Benchmark of the map stage (prints JSON)",
		RunE:  func(cmd *cobra.Command, args []string) error { return errors.New("bench map is not built yet") },
	}
}

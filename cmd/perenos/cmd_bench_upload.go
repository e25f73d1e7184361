package main

import (
	"errors"

	"github.com/spf13/cobra"
)

func newBenchUploadCommand(g *globalOptions) *cobra.Command {
	return &cobra.Command{
		Use:   "upload",
		Short: "Benchmark of the upload stage (prints JSON)",
		RunE:  func(cmd *cobra.Command, args []string) error { return errors.New("bench upload is not built yet") },
	}
}

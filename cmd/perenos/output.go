package main

import (
	"fmt"
	"os"
	"path/filepath"
)

// refuseBinaryToTerminal stops a command that would print a binary file
// (a workbook, a PDF) on a terminal, where it is garbage and may carry
// escape sequences: such output goes to --out or a pipe.
func refuseBinaryToTerminal(g *globalOptions, binary bool, out, hint string) error {
	if binary && out == "" && isTerminal(g.out) {
		return &usageError{hint}
	}
	return nil
}

// writeOut writes a command's output to the file out, or to standard
// output when out is empty; what names it in the message.
func writeOut(g *globalOptions, out string, data []byte, what string) error {
	if out == "" {
		_, err := g.out.Write(data)
		return err
	}
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	if err := os.WriteFile(out, data, 0o644); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	if !g.Quiet {
		fmt.Fprintf(g.errOut, "%s written to %s\n", what, out)
	}
	return nil
}

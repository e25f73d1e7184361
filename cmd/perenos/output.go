package main

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spf13/pflag"
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

// formatFlag is the one convention of every command that prints data:
// --format names the output (the ones that apply to the command), and
// --json is kept as another name for --format json.
type formatFlag struct {
	Format string
	JSON   bool
}

func (f *formatFlag) addFlags(fs *pflag.FlagSet, formats ...string) {
	fs.StringVar(&f.Format, "format", formats[0], "output format: "+strings.Join(formats, ", "))
	fs.BoolVar(&f.JSON, "json", false, "the same as --format json")
}

// resolve applies --json and checks the format against those that apply.
func (f *formatFlag) resolve(formats ...string) error {
	if f.JSON {
		f.Format = "json"
	}
	if !slices.Contains(formats, f.Format) {
		return &usageError{fmt.Sprintf("--format %q: want one of %s", f.Format, strings.Join(formats, ", "))}
	}
	return nil
}

// Command perenos moves the content of legacy official websites of schools,
// hospitals and local-government bodies onto the federal portal's site
// builder, one region at a time, and keeps the books of it.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"perenos/store"
	"runtime/debug"
	"syscall"

	"github.com/spf13/cobra"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	root := newRootCommand()
	err := root.ExecuteContext(ctx)
	if err != nil {
		fmt.Fprintln(os.Stderr, "perenos:", message(err))
		if h := hint(err); h != "" {
			fmt.Fprintln(os.Stderr, "hint:", h)
		}
	}
	if ctx.Err() != nil && err != nil {
		os.Exit(ExitInterrupted)
	}
	os.Exit(exitCode(err))
}

func newRootCommand() *cobra.Command {
	g := &globalOptions{}
	root := &cobra.Command{
		Use:   "perenos",
		Short: "Migrate legacy public-sector websites to the federal portal, region by region",
		Long: `perenos crawls each organisation's legacy site, extracts its content, maps it into
the structure the law mandates, lets the organisation review it, uploads it through the
portal's import API, verifies it, and keeps the ledger the regional roadmap is judged by.

EXIT STATUS
  0   success
  1   error
  3   finished, but some sites or items failed (re-run the same command)
  11  the workspace is locked by another perenos process
  130 interrupted`,
		Version:           versionString(),
		SilenceErrors:     true,
		SilenceUsage:      true,
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error { return g.resolve(cmd) },
	}
	root.SetVersionTemplate("perenos {{.Version}}\n")
	g.addFlags(root.PersistentFlags())
	root.AddCommand(
		newDemoCommand(g),
		newOrgsCommand(g),
		newCrawlCommand(g),
		newExtractCommand(g),
		newMapCommand(g),
		newApproveCommand(g),
		newUploadCommand(g),
		newVerifyCommand(g),
		newRunCommand(g),
		newPlanCommand(g), newGapsCommand(g),
		newEventsCommand(g),
		newBackupCommand(g), newRestoreCommand(g),
		newConfigCommand(g),
		newPortalCommand(g),
		newBenchCommand(g),
		newActCommand(g),
		newReportCommand(g),
		newDomainCommand(g),
		newRollbackCommand(g), newExportCommand(g), newRedirectsCommand(g),
		newURLsCommand(g), newItemsCommand(g),
		newServeCommand(g),
		newUsersCommand(g),
		newInviteCommand(g),
	)
	return root
}

// usageError is a mistake in the command line.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func isUsage(err error) bool {
	var u *usageError
	return errors.As(err, &u)
}

// version is set at build time (go build -ldflags "-X main.version=1.2.0");
// otherwise the module's version or VCS revision stands in.
var version = ""

// versionString is what perenos --version prints: the program's version
// and the ledger schema it writes (and the newest it reads).
func versionString() string {
	v := version
	if v == "" {
		v = "(devel)"
		if bi, ok := debug.ReadBuildInfo(); ok {
			if bi.Main.Version != "" && bi.Main.Version != "(devel)" {
				v = bi.Main.Version
			}
			for _, s := range bi.Settings {
				if s.Key == "vcs.revision" && len(s.Value) >= 12 && v == "(devel)" {
					v = "(devel " + s.Value[:12] + ")"
				}
			}
		}
	}
	return fmt.Sprintf("%s, ledger schema %d", v, store.SchemaVersion)
}

package main

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"perenos/store"
)

// restoreOptions are the flags of restore.
type restoreOptions struct{ Output formatFlag }

// newRestoreCommand is perenos restore. It is not handed to perenos
// serve: it makes a new workspace in an empty folder, which no server
// holds, and a server's own workspace is never empty.
func newRestoreCommand(g *globalOptions) *cobra.Command {
	var o restoreOptions
	cmd := &cobra.Command{
		Use:   "restore FILE.tar --home DIR",
		Short: "Bring a workspace back from a backup written by perenos backup FILE.tar",
		Long: `Bring a workspace back from an archive written by perenos backup FILE.tar into --home DIR,
which must be empty or not exist (a workspace in use is never overwritten). Every file is
checked against the archive's SHA-256 manifest and the ledger page by page; if anything is
wrong, nothing is left in DIR. Then run perenos --home DIR as before.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := o.Output.resolve("text", "json"); err != nil {
				return err
			}
			return runRestore(cmd.Context(), g, &o, args)
		},
	}
	o.Output.addFlags(cmd.Flags(), "text", "json")
	return cmd
}

func runRestore(ctx context.Context, g *globalOptions, o *restoreOptions, args []string) error {
	head, st, err := store.Restore(ctx, args[0], g.Home)
	if err != nil {
		return err
	}
	for _, b := range st.Damaged {
		fmt.Fprintf(g.errOut, "warning: blob %s was already damaged in the workspace the backup was taken from\n", b)
	}
	if o.Output.Format == "json" {
		return printJSON(g.out, map[string]any{"home": g.Home, "backup": head, "restored": st})
	}
	fmt.Fprintf(g.out, "workspace restored into %s from %s (taken %s from %s): the ledger (%d bytes), %d blobs, %d act files\n",
		g.Home, args[0], head.Created.Format("2006-01-02 15:04"), head.Workspace, st.LedgerBytes, st.Blobs, st.Files)
	return nil
}

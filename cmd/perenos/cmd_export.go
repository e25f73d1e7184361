package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"perenos/store"
	"perenos/uploader"
)

// exportOptions are the flags of export.
type exportOptions struct {
	Out  string
	Base string
}

func (o *exportOptions) prepare(g *globalOptions, in io.Reader, args []string) error {
	return absPath(&o.Out)
}

func newExportCommand(g *globalOptions) *cobra.Command {
	var o exportOptions
	cmd := &cobra.Command{
		Use:   "export ORG --out site.zip",
		Short: "Write a site's approved plan as one bulk-import bundle",
		Long: `Write the approved plan of one site as a bulk-import bundle: a zip with manifest.json, every
object's body and every file. The portal's bulk endpoint (POST /api/v1/sites/{site}/bundle)
imports it with the same result as perenos upload. --portal-url makes links between the site's
pages absolute; without it they are paths on the portal.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if o.Out == "" {
				return &usageError{"--out is required: the bundle file to write"}
			}
			return ledgerRun(cmd, g, "export", &o, args, runExport)
		},
	}
	cmd.Flags().StringVar(&o.Out, "out", "", "the bundle file to write (zip)")
	cmd.Flags().StringVar(&o.Base, "portal-url", "", "the portal's public base URL, for links between pages")
	return cmd
}

func runExport(ctx context.Context, g *globalOptions, o *exportOptions, args []string) error {
	ws, org, unlock, err := openOrg(ctx, g, "export", args[0])
	if err != nil {
		return err
	}
	defer unlock()
	if err := store.CanRun(store.StageUpload, org.State, org.FailedAt, org.HasLegacy()); err != nil {
		return fmt.Errorf("organisation %s: %w", org.ID, err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(o.Out), ".bundle-*")
	if err != nil {
		return fmt.Errorf("bundle %s: %w", o.Out, err)
	}
	defer os.Remove(tmp.Name())
	n, err := uploader.ExportSite(ctx, ws, ws.Blobs, org, o.Base, tmp)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("bundle %s: %w", o.Out, err)
	}
	if err := os.Rename(tmp.Name(), o.Out); err != nil {
		return fmt.Errorf("bundle %s: %w", o.Out, err)
	}
	fmt.Fprintf(g.out, "%s: %d objects and files of %s for portal site %s\n", o.Out, n, org.ID, org.PortalSite)
	return nil
}

package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"perenos/store"
	"perenos/uploader"
)

func newExportCommand(g *globalOptions) *cobra.Command {
	var out, base string
	cmd := &cobra.Command{
		Use:   "export ORG --out site.zip",
		Short: "Write a site's approved plan as one bulk-import bundle",
		Long: `Write the approved plan of one site as a bulk-import bundle: a zip with manifest.json, every
object's body and every file. The portal's bulk endpoint (POST /api/v1/sites/{site}/bundle)
imports it with the same result as perenos upload. --portal-url makes links between the site's
pages absolute; without it they are paths on the portal.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if out == "" {
				return &usageError{"--out is required: the bundle file to write"}
			}
			ws, org, unlock, err := openOrg(cmd.Context(), g, "export", args[0])
			if err != nil {
				return err
			}
			defer unlock()
			tmp, err := os.CreateTemp(filepath.Dir(out), ".bundle-*")
			if err != nil {
				return fmt.Errorf("bundle %s: %w", out, err)
			}
			defer os.Remove(tmp.Name())
			if err := store.CanRun(store.StageUpload, org.State, org.FailedAt, org.HasLegacy()); err != nil {
				tmp.Close()
				return fmt.Errorf("organisation %s: %w", org.ID, err)
			}
			n, err := uploader.ExportSite(cmd.Context(), ws, ws.Blobs, org, base, tmp)
			if cerr := tmp.Close(); err == nil {
				err = cerr
			}
			if err != nil {
				return fmt.Errorf("bundle %s: %w", out, err)
			}
			if err := os.Rename(tmp.Name(), out); err != nil {
				return fmt.Errorf("bundle %s: %w", out, err)
			}
			fmt.Fprintf(g.out, "%s: %d objects and files of %s for portal site %s\n", out, n, org.ID, org.PortalSite)
			return nil
		},
	}
	cmd.Flags().StringVar(&out, "out", "", "the bundle file to write (zip)")
	cmd.Flags().StringVar(&base, "portal-url", "", "the portal's public base URL, for links between pages")
	return cmd
}

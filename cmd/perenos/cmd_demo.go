package main

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"perenos/demo"
	"perenos/pipeline"
	"perenos/report"
)

func newDemoCommand(g *globalOptions) *cobra.Command {
	var asJSON bool
	var tour demo.TourOptions
	var serveSites bool
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Migrate the bundled demo region end to end (legacy sites and portal on loopback)",
		Long: `Serve the bundled legacy demo sites (a school, a hospital, a municipality) on loopback,
start the reference portal in-process, import a registry for them (plus a kindergarten with no
legacy site), and run every stage with automatic approval. The portal keeps its data in the
workspace, so a second run finds everything in place and uploads nothing new.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if serveSites {
				return runDemoTour(cmd.Context(), g, tour)
			}
			ws, unlock, err := openWorkspace(cmd.Context(), g, "demo")
			if err != nil {
				return err
			}
			defer unlock()
			prog := newProgress(g, asJSON, 0, "demo")
			if !asJSON && !g.Quiet {
				fmt.Fprintf(g.errOut, "workspace %s\n", ws.Dir)
			}
			sum, err := demo.Run(cmd.Context(), ws, demo.Options{Log: g.log, Progress: prog, Actor: "demo"})
			if err != nil {
				return err
			}
			if asJSON {
				return printJSON(g.out, sum)
			}
			for _, s := range sum.Sites {
				fmt.Fprintf(g.out, "\n%s  %s\n  type %s, state %s, %d pages, %d attachments\n", s.ID, s.Name, s.Type, s.State, s.Pages, s.Attachments)
				if s.Error != "" {
					fmt.Fprintf(g.out, "  error: %s\n", s.Error)
				}
				ids := make([]string, 0, len(s.Sections))
				for id := range s.Sections {
					ids = append(ids, id)
				}
				sort.Strings(ids)
				parts := make([]string, len(ids))
				for i, id := range ids {
					parts[i] = fmt.Sprintf("%s %d", id, s.Sections[id])
				}
				fmt.Fprintf(g.out, "  sections: %s\n", orNone(strings.Join(parts, ", ")))
				fmt.Fprintf(g.out, "  gaps: %s\n", orNone(strings.Join(s.Gaps, ", ")))
				fmt.Fprintf(g.out, "  upload: %s\n", demoUpload(s))
			}
			fmt.Fprintln(g.out)
			if sum.NothingNew {
				fmt.Fprintln(g.out, "Every site was already on the portal as planned: nothing new was uploaded.")
			}
			fmt.Fprintf(g.out, "The reference portal served the result at %s while the demo ran; run `perenos portal serve --data %s/portal` to look at it.\n", sum.PortalURL, ws.Dir)
			if b := sum.Books; b != nil {
				fmt.Fprintln(g.out)
				for _, ia := range b.Acts.Issued {
					note := ""
					if ia.Unchanged {
						note = " (stands: migrated again with the same content)"
					}
					fmt.Fprintf(g.out, "акт № %s, версия %d for %s: %s/%s%s\n", ia.Act.Number, ia.Act.Version, ia.Act.Org, ws.Dir, ia.Act.PDF, note)
				}
				if b.Acts.Combined != "" {
					fmt.Fprintf(g.out, "all new acts for printing: %s/%s\n", ws.Dir, b.Acts.Combined)
				}
				fmt.Fprintln(g.out)
				return report.WriteTable(g.out, b.Report)
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the summary as one JSON object")
	cmd.Flags().BoolVar(&serveSites, "serve-sites", false, "instead, keep the demo's legacy sites and a reference portal up for the README's tour, until Ctrl-C")
	cmd.Flags().StringVar(&tour.Dir, "tour", "tour", "with --serve-sites: folder for the tour's region.csv, tokens.csv and portal storage")
	cmd.Flags().IntVar(&tour.FirstPort, "first-port", 8081, "with --serve-sites: the first site's port on 127.0.0.1 (the others follow)")
	cmd.Flags().IntVar(&tour.PortalPort, "portal-port", 8090, "with --serve-sites: the portal's port on 127.0.0.1")
	return cmd
}

// runDemoTour serves the demo region for the tour until ctx ends.
func runDemoTour(ctx context.Context, g *globalOptions, opt demo.TourOptions) error {
	t, err := demo.ServeTour(opt)
	if err != nil {
		return err
	}
	defer t.Close()
	fmt.Fprintf(g.out, "the demo's legacy sites and a reference portal are up until Ctrl-C:\n")
	for _, s := range demo.Region {
		if u := t.Sites[s.Org.ID]; u != "" {
			fmt.Fprintf(g.out, "  %s  %s  %s\n", s.Org.ID, u, s.Org.Name)
		}
	}
	fmt.Fprintf(g.out, "  portal %s (its sites at %s/sites/)\n", t.PortalURL, t.PortalURL)
	fmt.Fprintf(g.out, "registry %s, portal tokens %s; in another terminal:\n", t.Registry, t.Tokens)
	fmt.Fprintf(g.out, "  export PERENOS_HOME=tour-data\n  perenos orgs import %s\n  perenos run --all --allow-private\n", t.Registry)
	fmt.Fprintf(g.out, "  perenos upload --all --portal %s --tokens %s   (after approving: see the README's tour)\n", t.PortalURL, t.Tokens)
	t.Wait(ctx)
	return nil
}

// demoUpload says what a demo site's upload did.
func demoUpload(s demo.SiteSummary) string {
	switch {
	case s.UploadError != "":
		return "FAILED: " + s.UploadError
	case s.UploadSkip != nil:
		return "skipped: " + skipText(pipeline.Outcome{Skip: s.UploadSkip, Upload: s.Upload})
	case s.Upload != nil && s.Upload.Report != nil:
		return uploadText(s.Upload)
	}
	return "not run"
}

package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"time"

	"github.com/spf13/cobra"

	"perenos/uploader/uploadbench"
)

func newBenchUploadCommand(g *globalOptions) *cobra.Command {
	var o uploadbench.Options
	var asJSON, servePortal, sharedProcess bool
	cmd := &cobra.Command{
		Use:   "upload",
		Short: "Upload a synthetic site to a portal with fixed latency; print the rate against its limit",
		Long: `Start a reference portal in its own process (this program again; --portal-in-process keeps it
in this one) that answers every request --latency after it arrived,
upload a synthetic site of --items objects (--files of them files) with --concurrency objects in
flight, and print {"items","seconds","items_per_sec","limit_items_per_sec","ratio_to_limit",...}
where the limit is concurrency ÷ latency. A second upload of the same site follows and must send
nothing. The portal's own work is done within the latency ("portal_latency":"answer_after"):
it runs on the uploader's CPU, and is not the uploader's to count; the same
upload against a portal that adds the latency to its work follows, as
ratio_to_limit_added_latency. The portal skips fsync, so that its disk does not count as latency;
cpu_ms_per_object is this process's CPU (the uploader's), portal_cpu_ms_per_object the portal's.
--portal-fsync runs the upload again against a portal that syncs every commit and prints
ratio_to_limit_fsync beside the judged ratio_to_limit. ratio_ceiling is the best ratio_to_limit
any uploader could reach on the site (its dependencies and the run's tail, with no overhead at
all); "timing" says where the judged run's wall time went (time in flight, the portal's share,
the slots' free time, the connections the portal accepted). --profile DIR writes the judged
run's CPU profile, allocations and execution trace.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if servePortal {
				return uploadbench.ServePortal(cmd.Context(), cmd.InOrStdin(), cmd.OutOrStdout())
			}
			if !sharedProcess {
				exe, err := os.Executable()
				if err != nil {
					return fmt.Errorf("bench upload: finding the perenos binary to run the portal: %w", err)
				}
				o.PortalServer = func(ctx context.Context) *exec.Cmd {
					c := exec.CommandContext(ctx, exe, "bench", "upload", "--serve-portal")
					c.Stderr = g.errOut
					return c
				}
			}
			res, err := uploadbench.Run(cmd.Context(), o)
			if err != nil {
				return err
			}
			return printJSON(g.out, res)
		},
	}
	cmd.Flags().IntVar(&o.Items, "items", 2000, "objects in the synthetic site, files included")
	cmd.Flags().IntVar(&o.Files, "files", 500, "of which files (each with its document)")
	cmd.Flags().DurationVar(&o.Latency, "latency", 20*time.Millisecond, "latency the portal adds to every request")
	cmd.Flags().IntVar(&o.Concurrency, "concurrency", 8, "objects in flight")
	cmd.Flags().BoolVar(&o.PortalFsync, "portal-fsync", false, "also run with the portal's fsync on and print ratio_to_limit_fsync")
	cmd.Flags().StringVar(&o.ProfileDir, "profile", "", "write the judged run's CPU and allocation profiles and execution trace (upload.cpu.pprof, upload.allocs.pprof, upload.trace) into this folder")
	cmd.Flags().BoolVar(&sharedProcess, "portal-in-process", false, "run the portal in this process, its CPU and garbage collection shared with the uploader's")
	cmd.Flags().BoolVar(&servePortal, "serve-portal", false, "serve the bench portal configured on stdin (the benchmark starts itself so)")
	cmd.Flags().MarkHidden("serve-portal")
	cmd.Flags().BoolVar(&asJSON, "json", true, "print JSON (the only format)")
	return cmd
}

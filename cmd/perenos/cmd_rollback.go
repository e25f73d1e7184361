package main

import (
	"context"
	"io"

	"github.com/spf13/cobra"

	"perenos/mapping"
	"perenos/pipeline"
	"perenos/store"
	"perenos/uploader"
)

// rollbackCmd is perenos rollback.
type rollbackCmd struct {
	Stage  stageOptions
	Portal portalOptions
}

func (c *rollbackCmd) prepare(g *globalOptions, in io.Reader, args []string) error {
	if err := c.Stage.prepare(g, in, args); err != nil {
		return err
	}
	return c.Portal.prepare()
}

func newRollbackCommand(g *globalOptions) *cobra.Command {
	var o rollbackCmd
	cmd := &cobra.Command{
		Use:   "rollback [ORG...]",
		Short: "Remove from the portal what perenos created for a site, and move it back to approved",
		Long: `Delete from the portal every item perenos created for the site (its ID map says which: the
portal answered 201), leave in place what existed before perenos wrote to it (answered 200), and
move the site back to approved. A site whose completion act is signed is refused.`,
		RunE: func(cmd *cobra.Command, args []string) error {
			return ledgerRun(cmd, g, "rollback", &o, args, runRollback)
		},
	}
	o.Stage.addFlags(cmd.Flags())
	o.Portal.addFlags(cmd.Flags())
	return cmd
}

func runRollback(ctx context.Context, g *globalOptions, o *rollbackCmd, args []string) error {
	return stageRun(ctx, g, "rollback", &o.Stage, args, func(orgs []*store.Org, _ *progress, _ mapping.Profiles) (batch, error) {
		t, err := o.Portal.target(orgs)
		if err != nil {
			return batch{}, err
		}
		return batch{steps: []pipeline.Step{pipeline.Rollback{Portal: uploader.Portal{Target: t}}}}, nil
	})
}

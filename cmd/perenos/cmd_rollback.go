package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"perenos/mapping"
	"perenos/pipeline"
	"perenos/report"
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
move the site back to approved. The site's completion act, if one was issued and is not signed,
is voided (its number is not given to another act), and the coordinator report no longer counts
the site as migrated or as having an act. A site whose completion act is signed is refused.

EXIT STATUS
  0  rolled back
  1  refused (a signed act), or another error
  3  some items could not be removed (the same command retries them)`,
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
		t, err := o.Portal.target(orgs, nil)
		if err != nil {
			return batch{}, err
		}
		return batch{steps: []pipeline.Step{pipeline.Rollback{Portal: uploader.Portal{Target: t}, Signed: report.HasSignedAct}}, settle: settleRollback(g, o.Stage.asJSON())}, nil
	})
}

// settleRollback records each rollback that touched the portal in the
// books, after the pipeline's Rollback step: the event the report replays,
// and the voided act. It runs here rather than as a pipeline step because
// the pipeline may not import report; a rollback killed before this runs
// leaves the site approved with its act standing, and running the same
// rollback again (which removes nothing more) records it.
func settleRollback(g *globalOptions, asJSON bool) func(*store.Workspace, *pipeline.Result) error {
	return func(ws *store.Workspace, res *pipeline.Result) error {
		var errs []error
		for _, out := range res.Outcomes {
			rep := out.Rollback
			if out.Skip != nil || rep == nil || (out.Error != "" && rep.Deleted == 0) {
				continue // refused, or nothing was removed
			}
			act, err := report.RecordRollback(ws, out.Org, describe(out), g.Actor)
			if err != nil {
				errs = append(errs, fmt.Errorf("%w (run the same rollback again to record it)", err))
				continue
			}
			if w := g.out; act != nil {
				if asJSON { // standard output holds the JSON result
					w = g.errOut
				}
				fmt.Fprintf(w, "%s  %s voided: the rollback removed what it describes; its number is not given to another act\n", out.Org, act.Ref())
			}
		}
		return errors.Join(errs...)
	}
}

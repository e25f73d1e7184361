package main

import (
	"github.com/spf13/cobra"

	"perenos/mapping"
	"perenos/pipeline"
	"perenos/store"
	"perenos/uploader"
)

func newRollbackCommand(g *globalOptions) *cobra.Command {
	var o stageOptions
	var p portalOptions
	cmd := &cobra.Command{
		Use:   "rollback [ORG...]",
		Short: "Remove from the portal what perenos created for a site, and move it back to approved",
		Long: `Delete from the portal every item perenos created for the site (its ID map says which: the
portal answered 201), leave in place what existed before perenos wrote to it (answered 200), and
move the site back to approved. A site whose completion act is signed is refused.`,
		RunE: func(cmd *cobra.Command, args []string) error {
			return stageRun(cmd.Context(), g, "rollback", &o, args, func(orgs []*store.Org, _ *progress, _ mapping.Profiles) (batch, error) {
				t, err := p.target(orgs)
				if err != nil {
					return batch{}, err
				}
				return batch{steps: []pipeline.Step{pipeline.Rollback{Portal: uploader.Portal{Target: t}}}}, nil
			})
		},
	}
	o.addFlags(cmd.Flags())
	p.addFlags(cmd.Flags())
	return cmd
}

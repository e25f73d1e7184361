package demo

import (
	"context"
	"time"

	"perenos/report"
	"perenos/store"
)

// DemoRoadmap is the roadmap the demo region is reported against.
const DemoRoadmap = "irkutsk-460rp"

// Books is what the demo ends with: the completion acts of the sites it
// migrated, and the coordinator report against the region's roadmap.
type Books struct {
	Acts   *report.IssueResult `json:"acts"`
	Report *report.Report      `json:"report"`
}

// issueActs issues the acts of the verified demo sites, with the new
// sites' addresses on the demo portal, and builds the report.
func issueActs(ctx context.Context, ws *store.Workspace, orgs []*store.Org, portalBase, actor string) (*Books, error) {
	rm, err := report.LoadRoadmap(DemoRoadmap)
	if err != nil {
		return nil, err
	}
	loc := rm.Location()
	if loc == nil {
		loc = time.Local
	}
	// The demo region's zone is its roadmap's, as an operator would set it
	// (perenos config tz --from-roadmap), unless one was set already.
	if c, err := ws.Config(); err != nil {
		return nil, err
	} else if c.TimeZone == "" && rm.NamedZone() != "" {
		if _, err := ws.SetTimeZone(rm.NamedZone(), "roadmap "+rm.ID, actor); err != nil {
			return nil, err
		}
	}
	acts, err := report.IssueActs(ctx, ws, orgs, true, report.ActOptions{
		SiteURL: portalBase + "/sites/{site}/", Actor: actor, Location: loc,
	})
	if err != nil {
		return nil, err
	}
	rep, err := report.Build(ws, report.Options{Roadmap: rm})
	if err != nil {
		return nil, err
	}
	return &Books{Acts: acts, Report: rep}, nil
}

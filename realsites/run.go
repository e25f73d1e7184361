package realsites

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"perenos/crawler"
	"perenos/mapping"
	"perenos/pipeline"
	"perenos/store"
)

// crawlDelay is the politeness delay of the bench's crawl: the default
// (500 ms) scaled down, since every site is on loopback.
const crawlDelay = 2 * time.Millisecond

// runPipeline runs crawl, extract and map over the sites as `perenos run`
// does with its default settings (the crawl delay scaled down, the
// network confined to loopback by net), and returns each site's plan.
// This is the bench's only contact with the pipeline.
func runPipeline(ctx context.Context, ws *store.Workspace, profiles mapping.Profiles, mapOpts mapping.Options, net crawler.NetOptions, log *slog.Logger, ids []string) (map[string]*mapping.Plan, error) {
	env := &pipeline.Env{WS: ws, Profiles: profiles, Actor: "perenos bench map", Log: log, SitesParallel: len(ids), MapOpts: mapOpts,
		CrawlOpts: crawler.Options{Net: net, PerHost: 2, Delay: crawlDelay, MaxPages: 20000, MaxDepth: 25, MaxAttachmentBytes: 100 << 20}}
	stages := []struct {
		name string
		run  func(context.Context, []*store.Org) *pipeline.Result
	}{{"crawl", env.Crawl}, {"extract", env.Extract}, {"map", env.Map}}
	for _, st := range stages {
		orgs := make([]*store.Org, 0, len(ids))
		for _, id := range ids {
			o, err := ws.Org(id)
			if err != nil {
				return nil, err
			}
			orgs = append(orgs, o)
		}
		res := st.run(ctx, orgs)
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		for _, out := range res.Outcomes {
			if out.Error != "" || out.Skipped != "" {
				return nil, fmt.Errorf("site %s: stage %s: %s%s", out.Org, st.name, out.Error, out.Skipped)
			}
		}
	}
	plans := make(map[string]*mapping.Plan, len(ids))
	for _, id := range ids {
		p, err := pipeline.LoadPlan(ws, id)
		if err != nil {
			return nil, err
		}
		plans[id] = p
	}
	return plans, nil
}

// mapInputs loads what the map stage reads of each site, for timing
// mapping.Build on its own.
func mapInputs(ws *store.Workspace, ids []string) (map[string]mapping.Input, error) {
	out := make(map[string]mapping.Input, len(ids))
	for _, id := range ids {
		o, err := ws.Org(id)
		if err != nil {
			return nil, err
		}
		in := mapping.Input{Org: o, Blobs: ws.Blobs}
		if in.Docs, err = pipeline.LoadDocs(ws, id); err != nil {
			return nil, err
		}
		if in.Attach, err = pipeline.LoadAttachText(ws, id); err != nil {
			return nil, err
		}
		if err := ws.Pages(id, func(p *store.Page) error {
			if p.Kind != "sitemap" {
				in.Pages = append(in.Pages, p)
			}
			return nil
		}); err != nil {
			return nil, err
		}
		out[id] = in
	}
	return out, nil
}

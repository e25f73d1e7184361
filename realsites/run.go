package realsites

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"perenos/crawler"
	"perenos/extract"
	"perenos/mapping"
	"perenos/pipeline"
	"perenos/store"
)

// crawlDelay is the politeness delay of the bench's crawl: the default
// (500 ms) scaled down, since every site is on loopback.
const crawlDelay = 2 * time.Millisecond

// runPipeline runs crawl, extract and map over the sites as `perenos run`
// does with its default settings (the crawl delay scaled down, the
// network confined to loopback by net), through the pipeline's one
// runner, and returns each site's plan. This is the bench's only contact
// with the pipeline.
func runPipeline(ctx context.Context, ws *store.Workspace, profiles mapping.Profiles, mapOpts mapping.Options, net crawler.NetOptions, log *slog.Logger, ids []string) (map[string]*mapping.Plan, error) {
	r := &pipeline.Runner{WS: ws, Actor: "perenos bench map", Log: log, SitesParallel: len(ids)}
	crawl := pipeline.Crawl{Options: crawler.Options{Net: net, PerHost: 2, Delay: crawlDelay, MaxPages: 20000, MaxDepth: 25, MaxAttachmentBytes: 100 << 20}}
	orgs := make([]*store.Org, 0, len(ids))
	for _, id := range ids {
		o, err := ws.Org(id)
		if err != nil {
			return nil, err
		}
		orgs = append(orgs, o)
	}
	res := r.Run(ctx, orgs, pipeline.RunSteps(crawl, pipeline.Map{Profiles: profiles, Options: mapOpts})...)
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	for _, out := range res.Outcomes {
		if out.Error != "" || out.Skip != nil {
			why := out.Error
			if out.Skip != nil {
				why = out.Skip.Error()
			}
			return nil, fmt.Errorf("site %s: stage %s: %s", out.Org, out.Stage, why)
		}
	}
	plans := make(map[string]*mapping.Plan, len(ids))
	for _, id := range ids {
		p, err := mapping.LoadPlan(ws, id)
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
		if in.Docs, err = extract.Docs.All(ws, id); err != nil {
			return nil, err
		}
		texts, err := extract.AttachTexts.All(ws, id)
		if err != nil {
			return nil, err
		}
		in.Attach = make(map[string]mapping.AttachText, len(texts))
		for k, v := range texts {
			in.Attach[k] = *v
		}
		if err := ws.Pages(id, func(p *store.Page) error {
			if p.Kind != store.KindSitemap {
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

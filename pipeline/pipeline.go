// Package pipeline runs the migration stages over a batch of sites: each
// stage is a function of (site, ledger), run for many sites in parallel,
// with the ledger's state machine deciding what may run and recording
// every outcome. A failing site is marked failed(stage, error) and the
// batch goes on.
package pipeline

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"

	"perenos/crawler"
	"perenos/mapping"
	"perenos/store"
)

// Env is what stages need: the workspace and the batch's settings.
type Env struct {
	WS            *store.Workspace
	Profiles      mapping.Profiles
	Actor         string // who runs the batch, for the event log
	Log           *slog.Logger
	SitesParallel int
	CrawlOpts     crawler.Options // defaults; per-site settings override
	MapOpts       mapping.Options
	Progress      Progress
}

// Progress hears about sites starting and finishing a stage.
type Progress interface {
	SiteStarted(stage store.Stage, org string)
	SiteDone(stage store.Stage, org string, out Outcome)
}

type noProgress struct{}

func (noProgress) SiteStarted(store.Stage, string)       {}
func (noProgress) SiteDone(store.Stage, string, Outcome) {}

// Outcome is what a stage did to one site.
type Outcome struct {
	Org     string `json:"org"`
	Stage   string `json:"stage"`
	State   string `json:"state"`
	Summary string `json:"summary,omitempty"`
	Skipped string `json:"skipped,omitempty"` // why the stage did not run
	Error   string `json:"error,omitempty"`
}

// Result is a batch's outcomes.
type Result struct {
	Outcomes []Outcome `json:"sites"`
	Failed   int       `json:"failed"`
	Skipped  int       `json:"skipped"`
}

// ErrSomeFailed says a batch finished but some sites failed.
var ErrSomeFailed = errors.New("some sites failed")

// Err returns ErrSomeFailed when any site failed.
func (r *Result) Err() error {
	if r.Failed > 0 {
		return fmt.Errorf("%w: %d of %d", ErrSomeFailed, r.Failed, len(r.Outcomes))
	}
	return nil
}

// skip is returned by a stage function that decides not to run.
type skip string

func (s skip) Error() string { return string(s) }

// stageFunc does one stage for one site and returns a one-line summary.
type stageFunc func(ctx context.Context, org *store.Org) (string, error)

// run applies fn to every org, SitesParallel at a time.
func (e *Env) run(ctx context.Context, stage store.Stage, orgs []*store.Org, fn stageFunc) *Result {
	if e.Progress == nil {
		e.Progress = noProgress{}
	}
	if e.Log == nil {
		e.Log = slog.New(slog.DiscardHandler)
	}
	par := max(e.SitesParallel, 1)
	res := &Result{Outcomes: make([]Outcome, len(orgs))}
	sem := make(chan struct{}, par)
	var wg sync.WaitGroup
	for i, o := range orgs {
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			res.Outcomes[i] = Outcome{Org: o.ID, Stage: string(stage), State: string(o.State), Skipped: "interrupted"}
			continue
		}
		wg.Go(func() {
			defer func() { <-sem }()
			res.Outcomes[i] = e.one(ctx, stage, o, fn)
		})
	}
	wg.Wait()
	for _, out := range res.Outcomes {
		switch {
		case out.Error != "":
			res.Failed++
		case out.Skipped != "":
			res.Skipped++
		}
	}
	return res
}

func (e *Env) one(ctx context.Context, stage store.Stage, o *store.Org, fn stageFunc) Outcome {
	out := Outcome{Org: o.ID, Stage: string(stage)}
	cur, err := e.WS.Org(o.ID)
	if err != nil {
		out.Error = err.Error()
		return out
	}
	if err := store.CanRun(stage, cur.State, cur.FailedAt, cur.HasLegacy()); err != nil {
		out.State, out.Skipped = string(cur.State), err.Error()
		return out
	}
	e.Progress.SiteStarted(stage, o.ID)
	log := e.Log.With("site", o.ID, "stage", stage)
	summary, err := fn(ctx, cur)
	var sk skip
	switch {
	case errors.As(err, &sk):
		out.Skipped = string(sk)
	case err != nil && ctx.Err() != nil:
		out.Skipped = "interrupted; run the same command again to resume"
	case err != nil:
		log.Error("stage failed", "err", err)
		out.Error = err.Error()
		if ferr := e.WS.Fail(o.ID, stage, e.Actor, err); ferr != nil {
			out.Error += "; and recording the failure: " + ferr.Error()
		}
	default:
		out.Summary = summary
		if aerr := e.WS.Advance(o.ID, stage, e.Actor, summary); aerr != nil {
			out.Error = aerr.Error()
		}
	}
	if now, err := e.WS.Org(o.ID); err == nil {
		out.State = string(now.State)
	}
	e.Progress.SiteDone(stage, o.ID, out)
	return out
}

// Selector chooses organisations: by ID, or all, narrowed by type,
// district and state.
type Selector struct {
	IDs      []string
	All      bool
	Type     string
	District string
	State    string
}

// Select returns the organisations a selector names, in ID order.
func Select(ws *store.Workspace, sel Selector) ([]*store.Org, error) {
	if len(sel.IDs) == 0 && !sel.All && sel.Type == "" && sel.District == "" && sel.State == "" {
		return nil, errors.New("name organisations by ID, or use --all (optionally with --type, --district, --state)")
	}
	if sel.Type != "" {
		if _, err := store.ParseOrgType(sel.Type); err != nil {
			return nil, err
		}
	}
	if sel.State != "" {
		if _, err := store.ParseState(sel.State); err != nil {
			return nil, err
		}
	}
	var pool []*store.Org
	if len(sel.IDs) > 0 {
		for _, id := range sel.IDs {
			o, err := ws.Org(id)
			if err != nil {
				return nil, fmt.Errorf("%w (see perenos orgs list)", err)
			}
			pool = append(pool, o)
		}
	} else {
		all, err := ws.Orgs()
		if err != nil {
			return nil, err
		}
		pool = all
	}
	var out []*store.Org
	for _, o := range pool {
		if sel.Type != "" && string(o.Type) != sel.Type {
			continue
		}
		if sel.District != "" && !strings.EqualFold(o.District, sel.District) {
			continue
		}
		if sel.State != "" && string(o.State) != sel.State {
			continue
		}
		out = append(out, o)
	}
	slices.SortFunc(out, func(a, b *store.Org) int { return strings.Compare(a.ID, b.ID) })
	return out, nil
}

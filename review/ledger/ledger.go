// Package ledger connects the review server to a workspace: it reads plans,
// extracted documents and legacy pages through the stages' own records,
// keeps review decisions and hand-filled gaps, rebuilds a site's plan
// after each decision exactly as the map stage would, and runs the batch
// stages the operator starts from the web UI through the pipeline's one
// runner.
package ledger

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"

	"perenos/charset"
	"perenos/crawler"
	"perenos/extract"
	"perenos/mapping"
	"perenos/pipeline"
	"perenos/review"
	"perenos/store"
	"perenos/uploader"
)

// Source is the review server's view of one workspace.
type Source struct {
	WS       *store.Workspace
	Profiles mapping.Profiles
	MapOpts  mapping.Options
	Log      *slog.Logger
	// Target, when set, makes upload and verify available from the web UI.
	Target func(orgs []*store.Org) (uploader.Target, error)
	// Crawl is the crawl settings of batches started from the web UI.
	Crawl crawler.Options
	// SitesParallel is how many sites a web job works on at once (8).
	SitesParallel int
	// Gates are the process's politeness gates, shared with every other
	// batch the server runs.
	Gates *crawler.Gates
}

var _ review.Backend = (*Source)(nil)

// Plan loads a site's plan.
func (s *Source) Plan(org string) (*mapping.Plan, error) { return mapping.LoadPlan(s.WS, org) }

// Document loads the document extracted from a page.
func (s *Source) Document(org, url string) (*extract.Document, error) {
	return extract.Docs.Get(s.WS, org, url)
}

// Original returns the legacy page's HTML as fetched, decoded to UTF-8.
func (s *Source) Original(org, url string) (string, error) {
	p, err := s.WS.Page(org, url)
	if err != nil {
		return "", err
	}
	if p.Kind != store.KindPage || p.Blob.IsZero() {
		return "", fmt.Errorf("page %s: no HTML was kept: %w", url, store.ErrNotFound)
	}
	raw, err := s.WS.Blobs.Read(p.Blob)
	if err != nil {
		return "", fmt.Errorf("page %s: %w", url, err)
	}
	return charset.Decode(raw, p.ContentType).Text, nil
}

// Overrides loads a site's review decisions.
func (s *Source) Overrides(org string) ([]mapping.Override, error) {
	return mapping.LoadOverrides(s.WS, org)
}

// SaveOverrides replaces a site's review decisions and rebuilds its plan.
func (s *Source) SaveOverrides(ctx context.Context, org string, ovs []mapping.Override) error {
	recs := make(map[string]*mapping.Override, len(ovs))
	for i := range ovs {
		recs[ovs[i].Key] = &ovs[i]
	}
	return s.rebuild(ctx, org, func(tx store.Tx) error {
		if err := mapping.Overrides.Replace(tx, org, recs); err != nil {
			return fmt.Errorf("save review decisions of %s: %w", org, err)
		}
		return nil
	})
}

// FillGap stores content for a gap and rebuilds the plan.
func (s *Source) FillGap(ctx context.Context, org, section, gap string, it mapping.Item) error {
	if it.Key == "" {
		return errors.New("filled item has no key")
	}
	it.SourceHash = mapping.SourceHash(&it)
	return s.rebuild(ctx, org, func(tx store.Tx) error {
		if err := mapping.Manuals.Put(tx, org, it.Key, &mapping.Manual{Section: section, Gap: gap, Item: it}); err != nil {
			return fmt.Errorf("save filled gap of %s: %w", org, err)
		}
		return nil
	})
}

// PutFile keeps an uploaded file in the blob store and returns its SHA-256.
func (s *Source) PutFile(data []byte) (string, error) {
	id, err := s.WS.Blobs.PutBytes(data)
	if err != nil {
		return "", err
	}
	return id.String(), s.WS.Blobs.Flush()
}

// rebuild stores a decision with change and the plan rebuilt with it in
// one transaction: the site's plan afresh from its extracted documents,
// with the hand-filled content and the decisions re-applied, as the map
// stage makes it, without moving the site's state. The plan is built from
// a snapshot that already holds the change, so the two cannot disagree.
func (s *Source) rebuild(ctx context.Context, org string, change func(store.Tx) error) error {
	return s.WS.Update(func(tx store.Tx) error {
		if err := change(tx); err != nil {
			return err
		}
		_, commit, err := mapping.RebuildPlan(ctx, tx, s.WS.Blobs, s.Profiles, s.MapOpts, s.Log, org)
		if err != nil {
			return err
		}
		return commit(tx)
	})
}

// Rebuild makes the site's plan afresh, as after a decision, without
// moving the site's state.
func (s *Source) Rebuild(ctx context.Context, org string) error {
	return s.rebuild(ctx, org, func(store.Tx) error { return nil })
}

// Profile returns the mandated structure of an organisation type.
func (s *Source) Profile(t store.OrgType) *mapping.Profile { return s.Profiles[t] }

// Stages lists the batch stages the web UI may start.
func (s *Source) Stages() []string {
	st := []string{"crawl", "extract", "map", "run"}
	if s.Target != nil {
		st = append(st, "upload", "verify")
	}
	return st
}

// Approve approves a site's plan through the pipeline's runner, with the
// same steps as perenos approve: one approval, one meaning.
func (s *Source) Approve(ctx context.Context, org, actor, note string, withGaps bool) error {
	o, err := s.WS.Org(org)
	if err != nil {
		return err
	}
	r := &pipeline.Runner{WS: s.WS, Actor: actor, Log: s.Log}
	res := r.Run(ctx, []*store.Org{o}, pipeline.ApproveSteps(pipeline.Approval{Note: note, WithGaps: withGaps})...)
	out := res.Outcomes[0]
	switch {
	case out.Error != "":
		return errors.New(out.Error)
	case out.Skip != nil:
		return fmt.Errorf("%s", skipText(out.Skip))
	}
	return nil
}

// Run runs a batch stage over orgs on behalf of actor through the
// pipeline's runner, reporting each site's outcome to progress as a line
// of Russian text.
func (s *Source) Run(ctx context.Context, stage string, ids []string, actor string, progress func(string)) error {
	if !slices.Contains(s.Stages(), stage) {
		return fmt.Errorf("stage %q cannot be started from the web UI (want one of %s)", stage, strings.Join(s.Stages(), ", "))
	}
	orgs, err := pipeline.Select(s.WS, pipeline.Selector{IDs: ids})
	if err != nil {
		return err
	}
	lp := &lines{emit: progress, fetched: map[string]int{}}
	crawl := pipeline.Crawl{Options: s.Crawl}
	crawl.Options.Progress = lp
	mapStep := pipeline.Map{Profiles: s.Profiles, Options: s.MapOpts}
	var steps []pipeline.Step
	switch stage {
	case "crawl":
		steps = []pipeline.Step{crawl}
	case "extract":
		steps = []pipeline.Step{pipeline.Extract{}}
	case "map":
		steps = []pipeline.Step{mapStep}
	case "run":
		steps = pipeline.RunSteps(crawl, mapStep)
	case "upload", "verify":
		t, err := s.Target(orgs)
		if err != nil {
			return err
		}
		if stage == "upload" {
			steps = []pipeline.Step{pipeline.Upload{Portal: uploader.Portal{Target: t}}}
		} else {
			steps = []pipeline.Step{pipeline.Verify{Portal: uploader.Portal{Target: t}}}
		}
	}
	r := &pipeline.Runner{WS: s.WS, Actor: actor, Log: s.Log, SitesParallel: s.SitesParallel, Progress: lp, Gates: s.Gates}
	if r.SitesParallel == 0 {
		r.SitesParallel = 8
	}
	res := r.Run(ctx, orgs, steps...)
	progress(fmt.Sprintf("готово: сайтов %d, с ошибкой %d, пропущено %d", len(orgs), res.Failed, res.Skipped))
	if err := res.Err(); err != nil {
		return err
	}
	return ctx.Err()
}

// lines turns pipeline and crawl progress into lines of text.
type lines struct {
	emit    func(string)
	mu      sync.Mutex
	fetched map[string]int
}

var (
	_ pipeline.Progress = (*lines)(nil)
	_ crawler.Progress  = (*lines)(nil)
)

func (l *lines) SiteStarted(stage store.Stage, org string) {
	l.emit(fmt.Sprintf("%s %s: начато", stageName(stage), org))
}

func (l *lines) SiteDone(stage store.Stage, org string, out pipeline.Outcome) {
	switch {
	case out.Error != "":
		l.emit(fmt.Sprintf("%s %s: ошибка: %s", stageName(stage), org, out.Error))
	case out.Skip != nil:
		l.emit(fmt.Sprintf("%s %s: пропущено: %s", stageName(stage), org, skipText(out.Skip)))
	default:
		l.emit(fmt.Sprintf("%s %s: %s", stageName(stage), org, describe(out)))
	}
}

// Fetched reports a crawl's progress every 100 URLs of a site.
func (l *lines) Fetched(org, url string, kind store.PageKind, n int64, err error) {
	l.mu.Lock()
	l.fetched[org]++
	c := l.fetched[org]
	l.mu.Unlock()
	if c%100 == 0 {
		l.emit(fmt.Sprintf("обход %s: получено адресов %d", org, c))
	}
}

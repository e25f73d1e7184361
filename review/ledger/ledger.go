// Package ledger connects the review server to a workspace: it reads plans,
// extracted documents and legacy pages through the pipeline's records,
// keeps review decisions and hand-filled gaps, rebuilds a site's plan
// after each decision exactly as the map stage would, and runs the batch
// stages the operator starts from the web UI.
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

// ManualKind and Manual are where content filled in review is kept; the
// pipeline owns them, since the map stage puts them in the plan too.
const ManualKind = pipeline.ManualKind

// Manual is content added in review to fill a gap of a section.
type Manual = pipeline.Manual

// Source is the review server's view of one workspace.
type Source struct {
	WS       *store.Workspace
	Profiles mapping.Profiles
	MapOpts  mapping.Options
	Log      *slog.Logger
	// Target, when set, makes upload and verify available from the web UI.
	Target func(orgs []*store.Org) (uploader.Target, error)
	// Batch holds the settings of batches started from the web UI (crawl
	// options, sites in parallel); its workspace, profiles and actor are set here.
	Batch pipeline.Env
}

var _ review.Backend = (*Source)(nil)

// Plan loads a site's plan.
func (s *Source) Plan(org string) (*mapping.Plan, error) { return pipeline.LoadPlan(s.WS, org) }

// Document loads the document extracted from a page.
func (s *Source) Document(org, url string) (*extract.Document, error) {
	var d extract.Document
	if err := s.WS.Get(pipeline.DocsKind, org, url, &d); err != nil {
		return nil, err
	}
	return &d, nil
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
	return pipeline.LoadOverrides(s.WS, org)
}

// SaveOverrides replaces a site's review decisions and rebuilds its plan.
func (s *Source) SaveOverrides(ctx context.Context, org string, ovs []mapping.Override) error {
	recs := make(map[string]any, len(ovs))
	for _, ov := range ovs {
		recs[ov.Key] = ov
	}
	if err := s.WS.Replace(pipeline.OverridesKind, org, recs); err != nil {
		return fmt.Errorf("save review decisions of %s: %w", org, err)
	}
	return s.Rebuild(ctx, org)
}

// FillGap stores content for a gap and rebuilds the plan.
func (s *Source) FillGap(ctx context.Context, org, section, gap string, it mapping.Item) error {
	if it.Key == "" {
		return errors.New("filled item has no key")
	}
	it.SourceHash = mapping.SourceHash(&it)
	if err := s.WS.Put(ManualKind, org, it.Key, Manual{Section: section, Gap: gap, Item: it}); err != nil {
		return fmt.Errorf("save filled gap of %s: %w", org, err)
	}
	return s.Rebuild(ctx, org)
}

// PutFile keeps an uploaded file in the blob store and returns its SHA-256.
func (s *Source) PutFile(data []byte) (string, error) {
	id, err := s.WS.Blobs.PutBytes(data)
	if err != nil {
		return "", err
	}
	return id.String(), s.WS.Blobs.Flush()
}

// Rebuild makes the site's plan afresh from its extracted documents, adds
// the hand-filled content and re-applies the review decisions: what the
// map stage does, without moving the site's state.
func (s *Source) Rebuild(ctx context.Context, org string) error {
	_, err := pipeline.RebuildPlan(ctx, s.WS, s.Profiles, s.MapOpts, s.Log, org)
	return err
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

// Run runs a batch stage over orgs on behalf of actor, reporting each
// site's outcome to progress as a line of text.
func (s *Source) Run(ctx context.Context, stage string, ids []string, actor string, progress func(string)) error {
	if !slices.Contains(s.Stages(), stage) {
		return fmt.Errorf("stage %q cannot be started from the web UI (want one of %s)", stage, strings.Join(s.Stages(), ", "))
	}
	orgs, err := pipeline.Select(s.WS, pipeline.Selector{IDs: ids})
	if err != nil {
		return err
	}
	env := s.Batch
	env.WS, env.Profiles, env.MapOpts, env.Actor, env.Log = s.WS, s.Profiles, s.MapOpts, actor, s.Log
	if env.SitesParallel == 0 {
		env.SitesParallel = 8
	}
	lp := &lines{emit: progress, fetched: map[string]int{}}
	env.Progress, env.CrawlOpts.Progress = lp, lp
	phases := []string{stage}
	if stage == "run" {
		phases = []string{"crawl", "extract", "map"}
	}
	failed, skipped := 0, 0
	for _, ph := range phases {
		if ctx.Err() != nil {
			break
		}
		orgs = refresh(s.WS, orgs)
		var res *pipeline.Result
		switch ph {
		case "crawl":
			res = env.Crawl(ctx, orgs)
		case "extract":
			res = env.Extract(ctx, orgs)
		case "map":
			res = env.Map(ctx, orgs)
		case "upload", "verify":
			t, err := s.Target(orgs)
			if err != nil {
				return err
			}
			if ph == "upload" {
				res = env.Upload(ctx, orgs, pipeline.Portal{Target: t})
			} else {
				res = env.Verify(ctx, orgs, pipeline.Portal{Target: t})
			}
		}
		failed, skipped = failed+res.Failed, skipped+res.Skipped
	}
	progress(fmt.Sprintf("готово: сайтов %d, с ошибкой %d, пропущено %d", len(orgs), failed, skipped))
	if failed > 0 {
		return fmt.Errorf("%w: %d of %d", pipeline.ErrSomeFailed, failed, len(orgs))
	}
	return ctx.Err()
}

func refresh(ws *store.Workspace, orgs []*store.Org) []*store.Org {
	out := make([]*store.Org, 0, len(orgs))
	for _, o := range orgs {
		if n, err := ws.Org(o.ID); err == nil {
			out = append(out, n)
		}
	}
	return out
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
	l.emit(fmt.Sprintf("%s %s: начато", stage, org))
}

func (l *lines) SiteDone(stage store.Stage, org string, out pipeline.Outcome) {
	switch {
	case out.Error != "":
		l.emit(fmt.Sprintf("%s %s: ошибка: %s", stage, org, out.Error))
	case out.Skipped != "":
		l.emit(fmt.Sprintf("%s %s: пропущено: %s", stage, org, out.Skipped))
	default:
		l.emit(fmt.Sprintf("%s %s: %s → %s", stage, org, out.Summary, out.State))
	}
}

// Fetched reports a crawl's progress every 100 URLs of a site.
func (l *lines) Fetched(org, url string, kind store.PageKind, n int64, err error) {
	l.mu.Lock()
	l.fetched[org]++
	c := l.fetched[org]
	l.mu.Unlock()
	if c%100 == 0 {
		l.emit(fmt.Sprintf("crawl %s: получено адресов %d", org, c))
	}
}

// Package pipeline runs the migration stages over a selection of sites: a
// sequence of steps per site, many sites in parallel, with the ledger's
// state machine deciding what may run and recording every outcome in the
// same transaction as the stage's results. A failing site is marked
// failed(stage, error) and the batch goes on. The command line, the review
// UI's jobs and the demo all run stages through one Runner.
package pipeline

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"

	"golang.org/x/sync/semaphore"

	"perenos/crawler"
	"perenos/extract"
	"perenos/mapping"
	"perenos/store"
	"perenos/uploader"
)

// Runner runs steps over sites. One Runner may serve many batches at once
// (the review server keeps one for its web jobs and the jobs handed to it):
// they share its politeness gates, and its workspace's leases keep two
// jobs off one site.
type Runner struct {
	WS            store.Ledger
	Actor         string // who runs the batch, for the event log
	Log           *slog.Logger
	SitesParallel int
	Progress      Progress
	// Gates are the per-host politeness gates every crawl of this runner
	// shares; nil makes them on first use from the first crawl's options.
	Gates *crawler.Gates
	// PageBudget bounds the pages of the sites that extract and map work
	// on at once, over every batch of the runner: those stages hold a
	// site's pages in memory, so that without it a few large sites at
	// once set the batch's peak memory. A site larger than the budget runs
	// alone. 0 is DefaultPageBudget.
	PageBudget int64

	gatesOnce sync.Once
	pagesOnce sync.Once
	pages     *semaphore.Weighted
	budget    int64
}

// DefaultPageBudget is the pages extract and map work on at once: one
// large site (3,000 pages) beside many ordinary ones.
const DefaultPageBudget = 5000

// weighted is a step whose memory grows with the site's pages.
type weighted interface {
	pages(o *store.Org) int64
}

func (Extract) pages(o *store.Org) int64 { return o.Stats.Pages + o.Stats.Attachments }
func (Map) pages(o *store.Org) int64     { return o.Stats.Pages + o.Stats.Attachments }

// pageWeight takes a site's share of the page budget for a weighted step,
// waiting while other sites hold it; release gives it back.
func (r *Runner) pageWeight(ctx context.Context, st Step, o *store.Org) (release func(), err error) {
	w, ok := st.(weighted)
	if !ok {
		return func() {}, nil
	}
	r.pagesOnce.Do(func() {
		r.budget = r.PageBudget
		if r.budget <= 0 {
			r.budget = DefaultPageBudget
		}
		r.pages = semaphore.NewWeighted(r.budget)
	})
	n := min(max(w.pages(o), 1), r.budget)
	if err := r.pages.Acquire(ctx, n); err != nil {
		return nil, err
	}
	return func() { r.pages.Release(n) }, nil
}

// Progress hears about sites starting and finishing a step.
type Progress interface {
	SiteStarted(stage store.Stage, org string)
	SiteDone(stage store.Stage, org string, out Outcome)
}

type noProgress struct{}

func (noProgress) SiteStarted(store.Stage, string)       {}
func (noProgress) SiteDone(store.Stage, string, Outcome) {}

// SkipReason says why a step did not run for a site.
type SkipReason string

// The reasons a step is skipped.
const (
	SkipNoLegacy    SkipReason = "no_legacy"     // no legacy site: crawl and extract do not apply
	SkipNotReady    SkipReason = "not_ready"     // the site's state does not allow the step
	SkipBusy        SkipReason = "busy"          // another job is working on the site
	SkipInterrupted SkipReason = "interrupted"   // the batch was stopped; the same command resumes it
	SkipDryRun      SkipReason = "dry_run"       // an upload's dry run: planned, nothing sent
	SkipDeferred    SkipReason = "deferred"      // an upload left items for a later run (--limit, --only)
	SkipActSigned   SkipReason = "act_signed"    // a rollback refused: the signed act describes the portal
	SkipOtherPortal SkipReason = "other_portal"  // done on a portal that is not the site's target: its state stays
	SkipStopped     SkipReason = "stopped"       // the step stopped the whole batch (see Result.Stopped)
	SkipGapsOpen    SkipReason = "gaps_open"     // an approval refused: mandated gaps are open and were not confirmed
	SkipPersonal    SkipReason = "personal_data" // an approval refused: items that look like personal data wait for a person's decision
)

// refused reports whether a skip is a refusal of what was asked, which
// fails the command while the site stays as it was.
func (r SkipReason) refused() bool {
	return r == SkipActSigned || r == SkipGapsOpen || r == SkipPersonal
}

// Skip is why a step did not run (or did not finish its stage) for a site.
type Skip struct {
	Reason SkipReason `json:"reason"`
	Detail string     `json:"detail,omitempty"`
}

func (s *Skip) Error() string {
	if s.Detail == "" {
		return string(s.Reason)
	}
	return string(s.Reason) + ": " + s.Detail
}

// Outcome is what a batch did to one site: the last step that ran, the
// site's state after it, and each step's counts.
type Outcome struct {
	Org   string      `json:"org"`
	Stage store.Stage `json:"stage"`
	State store.State `json:"state"`
	Skip  *Skip       `json:"skipped,omitempty"`
	Error string      `json:"error,omitempty"`

	Crawl    *crawler.SiteSummary `json:"crawl,omitempty"`
	Extract  *extract.SiteSummary `json:"extract,omitempty"`
	Map      *mapping.Counts      `json:"map,omitempty"`
	Review   *ReviewSummary       `json:"review,omitempty"`
	Upload   *UploadSummary       `json:"upload,omitempty"`
	Verify   *uploader.SiteVerify `json:"verify,omitempty"`
	Rollback *uploader.Report     `json:"rollback,omitempty"`

	// reason is what the step adds to the event that records its state change.
	reason string
}

// ReviewSummary is what an approval without review decided.
type ReviewSummary struct {
	Accepted int    `json:"accepted"` // items left for review, placed by the approval
	Excluded int    `json:"excluded"` // items that look like personal data, excluded by the approval
	Note     string `json:"note"`
}

// UploadSummary is an upload's outcome: the executed report, or under
// --dry-run what it would create, update and delete.
type UploadSummary struct {
	Report          *uploader.Report       `json:"report,omitempty"`
	DryRun          *uploader.DryRunReport `json:"dry_run,omitempty"`
	Items           int                    `json:"items"`
	UnresolvedLinks int                    `json:"unresolved_links"`
}

// Result is a batch's outcomes, one per site in the order given.
type Result struct {
	Outcomes []Outcome `json:"sites"`
	Failed   int       `json:"failed"`
	Skipped  int       `json:"skipped"`
	// Refused counts the skipped sites whose step was refused as a wrong
	// request (a rollback of a site whose act is signed): the command
	// fails, the site is left as it was.
	Refused int `json:"refused"`
	// Stopped is why the batch stopped before its end (a portal that
	// cannot be reached), failing no site for it.
	Stopped string `json:"stopped,omitempty"`
	stop    error
}

// ErrSomeFailed says a batch finished but some sites failed.
var ErrSomeFailed = errors.New("some sites failed")

// ErrRefused says a step was refused for some sites and nothing was done to them.
var ErrRefused = errors.New("refused")

// Stop is a step's error that ends the whole batch without failing the
// site: what was done stays recorded, sites in progress are interrupted
// and the rest are not started. The command fails with it.
type Stop struct{ Err error }

func (s *Stop) Error() string { return s.Err.Error() }
func (s *Stop) Unwrap() error { return s.Err }

// Err returns why the batch stopped, ErrSomeFailed when any site failed,
// and ErrRefused when a step was refused for any.
func (r *Result) Err() error {
	switch {
	case r.stop != nil:
		return fmt.Errorf("the batch stopped, no site failed for it: %w", r.stop)
	case r.Failed > 0:
		return fmt.Errorf("%w: %d of %d", ErrSomeFailed, r.Failed, len(r.Outcomes))
	case r.Refused > 0:
		return fmt.Errorf("%w for %d of %d sites (see above why)", ErrRefused, r.Refused, len(r.Outcomes))
	}
	return nil
}

// A Step is one stage applied to one site. Its work returns the commit
// that stores the stage's results; the runner runs that commit in the
// transaction that also moves the site's state.
type Step interface {
	Stage() store.Stage
	run(ctx context.Context, r *Runner, o *store.Org, out *Outcome) (func(store.Tx) error, error)
	// note is the reason the event log records with the state change: the
	// operator's words where there are some; the counts are in the stage's
	// own records.
	note() string
}

func (r *Runner) defaults() {
	if r.Progress == nil {
		r.Progress = noProgress{}
	}
	if r.Log == nil {
		r.Log = slog.New(slog.DiscardHandler)
	}
}

// Run applies steps, in order, to every site, SitesParallel sites at a
// time. A site's sequence stops at its first failure or skip (a site with
// no legacy site skips crawl and extract and goes on to map).
func (r *Runner) Run(ctx context.Context, orgs []*store.Org, steps ...Step) *Result {
	r.defaults()
	ctx, stopBatch := context.WithCancelCause(ctx)
	defer stopBatch(nil)
	par := max(r.SitesParallel, 1)
	res := &Result{Outcomes: make([]Outcome, len(orgs))}
	sem := make(chan struct{}, par)
	var wg sync.WaitGroup
	for i, o := range orgs {
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			res.Outcomes[i] = Outcome{Org: o.ID, State: o.State, Skip: &Skip{Reason: SkipInterrupted}}
			if len(steps) > 0 {
				res.Outcomes[i].Stage = steps[0].Stage()
			}
			continue
		}
		wg.Go(func() {
			defer func() { <-sem }()
			res.Outcomes[i] = r.site(ctx, stopBatch, o, steps)
		})
	}
	wg.Wait()
	var stop *Stop
	if errors.As(context.Cause(ctx), &stop) {
		res.stop, res.Stopped = stop.Err, stop.Err.Error()
	}
	for _, out := range res.Outcomes {
		switch {
		case out.Error != "":
			res.Failed++
		case out.Skip != nil:
			res.Skipped++
			if out.Skip.Reason.refused() {
				res.Refused++
			}
		}
	}
	return res
}

// site runs the steps for one site under its lease.
func (r *Runner) site(ctx context.Context, stopBatch context.CancelCauseFunc, o *store.Org, steps []Step) Outcome {
	out := Outcome{Org: o.ID, State: o.State}
	names := make([]string, len(steps))
	for i, s := range steps {
		names[i] = string(s.Stage())
	}
	release, err := r.WS.Lease(o.ID, strings.Join(names, "+")+" by "+r.Actor)
	if err != nil {
		if len(steps) > 0 {
			out.Stage = steps[0].Stage()
		}
		out.Skip = &Skip{Reason: SkipBusy, Detail: err.Error()}
		return out
	}
	defer release()
	for _, st := range steps {
		r.step(ctx, stopBatch, o.ID, st, &out)
		if out.Error != "" || (out.Skip != nil && out.Skip.Reason != SkipNoLegacy) {
			break
		}
	}
	return out
}

func (r *Runner) step(ctx context.Context, stopBatch context.CancelCauseFunc, id string, st Step, out *Outcome) {
	stage := st.Stage()
	out.Stage, out.Skip, out.Error = stage, nil, ""
	defer func() {
		if now, err := r.WS.Org(id); err == nil {
			out.State = now.State
		}
		r.Progress.SiteDone(stage, id, *out)
	}()
	cur, err := r.WS.Org(id)
	if err != nil {
		out.Error = err.Error()
		return
	}
	if err := store.CanRun(stage, cur.State, cur.FailedAt, cur.HasLegacy()); err != nil {
		reason := SkipNotReady
		if !cur.HasLegacy() && (stage == store.StageCrawl || stage == store.StageExtract) {
			reason = SkipNoLegacy
		}
		out.Skip = &Skip{Reason: reason, Detail: err.Error()}
		return
	}
	if err := ctx.Err(); err != nil {
		out.Skip = &Skip{Reason: SkipInterrupted}
		return
	}
	release, err := r.pageWeight(ctx, st, cur)
	if err != nil {
		out.Skip = &Skip{Reason: SkipInterrupted}
		return
	}
	defer release()
	r.Progress.SiteStarted(stage, id)
	log := r.Log.With("site", id, "stage", stage)
	commit, err := st.run(ctx, r, cur, out)
	var sk *Skip
	var stop *Stop
	switch {
	case errors.As(err, &stop):
		log.Error("batch stopped", "err", err)
		out.Skip = &Skip{Reason: SkipStopped, Detail: err.Error()}
		if commit != nil { // what was done before the stop
			if cerr := r.WS.Update(commit); cerr != nil {
				out.Skip, out.Error = nil, cerr.Error()
			}
		}
		stopBatch(stop)
	case errors.As(err, &sk):
		out.Skip = sk
		if commit != nil { // a partial result worth keeping (an upload deferred by --limit)
			if cerr := r.WS.Update(commit); cerr != nil {
				out.Skip, out.Error = nil, cerr.Error()
			}
		}
	case err != nil && ctx.Err() != nil:
		out.Skip = &Skip{Reason: SkipInterrupted, Detail: "run the same command again to resume"}
	case err != nil:
		log.Error("stage failed", "err", err)
		out.Error = err.Error()
		if ferr := r.WS.Fail(id, stage, r.Actor, err); ferr != nil {
			out.Error += "; and recording the failure: " + ferr.Error()
		}
	default:
		err := r.WS.Update(func(tx store.Tx) error {
			if commit != nil {
				if err := commit(tx); err != nil {
					return err
				}
			}
			return tx.Advance(id, stage, r.Actor, joinNote(st.note(), out.reason))
		})
		if err != nil {
			out.Error = err.Error()
		}
	}
}

func joinNote(a, b string) string {
	switch {
	case a == "":
		return b
	case b == "":
		return a
	}
	return a + "; " + b
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

// ErrNoSelection says a selector names no organisations at all.
var ErrNoSelection = errors.New("name organisations by ID, or use --all (optionally with --type, --district, --state)")

// Select returns the organisations a selector names, in ID order.
func Select(ws store.Ledger, sel Selector) ([]*store.Org, error) {
	if len(sel.IDs) == 0 && !sel.All && sel.Type == "" && sel.District == "" && sel.State == "" {
		return nil, ErrNoSelection
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
		orgs, err := ws.Orgs()
		if err != nil {
			return nil, err
		}
		pool = orgs
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

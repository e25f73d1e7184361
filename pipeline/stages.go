package pipeline

import (
	"context"
	"errors"
	"fmt"

	"perenos/crawler"
	"perenos/extract"
	"perenos/mapping"
	"perenos/store"
	"perenos/uploader"
)

// Crawl fetches a site. Options are the batch's defaults; the site's
// registry settings override them.
type Crawl struct {
	Options crawler.Options
}

func (Crawl) note() string { return "" }

// Stage is crawl.
func (Crawl) Stage() store.Stage { return store.StageCrawl }

func (s Crawl) run(ctx context.Context, r *Runner, o *store.Org, out *Outcome) (func(store.Tx) error, error) {
	r.gatesOnce.Do(func() {
		if r.Gates == nil {
			r.Gates = s.Options.Gates
		}
		if r.Gates == nil {
			r.Gates = crawler.NewGates()
		}
	})
	opt, err := crawler.SiteOptions(s.Options, o)
	if err != nil {
		return nil, err
	}
	opt.Gates = r.Gates
	if opt.Logger == nil {
		opt.Logger = r.Log
	}
	sum, commit, err := crawler.CrawlSite(ctx, r.WS, r.WS.Blobs, o, opt)
	out.Crawl = sum
	if sum != nil && sum.RobotsIgnored {
		// The organisation's consent stands in the event of every crawl
		// that used it.
		out.reason = "robots.txt not obeyed: the registry's robots column says ignore (" + o.Settings["robots_reason"] + ")"
	}
	return commit, err
}

// Extract turns a site's pages into documents and reads its attachments.
type Extract struct{}

func (Extract) note() string { return "" }

// Stage is extract.
func (Extract) Stage() store.Stage { return store.StageExtract }

func (Extract) run(ctx context.Context, r *Runner, o *store.Org, out *Outcome) (func(store.Tx) error, error) {
	sum, commit, err := extract.ExtractSite(ctx, r.WS, r.WS.Blobs, o, r.Log)
	out.Extract = sum
	return commit, err
}

// Map places a site's content into its mandated structure.
type Map struct {
	Profiles mapping.Profiles
	Options  mapping.Options
}

func (Map) note() string { return "" }

// Stage is map.
func (Map) Stage() store.Stage { return store.StageMap }

func (s Map) run(ctx context.Context, r *Runner, o *store.Org, out *Outcome) (func(store.Tx) error, error) {
	plan, commit, err := mapping.RebuildPlan(ctx, r.WS, r.WS.Blobs, s.Profiles, s.Options, r.Log, o.ID)
	if err != nil {
		return nil, err
	}
	n := plan.Numbers()
	out.Map = &n
	return commit, nil
}

// Review sends a mapped site to review. With Accept set it is an approval
// without review: every item left for review goes to its best candidate
// section (or «Прочее»), recorded as a decision with Accept as its note,
// so that later rebuilds of the plan keep it there.
type Review struct {
	Accept string
}

// Stage is review.
func (Review) Stage() store.Stage { return store.StageReview }

func (s Review) note() string { return s.Accept }

func (s Review) run(ctx context.Context, r *Runner, o *store.Org, out *Outcome) (func(store.Tx) error, error) {
	if s.Accept == "" {
		return nil, nil
	}
	plan, err := mapping.LoadPlan(r.WS, o.ID)
	if err != nil {
		return nil, err
	}
	decisions := mapping.AutoDecisions(plan, r.Actor, s.Accept, r.WS.Now())
	out.Review = &ReviewSummary{Accepted: len(decisions), Note: s.Accept}
	return func(tx store.Tx) error {
		for i := range decisions {
			if err := mapping.Overrides.Put(tx, o.ID, decisions[i].Key, &decisions[i]); err != nil {
				return err
			}
		}
		mapping.ApplyOverrides(plan, decisions)
		return mapping.SavePlan(plan)(tx)
	}, nil
}

// Approve approves a site's reviewed plan for upload; Note is the reason
// recorded in the event log. Approving a plan with open mandated gaps
// (sections and items the old site never had, to be filled by hand on the
// portal) needs WithGaps, and the event says how many were open.
type Approve struct {
	Note     string
	WithGaps bool
}

// Stage is approve.
func (Approve) Stage() store.Stage { return store.StageApprove }

func (s Approve) note() string { return s.Note }

func (s Approve) run(ctx context.Context, r *Runner, o *store.Org, out *Outcome) (func(store.Tx) error, error) {
	plan, err := mapping.LoadPlan(r.WS, o.ID)
	if err != nil {
		return nil, err
	}
	if _, unplaced, _ := plan.Counts(); unplaced > 0 {
		return nil, fmt.Errorf("%d items still wait for review: decide them in the review UI, or approve with perenos approve, which places them by their best candidate", unplaced)
	}
	if n := len(plan.Gaps); n > 0 {
		if !s.WithGaps {
			return nil, &Skip{Reason: SkipGapsOpen, Detail: fmt.Sprintf("%d mandated gaps are open (perenos gaps %s lists them); approve with --with-gaps to confirm that they are filled by hand on the portal", n, o.ID)}
		}
		out.reason = fmt.Sprintf("approved with %d mandated gaps open, confirmed", n)
	}
	return nil, nil
}

// Upload pushes a site's approved plan to the portal. With DryRun it
// computes the plan and sends nothing.
type Upload struct {
	Portal uploader.Portal
	DryRun bool
}

func (Upload) note() string { return "" }

// Stage is upload.
func (Upload) Stage() store.Stage { return store.StageUpload }

func (s Upload) run(ctx context.Context, r *Runner, o *store.Org, out *Outcome) (func(store.Tx) error, error) {
	if s.DryRun {
		plan, unresolved, err := uploader.PlanSite(r.WS, r.WS.Blobs, o, s.Portal)
		if err != nil {
			return nil, err
		}
		st := plan.Stats()
		out.Upload = &UploadSummary{Planned: &st, Items: len(plan.Steps), UnresolvedLinks: len(unresolved)}
		return nil, &Skip{Reason: SkipDryRun}
	}
	up, commit, err := uploader.UploadSite(ctx, r.WS, r.WS.Blobs, o, s.Portal)
	if up != nil {
		out.Upload = &UploadSummary{Report: up.Report, Items: up.Items, UnresolvedLinks: len(up.UnresolvedLinks)}
	}
	if err != nil {
		if commit != nil && up != nil {
			_ = r.WS.Update(commit) // keep the report of what was done
		}
		return nil, err
	}
	if rep := up.Report; rep.Failed > 0 {
		_ = r.WS.Update(commit)
		return nil, &ItemsFailed{Failed: rep.Failed, Of: up.Items, First: rep.Errors[0]}
	} else if rep.Deferred > 0 {
		return commit, &Skip{Reason: SkipDeferred}
	}
	return commit, nil
}

// ItemsFailed says some items of a site could not be uploaded (or removed).
type ItemsFailed struct {
	Failed, Of int
	First      uploader.ItemError
}

func (e *ItemsFailed) Error() string {
	hint := "the next run retries them"
	if e.First.Permanent {
		hint = "the portal refused them: fix what the error names, then run again"
	}
	return fmtItems(e.Failed, e.Of, hint, e.First)
}

// Verify reads a site's uploaded items back and compares them with its plan.
type Verify struct {
	Portal uploader.Portal
}

func (Verify) note() string { return "" }

// Stage is verify.
func (Verify) Stage() store.Stage { return store.StageVerify }

func (s Verify) run(ctx context.Context, r *Runner, o *store.Org, out *Outcome) (func(store.Tx) error, error) {
	v, commit, err := uploader.VerifySite(ctx, r.WS, r.WS.Blobs, o, s.Portal)
	if err != nil {
		return nil, err
	}
	out.Verify = v
	if len(v.Differences) > 0 {
		_ = r.WS.Update(commit)
		return nil, &Differ{Differences: len(v.Differences), Of: v.Items, First: v.Differences[0]}
	}
	return commit, nil
}

// Differ says a site's portal copy does not match its plan.
type Differ struct {
	Differences, Of int
	First           uploader.Difference
}

func (e *Differ) Error() string {
	return fmtDiffer(e.Differences, e.Of, e.First)
}

// Rollback removes from the portal what perenos created for a site and
// moves the site back to approved, so that a later upload starts afresh.
// What existed on the portal before perenos stays. A site whose act is
// signed is refused: the signed act describes what is on the portal.
type Rollback struct {
	Portal uploader.Portal
	// Signed reports whether any act of the site bears a signature (a
	// site re-migrated after a signed act is not act_signed, but its
	// portal content is still what a signed act describes); nil trusts
	// the state alone.
	Signed func(rd store.Reader, o *store.Org) bool
}

// Stage is approve: a rollback returns the site to its approved plan.
func (Rollback) Stage() store.Stage { return store.StageApprove }

func (Rollback) note() string { return "rollback: what perenos created was removed from the portal" }

// ErrActSigned says a rollback was refused because the site's act is signed.
var ErrActSigned = errors.New("the completion act is signed; a rollback would make it untrue")

func (s Rollback) run(ctx context.Context, r *Runner, o *store.Org, out *Outcome) (func(store.Tx) error, error) {
	if o.State == store.ActSigned || s.Signed != nil && s.Signed(r.WS, o) {
		return nil, &Skip{Reason: SkipActSigned, Detail: ErrActSigned.Error()}
	}
	rep, err := uploader.Rollback(ctx, r.WS, s.Portal.Target, o)
	out.Rollback = rep
	if err != nil {
		return nil, err
	}
	if rep.Failed > 0 {
		return nil, &ItemsFailed{Failed: rep.Failed, Of: rep.Failed + rep.Deleted, First: rep.Errors[0]}
	}
	return nil, nil
}

// Sequences of steps the commands run.

// RunSteps are crawl, extract and map with the given settings.
func RunSteps(c Crawl, m Map) []Step { return []Step{c, Extract{}, m} }

// ApproveSteps send mapped sites through review and approve them as they
// are, with note as the recorded reason: items left for review go to their
// best candidate section as decisions; withGaps confirms open gaps.
func ApproveSteps(note string, withGaps bool) []Step {
	return []Step{Review{Accept: note}, Approve{Note: note, WithGaps: withGaps}}
}

func fmtItems(failed, of int, hint string, first uploader.ItemError) string {
	return fmt.Sprintf("%d of %d items failed (%s), first: %s %s: %s", failed, of, hint, first.Kind, first.Key, first.Err)
}

func fmtDiffer(n, of int, first uploader.Difference) string {
	return fmt.Sprintf("%d of %d items differ, first: %s %s: %s", n, of, first.Kind, first.Key, first.What)
}

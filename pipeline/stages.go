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
	sum, commit, err := crawler.CrawlSite(ctx, r.WS, r.WS.BlobStore(), o, opt)
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
	sum, commit, err := extract.ExtractSite(ctx, r.WS, r.WS.BlobStore(), o, r.Log)
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
	n, commit, err := mapping.RebuildPlan(ctx, r.WS, r.WS.BlobStore(), s.Profiles, s.Options, r.Log, o.ID)
	if err != nil {
		return nil, err
	}
	out.Map = &n
	return commit, nil
}

// Review sends a mapped site to review. With Accept set it is an approval
// without review: every item left for review goes to its best candidate
// section (or «Прочее»), recorded as a decision with Accept as its note,
// so that later rebuilds of the plan keep it there. Such a placement is
// not a person's decision on an item that looks like personal data: with
// ExcludePersonal those items are excluded, with why, and otherwise
// Approve refuses the site until a person decides them.
type Review struct {
	Accept          string
	ExcludePersonal bool
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
	var excluded []mapping.Override
	if s.ExcludePersonal {
		ovs, err := mapping.LoadOverrides(r.WS, o.ID)
		if err != nil {
			return nil, err
		}
		excluded = mapping.PersonalExclusions(plan, ovs, r.Actor, s.Accept, r.WS.Now())
		mapping.ApplyOverrides(plan, excluded)
	}
	placed := mapping.AutoDecisions(plan, r.Actor, s.Accept, r.WS.Now())
	mapping.ApplyOverrides(plan, placed)
	out.Review = &ReviewSummary{Accepted: len(placed), Excluded: len(excluded), Note: s.Accept}
	decisions := append(placed, excluded...)
	return func(tx store.Tx) error {
		for i := range decisions {
			if err := mapping.Overrides.Put(tx, o.ID, decisions[i].Key, &decisions[i]); err != nil {
				return err
			}
		}
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
	ovs, err := mapping.LoadOverrides(r.WS, o.ID)
	if err != nil {
		return nil, err
	}
	if pd := mapping.UndecidedPersonalData(plan, ovs); len(pd) > 0 {
		return nil, &Skip{Reason: SkipPersonal, Detail: fmt.Sprintf("%d items look like personal data (the first: %s, %s) and no person decided on them: decide them in the review UI, or approve with --exclude-personal-data to leave them out", len(pd), pd[0].Item.SourceURL, pd[0].Why)}
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
// sends the plan through a dry-run target: what it would create, update
// and delete is listed, and nothing is sent or recorded.
type Upload struct {
	Portal uploader.Portal
	DryRun bool
}

func (Upload) note() string { return "" }

// Stage is upload.
func (Upload) Stage() store.Stage { return store.StageUpload }

func (s Upload) run(ctx context.Context, r *Runner, o *store.Org, out *Outcome) (func(store.Tx) error, error) {
	p := s.Portal
	p.Actor = r.Actor
	if s.DryRun {
		dry, err := uploader.DryRunSite(ctx, r.WS, r.WS.BlobStore(), o, p)
		if dry != nil {
			out.Upload = &UploadSummary{DryRun: dry, Items: dry.Items, UnresolvedLinks: dry.UnresolvedLinks}
		}
		if uploader.IsUnreachable(err) {
			return nil, &Stop{Err: err}
		}
		if err != nil {
			return nil, err
		}
		return nil, &Skip{Reason: SkipDryRun}
	}
	up, commit, err := uploader.UploadSite(ctx, r.WS, r.WS.BlobStore(), o, p)
	if up != nil {
		out.Upload = &UploadSummary{Report: up.Report, Items: up.Items, UnresolvedLinks: len(up.UnresolvedLinks)}
	}
	if uploader.IsUnreachable(err) {
		return commit, &Stop{Err: err}
	}
	if err != nil {
		if commit != nil && up != nil {
			_ = r.WS.Update(commit) // keep the report of what was done
		}
		return nil, err
	}
	if up.OtherPortal {
		return commit, otherPortal(up.Portal, up.TargetPortal)
	}
	if rep := up.Report; rep.Failed > 0 {
		_ = r.WS.Update(commit)
		return nil, itemsFailed(rep, up.Items)
	} else if rep.Deferred > 0 {
		return commit, &Skip{Reason: SkipDeferred}
	}
	return commit, nil
}

// otherPortal is the skip of a step that reached a portal other than the
// site's target: done there, the site's state stays.
func otherPortal(reached store.PortalID, target string) *Skip {
	d := fmt.Sprintf("portal %s is not the site's target portal", reached)
	if target != "" {
		d += " (" + target + ")"
	}
	return &Skip{Reason: SkipOtherPortal, Detail: d + ": done there with its own ID map; the site's state stays (upload --retarget makes it the target)"}
}

// ItemsFailed says some items of a site could not be uploaded (or removed).
type ItemsFailed struct {
	Failed, Of int
	Permanent  int                // of Failed, refused by the portal for good
	First      uploader.ItemError // the first permanent failure, else the first
}

func itemsFailed(rep *uploader.Report, of int) *ItemsFailed {
	e := &ItemsFailed{Failed: rep.Failed, Of: of, Permanent: rep.Permanent, First: rep.Errors[0]}
	for _, ie := range rep.Errors {
		if ie.Permanent {
			e.First = ie
			break
		}
	}
	return e
}

func (e *ItemsFailed) Error() string {
	var hint string
	switch {
	case e.Permanent == 0:
		hint = "the next run retries them"
	case e.Permanent == e.Failed:
		hint = "the portal refused them, so running again will not help: change what each error names"
	default:
		hint = fmt.Sprintf("%d refused by the portal: change what each names; the other %d the next run retries", e.Permanent, e.Failed-e.Permanent)
	}
	s := fmtItems(e.Failed, e.Of, hint, e.First)
	if e.First.Fix != "" {
		s += "; to fix: " + e.First.Fix
	}
	return s
}

// Verify reads a site's uploaded items back and compares them with its plan.
type Verify struct {
	Portal uploader.Portal
}

func (Verify) note() string { return "" }

// Stage is verify.
func (Verify) Stage() store.Stage { return store.StageVerify }

func (s Verify) run(ctx context.Context, r *Runner, o *store.Org, out *Outcome) (func(store.Tx) error, error) {
	p := s.Portal
	p.Actor = r.Actor
	v, commit, err := uploader.VerifySite(ctx, r.WS, r.WS.BlobStore(), o, p)
	if uploader.IsUnreachable(err) {
		return nil, &Stop{Err: err}
	}
	if err != nil {
		return nil, err
	}
	out.Verify = v
	if v.OtherPortal {
		return commit, otherPortal(v.Portal, "")
	}
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
	p := s.Portal
	p.Actor = r.Actor
	rb, err := uploader.RollbackSite(ctx, r.WS, o, p)
	if rb != nil {
		out.Rollback = rb.Report
	}
	if uploader.IsUnreachable(err) {
		return nil, &Stop{Err: err}
	}
	if err != nil {
		return nil, err
	}
	if rb.OtherPortal {
		return nil, otherPortal(rb.Portal, "")
	}
	if rep := rb.Report; rep.Failed > 0 {
		return nil, itemsFailed(rep, rep.Failed+rep.Deleted+rep.Absent)
	}
	return nil, nil
}

// Sequences of steps the commands run.

// RunSteps are crawl, extract and map with the given settings.
func RunSteps(c Crawl, m Map) []Step { return []Step{c, Extract{}, m} }

// Approval is how sites are approved without the review UI: Note is the
// recorded reason, WithGaps confirms open mandated gaps, ExcludePersonal
// leaves out the items that look like personal data that no person
// decided on.
type Approval struct {
	Note            string
	WithGaps        bool
	ExcludePersonal bool
}

// ApproveSteps send mapped sites through review and approve them as they
// are: items left for review go to their best candidate section as
// decisions with the note; the approval itself checks gaps and personal
// data (see Review and Approve).
func ApproveSteps(a Approval) []Step {
	return []Step{Review{Accept: a.Note, ExcludePersonal: a.ExcludePersonal}, Approve{Note: a.Note, WithGaps: a.WithGaps}}
}

func fmtItems(failed, of int, hint string, first uploader.ItemError) string {
	return fmt.Sprintf("%d of %d items failed (%s), first: %s %s: %s", failed, of, hint, first.Kind, first.Key, first.Err)
}

func fmtDiffer(n, of int, first uploader.Difference) string {
	return fmt.Sprintf("%d of %d items differ, first: %s %s: %s", n, of, first.Kind, first.Key, first.What)
}

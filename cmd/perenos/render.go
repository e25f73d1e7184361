package main

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"perenos/pipeline"
	"perenos/store"
	"perenos/uploader"
)

// describe says in English what the last step of an outcome did, from its
// typed counts. The review UI says the same in Russian.
func describe(o pipeline.Outcome) string {
	switch o.Stage {
	case store.StageCrawl:
		if c := o.Crawl; c != nil {
			s := fmt.Sprintf("%d pages, %d attachments, %d errors", c.Pages, c.Attachments, c.Errors)
			for _, g := range slices.Sorted(maps.Keys(c.Guards)) {
				s += fmt.Sprintf("; guard %s hit %d times", g, c.Guards[g])
			}
			if c.Images > 0 {
				s += fmt.Sprintf(", %d images", c.Images)
			}
			if d := c.Changes; d != nil {
				s += fmt.Sprintf("; since the last crawl %d new, %d changed, %d unchanged, %d gone", d.New, d.Changed, d.Unchanged, d.Gone)
			}
			if c.RobotsIgnored {
				s += "; robots.txt not obeyed, as the registry says"
			}
			if c.Restarted != nil {
				s += fmt.Sprintf("; the interrupted crawl of %s was dropped: the registry now says %s", c.Restarted.FromSeed, c.Restarted.ToSeed)
			}
			return s
		}
	case store.StageExtract:
		if e := o.Extract; e != nil {
			return fmt.Sprintf("%d documents from %d pages (%d failed), template learned from %d pages; %d attachments read (%d scans without text, %d unreadable)",
				e.Documents, e.Pages, e.Failed, e.TemplatePages, e.Attachments, e.Scans, e.Unreadable)
		}
	case store.StageMap:
		if m := o.Map; m != nil {
			return fmt.Sprintf("%d placed, %d for review, %d excluded, %d gaps", m.Placed, m.Unplaced, m.Excluded, m.Gaps)
		}
	case store.StageReview:
		if r := o.Review; r != nil {
			return fmt.Sprintf("sent to review; %d items left for review accepted automatically (%s)", r.Accepted, r.Note)
		}
		return "sent to review"
	case store.StageApprove:
		if r := o.Rollback; r != nil {
			s := fmt.Sprintf("rollback: %d items removed from the portal, %d that existed before left in place", r.Deleted, r.Preserved)
			if r.Absent > 0 {
				s += fmt.Sprintf(", %d were not on the portal any more", r.Absent)
			}
			return s
		}
		return "approved"
	case store.StageUpload:
		if u := o.Upload; u != nil && u.Report != nil {
			return uploadText(u)
		}
	case store.StageVerify:
		if v := o.Verify; v != nil {
			return fmt.Sprintf("all %d items match", v.Items)
		}
	}
	return string(o.Stage)
}

func uploadText(u *pipeline.UploadSummary) string {
	rep := u.Report
	s := fmt.Sprintf("%d created, %d updated, %d unchanged", rep.Created, rep.Updated, rep.Unchanged)
	if rep.Deleted+rep.Preserved > 0 {
		s += fmt.Sprintf(", %d deleted, %d left in place (they existed before perenos)", rep.Deleted, rep.Preserved)
	}
	if rep.Changed() == 0 {
		s += " (nothing new to upload)"
	}
	if len(rep.Stale) > 0 {
		s += fmt.Sprintf("; %d items left the plan and stay on the portal (--sync deletes them)", len(rep.Stale))
	}
	if u.UnresolvedLinks > 0 {
		s += fmt.Sprintf("; %d links to pages that were not migrated", u.UnresolvedLinks)
	}
	return s
}

// skipText says why a step was skipped.
func skipText(o pipeline.Outcome) string {
	sk := o.Skip
	switch sk.Reason {
	case pipeline.SkipNoLegacy:
		return "no legacy site: mapping starts from an empty plan"
	case pipeline.SkipInterrupted:
		return "interrupted; run the same command again to resume"
	case pipeline.SkipDryRun:
		if u := o.Upload; u != nil && u.DryRun != nil {
			d := u.DryRun
			return fmt.Sprintf("dry run, nothing sent: would create %d, update %d, delete %d, preserve %d, leave %d unchanged, defer %d; %d left the plan without --sync",
				len(d.Create), len(d.Update), len(d.Delete), d.Stats.Preserve, d.Unchanged, d.Deferred, d.Stats.Stale)
		}
		return "dry run, nothing sent"
	case pipeline.SkipDeferred:
		if u := o.Upload; u != nil && u.Report != nil {
			return uploadText(u) + fmt.Sprintf("; %d items deferred by --limit or --only: run again to finish", u.Report.Deferred)
		}
	}
	if sk.Detail != "" {
		return strings.TrimSpace(sk.Detail)
	}
	return string(sk.Reason)
}

// detailLines are the lines under a site's one-line outcome: what a dry
// run would do, item by item, and what to change for each item the portal
// refused.
func detailLines(o pipeline.Outcome) []string {
	var out []string
	if u := o.Upload; u != nil && u.DryRun != nil {
		for _, group := range []struct {
			verb  string
			items []uploader.Planned
		}{{"create", u.DryRun.Create}, {"update", u.DryRun.Update}, {"delete", u.DryRun.Delete}} {
			for _, p := range group.items {
				line := fmt.Sprintf("  would %s %s %s", group.verb, strings.TrimSuffix(string(p.Kind), "s"), p.Key)
				if p.Title != "" {
					line += " «" + p.Title + "»"
				}
				if p.Source != "" {
					line += " from " + p.Source
				}
				out = append(out, line)
			}
		}
	}
	var errs []uploader.ItemError
	if u := o.Upload; u != nil && u.Report != nil {
		errs = u.Report.Errors
	} else if o.Rollback != nil {
		errs = o.Rollback.Errors
	}
	for _, e := range errs {
		if e.Permanent {
			out = append(out, fmt.Sprintf("  refused %s %s: %s\n    to fix: %s", strings.TrimSuffix(string(e.Kind), "s"), e.Key, e.Err, e.Fix))
		}
	}
	return out
}

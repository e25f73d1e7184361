package pipeline

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"time"

	"perenos/attachtext"
	"perenos/charset"
	"perenos/crawler"
	"perenos/extract"
	"perenos/mapping"
	"perenos/store"
	"perenos/uploader"
)

// Ledger record kinds written by the stages.
const (
	DocsKind       = "docs"       // extracted documents, keyed by page URL
	PlansKind      = "plans"      // one plan per site, key "plan"
	CrawlStatsKind = "crawlstats" // last crawl's stats, key "last"
	CrawlDiffKind  = "crawldiff"  // what the last re-crawl found changed, key "last"
	CrawlRunKind   = "crawlrun"   // "active": a crawl started and not finished
	UploadsKind    = "uploads"    // last upload's report, key "last"
	VerifyKind     = "verify"     // last verification, key "last"
	OverridesKind  = "overrides"  // review decisions, keyed by item key
	AttachKind     = "attachtext" // what was read from each attachment, keyed by URL
)

// attachTextLimit is how much of an attachment's text the ledger keeps:
// enough for the document kind and a preview, not the whole document.
const attachTextLimit = 16 << 10

// Crawl fetches each site. A site that already finished a crawl is crawled
// afresh; one whose crawl was interrupted or failed resumes its frontier.
func (e *Env) Crawl(ctx context.Context, orgs []*store.Org) *Result {
	gates := e.CrawlOpts.Gates
	if gates == nil {
		delay := e.CrawlOpts.Delay
		gates = crawler.NewGates(max(e.CrawlOpts.PerHost, 2), delay)
	}
	return e.run(ctx, store.StageCrawl, orgs, func(ctx context.Context, o *store.Org) (string, error) {
		if !o.HasLegacy() {
			return "", skip("no legacy site: mapping starts from an empty plan")
		}
		// An interrupted crawl is resumed. Any other run starts afresh: after
		// a finished crawl it asks conditionally and reports what changed;
		// after a failed one (say, every URL refused) it fetches again what
		// had failed rather than finding nothing left to do.
		var active bool
		_ = e.WS.Get(CrawlRunKind, o.ID, "active", &active)
		if !active {
			if err := e.WS.StartRecrawl(o.ID); err != nil {
				return "", err
			}
			if err := e.WS.Put(CrawlRunKind, o.ID, "active", true); err != nil {
				return "", err
			}
		}
		opt, err := siteCrawlOptions(e.CrawlOpts, o)
		if err != nil {
			return "", err
		}
		opt.Gates = gates
		opt.Logger = e.Log
		st, err := crawler.Crawl(ctx, e.WS, e.WS.Blobs, o, opt)
		if err != nil {
			return "", err
		}
		if err := e.WS.Put(CrawlStatsKind, o.ID, "last", st); err != nil {
			return "", err
		}
		diff, err := crawler.Compare(e.WS, o.ID)
		if err != nil {
			return "", err
		}
		if diff != nil {
			if err := e.WS.Put(CrawlDiffKind, o.ID, "last", diff); err != nil {
				return "", err
			}
		}
		if err := e.WS.Put(CrawlRunKind, o.ID, "active", false); err != nil {
			return "", err
		}
		var pages, files, bytes, errs int64
		if err := e.WS.Pages(o.ID, func(p *store.Page) error {
			switch {
			case p.Error != "" || !p.OK():
				if !strings.HasPrefix(p.Error, "excluded:") && p.Kind != "sitemap" {
					errs++
				}
			case p.Kind == store.KindPage:
				pages++
				bytes += p.Size
			case p.Kind == store.KindAttachment:
				files++
				bytes += p.Size
			}
			return nil
		}); err != nil {
			return "", err
		}
		if pages == 0 {
			return "", fmt.Errorf("no page of %s could be fetched (see perenos orgs show %s)", o.LegacyURL, o.ID)
		}
		if err := e.WS.UpdateOrg(o.ID, func(x *store.Org) error {
			if x.Stats == nil {
				x.Stats = map[string]int64{}
			}
			x.Stats["pages"], x.Stats["attachments"], x.Stats["bytes"], x.Stats["fetch_errors"] = pages, files, bytes, errs
			return nil
		}); err != nil {
			return "", err
		}
		guards := ""
		for g, n := range st.Guards {
			guards += fmt.Sprintf("; guard %s hit %d times", g, n)
		}
		changes := ""
		if diff != nil {
			changes = fmt.Sprintf("; since the last crawl %d new, %d changed, %d unchanged, %d gone", diff.New, diff.Changed, diff.Unchanged, diff.Disappeared)
		}
		return fmt.Sprintf("%d pages, %d attachments, %d errors%s%s", pages, files, errs, guards, changes), nil
	})
}

// siteCrawlOptions applies a site's registry settings (aliases, delay_ms,
// per_host, ca_file, insecure) to the batch defaults.
func siteCrawlOptions(base crawler.Options, o *store.Org) (crawler.Options, error) {
	opt := base
	for k, v := range o.Settings {
		switch k {
		case "aliases":
			opt.Aliases = strings.FieldsFunc(v, func(r rune) bool { return r == ' ' || r == ',' || r == '|' })
		case "delay_ms":
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 {
				return opt, fmt.Errorf("registry setting delay_ms=%q of %s is not a number of milliseconds", v, o.ID)
			}
			opt.Delay = time.Duration(n) * time.Millisecond
		case "per_host":
			n, err := strconv.Atoi(v)
			if err != nil || n <= 0 {
				return opt, fmt.Errorf("registry setting per_host=%q of %s is not a positive number", v, o.ID)
			}
			opt.PerHost = n
		case "ca_file":
			opt.Net.CAFile = v
		case "insecure":
			opt.Net.Insecure = v == "true" || v == "yes" || v == "1"
		}
	}
	return opt, nil
}

// Extract turns each site's pages into documents, with the site's template
// learned from all its pages.
func (e *Env) Extract(ctx context.Context, orgs []*store.Org) *Result {
	return e.run(ctx, store.StageExtract, orgs, func(ctx context.Context, o *store.Org) (string, error) {
		if !o.HasLegacy() {
			return "", skip("no legacy site: mapping starts from an empty plan")
		}
		var pages []*store.Page
		if err := e.WS.Pages(o.ID, func(p *store.Page) error {
			if p.Kind == store.KindPage && p.OK() && !p.Blob.IsZero() {
				pages = append(pages, p)
			}
			return nil
		}); err != nil {
			return "", err
		}
		load := func(p *store.Page) (string, error) {
			raw, err := e.WS.Blobs.Read(p.Blob)
			if err != nil {
				return "", err
			}
			return charset.Decode(raw, p.ContentType).Text, nil
		}
		// Two passes over the pages: the template needs every page before
		// any is extracted. Each pass reads and parses a page again rather
		// than keeping a site's DOMs (up to --max-pages of them) in memory.
		tmpl := extract.NewTemplate()
		for _, p := range pages {
			if ctx.Err() != nil {
				return "", ctx.Err()
			}
			text, err := load(p)
			if err != nil {
				return "", err
			}
			if doc, err := extract.Parse(text); err == nil {
				tmpl.Learn(doc)
			}
		}
		docs := map[string]any{}
		failed := 0
		for _, p := range pages {
			if ctx.Err() != nil {
				return "", ctx.Err()
			}
			text, err := load(p)
			if err != nil {
				return "", err
			}
			doc, err := extract.Parse(text)
			if err == nil {
				var d *extract.Document
				d, err = extract.Extract(p.URL, doc, extract.Options{Template: tmpl, CrawlDate: p.FetchedAt.Format("2006-01-02")})
				if err == nil {
					docs[p.URL] = d
					continue
				}
			}
			failed++
			e.Log.Warn("extraction failed", "site", o.ID, "url", p.URL, "err", err)
		}
		if err := e.WS.Replace(DocsKind, o.ID, docs); err != nil {
			return "", err
		}
		files, scans, unread, err := e.readAttachments(ctx, o)
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("%d documents from %d pages (%d failed), template learned from %d pages; %d attachments read (%d scans without text, %d unreadable)",
			len(docs), len(pages), failed, tmpl.Pages(), files, scans, unread), nil
	})
}

// readAttachments reads the text of a site's attachments for the map
// stage: the beginning of the text, whether a PDF is a scan, and the
// error of a file that could not be read, which is recorded against the
// file and never stops the site.
func (e *Env) readAttachments(ctx context.Context, o *store.Org) (files, scans, unread int, err error) {
	var atts []*store.Page
	if err := e.WS.Pages(o.ID, func(p *store.Page) error {
		if p.Kind == store.KindAttachment && p.OK() && !p.Blob.IsZero() {
			atts = append(atts, p)
		}
		return nil
	}); err != nil {
		return 0, 0, 0, err
	}
	out := map[string]any{}
	for _, p := range atts {
		if err := ctx.Err(); err != nil {
			return 0, 0, 0, err
		}
		res, rerr := attachtext.File(ctx, e.WS.Blobs.Path(p.Blob), attachtext.Options{Timeout: 30 * time.Second, MaxText: attachTextLimit})
		var at mapping.AttachText
		switch {
		case errors.Is(rerr, attachtext.ErrUnsupported):
			continue // images, archives: nothing to read
		case rerr != nil:
			unread++
			at.Error = strings.ReplaceAll(rerr.Error(), e.WS.Blobs.Path(p.Blob), p.URL)
			e.Log.Warn("attachment not read", "site", o.ID, "url", p.URL, "err", rerr)
		default:
			files++
			at.Text, at.Scan = res.Text, res.Scan
			if res.Scan {
				scans++
			}
		}
		out[p.URL] = at
	}
	return files, scans, unread, e.WS.Replace(AttachKind, o.ID, out)
}

// LoadAttachText reads what the extract stage read from a site's attachments.
func LoadAttachText(ws *store.Workspace, org string) (map[string]mapping.AttachText, error) {
	out := map[string]mapping.AttachText{}
	err := ws.ForEach(AttachKind, org, func(key string, raw []byte) error {
		var at mapping.AttachText
		if err := json.Unmarshal(raw, &at); err != nil {
			return fmt.Errorf("attachment text %s: %w", key, err)
		}
		out[key] = at
		return nil
	})
	return out, err
}

// LoadDocs reads a site's extracted documents.
func LoadDocs(ws *store.Workspace, org string) (map[string]*extract.Document, error) {
	docs := map[string]*extract.Document{}
	err := ws.ForEach(DocsKind, org, func(key string, raw []byte) error {
		var d extract.Document
		if err := json.Unmarshal(raw, &d); err != nil {
			return fmt.Errorf("document %s: %w", key, err)
		}
		docs[key] = &d
		return nil
	})
	return docs, err
}

// LoadOverrides reads a site's review decisions.
func LoadOverrides(ws *store.Workspace, org string) ([]mapping.Override, error) {
	var out []mapping.Override
	err := ws.ForEach(OverridesKind, org, func(key string, raw []byte) error {
		var ov mapping.Override
		if err := json.Unmarshal(raw, &ov); err != nil {
			return fmt.Errorf("review decision %s: %w", key, err)
		}
		out = append(out, ov)
		return nil
	})
	return out, err
}

// LoadPlan reads a site's plan.
func LoadPlan(ws *store.Workspace, org string) (*mapping.Plan, error) {
	var p mapping.Plan
	if err := ws.Get(PlansKind, org, "plan", &p); err != nil {
		return nil, fmt.Errorf("plan of %s: %w (run perenos map %s)", org, err, org)
	}
	return &p, nil
}

// Map places each site's content into its mandated structure.
func (e *Env) Map(ctx context.Context, orgs []*store.Org) *Result {
	return e.run(ctx, store.StageMap, orgs, func(ctx context.Context, o *store.Org) (string, error) {
		plan, err := RebuildPlan(ctx, e.WS, e.Profiles, e.MapOpts, e.Log, o.ID)
		if err != nil {
			return "", err
		}
		placed, unplaced, excluded := plan.Counts()
		if !o.HasLegacy() {
			return fmt.Sprintf("no legacy site: empty plan, %d gaps", len(plan.Gaps)), nil
		}
		return fmt.Sprintf("%d placed, %d for review, %d excluded, %d gaps", placed, unplaced, excluded, len(plan.Gaps)), nil
	})
}

// ManualKind is the ledger record kind of content typed or uploaded in
// review to fill a gap, keyed by item key.
const ManualKind = "manual"

// Manual is content added in review to fill a gap of a section.
type Manual struct {
	Section string       `json:"section"`
	Gap     string       `json:"gap,omitempty"` // the mandated item it fills ("" for the whole section)
	Item    mapping.Item `json:"item"`
}

// RebuildPlan makes a site's plan afresh and stores it: the classifier's
// plan from the extracted documents and attachment text, then the content
// filled in review for gaps, then the review decisions. The map stage and
// the review UI (after each decision) both call it, so that neither loses
// what the other added. It does not move the site's state.
func RebuildPlan(ctx context.Context, ws *store.Workspace, profiles mapping.Profiles, opt mapping.Options, log *slog.Logger, org string) (*mapping.Plan, error) {
	o, err := ws.Org(org)
	if err != nil {
		return nil, err
	}
	prof := profiles[o.Type]
	if prof == nil {
		return nil, fmt.Errorf("no profile for organisation type %s", o.Type)
	}
	in := mapping.Input{Org: o, Docs: map[string]*extract.Document{}, Blobs: ws.Blobs}
	if o.HasLegacy() {
		if in.Docs, err = LoadDocs(ws, o.ID); err != nil {
			return nil, err
		}
		if in.Attach, err = LoadAttachText(ws, o.ID); err != nil {
			return nil, err
		}
		if err := ws.Pages(o.ID, func(p *store.Page) error {
			if p.Kind != "sitemap" {
				in.Pages = append(in.Pages, p)
			}
			return nil
		}); err != nil {
			return nil, err
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	plan := mapping.Build(prof, in, opt)
	if err := ws.ForEach(ManualKind, org, func(key string, raw []byte) error {
		var m Manual
		if err := json.Unmarshal(raw, &m); err != nil {
			return fmt.Errorf("filled gap %s of %s: %w", key, org, err)
		}
		sp := plan.Section(m.Section)
		if sp == nil {
			plan.Unplaced = append(plan.Unplaced, m.Item)
			return nil
		}
		sp.Items = append(sp.Items, m.Item)
		plan.Gaps = slices.DeleteFunc(plan.Gaps, func(g mapping.Gap) bool {
			return g.Section == m.Section && (g.Item == m.Gap || g.Item == "")
		})
		return nil
	}); err != nil {
		return nil, err
	}
	ovs, err := LoadOverrides(ws, o.ID)
	if err != nil {
		return nil, err
	}
	if orphans := mapping.ApplyOverrides(plan, ovs); len(orphans) > 0 && log != nil {
		log.Warn("review decisions whose item is gone from the site", "site", o.ID, "keys", orphans)
	}
	if err := ws.Put(PlansKind, o.ID, "plan", plan); err != nil {
		return nil, err
	}
	placed, unplaced, excluded := plan.Counts()
	err = ws.UpdateOrg(o.ID, func(x *store.Org) error {
		if x.Stats == nil {
			x.Stats = map[string]int64{}
		}
		x.Stats["placed"], x.Stats["unplaced"], x.Stats["excluded"], x.Stats["gaps"] = int64(placed), int64(unplaced), int64(excluded), int64(len(plan.Gaps))
		return nil
	})
	return plan, err
}

// AutoApprove sends mapped sites through review and approves them as they
// are, placing items left for review in their best candidate section (or
// "other") with that reason. It is for the demo and for batches the
// operator chooses to approve without the review UI.
func (e *Env) AutoApprove(ctx context.Context, orgs []*store.Org, reason string) *Result {
	res := e.run(ctx, store.StageReview, orgs, func(ctx context.Context, o *store.Org) (string, error) {
		plan, err := LoadPlan(e.WS, o.ID)
		if err != nil {
			return "", err
		}
		n := mapping.AcceptCandidates(plan, reason)
		if err := e.WS.Put(PlansKind, o.ID, "plan", plan); err != nil {
			return "", err
		}
		return fmt.Sprintf("sent to review; %d unplaced items accepted automatically (%s)", n, reason), nil
	})
	var next []*store.Org
	for i, out := range res.Outcomes {
		if out.Error == "" && out.Skipped == "" {
			next = append(next, orgs[i])
		}
	}
	appr := e.run(ctx, store.StageApprove, next, func(ctx context.Context, o *store.Org) (string, error) {
		return "approved: " + reason, nil
	})
	return merge(res, appr)
}

func merge(a, b *Result) *Result {
	idx := map[string]int{}
	for i, o := range a.Outcomes {
		idx[o.Org] = i
	}
	for _, o := range b.Outcomes {
		i := idx[o.Org]
		a.Outcomes[i].State = o.State
		a.Outcomes[i].Summary = strings.TrimPrefix(a.Outcomes[i].Summary+"; "+o.Summary, "; ")
		if o.Error != "" {
			a.Outcomes[i].Error = o.Error
			a.Failed++
		}
	}
	return a
}

// Portal is where uploads go: a target, its public base URL, and how the
// upload is planned and carried out.
type Portal struct {
	Target  uploader.Target
	BaseURL string
	Plan    uploader.Options
	Exec    uploader.ExecOptions
	DryRun  bool // print the plan's counts, send nothing
}

func (e *Env) ops(o *store.Org, base string) ([]uploader.Op, []string, error) {
	plan, err := LoadPlan(e.WS, o.ID)
	if err != nil {
		return nil, nil, err
	}
	open := func(sha string) (io.ReadCloser, error) {
		id, err := store.ParseBlobID(sha)
		if err != nil {
			return nil, err
		}
		return e.WS.Blobs.Open(id)
	}
	return uploader.BuildOps(o, plan, base, open)
}

// UploadPlan computes what an upload of the site would do, sending nothing.
func (e *Env) UploadPlan(o *store.Org, p Portal) (*uploader.Plan, []string, error) {
	ops, unresolved, err := e.ops(o, p.BaseURL)
	if err != nil {
		return nil, nil, err
	}
	known, err := e.WS.IDMap(o.ID)
	if err != nil {
		return nil, nil, err
	}
	return uploader.MakePlan(ops, known, p.Plan), unresolved, nil
}

// Upload pushes each approved site's plan to the portal: only what is new
// or changed since the last upload, and, with Plan.Sync, deletes what left
// the plan under the sync safety rules.
func (e *Env) Upload(ctx context.Context, orgs []*store.Org, p Portal) *Result {
	return e.run(ctx, store.StageUpload, orgs, func(ctx context.Context, o *store.Org) (string, error) {
		plan, unresolved, err := e.UploadPlan(o, p)
		if err != nil {
			return "", err
		}
		if p.DryRun {
			st := plan.Stats()
			return "", skip(fmt.Sprintf("dry run, nothing sent: would create %d, update %d, delete %d, preserve %d, leave %d unchanged, defer %d; %d left the plan without --sync",
				st.Create, st.Update, st.Delete, st.Preserve, st.Unchanged, st.Deferred, st.Stale))
		}
		rep, err := plan.Execute(ctx, e.WS, p.Target, o, p.Exec)
		if rep != nil {
			if perr := e.WS.Put(UploadsKind, o.ID, "last", map[string]any{"report": rep, "unresolved_links": unresolved, "at": e.WS.Now()}); perr != nil && err == nil {
				err = perr
			}
		}
		if err != nil {
			return "", err
		}
		if rep.Failed > 0 {
			first := rep.Errors[0]
			return "", fmt.Errorf("%d of %d items failed (the next run retries them), first: %s %s: %s", rep.Failed, len(plan.Steps), first.Kind, first.Key, first.Err)
		}
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
		if len(unresolved) > 0 {
			s += fmt.Sprintf("; %d links to pages that were not migrated", len(unresolved))
		}
		if rep.Deferred > 0 {
			return "", skip(s + fmt.Sprintf("; %d items deferred by --limit or --only: run again to finish", rep.Deferred))
		}
		return s, nil
	})
}

// Verify reads every uploaded item back and compares it with the plan.
func (e *Env) Verify(ctx context.Context, orgs []*store.Org, p Portal) *Result {
	return e.run(ctx, store.StageVerify, orgs, func(ctx context.Context, o *store.Org) (string, error) {
		ops, _, err := e.ops(o, p.BaseURL)
		if err != nil {
			return "", err
		}
		diffs, err := uploader.Verify(ctx, p.Target, o, ops)
		if err != nil {
			return "", err
		}
		if err := e.WS.Put(VerifyKind, o.ID, "last", map[string]any{"items": len(ops), "differences": diffs, "at": e.WS.Now()}); err != nil {
			return "", err
		}
		if len(diffs) > 0 {
			return "", fmt.Errorf("%d of %d items differ, first: %s %s: %s", len(diffs), len(ops), diffs[0].Kind, diffs[0].Key, diffs[0].What)
		}
		return fmt.Sprintf("all %d items match", len(ops)), nil
	})
}

// Rollback removes from the portal what perenos created for each site and
// moves the site back to approved, so that a later upload starts afresh.
// What existed on the portal before perenos stays. A site whose act is
// signed is refused: the signed act describes what is on the portal.
func (e *Env) Rollback(ctx context.Context, orgs []*store.Org, p Portal) *Result {
	return e.run(ctx, store.StageApprove, orgs, func(ctx context.Context, o *store.Org) (string, error) {
		if o.State == store.ActSigned {
			return "", skip("the completion act is signed; a rollback would make it untrue")
		}
		rep, err := uploader.Rollback(ctx, e.WS, p.Target, o)
		if err != nil {
			return "", err
		}
		if rep.Failed > 0 {
			return "", fmt.Errorf("%d items could not be removed (the next rollback retries them), first: %s %s: %s", rep.Failed, rep.Errors[0].Kind, rep.Errors[0].Key, rep.Errors[0].Err)
		}
		return fmt.Sprintf("rollback: %d items removed from the portal, %d that existed before left in place", rep.Deleted, rep.Preserved), nil
	})
}

// Export writes a site's approved plan as one bulk-import bundle.
func (e *Env) Export(ctx context.Context, o *store.Org, base string, w io.Writer) (int, error) {
	if err := store.CanRun(store.StageUpload, o.State, o.FailedAt, o.HasLegacy()); err != nil {
		return 0, fmt.Errorf("organisation %s: %w", o.ID, err)
	}
	ops, _, err := e.ops(o, base)
	if err != nil {
		return 0, err
	}
	return len(ops), uploader.Export(ctx, w, o.PortalSite, ops)
}

// Redirects lists a site's old URLs with their portal URLs under base.
func (e *Env) Redirects(o *store.Org, base string) ([]uploader.Redirect, error) {
	plan, err := LoadPlan(e.WS, o.ID)
	if err != nil {
		return nil, err
	}
	return uploader.Redirects(o, plan, base), nil
}

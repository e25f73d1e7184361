package uploader

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"time"

	"perenos/mapping"
	"perenos/store"
)

// The upload stage's records in the ledger (the ID map itself is the
// store's: it is the ledger's core promise, not one stage's output).
var (
	// LastUpload is the last upload's report: under key "last" for the
	// site's target portal, under the portal's ID for any other.
	LastUpload = store.Record[UploadRecord]{Kind: "uploads"}
	// LastVerify is the last verification, keyed like LastUpload.
	LastVerify = store.Record[VerifyRecord]{Kind: "verify"}
	// Targets is the site's target portal, under key "target".
	Targets = store.Record[TargetRecord]{Kind: "upload-target"}
)

const (
	lastKey   = "last"
	targetKey = "target"
)

// UploadRecord is what the last upload of a site did.
type UploadRecord struct {
	Portal          store.PortalID `json:"portal,omitempty"`
	Report          *Report        `json:"report"`
	UnresolvedLinks []string       `json:"unresolved_links,omitempty"`
	At              time.Time      `json:"at"`
}

// VerifyRecord is what the last verification of a site found.
type VerifyRecord struct {
	Portal      store.PortalID `json:"portal,omitempty"`
	Items       int            `json:"items"`
	Differences []Difference   `json:"differences"`
	At          time.Time      `json:"at"`
}

// TargetRecord is a site's target portal: the one its state, acts,
// reports and redirects describe. The first upload records it; only
// upload --retarget changes it. Uploads to any other portal (a staging
// one) keep their own ID map and do not move the site's state.
type TargetRecord struct {
	Portal store.PortalID `json:"portal"`
	// URL is the portal's public address when it was last reached: where
	// redirects point. The portal may move (the demo's gets a new port
	// every run); its ID does not.
	URL   string    `json:"url"`
	Since time.Time `json:"since"`
}

// SiteTarget returns a site's target portal, or nil when none is recorded.
func SiteTarget(rd store.Reader, org string) (*TargetRecord, error) {
	t, err := Targets.Get(rd, org, targetKey)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	return t, err
}

// SiteLedger is what the upload stage reads and writes: the plan, the ID
// map, the site's records, and the blob store the files come from.
type SiteLedger interface {
	store.Reader
	IDMap
	Update(fn func(store.Tx) error) error
	AdoptIDMap(org string, from, to store.PortalID, also func(store.Tx) error) (int, error)
}

// Blobs opens stored files for upload.
type Blobs interface {
	Open(id store.BlobID) (*os.File, error)
}

// Portal is where a site's plan goes: a target, its public base URL, and
// how the upload is planned and carried out.
type Portal struct {
	Target  Target
	BaseURL string
	Plan    Options
	Exec    ExecOptions
	// Retarget makes the portal reached the site's target portal, even
	// when another one is recorded (upload --retarget).
	Retarget bool
	// Actor is who runs the stage, for the event log.
	Actor string
}

// siteImages lists the pictures the crawl fetched, by their normalised
// legacy URL, as files to upload.
func siteImages(rd store.Reader, org string, open func(sha string) (io.ReadCloser, error)) (map[string]File, error) {
	out := map[string]File{}
	err := rd.Pages(org, func(p *store.Page) error {
		if p.Kind != store.KindImage || !p.OK() || p.Blob.IsZero() {
			return nil
		}
		sha := p.Blob.String()
		name := p.FileName
		if name == "" {
			name = path.Base(p.URL)
		}
		out[normURL(p.URL)] = File{SHA256: sha, Size: p.Size, Name: name, Open: func() (io.ReadCloser, error) { return open(sha) }}
		if p.FinalURL != "" {
			out[normURL(p.FinalURL)] = out[normURL(p.URL)]
		}
		return nil
	})
	return out, err
}

// SiteOps turns a site's stored plan into the objects to upload, with the
// links to pages that were not migrated.
func SiteOps(rd store.Reader, blobs Blobs, o *store.Org, base string) ([]Op, []string, error) {
	plan, err := mapping.LoadPlan(rd, o.ID)
	if err != nil {
		return nil, nil, err
	}
	anchors, err := Anchors(rd, o.ID)
	if err != nil {
		return nil, nil, err
	}
	open := func(sha string) (io.ReadCloser, error) {
		id, err := store.ParseBlobID(sha)
		if err != nil {
			return nil, err
		}
		return blobs.Open(id)
	}
	images, err := siteImages(rd, o.ID, open)
	if err != nil {
		return nil, nil, err
	}
	return BuildOps(Site{Org: o, Base: base, Anchors: anchors, Images: images}, plan, open)
}

// reached is the portal an upload, verify or rollback reached, and what
// it is to the site.
type reached struct {
	ID     store.PortalID
	URL    string
	Target bool // the site's target portal
	// Adopt: the site has no target yet and an ID map from before portals
	// were told apart, which this portal takes over.
	Adopt bool
	prev  *TargetRecord
}

// reach asks the target which portal it is and what that portal is to
// the site. It changes nothing.
func reach(ctx context.Context, led SiteLedger, o *store.Org, p Portal) (*reached, error) {
	idf, ok := AsIdentifier(p.Target)
	if !ok {
		return nil, &PermanentError{errors.New("the target cannot say which portal it is, and the ID map is kept per portal: upload through the portal's API")}
	}
	info, err := idf.Identity(ctx)
	if err != nil {
		return nil, err
	}
	id, err := store.ParsePortalID(info.ID)
	if err != nil {
		return nil, &PermanentError{err}
	}
	r := &reached{ID: id, URL: info.PublicURL}
	if r.URL == "" {
		r.URL = apiURL(p.Target)
	}
	cur, err := SiteTarget(led, o.ID)
	if err != nil {
		return nil, err
	}
	r.prev = cur
	switch {
	case cur != nil:
		r.Target = cur.Portal == id || p.Retarget
	default:
		legacy, err := led.IDMap(o.ID, store.LegacyPortal)
		if err != nil {
			return nil, err
		}
		r.Adopt = len(legacy) > 0
		r.Target = true
	}
	return r, nil
}

// apiURL is the address of the portal API beneath t's wrappers, or "".
func apiURL(t Target) string {
	for t != nil {
		if c, ok := t.(*Client); ok {
			return c.URL()
		}
		w, ok := t.(unwrapper)
		if !ok {
			return ""
		}
		t = w.Unwrap()
	}
	return ""
}

// record makes the reached portal the site's target where it becomes so
// (first upload, --retarget, adoption of a legacy ID map), logging why.
// Verify and rollback (record false) only adopt a legacy ID map.
func (r *reached) record(led SiteLedger, o *store.Org, actor string, upload bool) error {
	changed := r.prev == nil || r.prev.Portal != r.ID
	if !r.Target || (!changed && r.prev.URL == r.URL) || (!upload && !r.Adopt && changed) {
		return nil
	}
	also := func(tx store.Tx) error {
		rec := &TargetRecord{Portal: r.ID, URL: r.URL, Since: tx.Now()}
		if !changed {
			rec.Since = r.prev.Since // the same portal at another address
		}
		if err := Targets.Put(tx, o.ID, targetKey, rec); err != nil {
			return err
		}
		if !changed {
			return nil
		}
		ev := store.Event{Org: o.ID, Actor: actor, Kind: store.EventEdit, To: string(r.ID)}
		switch {
		case r.prev != nil:
			ev.From, ev.Reason = string(r.prev.Portal), fmt.Sprintf("target portal changed to %s (%s) by upload --retarget", r.ID, r.URL)
		case r.Adopt:
			ev.Reason = fmt.Sprintf("target portal recorded: %s (%s); the ID map kept before portals were told apart is taken as this portal's", r.ID, r.URL)
		default:
			ev.Reason = fmt.Sprintf("target portal recorded by the first upload: %s (%s)", r.ID, r.URL)
		}
		return tx.Log(ev)
	}
	if r.Adopt {
		_, err := led.AdoptIDMap(o.ID, store.LegacyPortal, r.ID, also)
		return err
	}
	return led.Update(also)
}

// recordKey is where a run's record goes: "last" for the target portal.
func (r *reached) recordKey() string {
	if r.Target {
		return lastKey
	}
	return string(r.ID)
}

// SiteUpload is what one upload of a site did.
type SiteUpload struct {
	Portal store.PortalID `json:"portal"`
	// OtherPortal: the portal is not the site's target portal, so the
	// upload kept its own ID map and the site's state stays.
	OtherPortal     bool     `json:"other_portal,omitempty"`
	TargetPortal    string   `json:"target_portal,omitempty"` // the site's target, when this was another
	Report          *Report  `json:"report"`
	Items           int      `json:"items"`
	UnresolvedLinks []string `json:"unresolved_links,omitempty"`
}

// UploadSite pushes a site's plan to the portal: only what is new or
// changed since the last upload to that portal, and, with Plan.Sync,
// deletes what left the plan under the sync safety rules. The ID map is
// written item by item as the portal answers; the returned commit records
// the upload's report and goes in the transaction that moves the site's
// state (which the caller leaves alone when OtherPortal is set).
func UploadSite(ctx context.Context, led SiteLedger, blobs Blobs, o *store.Org, p Portal) (*SiteUpload, func(store.Tx) error, error) {
	at, err := reach(ctx, led, o, p)
	if err != nil {
		return nil, nil, err
	}
	ops, unresolved, err := SiteOps(led, blobs, o, p.BaseURL)
	if err != nil {
		return nil, nil, err
	}
	if err := at.record(led, o, p.Actor, true); err != nil {
		return nil, nil, fmt.Errorf("record the target portal of %s: %w", o.ID, err)
	}
	known, err := led.IDMap(o.ID, at.ID)
	if err != nil {
		return nil, nil, err
	}
	plan := MakePlan(at.ID, ops, known, p.Plan)
	rep, err := plan.Execute(ctx, led, p.Target, o, p.Exec)
	if rep == nil {
		return nil, nil, err
	}
	out := &SiteUpload{Portal: at.ID, OtherPortal: !at.Target, Report: rep, Items: len(plan.Steps), UnresolvedLinks: unresolved}
	if !at.Target && at.prev != nil {
		out.TargetPortal = string(at.prev.Portal)
	}
	rec := &UploadRecord{Portal: at.ID, Report: rep, UnresolvedLinks: unresolved}
	commit := func(tx store.Tx) error {
		rec.At = tx.Now()
		return LastUpload.Put(tx, o.ID, at.recordKey(), rec)
	}
	return out, commit, err
}

// DryRunReport is what an upload would do: the writes it would make,
// item by item, as the portal's copy (read through) says.
type DryRunReport struct {
	Portal      store.PortalID `json:"portal"`
	OtherPortal bool           `json:"other_portal,omitempty"`
	Stats       Stats          `json:"stats"`
	Create      []Planned      `json:"create"`
	Update      []Planned      `json:"update"`
	Delete      []Planned      `json:"delete"`
	// Unchanged and Deferred are counted, not listed.
	Unchanged       int `json:"unchanged"`
	Deferred        int `json:"deferred,omitempty"`
	Items           int `json:"items"`
	UnresolvedLinks int `json:"unresolved_links"`
}

// DryRunSite runs the site's upload through DryRun(p.Target): every read
// reaches the portal, every write is recorded and dropped, and the ledger
// is not touched.
func DryRunSite(ctx context.Context, led SiteLedger, blobs Blobs, o *store.Org, p Portal) (*DryRunReport, error) {
	at, err := reach(ctx, led, o, p)
	if err != nil {
		return nil, err
	}
	ops, unresolved, err := SiteOps(led, blobs, o, p.BaseURL)
	if err != nil {
		return nil, err
	}
	from := at.ID
	if at.Adopt {
		from = store.LegacyPortal // what the real upload would adopt first
	}
	known, err := led.IDMap(o.ID, from)
	if err != nil {
		return nil, err
	}
	plan := MakePlan(at.ID, ops, known, p.Plan)
	dry := DryRun(p.Target)
	rep, err := plan.Execute(ctx, discardIDs{}, dry, o, p.Exec)
	if err != nil && !errors.Is(err, ErrTooManyDeletes) {
		return nil, err
	}
	out := &DryRunReport{Portal: at.ID, OtherPortal: !at.Target, Stats: plan.Stats(), Create: []Planned{}, Update: []Planned{}, Delete: []Planned{},
		Unchanged: rep.Unchanged, Deferred: rep.Deferred, Items: len(plan.Steps), UnresolvedLinks: len(unresolved)}
	for _, w := range dry.Recorded() {
		switch w.Action {
		case Create:
			out.Create = append(out.Create, w)
		case Update:
			out.Update = append(out.Update, w)
		case Delete:
			out.Delete = append(out.Delete, w)
		}
	}
	return out, err
}

// discardIDs is the ID map of a dry run: it remembers nothing.
type discardIDs struct{}

func (discardIDs) IDMap(string, store.PortalID) (map[string]store.IDEntry, error) {
	return map[string]store.IDEntry{}, nil
}
func (discardIDs) PutIDEntries(string, store.PortalID, ...store.IDEntry) error { return nil }
func (discardIDs) DeleteIDEntry(string, store.PortalID, string, string) error  { return nil }

// SiteVerify is what one verification of a site found.
type SiteVerify struct {
	Portal      store.PortalID `json:"portal"`
	OtherPortal bool           `json:"other_portal,omitempty"`
	Items       int            `json:"items"`
	Differences []Difference   `json:"differences,omitempty"`
}

// VerifySite reads every item of the site's plan back from the portal and
// compares it with the plan. An item the ID map claims but the portal
// lacks, or holds otherwise, is marked in the ID map for the next upload
// to send again. The commit records what it found.
func VerifySite(ctx context.Context, led SiteLedger, blobs Blobs, o *store.Org, p Portal) (*SiteVerify, func(store.Tx) error, error) {
	at, err := reach(ctx, led, o, p)
	if err != nil {
		return nil, nil, err
	}
	if err := at.record(led, o, p.Actor, false); err != nil {
		return nil, nil, fmt.Errorf("record the target portal of %s: %w", o.ID, err)
	}
	if at.prev == nil && !at.Adopt {
		at.Target = false // never uploaded anywhere: nothing to verify for the site's state
	}
	ops, _, err := SiteOps(led, blobs, o, p.BaseURL)
	if err != nil {
		return nil, nil, err
	}
	diffs, err := Verify(ctx, p.Target, o, ops)
	if err != nil {
		return nil, nil, err
	}
	if err := markForResend(led, o.ID, at.ID, diffs); err != nil {
		return nil, nil, err
	}
	out := &SiteVerify{Portal: at.ID, OtherPortal: !at.Target, Items: len(ops), Differences: diffs}
	commit := func(tx store.Tx) error {
		return LastVerify.Put(tx, o.ID, at.recordKey(), &VerifyRecord{Portal: at.ID, Items: len(ops), Differences: diffs, At: tx.Now()})
	}
	return out, commit, nil
}

// markForResend turns the ID map entries of items verify found missing or
// different into needs_update, so that the next upload sends them.
func markForResend(ids IDMap, org string, portalID store.PortalID, diffs []Difference) error {
	if len(diffs) == 0 {
		return nil
	}
	known, err := ids.IDMap(org, portalID)
	if err != nil {
		return err
	}
	var marked []store.IDEntry
	for _, d := range diffs {
		if e, ok := known[store.IDKey(string(d.Kind), d.Key)]; ok && e.Status == store.ItemImported {
			e.Status, e.LastError, e.Updated = store.ItemNeedsUpdate, "verify: "+d.What, time.Time{}
			marked = append(marked, e)
		}
	}
	return ids.PutIDEntries(org, portalID, marked...)
}

// SiteRollback is what a rollback of a site did on one portal.
type SiteRollback struct {
	Portal      store.PortalID `json:"portal"`
	OtherPortal bool           `json:"other_portal,omitempty"`
	Report      *Report        `json:"report"`
}

// RollbackSite removes from the portal what perenos created for the site
// there, as its ID map on that portal records.
func RollbackSite(ctx context.Context, led SiteLedger, o *store.Org, p Portal) (*SiteRollback, error) {
	at, err := reach(ctx, led, o, p)
	if err != nil {
		return nil, err
	}
	if err := at.record(led, o, p.Actor, false); err != nil {
		return nil, fmt.Errorf("record the target portal of %s: %w", o.ID, err)
	}
	if at.prev == nil && !at.Adopt {
		at.Target = false
	}
	rep, err := Rollback(ctx, led, p.Target, o, at.ID)
	return &SiteRollback{Portal: at.ID, OtherPortal: !at.Target, Report: rep}, err
}

// ExportSite writes a site's plan as one bulk-import bundle and returns
// how many objects it holds.
func ExportSite(ctx context.Context, rd store.Reader, blobs Blobs, o *store.Org, base string, w io.Writer) (int, error) {
	ops, _, err := SiteOps(rd, blobs, o, base)
	if err != nil {
		return 0, err
	}
	return len(ops), Export(ctx, w, o.PortalSite, ops)
}

// ErrNoPortalURL says a redirect map was asked for a site whose public
// base URL is not known.
var ErrNoPortalURL = errors.New("the site has no target portal yet: upload it first, or give the portal's public URL")

// SiteRedirects lists a site's old URLs with their new public addresses
// under base; base "" means the site's target portal's address.
func SiteRedirects(rd store.Reader, o *store.Org, base string) ([]Redirect, error) {
	plan, err := mapping.LoadPlan(rd, o.ID)
	if err != nil {
		return nil, err
	}
	if base == "" {
		t, err := SiteTarget(rd, o.ID)
		if err != nil {
			return nil, err
		}
		if t == nil || t.URL == "" {
			return nil, fmt.Errorf("redirects of %s: %w", o.ID, ErrNoPortalURL)
		}
		base = t.URL
	}
	anchors, err := Anchors(rd, o.ID)
	if err != nil {
		return nil, err
	}
	return layout(Site{Org: o, Base: base, Anchors: anchors}, plan).redirects(), nil
}

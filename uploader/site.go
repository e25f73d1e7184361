package uploader

import (
	"context"
	"io"
	"os"
	"time"

	"perenos/mapping"
	"perenos/store"
)

// The upload stage's records in the ledger (the ID map itself is the
// store's: it is the ledger's core promise, not one stage's output).
var (
	// LastUpload is the last upload's report, under key "last".
	LastUpload = store.Record[UploadRecord]{Kind: "uploads"}
	// LastVerify is the last verification, under key "last".
	LastVerify = store.Record[VerifyRecord]{Kind: "verify"}
)

const lastKey = "last"

// UploadRecord is what the last upload of a site did.
type UploadRecord struct {
	Report          *Report   `json:"report"`
	UnresolvedLinks []string  `json:"unresolved_links,omitempty"`
	At              time.Time `json:"at"`
}

// VerifyRecord is what the last verification of a site found.
type VerifyRecord struct {
	Items       int          `json:"items"`
	Differences []Difference `json:"differences"`
	At          time.Time    `json:"at"`
}

// SiteLedger is what the upload stage reads and writes: the plan, the ID
// map, and the blob store the files come from.
type SiteLedger interface {
	store.Reader
	IDMap
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
}

// SiteOps turns a site's stored plan into the objects to upload, with the
// links to pages that were not migrated.
func SiteOps(rd store.Reader, blobs Blobs, o *store.Org, base string) ([]Op, []string, error) {
	plan, err := mapping.LoadPlan(rd, o.ID)
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
	return BuildOps(o, plan, base, open)
}

// PlanSite computes what an upload of the site would do, sending nothing.
func PlanSite(led SiteLedger, blobs Blobs, o *store.Org, p Portal) (*Plan, []string, error) {
	ops, unresolved, err := SiteOps(led, blobs, o, p.BaseURL)
	if err != nil {
		return nil, nil, err
	}
	known, err := led.IDMap(o.ID)
	if err != nil {
		return nil, nil, err
	}
	return MakePlan(ops, known, p.Plan), unresolved, nil
}

// SiteUpload is what one upload of a site did.
type SiteUpload struct {
	Report          *Report  `json:"report"`
	Items           int      `json:"items"`
	UnresolvedLinks []string `json:"unresolved_links,omitempty"`
}

// UploadSite pushes a site's plan to the portal: only what is new or
// changed since the last upload, and, with Plan.Sync, deletes what left the
// plan under the sync safety rules. The ID map is written item by item as
// the portal answers; the returned commit records the upload's report and
// goes in the transaction that moves the site's state.
func UploadSite(ctx context.Context, led SiteLedger, blobs Blobs, o *store.Org, p Portal) (*SiteUpload, func(store.Tx) error, error) {
	plan, unresolved, err := PlanSite(led, blobs, o, p)
	if err != nil {
		return nil, nil, err
	}
	rep, err := plan.Execute(ctx, led, p.Target, o, p.Exec)
	if rep == nil {
		return nil, nil, err
	}
	out := &SiteUpload{Report: rep, Items: len(plan.Steps), UnresolvedLinks: unresolved}
	rec := &UploadRecord{Report: rep, UnresolvedLinks: unresolved}
	commit := func(tx store.Tx) error {
		rec.At = tx.Now()
		return LastUpload.Put(tx, o.ID, lastKey, rec)
	}
	return out, commit, err
}

// SiteVerify is what one verification of a site found.
type SiteVerify struct {
	Items       int          `json:"items"`
	Differences []Difference `json:"differences,omitempty"`
}

// VerifySite reads every item of the site's plan back from the portal and
// compares it with the plan. The commit records what it found.
func VerifySite(ctx context.Context, led store.Reader, blobs Blobs, o *store.Org, p Portal) (*SiteVerify, func(store.Tx) error, error) {
	ops, _, err := SiteOps(led, blobs, o, p.BaseURL)
	if err != nil {
		return nil, nil, err
	}
	diffs, err := Verify(ctx, p.Target, o, ops)
	if err != nil {
		return nil, nil, err
	}
	out := &SiteVerify{Items: len(ops), Differences: diffs}
	commit := func(tx store.Tx) error {
		return LastVerify.Put(tx, o.ID, lastKey, &VerifyRecord{Items: len(ops), Differences: diffs, At: tx.Now()})
	}
	return out, commit, nil
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

// SiteRedirects lists a site's old URLs with their portal URLs under base.
func SiteRedirects(rd store.Reader, o *store.Org, base string) ([]Redirect, error) {
	plan, err := mapping.LoadPlan(rd, o.ID)
	if err != nil {
		return nil, err
	}
	return Redirects(o, plan, base), nil
}

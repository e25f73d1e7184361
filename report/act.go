package report

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"perenos/mapping"
	"perenos/store"
)

// The act stage's records in the ledger.
var (
	// Acts holds one Act per version of a site's act, keyed by VersionKey.
	ActRecords = store.Record[Act]{Kind: "acts"}
	// Manifests holds the manifest text of each act version, keyed by VersionKey.
	Manifests = store.Record[string]{Kind: "act_manifests"}
)

// DefaultSiteURL makes a new site's address from its portal site ID.
const DefaultSiteURL = "https://{site}.gosweb.gosuslugi.ru/"

// Errors of issuing and signing acts; the returned errors wrap them and
// say what to do.
var (
	ErrNotVerified   = errors.New("the site is not verified")
	ErrAlreadySigned = errors.New("the act is already signed")
	ErrNoAct         = errors.New("no act was issued")
)

// Act is one version of a site's completion act, as the ledger records it.
// A signed act is never changed: a re-migrated site gets a new version.
type Act struct {
	Number         string     `json:"number"` // per region, e.g. 38-0001; the same for every version
	Org            string     `json:"org"`
	Version        int        `json:"version"`
	Issued         time.Time  `json:"issued"`
	IssuedBy       string     `json:"issued_by"`
	VerifiedSeq    uint64     `json:"verified_seq"` // the event that verified the content the act covers
	Items          int        `json:"items"`        // lines of the manifest
	ManifestSHA256 string     `json:"manifest_sha256"`
	PDF            string     `json:"pdf"` // files, relative to the workspace folder
	HTML           string     `json:"html"`
	Manifest       string     `json:"manifest"`
	Signature      *Signature `json:"signature,omitempty"`
}

// Signature is the record of a signed paper act.
type Signature struct {
	SignedBy   string    `json:"signed_by"`
	Date       string    `json:"date"` // the date on the paper, YYYY-MM-DD
	ScanSHA256 string    `json:"scan_sha256"`
	Scan       string    `json:"scan"` // the scan's copy, relative to the workspace folder
	Recorded   time.Time `json:"recorded"`
	RecordedBy string    `json:"recorded_by"`
}

// Label is how messages name the act: "акт № 38-0001 v2".
func (a *Act) Label() string { return fmt.Sprintf("акт № %s v%d", a.Number, a.Version) }

// VersionKey is the ledger key of an act version: v001, v002, ...
func VersionKey(v int) string { return fmt.Sprintf("v%03d", v) }

// ActOptions are what issuing acts needs besides the ledger.
type ActOptions struct {
	// SiteURL makes the new site's address from its portal site ID: "{site}"
	// is replaced (default DefaultSiteURL).
	SiteURL string
	// Dir receives the act files (default <workspace>/acts).
	Dir string
	// Actor is who issues or records, for the event log.
	Actor string
	// Location is the time zone of the dates printed on acts (default time.Local).
	Location *time.Location
}

func (o *ActOptions) defaults(ws *store.Workspace) error {
	if o.SiteURL == "" {
		o.SiteURL = DefaultSiteURL
	}
	if o.Dir == "" {
		o.Dir = filepath.Join(ws.Dir, "acts")
	}
	if o.Actor == "" {
		o.Actor = "operator"
	}
	if o.Location == nil {
		o.Location = time.Local
	}
	return nil
}

// Acts lists a site's act versions, oldest first.
func Acts(rd store.Reader, org string) ([]*Act, error) {
	var out []*Act
	err := ActRecords.Each(rd, org, func(_ string, a *Act) error {
		out = append(out, a)
		return nil
	})
	return out, err
}

// LatestAct returns a site's newest act version, or nil if none was issued.
func LatestAct(ws store.Reader, org string) (*Act, error) {
	acts, err := Acts(ws, org)
	if err != nil || len(acts) == 0 {
		return nil, err
	}
	return acts[len(acts)-1], nil
}

var regionCodePattern = regexp.MustCompile(`^[0-9]{2}$`)

// RegionCode is the two-digit code of the organisation's region that act
// numbers start with: the registry's region_code column if given, else
// the first two digits of a 10- or 12-digit ИНН used as the ID.
func RegionCode(o *store.Org) (string, error) {
	if c := strings.TrimSpace(o.Settings["region_code"]); c != "" {
		if !regionCodePattern.MatchString(c) {
			return "", fmt.Errorf("organisation %s: region_code %q is not a two-digit region code", o.ID, c)
		}
		return c, nil
	}
	if (len(o.ID) == 10 || len(o.ID) == 12) && strings.Trim(o.ID, "0123456789") == "" {
		return o.ID[:2], nil
	}
	return "", fmt.Errorf("organisation %s: cannot tell its region code for the act number (the ID is not an ИНН): add a region_code column to the registry and import it again", o.ID)
}

// IssuedAct is an act issued by IssueActs.
type IssuedAct struct {
	Act       *Act   `json:"act"`
	Name      string `json:"name"`
	Supersede *Act   `json:"supersedes,omitempty"` // the version this one replaces
	Unchanged bool   `json:"unchanged,omitempty"`  // migrated again with the same content: the unsigned act stands
	view      *actView
}

// Skipped is a site IssueActs left alone, and why.
type Skipped struct {
	Org    string `json:"org"`
	Reason string `json:"reason"`
}

// IssueResult is what IssueActs did.
type IssueResult struct {
	Issued   []IssuedAct `json:"issued"`
	Skipped  []Skipped   `json:"skipped,omitempty"`
	Failed   []Skipped   `json:"failed,omitempty"`
	Combined string      `json:"combined,omitempty"` // one printable PDF of all new acts, relative to the workspace
}

// IssueActs issues the act of every verified site among orgs and, when
// combined is true and any new act was written, writes one printable PDF
// of all of them. Sites in other states are skipped; a site that fails does
// not stop the others.
func IssueActs(ctx context.Context, ws *store.Workspace, orgs []*store.Org, combined bool, opt ActOptions) (*IssueResult, error) {
	if err := opt.defaults(ws); err != nil {
		return nil, err
	}
	res := &IssueResult{}
	for _, o := range orgs {
		if err := ctx.Err(); err != nil {
			return res, err
		}
		o, err := ws.Org(o.ID) // the caller's copy may be stale
		if err != nil {
			return res, err
		}
		if o.State != store.Verified {
			latest, err := LatestAct(ws, o.ID)
			if err != nil {
				return res, err
			}
			res.Skipped = append(res.Skipped, Skipped{Org: o.ID, Reason: notVerified(o, latest, opt.Location).Error()})
			continue
		}
		ia, err := issue(ws, o.ID, opt)
		if err != nil {
			res.Failed = append(res.Failed, Skipped{Org: o.ID, Reason: err.Error()})
			continue
		}
		res.Issued = append(res.Issued, *ia)
	}
	var views []*actView
	for _, ia := range res.Issued {
		if ia.view != nil { // not the acts that stand unchanged
			views = append(views, ia.view)
		}
	}
	if combined && len(views) > 0 {
		data, err := renderActsPDF(views)
		if err != nil {
			return res, fmt.Errorf("combined PDF of %d acts: %w", len(views), err)
		}
		name := "acts-" + ws.Now().In(opt.Location).Format("20060102-150405") + ".pdf"
		if err := writeFile(filepath.Join(opt.Dir, name), data); err != nil {
			return res, err
		}
		res.Combined = rel(ws, filepath.Join(opt.Dir, name))
	}
	return res, nil
}

// IssueAct issues the act of one verified site: it writes the act as PDF
// and HTML and the manifest under opt.Dir, records the act in the ledger
// and moves the site to act_issued. A site whose earlier act exists gets
// the same number and the next version, except that an unsigned act whose
// manifest is unchanged stands as it is (Unchanged).
func IssueAct(ws *store.Workspace, org string, opt ActOptions) (*IssuedAct, error) {
	if err := opt.defaults(ws); err != nil {
		return nil, err
	}
	return issue(ws, org, opt)
}

func issue(ws *store.Workspace, id string, opt ActOptions) (*IssuedAct, error) {
	events, err := ws.Events(id)
	if err != nil {
		return nil, err
	}
	steps := stepsOf(events)
	var out *IssuedAct
	// One transaction: the act's number, its record, its manifest and the
	// site's move to act_issued commit together, so a crash in between
	// can neither burn a number nor leave an act the ledger does not know.
	// The files are written inside it; if it does not commit, they are
	// written again under the same name by the next try.
	err = ws.Update(func(tx store.Tx) error {
		var err error
		out, err = issueIn(tx, ws, id, steps, opt)
		return err
	})
	return out, err
}

func issueIn(tx store.Tx, ws *store.Workspace, id string, steps steps, opt ActOptions) (*IssuedAct, error) {
	o, err := tx.Org(id)
	if err != nil {
		return nil, err
	}
	acts, err := Acts(tx, id)
	if err != nil {
		return nil, err
	}
	var latest *Act
	if len(acts) > 0 {
		latest = acts[len(acts)-1]
	}
	if o.State != store.Verified {
		return nil, notVerified(o, latest, opt.Location)
	}
	if err := store.CanRun(store.StageAct, o.State, o.FailedAt, o.HasLegacy()); err != nil {
		return nil, fmt.Errorf("organisation %s: %w", id, err)
	}
	plan, err := mapping.LoadPlan(tx, id)
	if err != nil {
		return nil, err
	}
	if steps.verifiedSeq == 0 {
		return nil, fmt.Errorf("organisation %s: the event log has no verification (run perenos verify %s)", id, id)
	}
	man := BuildManifest(plan)
	if latest != nil && latest.Signature == nil && latest.ManifestSHA256 == man.Digest {
		// Migrated again with the same result: the unsigned act, perhaps
		// already printed and out for signature, still tells the truth.
		latest.VerifiedSeq = steps.verifiedSeq
		if err := ActRecords.Put(tx, id, VersionKey(latest.Version), latest); err != nil {
			return nil, err
		}
		reason := fmt.Sprintf("act %s v%d stands: the content migrated again is the same (manifest sha256 %s)", latest.Number, latest.Version, latest.ManifestSHA256)
		if err := tx.Advance(id, store.StageAct, opt.Actor, reason); err != nil {
			return nil, err
		}
		return &IssuedAct{Act: latest, Name: o.Name, Unchanged: true}, nil
	}
	act := &Act{Org: id, Version: 1, Issued: tx.Now(), IssuedBy: opt.Actor, VerifiedSeq: steps.verifiedSeq}
	var prior *Act
	switch {
	case latest == nil:
		code, err := RegionCode(o)
		if err != nil {
			return nil, err
		}
		n, err := tx.NextSeq("act/" + code)
		if err != nil {
			return nil, err
		}
		act.Number = fmt.Sprintf("%s-%04d", code, n)
	default:
		act.Number, act.Version = latest.Number, latest.Version+1
		prior = latest
	}
	act.Items, act.ManifestSHA256 = len(man.Lines), man.Digest
	base := fmt.Sprintf("%s-%s-v%d", act.Number, safeName(id), act.Version)
	pdfPath, htmlPath, manPath := filepath.Join(opt.Dir, base+".pdf"), filepath.Join(opt.Dir, base+".html"), filepath.Join(opt.Dir, base+".manifest.txt")
	act.PDF, act.HTML, act.Manifest = rel(ws, pdfPath), rel(ws, htmlPath), rel(ws, manPath)
	v := newActView(o, act, prior, plan, steps, opt)
	pdf, err := renderActsPDF([]*actView{v})
	if err != nil {
		return nil, fmt.Errorf("act of %s: PDF: %w", id, err)
	}
	var html strings.Builder
	if err := writeActHTML(&html, v); err != nil {
		return nil, fmt.Errorf("act of %s: HTML: %w", id, err)
	}
	for _, f := range []struct {
		path string
		data []byte
	}{{manPath, man.Text()}, {pdfPath, pdf}, {htmlPath, []byte(html.String())}} {
		if err := writeFile(f.path, f.data); err != nil {
			return nil, err
		}
	}
	text := string(man.Text())
	if err := Manifests.Put(tx, id, VersionKey(act.Version), &text); err != nil {
		return nil, err
	}
	if err := ActRecords.Put(tx, id, VersionKey(act.Version), act); err != nil {
		return nil, err
	}
	reason := fmt.Sprintf("act %s v%d issued: %d items, manifest sha256 %s", act.Number, act.Version, act.Items, act.ManifestSHA256)
	if prior != nil {
		reason += fmt.Sprintf("; replaces v%d after re-migration", prior.Version)
	}
	if err := tx.Advance(id, store.StageAct, opt.Actor, reason); err != nil {
		return nil, err
	}
	return &IssuedAct{Act: act, Name: o.Name, Supersede: prior, view: v}, nil
}

// notVerified explains why a site in another state gets no act.
func notVerified(o *store.Org, latest *Act, loc *time.Location) error {
	switch {
	case o.State == store.ActIssued && latest != nil:
		return fmt.Errorf("organisation %s: %w: %s was issued on %s and waits for its signature (perenos act sign %s); a new version needs the site re-migrated and verified first",
			o.ID, ErrNotVerified, latest.Label(), shortDate(latest.Issued.In(loc)), o.ID)
	case o.State == store.ActSigned && latest != nil && latest.Signature != nil:
		return fmt.Errorf("organisation %s: %w: %s is signed (%s, %s) and cannot change; a new version needs the site re-migrated and verified first",
			o.ID, ErrNotVerified, latest.Label(), latest.Signature.SignedBy, latest.Signature.Date)
	case o.State == store.Failed:
		return fmt.Errorf("organisation %s: %w: it failed at %s (%s); re-run that stage, then verify", o.ID, ErrNotVerified, o.FailedAt, o.Error)
	}
	return fmt.Errorf("organisation %s: %w: it is %s, and an act is issued only after verification (perenos verify %s)", o.ID, ErrNotVerified, o.State, o.ID)
}

// SignInput is the signed paper act being recorded.
type SignInput struct {
	SignedBy string    // who signed for the organisation
	Date     time.Time // the date on the paper
	Scan     string    // path of the scanned signed act
}

// SignAct records the signature of a site's current act: who signed, the
// date on the paper and the SHA-256 of its scan (a copy of which is kept
// beside the act), and moves the site to act_signed. Signing an act that
// is already signed fails with ErrAlreadySigned.
func SignAct(ws *store.Workspace, org string, in SignInput, opt ActOptions) (*Act, error) {
	if opt.Location == nil {
		opt.Location = time.Local
	}
	if opt.Dir == "" {
		opt.Dir = filepath.Join(ws.Dir, "acts")
	}
	if opt.Actor == "" {
		opt.Actor = "operator"
	}
	o, err := ws.Org(org)
	if err != nil {
		return nil, err
	}
	act, err := LatestAct(ws, org)
	if err != nil {
		return nil, err
	}
	if act == nil {
		return nil, fmt.Errorf("organisation %s: %w (perenos act issue %s)", org, ErrNoAct, org)
	}
	if act.Signature != nil || o.State == store.ActSigned {
		s := act.Signature
		if s == nil {
			s = &Signature{}
		}
		return nil, fmt.Errorf("organisation %s: %w: %s was signed by %s on %s (scan sha256 %s); a signed act cannot be signed again or changed, a re-migrated site gets a new version",
			org, ErrAlreadySigned, act.Label(), s.SignedBy, s.Date, s.ScanSHA256)
	}
	if err := store.CanRun(store.StageSign, o.State, o.FailedAt, o.HasLegacy()); err != nil {
		return nil, fmt.Errorf("organisation %s: %w", org, err)
	}
	if strings.TrimSpace(in.SignedBy) == "" {
		return nil, errors.New("who signed the act is required")
	}
	day := func(t time.Time) string { return t.In(opt.Location).Format("2006-01-02") }
	date := in.Date.Format("2006-01-02")
	if date < day(act.Issued) {
		return nil, fmt.Errorf("the signing date %s is before the act was issued (%s)", date, day(act.Issued))
	}
	if date > day(ws.Now()) {
		return nil, fmt.Errorf("the signing date %s is in the future", date)
	}
	sum, ext, err := hashFile(in.Scan)
	if err != nil {
		return nil, err
	}
	scanPath := filepath.Join(opt.Dir, fmt.Sprintf("%s-%s-v%d-signed%s", act.Number, safeName(org), act.Version, ext))
	if err := copyFile(in.Scan, scanPath); err != nil {
		return nil, err
	}
	act.Signature = &Signature{SignedBy: strings.TrimSpace(in.SignedBy), Date: date, ScanSHA256: sum, Scan: rel(ws, scanPath), Recorded: ws.Now(), RecordedBy: opt.Actor}
	reason := fmt.Sprintf("act %s v%d signed by %s on %s; scan sha256 %s", act.Number, act.Version, act.Signature.SignedBy, date, sum)
	err = ws.Update(func(tx store.Tx) error {
		if err := ActRecords.Put(tx, org, VersionKey(act.Version), act); err != nil {
			return err
		}
		return tx.Advance(org, store.StageSign, opt.Actor, reason)
	})
	if err != nil {
		return nil, err
	}
	return act, nil
}

// steps are the dates of a site's last migration, from its event log.
type steps struct {
	crawled, uploaded, verified time.Time
	verifiedSeq                 uint64
}

// stepsOf finds the last verification and the crawl and upload before it.
func stepsOf(events []store.Event) steps {
	var s steps
	for _, e := range events {
		if e.Kind != store.EventState {
			continue
		}
		switch store.State(e.To) {
		case store.Crawled:
			s.crawled = e.Time
		case store.Uploaded:
			s.uploaded = e.Time
		case store.Verified:
			s.verified, s.verifiedSeq = e.Time, e.Seq
		}
	}
	return s
}

func hashFile(path string) (sum, ext string, err error) {
	f, err := os.Open(path)
	if err != nil {
		return "", "", fmt.Errorf("scan of the signed act: %w", err)
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return "", "", fmt.Errorf("scan of the signed act %s: %w", path, err)
	}
	if n == 0 {
		return "", "", fmt.Errorf("scan of the signed act %s is empty", path)
	}
	ext = strings.ToLower(filepath.Ext(path))
	if len(ext) > 8 || strings.ContainsAny(ext, `/\ `) {
		ext = ""
	}
	return hex.EncodeToString(h.Sum(nil)), ext, nil
}

func copyFile(from, to string) error {
	data, err := os.ReadFile(from)
	if err != nil {
		return fmt.Errorf("copy %s: %w", from, err)
	}
	return writeFile(to, data)
}

// writeFile writes data to path through a temporary file, so that a
// reader never sees half an act.
func writeFile(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// rel names path relative to the workspace when it lies inside it.
func rel(ws *store.Workspace, path string) string {
	if r, err := filepath.Rel(ws.Dir, path); err == nil && !strings.HasPrefix(r, "..") {
		return filepath.ToSlash(r)
	}
	return path
}

var unsafeName = regexp.MustCompile(`[^0-9A-Za-z_.-]+`)

func safeName(s string) string { return unsafeName.ReplaceAllString(s, "_") }

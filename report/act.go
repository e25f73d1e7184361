package report

import (
	"context"
	"errors"
	"fmt"
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
	// ActRecords holds one Act per act a site was issued, in the order
	// issued, keyed by VersionKey of that order (v001, v002, ...).
	ActRecords = store.Record[Act]{Kind: "acts"}
	// Manifests holds the manifest text of each act, under the act's key.
	Manifests = store.Record[string]{Kind: "act_manifests"}
)

// Events about acts that are not state changes. EventAct's To says what
// happened to the act: ActVoided or SignatureVoided; the coordinator
// report replays them. EventRollback says a rollback removed the site's
// content from the portal: from then on it no longer counts as migrated.
const (
	EventAct        store.EventKind = "act"
	EventRollback   store.EventKind = "rollback"
	ActVoided                       = "voided"
	SignatureVoided                 = "signature_voided"
)

// ActsFolder is the folder of the workspace act files go to by default;
// a workspace backup holds it.
const ActsFolder = "acts"

// DefaultSiteURL makes a new site's address from its portal site ID.
const DefaultSiteURL = "https://{site}.gosweb.gosuslugi.ru/"

// Errors of issuing and signing acts; the returned errors wrap them and
// say what to do.
var (
	ErrNotVerified   = errors.New("the site is not verified")
	ErrAlreadySigned = errors.New("the act is already signed")
	ErrNoAct         = errors.New("no act was issued")
	ErrVoided        = errors.New("the act is voided")
	ErrNotSigned     = errors.New("the act is not signed")
	ErrSigned        = errors.New("the act is signed")
	ErrBadScan       = errors.New("not a usable scan")
)

// Act is one version of a site's completion act, as the ledger records it.
// A signed act is never changed: a re-migrated site gets a new version. A
// voided act keeps its number, which no other act gets: the site's next
// act has a new number.
type Act struct {
	Number   string    `json:"number"` // per region, e.g. 38-0001; the same for every version
	Org      string    `json:"org"`
	Version  int       `json:"version"`
	Issued   time.Time `json:"issued"`
	IssuedBy string    `json:"issued_by"`
	// Zone is the IANA time zone the act's dates are printed in; the date
	// on its signed paper is read in it too. Empty in acts issued before
	// zones were recorded.
	Zone           string `json:"zone,omitempty"`
	VerifiedSeq    uint64 `json:"verified_seq"` // the event that verified the content the act covers
	Items          int    `json:"items"`        // lines of the manifest
	ManifestSHA256 string `json:"manifest_sha256"`
	PDF            string `json:"pdf"` // files, relative to the workspace folder
	HTML           string `json:"html"`
	Manifest       string `json:"manifest"`
	// Replaces is the voided act this one was issued in place of ("38-0001 v1").
	Replaces  string     `json:"replaces,omitempty"`
	Signature *Signature `json:"signature,omitempty"`
	// VoidedSignatures are signing records an operator voided as wrong,
	// oldest first; voiding one does not void the act.
	VoidedSignatures []VoidedSignature `json:"voided_signatures,omitempty"`
	Void             *Void             `json:"void,omitempty"`

	key string // the ledger key, set when loaded or issued
}

// Void records that an act no longer stands: its site was rolled back, or
// an operator voided it.
type Void struct {
	At       time.Time `json:"at"`
	By       string    `json:"by"`
	Reason   string    `json:"reason"`
	Rollback bool      `json:"rollback,omitempty"` // voided by a rollback of the site
}

// VoidedSignature is a signing record an operator voided, and why.
type VoidedSignature struct {
	Signature
	VoidedAt time.Time `json:"voided_at"`
	VoidedBy string    `json:"voided_by"`
	Reason   string    `json:"reason"`
}

// Status is what stands of an act: voided, signed or issued.
func (a *Act) Status() string {
	switch {
	case a.Void != nil:
		return ActVoided
	case a.Signature != nil:
		return "signed"
	}
	return "issued"
}

// signatureAt is the signing record that stood at moment t, or nil.
func (a *Act) signatureAt(t time.Time) *Signature {
	var out *Signature
	for i := range a.VoidedSignatures {
		v := &a.VoidedSignatures[i]
		if !v.Recorded.After(t) && v.VoidedAt.After(t) {
			out = &v.Signature
		}
	}
	if s := a.Signature; s != nil && !s.Recorded.After(t) {
		out = s
	}
	return out
}

// Location is the time zone of the act's dates: its recorded zone, else
// fallback.
func (a *Act) Location(fallback *time.Location) *time.Location {
	if a.Zone != "" {
		if loc, err := time.LoadLocation(a.Zone); err == nil {
			return loc
		}
	}
	return fallback
}

// Signature is the record of a signed paper act.
type Signature struct {
	SignedBy   string    `json:"signed_by"`
	Date       string    `json:"date"` // the date on the paper, YYYY-MM-DD
	ScanSHA256 string    `json:"scan_sha256"`
	ScanFormat string    `json:"scan_format,omitempty"` // pdf, jpeg, png or tiff
	Scan       string    `json:"scan"`                  // the scan's copy, relative to the workspace folder
	Recorded   time.Time `json:"recorded"`
	RecordedBy string    `json:"recorded_by"`
}

// Ref is how English messages name the act: "act 38-0001 v2".
func (a *Act) Ref() string { return fmt.Sprintf("act %s v%d", a.Number, a.Version) }

// VersionKey is the ledger key of a site's n-th act: v001, v002, ... While
// a site's acts share one number, the n-th act is its version n.
func VersionKey(n int) string { return fmt.Sprintf("v%03d", n) }

// ActOptions are what issuing acts needs besides the ledger.
type ActOptions struct {
	// SiteURL makes the new site's address from its portal site ID: "{site}"
	// is replaced (default DefaultSiteURL).
	SiteURL string
	// Dir receives the act files (default <workspace>/acts).
	Dir string
	// Actor is who issues or records, for the event log.
	Actor string
	// Location overrides the time zone of the dates printed on acts, and
	// of the date read from a signed act. Default: the workspace's region
	// zone (store.Workspace.Location) for new acts, and an act's own
	// recorded zone when it is signed.
	Location *time.Location
}

func (o *ActOptions) defaults(ws *store.Workspace) error {
	if o.SiteURL == "" {
		o.SiteURL = DefaultSiteURL
	}
	if o.Dir == "" {
		o.Dir = filepath.Join(ws.Dir, ActsFolder)
	}
	if o.Actor == "" {
		o.Actor = "operator"
	}
	if o.Location == nil {
		loc, err := ws.Location()
		if err != nil {
			return err
		}
		o.Location = loc
	}
	return nil
}

// Acts lists a site's acts, oldest first.
func Acts(rd store.Reader, org string) ([]*Act, error) {
	var out []*Act
	err := ActRecords.Each(rd, org, func(key string, a *Act) error {
		a.key = key
		out = append(out, a)
		return nil
	})
	return out, err
}

// LatestAct returns a site's newest act, or nil if none was issued.
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
			res.Skipped = append(res.Skipped, Skipped{Org: o.ID, Reason: notVerified(o, latest).Error()})
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
// manifest is unchanged stands as it is (Unchanged), and that a site whose
// act was voided gets a new number.
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
		return nil, notVerified(o, latest)
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
	if latest != nil && latest.Signature == nil && latest.Void == nil && latest.ManifestSHA256 == man.Digest {
		// Migrated again with the same result: the unsigned act, perhaps
		// already printed and out for signature, still tells the truth.
		latest.VerifiedSeq = steps.verifiedSeq
		if err := ActRecords.Put(tx, id, latest.key, latest); err != nil {
			return nil, err
		}
		reason := fmt.Sprintf("act %s v%d stands: the content migrated again is the same (manifest sha256 %s)", latest.Number, latest.Version, latest.ManifestSHA256)
		if err := tx.Advance(id, store.StageAct, opt.Actor, reason); err != nil {
			return nil, err
		}
		return &IssuedAct{Act: latest, Name: o.Name, Unchanged: true}, nil
	}
	act := &Act{Org: id, Version: 1, Issued: tx.Now(), IssuedBy: opt.Actor, Zone: zoneName(opt.Location), VerifiedSeq: steps.verifiedSeq,
		key: VersionKey(len(acts) + 1)}
	var prior *Act
	switch {
	case latest == nil || latest.Void != nil:
		// A first act, or one in place of a voided act, whose number is
		// never used again: a new number.
		code, err := RegionCode(o)
		if err != nil {
			return nil, err
		}
		n, err := tx.NextSeq("act/" + code)
		if err != nil {
			return nil, err
		}
		act.Number = fmt.Sprintf("%s-%04d", code, n)
		if latest != nil {
			act.Replaces, prior = latest.Number+" v"+fmt.Sprint(latest.Version), latest
		}
	default:
		act.Number, act.Version = latest.Number, latest.Version+1
		prior = latest
	}
	act.Items, act.ManifestSHA256 = len(man.Lines), man.Digest
	base := fmt.Sprintf("%s-%s-v%d", act.Number, safeName(id), act.Version)
	pdfPath, htmlPath, manPath := filepath.Join(opt.Dir, base+".pdf"), filepath.Join(opt.Dir, base+".html"), filepath.Join(opt.Dir, base+".manifest.txt")
	act.PDF, act.HTML, act.Manifest = rel(ws, pdfPath), rel(ws, htmlPath), rel(ws, manPath)
	ovs, err := mapping.LoadOverrides(tx, id)
	if err != nil {
		return nil, err
	}
	v := newActView(o, act, prior, plan, ovs, steps, opt)
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
	if err := Manifests.Put(tx, id, act.key, &text); err != nil {
		return nil, err
	}
	if err := ActRecords.Put(tx, id, act.key, act); err != nil {
		return nil, err
	}
	reason := fmt.Sprintf("act %s v%d issued: %d items, manifest sha256 %s", act.Number, act.Version, act.Items, act.ManifestSHA256)
	switch {
	case act.Replaces != "":
		reason += "; in place of the voided act " + act.Replaces
	case prior != nil:
		reason += fmt.Sprintf("; replaces v%d after re-migration", prior.Version)
	}
	if err := tx.Advance(id, store.StageAct, opt.Actor, reason); err != nil {
		return nil, err
	}
	return &IssuedAct{Act: act, Name: o.Name, Supersede: prior, view: v}, nil
}

// notVerified explains why a site in another state gets no act.
func notVerified(o *store.Org, latest *Act) error {
	switch {
	case o.State == store.ActIssued && latest != nil:
		return fmt.Errorf("organisation %s: %w: %s was issued on %s and waits for its signature (perenos act sign %s); a new version needs the site re-migrated and verified first",
			o.ID, ErrNotVerified, latest.Ref(), shortDate(latest.Issued.In(latest.Location(time.Local))), o.ID)
	case o.State == store.ActSigned && latest != nil && latest.Signature != nil:
		return fmt.Errorf("organisation %s: %w: %s is signed (%s, %s) and cannot change; a new version needs the site re-migrated and verified first",
			o.ID, ErrNotVerified, latest.Ref(), latest.Signature.SignedBy, latest.Signature.Date)
	case o.State == store.Failed:
		return fmt.Errorf("organisation %s: %w: it failed at %s (%s); re-run that stage, then verify", o.ID, ErrNotVerified, o.FailedAt, o.Error)
	}
	return fmt.Errorf("organisation %s: %w: it is %s, and an act is issued only after verification (perenos verify %s)", o.ID, ErrNotVerified, o.State, o.ID)
}

// HasSignedAct reports whether any act of the organisation bears a
// signature: the registry may not move such a site to another portal site
// without --force, since the signed paper names the site it has.
func HasSignedAct(rd store.Reader, o *store.Org) bool {
	acts, err := Acts(rd, o.ID)
	if err != nil {
		return true // unknown: ask for --force rather than move silently
	}
	for _, a := range acts {
		if a.Signature != nil {
			return true
		}
	}
	return o.State == store.ActSigned
}

// ExternalActFiles lists the act files (PDF, HTML, manifest, signed
// scans) recorded outside the workspace, for acts issued with another
// folder: a workspace backup does not hold them.
func ExternalActFiles(ws *store.Workspace) ([]string, error) {
	orgs, err := ws.Orgs()
	if err != nil {
		return nil, err
	}
	var out []string
	for _, o := range orgs {
		acts, err := Acts(ws, o.ID)
		if err != nil {
			return nil, err
		}
		for _, a := range acts {
			files := []string{a.PDF, a.HTML, a.Manifest}
			for _, s := range a.VoidedSignatures {
				files = append(files, s.Scan)
			}
			if a.Signature != nil {
				files = append(files, a.Signature.Scan)
			}
			for _, f := range files {
				if filepath.IsAbs(f) {
					out = append(out, f)
				}
			}
		}
	}
	return out, nil
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

// writeFile writes data to path through a temporary file, so that a
// reader never sees half an act.
func writeFile(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	tmp := path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o644)
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync() // the ledger that names the file commits after it
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(tmp)
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

// zoneName is the IANA name of loc, recorded with an act. For the
// machine's zone it is found from $TZ or /etc/localtime; "" when it
// cannot be told.
func zoneName(loc *time.Location) string {
	if loc != time.Local {
		return loc.String()
	}
	candidates := []string{strings.TrimPrefix(os.Getenv("TZ"), ":")}
	if target, err := os.Readlink("/etc/localtime"); err == nil {
		if i := strings.Index(target, "zoneinfo/"); i >= 0 {
			candidates = append(candidates, target[i+len("zoneinfo/"):])
		}
	}
	for _, name := range candidates {
		if name == "" || name == "Local" {
			continue
		}
		if _, err := time.LoadLocation(name); err == nil {
			return name
		}
	}
	return ""
}

var unsafeName = regexp.MustCompile(`[^0-9A-Za-z_.-]+`)

func safeName(s string) string { return unsafeName.ReplaceAllString(s, "_") }
